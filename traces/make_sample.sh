#!/bin/sh
# Rebuilds traces/sample.csv, the demo and test trace, from the real capture
# reclaim-sqlite-grep-160M in ../shared/traces (see traces/README.md):
# its first 2.2 s (a full-scan sqlite query of a 48 MiB database and the start
# of a `grep -r` over 484 MiB of files, in a 160 MiB memory cgroup), converted
# with `mmsim import`, without the kernel's own evictions (op evict, which a
# replay ignores) and without the kmem columns this capture does not have.
#   traces/make_sample.sh [MMSIM] [CAPTURE.txt.xz]
set -eu
mmsim=${1:-build/mmsim}
src=${2:-../shared/traces/reclaim-sqlite-grep-160M/reclaim-sqlite-grep-160M.txt.xz}
xzcat "$src" | "$mmsim" import - 2>/dev/null |
	awk -F, 'BEGIN { OFS = "," }
		NR == 1 || ($1 < 2200000000 && $2 != "evict") {
			print $1, $2, $3, $4, $5, $6, $7, $8, $9 }' >traces/sample.csv.part
mv traces/sample.csv.part traces/sample.csv
