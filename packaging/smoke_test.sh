#!/usr/bin/env bash
# Smoke test of a built bundle: packaging/smoke_test.sh DIST [--screenshot OUT.png]
#
#   1. every library the bundle's binaries link against resolves (ldd), and the
#      build log names no missing library but the optional GTK theme's;
#   2. the self-test passes offscreen and under Xvfb (a real X server, xcb plugin);
#   3. the CLI through the same binary: import the sample, search, export BibTeX;
#   4. a start without arguments (a double-click) shows the window under Xvfb and keeps running;
#   5. --screenshot OUT.png: the frozen app's own picture of its window under Xvfb.
# Everything runs with a temporary HOME, so no real library or setting is touched.
set -euo pipefail

DIST="${1:?usage: packaging/smoke_test.sh DIST [--screenshot OUT.png]}"
SHOT=""
if [ "${2:-}" = "--screenshot" ]; then SHOT="$(realpath -m "${3:?--screenshot needs a file}")"; fi
DIST="$(cd "$DIST" && pwd)"
BIN="$DIST/lectern"
LOG="${LECTERN_BUILD_LOG:-$(dirname "$0")/../build/pyinstaller.log}"
SAMPLE="$DIST/_internal/resources/sample"

failures=0
passes=0
pass() { echo "smoke: ok: $*"; passes=$((passes + 1)); }
fail() { echo "smoke: FAIL: $*" >&2; failures=$((failures + 1)); }
[ -x "$BIN" ] || { echo "smoke: no executable at $BIN" >&2; exit 1; }

