#!/usr/bin/python3
"""timeline.py LOG -o DIR [--trace NAME]: memory pressure over time.

Writes DIR/timeline.png from an mmsim event log:

  * one panel per zone: the zone's free pages over time with its min, low
    and high watermarks (from the log header's machine), each crossing
    marked where it happened (downward triangles for falls to or below a
    mark, upward for rises above it), and the time kswapd was awake shaded
    (mm_vmscan_kswapd_wake until mm_vmscan_kswapd_sleep, or the end of the
    log);
  * a reclaim activity panel, one lane each for kswapd and for the
    processes that stalled longest in direct reclaim (the rest share a
    lane): kswapd's awake spans, and each direct reclaim from
    mm_vmscan_direct_reclaim_begin for the stall the replay charged
    (stall_ns of the matching _end; simulated time does not stop for it,
    so stalls of different processes overlap, hence the lanes);
  * a last panel: refaults per second of trace time, anon and file.

Where free pages come from: the log has no per-row free count. Watermark
events carry it exactly at each crossing, frag events (when the log has
them) at every sample, and a zone_stat event (nid, zone, free), if a later
build adds one, at every sample too. The line joins those points; between
two crossings the true count stayed between the two marks, so with
crossings only the line is exact at its points and approximate between
them, and the panel says so. When free pages run far above the high mark,
a second panel per zone zooms in on the marks.

Times are simulated (trace) time in seconds since the trace's start.
"""

import argparse
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import mmsimlog  # noqa: E402

PROG = "timeline.py"
MARK_COLOURS = {"min": "#d62728", "low": "#ff7f0e", "high": "#2ca02c"}
WANTED = {
    "watermark", "frag", "zone_stat", "refault",
    "mm_vmscan_kswapd_wake", "mm_vmscan_kswapd_sleep",
    "mm_vmscan_direct_reclaim_begin", "mm_vmscan_direct_reclaim_end",
}


class Timeline:
    """Everything the figure needs, gathered in one pass over the log."""

    def __init__(self):
        self.header = None
        self.free = {}          # zone -> [(t_ns, free pages)]
        self.free_sampled = False  # any frag/zone_stat sample seen
        self.crossings = {}     # zone -> [(t_ns, mark, dir, free)]
        self.kswapd = []        # [(start_ns, end_ns or None)]
        self.direct = {}        # pid -> [(start_ns, end_ns)]
        self.refaults = {"anon": [], "file": []}  # t_ns lists
        self.t_end = 0
        self._awake = {}        # nid -> wake t
        self._direct_begin = {}  # pid -> begin t

    def add(self, r):
        ev, t = r.get("ev"), r.get("t", 0)
        if ev == "header":
            self.header = r
            return
        self.t_end = max(self.t_end, t)
        handler = getattr(self, "_" + ev, None)
        if handler:
            handler(r, t)

    def _watermark(self, r, t):
        z = r["zone"]
        self.free.setdefault(z, []).append((t, r["free"]))
        self.crossings.setdefault(z, []).append(
            (t, r["mark"], r["dir"], r["free"]))

    def _frag(self, r, t):
        if "free_pages" in r:
            self.free.setdefault(r["zone"], []).append((t, r["free_pages"]))
            self.free_sampled = True

    def _zone_stat(self, r, t):
        if "free" in r:
            self.free.setdefault(r["zone"], []).append((t, r["free"]))
            self.free_sampled = True

    def _refault(self, r, t):
        self.refaults.setdefault(r.get("type", "anon"), []).append(t)

    def _mm_vmscan_kswapd_wake(self, r, t):
        self._awake.setdefault(r.get("nid", 0), t)

    def _mm_vmscan_kswapd_sleep(self, r, t):
        start = self._awake.pop(r.get("nid", 0), None)
        if start is not None:
            self.kswapd.append((start, t))

    def _mm_vmscan_direct_reclaim_begin(self, r, t):
        self._direct_begin[r.get("pid")] = t

    def _mm_vmscan_direct_reclaim_end(self, r, t):
        pid = r.get("pid")
        start = self._direct_begin.pop(pid, t)
        self.direct.setdefault(pid, []).append(
            (start, max(t, start + r.get("stall_ns", 0))))

    def finish(self):
        for start in self._awake.values():
            self.kswapd.append((start, self.t_end))
        self._awake = {}
        for z in self.free:
            self.free[z].sort(key=lambda p: p[0])
        self.t_end = max([self.t_end] + [e for spans in self.direct.values()
                                         for _, e in spans])


def read(path):
    tl = Timeline()
    for r in mmsimlog.records(path, WANTED):
        tl.add(r)
    if tl.header is None:
        raise mmsimlog.LogError("%s: empty log (no header record)" % path)
    tl.finish()
    return tl


