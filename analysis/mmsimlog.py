"""mmsimlog: reading mmsim's JSON Lines event logs and compare documents.

Shared by the analysis/ scripts. Standard library only (the plotting helpers
import matplotlib lazily, with the Agg backend, so nothing needs a display).

A log (docs/log-schema.json) is one JSON object per line: the header first
(ev "header", with the effective config and the machine as built), then
events in non-decreasing simulated time t (ns). Readers here stream: a line
whose event kind is not wanted is skipped before it is parsed (the writer
always puts "t" then "ev" first), so a script that only needs refaults does
not pay for parsing millions of watermark events. Event kinds this module
does not know are passed through or skipped, never an error, so logs from
newer builds (compaction, frag, new reclaim events) still read.

Logs may be plain, .gz or .xz (standard library codecs), or "-" for stdin.
"""

import gzip
import json
import lzma
import os
import sys

HUGE_ORDER = 9  # HPAGE_PMD_ORDER on x86-64: the order of a THP
NS_PER_S = 1e9


class LogError(Exception):
    """A log that cannot be read: names the file and line."""


def _open_text(path):
    if path == "-":
        return sys.stdin
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    if path.endswith(".xz"):
        return lzma.open(path, "rt", encoding="utf-8")
    return open(path, "r", encoding="utf-8")


def _event_name(line):
    """The ev of a line as the writer lays it out ({"t":N,"ev":"NAME",...}),
    or None when the line is laid out otherwise (then it must be parsed)."""
    i = line.find('"ev":"', 0, 48)
    if i < 0:
        return None
    j = line.find('"', i + 6)
    return line[i + 6:j] if j > 0 else None


def records(path, events=None):
    """Yields each record of the log at path as a dict, the header first.

    events: an optional set of event kinds to yield (the header is always
    yielded); other lines are skipped unparsed where possible.
    Raises LogError for a line that is not a JSON object, or a log whose
    first record is not the header.
    """
    f = _open_text(path)
    try:
        for lineno, line in enumerate(f, 1):
            if lineno > 1 and events is not None:
                ev = _event_name(line)
                if ev is not None and ev not in events:
                    continue
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                raise LogError("%s:%d: not a JSON object: %s"
                               % (path, lineno, e)) from None
            if not isinstance(rec, dict):
                raise LogError("%s:%d: got %s, expected a JSON object"
                               % (path, lineno, type(rec).__name__))
            if lineno == 1 and rec.get("ev") != "header":
                raise LogError("%s:1: got ev %r, expected the header record "
                               "(is this an mmsim log?)" % (path, rec.get("ev")))
            if events is not None and lineno > 1 and rec.get("ev") not in events:
                continue
            yield rec
    except UnicodeDecodeError as e:
        raise LogError("%s: not UTF-8 text: %s" % (path, e)) from None
    finally:
        if f is not sys.stdin:
            f.close()


def read_header(path):
    """The header record of the log at path."""
    for rec in records(path, events=set()):
        return rec
    raise LogError("%s: empty log (no header record)" % path)


def machine_zones(header):
    """The zones of the machine as built: dicts with zone, nid,
    managed_pages, min, low, high (pages), from the header's config."""
    machine = header.get("config", {}).get("machine", {})
    return list(machine.get("zones", []))


def short_config(config):
    """A short name of a config for titles: policy, memory, swappiness
    (and the compaction policy where the config has one)."""
    reclaim = config.get("reclaim", {})
    memory = config.get("memory", {})
    parts = []
    if "policy" in reclaim:
        parts.append(str(reclaim["policy"]))
    pages = memory.get("pages")
    if isinstance(pages, int):
        parts.append("%s pages (%s)" % (pages, human_bytes(pages * 4096)))
    if "swappiness" in reclaim:
        parts.append("swappiness %s" % reclaim["swappiness"])
    compaction = config.get("compaction", {})
    if isinstance(compaction, dict) and "policy" in compaction:
        parts.append("compaction %s" % compaction["policy"])
    return ", ".join(parts) if parts else "config unknown"


def human_bytes(n):
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return ("%d %s" if n == int(n) else "%.1f %s") % (n, unit)
        n /= 1024.0
    return "%d B" % n


def trace_label(log_path, trace=None):
    """How titles name the trace: --trace NAME if given, else the log's
    file name (the log itself carries no paths, by design)."""
    if trace:
        return trace
    return "<stdin>" if log_path == "-" else os.path.basename(log_path)


def load_compare(path):
    """Reads a `mmsim compare --format json` document; returns the list of
    {"name", "summary"} entries with a summary, and the list of
    (name, error) of those without. Raises LogError on another shape."""
    try:
        with _open_text(path) as f:
            doc = json.load(f)
    except ValueError as e:
        raise LogError("%s: not JSON: %s" % (path, e)) from None
    configs = doc.get("configs") if isinstance(doc, dict) else None
    if not isinstance(configs, list):
        raise LogError("%s: configs: expected an array (the output of "
                       "`mmsim compare --format json`)" % path)
    good, failed = [], []
    for i, c in enumerate(configs):
        if not isinstance(c, dict) or not isinstance(c.get("name"), str):
            raise LogError("%s: configs[%d].name: expected a string" % (path, i))
        if isinstance(c.get("summary"), dict):
            good.append(c)
        else:
            failed.append((c["name"], str(c.get("error", "no summary"))))
    return good, failed


def jget(obj, path, default=None):
    """obj looked up by a dotted path; digits index arrays. default when
    any step is missing."""
    for part in path.split("."):
        if isinstance(obj, list) and part.isdigit():
            i = int(part)
            obj = obj[i] if i < len(obj) else None
        elif isinstance(obj, dict):
            obj = obj.get(part)
        else:
            obj = None
        if obj is None:
            return default
    return obj


def pyplot():
    """matplotlib.pyplot with the Agg backend (no display needed)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({
        "figure.dpi": 100,
        "savefig.dpi": 110,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "legend.fontsize": 8,
        "font.size": 9,
    })
    return plt


def save(fig, out_dir, name):
    """Saves fig as out_dir/name (creating out_dir); returns the path."""
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, name)
    fig.savefig(path + ".part.png", bbox_inches="tight")
    os.replace(path + ".part.png", path)
    return path


def fail(prog, message, status=2):
    """Prints prog: message on stderr and exits with status."""
    sys.stderr.write("%s: %s\n" % (prog, message))
    sys.exit(status)


def main_guard(prog, main):
    """Runs main(), turning LogError and OSError into clean messages."""
    try:
        main()
    except LogError as e:
        fail(prog, str(e), 2)
    except OSError as e:
        fail(prog, "%s: %s" % (getattr(e, "filename", None) or "", e.strerror
                               or e), 2)
    except KeyboardInterrupt:
        fail(prog, "interrupted", 130)