WORK="$(mktemp -d /tmp/lectern-smoke.XXXXXX)"
XVFB_PID=""
cleanup() { [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

# One Xvfb for every X check, on a display number it picks itself (back-to-back xvfb-run -a
# calls race for :99); -noreset, or each client that disconnects last resets the server under
# the next one connecting (a window polled with xwininfo then fails with "could not connect").
Xvfb -displayfd 3 -screen 0 1440x900x24 -nolisten tcp -noreset 3>"$WORK/display" 2>"$WORK/xvfb.log" &
XVFB_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/display" ] && break; sleep 0.05; done
[ -s "$WORK/display" ] || { cat "$WORK/xvfb.log" >&2; echo "smoke: Xvfb did not start" >&2; exit 1; }
X_DISPLAY=":$(tr -d '[:space:]' <"$WORK/display")"
XVFB=(env DISPLAY="$X_DISPLAY")
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share"
export XDG_CACHE_HOME="$WORK/home/.cache" XDG_STATE_HOME="$WORK/home/.local/state"
export LECTERN_LIBRARY="$WORK/library"
mkdir -p "$HOME"
unset QT_QPA_PLATFORMTHEME  # no GTK theme lookups (slow without a session bus)

# -- 1. libraries ---------------------------------------------------------------------------
# libwayland-* are the session's own (PyInstaller never bundles them): a Wayland desktop has
# them, and where they are missing Qt falls back from the wayland plugin to xcb (XWayland).
unresolved_libs="$(
  find "$DIST/_internal" -type f \( -name '*.so' -o -name '*.so.*' \) -print0 |
    while IFS= read -r -d '' lib; do
      LD_LIBRARY_PATH="$DIST/_internal" ldd "$lib" 2>/dev/null | grep 'not found' | sed "s|^|${lib#"$DIST/"}: |" || true
    done | grep -v 'platformthemes/libqgtk3.so' || true
)"
missing_libs="$(grep -v 'libwayland-[a-z]*\.so' <<<"$unresolved_libs" || true)"
wayland_only="$(grep -o 'libwayland-[a-z]*\.so[.0-9]*' <<<"$unresolved_libs" | sort -u | tr '\n' ' ' || true)"
if [ -z "$missing_libs" ]; then
  pass "every bundled binary's libraries resolve (ldd)${wayland_only:+; not on this host, for Wayland sessions only: $wayland_only}"
else
  fail "libraries not found:"; echo "$missing_libs" >&2; fi
if [ -f "$LOG" ]; then
  unresolved="$(grep 'Library not found' "$LOG" | grep -v 'platformthemes/libqgtk3.so' || true)"
  if [ -z "$unresolved" ]; then pass "build log names no missing library but the GTK theme's ($LOG)"; else
    fail "the build log names missing libraries:"; echo "$unresolved" >&2; fi
else
  echo "smoke: note: no build log at $LOG; set LECTERN_BUILD_LOG to check it"
fi

version="$("$BIN" --version 2>&1)" || true
if [ "$version" = "$(cat "$DIST/VERSION" 2>/dev/null)" ]; then pass "--version says $version"; else
  fail "--version says '$version', VERSION file says '$(cat "$DIST/VERSION" 2>/dev/null)'"; fi

# -- 2. self-test offscreen and under Xvfb --------------------------------------------------
self_test() {  # label, then the command prefix
  local label="$1"; shift
  local out="$WORK/self-test-$label.txt"
  if "$@" "$BIN" --self-test >"$out" 2>&1 && ! grep -q '^FAIL' "$out"; then
    pass "self-test $label: $(tail -n 1 "$out") [$(grep -o "platform plugin '[a-z]*'" "$out" || true)]"
  else
    fail "self-test $label:"; sed 's/^/    /' "$out" >&2
    echo "smoke: the same with QT_DEBUG_PLUGINS=1 (the real cause of a plugin failure):" >&2
    QT_DEBUG_PLUGINS=1 "$@" "$BIN" --self-test 2>&1 | grep -iE 'cannot|not found|fail|error' | tail -n 15 >&2 || true
  fi
}
self_test offscreen env -u DISPLAY -u WAYLAND_DISPLAY QT_QPA_PLATFORM=offscreen
# Under Xvfb the self-test also opens a link for real: a fake xdg-open records the environment
# the bundle hands it, which must be the user's LD_LIBRARY_PATH, not the bundle's.
mkdir -p "$WORK/bin"
cat >"$WORK/bin/xdg-open" <<EOF
#!/bin/sh
{ echo "url=\$1"; echo "LD_LIBRARY_PATH=\${LD_LIBRARY_PATH-(unset)}"; } >"$WORK/xdg-open.txt"
EOF
chmod +x "$WORK/bin/xdg-open"
self_test xvfb env -u QT_QPA_PLATFORM -u WAYLAND_DISPLAY "${XVFB[@]}" PATH="$WORK/bin:$PATH" \
  LD_LIBRARY_PATH=/opt/user-lib LECTERN_SELF_TEST_OPEN_URL=https://example.org/lectern-smoke
grep -q "platform plugin 'xcb'" "$WORK/self-test-xvfb.txt" 2>/dev/null || fail "under Xvfb the self-test did not use the xcb plugin"
for _ in $(seq 1 50); do [ -s "$WORK/xdg-open.txt" ] && break; sleep 0.1; done
if grep -qx 'LD_LIBRARY_PATH=/opt/user-lib' "$WORK/xdg-open.txt" 2>/dev/null; then
  pass "xdg-open started by the bundle gets the user's LD_LIBRARY_PATH (/opt/user-lib)"
else
  fail "xdg-open got: $(tr '\n' ' ' <"$WORK/xdg-open.txt" 2>/dev/null || echo 'nothing (not started)')"
fi

# -- 3. the CLI through the same binary -----------------------------------------------------
cli() { env -u DISPLAY "$BIN" "$@"; }
if out="$(cli import "$SAMPLE/sample.bib" "$SAMPLE/daily-papers.txt" 2>&1)" && grep -q 'imported 8' <<<"$out"; then
  pass "cli import: $(grep -m 1 "^imported" <<<"$out")"; else fail "cli import: $out"; fi
if out="$(cli search 'author:Sorensen' --json 2>&1)" && grep -q '"citekey": "sorensen2024quill"' <<<"$out"; then
  pass "cli search finds sorensen2024quill"; else fail "cli search: $out"; fi
if cli export --all --format bibtex -o "$WORK/out.bib" 2>/dev/null && [ "$(grep -c '^@' "$WORK/out.bib")" = 8 ] \
   && grep -q '{dorner2021margins,' "$WORK/out.bib"; then
  pass "cli export: 8 BibTeX entries"; else fail "cli export: $(head -n 5 "$WORK/out.bib" 2>/dev/null)"; fi
if out="$(cli stats --json 2>&1)" && grep -q '8' <<<"$out"; then pass "cli stats"; else fail "cli stats: $out"; fi

# -- 4. a start without arguments shows the window (a double-click) -------------------------
cat >"$WORK/double-click.sh" <<'EOF'
#!/usr/bin/env bash
# On the Xvfb display: start the app as a double-click does, wait for its window, check it is still alive.
"$1" >"$2" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
  if command -v xwininfo >/dev/null; then
    xwininfo -root -tree 2>/dev/null | grep -q '"Lectern — ' && break
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
sleep 1
if ! kill -0 "$pid" 2>/dev/null; then echo "exited early"; exit 1; fi
if command -v xwininfo >/dev/null; then
  xwininfo -root -tree | grep -q '"Lectern — ' || { echo "no Lectern window"; kill "$pid"; exit 1; }
  echo "window: $(xwininfo -root -tree | grep -o '"Lectern — [^"]*"' | head -n 1)"
else
  echo "still running after 1 s (xwininfo missing: window not looked up)"
fi
kill "$pid"; wait "$pid" 2>/dev/null || true
EOF
chmod +x "$WORK/double-click.sh"
if out="$(env -u QT_QPA_PLATFORM "${XVFB[@]}" "$WORK/double-click.sh" "$BIN" "$WORK/gui.log" 2>&1)"; then
  pass "start without arguments: $out"; else fail "start without arguments: $out"; sed 's/^/    /' "$WORK/gui.log" >&2; fi

# -- 5. a screenshot of the frozen window under Xvfb ----------------------------------------
if [ -n "$SHOT" ]; then
  if env -u QT_QPA_PLATFORM "${XVFB[@]}" "$BIN" --screenshot "$SHOT" --query 'author:Sorensen' >"$WORK/shot.log" 2>&1 \
     && [ -s "$SHOT" ]; then pass "screenshot of the frozen window: $SHOT"; else
    fail "screenshot:"; sed 's/^/    /' "$WORK/shot.log" >&2; fi
fi

echo "smoke: $DIST"
echo "smoke: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
