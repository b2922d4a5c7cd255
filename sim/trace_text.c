/*
 * trace_text.c - kernel tracing text (perf script, ftrace, trace-cmd report)
 * read as trace rows.
 *
 * The kernel's tracepoints are the ground truth of what a workload did to
 * memory; three tools print them as text, one event per line:
 *
 *   perf script (default)      COMM TID [CPU] SEC.FRAC: GROUP:EVENT: PAYLOAD
 *   perf script -F comm,pid,tid,cpu,time,event,trace
 *                              COMM PID/TID [CPU] SEC.FRAC: GROUP:EVENT: PAYLOAD
 *   ftrace trace / trace_pipe  COMM-PID [CPU] FLAGS SEC.FRAC: EVENT: PAYLOAD
 *                              ('#' header lines, optional "(TGID)" column)
 *   trace-cmd report           COMM-PID [CPU] SEC.FRAC: EVENT: PAYLOAD
 *                              (a "cpus=N" first line; -l adds latency flags)
 *
 * PAYLOAD is the tracepoint's TP_printk() text (kernel-model.md section 9).
 * The event is found with a scan equivalent to the regex
 * ` [0-9]+\.[0-9]+: +[a-z_]+:[a-z_0-9]+:` (one name, no group, for ftrace
 * and trace-cmd): the comm may hold spaces, '/', ':' and '-', so the line is
 * never split on blanks. Everything left of the timestamp is the head; it is
 * parsed from the right (CPU, then PID[/TID] or COMM-PID), so whatever the
 * comm contains stays in the comm.
 *
 * What the tracepoints become (trace.h rows):
 *   exceptions:page_fault_user  -> access, addr = address=, write = bit 1 of
 *       error_code (x86 X86_PF_WRITE), type anon. Nothing in the event tells
 *       an anonymous fault from a fault on a file mapping, so the fault is
 *       anon; a file fault that reads the file into the page cache also
 *       shows up as mm_filemap_add_to_page_cache, which gives the file access.
 *   filemap:mm_filemap_add_to_page_cache -> access of a file page: type file,
 *       dev = MAJ<<20|MIN (the kernel's MKDEV), ino (hex in the text), addr =
 *       ofs (bytes), order = the folio's order (TRACE_HAS_ORDER; absent on
 *       kernels before 6.x, then 0 without the flag). write = 0.
 *   filemap:mm_filemap_delete_from_page_cache -> evict, same fields.
 *   kmem:mm_page_alloc -> alloc: pfn, order, migratetype (the requested
 *       type; derived from gfp when absent), gfp. A failed allocation prints
 *       pfn -1 (or 0xffffffffffffffff): it allocated nothing, so it is
 *       skipped and counted as failed_alloc.
 *   kmem:mm_page_free -> free: pfn, order.
 *   kmem:mm_page_free_batched -> free, order 0 (the event frees one page).
 * pfn is hex (0x..., 6.x kernels) or decimal (older kernels). gfp names
 * mmsim does not model are dropped from the mask and counted by name. Every
 * other event is counted by its name and skipped.
 *
 * pid: with PID/TID (perf -F ...pid,tid, or ftrace's TGID column) a row
 * carries the process id, since threads share one address space; otherwise
 * only the thread id is printed and the row carries that. --pid matches
 * either; --comm matches the comm exactly; several filters are a union; the
 * filters apply to every event line before anything is counted.
 *
 * Time: SEC.FRAC (1 to 9 fractional digits) becomes ns; row times are ns
 * from the first row returned. The tools merge their per-CPU buffers in
 * time order, but clocks and merges are not perfect, so rows pass through a
 * reordering window that holds each row until a row newer by window_ns has
 * been read, or until more than window_rows rows wait (a FIFO for rows in
 * order, a (time, seq) min-heap for the others; see "the reordering
 * window" below). Rows come out sorted, equal times in line order.
 * Beyond the window, a row older than one already returned cannot be put
 * in place: its time is clamped to the last returned time, and it is
 * counted in reordered_late (with the largest clamp), never dropped and
 * never an error. The replay needs non-decreasing times; the count says
 * how much the input disagreed.
 *
 * Malformed input: an event line of a mapped tracepoint whose payload does
 * not parse, or a line that is neither an event, a comment/header nor a
 * tracer note, is an error "FILE:LINE: ...: got X, expected Y", or with
 * skip_bad_rows is counted and skipped. Unmapped events are never parsed
 * past their name, so their payloads cannot be malformed. "LOST"/"DROPPED"
 * notes of the tools, and the entries-written minus entries-in-buffer of
 * ftrace's header (events the ring buffer overwrote), add to lost_events.
 *
 * Not supported: ftrace's latency-format output (relative "us" times),
 * non-time clocks printed as integers (counter, x86-tsc) and perf output
 * of non-tracepoint events; such lines are malformed.
 *
 * Cost: one pass over each line, no allocation per line; names of skipped
 * events and gfp strings go through small hash tables.
 */
#include "trace_text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bug.h"
#include "eventq.h"
#include "mm/gfp.h"
#include "mm/zone.h"
#include "xalloc.h"

#define TT_LINE_MAX_BYTES	(64u << 20)	/* longer lines are errors */
#define TT_READ_BYTES		(1u << 20)
#define TT_GFP_CACHE_MAX	4096		/* distinct gfp strings cached */
#define TT_MAX_ORDER		31
#define TT_SNIFF_LINES		1000

enum tt_style { TT_PERF, TT_FTRACE, TT_TRACE_CMD };

enum tt_kind {
	TT_FAULT, TT_FILEMAP_ADD, TT_FILEMAP_DELETE,
	TT_PAGE_ALLOC, TT_PAGE_FREE, TT_PAGE_FREE_BATCHED,
	TT_UNMAPPED,
};

struct tt_span {
	const char *p;
	size_t n;
};

/* A string literal as a span, its length known at compile time. */
#define TT_SPAN_INIT(lit) { (lit), sizeof(lit) - 1 }
#define TT_LIT(lit) ((struct tt_span)TT_SPAN_INIT(lit))

/* The mapped tracepoints; perf prints the group, ftrace does not. */
static const struct tt_mapped {
	struct tt_span group, name;
	enum tt_kind kind;
} tt_mapped[] = {
	{ TT_SPAN_INIT("exceptions"), TT_SPAN_INIT("page_fault_user"), TT_FAULT },
	{ TT_SPAN_INIT("filemap"), TT_SPAN_INIT("mm_filemap_add_to_page_cache"),
	  TT_FILEMAP_ADD },
	{ TT_SPAN_INIT("filemap"), TT_SPAN_INIT("mm_filemap_delete_from_page_cache"),
	  TT_FILEMAP_DELETE },
	{ TT_SPAN_INIT("kmem"), TT_SPAN_INIT("mm_page_alloc"), TT_PAGE_ALLOC },
	{ TT_SPAN_INIT("kmem"), TT_SPAN_INIT("mm_page_free"), TT_PAGE_FREE },
	{ TT_SPAN_INIT("kmem"), TT_SPAN_INIT("mm_page_free_batched"),
	  TT_PAGE_FREE_BATCHED },
};

