#!/usr/bin/python3
"""refaults.py LOG -o DIR [--trace NAME]: refault distances, anon vs file.

Writes DIR/refaults.png from the refault events of an mmsim log:

  * left: which share of each type's refaults had each refault distance (pages of
    nonresident_age between eviction and refault; mm/workingset.c), on
    logarithmic bins, anon and file apart, with the workingset size each
    type's distances were compared with: its median over the refaults as a
    line and its 10th-90th percentile range as a band (the size moves as
    the LRU lists change);
  * right: the same refaults by distance / workingset size, the number the
    kernel's test (distance <= workingset size, kernel-model.md §5.3)
    really decides on: left of 1 the page is activated, right of it not.

The legend gives each type's refaults and the share activated (the
events' own activate flag). A distance of 0 is counted in the first bin.

A log without refault events (no reclaim happened, or log.events without
"refault") has nothing to plot: the script says so on stderr and exits 1.
"""

import argparse
import math
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import mmsimlog  # noqa: E402

PROG = "refaults.py"
COLOURS = {"anon": "#d62728", "file": "#1f77b4"}


def read(path):
    header = None
    data = {}  # type -> {"distance": [...], "ws": [...], "activated": n}
    for r in mmsimlog.records(path, {"refault"}):
        if r.get("ev") == "header":
            header = r
            continue
        d = data.setdefault(r.get("type", "?"),
                            {"distance": [], "ws": [], "activated": 0})
        d["distance"].append(r.get("distance", 0))
        d["ws"].append(r.get("workingset_size", 0))
        d["activated"] += bool(r.get("activate"))
    if header is None:
        raise mmsimlog.LogError("%s: empty log (no header record)" % path)
    return header, data


def percentile(sorted_vals, p):
    if not sorted_vals:
        return 0
    k = (len(sorted_vals) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (k - lo)


def log_bins(lo, hi, per_decade=8):
    lo = max(lo, 1e-9)
    hi = max(hi, lo * 10)
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    n = max(1, (b - a) * per_decade)
    return [10 ** (a + i * (b - a) / n) for i in range(n + 1)]


def shares(values):
    """Weights that make a histogram show each bin's share in percent."""
    return [100.0 / len(values)] * len(values)


def distance_panel(ax, data):
    hi = max(max(d["distance"] + d["ws"]) for d in data.values())
    lo = min(min(d["distance"] + d["ws"]) for d in data.values())
    bins = log_bins(max(lo, 1), max(hi, 10))
    for kind in sorted(data):
        d = data[kind]
        colour = COLOURS.get(kind, "#7f7f7f")
        n = len(d["distance"])
        ax.hist([max(x, 1) for x in d["distance"]], bins=bins,
                weights=shares(d["distance"]),
                histtype="step", lw=1.6, color=colour,
                label="%s: %d refaults, %.1f%% activated"
                % (kind, n, 100.0 * d["activated"] / n))
        ws = sorted(d["ws"])
        med = percentile(ws, 0.5)
        ax.axvspan(max(percentile(ws, 0.1), 1), max(percentile(ws, 0.9), 1),
                   color=colour, alpha=0.12, lw=0)
        ax.axvline(max(med, 1), color=colour, ls="--", lw=1.2,
                   label="%s workingset size: median %d pages (band: "
                   "10th-90th percentile)" % (kind, med))
    ax.set_xscale("log")
    ax.set_xlabel("refault distance (pages, log scale)")
    ax.set_ylabel("share of the type's refaults (%)")
    ax.set_title("refault distance against the workingset size", loc="left")
    ax.legend(loc="upper left")


def ratio_panel(ax, data):
    ratios = {k: [max(x, 1) / max(w, 1) for x, w in zip(d["distance"], d["ws"])]
              for k, d in data.items()}
    all_r = [r for rs in ratios.values() for r in rs]
    bins = log_bins(min(all_r + [0.5]), max(all_r + [2.0]))
    for kind in sorted(ratios):
        rs = ratios[kind]
        within = sum(1 for r in rs if r <= 1)
        ax.hist(rs, bins=bins, weights=shares(rs), histtype="step", lw=1.6,
                color=COLOURS.get(kind, "#7f7f7f"),
                label="%s: %.1f%% at or below 1" % (kind, 100.0 * within / len(rs)))
    ax.axvline(1, color="black", lw=1.2, ls=":")
    ax.text(1, 0.97, "activate \u2190  \u2192 stay inactive ",
            transform=ax.get_xaxis_transform(), ha="center", va="top",
            fontsize=8, bbox=dict(fc="white", ec="none", alpha=0.8))
    ax.set_xscale("log")
    ax.set_xlabel("refault distance / workingset size (log scale)")
    ax.set_ylabel("share of the type's refaults (%)")
    ax.set_title("distance relative to the workingset size", loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(0, 0.92))


def plot(header, data, trace, out_dir):
    plt = mmsimlog.pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(14, 5.5))
    distance_panel(axes[0], data)
    ratio_panel(axes[1], data)
    fig.suptitle("Refault distances, anon vs file\n%s  |  %s" % (
        trace, mmsimlog.short_config(header.get("config", {}))), fontsize=12)
    fig.tight_layout()
    return mmsimlog.save(fig, out_dir, "refaults.png")


def main():
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    ap.add_argument("log", help="mmsim JSON Lines log (- for stdin; .gz/.xz)")
    ap.add_argument("-o", "--out", required=True, help="output directory")
    ap.add_argument("--trace", help="trace name for the title "
                    "(default: the log's file name)")
    a = ap.parse_args()
    header, data = read(a.log)
    if not data:
        mmsimlog.fail(PROG, "%s has no refault events, so there is nothing to "
                      "plot: no page was evicted and faulted back, or "
                      "log.events leaves out \"refault\"" % a.log, 1)
    print(plot(header, data, mmsimlog.trace_label(a.log, a.trace), a.out))


if __name__ == "__main__":
    mmsimlog.main_guard(PROG, main)
