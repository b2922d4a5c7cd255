#!/usr/bin/python3
"""frag.py LOG -o DIR [--trace NAME]: fragmentation over time, per zone.

Writes DIR/frag-<zone>.png for every zone with frag events in the log:

  * the unusable free space index per order over time, an order x time
    heatmap (0: every free page is in blocks of at least that order; 1: none
    is; /sys/kernel/debug/extfrag/unusable_index);
  * the fragmentation index per order over time, same layout (towards 1: an
    allocation of that order would fail because free memory is fragmented;
    towards 0: because there is too little of it; cells where it would
    succeed, -1 in the kernel's debugfs, are drawn grey;
    /sys/kernel/debug/extfrag/extfrag_index);
  * the zone's fragmentation score (extfrag at the pageblock order, 0-100,
    what proactive compaction compares with its thresholds) and the node
    score, with every compaction run of the zone shaded from
    mm_compaction_begin for its duration_ns, coloured by the status of its
    mm_compaction_end, kcompactd's awake time (mm_compaction_kcompactd_wake
    to _sleep) as a band, and mm_page_alloc_extfrag fallbacks as ticks.

A frag sample's values hold until the next sample of the zone (samples come
every log.frag_interval_ms and at the begin and end of each compaction run),
so each heatmap cell spans the time to the next sample; compaction runs are
also marked on the heatmaps by thin white lines where they begin.

A log without frag events (a build without fragmentation metrics, or
log.events without "frag") is not an error of the log, but there is nothing
to draw: the script says so on stderr and exits 1, writing nothing.
"""

import argparse
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import mmsimlog  # noqa: E402

PROG = "frag.py"
WANTED = {
    "frag", "mm_compaction_begin", "mm_compaction_end",
    "mm_compaction_kcompactd_wake", "mm_compaction_kcompactd_sleep",
    "mm_page_alloc_extfrag",
}
STATUS_COLOURS = {
    "success": "#2ca02c", "complete": "#1f77b4", "partial_skipped": "#17becf",
    "continue": "#bcbd22",
}
OTHER_STATUS_COLOUR = "#d62728"


class Frag:
    """Samples, compaction runs and kcompactd spans from one log pass."""

    def __init__(self):
        self.header = None
        self.samples = {}       # zone -> [record]
        self.runs = {}          # zone -> [(start_ns, end_ns, status, trigger, order)]
        self.kcompactd = []     # [(start_ns, end_ns)]
        self.extfrag = {}       # zone -> [t_ns]
        self.t_end = 0
        self._begin = {}        # zone -> begin t
        self._awake = {}        # nid -> wake t

    def add(self, r):
        ev, t = r.get("ev"), r.get("t", 0)
        if ev == "header":
            self.header = r
            return
        self.t_end = max(self.t_end, t)
        if ev == "frag":
            self.samples.setdefault(r.get("zone", "?"), []).append(r)
        elif ev == "mm_compaction_begin":
            self._begin[r.get("zone", "?")] = t
        elif ev == "mm_compaction_end":
            zone = r.get("zone", "?")
            start = self._begin.pop(zone, t)
            end = max(t, start + r.get("duration_ns", 0))
            self.t_end = max(self.t_end, end)
            self.runs.setdefault(zone, []).append(
                (start, end, r.get("status", "?"), r.get("trigger", ""),
                 r.get("order")))
        elif ev == "mm_compaction_kcompactd_wake":
            self._awake.setdefault(r.get("nid", 0), t)
        elif ev == "mm_compaction_kcompactd_sleep":
            start = self._awake.pop(r.get("nid", 0), None)
            if start is not None:
                self.kcompactd.append((start, t))
        elif ev == "mm_page_alloc_extfrag":
            self.extfrag.setdefault(r.get("zone", "?"), []).append(t)

    def finish(self):
        for start in self._awake.values():
            self.kcompactd.append((start, self.t_end))
        self._awake = {}


def read(path):
    fr = Frag()
    for r in mmsimlog.records(path, WANTED):
        fr.add(r)
    if fr.header is None:
        raise mmsimlog.LogError("%s: empty log (no header record)" % path)
    fr.finish()
    return fr


def grid(samples, key, t_end):
    """Time edges (s) and an orders x samples matrix of samples[key]; the
    last of several samples at one time wins (it is the state after)."""
    by_t = {}
    for s in samples:
        by_t[s["t"]] = s
    ts = sorted(by_t)
    n_orders = max(len(by_t[t].get(key, [])) for t in ts)
    edges = [t / 1e9 for t in ts] + [max(t_end, ts[-1] + 1) / 1e9]
    rows = [[(by_t[t].get(key) or [None] * n_orders)[o]
             if o < len(by_t[t].get(key) or []) else None for t in ts]
            for o in range(n_orders)]
    return edges, rows, ts


def heatmap(ax, fig, edges, rows, title, cbar_label, cmap_name):
    import numpy as np
    from matplotlib import colors
    plt = mmsimlog.pyplot()
    data = np.array([[np.nan if v is None else v for v in row] for row in rows],
                    dtype=float)
    succeed = data < 0
    shown = np.ma.masked_where(np.isnan(data) | succeed, data)
    cmap = plt.get_cmap(cmap_name).copy()
    cmap.set_bad("#dddddd")
    ax.grid(False)
    mesh = ax.pcolormesh(edges, np.arange(data.shape[0] + 1) - 0.5, shown,
                         cmap=cmap, norm=colors.Normalize(0, 1), shading="flat")
    cb = fig.colorbar(mesh, ax=ax, pad=0.01, fraction=0.04)
    cb.set_label(cbar_label)
    ax.set_ylabel("order")
    ax.set_yticks(range(data.shape[0]))
    ax.set_ylim(-0.5, data.shape[0] - 0.5)
    ax.set_title(title, loc="left")


