/*
 * emit.c - the JSON Lines event log writer. See emit.h and
 * docs/log-schema.json.
 *
 * What the kernel does: reclaim and allocation report themselves through
 * tracepoints (include/trace/events/vmscan.h): mm_vmscan_kswapd_wake prints
 * nid and order, mm_vmscan_lru_shrink_inactive prints what one batch of
 * shrink_inactive_list() scanned and freed, and so on. mmsim writes the same
 * events with the same names and field names as JSON, one object per line,
 * with mmsim's own fields (pid, stall_ns, kswapd, ...) beside them, plus
 * events the kernel has no tracepoint for (watermark crossings, refaults,
 * OOM kills, failed allocations).
 *
 * How: a log may carry millions of records, so records are not built as
 * jansson trees. Each record is appended to one reusable line buffer by a
 * tiny builder (keys are string literals pasted at compile time, integers go
 * through a two-digits-at-a-time formatter, strings are escaped per RFC 8259
 * section 7) and the finished line is handed to stdio with one fwrite() into
 * a large buffer. No record allocates; the line buffer only grows for the
 * header, whose config object is the one thing serialised by jansson
 * (JSON_COMPACT | JSON_SORT_KEYS, so it is byte-identical across runs).
 *
 * Invariants of the log, checked here because a log that breaks them is an
 * mmsim bug: the header is the first record and is written once; t never
 * decreases; keys come in the fixed order of docs/log-schema.json; nothing
 * depends on the host (no paths, hostnames or wall-clock times), so the same
 * trace and config give a byte-identical log.
 *
 * Failure: a write error (disk full) is remembered at the first failing
 * fwrite(), later records are dropped, and emit_close() reports it and
 * removes FILE.part, so a truncated log is never left under the final name.
 *
 * Adding an event kind: one emit_<kind>() function below (begin, fields in
 * schema order, end), its prototype in emit.h and its entry in
 * docs/log-schema.json; tests/validate_log.py needs no change.
 */
#include "emit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bug.h"
#include "utf8.h"
#include "xalloc.h"

#define EMIT_IOBUF_BYTES	(1u << 20)	/* stdio buffer: few write(2)s */
#define EMIT_LINE_BYTES		4096u	/* every event record fits */
#define EMIT_GFP_CHARS		1024u	/* every gfp_names entry joined fits */
#define EMIT_ALL_EVENTS		((1u << NR_LOG_EVENTS) - 1)

/* One record under construction; reused for every record. */
struct emit_line {
	char *buf;
	size_t len;		/* bytes used */
	size_t cap;		/* bytes allocated */
};

struct emit {
	FILE *fp;
	uint32_t mask;		/* 1 << enum log_event */
	bool header_done;	/* the header record has been written */
	uint64_t last_t_ns;	/* t of the last record: t never decreases */
	int write_errno;	/* first write error, 0 while none */
	char *path;		/* final name; NULL when writing to stdout */
	char *part_path;	/* PATH.part, renamed to path by emit_close() */
	char *iobuf;		/* stdio buffer of fp, EMIT_IOBUF_BYTES */
	struct emit_line line;
};

static const char *const wmark_names[NR_WMARK] = { "min", "low", "high" };

/* /proc/pagetypeinfo spelling of enum migratetype. */
static const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic",
};

/* Two decimal digits per entry: "00" "01" ... "99". */
static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* ---- the line builder ---------------------------------------------------- */

static void line_reserve(struct emit_line *l, size_t n)
{
	if (l->len + n <= l->cap)
		return;
	while (l->len + n > l->cap)
		l->cap *= 2;
	l->buf = xrealloc(l->buf, l->cap);
}

