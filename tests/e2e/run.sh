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

# --- kernel allocations of a real capture, both placement modes, from the snapshot before it
S=traces/samples
# Every real sample excerpt replays to the end with the default config,
# read directly as perf script text.
for f in traces/samples/*.txt.xz; do
	n=$(basename "$f" .txt.xz)
	if xzcat "$f" | "$MMSIM" run - --summary "$T/sample.json" --quiet 2>"$T/err" &&
	   [ "$(json_get "$T/sample.json" 'j["complete"] and j["trace"]["rows"] > 0')" = "True" ]; then
		ok "sample $n replays to the end (default config)"; else ko "sample $n replays to the end (default config)"; fi
done
AS="$S/alloc-sort-216MB"
SNAP="--config configs/sample-machine.json --set placement.initial=snapshot --set placement.pagetypeinfo=$AS.pagetypeinfo.before"
for mode in simulate trace; do
	xzcat "$AS.head5000.txt.xz" | "$MMSIM" run - $SNAP --set placement.mode=$mode \
		--log "$T/as-$mode.log" --summary "$T/as-$mode.json" --quiet 2>"$T/err"
	if [ "$(json_get "$T/as-$mode.json" 'j["complete"] and j["trace"]["rows"] == 5000 and j["trace"]["rows_by_op"]["alloc"] == 4896')" = "True" ] &&
	   [ "$(json_get "$T/as-$mode.json" 'j["trace"]["free_unknown_pfn"] > 0 and j["allocations"]["fail"] == [0] * 11')" = "True" ] &&
	   "$PY" tests/validate_log.py "$T/as-$mode.log" >>"$T/err" 2>&1; then
		ok "alloc-sort excerpt replays to the end, placement.mode=$mode"; else ko "alloc-sort excerpt replays to the end, placement.mode=$mode"; fi
done
if [ "$(json_get "$T/as-trace.json" 'j["placement"]["alloc_at_pfn"] == 4896 and j["placement"]["pretrace_displaced"] > 0')" = "True" ] &&
   [ "$(json_get "$T/as-simulate.json" 'j["placement"]["alloc_at_pfn"] == 0')" = "True" ]; then
	ok "trace mode lands every allocation on its recorded pfn"; else ko "trace mode lands every allocation on its recorded pfn"; fi
# The first frag sample of each zone is the capture's /proc/buddyinfo, count for count.
if "$PY" - "$T/as-trace.log" "$AS.buddyinfo.before" <<'PYEOF' 2>"$T/err"
import json, sys
first = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["ev"] == "frag" and r["zone"] not in first:
        first[r["zone"]] = r["free_blocks"]
for line in open(sys.argv[2]):
    w = line.split()
    zone, counts = w[3], [int(x) for x in w[4:]]
    assert first[zone] == counts, (zone, first[zone], counts)
PYEOF
then ok "snapshot reproduces the capture's buddyinfo"; else ko "snapshot reproduces the capture's buddyinfo"; fi
# The compaction capture's excerpt, with `echo 1 > compact_memory` at its start.
CF="$S/compaction-frag512M"
xzcat "$CF.head8000.txt.xz" | "$MMSIM" run - --config configs/sample-machine.json --set placement.mode=trace \
	--set placement.initial=snapshot --set placement.pagetypeinfo=$CF.pagetypeinfo.before \
	--set compaction.compact_memory_ms=0 --log "$T/cf.log" --summary "$T/cf.json" --quiet 2>"$T/err"
if [ "$(json_get "$T/cf.json" 'j["complete"] and j["compaction"]["runs"]["manual"] == 3 and j["vmstat"]["pgmigrate_success"] > 0')" = "True" ] &&
   [ "$(grep -c '"ev":"mm_compaction_end".*"trigger":"manual"' "$T/cf.log")" = 3 ] &&
   "$PY" tests/validate_log.py "$T/cf.log" >>"$T/err" 2>&1; then
	ok "compaction excerpt: manual compaction of every zone, valid log"; else ko "compaction excerpt: manual compaction of every zone, valid log"; fi
xzcat "$CF.head8000.txt.xz" | "$MMSIM" run - --config configs/sample-machine.json --set placement.mode=trace \
	--set placement.initial=snapshot --set placement.pagetypeinfo=$CF.pagetypeinfo.before \
	--set compaction.compact_memory_ms=0 --log "$T/cf2.log" --summary "$T/cf2.json" --quiet 2>>"$T/err"
if cmp -s "$T/cf.log" "$T/cf2.log" && cmp -s "$T/cf.json" "$T/cf2.json"; then
	ok "compaction runs are deterministic"; else ko "compaction runs are deterministic"; fi
expect_fail "a snapshot that does not fit names the file and zone" 2 "alloc-sort-216MB.pagetypeinfo.before: zone Normal: got 2112 pageblocks" \
	"$MMSIM" run "$SAMPLE" --set placement.initial=snapshot --set placement.pagetypeinfo=$AS.pagetypeinfo.before

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

# --- mmsim compare: the json holds exactly the summaries single runs write
"$MMSIM" compare "$SAMPLE" $DEMO --vary reclaim.policy=lru,fifo --format json -o "$T/cmp.json" --quiet 2>"$T/err"
st=$?
"$MMSIM" run "$SAMPLE" $DEMO --set reclaim.policy=lru --summary "$T/cmp-lru.json" --quiet 2>>"$T/err"
"$MMSIM" run "$SAMPLE" $DEMO --set reclaim.policy=fifo --summary "$T/cmp-fifo.json" --quiet 2>>"$T/err"
if [ $st -eq 0 ] && "$PY" -c '
import json, sys
doc = json.load(open(sys.argv[1]))
names = [c["name"] for c in doc["configs"]]
assert names == ["policy=lru", "policy=fifo"], names
for c, f in zip(doc["configs"], sys.argv[2:]):
    assert c["summary"] == json.load(open(f)), c["name"]
' "$T/cmp.json" "$T/cmp-lru.json" "$T/cmp-fifo.json" 2>>"$T/err"; then
	ok "compare json: the summaries of single runs, in the order given"; else ko "compare json: the summaries of single runs, in the order given"; fi

"$MMSIM" compare --from "$T/cmp.json" --format csv -o "$T/cmp.csv" 2>"$T/err"
if "$PY" -c '
import csv, json, sys
doc = json.load(open(sys.argv[1]))
rows = {r[1]: r for r in csv.reader(open(sys.argv[2]))}
for i, c in enumerate(doc["configs"]):
    v = c["summary"]["vmstat"]
    for k in ("pgscan_kswapd", "pgsteal_direct", "workingset_refault_file", "kswapd_wake"):
        assert int(rows[k][2 + 2 * i if i else 3]) == v[k], (c["name"], k)
' "$T/cmp.json" "$T/cmp.csv" 2>>"$T/err"; then
	ok "compare csv: the table's numbers are the summaries'"; else ko "compare csv: the table's numbers are the summaries'"; fi

printf '{"reclaim": {"swappiness": 300}}\n' >"$T/bad-cfg.json"
"$MMSIM" compare "$SAMPLE" $DEMO --config configs/default.json --config "$T/bad-cfg.json" -o "$T/cmp.txt" --quiet 2>"$T/err"
st=$?
if [ $st -eq 2 ] && grep -q "bad-cfg.json: .*reclaim.swappiness" "$T/err" &&
   grep -q "failed: bad-cfg.json" "$T/cmp.txt" && grep -q "^  pgscan_kswapd" "$T/cmp.txt"; then
	ok "compare: a bad config is named, exit 2, the others still shown"; else echo "     exit $st" >>"$T/err"; ko "compare: a bad config is named, exit 2, the others still shown"; fi
cat "$SAMPLE" | "$MMSIM" compare - $DEMO --vary reclaim.policy=lru,fifo --format json -o "$T/cmp-stdin.json" --quiet 2>"$T/err"
if cmp -s "$T/cmp.json" "$T/cmp-stdin.json"; then ok "compare from stdin: the same document"; else ko "compare from stdin: the same document"; fi
expect_fail "compare: --vary without values" 2 "expected KEY=V1,V2" "$MMSIM" compare "$SAMPLE" --vary reclaim.policy

# --- analysis scripts write valid PNGs (signature, IHDR, non-empty image)
png_ok() {
	"$PY" -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
w, h = struct.unpack(">II", d[16:24])
sys.exit(0 if d[:8] == b"\x89PNG\r\n\x1a\n" and d[12:16] == b"IHDR" and w > 100 and h > 100 else 1)
' "$1" 2>/dev/null
}
"$GEN" --rows 20000 --hot 3000 --file-pages 8000 --seed 3 >"$T/small.csv"
"$MMSIM" run "$T/small.csv" --set memory.pages=2048 --log "$T/small.log" --quiet >/dev/null 2>"$T/err"
for s in timeline refaults; do
	rm -f "$T/plots/$s.png"
	if "$PY" analysis/$s.py "$T/small.log" -o "$T/plots" >"$T/out" 2>"$T/err" && png_ok "$T/plots/$s.png"; then
		ok "analysis/$s.py writes a PNG"; else ko "analysis/$s.py writes a PNG"; fi
done
# frag.py on a hand-written log with frag and compaction events (any build)
{
	echo '{"t":0,"ev":"header","schema_version":1,"mmsim":"0.1","trace_format":"csv","config":{"reclaim":{"policy":"lru","swappiness":60},"memory":{"pages":4096},"machine":{"zones":[{"zone":"Normal","min":20,"low":25,"high":30,"managed_pages":4096}]}}}'
	t=0
	for u in 0.000 0.125 0.500 0.875 1.000; do
		t=$((t + 1000000))
		echo "{\"t\":$t,\"ev\":\"frag\",\"nid\":0,\"zone\":\"Normal\",\"why\":\"timer\",\"free_pages\":900,\"free_blocks\":[4,2,1,1,1,1,1,1,0,0,0],\"unusable_index\":[0.000,0.004,0.009,0.018,0.036,0.071,0.142,0.284,0.569,$u,1.000],\"extfrag_index\":[-1.000,-1.000,-1.000,-1.000,-1.000,-1.000,-1.000,-1.000,-1.000,0.944,0.972],\"score\":$((t / 100000)),\"node_score\":$((t / 100000))}"
	done
	echo '{"t":5500000,"ev":"mm_compaction_begin","zone_start":0,"migrate_pfn":0,"free_pfn":4095,"zone_end":4096,"mode":"sync","nid":0,"zone":"Normal","order":9,"trigger":"direct","pid":7}'
	echo '{"t":5500000,"ev":"mm_compaction_end","zone_start":0,"migrate_pfn":512,"free_pfn":3584,"zone_end":4096,"mode":"sync","status":"success","nid":0,"zone":"Normal","order":9,"trigger":"direct","pid":7,"migrate_scanned":512,"free_scanned":512,"isolated":40,"migrated":40,"failed":0,"duration_ns":300000}'
	echo '{"t":6000000,"ev":"an_event_from_the_future","x":1}'
} >"$T/frag.log"
if "$PY" analysis/frag.py "$T/frag.log" -o "$T/plots" >"$T/out" 2>"$T/err" && png_ok "$T/plots/frag-Normal.png"; then
	ok "analysis/frag.py writes a PNG"; else ko "analysis/frag.py writes a PNG"; fi
if [ "$(json_get "$T/a.json" '"frag" in j')" = "False" ]; then
	expect_fail "analysis/frag.py: no frag events, exit 1 and why" 1 "no frag events" "$PY" analysis/frag.py "$T/small.log" -o "$T/plots-none"
	[ ! -d "$T/plots-none" ] && ok "analysis/frag.py: nothing written without frag events" || ko "analysis/frag.py: nothing written without frag events"
fi
if "$PY" analysis/compare.py "$T/cmp.json" -o "$T/plots" >"$T/out" 2>"$T/err" &&
   png_ok "$T/plots/compare.png" && png_ok "$T/plots/compare-relative.png"; then
	ok "analysis/compare.py writes two PNGs"; else ko "analysis/compare.py writes two PNGs"; fi
printf '{"t":0,"ev":"watermark"}\n' >"$T/nohdr.log"
expect_fail "analysis: a log without its header is refused" 2 "nohdr.log:1: .*header" "$PY" analysis/timeline.py "$T/nohdr.log" -o "$T/plots"

# --- the sanitizer build replays the sample cleanly
if [ -x "$ASAN" ]; then
	if "$ASAN" run "$SAMPLE" $DEMO --log "$T/asan.log" --summary "$T/asan.json" --quiet 2>"$T/err" &&
	   cmp -s "$T/asan.json" "$T/a.json"; then ok "ASan/UBSan build: clean and same summary"; else ko "ASan/UBSan build: clean and same summary"; fi
fi

if [ -x "$ASAN" ]; then
	if "$ASAN" compare "$SAMPLE" $DEMO --vary reclaim.policy=lru,fifo --format json -o "$T/asan-cmp.json" --quiet 2>"$T/err" &&
	   cmp -s "$T/asan-cmp.json" "$T/cmp.json"; then ok "ASan/UBSan build: compare clean and the same document"; else ko "ASan/UBSan build: compare clean and the same document"; fi
fi

echo "e2e: $pass passed, $fail failed"
[ $fail -eq 0 ]
