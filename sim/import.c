/*
 * import.c - `mmsim import`: converts `perf script`, ftrace and trace-cmd
 * report text into trace format v1 CSV (traces/FORMAT.md), and says what it
 * did.
 *
 * `mmsim run` reads the same text directly (trace.c lists the formats of
 * trace_text.c); import exists so a capture can be converted once, looked
 * at, filtered by process (--pid, --comm), and so the conversion's losses
 * are reported: events of tracepoints that are not mapped, failed
 * allocations, rows reordered or clamped by the reordering window, events
 * the tracer itself lost, malformed lines.
 *
 * The input is a path or "-" (stdin; compressed captures come through a
 * pipe: `xzcat t.txt.xz | mmsim import -`). Its first TRACE_PEEK_BYTES are
 * read for detection and then replayed to the reader, so stdin needs no
 * seeking. The output is written to OUT.part and renamed to OUT at the end,
 * so an interrupted or failed import never leaves a truncated OUT; an OUT
 * that exists and is not a regular file (/dev/null, a FIFO) is written in
 * place, never replaced.
 *
 * One fixed header for every row:
 *   time_ns,op,pid,addr,type,dev,ino,write,order,migratetype,pfn,gfp
 * with the fields a row does not have left empty ("not given"). addr is
 * 0x-hex (a virtual address, or a file offset in bytes for file pages),
 * every other number decimal; migratetype is the kernel's number; gfp is
 * the kernel's flag names joined by '|'.
 *
 * Exit status: 0; 2 for bad input or a bad command line (with the message,
 * "FILE:LINE: ..." for a malformed line); 1 when the output cannot be
 * written.
 */
#include "import.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bug.h"
#include "mm/gfp.h"
#include "trace_text.h"
#include "xalloc.h"

#define IMPORT_PROGRESS_EVERY	65536	/* rows between clock reads */
#define IMPORT_OUT_BUF_BYTES	(1u << 20)
#define IMPORT_ROW_MAX_BYTES	1024	/* longest formatted row, with slack */
#define IMPORT_GFP_CACHE	64	/* formatted gfp strings kept */
#define IMPORT_GFP_MAX_BYTES	512

static const char import_usage[] =
	"usage: mmsim import INPUT [-o OUT.csv] [--pid N]... [--comm NAME]...\n"
	"                    [--skip-bad-rows] [--format auto|perf|ftrace|trace-cmd]\n"
	"                    [--window-ms MS] [--window-rows N]\n"
	"Converts perf script, ftrace or trace-cmd report text (INPUT, or - for\n"
	"stdin) into trace format v1 CSV on OUT (default stdout), and reports on\n"
	"stderr what was converted and what was skipped. Exit 0, 2 on bad input.\n";

static const char import_csv_header[] =
	"time_ns,op,pid,addr,type,dev,ino,write,order,migratetype,pfn,gfp\n";

/* trace format v1 op names, indexed by enum trace_op. */
static const char *const import_op_names[NR_TRACE_OPS] = {
	[TRACE_OP_ACCESS] = "access", [TRACE_OP_UNMAP] = "unmap",
	[TRACE_OP_EXIT] = "exit",     [TRACE_OP_ALLOC] = "alloc",
	[TRACE_OP_FREE] = "free",     [TRACE_OP_EVICT] = "evict",
};

struct import_args {
	const char *input;
	const char *output;		/* NULL or "-": stdout */
	const char *format;		/* "auto" or a format name */
	struct trace_text_opts opts;
	uint32_t *pids;
	const char **comms;
};

/* CSV rows are formatted into buf and written in large blocks. */
struct import_writer {
	FILE *f;
	char *buf;
	size_t len;
	struct {
		bool valid;
		gfp_t gfp;
		size_t len;
		char s[IMPORT_GFP_MAX_BYTES];
	} gfp_cache[IMPORT_GFP_CACHE];	/* direct-mapped by gfp value */
};

struct import_progress {
	bool tty;
	bool shown;
	struct timespec last;
};

/* ---- command line ---- */

static int import_bad_arg(const char *opt, const char *got,
			  const char *expected)
{
	fprintf(stderr, "mmsim import: %s: got '%s', expected %s\n", opt, got,
		expected);
	return 2;
}

