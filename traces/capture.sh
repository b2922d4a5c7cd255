#!/usr/bin/env bash
# capture.sh - record a Linux memory-management tracepoint trace of one command,
# with /proc snapshots before and after, and convert it for mmsim.
#
# Usage:
#   traces/capture.sh [options] OUT.txt.xz -- CMD [ARGS...]
#
# Options:
#   -s SET     tracepoint set: faults | alloc | reclaim | compaction   (default: faults)
#                faults     exceptions:page_fault_user (x86 only),
#                           filemap:mm_filemap_add_to_page_cache,
#                           filemap:mm_filemap_delete_from_page_cache,
#                           filemap:mm_filemap_fault (if the kernel has it)
#                alloc      kmem:mm_page_alloc, kmem:mm_page_free,
#                           kmem:mm_page_free_batched (if present),
#                           kmem:mm_page_alloc_extfrag
#                reclaim    the 'faults' set plus vmscan:*
#                compaction compaction:* plus the 'alloc' set
#   -m LIMIT   run CMD inside a fresh memory cgroup limited to LIMIT (e.g. 192M):
#              cgroup v2 memory.max, or cgroup v1 memory.limit_in_bytes; the
#              group's memory.stat is snapshotted before and after
#   -a         record system-wide (all CPUs, all tasks)   [default for alloc, compaction]
#   -w         record only CMD and its descendants        [default for faults, reclaim]
#   -t SECS    kill CMD after SECS seconds (default 300)
#   -b SIZE    perf mmap buffer size per CPU (default 16M).  perf allocates
#              SIZE x CPUs of ring buffer after the "before" snapshot, so
#              those pages show up in system-wide counter deltas; keep it small
#   -e EVENT   add one more tracepoint (repeatable)
#   -M MMSIM   the mmsim binary used to convert (default: build/mmsim next to
#              this script's directory, or $MMSIM)
#   -n         do not convert with mmsim import
#   -h         help
#
# Output (OUT.txt.xz is the `perf script` text, xz-compressed); side files share
# the prefix P = OUT without ".txt.xz":
#   P.vmstat.{before,after}  P.buddyinfo.{before,after}  P.pagetypeinfo.{before,after}
#   P.zoneinfo.{before,after}  P.memstat.{before,after} (only with -m: memory.stat
#   plus the group's usage, peak, limit and limit-hit counters)
#   P.meta   command, kernel, date, events, exit status, per-event counts, perf log
#   P.csv    trace format v1 from `mmsim import` (unless -n or mmsim is missing),
#   P.import.log  mmsim import's report (rows per op, skipped events, ...)
#
# Text format: one event per line, perf script fields comm,pid,tid,cpu,time,event,trace:
#   xz  1234/1234 [001]   812.123456: exceptions:page_fault_user: address=0x7f.. ip=0x55.. error_code=0x6
# Needs root and perf. Writes scratch data under ${TMPDIR:-/tmp}. See traces/CAPTURE.md.
set -euo pipefail

usage() { sed -n '2,/^set /{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
die() { echo "capture.sh: $*" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
set_name=faults limit="" scope="" timeout_s=300 bufsz=16M convert=1
mmsim=${MMSIM:-$here/../build/mmsim}
extra=()
while getopts "s:m:awt:b:e:M:nh" opt; do
  case $opt in
    s) set_name=$OPTARG ;;
    m) limit=$OPTARG ;;
    a) scope=all ;;
    w) scope=workload ;;
    t) timeout_s=$OPTARG ;;
    b) bufsz=$OPTARG ;;
    e) extra+=("$OPTARG") ;;
    M) mmsim=$OPTARG ;;
    n) convert=0 ;;
    h) usage 0 ;;
    *) usage 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 3 ] || usage 2