/* One event line, cut into its parts. */
struct tt_event {
	struct tt_span head;	/* before the timestamp, trailing blanks cut */
	uint64_t time_ns;	/* absolute, as printed */
	struct tt_span group;	/* empty for ftrace / trace-cmd */
	struct tt_span name;
	struct tt_span payload;
	struct tt_span comm;
	uint32_t pid, tid;
	bool has_flags;		/* ftrace irq/preempt flags column seen */
};

/* name -> (count, value): skipped events, unknown gfp names, gfp cache. */
struct tt_name {
	char *name;
	size_t len;
	uint64_t count;
	uint64_t value;
};

struct tt_names {
	struct tt_name *v;
	size_t n, cap;
	uint32_t *slot;		/* index + 1, 0 = empty; power-of-two size */
	size_t nr_slots;
};

struct trace_text {
	enum tt_style style;
	struct trace_input *in;
	const char *path;
	bool skip_bad_rows;
	uint32_t *pids;
	size_t nr_pids;
	char **comms;
	size_t *comm_lens;
	size_t nr_comms;

	char *buf;		/* line buffer: [start, end) not yet consumed */
	size_t cap, start, end;
	bool in_eof, rows_eof;

	struct trace_row *ring;	/* pending rows read in time order (FIFO) */
	size_t ring_cap, ring_head, ring_len;	/* cap: a power of two */
	struct eventq *late_q;	/* pending rows read after a newer row */
	struct trace_row *late_rows;	/* late_q's rows, by slot */
	uint32_t *late_free;	/* free slots of late_rows */
	size_t late_cap, nr_late_free;
	uint64_t window_ns;
	size_t window_rows;
	bool read_any, emitted_any;
	uint64_t newest_ns, emitted_ns, base_ns;

	struct tt_names skipped, unknown_gfp, gfp_cache;
	struct tt_name *last_gfp;	/* the gfp_cache entry used last */
	struct trace_text_stats stats;
	char err[512];
	char first_bad[512];
};

/* ---- small helpers ---- */