static void line_raw(struct emit_line *l, const char *s, size_t n)
{
	line_reserve(l, n);
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

/* Writes v in decimal at the end of out[20]; returns the digit count. */
static size_t u64_to_dec(uint64_t v, char out[20])
{
	char *p = out + 20;

	while (v >= 100) {
		unsigned pair = (unsigned)(v % 100) * 2;

		v /= 100;
		p -= 2;
		p[0] = digit_pairs[pair];
		p[1] = digit_pairs[pair + 1];
	}
	if (v >= 10) {
		p -= 2;
		p[0] = digit_pairs[v * 2];
		p[1] = digit_pairs[v * 2 + 1];
	} else {
		*--p = (char)('0' + v);
	}
	return (size_t)(out + 20 - p);
}

static void line_u64(struct emit_line *l, uint64_t v)
{
	char tmp[20];
	size_t n = u64_to_dec(v, tmp);

	line_raw(l, tmp + 20 - n, n);
}

static void line_i64(struct emit_line *l, int64_t v)
{
	if (v < 0) {
		line_raw(l, "-", 1);
		line_u64(l, (uint64_t)0 - (uint64_t)v);	/* INT64_MIN too */
		return;
	}
	line_u64(l, (uint64_t)v);
}

/* Escapes one byte below 0x80 into p; returns the bytes written. */
static size_t escape_ascii(char *p, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	static const char short_esc[] = "btnvfr";	/* \b \t \n - \f \r */

	if (c == '"' || c == '\\') {
		p[0] = '\\';
		p[1] = (char)c;
		return 2;
	}
	if (c >= 0x20) {
		p[0] = (char)c;
		return 1;
	}
	if (c >= '\b' && c <= '\r' && c != '\v') {
		p[0] = '\\';
		p[1] = short_esc[c - '\b'];
		return 2;
	}
	memcpy(p, "\\u00", 4);
	p[4] = hex[c >> 4];
	p[5] = hex[c & 0xf];
	return 6;
}

/*
 * A JSON string: '"', '\\' and control characters escaped (RFC 8259 §7),
 * valid UTF-8 copied, each byte of invalid UTF-8 replaced by U+FFFD so the
 * line stays valid JSON whatever the input.
 */
static void line_str(struct emit_line *l, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	char *p;

	line_reserve(l, n * 6 + 2);	/* worst case: every byte as \uXXXX */
	p = l->buf + l->len;
	*p++ = '"';
	while (i < n) {
		int k;

		if (u[i] < 0x80) {
			p += escape_ascii(p, u[i++]);
			continue;
		}
		k = utf8_seq_len(u + i, n - i);
		if (k <= 0) {	/* not UTF-8, or cut off by the string's end */
			memcpy(p, "\\ufffd", 6);
			p += 6;
			i++;
			continue;
		}
		memcpy(p, u + i, (size_t)k);
		p += k;
		i += (size_t)k;
	}
	*p++ = '"';
	l->len = (size_t)(p - l->buf);
}

static void line_bool(struct emit_line *l, bool v)
{
	if (v)
		line_raw(l, "true", 4);
	else
		line_raw(l, "false", 5);
}

/*
 * Fields are written as ,"key":value. The key must be a string literal, so
 * the quoted key and its length are computed by the compiler.
 */
#define QKEY(k)			",\"" k "\":", sizeof(",\"" k "\":") - 1
#define FIELD_U64(l, k, v)	(line_raw((l), QKEY(k)), line_u64((l), (v)))
#define FIELD_INT(l, k, v)	(line_raw((l), QKEY(k)), line_i64((l), (v)))
#define FIELD_STR(l, k, v)	(line_raw((l), QKEY(k)), line_str((l), (v)))
#define FIELD_BOOL(l, k, v)	(line_raw((l), QKEY(k)), line_bool((l), (v)))
/* A string field whose value is a literal that needs no escaping. */
#define FIELD_LIT(l, k, v)						\
	line_raw((l), ",\"" k "\":\"" v "\"",				\
		 sizeof(",\"" k "\":\"" v "\"") - 1)

/* ---- records ----------------------------------------------------------- */

/* Starts a record: {"t":T,"ev":"EV". ev must be a string literal. */
#define record_begin(e, t_ns, ev)					\
	record_begin_raw((e), (t_ns), ",\"ev\":\"" ev "\"",		\
			 sizeof(",\"ev\":\"" ev "\"") - 1)

static struct emit_line *record_begin_raw(struct emit *e, uint64_t t_ns,
					  const char *qev, size_t qev_len)
{
	struct emit_line *l = &e->line;

	SIM_BUG_ON(!e->header_done);	/* the header is the first record */
	SIM_BUG_ON(t_ns < e->last_t_ns);	/* t never decreases */
	e->last_t_ns = t_ns;
	l->len = 0;
	line_raw(l, "{\"t\":", 5);
	line_u64(l, t_ns);
	line_raw(l, qev, qev_len);
	return l;
}

/* Ends the record and writes it whole, unless an earlier write failed. */
static void record_end(struct emit *e)
{
	struct emit_line *l = &e->line;

	line_raw(l, "}\n", 2);
	if (e->write_errno)
		return;
	if (fwrite(l->buf, 1, l->len, e->fp) != l->len)
		e->write_errno = errno ? errno : EIO;
}

/* The 6.x RECLAIM_WB_* flags the shrink tracepoints print. */
static void field_reclaim_flags(struct emit_line *l, bool file)
{
	if (file)
		FIELD_LIT(l, "flags", "RECLAIM_WB_FILE|RECLAIM_WB_ASYNC");
	else
		FIELD_LIT(l, "flags", "RECLAIM_WB_ANON|RECLAIM_WB_ASYNC");
}

static void field_gfp_flags(struct emit_line *l, gfp_t gfp)
{
	char buf[EMIT_GFP_CHARS];
	size_t n = gfp_format(gfp, buf, sizeof(buf));

	SIM_BUG_ON(n >= sizeof(buf));
	FIELD_STR(l, "gfp_flags", buf);
}

/* ---- open / close ------------------------------------------------------ */

static void emit_free(struct emit *e)
{
	free(e->line.buf);
	free(e->iobuf);
	free(e->path);
	free(e->part_path);
	free(e);
}

/*
 * stdout gets its own FILE on a dup of fd 1, so the large buffer is ours to
 * free and closing the log leaves the process's stdout usable.
 */
static int emit_open_stdout(struct emit *e, char *err, size_t errlen)
{
	int fd;

	fflush(stdout);	/* anything printed before goes first */
	fd = dup(STDOUT_FILENO);
	if (fd >= 0)
		e->fp = fdopen(fd, "w");
	if (!e->fp) {
		snprintf(err, errlen, "cannot write the log to stdout: %s",
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

static int emit_open_file(struct emit *e, const char *path, char *err,
			  size_t errlen)
{
	size_t n = strlen(path);
	struct stat st;

	e->path = xstrdup(path);
	/* /dev/null, a FIFO or a terminal is written in place, never renamed. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		e->fp = fopen(path, "w");
		if (!e->fp) {
			snprintf(err, errlen, "cannot write %s: %s", path,
				 strerror(errno));
			return -1;
		}
		return 0;
	}
	e->part_path = xmalloc(n + sizeof(".part"));
	memcpy(e->part_path, path, n);
	memcpy(e->part_path + n, ".part", sizeof(".part"));
	e->fp = fopen(e->part_path, "w");
	if (!e->fp) {
		snprintf(err, errlen, "cannot create %s: %s", e->part_path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

struct emit *emit_open(const char *path, uint32_t mask, char *err,
		       size_t errlen)
{
	struct emit *e = xcalloc(1, sizeof(*e));
	int rc;

	e->mask = mask & EMIT_ALL_EVENTS;
	e->line.cap = EMIT_LINE_BYTES;
	e->line.buf = xmalloc(e->line.cap);
	if (strcmp(path, "-") == 0)
		rc = emit_open_stdout(e, err, errlen);
	else
		rc = emit_open_file(e, path, err, errlen);
	if (rc) {
		emit_free(e);
		return NULL;
	}
	e->iobuf = xmalloc(EMIT_IOBUF_BYTES);
	setvbuf(e->fp, e->iobuf, _IOFBF, EMIT_IOBUF_BYTES);
	return e;
}

bool emit_enabled(const struct emit *e, enum log_event kind)
{
	return e && (unsigned)kind < NR_LOG_EVENTS && ((e->mask >> kind) & 1u);
}

/* Flushes and closes fp, remembering the first error. */
static void emit_finish_writes(struct emit *e)
{
	if (fflush(e->fp) != 0 && !e->write_errno)
		e->write_errno = errno ? errno : EIO;
	if (ferror(e->fp) && !e->write_errno)
		e->write_errno = EIO;
	if (fclose(e->fp) != 0 && !e->write_errno)
		e->write_errno = errno ? errno : EIO;
	e->fp = NULL;
}

static int emit_report_write_error(struct emit *e, char *err, size_t errlen)
{
	if (!e->part_path) {
		snprintf(err, errlen, "cannot write the log to %s: %s",
			 e->path ? e->path : "stdout", strerror(e->write_errno));
		return -1;
	}
	remove(e->part_path);
	snprintf(err, errlen, "cannot write %s: %s (incomplete log removed)",
		 e->part_path, strerror(e->write_errno));
	return -1;
}

int emit_close(struct emit *e, char *err, size_t errlen)
{
	int rc = 0;

	if (!e)
		return 0;
	errno = 0;
	emit_finish_writes(e);
	if (e->write_errno) {
		rc = emit_report_write_error(e, err, errlen);
	} else if (e->part_path && rename(e->part_path, e->path) != 0) {
		snprintf(err, errlen,
			 "cannot rename %s to %s: %s (the complete log is left in %s)",
			 e->part_path, e->path, strerror(errno), e->part_path);
		rc = -1;
	}
	emit_free(e);
	return rc;
}

void emit_abort(struct emit *e)
{
	if (!e)
		return;
	fclose(e->fp);
	if (e->part_path)
		remove(e->part_path);
	emit_free(e);
}

/* ---- one function per event kind, fields in docs/log-schema.json order -- */

void emit_header(struct emit *e, const json_t *config,
		 const char *trace_format)
{
	struct emit_line *l;
	char *cfg = NULL;

	if (!e)
		return;
	SIM_BUG_ON(e->header_done);
	SIM_BUG_ON(config && !json_is_object(config));
	if (config) {
		cfg = json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS);
		if (!cfg) {
			fprintf(stderr, "mmsim: out of memory serialising the config\n");
			abort();
		}
	}
	e->header_done = true;
	l = record_begin(e, 0, "header");
	FIELD_INT(l, "schema_version", LOG_SCHEMA_VERSION);
	FIELD_STR(l, "mmsim", MMSIM_VERSION);
	FIELD_STR(l, "trace_format", trace_format ? trace_format : "none");
	line_raw(l, QKEY("config"));
	line_raw(l, cfg ? cfg : "{}", cfg ? strlen(cfg) : 2);
	free(cfg);
	record_end(e);
}

void emit_watermark(struct emit *e, uint64_t t_ns, int nid, const char *zone,
		    enum zone_watermarks mark, bool up, uint64_t free_pages,
		    uint64_t mark_pages)
{
	struct emit_line *l;

	if (!emit_enabled(e, LOG_EV_WATERMARK))
		return;
	SIM_BUG_ON((unsigned)mark >= NR_WMARK);
	l = record_begin(e, t_ns, "watermark");
	FIELD_INT(l, "nid", nid);
	FIELD_STR(l, "zone", zone);
	FIELD_STR(l, "mark", wmark_names[mark]);
	if (up)
		FIELD_LIT(l, "dir", "up");
	else
		FIELD_LIT(l, "dir", "down");
	FIELD_U64(l, "free", free_pages);
	FIELD_U64(l, "mark_pages", mark_pages);
	record_end(e);
}

void emit_refault(struct emit *e, uint64_t t_ns, const struct emit_refault *r)
{
	struct emit_line *l;

	if (!emit_enabled(e, LOG_EV_REFAULT))
		return;
	SIM_BUG_ON(r->page.type != PAGE_ANON && r->page.type != PAGE_FILE);
	l = record_begin(e, t_ns, "refault");
	if (r->page.type == PAGE_ANON) {
		FIELD_LIT(l, "type", "anon");
		FIELD_U64(l, "pid", r->page.pid);
	} else {
		FIELD_LIT(l, "type", "file");
		FIELD_U64(l, "dev", r->page.dev);
		FIELD_U64(l, "ino", r->page.ino);
	}
	FIELD_U64(l, "index", r->page.index);
	FIELD_U64(l, "distance", r->distance);
	FIELD_U64(l, "workingset_size", r->workingset_size);
	FIELD_BOOL(l, "activate", r->activate);
	FIELD_BOOL(l, "restore", r->restore);
	record_end(e);
}

void emit_kswapd_wake(struct emit *e, uint64_t t_ns, int nid, int zid,
		      unsigned order)
{
	struct emit_line *l;

	if (!emit_enabled(e, LOG_EV_KSWAPD))
		return;
	l = record_begin(e, t_ns, "mm_vmscan_kswapd_wake");
	FIELD_INT(l, "nid", nid);
	FIELD_INT(l, "zid", zid);
	FIELD_U64(l, "order", order);
	record_end(e);
}

void emit_kswapd_sleep(struct emit *e, uint64_t t_ns, int nid)
{
	struct emit_line *l;

	if (!emit_enabled(e, LOG_EV_KSWAPD))
		return;
	l = record_begin(e, t_ns, "mm_vmscan_kswapd_sleep");
	FIELD_INT(l, "nid", nid);
	record_end(e);
}

void emit_direct_reclaim_begin(struct emit *e, uint64_t t_ns, uint32_t pid,
			       unsigned order, gfp_t gfp)
{
	struct emit_line *l;

	if (!emit_enabled(e, LOG_EV_DIRECT_RECLAIM))
		return;
	l = record_begin(e, t_ns, "mm_vmscan_direct_reclaim_begin");
	FIELD_U64(l, "order", order);
	field_gfp_flags(l, gfp);
	FIELD_U64(l, "pid", pid);
	record_end(e);
}

void emit_direct_reclaim_end(struct emit *e, uint64_t t_ns,
			     const struct emit_direct_reclaim_end *d)
{
	struct emit_line *l;

	if (!emit_enabled(e, LOG_EV_DIRECT_RECLAIM))
		return;
	l = record_begin(e, t_ns, "mm_vmscan_direct_reclaim_end");
	FIELD_U64(l, "nr_reclaimed", d->nr_reclaimed);
	FIELD_U64(l, "nr_scanned", d->nr_scanned);
	FIELD_U64(l, "stall_ns", d->stall_ns);
	FIELD_U64(l, "pid", d->pid);
	record_end(e);
}

void emit_oom(struct emit *e, uint64_t t_ns, const struct emit_oom *o)
{
	struct emit_line *l;

	if (!emit_enabled(e, LOG_EV_OOM))
		return;
	l = record_begin(e, t_ns, "oom");
	FIELD_U64(l, "victim_pid", o->victim_pid);
	FIELD_U64(l, "pages_freed", o->pages_freed);
	FIELD_U64(l, "rss_pages", o->rss_pages);
	FIELD_U64(l, "trigger_pid", o->trigger_pid);
	FIELD_U64(l, "order", o->order);
	record_end(e);
}

void emit_alloc_fail(struct emit *e, uint64_t t_ns,
		     const struct emit_alloc_fail *a)
{
	struct emit_line *l;

	if (!emit_enabled(e, LOG_EV_ALLOC_FAIL))
		return;
	SIM_BUG_ON(a->migratetype < 0 || a->migratetype >= MIGRATE_TYPES);
	l = record_begin(e, t_ns, "alloc_fail");
	FIELD_U64(l, "pid", a->pid);
	FIELD_U64(l, "order", a->order);
	field_gfp_flags(l, a->gfp);
	FIELD_INT(l, "migratetype", a->migratetype);
	FIELD_STR(l, "migratetype_name", migratetype_names[a->migratetype]);
	record_end(e);
}

void emit_shrink_inactive(struct emit *e, uint64_t t_ns,
			  const struct emit_shrink_inactive *s)
{
	struct emit_line *l;

	if (!emit_enabled(e, LOG_EV_SHRINK))
		return;
	l = record_begin(e, t_ns, "mm_vmscan_lru_shrink_inactive");
	FIELD_INT(l, "nid", s->nid);
	FIELD_U64(l, "nr_scanned", s->nr_scanned);
	FIELD_U64(l, "nr_reclaimed", s->nr_reclaimed);
	FIELD_U64(l, "nr_dirty", s->nr_dirty);
	FIELD_U64(l, "nr_writeback", s->nr_writeback);
	/* No block-device congestion or immediate reclaim in the model. */
	FIELD_U64(l, "nr_congested", 0);
	FIELD_U64(l, "nr_immediate", 0);
	FIELD_U64(l, "nr_activate_anon", s->nr_activate_anon);
	FIELD_U64(l, "nr_activate_file", s->nr_activate_file);
	FIELD_U64(l, "nr_ref_keep", s->nr_ref_keep);
	FIELD_U64(l, "nr_unmap_fail", s->nr_unmap_fail);
	FIELD_INT(l, "priority", s->priority);
	field_reclaim_flags(l, s->file);
	FIELD_BOOL(l, "kswapd", s->kswapd);
	record_end(e);
}

void emit_shrink_active(struct emit *e, uint64_t t_ns,
			const struct emit_shrink_active *s)
{
	struct emit_line *l;

	if (!emit_enabled(e, LOG_EV_SHRINK))
		return;
	l = record_begin(e, t_ns, "mm_vmscan_lru_shrink_active");
	FIELD_INT(l, "nid", s->nid);
	FIELD_U64(l, "nr_taken", s->nr_taken);
	FIELD_U64(l, "nr_active", s->nr_active);
	FIELD_U64(l, "nr_deactivated", s->nr_deactivated);
	FIELD_U64(l, "nr_referenced", s->nr_referenced);
	FIELD_INT(l, "priority", s->priority);
	field_reclaim_flags(l, s->file);
	FIELD_BOOL(l, "kswapd", s->kswapd);
	record_end(e);
}

/* ---- compaction, fragmentation, placement ------------------------------ */

/* An index x1000 as a JSON number with 3 decimals: -1000 -> -1.000. */
static void line_milli(struct emit_line *l, int v)
{
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)(int64_t)v : (uint64_t)v;
	char frac[3];

	if (v < 0)
		line_raw(l, "-", 1);
	line_u64(l, a / 1000);
	frac[0] = (char)('0' + a % 1000 / 100);
	frac[1] = (char)('0' + a % 100 / 10);
	frac[2] = (char)('0' + a % 10);
	line_raw(l, ".", 1);
	line_raw(l, frac, 3);
}

static void line_u64_array(struct emit_line *l, const uint64_t *a, size_t n)
{
	line_raw(l, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			line_raw(l, ",", 1);
		line_u64(l, a[i]);
	}
	line_raw(l, "]", 1);
}

static void line_milli_array(struct emit_line *l, const int *a, size_t n)
{
	line_raw(l, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			line_raw(l, ",", 1);
		line_milli(l, a[i]);
	}
	line_raw(l, "]", 1);
}

#define FIELD_U64_ARRAY(l, k, a, n) \
	(line_raw((l), QKEY(k)), line_u64_array((l), (a), (n)))
#define FIELD_MILLI_ARRAY(l, k, a, n) \
	(line_raw((l), QKEY(k)), line_milli_array((l), (a), (n)))

/* The tracepoint's fields, shared by begin and end. */
static void compaction_head(struct emit_line *l, const struct emit_compaction *c)
{
	FIELD_U64(l, "zone_start", c->zone_start);
	FIELD_U64(l, "migrate_pfn", c->migrate_pfn);
	FIELD_U64(l, "free_pfn", c->free_pfn);
	FIELD_U64(l, "zone_end", c->zone_end);
	if (c->sync)
		FIELD_LIT(l, "mode", "sync");
	else
		FIELD_LIT(l, "mode", "async");
}

static void compaction_ids(struct emit_line *l, const struct emit_compaction *c)
{
	FIELD_INT(l, "nid", c->nid);
	FIELD_STR(l, "zone", c->zone);
	FIELD_INT(l, "order", c->order);
	FIELD_STR(l, "trigger", c->trigger);
	FIELD_U64(l, "pid", c->pid);
}

void emit_compaction_begin(struct emit *e, uint64_t t_ns,
			   const struct emit_compaction *c)
{
	struct emit_line *l;

	if (!emit_enabled(e, LOG_EV_COMPACTION))
		return;
	l = record_begin(e, t_ns, "mm_compaction_begin");
	compaction_head(l, c);
	compaction_ids(l, c);
	record_end(e);
}

void emit_compaction_end(struct emit *e, uint64_t t_ns,
			 const struct emit_compaction *c)
{
	struct emit_line *l;

	if (!emit_enabled(e, LOG_EV_COMPACTION))
		return;
	SIM_BUG_ON(!c->status);
	l = record_begin(e, t_ns, "mm_compaction_end");
	compaction_head(l, c);
	FIELD_STR(l, "status", c->status);
	compaction_ids(l, c);
	FIELD_U64(l, "migrate_scanned", c->migrate_scanned);
	FIELD_U64(l, "free_scanned", c->free_scanned);
	FIELD_U64(l, "isolated", c->isolated);
	FIELD_U64(l, "migrated", c->migrated);
	FIELD_U64(l, "failed", c->failed);
	FIELD_U64(l, "duration_ns", c->duration_ns);
	record_end(e);
}

void emit_kcompactd_wake(struct emit *e, uint64_t t_ns, int nid, int order,
			 int highest_zoneidx)
{
	struct emit_line *l;

	if (!emit_enabled(e, LOG_EV_COMPACTION))
		return;
	l = record_begin(e, t_ns, "mm_compaction_kcompactd_wake");
	FIELD_INT(l, "nid", nid);
	FIELD_INT(l, "order", order);
	FIELD_INT(l, "highest_zoneidx", highest_zoneidx);
	record_end(e);
}

void emit_kcompactd_sleep(struct emit *e, uint64_t t_ns, int nid)
{
	struct emit_line *l;

	if (!emit_enabled(e, LOG_EV_COMPACTION))
		return;
	l = record_begin(e, t_ns, "mm_compaction_kcompactd_sleep");
	FIELD_INT(l, "nid", nid);
	record_end(e);
}

void emit_extfrag(struct emit *e, uint64_t t_ns, const struct emit_extfrag *x)
{
	struct emit_line *l;

	if (!emit_enabled(e, LOG_EV_EXTFRAG))
		return;
	SIM_BUG_ON(x->alloc_migratetype < 0 ||
		   x->alloc_migratetype >= MIGRATE_TYPES ||
		   x->fallback_migratetype < 0 ||
		   x->fallback_migratetype >= MIGRATE_TYPES);
	l = record_begin(e, t_ns, "mm_page_alloc_extfrag");
	FIELD_U64(l, "pfn", x->pfn);
	FIELD_U64(l, "alloc_order", x->alloc_order);
	FIELD_U64(l, "fallback_order", x->fallback_order);
	FIELD_U64(l, "pageblock_order", x->pageblock_order);
	FIELD_INT(l, "alloc_migratetype", x->alloc_migratetype);
	FIELD_INT(l, "fallback_migratetype", x->fallback_migratetype);
	FIELD_INT(l, "fragmenting", x->fallback_order < x->pageblock_order);
	FIELD_INT(l, "change_ownership", x->change_ownership);
	FIELD_INT(l, "nid", x->nid);
	FIELD_STR(l, "zone", x->zone);
	record_end(e);
}

void emit_frag(struct emit *e, uint64_t t_ns, const struct emit_frag *f)
{
	struct emit_line *l;

	if (!emit_enabled(e, LOG_EV_FRAG))
		return;
	l = record_begin(e, t_ns, "frag");
	FIELD_INT(l, "nid", f->nid);
	FIELD_STR(l, "zone", f->zone);
	FIELD_STR(l, "why", f->why);
	FIELD_U64(l, "free_pages", f->snap->free_pages);
	FIELD_U64_ARRAY(l, "free_blocks", f->snap->free_blocks, NR_PAGE_ORDERS);
	FIELD_MILLI_ARRAY(l, "unusable_index", f->snap->unusable_index,
			  NR_PAGE_ORDERS);
	FIELD_MILLI_ARRAY(l, "extfrag_index", f->snap->extfrag_index,
			  NR_PAGE_ORDERS);
	FIELD_U64(l, "score", f->snap->score);
	FIELD_U64(l, "node_score", f->node_score);
	FIELD_U64_ARRAY(l, "pageblocks", f->pageblocks.nr, MIGRATE_TYPES);
	FIELD_U64_ARRAY(l, "mixed_pageblocks", f->pageblocks.mixed,
			MIGRATE_TYPES);
	record_end(e);
}

void emit_placement(struct emit *e, uint64_t t_ns,
		    const struct emit_placement *p)
{
	struct emit_line *l;

	if (!emit_enabled(e, LOG_EV_PLACEMENT))
		return;
	l = record_begin(e, t_ns, "placement");
	FIELD_STR(l, "op", p->op);
	FIELD_U64(l, "pid", p->pid);
	FIELD_U64(l, "pfn", p->pfn);
	FIELD_U64(l, "order", p->order);
	FIELD_STR(l, "reason", p->reason);
	FIELD_STR(l, "action", p->action);
	record_end(e);
}
