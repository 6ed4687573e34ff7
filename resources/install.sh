#!/bin/sh
# Install the Lectern bundle for the current user: the app, its icon and its menu entry, under ~/.local.
#
#   ./install.sh                 run from inside an unpacked bundle (dist/lectern/install.sh)
#   resources/install.sh [DIST]  run from a checkout (DIST defaults to dist/lectern)
#   install.sh --uninstall       remove what an install put there
#   --prefix DIR                 install under DIR instead of ~/.local
#
# Puts the bundle in PREFIX/lib/lectern, a link PREFIX/bin/lectern, the icons in
# PREFIX/share/icons/hicolor and lectern.desktop in PREFIX/share/applications.
# Needs no root and changes nothing outside PREFIX.
set -eu

PREFIX="${HOME}/.local"
ACTION=install
BUNDLE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --prefix=*) PREFIX="${1#--prefix=}"; shift ;;
    --uninstall) ACTION=uninstall; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "install.sh: unknown option $1" >&2; exit 2 ;;
    *) BUNDLE="$1"; shift ;;
  esac
done

APP_DIR="$PREFIX/lib/lectern"
BIN="$PREFIX/bin/lectern"
ICONS="$PREFIX/share/icons/hicolor"
DESKTOP="$PREFIX/share/applications/lectern.desktop"
SIZES="16 24 32 48 64 128 256 512"

refresh_caches() {
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$PREFIX/share/applications" 2>/dev/null || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$ICONS/index.theme" ]; then
    gtk-update-icon-cache -q -t "$ICONS" 2>/dev/null || true
  fi
}

if [ "$ACTION" = uninstall ]; then
  rm -rf "$APP_DIR"
  [ -L "$BIN" ] && rm -f "$BIN"
  rm -f "$DESKTOP" "$ICONS/scalable/apps/lectern.svg"
  for size in $SIZES; do rm -f "$ICONS/${size}x${size}/apps/lectern.png"; done
  refresh_caches
  echo "Lectern removed from $PREFIX (your library and settings are kept)."
  exit 0
fi

here="$(cd "$(dirname "$0")" && pwd)"
if [ -z "$BUNDLE" ]; then
  if [ -x "$here/lectern" ] && [ -d "$here/_internal" ]; then
    BUNDLE="$here"
  else
    BUNDLE="$here/../dist/lectern"
  fi
fi
if [ ! -x "$BUNDLE/lectern" ] || [ ! -d "$BUNDLE/_internal/resources" ]; then
  echo "install.sh: no Lectern bundle at $BUNDLE (build one with packaging/build.sh)" >&2
  exit 1
fi
BUNDLE="$(cd "$BUNDLE" && pwd)"
RES="$BUNDLE/_internal/resources"

# Copy beside the old install, then swap, so a failed copy leaves the old one working.
mkdir -p "$PREFIX/lib" "$PREFIX/bin" "$ICONS" "$PREFIX/share/applications"
if [ "$BUNDLE" != "$APP_DIR" ]; then
  rm -rf "$APP_DIR.new"
  cp -a "$BUNDLE" "$APP_DIR.new"
  rm -rf "$APP_DIR.old"
  [ -e "$APP_DIR" ] && mv "$APP_DIR" "$APP_DIR.old"
  mv "$APP_DIR.new" "$APP_DIR"
  rm -rf "$APP_DIR.old"
fi
ln -sfn "$APP_DIR/lectern" "$BIN"

for size in $SIZES; do
  src="$RES/icons/hicolor/${size}x${size}/apps/lectern.png"
  [ -f "$src" ] || continue
  mkdir -p "$ICONS/${size}x${size}/apps"
  cp "$src" "$ICONS/${size}x${size}/apps/lectern.png"
done
mkdir -p "$ICONS/scalable/apps"
cp "$RES/icons/lectern.svg" "$ICONS/scalable/apps/lectern.svg"

# The menu entry starts the installed binary by its full path (~/.local/bin may not be on PATH).
sed -e "s|^Exec=.*|Exec=\"$APP_DIR/lectern\"|" -e "s|^TryExec=.*|TryExec=$APP_DIR/lectern|" \
  "$RES/lectern.desktop" > "$DESKTOP.tmp"
mv "$DESKTOP.tmp" "$DESKTOP"
chmod 644 "$DESKTOP"
refresh_caches

echo "Lectern $(cut -d' ' -f2 "$APP_DIR/VERSION" 2>/dev/null) installed:"
echo "  app        $APP_DIR"
echo "  command    $BIN"
echo "  menu entry $DESKTOP"
case ":$PATH:" in
  *":$PREFIX/bin:"*) ;;
  *) echo "  note: $PREFIX/bin is not on your PATH; the menu entry works regardless." ;;
esac
