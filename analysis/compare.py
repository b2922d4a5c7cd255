#!/usr/bin/python3
"""compare.py COMPARE.json -o DIR [--trace NAME]: key figures per config.

Reads the document `mmsim compare --format json` writes and renders:

  * DIR/compare.png: one small bar chart per key figure, a bar per config
    (the same colour for a config in every chart), the value written on
    each bar, units on the axes: refaults (anon, file), pages scanned and
    reclaimed by kswapd and by direct reclaim, reclaim efficiency, stall
    time of direct reclaim, major faults and compaction, kswapd wakeups,
    allocstall, OOM kills, compaction success rate, high-order allocation
    failures, watermark crossings below min, and the unusable free space
    index at order 9 (final) per zone;
  * DIR/compare-relative.png: the same figures as grouped bars, one group
    per figure and a bar per config, as value / first config's value on a
    log2 axis (x2 up, x0.5 down; the first config is 1 by definition).

The figures are those of `mmsim compare`'s table, computed the same way. A
figure no config has (e.g. compaction before it is modelled) is left out;
figures that are 0 for every config are listed under the charts instead of
drawn; a ratio to a baseline of 0 cannot be drawn and is listed too.
Configs that failed are named on stderr.
"""

import argparse
import math
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import mmsimlog  # noqa: E402
from mmsimlog import jget

PROG = "compare.py"


def vm(name):
    return lambda s: jget(s, "vmstat." + name)


def ratio(num, den):
    def f(s):
        n, d = num(s), den(s)
        if n is None or d is None or d <= 0:
            return None
        return 100.0 * n / d
    return f


def total(*fs):
    def f(s):
        vals = [g(s) for g in fs]
        return None if any(v is None for v in vals) else sum(vals)
    return f


def ns_to_ms(path):
    return lambda s: (lambda v: None if v is None else v / 1e6)(jget(s, path))


def allocstall(s):
    v = s.get("vmstat", {})
    keys = [k for k in v if k.startswith("allocstall_")]
    return sum(v[k] for k in keys) if keys else None


def high_order_failures(s):
    orders = s.get("allocations") or s.get("alloc_orders") or {}
    fail = orders.get("fail")
    return sum(fail[1:]) if isinstance(fail, list) else None


def crossings(mark):
    def f(s):
        zones = s.get("zones")
        if not isinstance(zones, list) or not zones:
            return None
        vals = [jget(z, "watermark_crossings.%s.down" % mark) for z in zones]
        vals = [v for v in vals if v is not None]
        return sum(vals) if vals else None
    return f


def frag_final(zone):
    def f(s):
        for e in s.get("frag") or []:
            if isinstance(e, dict) and e.get("zone") == zone:
                return jget(e, "final.unusable_index.%d" % mmsimlog.HUGE_ORDER)
        return None
    return f


SCAN = total(vm("pgscan_kswapd"), vm("pgscan_direct"))
STEAL = total(vm("pgsteal_kswapd"), vm("pgsteal_direct"))
FIGURES = [
    ("refaults, anon", "pages", vm("workingset_refault_anon")),
    ("refaults, file", "pages", vm("workingset_refault_file")),
    ("scanned by kswapd", "pages", vm("pgscan_kswapd")),
    ("reclaimed by kswapd", "pages", vm("pgsteal_kswapd")),
    ("scanned by direct reclaim", "pages", vm("pgscan_direct")),
    ("reclaimed by direct reclaim", "pages", vm("pgsteal_direct")),
    ("reclaim efficiency (steal/scan)", "%", ratio(STEAL, SCAN)),
    ("direct reclaim stall", "ms", ns_to_ms("stalls.direct_reclaim_ns")),
    ("major fault stall", "ms", ns_to_ms("stalls.major_fault_ns")),
    ("compaction stall", "ms", ns_to_ms("stalls.compact_ns")),
    ("kswapd wakeups", "count", vm("kswapd_wake")),
    ("allocstall (all zones)", "count", allocstall),
    ("OOM kills", "count", vm("oom_kill")),
    ("compaction success rate", "%", ratio(
        vm("compact_success"), total(vm("compact_success"),
                                     vm("compact_fail")))),
    ("high-order allocation failures", "count", high_order_failures),
    ("watermark crossings below min", "count", crossings("min")),
]


def zone_names(configs):
    names = []
    for c in configs:
        for e in c["summary"].get("frag") or []:
            if isinstance(e, dict) and e.get("zone") not in names:
                names.append(e.get("zone"))
    return names


def figures_for(configs):
    figs = list(FIGURES)
    for z in zone_names(configs):
        figs.append(("unusable index o%d, %s (final)" % (mmsimlog.HUGE_ORDER, z),
                     "index 0-1", frag_final(z)))
    table = []
    for label, unit, fn in figs:
        vals = [fn(c["summary"]) for c in configs]
        table.append((label, unit, vals))
    return table


def fmt(v, unit):
    if v is None:
        return "-"
    if unit in ("%", "ms") or (unit.startswith("index") and v < 10):
        return "%.3g" % v if abs(v) < 100 else "%.0f" % v
    return "%.0f" % v if abs(v) < 1e6 else "%.3gM" % (v / 1e6)


def legend_names(configs):
    return ["%s  (%s)" % (c["name"], mmsimlog.short_config(
        c["summary"].get("config", {}))) for c in configs]


