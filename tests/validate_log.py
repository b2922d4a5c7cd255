#!/usr/bin/python3
"""validate_log.py - check an mmsim JSON Lines log against docs/log-schema.json.

Usage: validate_log.py LOG [--schema docs/log-schema.json]     (LOG "-" = stdin)

Every line must be one JSON object ending in a newline; t and ev come first;
ev names an event of the schema; every required field is present with its
type, optional fields exactly when their required_if condition holds, no
other keys, keys in the schema's order, enums, bounds and patterns hold; the
header is the first record (once, t 0) and t never decreases.

Prints "validate_log: N records, M kinds OK" and exits 0, or prints the first
error as "validate_log: LOG:LINE: ..." and exits 1. A bad schema or command
line exits 2. Python 3 standard library only.
"""

import json
import os
import re
import sys

DEFAULT_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "..", "docs", "log-schema.json")
JSON_TYPES = {"integer", "number", "string", "boolean", "object", "array"}


class LogError(Exception):
    """A record breaks the schema; the message names what and why."""


class SchemaError(Exception):
    """The schema file itself is malformed."""


def object_hook(pairs):
    """Builds a JSON object (keys stay in file order); duplicates are errors."""
    d = dict(pairs)
    if len(d) != len(pairs):
        seen = set()
        for k, _ in pairs:
            if k in seen:
                raise LogError("duplicate key %r" % k)
            seen.add(k)
    return d


def json_type(v):
    """The JSON type name of a decoded value."""
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "object"
    if isinstance(v, list):
        return "array"
    return "null"


def show(v):
    """A short rendering of a value for error messages."""
    s = json.dumps(v, separators=(",", ":"))
    return s if len(s) <= 60 else s[:57] + "..."


def reject_constant(name):
    raise ValueError("%s is not JSON (RFC 8259)" % name)


# ---- the schema -------------------------------------------------------------

def check_field_spec(where, f):
    for k in ("name", "type", "required", "unit", "description", "mmsim_only"):
        if k not in f:
            raise SchemaError("%s: field spec lacks %r" % (where, k))
    if f["type"] not in JSON_TYPES:
        raise SchemaError("%s: field %r: got type %r, expected one of %s"
                          % (where, f["name"], f["type"],
                             ", ".join(sorted(JSON_TYPES))))
    cond = f.get("required_if")
    if cond is not None and ("field" not in cond or "equals" not in cond):
        raise SchemaError("%s: field %r: required_if needs field and equals"
                          % (where, f["name"]))
    if "pattern" in f:
        f["_re"] = re.compile(f["pattern"])


def load_schema(path):
    try:
        with open(path, encoding="utf-8") as fp:
            schema = json.load(fp)
    except (OSError, ValueError) as e:
        raise SchemaError("%s: %s" % (path, e))
    for k in ("schema_version", "rules", "common_fields", "events"):
        if k not in schema:
            raise SchemaError("%s: lacks %r" % (path, k))
    for f in schema["common_fields"]:
        check_field_spec("%s: common_fields" % path, f)
    for ev, spec in schema["events"].items():
        if not isinstance(spec.get("fields"), list):
            raise SchemaError("%s: events.%s: lacks a fields list" % (path, ev))
        for k in ("description", "log_event", "tracepoint", "kernel_source"):
            if k not in spec:
                raise SchemaError("%s: events.%s: lacks %r" % (path, ev, k))
        for f in spec["fields"]:
            check_field_spec("%s: events.%s" % (path, ev), f)
    return schema


# ---- one record --------------------------------------------------------------

