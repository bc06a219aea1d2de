#!/usr/bin/env bash
# Crash harness on the real binary: `cardpos redeem` and `cardpos sync` are killed with SIGKILL at
# random points against `cardpos sim` (whose state survives in a file), for ROUNDS rounds (50 by
# default). After every kill the next command opens the database (quick_check runs at every
# start) and the emulator's counters are read: no code may be consumed twice. At the end the
# queue must drain, and every redemption a command acknowledged (exit 0 redeemed, exit 3 queued)
# must be redeemed, consumed exactly once at the emulator.
#   scripts/crash.sh [bin/cardpos]
set -euo pipefail
BIN=${1:-bin/cardpos}
ROUNDS=${ROUNDS:-50}
DIR=$(mktemp -d /tmp/cardpos-crash.XXXXXX)
simpid=
trap '[ -n "$simpid" ] && kill $simpid 2>/dev/null; rm -rf "$DIR"' EXIT
fail() { echo "crash: FAIL: $*" >&2; exit 1; }

"$BIN" sim --seed demo --state "$DIR/sim-state.json" >"$DIR/sim.out" 2>"$DIR/sim.err" &
simpid=$!
for _ in $(seq 100); do [ -s "$DIR/sim.out" ] && break; sleep 0.05; done
line=$(head -1 "$DIR/sim.out")
field() { echo "$line" | sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }
export CARDPOS_API_BASE=$(field api_base) CARDPOS_APPID=$(field appid) CARDPOS_SECRET=$(field secret)
export CARDPOS_DATA="$DIR/till" CARDPOS_LANG=en
control=$(field control)
faults() { curl -fsS -X PUT -H 'Content-Type: application/json' -d "$1" "$control/faults" >/dev/null; }

# Warm the catalog so offline previews know the cards.
"$BIN" cards --refresh >/dev/null

codes=(100000000001 100000000002 100000000003 100000000004 100000000005 100000000006 100000000007
  100000000008 300000000001 300000000002 300000000003)
acked=()   # codes a command acknowledged as redeemed or queued

check_no_double() {
  local c n
  c=$(curl -fsS "$control/consumes")
  for code in "${codes[@]}"; do
    n=$(echo "$c" | sed -n "s/.*\"$code\":\\([0-9]*\\).*/\\1/p")
    [ -z "$n" ] || [ "$n" -le 1 ] || fail "$code consumed $n times at the emulator"
  done
}
check_db() { # the next command opens the database: quick_check, migrations, journal readable
  local rc=0
  "$BIN" queue --json >/dev/null 2>"$DIR/q.err" || rc=$?
  [ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "database after a kill: exit $rc: $(cat "$DIR/q.err")"
}
kill_after() { # PID MS
  sleep "$(awk -v ms="$2" 'BEGIN { printf "%.3f", ms / 1000 }')"
  kill -KILL "$1" 2>/dev/null || true
}

round=0 killed=0
# Phase 1: redeems killed mid-flight (slow network, some answers lost after the consume applied).
for i in 0 1 2 3 4; do
  code=${codes[$i]}
  if [ $((i % 2)) = 0 ]; then faults '{"latency_ms":40,"drop_after_consume":1}'; else faults '{"latency_ms":60}'; fi
  "$BIN" redeem --json "$code" >"$DIR/out" 2>/dev/null &
  pid=$!
  kill_after $pid $((RANDOM % 150)) &
  killer=$!
  rc=0; wait $pid || rc=$?
  wait $killer 2>/dev/null || true
  round=$((round + 1))
  case $rc in
    0|3) acked+=("$code") ;;
    137) killed=$((killed + 1)) ;;
  esac
  faults '{}'
  check_db; check_no_double
done

# Phase 2: redemptions queued offline, then `cardpos sync` killed over and over while it drains.
faults '{"down":true}'
for code in "${codes[@]:5}"; do
  rc=0; "$BIN" redeem --json "$code" >/dev/null 2>&1 || rc=$?
  [ $rc -eq 3 ] || fail "offline redeem of $code: exit $rc, want 3 (queued)"
  acked+=("$code")
done
while [ $round -lt "$ROUNDS" ]; do
  if [ $((round % 3)) = 0 ]; then faults '{"latency_ms":150,"drop_after_consume":1}'; else faults '{"latency_ms":150}'; fi
  "$BIN" sync --json >/dev/null 2>&1 &
  pid=$!
  kill_after $pid $((RANDOM % 250)) &
  killer=$!
  rc=0; wait $pid || rc=$?
  wait $killer 2>/dev/null || true
  [ $rc -eq 137 ] && killed=$((killed + 1))
  round=$((round + 1))
  check_db; check_no_double
done

# The end: the queue drains, and every acknowledged redemption is redeemed exactly once.
faults '{}'
for _ in $(seq 20); do
  rc=0; "$BIN" sync >/dev/null 2>&1 || rc=$?
  [ $rc -eq 0 ] && break
  sleep 0.5
done
[ $rc -eq 0 ] || fail "the queue did not drain (sync exit $rc): $("$BIN" queue 2>&1)"
hist=$("$BIN" history --since all --json)
consumes=$(curl -fsS "$control/consumes")
for code in "${acked[@]}"; do
  st=$(echo "$hist" | grep "\"code\":\"$code\"" | grep -c '"state":"redeemed"' || true)
  [ "$st" -ge 1 ] || fail "acknowledged $code is not redeemed: $(echo "$hist" | grep "\"code\":\"$code\"")"
  n=$(echo "$consumes" | sed -n "s/.*\"$code\":\\([0-9]*\\).*/\\1/p")
  [ "$n" = 1 ] || fail "acknowledged $code consumed ${n:-0} times at the emulator, want 1"
done
check_no_double
echo "crash: PASS: $round rounds, $killed processes killed with SIGKILL, ${#acked[@]} acknowledged redemptions all redeemed once"
