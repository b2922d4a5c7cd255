#!/bin/sh
# make bench: replays generated traces (fixed seeds) with logging off and
# prints references per second and peak RSS, to show throughput and that
# memory does not grow with trace length.
#   tests/bench.sh MMSIM GENTRACE [RUNS]
#
# Workloads on a 65536-page (256 MiB) machine:
#  - mixed: four 16384-page hot anon sets and a sequential read cycling over
#    a 262144-page file. Constant reclaim and refaults: most references
#    fault (70% under lru, 47% under classic) and every fault evicts a page,
#    as in a replay of a real capture (which records faults). Replayed under
#    reclaim.policy classic, the default, and lru, the engine's simplest
#    list. Memory grows with the pages the machine holds and the shadow
#    entries it keeps (at most 8 per page, kernel-model §5.5), which this
#    workload reaches within its first million rows; after that peak RSS
#    stays flat however long the trace.
#  - hits: uniform references over four 8192-page anon sets, which fit:
#    after the first 32768 faults every reference is an LRU hit. The cost
#    of reading a row and finding its page, without the fault path.
# Each replay runs RUNS times (default 5): refs/s is rows over the replay's
# CPU time (user + sys) on one core, best and median of the runs, because a
# shared machine's speed varies from run to run and from minute to minute.
# The runs of the replays of one trace take turns (classic, lru, classic,
# ...), so a slow minute does not fall on one of them only. The wall-clock
# time of the best run is shown too.
set -eu
mmsim=$1
gentrace=$2
runs=${3:-5}
dir=${TMPDIR:-/tmp}/mmsim-bench.$$
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT INT TERM

pages=65536
echo "bench: memory.pages=$pages, log off, best and median of $runs runs"
printf '%-8s %-8s %-9s %7s %7s %11s %11s %13s %10s\n' workload policy rows \
	"cpu s" "wall s" "refs/s" "median" "peak RSS KiB" "pgfault"

# bench_trace NAME ROWS POLICY...: replays $dir/t.csv RUNS times under each
# policy, in turns, then prints a line per policy.
bench_trace() {
	name=$1 rows=$2
	shift 2
	for policy in "$@"; do
		: > "$dir/runs.$policy"
	done
	i=0
	while [ $i -lt "$runs" ]; do
		for policy in "$@"; do
			/usr/bin/time -f '%U %S %e %M' -o "$dir/time" \
				"$mmsim" run "$dir/t.csv" \
				--config configs/default.json \
				--set memory.pages=$pages \
				--set reclaim.policy=$policy \
				--summary "$dir/sum.$policy.json" --quiet
			cat "$dir/time" >> "$dir/runs.$policy"
		done
		i=$((i + 1))
	done
	for policy in "$@"; do
		report "$name" "$policy" "$rows"
	done
}

# report NAME POLICY ROWS: one line from $dir/runs.POLICY.
report() {
	name=$1 policy=$2 rows=$3
	faults=$(sed -n 's/^ *"pgfault": \([0-9]*\).*/\1/p' \
		"$dir/sum.$policy.json")
	# Sorted by CPU time: the first line is the best run, the middle one
	# the median.
	awk '{ printf "%.2f %s %s\n", $1 + $2, $3, $4 }' "$dir/runs.$policy" |
	sort -n |
	awk -v name="$name" -v policy="$policy" -v rows="$rows" \
	    -v faults="$faults" '
		{ cpu[NR] = $1; wall[NR] = $2; if ($3 > rss) rss = $3 }
		END {
			med = cpu[int((NR + 1) / 2)]
			printf "%-8s %-8s %-9s %7.2f %7.2f %11s %11s %13s %10s\n",
			       name, policy, rows, cpu[1], wall[1],
			       (cpu[1] > 0 ? sprintf("%.0f", rows / cpu[1]) : "inf"),
			       (med > 0 ? sprintf("%.0f", rows / med) : "inf"),
			       rss, faults
		}'
}

for rows in 1000000 10000000; do
	"$gentrace" --rows "$rows" --seed 42 --hot 16384 --file-pages 262144 \
		> "$dir/t.csv"
	bench_trace mixed $rows classic lru
	rm -f "$dir/t.csv"
done
for rows in 1000000 10000000; do
	"$gentrace" --rows "$rows" --seed 42 --hot 8192 --pattern random \
		> "$dir/t.csv"
	bench_trace hits $rows lru
	rm -f "$dir/t.csv"
done