out=$1; shift
[ "$1" = "--" ] || die "expected -- after OUT"
shift
[[ $out == *.txt.xz ]] || die "OUT must end in .txt.xz"
[ "$(id -u)" = 0 ] || die "must run as root"
command -v perf >/dev/null || die "perf not found (Debian: apt-get install linux-perf)"
command -v xz >/dev/null || die "xz not found (Debian: apt-get install xz-utils)"
prefix=${out%.txt.xz}
mkdir -p "$(dirname "$out")"

# Is this tracepoint (or group:*) known to the running kernel?
have_event() { perf list "$1" 2>/dev/null | grep -q 'Tracepoint event'; }

fault_ev=(filemap:mm_filemap_add_to_page_cache filemap:mm_filemap_delete_from_page_cache)
if have_event exceptions:page_fault_user; then
  fault_ev=(exceptions:page_fault_user "${fault_ev[@]}")
else
  echo "capture.sh: no exceptions:page_fault_user on this kernel (x86 only): anonymous faults are not recorded" >&2
fi
have_event filemap:mm_filemap_fault && fault_ev+=(filemap:mm_filemap_fault)
alloc_ev=(kmem:mm_page_alloc kmem:mm_page_free kmem:mm_page_alloc_extfrag)
have_event kmem:mm_page_free_batched && alloc_ev+=(kmem:mm_page_free_batched)
case $set_name in
  faults)     events=("${fault_ev[@]}");            def_scope=workload ;;
  alloc)      events=("${alloc_ev[@]}");            def_scope=all ;;
  reclaim)    events=("${fault_ev[@]}" 'vmscan:*'); def_scope=workload ;;
  compaction) events=('compaction:*' "${alloc_ev[@]}"); def_scope=all ;;
  *) die "unknown set '$set_name' (faults, alloc, reclaim or compaction)" ;;
esac
events+=("${extra[@]+"${extra[@]}"}")
for e in "${events[@]}"; do have_event "$e" || die "tracepoint $e not available on this kernel"; done
scope=${scope:-$def_scope}