def bars(spans, t_span_s):
    """Spans [(start_ns, end_ns)] as (start_s, width_s), each at least
    1/1500 of the time axis wide (about a pixel) so short ones show."""
    min_w = t_span_s / 1500.0
    return [(s / 1e9, max((e - s) / 1e9, min_w)) for s, e in spans]


def shade(ax, spans, t_span_s, colour, alpha, label):
    """Spans as bands over the whole height of ax."""
    if spans:
        ax.broken_barh(bars(spans, t_span_s), (0, 1),
                       transform=ax.get_xaxis_transform(), facecolors=colour,
                       alpha=alpha, label=label, zorder=0)


def above_high_spans(crossings, t_end):
    """Where a crossings-only log still knows free > high: from the start
    until the first fall below high (if the first high crossing is a fall),
    and from each rise above high to the next fall."""
    spans, start = [], None
    high = [(t, d) for t, mk, d, _ in crossings if mk == "high"]
    if high and high[0][1] == "down":
        start = 0
    for t, d in high:
        if d == "down" and start is not None:
            spans.append((start, t))
            start = None
        elif d == "up":
            start = t
    if start is not None:
        spans.append((start, t_end))
    return spans


def logs_watermarks(header):
    """Whether the log was written with watermark events on (log.events
    "all", or a list naming "watermark")."""
    events = header.get("config", {}).get("log", {}).get("events", "")
    if isinstance(events, list):
        events = ",".join(str(e) for e in events)
    return "all" in str(events) or "watermark" in str(events)


def zone_panel(ax, tl, zone, z_info, t_span_s, zoom):
    pts = tl.free.get(zone, [])
    marks = {m: z_info.get(m) for m in ("min", "low", "high")}
    shade(ax, tl.kswapd, t_span_s, "#ff7f0e", 0.12, "kswapd awake")
    if pts:
        ax.plot([t / 1e9 for t, _ in pts], [f for _, f in pts], color="#1f3b73",
                lw=0.9, label="free pages", zorder=5)
    for m, v in marks.items():
        if v is not None:
            ax.axhline(v, color=MARK_COLOURS[m], ls="--", lw=1.0, zorder=2,
                       label="%s %d" % (m, v))
    for direction, marker in (("down", "v"), ("up", "^")):
        for m in ("min", "low", "high"):
            xs = [t / 1e9 for t, mk, d, _ in tl.crossings.get(zone, [])
                  if mk == m and d == direction]
            ys = [f for _, mk, d, f in tl.crossings.get(zone, [])
                  if mk == m and d == direction]
            if xs:
                size = (14 if direction == "down" else 8) * (
                    1 if len(xs) < 300 else 0.4)
                ax.scatter(xs, ys, marker=marker, s=size,
                           color=MARK_COLOURS[m], alpha=0.55, linewidths=0,
                           zorder=4, label="crossed %s %s (%d)"
                           % (m, direction, len(xs)))
    ax.set_ylabel("free pages")
    top = max([f for _, f in pts] + [v or 0 for v in marks.values()] + [1])
    if not tl.free_sampled and marks["high"] is not None:
        spans = above_high_spans(tl.crossings.get(zone, []), tl.t_end)
        if spans:
            ax.broken_barh(bars(spans, t_span_s), (marks["high"], top * 0.1),
                           facecolors="none", edgecolors="#2ca02c",
                           hatch="////", lw=0, alpha=0.5, zorder=1,
                           label="free > high (value not logged)")
    if zoom:
        high = marks["high"] or top
        ax.set_ylim(0, high * 2.2)
        ax.set_title("%s: near the watermarks" % zone, loc="left")
    else:
        ax.set_ylim(0, top * 1.08)
        managed = z_info.get("managed_pages")
        ax.set_title("%s zone%s" % (zone, ", %d pages managed" % managed
                                    if managed else ""), loc="left")
    if not tl.free_sampled and pts:
        ax.text(0.995, 0.97, "free pages known only at watermark crossings "
                "(%d points); the line joins them" % len(pts),
                transform=ax.transAxes, ha="right", va="top", fontsize=8,
                color="#555555", bbox=dict(fc="white", ec="none", alpha=0.8))
    elif not pts:
        ax.text(0.5, 0.5, "no watermark crossing was logged for this zone: "
                "its free pages never crossed a mark\n(the count itself is "
                "logged only at crossings and frag samples)"
                if logs_watermarks(tl.header) and marks["high"] is not None
                else "no free-page samples for this zone in the log",
                transform=ax.transAxes, ha="center", va="center")