def mark_runs(ax, runs):
    for start, _, _, _, _ in runs:
        ax.axvline(start / 1e9, color="white", lw=0.6, alpha=0.8)


def score_panel(ax, fr, zone, samples, t_end):
    by_t = {}
    for s in samples:
        by_t[s["t"]] = s
    ts = sorted(by_t)
    xs = [t / 1e9 for t in ts] + [t_end / 1e9]
    for key, colour, label in (("score", "#1f3b73", "zone score"),
                               ("node_score", "#7f7f7f", "node score")):
        ys = [by_t[t].get(key) for t in ts]
        if any(y is not None for y in ys):
            ys = [y if y is not None else float("nan") for y in ys]
            ax.step(xs, ys + ys[-1:], where="post", color=colour, lw=1.3,
                    label=label, ls="-" if key == "score" else "--")
    top = 105
    span_s = max(t_end / 1e9, 1e-9)
    min_w = span_s / 1500.0
    seen = set()
    for start, end, status, trigger, order in fr.runs.get(zone, []):
        colour = STATUS_COLOURS.get(status, OTHER_STATUS_COLOUR)
        label = "compaction: %s" % status
        ax.broken_barh([(start / 1e9, max((end - start) / 1e9, min_w))],
                       (0, 1), transform=ax.get_xaxis_transform(),
                       facecolors=colour, alpha=0.35, zorder=0,
                       label=None if label in seen else label)
        seen.add(label)
    if fr.kcompactd:
        ax.broken_barh([(s / 1e9, max((e - s) / 1e9, min_w))
                        for s, e in fr.kcompactd], (0.93, 0.07),
                       transform=ax.get_xaxis_transform(),
                       facecolors="#ff7f0e", alpha=0.8,
                       label="kcompactd awake")
    ext = fr.extfrag.get(zone, [])
    if ext:
        ax.plot([t / 1e9 for t in ext], [1.5] * len(ext), "|", color="#9467bd",
                ms=10, label="fallback (mm_page_alloc_extfrag, %d)" % len(ext))
    ax.set_ylim(0, top)
    ax.set_ylabel("score (0-100)")
    ax.set_xlabel("trace time (s)")
    n = len(fr.runs.get(zone, []))
    ax.set_title("fragmentation score; %d compaction run%s of this zone"
                 % (n, "" if n == 1 else "s"), loc="left")
    ax.legend(loc="center left", bbox_to_anchor=(1.005, 0.5))


def plot_zone(fr, zone, trace, out_dir):
    plt = mmsimlog.pyplot()
    samples = fr.samples[zone]
    t_end = fr.t_end
    fig, axes = plt.subplots(3, 1, sharex=True, figsize=(12, 10),
                             gridspec_kw={"height_ratios": [3, 3, 2]})
    edges, rows, _ = grid(samples, "unusable_index", t_end)
    heatmap(axes[0], fig, edges, rows,
            "unusable free space index per order (0: all free memory is in "
            "blocks of at least this order; 1: none is)",
            "unusable index", "viridis")
    edges, rows, _ = grid(samples, "extfrag_index", t_end)
    heatmap(axes[1], fig, edges, rows,
            "fragmentation index per order (towards 1: would fail for "
            "fragmentation; towards 0: for lack of memory; grey: would "
            "succeed, -1)",
            "fragmentation index", "magma_r")
    for ax in axes[:2]:
        mark_runs(ax, fr.runs.get(zone, []))
    score_panel(axes[2], fr, zone, samples, t_end)
    axes[2].set_xlim(0, max(t_end, 1) / 1e9)
    # the heatmaps' colorbars take width; give the score panel the same
    fig.colorbar(plt.cm.ScalarMappable(), ax=axes[2], pad=0.01,
                 fraction=0.04).ax.set_visible(False)
    fig.suptitle("Fragmentation of zone %s (%d samples)\n%s  |  %s" % (
        zone, len(samples), trace,
        mmsimlog.short_config(fr.header.get("config", {}))), fontsize=12)
    fig.tight_layout()
    return mmsimlog.save(fig, out_dir, "frag-%s.png" % zone)


def main():
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    ap.add_argument("log", help="mmsim JSON Lines log (- for stdin; .gz/.xz)")
    ap.add_argument("-o", "--out", required=True, help="output directory")
    ap.add_argument("--trace", help="trace name for the title "
                    "(default: the log's file name)")
    a = ap.parse_args()
    fr = read(a.log)
    if not fr.samples:
        mmsimlog.fail(PROG, "%s has no frag events, so there is nothing to "
                      "plot: replay with a build that models fragmentation, "
                      "with \"frag\" in log.events (and log.frag_interval_ms "
                      "for periodic samples)" % a.log, 1)
    trace = mmsimlog.trace_label(a.log, a.trace)
    for zone in sorted(fr.samples):
        print(plot_zone(fr, zone, trace, a.out))


if __name__ == "__main__":
    mmsimlog.main_guard(PROG, main)