def check_value(f, v):
    """Type, enum, bounds and pattern of one field value."""
    name, want, got = f["name"], f["type"], json_type(v)
    if got != want and not (want == "number" and got == "integer"):
        raise LogError("field %r: got %s %s, expected %s"
                       % (name, got, show(v), want))
    if "enum" in f and v not in f["enum"]:
        raise LogError("field %r: got %s, expected one of %s"
                       % (name, show(v), ", ".join(show(x) for x in f["enum"])))
    if "minimum" in f and v < f["minimum"]:
        raise LogError("field %r: got %s, expected >= %s"
                       % (name, show(v), f["minimum"]))
    if "maximum" in f and v > f["maximum"]:
        raise LogError("field %r: got %s, expected <= %s"
                       % (name, show(v), f["maximum"]))
    if "_re" in f and not f["_re"].search(v):
        raise LogError("field %r: got %s, expected a match of %s"
                       % (name, show(v), f["pattern"]))


def is_expected(f, rec):
    """Whether field f must appear in rec (False: it must not appear)."""
    cond = f.get("required_if")
    if cond is None:
        return f["required"]
    return rec.get(cond["field"]) == cond["equals"]


def check_fields(specs, rec):
    names = [f["name"] for f in specs]
    for k in rec:
        if k not in names:
            raise LogError("unknown field %r (expected only %s)"
                           % (k, ", ".join(names)))
    for f in specs:
        present = f["name"] in rec
        if present:
            check_value(f, rec[f["name"]])
        if f.get("required_if") is None and not f["required"]:
            continue
        if is_expected(f, rec) and not present:
            raise LogError("missing required field %r" % f["name"])
        if not is_expected(f, rec) and present:
            cond = f["required_if"]
            raise LogError("field %r: present, expected only when %s is %s"
                           % (f["name"], cond["field"], show(cond["equals"])))
    order = [n for n in names if n in rec]
    if list(rec) != order:
        raise LogError("keys out of order: got %s, expected %s"
                       % (",".join(rec), ",".join(order)))


PY_TYPES = {"integer": (int,), "number": (int, float), "string": (str,),
            "boolean": (bool,), "object": (dict,), "array": (list,)}


def value_ok(f):
    """A fast predicate for one field's value; check_value() explains a no."""
    types = PY_TYPES[f["type"]]
    enum, rx = f.get("enum"), f.get("_re")
    lo, hi = f.get("minimum"), f.get("maximum")

    def ok(v):
        if type(v) not in types:    # bool is not an integer here
            return False
        if enum is not None and v not in enum:
            return False
        if lo is not None and v < lo:
            return False
        if hi is not None and v > hi:
            return False
        return rx is None or rx.search(v) is not None
    return ok


class EventSpec:
    """One ev of the schema, prepared for the fast path."""

    def __init__(self, common, spec):
        self.fields = common + spec["fields"]
        self.ok = {f["name"]: value_ok(f) for f in self.fields}
        self.conditional = any("required_if" in f for f in self.fields)
        self.keys = tuple(f["name"] for f in self.fields if f["required"])

    def expected_keys(self, rec):
        if not self.conditional:
            return self.keys
        return tuple(f["name"] for f in self.fields if is_expected(f, rec))

    def fast_ok(self, rec):
        """True if rec is exactly the expected keys, in order, all valid."""
        keys = self.expected_keys(rec)
        if tuple(rec) != keys:
            return False
        ok = self.ok
        for k in keys:
            if not ok[k](rec[k]):
                return False
        return True


