#!/usr/bin/env bash
# Build the standalone Lectern bundle: dist/lectern/ (run dist/lectern/lectern, or its install.sh).
#
#   packaging/build.sh            from a clean checkout; makes its own venv in build/venv
#
# Environment: PYTHON (default python3; needs its shared libpython), LECTERN_BUILD_VENV
# (default build/venv), LECTERN_BUNDLE_EXCLUDES=0 to build without the size exclusions.
# The PyInstaller log goes to build/pyinstaller.log; packaging/smoke_test.sh reads it.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS=0

PYTHON="${PYTHON:-python3}"
VENV="${LECTERN_BUILD_VENV:-build/venv}"
LOG=build/pyinstaller.log
DIST=dist/lectern

fail() { echo "build.sh: $*" >&2; exit 1; }

# 1. The build host's libraries.  PyInstaller copies the libraries Qt's plugins link
#    against from this machine; one missing here is missing in the bundle, and the
#    build still "succeeds".  (Missing libxcb-icccm4/libxcb-keysyms1 gives a binary
#    that dies at start blaming xcb-cursor0.)  soname -> Debian package:
REQUIRED_LIBS="
libxcb-cursor.so.0:libxcb-cursor0 libxcb-icccm.so.4:libxcb-icccm4 libxcb-image.so.0:libxcb-image0
libxcb-keysyms.so.1:libxcb-keysyms1 libxcb-render-util.so.0:libxcb-render-util0
libxcb-shape.so.0:libxcb-shape0 libxcb-xkb.so.1:libxcb-xkb1 libxkbcommon-x11.so.0:libxkbcommon-x11-0
libxkbcommon.so.0:libxkbcommon0 libfontconfig.so.1:libfontconfig1 libfreetype.so.6:libfreetype6
libdbus-1.so.3:libdbus-1-3 libGL.so.1:libgl1 libEGL.so.1:libegl1 libglib-2.0.so.0:libglib2.0-0"
known_libs="$(/sbin/ldconfig -p 2>/dev/null || ldconfig -p)"
missing=""
for pair in $REQUIRED_LIBS; do
  grep -q "^[[:space:]]*${pair%%:*} " <<<"$known_libs" || missing="$missing ${pair##*:}"
done
if [ -n "$missing" ]; then
  fail "the build host lacks libraries the bundle must carry; install them first:
  sudo apt-get install$missing"
fi

# 2. A Python with a shared libpython (PyInstaller bundles it).
"$PYTHON" - <<'EOF' || fail "$PYTHON has no shared libpython (Debian: apt-get install libpython3-dev; pyenv: PYTHON_CONFIGURE_OPTS=--enable-shared)"
import sys, sysconfig
from pathlib import Path
if sys.version_info < (3, 11):
    sys.exit(f"Python 3.11+ needed, this is {sys.version.split()[0]}")
lib = sysconfig.get_config_var("INSTSONAME") or ""
dirs = [sysconfig.get_config_var("LIBDIR") or "", "/usr/lib/x86_64-linux-gnu", "/usr/lib"]
sys.exit(0 if sysconfig.get_config_var("Py_ENABLE_SHARED") or any((Path(d) / lib).exists() for d in dirs) else 1)
EOF

# 3. Its own venv with the app (not editable) and PyInstaller.
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade '.[package]' \
  || fail "pip could not install the app and PyInstaller into $VENV"

# 4. PyInstaller with the spec.
mkdir -p build
echo "build.sh: PyInstaller $("$VENV/bin/python" -m PyInstaller --version), log in $LOG"
if ! "$VENV/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/lectern.spec >"$LOG" 2>&1; then
  tail -n 30 "$LOG" >&2
  fail "PyInstaller failed (full log: $LOG)"
fi
grep '^lectern.spec:' "$LOG" || true

# 5. A library PyInstaller could not find is a library the bundle lacks.  Only the GTK
#    platform theme's (left out of the bundle on purpose) may be missing.
unresolved="$(grep 'Library not found' "$LOG" | grep -v 'platformthemes/libqgtk3.so' || true)"
if [ -n "$unresolved" ]; then
  echo "$unresolved" >&2
  fail "the bundle would miss the libraries above (install them on the build host)"
fi
[ -x "$DIST/lectern" ] || fail "no $DIST/lectern after the build"

size_mb=$(du -sm "$DIST" | cut -f1)
files=$(find "$DIST" -type f | wc -l)
echo "build.sh: built $DIST/lectern ($("$DIST/lectern" --version)): ${size_mb} MB, ${files} files, ${SECONDS} s"
