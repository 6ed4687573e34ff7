#!/usr/bin/env bash
# Time from exec to a shown Lectern window, cold and warm: packaging/measure_start.sh DIST|COMMAND [RUNS]
#
# Starts the app without arguments (as a double-click does) on its own Xvfb, with a
# library holding the 8-paper sample, and polls until the main window is mapped
# (xdotool search --onlyvisible, every 10 ms).  "Cold" drops the page cache before
# each run (needs root; skipped otherwise), "warm" follows a warm-up run.  Prints
# every run and the median of RUNS (default 5).  Needs Xvfb and xdotool.
set -euo pipefail

TARGET="${1:?usage: packaging/measure_start.sh DIST|COMMAND [RUNS]}"
RUNS="${2:-5}"
if [ -d "$TARGET" ]; then BIN="$(cd "$TARGET" && pwd)/lectern"; else BIN="$TARGET"; fi
command -v xdotool >/dev/null || { echo "measure_start: needs xdotool (apt-get install xdotool)" >&2; exit 1; }

WORK="$(mktemp -d /tmp/lectern-start.XXXXXX)"
XVFB_PID=""
cleanup() { [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share"
export XDG_CACHE_HOME="$WORK/home/.cache" LECTERN_LIBRARY="$WORK/library"
mkdir -p "$HOME"
unset QT_QPA_PLATFORM QT_QPA_PLATFORMTHEME WAYLAND_DISPLAY

Xvfb -displayfd 3 -screen 0 1440x900x24 -nolisten tcp -noreset 3>"$WORK/display" 2>/dev/null &
XVFB_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/display" ] && break; sleep 0.05; done
DISPLAY=":$(tr -d "[:space:]" <"$WORK/display")"
export DISPLAY

SAMPLE="$(dirname "$0")/../resources/sample"
env -u DISPLAY "$BIN" import "$SAMPLE/sample.bib" "$SAMPLE/daily-papers.txt" >/dev/null 2>&1

one_start() {  # prints milliseconds from exec to the mapped main window
  local start end pid
  start=$(date +%s%N)
  "$BIN" >"$WORK/app.log" 2>&1 &
  pid=$!
  until xdotool search --onlyvisible --name '^Lectern — ' >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "measure_start: the app exited:" >&2; cat "$WORK/app.log" >&2; exit 1; }
    sleep 0.01
  done
  end=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo $(((end - start) / 1000000))
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

can_drop=0
if [ "$(id -u)" = 0 ] && sync && echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then can_drop=1; fi
if [ "$can_drop" = 1 ]; then
  cold=()
  for _ in $(seq 1 "$RUNS"); do
    sync; echo 3 >/proc/sys/vm/drop_caches
    cold+=("$(one_start)")
  done
  echo "cold (page cache dropped) ms: ${cold[*]}  median $(printf '%s\n' "${cold[@]}" | median)"
else
  echo "cold: skipped (dropping the page cache needs root)"
fi
one_start >/dev/null
warm=()
for _ in $(seq 1 "$RUNS"); do warm+=("$(one_start)"); done
echo "warm ms: ${warm[*]}  median $(printf '%s\n' "${warm[@]}" | median)"
