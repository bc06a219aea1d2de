#!/usr/bin/env bash
# Figures for the counter window under Xvfb: window-ready time from a cold start (process start
# to a visible window, training mode, fresh data folder), and resident memory with and without
# the camera preview (F2) running on a test video source.
#   scripts/bench-gui.sh [bin/cardpos] [CAMERA_FILE]
set -euo pipefail
BIN=${1:-bin/cardpos}
CAM=${2:-testdata/barcodes/zxing-qrcode-1-1.png}
ROUNDS=${ROUNDS:-5}
disp=:$(( 190 + RANDOM % 50 ))
Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
export DISPLAY=$disp LANG=${LANG:-C.UTF-8}
sleep 1

ms() { date +%s%3N; }
rss() { awk '/VmRSS/ {print $2/1024 " MiB"}' "/proc/$1/status"; }

echo "window-ready (ms), $ROUNDS cold starts:"
for i in $(seq "$ROUNDS"); do
  data=$(mktemp -d)
  t0=$(ms)
  "$BIN" --demo --data "$data" --camera "$CAM" >/dev/null 2>&1 &
  pid=$!
  until xdotool search --onlyvisible --pid "$pid" >/dev/null 2>&1; do sleep 0.01; done
  t1=$(ms)
  echo "  $((t1 - t0))"
  if [ "$i" = "$ROUNDS" ]; then
    sleep 3
    wid=$(xdotool search --onlyvisible --pid "$pid" | head -1)
    echo "RSS idle at the counter: $(rss "$pid")"
    xdotool key --window "$wid" F2
    sleep 8
    echo "RSS with the camera preview on for 8 s: $(rss "$pid")"
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
done
