#!/bin/sh
# make bench: replays generated 1M- and 10M-reference traces (fixed seed)
# with logging off and prints references per second and peak RSS, to show
# throughput and that memory does not grow with trace length.
#   tests/bench.sh MMSIM GENTRACE
set -eu
mmsim=$1
gentrace=$2
dir=${TMPDIR:-/tmp}/mmsim-bench.$$
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT INT TERM

# 65536 pages (256 MiB) of simulated RAM against four 16384-page hot anon
# sets and a sequential read cycling over a 262144-page file: constant
# reclaim and refaults. Memory grows with the pages the machine holds and
# the shadow entries it keeps (at most 8 per page, kernel-model §5.5), which
# this workload reaches within its first million rows; after that peak RSS
# stays flat however long the trace.
pages=65536
echo "bench: memory.pages=$pages, reclaim.policy from configs/default.json, log off"
printf '%-10s %-8s %12s %12s %14s %12s\n' rows policy "replay s" "refs/s" "peak RSS KiB" "pgfault"
for rows in 1000000 10000000; do
	"$gentrace" --rows $rows --seed 42 --hot 16384 --file-pages 262144 > "$dir/t.csv"
	for policy in lru; do
		/usr/bin/time -f '%e %M' -o "$dir/time" \
			"$mmsim" run "$dir/t.csv" --config configs/default.json \
			--set memory.pages=$pages --set reclaim.policy=$policy \
			--summary "$dir/sum.json" --quiet
		set -- $(cat "$dir/time")
		secs=$1 rss=$2
		faults=$(sed -n 's/^ *"pgfault": \([0-9]*\).*/\1/p' "$dir/sum.json")
		rate=$(awk -v r=$rows -v s="$secs" 'BEGIN { if (s > 0) printf "%.0f", r / s; else print "inf" }')
		printf '%-10s %-8s %12s %12s %14s %12s\n' $rows $policy "$secs" "$rate" "$rss" "$faults"
	done
done