def activity_panel(ax, tl, t_span_s, max_lanes=8):
    """Lanes: kswapd, then the processes with the most direct reclaim
    stall time, the rest together."""
    by_stall = sorted(tl.direct.items(), key=lambda kv: (
        -sum(e - s for s, e in kv[1]), kv[0] if kv[0] is not None else -1))
    lanes = [("kswapd", tl.kswapd, "#ff7f0e")]
    for pid, spans in by_stall[:max_lanes]:
        lanes.append(("pid %s" % pid, spans, "#9467bd"))
    rest = [sp for _, spans in by_stall[max_lanes:] for sp in spans]
    if rest:
        lanes.append(("%d other pids" % (len(by_stall) - max_lanes), rest,
                      "#9467bd"))
    for i, (name, spans, colour) in enumerate(lanes):
        y = len(lanes) - 1 - i
        if spans:
            ax.broken_barh(bars(spans, t_span_s), (y + 0.15, 0.7),
                           facecolors=colour, alpha=0.85, lw=0)
    ax.set_yticks([len(lanes) - 0.5 - i for i in range(len(lanes))])
    ax.set_yticklabels([n for n, _, _ in lanes])
    ax.set_ylim(0, len(lanes))
    ax.grid(axis="y", visible=False)
    n_direct = sum(len(v) for v in tl.direct.values())
    stall_ms = sum(e - s for v in tl.direct.values() for s, e in v) / 1e6
    ax.set_title("reclaim activity: kswapd awake (orange); direct reclaim "
                 "stalls (purple), %d in %d processes, %.1f ms in all"
                 % (n_direct, len(tl.direct), stall_ms), loc="left")


def refault_panel(ax, tl, t_span_s):
    n_bins = 200 if t_span_s > 0 else 1
    width = t_span_s / n_bins if t_span_s > 0 else 1.0
    colours = {"anon": "#d62728", "file": "#1f77b4"}
    any_refault = False
    for kind in ("anon", "file"):
        ts = tl.refaults.get(kind, [])
        counts = [0] * n_bins
        for t in ts:
            counts[min(int(t / 1e9 / width), n_bins - 1)] += 1
        if ts:
            any_refault = True
        edges = [i * width for i in range(n_bins + 1)]
        ax.stairs([c / width for c in counts], edges, color=colours[kind],
                  lw=1.2, label="%s (%d refaults)" % (kind, len(ts)))
    ax.set_ylabel("refaults / s")
    ax.set_xlabel("trace time (s)")
    ax.set_title("refault rate (bins of %.3g ms)" % (width * 1e3), loc="left")
    if not any_refault:
        ax.text(0.5, 0.5, "no refault events in the log",
                transform=ax.transAxes, ha="center", va="center")
    ax.legend(loc="upper right")


def plot(tl, trace, out_dir):
    plt = mmsimlog.pyplot()
    zones = mmsimlog.machine_zones(tl.header)
    names = [z["zone"] for z in zones] or sorted(tl.free)
    info = {z["zone"]: z for z in zones}
    t_span_s = tl.t_end / 1e9
    panels = []
    for name in names:
        pts = tl.free.get(name, [])
        high = info.get(name, {}).get("high") or 0
        top = max([f for _, f in pts] + [0])
        if high and top > 6 * high:
            panels.append((name, False, 1.6))
            panels.append((name, True, 3))
        else:
            panels.append((name, False, 3))
    lanes = 1 + min(len(tl.direct), 9)
    heights = [h for _, _, h in panels] + [0.6 + 0.25 * lanes, 2]
    fig, axes = plt.subplots(len(heights), 1, sharex=True,
                             figsize=(12, 1.25 * sum(heights) + 1.2),
                             gridspec_kw={"height_ratios": heights})
    for ax, (name, zoom, _) in zip(axes, panels):
        zone_panel(ax, tl, name, info.get(name, {}), t_span_s, zoom)
        if not zoom:  # a zoom panel follows its zone's panel: one legend
            ax.legend(loc="upper left", bbox_to_anchor=(1.005, 1),
                      markerscale=1.5)
    activity_panel(axes[-2], tl, t_span_s)
    refault_panel(axes[-1], tl, t_span_s)
    axes[-1].set_xlim(0, t_span_s if t_span_s > 0 else 1)
    fig.suptitle("Free pages, watermarks and reclaim over time\n%s  |  %s" % (
        trace, mmsimlog.short_config(tl.header.get("config", {}))),
        fontsize=12)
    fig.tight_layout()
    return mmsimlog.save(fig, out_dir, "timeline.png")


def main():
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    ap.add_argument("log", help="mmsim JSON Lines log (- for stdin; .gz/.xz)")
    ap.add_argument("-o", "--out", required=True, help="output directory")
    ap.add_argument("--trace", help="trace name for the title "
                    "(default: the log's file name)")
    a = ap.parse_args()
    tl = read(a.log)
    path = plot(tl, mmsimlog.trace_label(a.log, a.trace), a.out)
    print(path)


if __name__ == "__main__":
    mmsimlog.main_guard(PROG, main)