class Checker:
    """Record-level state: first record, header count, last t, kinds seen."""

    def __init__(self, schema):
        self.schema = schema
        self.rules = schema["rules"]
        self.common = schema["common_fields"]
        self.events = {ev: EventSpec(self.common, spec)
                       for ev, spec in schema["events"].items()}
        self.decoder = json.JSONDecoder(object_pairs_hook=object_hook,
                                        parse_constant=reject_constant)
        self.first = self.rules.get("first_ev")
        self.nr = 0
        self.last_t = None
        self.kinds = set()

    def parse(self, raw):
        if not raw.endswith(b"\n"):
            raise LogError("record not terminated by a newline (truncated log?)")
        try:
            text = raw[:-1].decode("utf-8")
        except UnicodeDecodeError as e:
            raise LogError("not UTF-8: %s" % e)
        if not text.strip():
            raise LogError("empty line, expected a JSON object")
        try:
            rec = self.decoder.decode(text)
        except ValueError as e:
            raise LogError("not JSON: %s" % e)
        if not isinstance(rec, dict):
            raise LogError("got %s, expected a JSON object" % json_type(rec))
        return rec

    def check_order(self, ev, t):
        first = self.first
        if self.nr == 0 and first is not None and ev != first:
            raise LogError("first record: got ev %s, expected %s"
                           % (show(ev), show(first)))
        if ev == first and self.nr > 0 and self.rules.get("header_once"):
            raise LogError("a second %s record, expected one only" % first)
        if ev == first and "header_t" in self.rules \
                and t != self.rules["header_t"]:
            raise LogError("%s: got t %s, expected %s"
                           % (first, show(t), self.rules["header_t"]))
        if self.rules.get("t_non_decreasing") and self.last_t is not None \
                and t < self.last_t:
            raise LogError("t decreased: got %d after %d" % (t, self.last_t))

    def explain(self, rec):
        """The slow path: finds what is wrong and raises it."""
        for f in self.common:
            if f["name"] not in rec:
                raise LogError("missing required field %r" % f["name"])
            check_value(f, rec[f["name"]])
        ev = rec["ev"]
        spec = self.events.get(ev)
        if spec is None:
            raise LogError("unknown ev %s (expected one of %s)"
                           % (show(ev), ", ".join(sorted(self.events))))
        try:
            check_fields(spec.fields, rec)
        except LogError as e:
            raise LogError("ev %s: %s" % (ev, e))

    def check(self, raw):
        rec = self.parse(raw)
        ev = rec.get("ev")
        spec = self.events.get(ev) if type(ev) is str else None
        if spec is None or not spec.fast_ok(rec):
            self.explain(rec)
        self.check_order(ev, rec["t"])
        self.last_t = rec["t"]
        self.kinds.add(ev)
        self.nr += 1


def validate(fp, name, schema):
    """Checks every line of fp; returns (records, kinds) or raises LogError."""
    c = Checker(schema)
    lineno = 0
    for raw in fp:
        lineno += 1
        try:
            c.check(raw)
        except LogError as e:
            raise LogError("%s:%d: %s" % (name, lineno, e))
    if c.nr == 0:
        raise LogError("%s: empty log, expected a %s record first"
                       % (name, schema["rules"].get("first_ev", "header")))
    return c.nr, len(c.kinds)


def parse_args(argv):
    log, schema = None, DEFAULT_SCHEMA
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--schema" and i + 1 < len(argv):
            schema = argv[i + 1]
            i += 2
            continue
        if a.startswith("--schema="):
            schema = a[len("--schema="):]
        elif a in ("-h", "--help"):
            print(__doc__.strip())
            sys.exit(0)
        elif log is None and (a == "-" or not a.startswith("-")):
            log = a
        else:
            raise SchemaError("unexpected argument %r; usage: validate_log.py "
                              "LOG [--schema docs/log-schema.json]" % a)
        i += 1
    if log is None:
        raise SchemaError("usage: validate_log.py LOG "
                          "[--schema docs/log-schema.json]")
    return log, schema


def main(argv):
    try:
        log, schema_path = parse_args(argv)
        schema = load_schema(schema_path)
    except SchemaError as e:
        print("validate_log: %s" % e, file=sys.stderr)
        return 2
    try:
        if log == "-":
            nr, kinds = validate(sys.stdin.buffer, "<stdin>", schema)
        else:
            with open(log, "rb") as fp:
                nr, kinds = validate(fp, log, schema)
    except OSError as e:
        print("validate_log: cannot read %s: %s" % (log, e.strerror),
              file=sys.stderr)
        return 2
    except LogError as e:
        print("validate_log: %s" % e, file=sys.stderr)
        return 1
    print("validate_log: %d records, %d kinds OK" % (nr, kinds))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