def plot_absolute(configs, table, trace, out_dir, colours):
    plt = mmsimlog.pyplot()
    drawn = [(l, u, v) for l, u, v in table
             if any(x is not None for x in v) and any(x for x in v if x)]
    zero = [l for l, u, v in table
            if any(x is not None for x in v) and not any(x for x in v if x)]
    cols = 4
    rows = max(1, math.ceil(len(drawn) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.9 * rows + 1.6),
                             squeeze=False)
    xs = list(range(len(configs)))
    for ax, (label, unit, vals) in zip(axes.flat, drawn):
        heights = [v if v is not None else 0 for v in vals]
        bars = ax.bar(xs, heights, color=colours, width=0.75)
        for b, v in zip(bars, vals):
            ax.annotate(fmt(v, unit), (b.get_x() + b.get_width() / 2,
                                       b.get_height()),
                        ha="center", va="bottom", fontsize=8,
                        xytext=(0, 1), textcoords="offset points")
        ax.set_title(label, fontsize=10)
        ax.set_ylabel(unit)
        ax.set_xticks(xs)
        ax.set_xticklabels([str(i + 1) for i in xs])
        ax.margins(y=0.18)
        ax.grid(axis="x", visible=False)
    for ax in list(axes.flat)[len(drawn):]:
        ax.set_visible(False)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colours]
    fig.legend(handles, ["%d: %s" % (i + 1, n)
                         for i, n in enumerate(legend_names(configs))],
               loc="lower center", ncol=min(2, len(configs)), fontsize=9,
               frameon=False)
    note = "\n0 for every config (not drawn): " + ", ".join(zero) if zero else ""
    fig.suptitle("mmsim compare: %s\n%d configs, bars numbered as in the "
                 "legend%s" % (trace, len(configs), note), fontsize=12)
    legend_rows = math.ceil(len(configs) / 2)
    height = fig.get_figheight()
    title_in = 0.12 * (3 if note else 2)
    fig.tight_layout(rect=(0, (0.35 + 0.22 * legend_rows) / height, 1,
                           1 - title_in / height))
    return mmsimlog.save(fig, out_dir, "compare.png")


def plot_relative(configs, table, trace, out_dir, colours):
    plt = mmsimlog.pyplot()
    groups, skipped = [], []
    for label, unit, vals in table:
        base = vals[0]
        if all(v is None for v in vals) or not any(v for v in vals if v):
            continue
        if base is None or base == 0:
            skipped.append(label)
            continue
        groups.append((label, [None if v is None else v / base
                               for v in vals]))
    fig, ax = plt.subplots(figsize=(max(10, 0.9 * len(groups) + 3), 6.5))
    n = len(configs)
    width = 0.8 / n
    lim = max([abs(math.log2(r)) for _, rs in groups for r in rs if r] + [1])
    for i in range(n):
        xs = [g + (i - (n - 1) / 2) * width for g in range(len(groups))]
        ratios = [r[i] for _, r in groups]
        # a value of 0 has no logarithm: a hatched bar to the bottom, "0"
        ys = [math.log2(r) if r else (-lim * 1.1 if r == 0 else 0)
              for r in ratios]
        bars = ax.bar(xs, ys, width=width, color=colours[i])
        for b, r in zip(bars, ratios):
            if r == 0:
                b.set_hatch("//")
                b.set_alpha(0.5)
                ax.annotate("0", (b.get_x() + b.get_width() / 2, -lim * 1.1),
                            ha="center", va="bottom", fontsize=8)
        # a tick at every bar's end, so "the same as the first" shows too
        ax.scatter(xs, ys, marker="_", s=120, color="black", lw=1.2,
                   zorder=3)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_ylim(-lim * 1.12, lim * 1.12)
    ticks = range(-math.ceil(lim), math.ceil(lim) + 1)
    step = max(1, len(ticks) // 12)
    ax.set_yticks([t for t in ticks if t % step == 0])
    ax.set_yticklabels(["x%g" % (2.0 ** t) if t >= 0 else "x1/%g" % (2.0 ** -t)
                        for t in ticks if t % step == 0])
    ax.set_ylabel("value / %s's value (log2 scale)" % configs[0]["name"])
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([g for g, _ in groups], rotation=35, ha="right")
    ax.grid(axis="x", visible=False)
    ax.legend([plt.Rectangle((0, 0), 1, 1, color=c) for c in colours],
              ["%d: %s" % (i + 1, name)
               for i, name in enumerate(legend_names(configs))],
              loc="upper left", bbox_to_anchor=(1.005, 1), fontsize=8)
    ax.set_title("mmsim compare: %s\nkey figures relative to the first config"
                 % trace, fontsize=12)
    if skipped:
        fig.text(0.01, 0.005, "not drawn (the first config has 0 or no "
                 "value): " + ", ".join(skipped), fontsize=8,
                 color="#555555", va="bottom")
    fig.tight_layout(rect=(0, 0.04 if skipped else 0, 1, 1))
    return mmsimlog.save(fig, out_dir, "compare-relative.png")


def main():
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    ap.add_argument("compare", help="output of mmsim compare --format json")
    ap.add_argument("-o", "--out", required=True, help="output directory")
    ap.add_argument("--trace", help="trace name for the titles "
                    "(default: the document's file name)")
    a = ap.parse_args()
    configs, failed = mmsimlog.load_compare(a.compare)
    for name, err in failed:
        sys.stderr.write("%s: %s: left out: %s\n" % (PROG, name, err))
    if not configs:
        mmsimlog.fail(PROG, "%s holds no config with a summary" % a.compare, 1)
    plt = mmsimlog.pyplot()
    cmap = plt.get_cmap("tab10" if len(configs) <= 10 else "tab20")
    colours = [cmap(i % cmap.N) for i in range(len(configs))]
    table = figures_for(configs)
    trace = mmsimlog.trace_label(a.compare, a.trace)
    print(plot_absolute(configs, table, trace, a.out, colours))
    print(plot_relative(configs, table, trace, a.out, colours))


if __name__ == "__main__":
    mmsimlog.main_guard(PROG, main)
