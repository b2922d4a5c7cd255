#!/bin/sh
# End-to-end tests of the mmsim command line: every test runs build/mmsim
# (and the ASan build) as a user would and checks exit status, messages and
# outputs. Prints one line per test and a final "N passed, N failed".
#   tests/e2e/run.sh build/mmsim
set -u
MMSIM=${1:-build/mmsim}
ASAN=build/asan/mmsim
GEN=build/tools/gentrace
PY=/usr/bin/python3
T=$(mktemp -d "${TMPDIR:-/tmp}/mmsim-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; [ -f "$T/err" ] && sed 's/^/     /' "$T/err" | head -5; }

# expect_fail NAME STATUS PATTERN CMD...: CMD exits STATUS and stderr matches PATTERN.
expect_fail() {
	name=$1 want=$2 pat=$3
	shift 3
	"$@" >"$T/out" 2>"$T/err"
	st=$?
	if [ "$st" -eq "$want" ] && grep -Eq -- "$pat" "$T/err"; then ok "$name"; else
		echo "     exit $st (want $want), stderr:" >>"$T/err"; ko "$name"; fi
}

# json_get FILE EXPR: evaluates a Python expression on the JSON object j.
json_get() { "$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

SAMPLE=traces/sample.csv
# The demo machine: 160 MiB, the memory cgroup limit the sample ran under.
DEMO="--set memory.pages=40960"

# --- the demo path
if "$MMSIM" run "$SAMPLE" --config configs/default.json $DEMO >"$T/out" 2>"$T/err" &&
   grep -q "pgfault" "$T/out"; then ok "demo replay prints a table"; else ko "demo replay prints a table"; fi

"$MMSIM" run "$SAMPLE" $DEMO --log "$T/a.log" --summary "$T/a.json" --quiet 2>"$T/err"
"$MMSIM" run "$SAMPLE" $DEMO --log "$T/b.log" --summary "$T/b.json" --quiet 2>>"$T/err"
if cmp -s "$T/a.log" "$T/b.log" && cmp -s "$T/a.json" "$T/b.json"; then ok "deterministic log and summary"; else ko "deterministic log and summary"; fi

if "$PY" tests/validate_log.py "$T/a.log" >"$T/err" 2>&1; then ok "log validates against docs/log-schema.json"; else ko "log validates against docs/log-schema.json"; fi

if [ "$(json_get "$T/a.json" 'j["complete"]')" = "True" ] &&
   [ "$(json_get "$T/a.json" 'j["trace"]["rows"] > 0 and j["vmstat"]["pgfault"] > 0 and j["vmstat"]["kswapd_wake"] > 0 and j["vmstat"]["workingset_refault_file"] > 0')" = "True" ]; then
	ok "summary complete with counters"; else ko "summary complete with counters"; fi

cat "$SAMPLE" | "$MMSIM" run - $DEMO --summary "$T/c.json" --quiet 2>"$T/err"
if cmp -s "$T/a.json" "$T/c.json"; then ok "stdin gives the same summary"; else ko "stdin gives the same summary"; fi

cat "$SAMPLE" | "$MMSIM" run - $DEMO --set reclaim.policy=opt --summary "$T/opt.json" --quiet 2>"$T/err"
"$MMSIM" run "$SAMPLE" $DEMO --set reclaim.policy=lru --summary "$T/lru.json" --quiet 2>>"$T/err"
if [ "$(json_get "$T/opt.json" 'j["vmstat"]["pgfault"]')" -le "$(json_get "$T/lru.json" 'j["vmstat"]["pgfault"]')" ]; then
	ok "opt from stdin faults no more than lru"; else ko "opt from stdin faults no more than lru"; fi

# --- bad input: exit 2 with a message naming the place
printf 'time_ns,op,pid,addr\n0,access,1,0x1000\n5,access,x,0x2000\n' >"$T/bad.csv"
expect_fail "non-number names file, line and column" 2 "bad.csv:3: column 3 \(pid\)" "$MMSIM" run "$T/bad.csv"
printf 'time_ns,op,pid,addr\n9,access,1,0x1000\n5,access,1,0x2000\n' >"$T/back.csv"
expect_fail "time going backwards" 2 "back.csv:3" "$MMSIM" run "$T/back.csv"
printf 'time_ns,op,pid,addr\n0,fly,1,0x1000\n' >"$T/op.csv"
expect_fail "unknown op" 2 "op.csv:2" "$MMSIM" run "$T/op.csv"
printf 'time_ns,op,pid,addr\n0,access,1\n' >"$T/short.csv"
expect_fail "short row names the missing column" 2 "short.csv:2: .*addr" "$MMSIM" run "$T/short.csv"
printf 'time_ns,op,pid,addr\n0,access,-1,0x1000\n' >"$T/neg.csv"
expect_fail "negative number" 2 "neg.csv:2: column 3 \(pid\)" "$MMSIM" run "$T/neg.csv"
printf 'time_ns,op,pid,addr\n99999999999999999999,access,1,0x1000\n' >"$T/ovf.csv"
expect_fail "overflowing number" 2 "ovf.csv:2: column 1 \(time_ns\)" "$MMSIM" run "$T/ovf.csv"
printf 'time_ns,op,pid,addr\n0,access,1,"0x1000\n' >"$T/quote.csv"
expect_fail "unterminated quote" 2 "quote.csv:2" "$MMSIM" run "$T/quote.csv"
printf 'time_ns,op,pid\n0,access,1\n' >"$T/nocol.csv"
expect_fail "missing required column" 2 "nocol.csv.*addr" "$MMSIM" run "$T/nocol.csv"
printf 'time_ns,op\000pid,addr\n' >"$T/bin.csv"
expect_fail "a file that is not text" 2 "bin.csv" "$MMSIM" run "$T/bin.csv"
: >"$T/empty.csv"
expect_fail "empty trace" 2 "empty" "$MMSIM" run "$T/empty.csv"
expect_fail "missing trace file" 2 "nonexistent.csv" "$MMSIM" run "$T/nonexistent.csv"
printf 'time_ns,op,pid,addr\n0,access,1,0x1000\n5,access,x,0x2000\n6,access,1,0x3000\n' >"$T/skip.csv"
if "$MMSIM" run "$T/skip.csv" --skip-bad-rows --summary "$T/skip.json" --quiet 2>"$T/err" &&
   [ "$(json_get "$T/skip.json" 'j["trace"]["bad_rows_skipped"]')" = 1 ] && grep -q "skipped 1" "$T/err"; then
	ok "--skip-bad-rows counts and warns"; else ko "--skip-bad-rows counts and warns"; fi
printf '{"reclaim": {"swappiness": 300}}\n' >"$T/cfg.json"
expect_fail "config out of range names the JSON path" 2 "cfg.json: reclaim.swappiness" "$MMSIM" run "$SAMPLE" --config "$T/cfg.json"
printf '{"reclaim": {"swapines": 3}}\n' >"$T/cfg2.json"
expect_fail "unknown config key" 2 "reclaim.swapines" "$MMSIM" run "$SAMPLE" --config "$T/cfg2.json"
expect_fail "--set error names the argument" 2 "memory.pages=lots" "$MMSIM" run "$SAMPLE" --set memory.pages=lots
expect_fail "unknown policy lists the known ones" 2 "reclaim.policy.*lru" "$MMSIM" run "$SAMPLE" --set reclaim.policy=nope
expect_fail "unknown option" 2 "unknown option" "$MMSIM" run "$SAMPLE" --frobnicate
if [ -z "$(ls "$T" | grep '\.part$')" ]; then ok "no .part files left by failures"; else ko "no .part files left by failures"; fi

# --- an interrupted run leaves complete records and says how far it got
"$GEN" --rows 100000000 --seed 7 | "$MMSIM" run - --log "$T/int.log" --summary "$T/int.json" --set log.events=watermark 2>"$T/err" &
pid=$!
sleep 1
kill -INT $pid
wait $pid
st=$?
if [ $st -eq 130 ] && [ "$(json_get "$T/int.json" 'j["complete"]')" = "False" ] &&
   grep -q "interrupted after" "$T/err" && "$PY" tests/validate_log.py "$T/int.log" >/dev/null 2>&1; then
	ok "SIGINT: exit 130, complete=false, valid log"; else echo "     exit $st" >>"$T/err"; ko "SIGINT: exit 130, complete=false, valid log"; fi

# --- the sanitizer build replays the sample cleanly
if [ -x "$ASAN" ]; then
	if "$ASAN" run "$SAMPLE" $DEMO --log "$T/asan.log" --summary "$T/asan.json" --quiet 2>"$T/err" &&
	   cmp -s "$T/asan.json" "$T/a.json"; then ok "ASan/UBSan build: clean and same summary"; else ko "ASan/UBSan build: clean and same summary"; fi
fi

echo "e2e: $pass passed, $fail failed"
[ $fail -eq 0 ]
