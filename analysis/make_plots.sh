#!/bin/sh
# Renders the demo replay's figures and a compare of every reclaim policy:
#   sh analysis/make_plots.sh [MMSIM] [OUTDIR]      (make plots)
#
# The demo replay is traces/sample.csv with configs/default.json, at the
# memory size of the capture's cgroup (160 MiB = 40960 pages; the default
# 1 GiB would never reclaim), so the figures show memory pressure, watermark
# crossings, kswapd, direct reclaim and refaults. Where the build has
# fragmentation metrics (log.frag_interval_ms is a known key), frag samples
# are logged every 20 ms of trace time for frag.py; otherwise frag.py is
# skipped with a note. The compare replays the same trace under every
# policy `mmsim policies` lists.
#
# OUTDIR gets: demo.log, demo.json (the replay), timeline.png,
# refaults.png, frag-<zone>.png, compare.json/.txt/.md, compare.png,
# compare-relative.png.
set -eu
MMSIM=${1:-build/mmsim}
OUT=${2:-build/plots}
PY=/usr/bin/python3
DIR=$(dirname "$0")
TRACE=traces/sample.csv
CONFIG=configs/default.json
PAGES=memory.pages=40960

mkdir -p "$OUT"
say() { echo "make_plots: $*"; }

# --- the demo replay (with periodic frag samples where the build has them)
if "$MMSIM" run "$TRACE" --config "$CONFIG" --set "$PAGES" \
	--set log.frag_interval_ms=20 --log "$OUT/demo.log" \
	--summary "$OUT/demo.json" --quiet 2>"$OUT/run.err"; then
	:
elif grep -q "log.frag_interval_ms" "$OUT/run.err"; then
	"$MMSIM" run "$TRACE" --config "$CONFIG" --set "$PAGES" \
		--log "$OUT/demo.log" --summary "$OUT/demo.json" --quiet
else
	cat "$OUT/run.err" >&2
	exit 1
fi
rm -f "$OUT/run.err"
say "replayed $TRACE ($CONFIG, $PAGES) -> $OUT/demo.log"

"$PY" "$DIR/timeline.py" "$OUT/demo.log" -o "$OUT" --trace "$TRACE"
"$PY" "$DIR/refaults.py" "$OUT/demo.log" -o "$OUT" --trace "$TRACE"
# frag.py exits 1 (and says why) when the log has no frag events
"$PY" "$DIR/frag.py" "$OUT/demo.log" -o "$OUT" --trace "$TRACE" ||
	say "frag.py skipped (see above)"

# --- every reclaim policy side by side
policies=$("$MMSIM" policies | awk '/^[a-z]/ { section = $1; next }
	section == "reclaim.policy:" { printf "%s%s", sep, $1; sep = "," }')
"$MMSIM" compare "$TRACE" --config "$CONFIG" --set "$PAGES" \
	--vary "reclaim.policy=$policies" --format json -o "$OUT/compare.json" \
	--quiet
"$MMSIM" compare --from "$OUT/compare.json" -o "$OUT/compare.txt"
"$MMSIM" compare --from "$OUT/compare.json" --format markdown \
	-o "$OUT/compare.md"
say "compared reclaim.policy=$policies -> $OUT/compare.txt"
"$PY" "$DIR/compare.py" "$OUT/compare.json" -o "$OUT" --trace "$TRACE"
