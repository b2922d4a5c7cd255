#!/bin/sh
# make bench: replays generated traces (fixed seeds) with logging off and
# prints references per second and peak RSS, to show throughput and that
# memory does not grow with trace length.
#   tests/bench.sh MMSIM GENTRACE
#
# Two workloads on a 65536-page (256 MiB) machine under reclaim.policy lru:
#  - mixed: four 16384-page hot anon sets and a sequential read cycling over
#    a 262144-page file. Constant reclaim and refaults: 70% of references
#    fault and every fault evicts a page. Memory grows with the pages the
#    machine holds and the shadow entries it keeps (at most 8 per page,
#    kernel-model §5.5), which this workload reaches within its first
#    million rows; after that peak RSS stays flat however long the trace.
#  - hits: uniform references over four 8192-page anon sets, which fit:
#    after the first 32768 faults every reference is an LRU hit. The cost
#    of reading a row and finding its page, without the fault path.
# refs/s is rows over the replay's CPU time (user + sys) on one core; the
# wall-clock time is shown too, and exceeds it when the machine is shared.
set -eu
mmsim=$1
gentrace=$2
dir=${TMPDIR:-/tmp}/mmsim-bench.$$
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT INT TERM

pages=65536
policy=lru
echo "bench: memory.pages=$pages, reclaim.policy=$policy, log off"
printf '%-8s %-10s %8s %8s %12s %14s %12s\n' workload rows "cpu s" "wall s" \
	"refs/s" "peak RSS KiB" "pgfault"

# bench_one NAME ROWS GENTRACE-ARGS...
bench_one() {
	name=$1 rows=$2
	shift 2
	"$gentrace" --rows "$rows" --seed 42 "$@" > "$dir/t.csv"
	/usr/bin/time -f '%U %S %e %M' -o "$dir/time" \
		"$mmsim" run "$dir/t.csv" --config configs/default.json \
		--set memory.pages=$pages --set reclaim.policy=$policy \
		--summary "$dir/sum.json" --quiet
	set -- $(cat "$dir/time")
	cpu=$(awk -v u="$1" -v s="$2" 'BEGIN { printf "%.2f", u + s }')
	wall=$3 rss=$4
	faults=$(sed -n 's/^ *"pgfault": \([0-9]*\).*/\1/p' "$dir/sum.json")
	rate=$(awk -v r="$rows" -v s="$cpu" \
		'BEGIN { if (s > 0) printf "%.0f", r / s; else print "inf" }')
	printf '%-8s %-10s %8s %8s %12s %14s %12s\n' "$name" "$rows" "$cpu" \
		"$wall" "$rate" "$rss" "$faults"
	rm -f "$dir/t.csv"
}

for rows in 1000000 10000000; do
	bench_one mixed $rows --hot 16384 --file-pages 262144
done
for rows in 1000000 10000000; do
	bench_one hits $rows --hot 8192 --pattern random
done