work=$(mktemp -d "${TMPDIR:-/tmp}/capture.XXXXXX")
cg="" cgv=""
cleanup() {
  if [ -n "$cg" ] && [ -d "$cg" ]; then
    # processes left in the group (CMD children that outlived the timeout) are ours
    while read -r p; do kill -9 "$p" 2>/dev/null || true; done < "$cg/cgroup.procs"
    sleep 0.2; rmdir "$cg" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

memstat() {  # the group's memory.stat plus usage, peak, limit and limit hits
  cat "$cg/memory.stat"
  if [ "$cgv" = 2 ]; then
    for f in current peak max; do
      [ -e "$cg/memory.$f" ] && echo "memory.$f $(cat "$cg/memory.$f")"
    done
    sed 's/^/memory.events./' "$cg/memory.events"
  else
    for f in usage_in_bytes max_usage_in_bytes failcnt limit_in_bytes; do
      echo "memory.$f $(cat "$cg/memory.$f")"
    done
  fi
}

snapshot() {  # $1 = before|after
  cat /proc/vmstat      > "$prefix.vmstat.$1"
  cat /proc/buddyinfo   > "$prefix.buddyinfo.$1"
  cat /proc/pagetypeinfo > "$prefix.pagetypeinfo.$1" 2>/dev/null || true
  cat /proc/zoneinfo    > "$prefix.zoneinfo.$1"
  if [ -n "$cg" ]; then memstat > "$prefix.memstat.$1"; fi
}

# timeout kills CMD's whole process group on expiry.  The extra sh keeps perf
# from seeing a signal-killed child (perf re-raises such a signal on itself).
runner=(/bin/sh -c '"$@"; exit $?' sh timeout --signal=KILL "$timeout_s")
if [ -n "$limit" ]; then
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    cgv=2 cg=/sys/fs/cgroup/capture.$$
    grep -qw memory /sys/fs/cgroup/cgroup.subtree_control ||
      echo +memory > /sys/fs/cgroup/cgroup.subtree_control ||
      die "cannot enable the memory controller in /sys/fs/cgroup"
    mkdir "$cg"
    echo "$limit" > "$cg/memory.max"
    echo 0 > "$cg/memory.swap.max" 2>/dev/null || true  # as v1's limit: memory only
  elif [ -d /sys/fs/cgroup/memory ]; then
    cgv=1 cg=/sys/fs/cgroup/memory/capture.$$
    mkdir "$cg"
    echo "$limit" > "$cg/memory.limit_in_bytes"
  else
    die "no memory cgroup controller (v2 /sys/fs/cgroup or v1 /sys/fs/cgroup/memory)"
  fi
  # the wrapper shell joins the group, then becomes CMD; perf itself stays outside
  runner+=(/bin/sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg")
fi

evargs=()
for e in "${events[@]}"; do evargs+=(-e "$e"); done
scopeargs=()
[ "$scope" = all ] && scopeargs=(-a)

snapshot before
t0=$(date -u +%FT%TZ)
set +e
perf record -q -m "$bufsz" "${scopeargs[@]}" "${evargs[@]}" -o "$work/perf.data" \
  -- "${runner[@]}" "$@" 2> "$work/record.log"
status=$?
set -e
t1=$(date -u +%FT%TZ)
snapshot after

# text trace + per-event counts in one pass
perf script -i "$work/perf.data" -F trace:comm,pid,tid,cpu,time,event,trace 2> "$work/script.log" \
  | tee >(awk 'match($0, / [0-9]+\.[0-9]+: +[A-Za-z0-9_]+:[A-Za-z0-9_]+:/) {
                 s = substr($0, RSTART, RLENGTH); sub(/^ [0-9.]+: +/, "", s); sub(/:$/, "", s); n[s]++ }
               END { for (k in n) printf "%10d %s\n", n[k], k }' | sort -k2 > "$work/counts.tmp" \
            && mv "$work/counts.tmp" "$work/counts") \
  | xz -T2 -6 > "$out"
for _ in $(seq 100); do [ -e "$work/counts" ] && break; sleep 0.1; done  # counting subshell
touch "$work/counts"
perf report -i "$work/perf.data" --stats 2>/dev/null | grep -E 'LOST' > "$work/stats" || true
[ -s "$work/stats" ] || echo "no LOST records" > "$work/stats"

{
  echo "command:    $*"
  echo "set:        $set_name   scope: $scope   timeout: ${timeout_s}s   memcg limit: ${limit:-none}${cgv:+ (cgroup v$cgv)}"
  echo "events:     ${events[*]}"
  echo "kernel:     $(uname -r)"
  echo "host:       $(nproc) CPUs, $(awk '/MemTotal/ {print $2" kB"}' /proc/meminfo) RAM"
  echo "start:      $t0"
  echo "end:        $t1"
  echo "exit:       $status   (137 = killed by timeout)"
  echo "--- event counts"; cat "$work/counts"
  echo "--- perf stats"; cat "$work/stats"
  echo "--- perf record/script log"; cat "$work/record.log" "$work/script.log"
} > "$prefix.meta"
echo "capture.sh: wrote $out ($(du -h "$out" | cut -f1)), see $prefix.meta" >&2

# conversion: a failed import does not lose the capture, it is only reported
if [ "$convert" = 1 ]; then
  if [ -x "$mmsim" ]; then
    if xz -dc "$out" | "$mmsim" import - -o "$prefix.csv" 2> "$prefix.import.log"; then
      echo "capture.sh: wrote $prefix.csv, see $prefix.import.log" >&2
    else
      echo "capture.sh: mmsim import failed, see $prefix.import.log (the capture is kept)" >&2
    fi
  else
    echo "capture.sh: $mmsim not found; convert later with: xzcat $out | mmsim import - -o $prefix.csv" >&2
  fi
fi
exit "$status"
