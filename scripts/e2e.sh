#!/usr/bin/env bash
# End-to-end smoke test of the real binary: the counter window in training mode under Xvfb,
# driven by xdotool the way a keyboard-wedge scanner types, checked through the CLI.
#
#   1. a valid code (100000000001) → card panel → Enter → redeemed
#   2. an already-used code (200000000001) → refused
#   3. the emulator's network switched off, a valid code (100000000002) → Enter → queued offline
#
# Screenshots of each step go to .ci/artifacts/e2e/. Exits non-zero if any step is not as expected.
set -euo pipefail

BIN=${1:-bin/cardpos}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
ART=${E2E_ARTIFACTS:-$(pwd)/.ci/artifacts/e2e}
mkdir -p "$ART"
rm -f "$ART"/*.png
DATA=$(mktemp -d /tmp/cardpos-e2e.XXXXXX)
DEMO="$DATA/demo"
LOG="$ART/cardpos-gui.log"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -f "$DEMO/logs/cardpos.log" ] && cp "$DEMO/logs/cardpos.log" "$ART/cardpos.log" || true
  rm -rf "$DATA"
}
trap cleanup EXIT

fail() { echo "e2e: FAIL: $*" >&2; exit 1; }
step() { echo "e2e: $*"; }

# A display of our own.
disp=:$(( 90 + RANDOM % 100 ))
Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
export DISPLAY=$disp
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done 2>/dev/null || true

shot() { import -window "${wid:-root}" "$ART/$1.png" 2>/dev/null || fail "screenshot $1"; step "screenshot $1.png"; }

export CARDPOS_LANG=${CARDPOS_LANG:-zh-CN}
"$BIN" --demo --data "$DATA" >"$LOG" 2>&1 &
gui=$!
pids+=($gui)

# The window.
wid=""
for _ in $(seq 120); do
  wid=$(xdotool search --onlyvisible --pid "$gui" 2>/dev/null | head -1 || true)
  [ -n "$wid" ] && break
  kill -0 "$gui" 2>/dev/null || { cat "$LOG" >&2; fail "the GUI exited before showing a window"; }
  sleep 0.25
done
[ -n "$wid" ] || fail "no window appeared within 30 s"
step "window $wid: $(xdotool getwindowname "$wid")"
for _ in $(seq 80); do [ -f "$DEMO/sim.json" ] && break; sleep 0.25; done
[ -f "$DEMO/sim.json" ] || fail "the training emulator did not start (no $DEMO/sim.json)"
control=$(sed -n 's/.*"control":"\([^"]*\)".*/\1/p' "$DEMO/sim.json")
sleep 1.5
shot 01-ready

cli() { "$BIN" --demo --data "$DATA" "$@"; }

# state CODE: the journal state of the newest row for CODE.
state() {
  cli history --since all --json | grep "\"code\":\"$1\"" | tail -1 | sed -n 's/.*"state":"\([^"]*\)".*/\1/p'
}
wait_state() { # CODE WANT
  for _ in $(seq 60); do
    [ "$(state "$1")" = "$2" ] && return 0
    sleep 0.25
  done
  fail "code $1: journal state is '$(state "$1")', want '$2'"
}

scan() { # type a code as a wedge scanner does: fast keys, then Enter
  xdotool windowactivate --sync "$wid" 2>/dev/null || xdotool windowfocus "$wid" 2>/dev/null || true
  xdotool type --window "$wid" --delay 8 "$1"
  xdotool key --window "$wid" Return
}
enter() { xdotool key --window "$wid" Return; }

step "1. valid code"
scan 100000000001
sleep 1.5
shot 02-card-panel
enter
wait_state 100000000001 redeemed
sleep 0.5
shot 03-redeemed
consumes=$(curl -fsS "$control/consumes" || true)
echo "$consumes" | grep -q '"100000000001":1' || fail "emulator did not count one consume of 100000000001: $consumes"
sleep 2.5

step "2. already-used code"
scan 200000000001
wait_state 200000000001 rejected
sleep 0.5
shot 04-refused-used
enter
sleep 0.5

step "3. network down, valid code"
curl -fsS -X PUT -H 'Content-Type: application/json' -d '{"down":true}' "$control/faults" >/dev/null || fail "could not switch the emulator's network off"
scan 100000000002
sleep 5
shot 05-offline-panel
enter
wait_state 100000000002 queued
sleep 0.5
shot 06-queued

step "4. manager area behind the PIN (the demo shop's one manager, 店长, is filled in)"
xdotool key --window "$wid" F8
sleep 1
xdotool type --window "$wid" --delay 30 1234
xdotool key --window "$wid" Return
sleep 2
shot 07-manager-catalog

cli queue --json >"$ART/queue.json" || [ $? -eq 3 ] || fail "cardpos queue failed"
grep -q '"code":"100000000002"' "$ART/queue.json" || fail "100000000002 is not in the queue"
cli history --since all --json >"$ART/history.json"
step "journal:"
cat "$ART/history.json"

kill -TERM "$gui"
rc=0
wait "$gui" || rc=$?
[ $rc -eq 0 ] || { tail -30 "$LOG" >&2; fail "the window did not close cleanly on SIGTERM (exit $rc)"; }
step "window closed cleanly on SIGTERM"
step "PASS (screenshots in $ART)"