static bool import_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/*
 * The value of an option given as "--opt VALUE" or "--opt=VALUE"; NULL
 * if argv[*i] is not opt. *i moves past a separate value.
 */
static const char *import_opt_value(int argc, char **argv, int *i,
				    const char *opt, bool *missing)
{
	size_t n = strlen(opt);
	const char *a = argv[*i];

	*missing = false;
	if (strncmp(a, opt, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

static int import_take_value(struct import_args *a, const char *opt,
			     const char *v)
{
	uint64_t n;

	if (!strcmp(opt, "-o") || !strcmp(opt, "--output")) {
		a->output = v;
	} else if (!strcmp(opt, "--format")) {
		if (strcmp(v, "auto") && !trace_text_format_by_name(v))
			return import_bad_arg(opt, v,
					      "auto, perf, ftrace or trace-cmd");
		a->format = v;
	} else if (!strcmp(opt, "--pid")) {
		if (!import_parse_u64(v, &n) || n > UINT32_MAX)
			return import_bad_arg(opt, v, "a process id");
		a->pids[a->opts.nr_pids++] = (uint32_t)n;
	} else if (!strcmp(opt, "--comm")) {
		a->comms[a->opts.nr_comms++] = v;
	} else if (!strcmp(opt, "--window-ms")) {
		if (!import_parse_u64(v, &n) || n > UINT64_MAX / 1000000)
			return import_bad_arg(opt, v, "milliseconds");
		a->opts.window_ns = n * 1000000;
	} else if (!strcmp(opt, "--window-rows")) {
		if (!import_parse_u64(v, &n) || n < 1 || n > (1u << 30))
			return import_bad_arg(opt, v, "1..1073741824 rows");
		a->opts.window_rows = (size_t)n;
	} else {
		SIM_BUG_ON(1);
	}
	return 0;
}

/* Options that take a value. */
static const char *const import_value_opts[] = {
	"-o", "--output", "--format", "--pid", "--comm", "--window-ms",
	"--window-rows",
};

/* One argument at argv[*i]: 0, 2 (bad), or -1 for --help. */
static int import_parse_one(struct import_args *a, int argc, char **argv,
			    int *i)
{
	const char *arg = argv[*i];
	bool missing;

	if (!strcmp(arg, "-h") || !strcmp(arg, "--help"))
		return -1;
	if (!strcmp(arg, "--skip-bad-rows")) {
		a->opts.skip_bad_rows = true;
		return 0;
	}
	for (size_t k = 0; k < ARRAY_SIZE(import_value_opts); k++) {
		const char *opt = import_value_opts[k];
		const char *v = import_opt_value(argc, argv, i, opt, &missing);

		if (missing)
			return import_bad_arg(opt, "nothing", "a value");
		if (v)
			return import_take_value(a, opt, v);
	}
	if (arg[0] == '-' && arg[1] != '\0')
		return import_bad_arg("option", arg, "one of mmsim import's "
				      "options (see --help)");
	if (a->input)
		return import_bad_arg("INPUT", arg, "one input only");
	a->input = arg;
	return 0;
}

static int import_parse_args(struct import_args *a, int argc, char **argv)
{
	trace_text_default_opts(&a->opts);
	a->format = "auto";
	a->pids = xcalloc((size_t)argc + 1, sizeof(*a->pids));
	a->comms = xcalloc((size_t)argc + 1, sizeof(*a->comms));
	a->opts.pids = a->pids;
	a->opts.comms = a->comms;
	for (int i = 1; i < argc; i++) {
		int r = import_parse_one(a, argc, argv, &i);

		if (r < 0) {
			fputs(import_usage, stdout);
			return -1;
		}
		if (r)
			return r;
	}
	if (!a->input) {
		fputs(import_usage, stderr);
		return 2;
	}
	return 0;
}

/* ---- CSV rows ---- */

static char *import_put_u64(char *p, uint64_t v)
{
	char tmp[24];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *import_put_hex(char *p, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[20];
	size_t n = 0;

	*p++ = '0';
	*p++ = 'x';
	do {
		tmp[n++] = digits[v & 15];
		v >>= 4;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *import_put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

/* The access/evict columns: addr,type,dev,ino,write. */
static char *import_put_page(char *p, const struct trace_row *r)
{
	p = import_put_hex(p, r->addr);
	*p++ = ',';
	if (r->type == PAGE_FILE) {
		p = import_put_str(p, "file,");
		p = import_put_u64(p, r->dev);
		*p++ = ',';
		p = import_put_u64(p, r->ino);
	} else {
		p = import_put_str(p, "anon,,");
	}
	*p++ = ',';
	if (r->op == TRACE_OP_ACCESS)
		*p++ = r->write ? '1' : '0';
	return p;
}

/* The kernel's gfp names for gfp; formatting is slow, the values repeat. */
static char *import_put_gfp(struct import_writer *w, char *p, gfp_t gfp)
{
	size_t h = (size_t)((gfp * 0x9e3779b1u) >> 26) % IMPORT_GFP_CACHE;

	if (!w->gfp_cache[h].valid || w->gfp_cache[h].gfp != gfp) {
		size_t n = gfp_format(gfp, w->gfp_cache[h].s,
				      sizeof(w->gfp_cache[h].s));

		SIM_BUG_ON(n >= sizeof(w->gfp_cache[h].s));
		w->gfp_cache[h].valid = true;
		w->gfp_cache[h].gfp = gfp;
		w->gfp_cache[h].len = n;
	}
	memcpy(p, w->gfp_cache[h].s, w->gfp_cache[h].len);
	return p + w->gfp_cache[h].len;
}

/* Formats one row (with its newline) at p; returns the end. */
static char *import_format_row(struct import_writer *w, char *p,
			       const struct trace_row *r)
{
	p = import_put_u64(p, r->time_ns);
	*p++ = ',';
	p = import_put_str(p, import_op_names[r->op]);
	*p++ = ',';
	p = import_put_u64(p, r->pid);
	*p++ = ',';
	if (r->op == TRACE_OP_ACCESS || r->op == TRACE_OP_EVICT)
		p = import_put_page(p, r);
	else
		p = import_put_str(p, ",,,,");
	*p++ = ',';
	if (r->has & TRACE_HAS_ORDER)
		p = import_put_u64(p, r->order);
	*p++ = ',';
	if (r->has & TRACE_HAS_MIGRATETYPE)
		p = import_put_u64(p, (uint64_t)r->migratetype);
	*p++ = ',';
	if (r->has & TRACE_HAS_PFN)
		p = import_put_u64(p, r->pfn);
	*p++ = ',';
	if (r->has & TRACE_HAS_GFP)
		p = import_put_gfp(w, p, r->gfp);
	*p++ = '\n';
	return p;
}

static void import_flush(struct import_writer *w)
{
	fwrite(w->buf, 1, w->len, w->f);
	w->len = 0;
}

static void import_write_row(struct import_writer *w,
			     const struct trace_row *r)
{
	if (w->len + IMPORT_ROW_MAX_BYTES > IMPORT_OUT_BUF_BYTES)
		import_flush(w);
	w->len = (size_t)(import_format_row(w, w->buf + w->len, r) - w->buf);
}

/* ---- progress and report ---- */

static double import_elapsed_s(const struct timespec *a,
			       const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void import_progress(struct import_progress *pg,
			    const struct trace_text_stats *st, uint64_t rows)
{
	struct timespec now;

	if (!pg->tty || rows % IMPORT_PROGRESS_EVERY)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (import_elapsed_s(&pg->last, &now) < 1.0)
		return;
	pg->last = now;
	pg->shown = true;
	fprintf(stderr, "\rmmsim import: %" PRIu64 " lines, %" PRIu64
		" rows...", st->lines, rows);
}

static void import_report_names(struct trace_text *t, bool gfp)
{
	const char *name;
	uint64_t count;

	for (size_t i = 0;
	     gfp ? trace_text_unknown_gfp(t, i, &name, &count) :
		   trace_text_skipped(t, i, &name, &count);
	     i++)
		fprintf(stderr, "    %-40s %" PRIu64 "\n", name, count);
}

static void import_report(struct trace_text *t, const struct import_args *a,
			  const char *path, const char *fmt_name,
			  bool detected)
{
	const struct trace_text_stats *st = trace_text_stats(t);
	uint64_t rows = 0;

	for (int op = 0; op < NR_TRACE_OPS; op++)
		rows += st->rows[op];
	fprintf(stderr, "mmsim import: %s: format %s (%s), %" PRIu64
		" lines, %" PRIu64 " event lines\n", path, fmt_name,
		detected ? "detected" : "--format", st->lines, st->event_lines);
	fprintf(stderr, "mmsim import: %" PRIu64 " rows written to %s: access %"
		PRIu64 " (file %" PRIu64 "), evict %" PRIu64 ", alloc %" PRIu64
		", free %" PRIu64 "\n", rows,
		a->output && strcmp(a->output, "-") ? a->output : "<stdout>",
		st->rows[TRACE_OP_ACCESS], st->file_access_rows,
		st->rows[TRACE_OP_EVICT], st->rows[TRACE_OP_ALLOC],
		st->rows[TRACE_OP_FREE]);
	fprintf(stderr, "mmsim import: %" PRIu64 " events skipped "
		"(tracepoint not mapped)\n", st->skipped_events);
	import_report_names(t, false);
	fprintf(stderr, "mmsim import: %" PRIu64 " failed allocations skipped "
		"(mm_page_alloc pfn -1)\n", st->failed_alloc);
	fprintf(stderr, "mmsim import: %" PRIu64 " event lines filtered out "
		"(--pid/--comm)\n", st->filtered);
	fprintf(stderr, "mmsim import: reordering window %" PRIu64 " ms / %zu"
		" rows: %" PRIu64 " rows put in order, %" PRIu64 " late rows "
		"clamped (at most %" PRIu64 " ns)\n",
		a->opts.window_ns / 1000000, a->opts.window_rows,
		st->reordered, st->reordered_late, st->max_late_ns);
	fprintf(stderr, "mmsim import: %" PRIu64 " events lost by the tracer "
		"(%" PRIu64 " lost-event notes without a count)\n",
		st->lost_events, st->lost_lines);
	fprintf(stderr, "mmsim import: %" PRIu64 " bad rows skipped%s%s\n",
		st->bad_rows, st->bad_rows ? "; first: " : "",
		trace_text_first_bad(t));
	if (trace_text_unknown_gfp(t, 0, &(const char *){ NULL },
				   &(uint64_t){ 0 })) {
		fprintf(stderr, "mmsim import: gfp flag names not modelled, "
			"left out of gfp (name, allocations):\n");
		import_report_names(t, true);
	}
}

/* ---- input and output ---- */

/* Reads the detection peek: up to TRACE_PEEK_BYTES. */
static size_t import_peek(FILE *f, unsigned char *buf)
{
	size_t n = 0, got;

	while (n < TRACE_PEEK_BYTES &&
	       (got = fread(buf + n, 1, TRACE_PEEK_BYTES - n, f)) > 0)
		n += got;
	return n;
}

static const struct trace_format *
import_choose_format(const struct import_args *a, const unsigned char *peek,
		     size_t len, const char *path)
{
	const struct trace_format *fmt;
	size_t n = 0;

	if (strcmp(a->format, "auto"))
		return trace_text_format_by_name(a->format);
	fmt = trace_text_detect(peek, len);
	if (fmt)
		return fmt;
	if (len == 0) {
		fprintf(stderr, "mmsim import: %s: empty input, expected perf "
			"script, ftrace or trace-cmd report text\n", path);
		return NULL;
	}
	while (n < len && n < 80 && peek[n] != '\n')
		n++;
	fprintf(stderr, "mmsim import: %s: not perf script, ftrace or "
		"trace-cmd report text (first line: '%.*s'); CSV traces need "
		"no import\n", path, (int)n, (const char *)peek);
	return NULL;
}

struct import_out {
	FILE *f;
	char *part;		/* OUT.part, or NULL for stdout */
	const char *path;
};

/* True if path exists and is not a regular file (/dev/null, a FIFO...). */
static bool import_is_special(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

static int import_open_out(struct import_out *o, const char *output)
{
	o->part = NULL;
	o->path = "<stdout>";
	o->f = stdout;
	if (output && strcmp(output, "-") && import_is_special(output)) {
		o->path = output;
		o->f = fopen(output, "w");
		if (!o->f) {
			fprintf(stderr, "mmsim import: %s: %s\n", output,
				strerror(errno));
			return 1;
		}
	} else if (output && strcmp(output, "-")) {
		size_t n = strlen(output);

		o->path = output;
		o->part = xmalloc(n + 6);
		memcpy(o->part, output, n);
		memcpy(o->part + n, ".part", 6);
		o->f = fopen(o->part, "w");
		if (!o->f) {
			fprintf(stderr, "mmsim import: %s: %s\n", o->part,
				strerror(errno));
			free(o->part);
			return 1;
		}
	}
	return 0;
}

/* Finishes the output: renames OUT.part to OUT when ok, else removes it. */
static int import_close_out(struct import_out *o, bool ok)
{
	int status = ok ? 0 : 2;

	if (fflush(o->f) != 0 || ferror(o->f)) {
		fprintf(stderr, "mmsim import: %s: write error: %s\n",
			o->part ? o->part : o->path, strerror(errno));
		status = 1;
	}
	if (o->f != stdout && fclose(o->f) != 0 && status == 0) {
		fprintf(stderr, "mmsim import: %s: %s\n",
			o->part ? o->part : o->path, strerror(errno));
		status = 1;
	}
	if (o->part) {
		if (status == 0 && rename(o->part, o->path) != 0) {
			fprintf(stderr, "mmsim import: rename %s to %s: %s\n",
				o->part, o->path, strerror(errno));
			status = 1;
		}
		if (status != 0)
			remove(o->part);
		free(o->part);
	}
	return status;
}

/* Streams rows from t to out; false on a malformed line (reported). */
static bool import_rows(struct trace_text *t, FILE *out,
			struct import_progress *pg)
{
	struct import_writer *w = xcalloc(1, sizeof(*w));
	struct trace_row row;
	uint64_t rows = 0;
	int r;

	w->f = out;
	w->buf = xmalloc(IMPORT_OUT_BUF_BYTES);
	fputs(import_csv_header, out);
	while ((r = trace_text_next(t, &row)) == TRACE_ROW) {
		import_write_row(w, &row);
		import_progress(pg, trace_text_stats(t), ++rows);
	}
	import_flush(w);
	free(w->buf);
	free(w);
	if (pg->shown)
		fputs("\n", stderr);
	if (r == TRACE_ERR) {
		fprintf(stderr, "mmsim import: %s\n", trace_text_error(t));
		return false;
	}
	return true;
}

static int import_run(struct import_args *a, FILE *in_f, const char *path)
{
	unsigned char *peek = xmalloc(TRACE_PEEK_BYTES);
	size_t len = import_peek(in_f, peek);
	int read_err = ferror(in_f) ? errno : 0;	/* before isatty() */
	const struct trace_format *fmt = NULL;
	struct trace_input in = { in_f, path, peek, len, 0 };
	struct import_progress pg = { isatty(STDERR_FILENO) == 1, false,
				      { 0, 0 } };
	struct import_out out;
	struct trace_text *t = NULL;
	char err[256];
	bool ok;
	int status;

	if (read_err)	/* a directory, an I/O error */
		fprintf(stderr, "mmsim import: %s: read error: %s\n", path,
			strerror(read_err));
	else
		fmt = import_choose_format(a, peek, len, path);
	if (!fmt || !(t = trace_text_open(fmt, &in, &a->opts, err,
					  sizeof(err)))) {
		if (fmt)
			fprintf(stderr, "mmsim import: %s\n", err);
		free(peek);
		return 2;
	}
	if (import_open_out(&out, a->output)) {
		trace_text_close(t);
		free(peek);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &pg.last);
	ok = import_rows(t, out.f, &pg);
	status = import_close_out(&out, ok);
	if (status == 0)
		import_report(t, a, path, fmt->name,
			      !strcmp(a->format, "auto"));
	trace_text_close(t);
	free(peek);
	return status;
}

int import_main(int argc, char **argv)
{
	struct import_args a = { 0 };
	FILE *in_f;
	const char *path;
	int status = import_parse_args(&a, argc, argv);

	if (status == 0) {
		bool is_stdin = !strcmp(a.input, "-");

		path = is_stdin ? "<stdin>" : a.input;
		in_f = is_stdin ? stdin : fopen(a.input, "rb");
		if (!in_f) {
			fprintf(stderr, "mmsim import: %s: %s\n", a.input,
				strerror(errno));
			status = 2;
		} else {
			status = import_run(&a, in_f, path);
			if (!is_stdin)
				fclose(in_f);
		}
	}
	free(a.pids);
	free(a.comms);
	return status < 0 ? 0 : status;
}