static bool tt_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool tt_is_name_char(char c)
{
	return tt_is_digit(c) || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

static struct tt_span tt_trim(struct tt_span s)
{
	while (s.n && (s.p[0] == ' ' || s.p[0] == '\t')) {
		s.p++;
		s.n--;
	}
	while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
		s.n--;
	return s;
}

static bool tt_span_eq(struct tt_span s, struct tt_span lit)
{
	return s.n == lit.n && memcmp(s.p, lit.p, lit.n) == 0;
}

static bool tt_starts(struct tt_span s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n >= n && memcmp(s.p, lit, n) == 0;
}

static bool tt_contains(struct tt_span s, const char *lit)
{
	size_t n = strlen(lit);

	for (size_t i = 0; i + n <= s.n; i++)
		if (memcmp(s.p + i, lit, n) == 0)
			return true;
	return false;
}

/* Copies at most 40 chars of s into dst for a message, '?' for controls. */
static const char *tt_quote(char *dst, size_t dn, struct tt_span s)
{
	size_t max = s.n > 40 ? 40 : s.n, o = 0;

	for (size_t i = 0; i < max && o + 4 < dn; i++) {
		unsigned char c = (unsigned char)s.p[i];

		dst[o++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	if (max < s.n && o + 4 < dn) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
	return dst;
}

static bool tt_dec(struct tt_span s, uint64_t *out)
{
	uint64_t v = 0;

	if (s.n == 0)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		unsigned d = (unsigned)(s.p[i] - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static int tt_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits, with or without a 0x prefix. */
static bool tt_hex(struct tt_span s, uint64_t *out)
{
	uint64_t v = 0;

	if (s.n > 2 && s.p[0] == '0' && (s.p[1] == 'x' || s.p[1] == 'X')) {
		s.p += 2;
		s.n -= 2;
	}
	if (s.n == 0 || s.n > 16)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		int d = tt_hex_digit(s.p[i]);

		if (d < 0)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return true;
}

/* 0x-hex or decimal, as the kernel prints %lx with 0x or %lu. */
static bool tt_num(struct tt_span s, uint64_t *out)
{
	if (s.n > 2 && s.p[0] == '0' && (s.p[1] == 'x' || s.p[1] == 'X'))
		return tt_hex(s, out);
	return tt_dec(s, out);
}

/* The value of "KEY" (e.g. "pfn=" or "dev ") in a payload, up to a blank. */
static bool tt_field(struct tt_span pl, struct tt_span key,
		     struct tt_span *val)
{
	const char *p = pl.p, *end = pl.p + pl.n;

	for (;;) {
		if ((size_t)(end - p) < key.n)
			return false;
		if (p[0] == key.p[0] && memcmp(p, key.p, key.n) == 0) {
			const char *v = p + key.n, *e = v;

			while (e < end && *e != ' ')
				e++;
			*val = (struct tt_span){ v, (size_t)(e - v) };
			return true;
		}
		while (p < end && *p != ' ')
			p++;
		while (p < end && *p == ' ')
			p++;
	}
}

/* ---- name tables ---- */

static uint64_t tt_hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
	return h;
}

static void tt_names_rehash(struct tt_names *t)
{
	size_t ns = t->nr_slots ? t->nr_slots * 2 : 64;

	free(t->slot);
	t->slot = xcalloc(ns, sizeof(*t->slot));
	t->nr_slots = ns;
	for (size_t i = 0; i < t->n; i++) {
		size_t s = tt_hash(t->v[i].name, t->v[i].len) & (ns - 1);

		while (t->slot[s])
			s = (s + 1) & (ns - 1);
		t->slot[s] = (uint32_t)(i + 1);
	}
}

static struct tt_name *tt_names_find(const struct tt_names *t, const char *p,
				     size_t n)
{
	size_t s;

	if (!t->nr_slots)
		return NULL;
	s = tt_hash(p, n) & (t->nr_slots - 1);
	for (; t->slot[s]; s = (s + 1) & (t->nr_slots - 1)) {
		struct tt_name *e = &t->v[t->slot[s] - 1];

		if (e->len == n && memcmp(e->name, p, n) == 0)
			return e;
	}
	return NULL;
}

static struct tt_name *tt_names_add(struct tt_names *t, const char *p,
				    size_t n)
{
	struct tt_name *e = tt_names_find(t, p, n);

	if (e)
		return e;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	e = &t->v[t->n++];
	e->name = xmalloc(n + 1);
	memcpy(e->name, p, n);
	e->name[n] = '\0';
	e->len = n;
	e->count = 0;
	e->value = 0;
	if (2 * t->n > t->nr_slots)
		tt_names_rehash(t);
	else {
		size_t s = tt_hash(p, n) & (t->nr_slots - 1);

		while (t->slot[s])
			s = (s + 1) & (t->nr_slots - 1);
		t->slot[s] = (uint32_t)t->n;
	}
	return e;
}

static void tt_names_free(struct tt_names *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	free(t->slot);
}

static bool tt_names_get(const struct tt_names *t, size_t i,
			 const char **name, uint64_t *count)
{
	if (i >= t->n)
		return false;
	*name = t->v[i].name;
	*count = t->v[i].count;
	return true;
}

/* ---- errors ---- */

__attribute__((format(printf, 4, 0)))
static void tt_vset(struct trace_text *t, char *dst, size_t dn,
		    const char *fmt, va_list ap)
{
	int n = snprintf(dst, dn, "%s:%llu: ", t->path,
			 (unsigned long long)t->stats.lines);

	if (n > 0 && (size_t)n < dn)
		vsnprintf(dst + n, dn - (size_t)n, fmt, ap);
}

/*
 * A malformed line: TRACE_ERR with the message, or with skip_bad_rows 0 to
 * go on (counted, the first message kept).
 */
__attribute__((format(printf, 2, 3)))
static int tt_bad(struct trace_text *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!t->skip_bad_rows) {
		tt_vset(t, t->err, sizeof(t->err), fmt, ap);
		va_end(ap);
		return TRACE_ERR;
	}
	if (t->stats.bad_rows++ == 0)
		tt_vset(t, t->first_bad, sizeof(t->first_bad), fmt, ap);
	va_end(ap);
	return 0;
}

/* ---- input ---- */


/* Makes room for more input: compacts the buffer, grows it when full. */
static int tt_fill(struct trace_text *t)
{
	size_t got;

	if (t->start > 0) {
		memmove(t->buf, t->buf + t->start, t->end - t->start);
		t->end -= t->start;
		t->start = 0;
	}
	if (t->end == t->cap) {
		if (t->cap >= TT_LINE_MAX_BYTES) {
			snprintf(t->err, sizeof(t->err),
				 "%s:%llu: line longer than %u MiB", t->path,
				 (unsigned long long)t->stats.lines + 1,
				 TT_LINE_MAX_BYTES >> 20);
			return TRACE_ERR;
		}
		t->cap *= 2;
		t->buf = xrealloc(t->buf, t->cap);
	}
	got = trace_input_read(t->in, t->buf + t->end, t->cap - t->end);
	t->end += got;
	if (got == 0) {
		if (t->in->f && ferror(t->in->f)) {
			snprintf(t->err, sizeof(t->err), "%s: read error: %s",
				 t->path, strerror(errno));
			return TRACE_ERR;
		}
		t->in_eof = true;
	}
	return 0;
}

/* The next line without its newline (and '\r'): TRACE_ROW, _EOF or _ERR. */
static int tt_next_line(struct trace_text *t, struct tt_span *line)
{
	size_t scanned = t->start;

	for (;;) {
		char *nl = memchr(t->buf + scanned, '\n', t->end - scanned);
		size_t len;

		if (!nl && !t->in_eof) {
			scanned = t->end - t->start;
			if (tt_fill(t) < 0)
				return TRACE_ERR;
			scanned += t->start;
			continue;
		}
		if (!nl && t->start == t->end)
			return TRACE_EOF;
		len = nl ? (size_t)(nl - (t->buf + t->start)) : t->end - t->start;
		line->p = t->buf + t->start;
		line->n = len;
		t->start += len + (nl ? 1 : 0);
		if (line->n && line->p[line->n - 1] == '\r')
			line->n--;
		t->stats.lines++;
		return TRACE_ROW;
	}
}

/* ---- event lines ---- */

/*
 * Is colon the one after a timestamp (" SEC.FRAC:") that is followed by
 * " NAME: " or " GROUP:NAME: "? Fills ev's time, names, payload and head.
 */
static bool tt_event_at(const char *s, const char *end, const char *colon,
			struct tt_event *ev)
{
	const char *p = colon, *dot, *q, *n1, *n2 = NULL, *r;
	uint64_t sec, frac = 0;
	size_t nfrac;

	while (p > s && tt_is_digit(p[-1]))
		p--;
	nfrac = (size_t)(colon - p);
	if (nfrac == 0 || nfrac > 9 || p == s || p[-1] != '.')
		return false;
	dot = --p;
	while (p > s && tt_is_digit(p[-1]))
		p--;
	if (p == dot || p == s || p[-1] != ' ')
		return false;
	q = colon + 1;
	if (q == end || *q != ' ')
		return false;
	while (q < end && *q == ' ')
		q++;
	for (n1 = q; q < end && tt_is_name_char(*q); q++)
		;
	if (q == n1 || q == end || *q != ':')
		return false;
	r = q;
	if (r + 1 < end && r[1] != ' ') {
		for (n2 = r + 1, r = n2; r < end && tt_is_name_char(*r); r++)
			;
		if (r == n2 || r == end || *r != ':' ||
		    (r + 1 < end && r[1] != ' '))
			return false;
	}
	if (!tt_dec((struct tt_span){ p, (size_t)(dot - p) }, &sec) ||
	    sec > UINT64_MAX / 1000000000ull - 1)
		return false;
	tt_dec((struct tt_span){ dot + 1, nfrac }, &frac);
	for (size_t i = nfrac; i < 9; i++)
		frac *= 10;
	ev->time_ns = sec * 1000000000ull + frac;
	if (n2) {
		ev->group = (struct tt_span){ n1, (size_t)(q - n1) };
		ev->name = (struct tt_span){ n2, (size_t)(r - n2) };
	} else {
		ev->group = (struct tt_span){ n1, 0 };
		ev->name = (struct tt_span){ n1, (size_t)(q - n1) };
	}
	r++;
	ev->payload = tt_trim((struct tt_span){ r, (size_t)(end - r) });
	ev->head = tt_trim((struct tt_span){ s, (size_t)(p - 1 - s) });
	return true;
}

static bool tt_u32(struct tt_span s, uint32_t *out)
{
	uint64_t v;

	if (!tt_dec(s, &v) || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* The last blank-separated token of h; h shrinks to what precedes it. */
static struct tt_span tt_pop_token(struct tt_span *h)
{
	size_t i = h->n;
	struct tt_span tok;

	while (i && h->p[i - 1] != ' ' && h->p[i - 1] != '\t')
		i--;
	tok = (struct tt_span){ h->p + i, h->n - i };
	h->n = i;
	*h = tt_trim(*h);
	return tok;
}

static bool tt_is_cpu_token(struct tt_span tok)
{
	uint64_t cpu;

	return tok.n >= 3 && tok.p[0] == '[' && tok.p[tok.n - 1] == ']' &&
	       tt_dec((struct tt_span){ tok.p + 1, tok.n - 2 }, &cpu);
}

/* ftrace's irq/need-resched/context/preempt/migrate flags, e.g. "d..2.". */
static bool tt_is_flags_token(struct tt_span tok)
{
	if (tok.n < 2 || tok.n > 8)
		return false;
	for (size_t i = 0; i < tok.n; i++) {
		char c = tok.p[i];

		if (c != '.' && !strchr("dDXNnpPBhHsSzZ", c) &&
		    tt_hex_digit(c) < 0)
			return false;
	}
	return true;
}

/* perf: "COMM PID[/TID] [CPU]" (the CPU column is optional). */
static bool tt_head_perf(struct tt_event *ev)
{
	struct tt_span h = ev->head, tok, a, b;
	const char *slash;

	if (h.n && h.p[h.n - 1] == ']') {
		tok = tt_pop_token(&h);
		if (!tt_is_cpu_token(tok))
			return false;
	}
	tok = tt_pop_token(&h);
	slash = memchr(tok.p, '/', tok.n);
	a = (struct tt_span){ tok.p, slash ? (size_t)(slash - tok.p) : tok.n };
	if (!tt_u32(a, &ev->pid))
		return false;
	ev->tid = ev->pid;
	if (slash) {
		b = (struct tt_span){ slash + 1,
				      tok.n - (size_t)(slash + 1 - tok.p) };
		if (!tt_u32(b, &ev->tid))
			return false;
	}
	ev->comm = h;
	ev->has_flags = false;
	return true;
}

/*
 * The CPU column of ftrace/trace-cmd with whatever follows it: "[CPU]",
 * "[CPU] FLAGS" or trace-cmd -l's "CPUFLAGS" (e.g. "1d..2.").
 */
static bool tt_head_cpu_flags(struct tt_span *h, bool *has_flags)
{
	struct tt_span tok = tt_pop_token(h);
	size_t d = 0;

	*has_flags = false;
	if (tt_is_cpu_token(tok))
		return true;
	while (d < tok.n && tt_is_digit(tok.p[d]))
		d++;
	if (d > 0 && d < tok.n && tok.p[0] != '[' &&
	    tt_is_flags_token((struct tt_span){ tok.p + d, tok.n - d })) {
		*has_flags = true;
		return true;
	}
	if (!tt_is_flags_token(tok))
		return false;
	*has_flags = true;
	return tt_is_cpu_token(tt_pop_token(h));
}

/* ftrace and trace-cmd: "COMM-PID [(TGID)] [CPU] [FLAGS]". */
static bool tt_head_ftrace(struct tt_event *ev)
{
	struct tt_span h = ev->head, tgid = { NULL, 0 }, num;
	size_t i;

	if (!tt_head_cpu_flags(&h, &ev->has_flags))
		return false;
	if (h.n && h.p[h.n - 1] == ')') {
		const char *open = NULL;

		for (i = h.n; i > 0 && !open; i--)
			if (h.p[i - 1] == '(')
				open = h.p + i - 1;
		if (!open)
			return false;
		tgid = tt_trim((struct tt_span){ open + 1,
				(size_t)(h.p + h.n - 1 - (open + 1)) });
		h.n = (size_t)(open - h.p);
		h = tt_trim(h);
		ev->has_flags = true;	/* only ftrace prints a TGID column */
	}
	for (i = h.n; i > 0 && tt_is_digit(h.p[i - 1]); i--)
		;
	num = (struct tt_span){ h.p + i, h.n - i };
	if (i == 0 || h.p[i - 1] != '-' || !tt_u32(num, &ev->tid))
		return false;
	ev->comm = tt_trim((struct tt_span){ h.p, i - 1 });
	ev->pid = ev->tid;
	if (tgid.n && tgid.p[0] != '-' && !tt_u32(tgid, &ev->pid))
		return false;
	return true;
}

static bool tt_parse_head(enum tt_style style, struct tt_event *ev)
{
	if (style == TT_PERF)
		return ev->group.n > 0 && tt_head_perf(ev);
	return ev->group.n == 0 && tt_head_ftrace(ev);
}

/*
 * Finds the timestamp-and-event of a line: the first candidate whose head
 * parses in style (or in either style when any), so a comm that contains
 * something like " 1.5: a:b:" does not hide the real event.
 */
static bool tt_find_event(struct tt_span line, enum tt_style style,
			  bool any, struct tt_event *ev)
{
	const char *end = line.p + line.n, *c = line.p;

	while ((c = memchr(c, ':', (size_t)(end - c)))) {
		if (tt_event_at(line.p, end, c, ev) &&
		    (any ? tt_parse_head(ev->group.n ? TT_PERF : TT_FTRACE, ev) :
			   tt_parse_head(style, ev)))
			return true;
		c++;
	}
	return false;
}

static enum tt_kind tt_kind_of(enum tt_style style, const struct tt_event *ev)
{
	for (size_t i = 0; i < ARRAY_SIZE(tt_mapped); i++) {
		if (!tt_span_eq(ev->name, tt_mapped[i].name))
			continue;
		if (style == TT_PERF &&
		    !tt_span_eq(ev->group, tt_mapped[i].group))
			continue;
		return tt_mapped[i].kind;
	}
	return TT_UNMAPPED;
}

/* ---- payloads ---- */

/* The event's name as printed, for messages and counts. */
static struct tt_span tt_full_name(const struct tt_event *ev)
{
	if (!ev->group.n)
		return ev->name;
	return (struct tt_span){ ev->group.p,
				 (size_t)(ev->name.p + ev->name.n - ev->group.p) };
}

static int tt_bad_field(struct trace_text *t, const struct tt_event *ev,
			struct tt_span key, const struct tt_span *got,
			const char *expected)
{
	struct tt_span name = tt_full_name(ev);
	char q[64];

	if (key.n && key.p[key.n - 1] == ' ')
		key.n--;	/* "dev ", "ino ": the name without its blank */
	if (!got)
		return tt_bad(t, "%.*s: %.*s missing, expected %s",
			      (int)name.n, name.p, (int)key.n, key.p, expected);
	return tt_bad(t, "%.*s: %.*s got '%s', expected %s", (int)name.n,
		      name.p, (int)key.n, key.p, tt_quote(q, sizeof(q), *got),
		      expected);
}

/* Reads KEY as a number; 1 ok, else what tt_bad() returned. */
static int tt_get_num(struct trace_text *t, const struct tt_event *ev,
		      struct tt_span key, uint64_t *out, bool hex_only)
{
	struct tt_span v;

	if (!tt_field(ev->payload, key, &v))
		return tt_bad_field(t, ev, key, NULL,
				    hex_only ? "a hex number" : "a number");
	if (!(hex_only ? tt_hex(v, out) : tt_num(v, out)))
		return tt_bad_field(t, ev, key, &v,
				    hex_only ? "a hex number" :
				    "a 0x-hex or decimal number");
	return 1;
}

/* order=, into row->order; an optional order may be absent (1). */
static int tt_get_order(struct trace_text *t, const struct tt_event *ev,
			struct trace_row *row, bool optional)
{
	struct tt_span v;
	uint64_t order;

	if (!tt_field(ev->payload, TT_LIT("order="), &v))
		return optional ? 1 :
		       tt_bad_field(t, ev, TT_LIT("order="), NULL, "0..31");
	if (!tt_dec(v, &order) || order > TT_MAX_ORDER)
		return tt_bad_field(t, ev, TT_LIT("order="), &v, "0..31");
	row->order = (unsigned)order;
	row->has |= TRACE_HAS_ORDER;
	return 1;
}

static int tt_fault(struct trace_text *t, const struct tt_event *ev,
		    struct trace_row *row)
{
	uint64_t error_code;
	int r;

	if ((r = tt_get_num(t, ev, TT_LIT("address="), &row->addr, true)) != 1)
		return r;
	if ((r = tt_get_num(t, ev, TT_LIT("error_code="), &error_code, true)) != 1)
		return r;
	row->op = TRACE_OP_ACCESS;
	row->write = (error_code & 0x2) != 0;	/* X86_PF_WRITE */
	return 1;
}

/* "dev MAJ:MIN ino HEX ... ofs=BYTES [order=N]" of the filemap events. */
static int tt_filemap(struct trace_text *t, const struct tt_event *ev,
		      struct trace_row *row, enum trace_op op)
{
	struct tt_span v, maj, min;
	const char *colon;
	uint64_t ma, mi;
	int r;

	if (!tt_field(ev->payload, TT_LIT("dev "), &v))
		return tt_bad_field(t, ev, TT_LIT("dev"), NULL, "MAJOR:MINOR");
	colon = memchr(v.p, ':', v.n);
	maj = (struct tt_span){ v.p, colon ? (size_t)(colon - v.p) : v.n };
	min = colon ? (struct tt_span){ colon + 1,
					v.n - (size_t)(colon + 1 - v.p) } :
		      (struct tt_span){ v.p, 0 };
	if (!colon || !tt_dec(maj, &ma) || !tt_dec(min, &mi) ||
	    ma >= (1u << 12) || mi >= (1u << 20))
		return tt_bad_field(t, ev, TT_LIT("dev"), &v,
				    "MAJOR:MINOR (< 4096 : < 1048576)");
	row->dev = ma << 20 | mi;	/* the kernel's MKDEV() */
	if ((r = tt_get_num(t, ev, TT_LIT("ino "), &row->ino, true)) != 1)
		return r;
	if ((r = tt_get_num(t, ev, TT_LIT("ofs="), &row->addr, false)) != 1)
		return r;
	if ((r = tt_get_order(t, ev, row, true)) != 1)
		return r;
	row->op = op;
	row->type = PAGE_FILE;
	row->has |= TRACE_HAS_INO;
	return 1;
}

/* Parses a gfp_flags string; unknown names are dropped and counted. */
static gfp_t tt_gfp(struct trace_text *t, struct tt_span s)
{
	struct tt_name *cached = t->last_gfp;
	gfp_t gfp = 0, g;
	bool known = true;
	size_t i = 0, bad;

	if (cached && cached->len == s.n && !memcmp(cached->name, s.p, s.n))
		return (gfp_t)cached->value;
	cached = tt_names_find(&t->gfp_cache, s.p, s.n);
	if (cached) {
		t->last_gfp = cached;
		return (gfp_t)cached->value;
	}
	if (gfp_parse(s.p, s.n, &gfp, &bad) != 0) {
		for (gfp = 0; i < s.n; i++) {
			size_t j = i;

			while (j < s.n && s.p[j] != '|')
				j++;
			if (gfp_parse(s.p + i, j - i, &g, &bad) == 0)
				gfp |= g;
			else {
				tt_names_add(&t->unknown_gfp, s.p + i,
					     j - i)->count++;
				known = false;
			}
			i = j;
		}
	}
	t->last_gfp = NULL;	/* tt_names_add() may move the entries */
	if (known && t->gfp_cache.n < TT_GFP_CACHE_MAX)
		tt_names_add(&t->gfp_cache, s.p, s.n)->value = gfp;
	return gfp;
}

static bool tt_is_failed_pfn(struct tt_span v)
{
	uint64_t pfn;

	return tt_span_eq(v, TT_LIT("-1")) || (tt_num(v, &pfn) && pfn == UINT64_MAX);
}

/* mm_page_alloc; 0 with nothing to return for a failed allocation. */
static int tt_page_alloc(struct trace_text *t, const struct tt_event *ev,
			 struct trace_row *row)
{
	struct tt_span v;
	uint64_t mt;
	int r;

	if (!tt_field(ev->payload, TT_LIT("pfn="), &v))
		return tt_bad_field(t, ev, TT_LIT("pfn="), NULL, "a number");
	if (tt_is_failed_pfn(v)) {
		t->stats.failed_alloc++;
		return 0;
	}
	if (!tt_num(v, &row->pfn))
		return tt_bad_field(t, ev, TT_LIT("pfn="), &v,
				    "a 0x-hex or decimal number");
	if ((r = tt_get_order(t, ev, row, false)) != 1)
		return r;
	row->op = TRACE_OP_ALLOC;
	row->has |= TRACE_HAS_PFN;
	if (tt_field(ev->payload, TT_LIT("gfp_flags="), &v)) {
		row->gfp = tt_gfp(t, v);
		row->has |= TRACE_HAS_GFP;
		row->migratetype = gfp_migratetype(row->gfp);
		row->has |= TRACE_HAS_MIGRATETYPE;
	}
	if (tt_field(ev->payload, TT_LIT("migratetype="), &v)) {
		if (!tt_dec(v, &mt) || mt >= MIGRATE_TYPES)
			return tt_bad_field(t, ev, TT_LIT("migratetype="), &v,
					    "0..3 (enum migratetype)");
		row->migratetype = (int)mt;
		row->has |= TRACE_HAS_MIGRATETYPE;
	}
	return 1;
}

static int tt_page_free(struct trace_text *t, const struct tt_event *ev,
			struct trace_row *row, bool batched)
{
	int r;

	if ((r = tt_get_num(t, ev, TT_LIT("pfn="), &row->pfn, false)) != 1)
		return r;
	if (batched) {
		row->order = 0;
		row->has |= TRACE_HAS_ORDER;
	} else if ((r = tt_get_order(t, ev, row, false)) != 1) {
		return r;
	}
	row->op = TRACE_OP_FREE;
	row->has |= TRACE_HAS_PFN;
	return 1;
}

/* 1: row filled; 0: nothing to return (skipped); TRACE_ERR. */
static int tt_payload(struct trace_text *t, enum tt_kind kind,
		      const struct tt_event *ev, struct trace_row *row)
{
	*row = (struct trace_row){ .time_ns = ev->time_ns, .pid = ev->pid,
				   .type = PAGE_ANON, .migratetype = -1,
				   .line = t->stats.lines };
	switch (kind) {
	case TT_FAULT:
		return tt_fault(t, ev, row);
	case TT_FILEMAP_ADD:
		return tt_filemap(t, ev, row, TRACE_OP_ACCESS);
	case TT_FILEMAP_DELETE:
		return tt_filemap(t, ev, row, TRACE_OP_EVICT);
	case TT_PAGE_ALLOC:
		return tt_page_alloc(t, ev, row);
	case TT_PAGE_FREE:
		return tt_page_free(t, ev, row, false);
	case TT_PAGE_FREE_BATCHED:
		return tt_page_free(t, ev, row, true);
	case TT_UNMAPPED:
		break;
	}
	SIM_BUG_ON(1);
	return 0;
}

/* ---- non-event lines ---- */

/* "CPU:N [LOST N EVENTS]", "CPU:N [N EVENTS DROPPED]", "CPU N is empty". */
static bool tt_is_cpu_note(struct tt_span l)
{
	return tt_starts(l, "CPU:") ||
	       (tt_starts(l, "CPU") && l.n > 3 &&
		(tt_is_digit(l.p[3]) || l.p[3] == ' '));
}

static void tt_count_lost(struct trace_text *t, struct tt_span l)
{
	for (size_t i = 0; i < l.n; i++) {
		size_t j = i;
		uint64_t n;

		if (!tt_is_digit(l.p[i]) || (i && l.p[i - 1] != ' ' &&
					     l.p[i - 1] != '['))
			continue;
		while (j < l.n && tt_is_digit(l.p[j]))
			j++;
		if (j + 1 < l.n && l.p[j] == ' ' &&
		    (tt_starts((struct tt_span){ l.p + j + 1, l.n - j - 1 },
			       "EVENTS")) &&
		    tt_dec((struct tt_span){ l.p + i, j - i }, &n)) {
			t->stats.lost_events += n;
			return;
		}
		i = j;
	}
	t->stats.lost_lines++;
}

/*
 * ftrace's header says how many events the ring buffer overwrote:
 * "# entries-in-buffer/entries-written: 49572/63008   #P:2".
 */
static void tt_comment(struct trace_text *t, struct tt_span l)
{
	static const char key[] = "entries-in-buffer/entries-written: ";
	struct tt_span v = l, in_buf, written;
	const char *slash;
	uint64_t a, b;
	size_t i;

	for (i = 0; i + sizeof(key) - 1 <= v.n; i++)
		if (!memcmp(v.p + i, key, sizeof(key) - 1))
			break;
	if (i + sizeof(key) - 1 > v.n)
		return;
	v.p += i + sizeof(key) - 1;
	v.n -= i + sizeof(key) - 1;
	for (i = 0; i < v.n && v.p[i] != ' '; i++)
		;
	v.n = i;
	slash = memchr(v.p, '/', v.n);
	if (!slash)
		return;
	in_buf = (struct tt_span){ v.p, (size_t)(slash - v.p) };
	written = (struct tt_span){ slash + 1, v.n - in_buf.n - 1 };
	if (tt_dec(in_buf, &a) && tt_dec(written, &b) && b > a)
		t->stats.lost_events += b - a;
}

/* Comments, blank lines, tool headers and notes; true when consumed. */
static bool tt_non_event(struct trace_text *t, struct tt_span l)
{
	struct tt_span s = tt_trim(l);

	if (s.n == 0 || s.p[0] == '#' || tt_starts(s, "cpus=") ||
	    tt_starts(s, "version ="))
		return true;
	if (!tt_is_cpu_note(s))
		return false;
	if (tt_contains(s, "LOST") || tt_contains(s, "DROPPED"))
		tt_count_lost(t, s);
	return true;
}

/* ---- rows from lines ---- */

static bool tt_keep(const struct trace_text *t, const struct tt_event *ev)
{
	if (!t->nr_pids && !t->nr_comms)
		return true;
	for (size_t i = 0; i < t->nr_pids; i++)
		if (t->pids[i] == ev->pid || t->pids[i] == ev->tid)
			return true;
	for (size_t i = 0; i < t->nr_comms; i++)
		if (tt_span_eq(ev->comm, (struct tt_span){ t->comms[i], t->comm_lens[i] }))
			return true;
	return false;
}

static int tt_bad_line(struct trace_text *t, struct tt_span l)
{
	char q[64];

	return tt_bad(t, "got '%s', expected an event line %s, a '#' comment "
		      "or a tracer header", tt_quote(q, sizeof(q), l),
		      t->style == TT_PERF ?
		      "'COMM PID[/TID] [CPU] SEC.FRAC: GROUP:EVENT: ...'" :
		      "'COMM-PID [CPU] [FLAGS] SEC.FRAC: EVENT: ...'");
}

/* One line: 1 with a row, 0 nothing to return, TRACE_ERR. */
static int tt_line(struct trace_text *t, struct tt_span l,
		   struct trace_row *row)
{
	struct tt_event ev;
	enum tt_kind kind;
	size_t i = 0;

	while (i < l.n && l.p[i] == ' ')
		i++;
	if (i < l.n && l.p[i] == '#') {
		tt_comment(t, l);
		return 0;	/* a comment, even one that looks like an event */
	}
	if (!tt_find_event(l, t->style, false, &ev))
		return tt_non_event(t, l) ? 0 : tt_bad_line(t, l);
	t->stats.event_lines++;
	if (!tt_keep(t, &ev)) {
		t->stats.filtered++;
		return 0;
	}
	kind = tt_kind_of(t->style, &ev);
	if (kind == TT_UNMAPPED) {
		struct tt_span name = tt_full_name(&ev);

		tt_names_add(&t->skipped, name.p, name.n)->count++;
		t->stats.skipped_events++;
		return 0;
	}
	return tt_payload(t, kind, &ev, row);
}

/* Reads lines until one gives a row: TRACE_ROW, TRACE_EOF, TRACE_ERR. */
static int tt_read_row(struct trace_text *t, struct trace_row *row)
{
	struct tt_span l;
	int r;

	for (;;) {
		r = tt_next_line(t, &l);
		if (r != TRACE_ROW)
			return r;
		r = tt_line(t, l, row);
		if (r != 0)
			return r == 1 ? TRACE_ROW : TRACE_ERR;
	}
}

/* ---- the reordering window ---- */

/*
 * Pending rows live in two sorted places: a FIFO ring of the rows that were
 * read in time order (the common case costs two copies and no comparison),
 * and a (time, seq) min-heap (eventq) of the rows that arrived after a
 * newer one. The next row out is the earlier of the two heads by (time,
 * line): line numbers are the arrival order, so equal times leave in the
 * order they were read.
 */

static void tt_ring_grow(struct trace_text *t)
{
	size_t cap = t->ring_cap ? t->ring_cap * 2 : 1024;
	struct trace_row *v = xmalloc(cap * sizeof(*v));

	for (size_t i = 0; i < t->ring_len; i++)
		v[i] = t->ring[(t->ring_head + i) & (t->ring_cap - 1)];
	free(t->ring);
	t->ring = v;
	t->ring_cap = cap;
	t->ring_head = 0;
}

static void tt_late_push(struct trace_text *t, const struct trace_row *row)
{
	uint32_t slot;

	if (t->nr_late_free == 0) {
		size_t cap = t->late_cap ? t->late_cap * 2 : 64;

		t->late_rows = xrealloc(t->late_rows, cap * sizeof(*t->late_rows));
		t->late_free = xrealloc(t->late_free, cap * sizeof(*t->late_free));
		for (size_t i = cap; i > t->late_cap; i--)
			t->late_free[t->nr_late_free++] = (uint32_t)(i - 1);
		t->late_cap = cap;
	}
	slot = t->late_free[--t->nr_late_free];
	t->late_rows[slot] = *row;
	eventq_push(t->late_q, row->time_ns, 0, 0, slot);
}

static void tt_window_push(struct trace_text *t, struct trace_row *row)
{
	bool late = t->emitted_any && row->time_ns < t->emitted_ns;

	if (late) {
		uint64_t late_ns = t->emitted_ns - row->time_ns;

		t->stats.reordered_late++;
		if (late_ns > t->stats.max_late_ns)
			t->stats.max_late_ns = late_ns;
		row->time_ns = t->emitted_ns;
	}
	if (t->read_any && row->time_ns < t->newest_ns) {
		if (!late)
			t->stats.reordered++;
		tt_late_push(t, row);
		return;
	}
	t->newest_ns = row->time_ns;
	t->read_any = true;
	if (t->ring_len == t->ring_cap)
		tt_ring_grow(t);
	t->ring[(t->ring_head + t->ring_len++) & (t->ring_cap - 1)] = *row;
}

/* The earliest pending row, or NULL; *from_ring says where it is. */
static const struct trace_row *tt_window_oldest(const struct trace_text *t,
						bool *from_ring)
{
	const struct trace_row *r = t->ring_len ? &t->ring[t->ring_head] : NULL;
	struct eventq_item top;
	const struct trace_row *h;

	*from_ring = true;
	if (!eventq_peek(t->late_q, &top))
		return r;
	h = &t->late_rows[top.data];
	if (r && (r->time_ns < h->time_ns ||
		  (r->time_ns == h->time_ns && r->line < h->line)))
		return r;
	*from_ring = false;
	return h;
}

static bool tt_window_ready(const struct trace_text *t)
{
	bool from_ring;
	const struct trace_row *old = tt_window_oldest(t, &from_ring);

	if (!old)
		return false;
	return t->ring_len + eventq_len(t->late_q) > t->window_rows ||
	       t->newest_ns - old->time_ns >= t->window_ns;
}

static int tt_window_pop(struct trace_text *t, struct trace_row *row)
{
	bool from_ring;
	const struct trace_row *old = tt_window_oldest(t, &from_ring);
	struct eventq_item top;

	if (!old)
		return TRACE_EOF;
	*row = *old;
	if (from_ring) {
		t->ring_head = (t->ring_head + 1) & (t->ring_cap - 1);
		t->ring_len--;
	} else {
		eventq_pop(t->late_q, &top);
		t->late_free[t->nr_late_free++] = (uint32_t)top.data;
	}
	if (!t->emitted_any)
		t->base_ns = row->time_ns;
	t->emitted_any = true;
	t->emitted_ns = row->time_ns;
	row->time_ns -= t->base_ns;
	t->stats.rows[row->op]++;
	if (row->op == TRACE_OP_ACCESS && row->type == PAGE_FILE)
		t->stats.file_access_rows++;
	return TRACE_ROW;
}

/* ---- public API ---- */

void trace_text_default_opts(struct trace_text_opts *opts)
{
	*opts = (struct trace_text_opts){
		.window_ns = TRACE_TEXT_WINDOW_NS,
		.window_rows = TRACE_TEXT_WINDOW_ROWS,
	};
}

static enum tt_style tt_style_of(const struct trace_format *fmt)
{
	if (fmt == &trace_format_perf)
		return TT_PERF;
	if (fmt == &trace_format_ftrace)
		return TT_FTRACE;
	SIM_BUG_ON(fmt != &trace_format_trace_cmd);
	return TT_TRACE_CMD;
}

struct trace_text *trace_text_open(const struct trace_format *fmt,
				   struct trace_input *in,
				   const struct trace_text_opts *opts,
				   char *err, size_t errlen)
{
	struct trace_text *t;

	if (opts->window_rows < 1 || opts->window_rows > UINT32_MAX - 1) {
		snprintf(err, errlen, "reordering window: got %zu rows, "
			 "expected 1..%u", opts->window_rows, UINT32_MAX - 1);
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	t->style = tt_style_of(fmt);
	t->in = in;
	t->path = in->path ? in->path : "<input>";
	t->skip_bad_rows = opts->skip_bad_rows;
	t->nr_pids = opts->nr_pids;
	t->pids = xcalloc(opts->nr_pids + 1, sizeof(*t->pids));
	if (opts->nr_pids)
		memcpy(t->pids, opts->pids, opts->nr_pids * sizeof(*t->pids));
	t->nr_comms = opts->nr_comms;
	t->comms = xcalloc(opts->nr_comms + 1, sizeof(*t->comms));
	t->comm_lens = xcalloc(opts->nr_comms + 1, sizeof(*t->comm_lens));
	for (size_t i = 0; i < opts->nr_comms; i++) {
		t->comms[i] = xstrdup(opts->comms[i]);
		t->comm_lens[i] = strlen(t->comms[i]);
	}
	t->cap = TT_READ_BYTES;
	t->buf = xmalloc(t->cap);
	t->late_q = eventq_create();
	t->window_ns = opts->window_ns;
	t->window_rows = opts->window_rows;
	return t;
}

int trace_text_next(struct trace_text *t, struct trace_row *row)
{
	struct trace_row next;

	for (;;) {
		int r;

		if (tt_window_ready(t) || t->rows_eof)
			return tt_window_pop(t, row);
		r = tt_read_row(t, &next);
		if (r == TRACE_ERR)
			return TRACE_ERR;
		if (r == TRACE_EOF)
			t->rows_eof = true;
		else
			tt_window_push(t, &next);
	}
}

const char *trace_text_error(const struct trace_text *t)
{
	return t->err;
}

const char *trace_text_first_bad(const struct trace_text *t)
{
	return t->first_bad;
}

const struct trace_text_stats *trace_text_stats(const struct trace_text *t)
{
	return &t->stats;
}

bool trace_text_skipped(const struct trace_text *t, size_t i,
			const char **name, uint64_t *count)
{
	return tt_names_get(&t->skipped, i, name, count);
}

bool trace_text_unknown_gfp(const struct trace_text *t, size_t i,
			    const char **name, uint64_t *count)
{
	return tt_names_get(&t->unknown_gfp, i, name, count);
}

void trace_text_close(struct trace_text *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nr_comms; i++)
		free(t->comms[i]);
	free(t->comms);
	free(t->comm_lens);
	free(t->pids);
	free(t->buf);
	free(t->ring);
	eventq_destroy(t->late_q);
	free(t->late_rows);
	free(t->late_free);
	tt_names_free(&t->skipped);
	tt_names_free(&t->unknown_gfp);
	tt_names_free(&t->gfp_cache);
	free(t);
}

/* ---- detection ---- */

/*
 * Which text format the first bytes are: the first event line decides
 * (GROUP:EVENT is perf; otherwise a "# tracer:" header, a flags or TGID
 * column make it ftrace, a "cpus=" header or neither make it trace-cmd).
 * Comments and tool headers before it are allowed; any other line first
 * means none of them. Only complete lines are looked at, unless the buffer
 * holds no newline at all.
 */
static int tt_sniff(const unsigned char *buf, size_t len)
{
	const char *p = (const char *)buf, *end = p + len;
	bool tracer_hdr = false, cpus_hdr = false;

	for (int n = 0; p < end && n < TT_SNIFF_LINES; n++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct tt_span l, s;
		struct tt_event ev;

		if (!nl && p != (const char *)buf)
			break;
		l = (struct tt_span){ p, nl ? (size_t)(nl - p) : (size_t)(end - p) };
		p = nl ? nl + 1 : end;
		if (l.n && l.p[l.n - 1] == '\r')
			l.n--;
		s = tt_trim(l);
		if (s.n && s.p[0] == '#' && tt_contains(s, "tracer:"))
			tracer_hdr = true;
		if (tt_starts(s, "cpus="))
			cpus_hdr = true;
		if (s.n == 0 || s.p[0] == '#' || tt_starts(s, "cpus=") ||
		    tt_starts(s, "version ="))
			continue;
		if (!tt_find_event(l, TT_PERF, true, &ev)) {
			if (tt_is_cpu_note(s))
				continue;
			return -1;
		}
		if (ev.group.n)
			return TT_PERF;
		if (cpus_hdr)
			return TT_TRACE_CMD;
		return tracer_hdr || ev.has_flags ? TT_FTRACE : TT_TRACE_CMD;
	}
	return -1;
}

static bool tt_detect_perf(const unsigned char *buf, size_t len)
{
	return tt_sniff(buf, len) == TT_PERF;
}

static bool tt_detect_ftrace(const unsigned char *buf, size_t len)
{
	return tt_sniff(buf, len) == TT_FTRACE;
}

static bool tt_detect_trace_cmd(const unsigned char *buf, size_t len)
{
	return tt_sniff(buf, len) == TT_TRACE_CMD;
}

const struct trace_format *trace_text_detect(const unsigned char *buf,
					     size_t len)
{
	switch (tt_sniff(buf, len)) {
	case TT_PERF:
		return &trace_format_perf;
	case TT_FTRACE:
		return &trace_format_ftrace;
	case TT_TRACE_CMD:
		return &trace_format_trace_cmd;
	default:
		return NULL;
	}
}

const struct trace_format *trace_text_format_by_name(const char *name)
{
	static const struct trace_format *const all[] = {
		&trace_format_perf, &trace_format_ftrace,
		&trace_format_trace_cmd,
	};

	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

/* ---- struct trace_format glue (trace.c's reader interface) ---- */

static void *tt_open_as(const struct trace_format *fmt,
			struct trace_input *in,
			const struct trace_open_opts *o, char *err,
			size_t errlen)
{
	struct trace_text_opts opts;

	trace_text_default_opts(&opts);
	opts.skip_bad_rows = o && o->skip_bad_rows;
	return trace_text_open(fmt, in, &opts, err, errlen);
}

static void *tt_open_perf(struct trace_input *in,
			  const struct trace_open_opts *o, char *err,
			  size_t errlen)
{
	return tt_open_as(&trace_format_perf, in, o, err, errlen);
}

static void *tt_open_ftrace(struct trace_input *in,
			    const struct trace_open_opts *o, char *err,
			    size_t errlen)
{
	return tt_open_as(&trace_format_ftrace, in, o, err, errlen);
}

static void *tt_open_trace_cmd(struct trace_input *in,
			       const struct trace_open_opts *o, char *err,
			       size_t errlen)
{
	return tt_open_as(&trace_format_trace_cmd, in, o, err, errlen);
}

static int tt_next(void *state, struct trace_row *row, char *err,
		   size_t errlen)
{
	int r = trace_text_next(state, row);

	if (r == TRACE_ERR)
		snprintf(err, errlen, "%s", trace_text_error(state));
	return r;
}

static uint64_t tt_bad_rows(void *state)
{
	return trace_text_stats(state)->bad_rows;
}

static const char *tt_first_bad_row(void *state)
{
	return trace_text_first_bad(state);
}

static uint64_t tt_lines(void *state)
{
	return trace_text_stats(state)->lines;
}

static void tt_close(void *state)
{
	trace_text_close(state);
}

const struct trace_format trace_format_perf = {
	.name = "perf",
	.detect = tt_detect_perf,
	.open = tt_open_perf,
	.next = tt_next,
	.bad_rows = tt_bad_rows,
	.lines = tt_lines,
	.close = tt_close,
	.expects = "`perf script` text (\"comm pid [cpu] secs: group:event: fields\")",
	.first_bad_row = tt_first_bad_row,
};

const struct trace_format trace_format_ftrace = {
	.name = "ftrace",
	.detect = tt_detect_ftrace,
	.open = tt_open_ftrace,
	.next = tt_next,
	.bad_rows = tt_bad_rows,
	.lines = tt_lines,
	.close = tt_close,
	.expects = "ftrace text (\"comm-pid [cpu] flags secs: event: fields\")",
	.first_bad_row = tt_first_bad_row,
};

const struct trace_format trace_format_trace_cmd = {
	.name = "trace-cmd",
	.detect = tt_detect_trace_cmd,
	.open = tt_open_trace_cmd,
	.next = tt_next,
	.bad_rows = tt_bad_rows,
	.lines = tt_lines,
	.close = tt_close,
	.expects = "`trace-cmd report` text",
	.first_bad_row = tt_first_bad_row,
};
