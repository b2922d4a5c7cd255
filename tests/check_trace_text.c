/*
 * check_trace_text.c - the perf script / ftrace / trace-cmd text readers.
 *
 * Hand-written snippets (tests/data/text_*.txt) must parse to exactly the
 * rows written out below; on the real capture excerpts (traces/samples/)
 * the rows per op must equal the tracepoint counts found by an independent
 * strstr() scan of the same text; plus reordering, filters, malformed
 * lines, long lines and the struct trace_format glue. Run from the
 * repository root (as `make unit` does).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/gfp.h"
#include "trace_text.h"

#define DATA(f) "tests/data/" f
#define SAMPLES "traces/samples/"

/* ---- helpers ---- */

struct src {
	struct trace_input in;
	unsigned char *peek;
	FILE *f;
	bool piped;
	struct trace_text *t;
};

static struct trace_text *open_text(struct src *s, const char *text,
				    const struct trace_format *fmt,
				    const struct trace_text_opts *opts)
{
	struct trace_text_opts def;
	char err[256];

	memset(s, 0, sizeof(*s));
	if (!opts) {
		trace_text_default_opts(&def);
		opts = &def;
	}
	s->in = (struct trace_input){ NULL, "snippet",
				      (const unsigned char *)text,
				      strlen(text), 0 };
	if (!fmt)
		fmt = trace_text_detect(s->in.peek, s->in.peek_len);
	ck_assert_msg(fmt != NULL, "snippet not detected");
	s->t = trace_text_open(fmt, &s->in, opts, err, sizeof(err));
	ck_assert_msg(s->t != NULL, "open: %s", err);
	return s->t;
}

/* A file, or with xz the output of xzcat, read the way trace.c does. */
static struct trace_text *open_file(struct src *s, const char *path,
				    bool xz, const struct trace_text_opts *o)
{
	struct trace_text_opts def;
	const struct trace_format *fmt;
	char cmd[512], err[256];
	size_t n = 0, got;

	memset(s, 0, sizeof(*s));
	if (!o) {
		trace_text_default_opts(&def);
		o = &def;
	}
	if (xz) {
		snprintf(cmd, sizeof(cmd), "xzcat '%s'", path);
		s->f = popen(cmd, "r");
		s->piped = true;
	} else {
		s->f = fopen(path, "rb");
	}
	ck_assert_msg(s->f != NULL, "cannot open %s (run from the repo root)",
		      path);
	s->peek = malloc(TRACE_PEEK_BYTES);
	while (n < TRACE_PEEK_BYTES &&
	       (got = fread(s->peek + n, 1, TRACE_PEEK_BYTES - n, s->f)) > 0)
		n += got;
	ck_assert_msg(n > 0, "%s is empty", path);
	s->in = (struct trace_input){ s->f, path, s->peek, n, 0 };
	fmt = trace_text_detect(s->peek, n);
	ck_assert_msg(fmt != NULL, "%s not detected", path);
	s->t = trace_text_open(fmt, &s->in, o, err, sizeof(err));
	ck_assert_msg(s->t != NULL, "open: %s", err);
	return s->t;
}

static void close_src(struct src *s)
{
	trace_text_close(s->t);
	if (s->f) {
		if (s->piped)
			ck_assert_int_eq(pclose(s->f), 0);
		else
			fclose(s->f);
	}
	free(s->peek);
}

/* Reads every row; fails the test on TRACE_ERR. */
static size_t read_all(struct trace_text *t, struct trace_row **out)
{
	struct trace_row *v = NULL, r;
	size_t n = 0, cap = 0;
	int st;

	while ((st = trace_text_next(t, &r)) == TRACE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			v = realloc(v, cap * sizeof(*v));
		}
		v[n++] = r;
	}
	ck_assert_msg(st == TRACE_EOF, "unexpected error: %s",
		      trace_text_error(t));
	*out = v;
	return n;
}

static uint64_t skipped_count(struct trace_text *t, const char *name)
{
	const char *nm;
	uint64_t c;

	for (size_t i = 0; trace_text_skipped(t, i, &nm, &c); i++)
		if (!strcmp(nm, name))
			return c;
	return 0;
}

/* An expected row; has/order/mt/pfn/gfp as in struct trace_row. */
struct exp_row {
	uint64_t time_ns;
	enum trace_op op;
	uint32_t pid;
	uint64_t addr;
	enum page_type type;
	uint64_t dev, ino;
	bool write;
	uint32_t has;
	unsigned order;
	int mt;
	uint64_t pfn;
	uint32_t gfp;
	uint64_t line;
};

#define MKDEV(ma, mi) ((uint64_t)(ma) << 20 | (mi))
#define ALLOC_HAS (TRACE_HAS_ORDER | TRACE_HAS_PFN | TRACE_HAS_MIGRATETYPE | \
		   TRACE_HAS_GFP)
#define FREE_HAS (TRACE_HAS_ORDER | TRACE_HAS_PFN)

static void check_rows(const struct trace_row *got, size_t n,
		       const struct exp_row *exp, size_t nexp)
{
	ck_assert_uint_eq(n, nexp);
	for (size_t i = 0; i < n; i++) {
		const struct trace_row *g = &got[i];
		const struct exp_row *e = &exp[i];

		ck_assert_msg(g->time_ns == e->time_ns, "row %zu time %llu != %llu",
			      i, (unsigned long long)g->time_ns,
			      (unsigned long long)e->time_ns);
		ck_assert_msg(g->op == e->op, "row %zu op", i);
		ck_assert_msg(g->pid == e->pid, "row %zu pid %u", i, g->pid);
		ck_assert_msg(g->line == e->line, "row %zu line %llu", i,
			      (unsigned long long)g->line);
		ck_assert_msg(g->has == e->has, "row %zu has %#x != %#x", i,
			      g->has, e->has);
		ck_assert_msg(g->type == e->type, "row %zu type", i);
		if (e->op == TRACE_OP_ACCESS || e->op == TRACE_OP_EVICT) {
			ck_assert_msg(g->addr == e->addr, "row %zu addr %#llx", i,
				      (unsigned long long)g->addr);
			ck_assert_msg(g->write == e->write, "row %zu write", i);
		}
		if (e->type == PAGE_FILE) {
			ck_assert_msg(g->dev == e->dev, "row %zu dev", i);
			ck_assert_msg(g->ino == e->ino, "row %zu ino", i);
		}
		if (e->has & TRACE_HAS_ORDER)
			ck_assert_msg(g->order == e->order, "row %zu order", i);
		if (e->has & TRACE_HAS_PFN)
			ck_assert_msg(g->pfn == e->pfn, "row %zu pfn %#llx", i,
				      (unsigned long long)g->pfn);
		if (e->has & TRACE_HAS_GFP)
			ck_assert_msg(g->gfp == e->gfp, "row %zu gfp %#x != %#x",
				      i, g->gfp, e->gfp);
		ck_assert_msg(g->migratetype == e->mt, "row %zu migratetype %d",
			      i, g->migratetype);
	}
}

/* ---- hand-written snippets ---- */

START_TEST(test_perf_snippet)
{
	static const struct exp_row exp[] = {
		{ 0, TRACE_OP_ACCESS, 16023, 0x7f0b6c5e8b70, PAGE_ANON, 0, 0,
		  false, 0, 0, -1, 0, 0, 2 },
		{ 40000, TRACE_OP_ACCESS, 2201, 0x7f0b6c5e9000, PAGE_ANON, 0, 0,
		  true, 0, 0, -1, 0, 0, 3 },
		{ 140000, TRACE_OP_ALLOC, 118, 0, PAGE_ANON, 0, 0, false,
		  ALLOC_HAS, 0, 1, 0x1084d8, GFP_HIGHUSER_MOVABLE | __GFP_ZERO,
		  4 },
		{ 240000, TRACE_OP_ACCESS, 16022, 8192, PAGE_FILE,
		  MKDEV(254, 0), 0x545eb, false,
		  TRACE_HAS_INO | TRACE_HAS_ORDER, 2, -1, 0, 0, 5 },
		{ 340000, TRACE_OP_EVICT, 97, 1048576, PAGE_FILE, MKDEV(259, 2),
		  0x1a3f07, false, TRACE_HAS_INO | TRACE_HAS_ORDER, 0, -1, 0, 0,
		  6 },
		{ 440000, TRACE_OP_FREE, 300, 0, PAGE_ANON, 0, 0, false,
		  FREE_HAS, 9, -1, 0x2a7c00, 0, 7 },
		{ 540000, TRACE_OP_FREE, 5120, 0, PAGE_ANON, 0, 0, false,
		  FREE_HAS, 0, -1, 0x13f2a1, 0, 8 },
		{ 840000, TRACE_OP_ALLOC, 77, 0, PAGE_ANON, 0, 0, false,
		  ALLOC_HAS, 1, 0, 1084632,
		  GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY, 11 },
		{ 940000, TRACE_OP_FREE, 77, 0, PAGE_ANON, 0, 0, false,
		  FREE_HAS, 1, -1, 1084632, 0, 12 },
		{ 1040000, TRACE_OP_ACCESS, 8120, 4096, PAGE_FILE, MKDEV(8, 1),
		  0x1a3f07, false, TRACE_HAS_INO, 0, -1, 0, 0, 13 },
	};
	struct src s;
	struct trace_row *rows;
	struct trace_text *t = open_file(&s, DATA("text_perf.txt"), false,
					 NULL);
	size_t n = read_all(t, &rows);
	const struct trace_text_stats *st = trace_text_stats(t);

	check_rows(rows, n, exp, sizeof(exp) / sizeof(exp[0]));
	ck_assert_uint_eq(st->lines, 13);
	ck_assert_uint_eq(st->event_lines, 12);
	ck_assert_uint_eq(st->failed_alloc, 1);
	ck_assert_uint_eq(st->skipped_events, 1);
	ck_assert_uint_eq(skipped_count(t, "kmem:mm_page_alloc_extfrag"), 1);
	ck_assert_uint_eq(st->rows[TRACE_OP_ACCESS], 4);
	ck_assert_uint_eq(st->file_access_rows, 2);
	ck_assert_uint_eq(st->rows[TRACE_OP_EVICT], 1);
	ck_assert_uint_eq(st->rows[TRACE_OP_ALLOC], 2);
	ck_assert_uint_eq(st->rows[TRACE_OP_FREE], 3);
	ck_assert_uint_eq(st->bad_rows + st->reordered + st->reordered_late, 0);
	free(rows);
	close_src(&s);
}
END_TEST

/* perf's default fields: "COMM TID [CPU]", and --ns timestamps. */
START_TEST(test_perf_tid_snippet)
{
	static const struct exp_row exp[] = {
		{ 0, TRACE_OP_ALLOC, 4211, 0, PAGE_ANON, 0, 0, false, ALLOC_HAS,
		  0, 1, 0x1084d8, GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 1 },
		{ 106434500, TRACE_OP_FREE, 118, 0, PAGE_ANON, 0, 0, false,
		  FREE_HAS, 9, -1, 0x2a7c00, 0, 2 },
		{ 2914112001ull, TRACE_OP_ACCESS, 7342, 0x7f3c5a2e1000,
		  PAGE_ANON, 0, 0, true, 0, 0, -1, 0, 0, 3 },
	};
	struct src s;
	struct trace_row *rows;
	struct trace_text *t = open_file(&s, DATA("text_perf_tid.txt"), false,
					 NULL);
	size_t n = read_all(t, &rows);

	check_rows(rows, n, exp, sizeof(exp) / sizeof(exp[0]));
	free(rows);
	close_src(&s);
}
END_TEST

START_TEST(test_ftrace_snippet)
{
	static const struct exp_row exp[] = {
		{ 0, TRACE_OP_ALLOC, 4211, 0, PAGE_ANON, 0, 0, false, ALLOC_HAS,
		  0, 1, 0x1084d8, GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 13 },
		{ 106434000, TRACE_OP_FREE, 118, 0, PAGE_ANON, 0, 0, false,
		  FREE_HAS, 9, -1, 0x2a7c00, 0, 14 },
		/* "(   2201)": the TGID column gives the process id */
		{ 795883000, TRACE_OP_ACCESS, 2201, 0x7f3c5a2e1000, PAGE_ANON,
		  0, 0, true, 0, 0, -1, 0, 0, 15 },
		{ 796795000, TRACE_OP_FREE, 5120, 0, PAGE_ANON, 0, 0, false,
		  FREE_HAS, 0, -1, 0x13f2a1, 0, 16 },
		{ 3798753000ull, TRACE_OP_ACCESS, 8120, 1048576, PAGE_FILE,
		  MKDEV(259, 2), 0x1a3f07, false,
		  TRACE_HAS_INO | TRACE_HAS_ORDER, 0, -1, 0, 0, 17 },
		{ 10235901000ull, TRACE_OP_EVICT, 97, 1048576, PAGE_FILE,
		  MKDEV(259, 2), 0x1a3f07, false,
		  TRACE_HAS_INO | TRACE_HAS_ORDER, 0, -1, 0, 0, 18 },
	};
	struct src s;
	struct trace_row *rows;
	struct trace_text *t = open_file(&s, DATA("text_ftrace.txt"), false,
					 NULL);
	size_t n = read_all(t, &rows);
	const struct trace_text_stats *st = trace_text_stats(t);

	ck_assert_ptr_eq(trace_text_detect(s.peek, s.in.peek_len),
			 &trace_format_ftrace);
	check_rows(rows, n, exp, sizeof(exp) / sizeof(exp[0]));
	ck_assert_uint_eq(st->lost_events, 17 + 2);	/* LOST note + header */
	ck_assert_uint_eq(st->failed_alloc, 1);
	ck_assert_uint_eq(skipped_count(t, "mm_vmscan_kswapd_sleep"), 1);
	ck_assert_uint_eq(st->lines, 21);
	free(rows);
	close_src(&s);
}
END_TEST

START_TEST(test_trace_cmd_snippet)
{
	static const struct exp_row exp[] = {
		{ 0, TRACE_OP_ALLOC, 4211, 0, PAGE_ANON, 0, 0, false, ALLOC_HAS,
		  0, 1, 0x1084d8, GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 2 },
		{ 106434000, TRACE_OP_FREE, 118, 0, PAGE_ANON, 0, 0, false,
		  FREE_HAS, 9, -1, 0x2a7c00, 0, 3 },
		{ 796795000, TRACE_OP_FREE, 5120, 0, PAGE_ANON, 0, 0, false,
		  FREE_HAS, 0, -1, 0x13f2a1, 0, 4 },
		{ 2914112000ull, TRACE_OP_ACCESS, 7342, 0x7f3c5a2e1000,
		  PAGE_ANON, 0, 0, false, 0, 0, -1, 0, 0, 6 },
		{ 3798753000ull, TRACE_OP_ACCESS, 8120, 0, PAGE_FILE,
		  MKDEV(259, 2), 0x1a3f07, false,
		  TRACE_HAS_INO | TRACE_HAS_ORDER, 9, -1, 0, 0, 7 },
		{ 10235901000ull, TRACE_OP_EVICT, 97, 0, PAGE_FILE,
		  MKDEV(259, 2), 0x1a3f07, false,
		  TRACE_HAS_INO | TRACE_HAS_ORDER, 9, -1, 0, 0, 8 },
	};
	struct src s;
	struct trace_row *rows;
	struct trace_text *t = open_file(&s, DATA("text_trace_cmd.txt"), false,
					 NULL);
	size_t n = read_all(t, &rows);
	const struct trace_text_stats *st = trace_text_stats(t);

	ck_assert_ptr_eq(trace_text_detect(s.peek, s.in.peek_len),
			 &trace_format_trace_cmd);
	check_rows(rows, n, exp, sizeof(exp) / sizeof(exp[0]));
	ck_assert_uint_eq(st->lost_events, 123);
	ck_assert_uint_eq(skipped_count(t, "mm_vmscan_kswapd_sleep"), 1);
	free(rows);
	close_src(&s);
}
END_TEST

/* How many lines of a file contain pat. */
static uint64_t count_lines_with(const char *path, const char *pat)
{
	char *line = NULL;
	size_t cap = 0;
	uint64_t n = 0;
	FILE *f = fopen(path, "r");

	ck_assert_ptr_nonnull(f);
	while (getline(&line, &cap, f) > 0)
		n += strstr(line, pat) != NULL;
	free(line);
	fclose(f);
	return n;
}

/*
 * Real ftrace output (a tracefs instance on Linux 6.18 with record-tgid):
 * TGID columns "(  17788)" and "(-------)", irq flags, and a header that
 * says how many events the ring buffer overwrote.
 */
START_TEST(test_ftrace_live)
{
	const char *path = DATA("text_ftrace_live.txt");
	struct src s;
	struct trace_row *rows;
	struct trace_text *t = open_file(&s, path, false, NULL);
	size_t n = read_all(t, &rows), pid_cat = 0, pid_bash = 0;
	const struct trace_text_stats *st = trace_text_stats(t);
	char *line = NULL;
	size_t cap = 0;
	unsigned long in_buf = 0, written = 0;
	FILE *f = fopen(path, "r");

	ck_assert_ptr_eq(trace_text_detect(s.peek, s.in.peek_len),
			 &trace_format_ftrace);
	while (getline(&line, &cap, f) > 0)
		if (sscanf(line, "# entries-in-buffer/entries-written: %lu/%lu",
			   &in_buf, &written) == 2)
			break;
	free(line);
	fclose(f);
	ck_assert_uint_gt(written, in_buf);
	ck_assert_uint_eq(st->lost_events, written - in_buf);
	ck_assert_uint_eq(st->rows[TRACE_OP_ALLOC],
			  count_lines_with(path, " mm_page_alloc: "));
	ck_assert_uint_eq(st->rows[TRACE_OP_FREE],
			  count_lines_with(path, " mm_page_free: "));
	ck_assert_uint_eq(st->rows[TRACE_OP_ACCESS],
			  count_lines_with(path, " page_fault_user: ") +
			  count_lines_with(path, " mm_filemap_add_to_page_cache: "));
	ck_assert_uint_eq(st->event_lines, n);
	for (size_t i = 0; i < n; i++) {
		pid_cat += rows[i].pid == 17793;
		pid_bash += rows[i].pid == 17788;
	}
	/* "cat-17793 (-------)": no TGID recorded, the thread id stands in */
	ck_assert_uint_eq(pid_cat, count_lines_with(path, "cat-17793 "));
	ck_assert_uint_eq(pid_bash, count_lines_with(path, "(  17788)"));
	free(rows);
	close_src(&s);
}
END_TEST

/* trace-cmd report -l: "%8.8s-%-5d %3d" then the latency flags, glued. */
START_TEST(test_trace_cmd_latency)
{
	static const char text[] =
		"cpus=4\n"
		"    bash-4211    3d..2. 1051.204118: mm_page_free:         "
		"page=0x10 pfn=0x10 order=2\n"
		"    bash-4211    3d..2. 1051.204120: mm_page_free:         "
		"page=0x20 pfn=32 order=0\n";
	struct src s;
	struct trace_row *rows;
	size_t n;

	ck_assert_ptr_eq(trace_text_detect((const unsigned char *)text,
					   strlen(text)),
			 &trace_format_trace_cmd);
	n = read_all(open_text(&s, text, NULL, NULL), &rows);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(rows[0].pfn, 0x10);
	ck_assert_uint_eq(rows[0].order, 2);
	ck_assert_uint_eq(rows[1].pfn, 32);
	ck_assert_uint_eq(rows[1].time_ns, 2000);
	ck_assert_uint_eq(rows[1].pid, 4211);
	free(rows);
	close_src(&s);
}
END_TEST

static const struct trace_format *detect_str(const char *text)
{
	return trace_text_detect((const unsigned char *)text, strlen(text));
}

START_TEST(test_detect)
{
	/* the first event line decides; comments and headers may precede */
	ck_assert_ptr_eq(detect_str("# perf header\n  a 1/1 [000] 1.5: "
				    "kmem:mm_page_free: pfn=0x1 order=0\n"),
			 &trace_format_perf);
	ck_assert_ptr_eq(detect_str("  a-1 [000] d..1. 1.5: mm_page_free: "
				    "pfn=0x1 order=0\n"),
			 &trace_format_ftrace);
	ck_assert_ptr_eq(detect_str("# tracer: nop\n  a-1 [000] 1.5: "
				    "mm_page_free: pfn=0x1 order=0\n"),
			 &trace_format_ftrace);
	ck_assert_ptr_eq(detect_str("  a-1 [000] 1.5: mm_page_free: pfn=0x1 "
				    "order=0\n"),
			 &trace_format_trace_cmd);
	ck_assert_ptr_eq(detect_str("version = 6\ncpus=2\n  a-1 [000] d..1. "
				    "1.5: mm_page_free: pfn=0x1 order=0\n"),
			 &trace_format_trace_cmd);
	/* a comm that looks like a CPU note is still an event line */
	ck_assert_ptr_eq(detect_str("  CPU 0/KVM 5/6 [001] 2.000001: "
				    "kmem:mm_page_free: pfn=0x1 order=0\n"),
			 &trace_format_perf);
	/* no complete line: the buffer is the line */
	ck_assert_ptr_eq(detect_str("  a 1/1 [000] 1.5: kmem:mm_page_free: x"),
			 &trace_format_perf);
	ck_assert_ptr_null(detect_str(""));
	ck_assert_ptr_null(detect_str("\n\n# only comments\n"));
	ck_assert_ptr_null(detect_str("time_ns,op,pid,addr\n0,access,1,0x1000\n"));
	ck_assert_ptr_null(detect_str("hello world\n  a 1/1 [000] 1.5: "
				      "kmem:mm_page_free: pfn=0x1 order=0\n"));
	ck_assert_ptr_null(detect_str("\x7f" "ELF\x02\x01\x01"));
	ck_assert_ptr_eq(trace_text_format_by_name("trace-cmd"),
			 &trace_format_trace_cmd);
	ck_assert_ptr_eq(trace_text_format_by_name("perf"), &trace_format_perf);
	ck_assert_ptr_eq(trace_text_format_by_name("ftrace"),
			 &trace_format_ftrace);
	ck_assert_ptr_null(trace_text_format_by_name("csv"));
}
END_TEST

/* ---- the real capture excerpts ---- */

struct raw_counts {
	uint64_t lines, fault, add, del, alloc, failed, free, batched;
};

/* The independent scan: plain strstr() on each line of xzcat's output. */
static void count_raw(const char *path, struct raw_counts *c)
{
	char cmd[512], *line = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "xzcat '%s'", path);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	memset(c, 0, sizeof(*c));
	while (getline(&line, &cap, f) > 0) {
		c->lines++;
		c->fault += strstr(line, " exceptions:page_fault_user: ") != NULL;
		c->add += strstr(line, " filemap:mm_filemap_add_to_page_cache: ")
			  != NULL;
		c->del += strstr(line,
				 " filemap:mm_filemap_delete_from_page_cache: ")
			  != NULL;
		if (strstr(line, " kmem:mm_page_alloc: ")) {
			c->alloc++;
			c->failed += strstr(line, " pfn=0xffffffffffffffff ") ||
				     strstr(line, " pfn=-1 ");
		}
		c->free += strstr(line, " kmem:mm_page_free: ") != NULL;
		c->batched += strstr(line, " kmem:mm_page_free_batched: ") != NULL;
	}
	free(line);
	ck_assert_int_eq(pclose(f), 0);
}

/* How many lines of the file contain " NAME: ". */
static uint64_t count_name(const char *path, const char *name)
{
	char cmd[512], pat[256], *line = NULL;
	size_t cap = 0;
	uint64_t n = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "xzcat '%s'", path);
	snprintf(pat, sizeof(pat), " %s: ", name);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	while (getline(&line, &cap, f) > 0)
		n += strstr(line, pat) != NULL;
	free(line);
	ck_assert_int_eq(pclose(f), 0);
	return n;
}

static const char *const samples[] = {
	SAMPLES "faults-tar-xz.head10000.txt.xz",
	SAMPLES "alloc-sort-216MB.head5000.txt.xz",
	SAMPLES "compaction-frag512M.head8000.txt.xz",
	SAMPLES "reclaim-sqlite-grep-160M.head16000.txt.xz",
};

START_TEST(test_samples_counts)
{
	const char *path = samples[_i];
	struct raw_counts raw;
	struct src s;
	struct trace_row *rows;
	struct trace_text *t;
	const struct trace_text_stats *st;
	uint64_t mapped, skipped_named = 0;
	const char *name;
	uint64_t c;
	size_t n;

	count_raw(path, &raw);
	t = open_file(&s, path, true, NULL);
	n = read_all(t, &rows);
	st = trace_text_stats(t);
	ck_assert_uint_eq(st->lines, raw.lines);
	ck_assert_uint_eq(st->rows[TRACE_OP_ACCESS], raw.fault + raw.add);
	ck_assert_uint_eq(st->file_access_rows, raw.add);
	ck_assert_uint_eq(st->rows[TRACE_OP_EVICT], raw.del);
	ck_assert_uint_eq(st->rows[TRACE_OP_ALLOC], raw.alloc - raw.failed);
	ck_assert_uint_eq(st->failed_alloc, raw.failed);
	ck_assert_uint_eq(st->rows[TRACE_OP_FREE], raw.free + raw.batched);
	ck_assert_uint_eq(st->rows[TRACE_OP_UNMAP] + st->rows[TRACE_OP_EXIT], 0);
	ck_assert_uint_eq(n, raw.fault + raw.add + raw.del + raw.alloc -
			  raw.failed + raw.free + raw.batched);
	/* every line of a perf capture is an event; the rest were skipped */
	mapped = raw.fault + raw.add + raw.del + raw.alloc + raw.free +
		 raw.batched;
	ck_assert_uint_eq(st->event_lines, raw.lines);
	ck_assert_uint_eq(st->skipped_events, raw.lines - mapped);
	for (size_t i = 0; trace_text_skipped(t, i, &name, &c); i++) {
		ck_assert_uint_eq(c, count_name(path, name));
		skipped_named += c;
	}
	ck_assert_uint_eq(skipped_named, st->skipped_events);
	ck_assert_uint_eq(st->bad_rows, 0);
	ck_assert_uint_eq(rows[0].time_ns, 0);
	for (size_t i = 1; i < n; i++)
		ck_assert_msg(rows[i].time_ns >= rows[i - 1].time_ns,
			      "%s: row %zu goes back in time", path, i);
	free(rows);
	close_src(&s);
}
END_TEST

/* ---- reordering ---- */

/* A perf free event of pfn at sec.usec. */
static void put_free(char *buf, size_t n, unsigned sec, unsigned usec,
		     unsigned pfn)
{
	size_t len = strlen(buf);

	snprintf(buf + len, n - len, "  w 9/9 [00%u] %u.%06u: "
		 "kmem:mm_page_free: page=0x%x pfn=0x%x order=0\n", pfn % 4,
		 sec, usec, pfn, pfn);
}

START_TEST(test_reorder_shuffled)
{
	enum { N = 200 };
	static char text[N * 100];
	unsigned order[N];
	struct src s;
	struct trace_row *rows;
	const struct trace_text_stats *st;
	size_t n;

	/* pfn i happens at 5 s + i ms; written in a fixed shuffled order */
	for (unsigned i = 0; i < N; i++)
		order[i] = i;
	for (unsigned i = N - 1; i > 0; i--) {
		unsigned j = (i * 7919u + 13u) % (i + 1), tmp = order[i];

		order[i] = order[j];
		order[j] = tmp;
	}
	text[0] = '\0';
	for (unsigned i = 0; i < N; i++)
		put_free(text, sizeof(text), 5, order[i] * 1000, order[i]);
	n = read_all(open_text(&s, text, NULL, NULL), &rows);
	st = trace_text_stats(s.t);
	ck_assert_uint_eq(n, N);
	for (unsigned i = 0; i < N; i++) {
		ck_assert_uint_eq(rows[i].pfn, i);
		ck_assert_uint_eq(rows[i].time_ns, (uint64_t)i * 1000000);
	}
	ck_assert_uint_gt(st->reordered, 0);
	ck_assert_uint_eq(st->reordered_late, 0);
	free(rows);
	close_src(&s);
}
END_TEST

/* Beyond window_rows: a late row is clamped to the last returned time. */
START_TEST(test_reorder_late_rows)
{
	static char text[1024];
	struct trace_text_opts o;
	struct src s;
	struct trace_row *rows;
	const struct trace_text_stats *st;
	static const uint64_t want_pfn[] = { 1, 2, 12, 3, 4 };
	static const uint64_t want_ns[] = { 0, 1000000000, 1000000000,
					    2000000000, 3000000000 };
	size_t n;

	text[0] = '\0';
	put_free(text, sizeof(text), 1, 0, 1);
	put_free(text, sizeof(text), 2, 0, 2);
	put_free(text, sizeof(text), 3, 0, 3);
	put_free(text, sizeof(text), 4, 0, 4);
	put_free(text, sizeof(text), 1, 200000, 12);	/* 0.8 s late */
	trace_text_default_opts(&o);
	o.window_rows = 2;
	o.window_ns = UINT64_MAX;	/* only the row bound applies */
	n = read_all(open_text(&s, text, NULL, &o), &rows);
	st = trace_text_stats(s.t);
	ck_assert_uint_eq(n, 5);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(rows[i].pfn, want_pfn[i]);
		ck_assert_uint_eq(rows[i].time_ns, want_ns[i]);
	}
	ck_assert_uint_eq(st->reordered_late, 1);
	ck_assert_uint_eq(st->max_late_ns, 800000000);
	ck_assert_uint_eq(st->reordered, 0);
	free(rows);
	close_src(&s);
}
END_TEST

/* The time bound: rows older than the newest by window_ns leave. */
START_TEST(test_reorder_window_time)
{
	static char text[1024];
	struct trace_text_opts o;
	struct src s;
	struct trace_row *rows;
	const struct trace_text_stats *st;
	size_t n;

	text[0] = '\0';
	put_free(text, sizeof(text), 1, 0, 1);		/* 1.000000 */
	put_free(text, sizeof(text), 1, 500, 2);	/* 1.000500 */
	put_free(text, sizeof(text), 1, 300, 3);	/* in the window */
	put_free(text, sizeof(text), 1, 2000, 4);	/* releases 1, 3, 2 */
	put_free(text, sizeof(text), 1, 100, 5);	/* late: clamped */
	put_free(text, sizeof(text), 1, 2000, 6);	/* equal times: FIFO */
	trace_text_default_opts(&o);
	o.window_ns = 1000000;
	n = read_all(open_text(&s, text, NULL, &o), &rows);
	st = trace_text_stats(s.t);
	ck_assert_uint_eq(n, 6);
	ck_assert_uint_eq(rows[0].pfn, 1);
	ck_assert_uint_eq(rows[1].pfn, 3);
	ck_assert_uint_eq(rows[1].time_ns, 300000);
	ck_assert_uint_eq(rows[2].pfn, 2);
	ck_assert_uint_eq(rows[3].pfn, 5);
	ck_assert_uint_eq(rows[3].time_ns, 500000);
	ck_assert_uint_eq(rows[4].pfn, 4);
	ck_assert_uint_eq(rows[5].pfn, 6);
	ck_assert_uint_eq(rows[5].time_ns, 2000000);
	ck_assert_uint_eq(st->reordered, 1);
	ck_assert_uint_eq(st->reordered_late, 1);
	ck_assert_uint_eq(st->max_late_ns, 400000);
	free(rows);
	close_src(&s);
}
END_TEST

/* ---- filters ---- */

static size_t filtered_rows(const uint32_t *pids, size_t np,
			    const char *const *comms, size_t nc,
			    struct trace_row **rows, uint64_t *filtered)
{
	struct trace_text_opts o;
	struct src s;
	size_t n;

	trace_text_default_opts(&o);
	o.pids = pids;
	o.nr_pids = np;
	o.comms = comms;
	o.nr_comms = nc;
	n = read_all(open_file(&s, DATA("text_perf.txt"), false, &o), rows);
	*filtered = trace_text_stats(s.t)->filtered;
	close_src(&s);
	return n;
}

START_TEST(test_filters)
{
	static const uint32_t pid_web[] = { 2201 }, tid_web[] = { 2230 };
	static const uint32_t pid_xz[] = { 16023 };
	static const char *const comm_k[] = { "kworker/0:1" };
	static const char *const comm_odd[] = { "z 1.5: a:b:", "oldkernel" };
	struct trace_row *rows;
	uint64_t filtered;
	size_t n;

	n = filtered_rows(pid_web, 1, NULL, 0, &rows, &filtered);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(rows[0].addr, 0x7f0b6c5e9000);
	ck_assert_uint_eq(filtered, 11);
	free(rows);
	n = filtered_rows(tid_web, 1, NULL, 0, &rows, &filtered);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(rows[0].pid, 2201);
	free(rows);
	n = filtered_rows(NULL, 0, comm_k, 1, &rows, &filtered);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(rows[0].op, TRACE_OP_ALLOC);
	ck_assert_uint_eq(rows[0].time_ns, 0);	/* from the first row kept */
	free(rows);
	/* several filters are a union; the failed alloc is not oldkernel's */
	n = filtered_rows(pid_xz, 1, comm_odd, 2, &rows, &filtered);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(rows[0].pid, 16023);
	ck_assert_uint_eq(rows[1].pid, 300);
	ck_assert_uint_eq(rows[2].pid, 77);
	ck_assert_uint_eq(rows[3].pid, 77);
	ck_assert_uint_eq(filtered, 8);
	free(rows);
}
END_TEST

/* ---- malformed input ---- */

static const char good_line[] =
	"  w 9/9 [000] 1.000001: kmem:mm_page_free: page=0x1 pfn=0x1 order=0\n";

struct bad_case {
	const char *line;
	const char *msg;	/* expected in the error, after "snippet:2: " */
};

static const struct bad_case bad_cases[] = {
	{ "  w 9/9 [000] 1.000002: kmem:mm_page_alloc: page=0x1 pfn=zz "
	  "order=0 migratetype=1 gfp_flags=GFP_KERNEL\n",
	  "kmem:mm_page_alloc: pfn= got 'zz', expected a 0x-hex or decimal "
	  "number" },
	{ "  w 9/9 [000] 1.000002: kmem:mm_page_free: page=0x1 pfn=0x1\n",
	  "kmem:mm_page_free: order= missing, expected 0..31" },
	{ "  w 9/9 [000] 1.000002: kmem:mm_page_free: pfn=0x1 order=40\n",
	  "kmem:mm_page_free: order= got '40', expected 0..31" },
	{ "  w 9/9 [000] 1.000002: kmem:mm_page_alloc: pfn=0x1 order=0 "
	  "migratetype=7 gfp_flags=GFP_KERNEL\n",
	  "kmem:mm_page_alloc: migratetype= got '7', expected 0..3" },
	{ "  w 9/9 [000] 1.000002: exceptions:page_fault_user: ip=0x1 "
	  "error_code=0x6\n",
	  "exceptions:page_fault_user: address= missing, expected a hex "
	  "number" },
	{ "  w 9/9 [000] 1.000002: exceptions:page_fault_user: "
	  "address=main+0x10 ip=0x1 error_code=0x6\n",
	  "exceptions:page_fault_user: address= got 'main+0x10', expected a "
	  "hex number" },
	{ "  w 9/9 [000] 1.000002: filemap:mm_filemap_add_to_page_cache: "
	  "dev 254-0 ino 5 pfn=0x1 ofs=0 order=0\n",
	  "filemap:mm_filemap_add_to_page_cache: dev got '254-0', expected "
	  "MAJOR:MINOR" },
	{ "  w 9/9 [000] 1.000002: filemap:mm_filemap_delete_from_page_cache: "
	  "dev 254:0 ino 5 pfn=0x1 order=0\n",
	  "filemap:mm_filemap_delete_from_page_cache: ofs= missing" },
	{ "hello world\n",
	  "got 'hello world', expected an event line 'COMM PID[/TID] [CPU] "
	  "SEC.FRAC: GROUP:EVENT: ...'" },
	/* an ftrace line in a perf file: no GROUP, so not a perf event */
	{ "  w-9 [000] d..1. 1.000002: mm_page_free: pfn=0x1 order=0\n",
	  "got '  w-9 [000] d..1. 1.000002: mm_page_free...', expected" },
};

START_TEST(test_malformed_error)
{
	const struct bad_case *c = &bad_cases[_i];
	static char text[1024];
	struct trace_row row;
	char want[512];
	struct src s;

	snprintf(text, sizeof(text), "%s%s%s", good_line, c->line, good_line);
	open_text(&s, text, &trace_format_perf, NULL);
	ck_assert_int_eq(trace_text_next(s.t, &row), TRACE_ERR);
	snprintf(want, sizeof(want), "snippet:2: %s", c->msg);
	ck_assert_msg(strncmp(trace_text_error(s.t), want, strlen(want)) == 0,
		      "got \"%s\", expected it to start with \"%s\"",
		      trace_text_error(s.t), want);
	close_src(&s);
}
END_TEST

START_TEST(test_malformed_skip)
{
	const struct bad_case *c = &bad_cases[_i];
	static char text[1024];
	struct trace_text_opts o;
	struct trace_row *rows;
	char want[512];
	struct src s;
	size_t n;

	snprintf(text, sizeof(text), "%s%s%s%s", good_line, c->line, c->line,
		 good_line);
	trace_text_default_opts(&o);
	o.skip_bad_rows = true;
	n = read_all(open_text(&s, text, &trace_format_perf, &o), &rows);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(rows[1].line, 4);
	ck_assert_uint_eq(trace_text_stats(s.t)->bad_rows, 2);
	snprintf(want, sizeof(want), "snippet:2: %s", c->msg);
	ck_assert_msg(strncmp(trace_text_first_bad(s.t), want, strlen(want))
		      == 0, "first bad: \"%s\"", trace_text_first_bad(s.t));
	free(rows);
	close_src(&s);
}
END_TEST

/* Unmapped events are never parsed past their name. */
START_TEST(test_unmapped_payload_free_form)
{
	static const char text[] =
		"  w 9/9 [000] 1.000001: sched:sched_switch: prev_comm=a:b "
		"1.5: x:y: ==> garbage\n"
		"  w 9/9 [000] 1.000002: kmem:mm_page_alloc_extfrag:\n"
		"  w 9/9 [000] 1.000003: kmem:mm_page_free: pfn=0x5 order=1\n";
	struct src s;
	struct trace_row *rows;
	size_t n = read_all(open_text(&s, text, NULL, NULL), &rows);

	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(rows[0].pfn, 5);
	ck_assert_uint_eq(skipped_count(s.t, "sched:sched_switch"), 1);
	ck_assert_uint_eq(skipped_count(s.t, "kmem:mm_page_alloc_extfrag"), 1);
	free(rows);
	close_src(&s);
}
END_TEST

/* ---- robustness ---- */

START_TEST(test_long_line)
{
	const size_t payload = 3u << 20;	/* longer than the read buffer */
	const char *head = "  w 9/9 [000] 1.000001: sched:sched_switch: x=";
	size_t hn = strlen(head);
	char *text = malloc(hn + payload + sizeof(good_line) + 2);
	struct src s;
	struct trace_row *rows;
	size_t n;

	memcpy(text, head, hn);
	memset(text + hn, 'a', payload);
	text[hn + payload] = '\n';
	strcpy(text + hn + payload + 1, good_line);
	n = read_all(open_text(&s, text, &trace_format_perf, NULL), &rows);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(rows[0].line, 2);
	ck_assert_uint_eq(skipped_count(s.t, "sched:sched_switch"), 1);
	free(rows);
	close_src(&s);
	free(text);
}
END_TEST

START_TEST(test_crlf_and_no_final_newline)
{
	static const char text[] =
		"  w 9/9 [000] 1.5: kmem:mm_page_free: pfn=0x1 order=3\r\n"
		"  w 9/9 [000] 1.75: kmem:mm_page_free: pfn=0x2 order=0";
	struct src s;
	struct trace_row *rows;
	size_t n = read_all(open_text(&s, text, NULL, NULL), &rows);

	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(rows[0].order, 3);	/* "3\r" would not parse */
	ck_assert_uint_eq(rows[1].pfn, 2);
	ck_assert_uint_eq(rows[1].time_ns, 250000000);
	ck_assert_uint_eq(trace_text_stats(s.t)->lines, 2);
	free(rows);
	close_src(&s);
}
END_TEST

/* Unknown gfp names are dropped from the mask and counted every time. */
START_TEST(test_unknown_gfp)
{
	static const char text[] =
		"  w 9/9 [000] 1.1: kmem:mm_page_alloc: pfn=0x1 order=0 "
		"migratetype=0 gfp_flags=GFP_KERNEL|__GFP_FUTURE|0x800\n"
		"  w 9/9 [000] 1.2: kmem:mm_page_alloc: pfn=0x2 order=0 "
		"gfp_flags=GFP_KERNEL|__GFP_FUTURE|0x800\n"
		"  w 9/9 [000] 1.3: kmem:mm_page_alloc: pfn=0x3 order=0 "
		"gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_WRITE\n";
	struct src s;
	struct trace_row *rows;
	const char *name;
	uint64_t count;
	size_t n = read_all(open_text(&s, text, NULL, NULL), &rows);

	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(rows[0].gfp, GFP_KERNEL);
	ck_assert_uint_eq(rows[1].gfp, GFP_KERNEL);
	/* without migratetype= it comes from gfp */
	ck_assert_int_eq(rows[1].migratetype, 0);
	ck_assert_uint_eq(rows[2].gfp, GFP_HIGHUSER_MOVABLE);
	ck_assert_int_eq(rows[2].migratetype, 1);
	ck_assert(trace_text_unknown_gfp(s.t, 0, &name, &count));
	ck_assert_str_eq(name, "__GFP_FUTURE");
	ck_assert_uint_eq(count, 2);
	ck_assert(trace_text_unknown_gfp(s.t, 1, &name, &count));
	ck_assert_str_eq(name, "0x800");
	ck_assert_uint_eq(count, 2);
	ck_assert(!trace_text_unknown_gfp(s.t, 2, &name, &count));
	free(rows);
	close_src(&s);
}
END_TEST

START_TEST(test_bad_window_opts)
{
	struct trace_text_opts o;
	struct trace_input in = { NULL, "x", NULL, 0, 0 };
	char err[128] = "";

	trace_text_default_opts(&o);
	o.window_rows = 0;
	ck_assert_ptr_null(trace_text_open(&trace_format_perf, &in, &o, err,
					   sizeof(err)));
	ck_assert_str_eq(err, "reordering window: got 0 rows, expected "
		"1..4294967294");
}
END_TEST

/* The struct trace_format glue that trace.c drives. */
START_TEST(test_format_ops)
{
	const struct trace_format *fmts[] = { &trace_format_perf,
		&trace_format_ftrace, &trace_format_trace_cmd };
	const char *files[] = { DATA("text_perf.txt"), DATA("text_ftrace.txt"),
		DATA("text_trace_cmd.txt") };
	const size_t rows_want[] = { 10, 6, 6 };
	const uint64_t lines_want[] = { 13, 21, 9 };
	static unsigned char peek[TRACE_PEEK_BYTES];
	struct trace_open_opts oo = { .skip_bad_rows = false };
	char err[256];

	for (size_t k = 0; k < 3; k++) {
		FILE *f = fopen(files[k], "rb");
		size_t len, n = 0;
		struct trace_input in;
		struct trace_row row;
		void *st;
		int r;

		ck_assert_ptr_nonnull(f);
		len = fread(peek, 1, sizeof(peek), f);
		ck_assert(fmts[k]->detect(peek, len));
		for (size_t j = 0; j < 3; j++)
			ck_assert(fmts[j]->detect(peek, len) == (j == k));
		in = (struct trace_input){ f, files[k], peek, len, 0 };
		st = fmts[k]->open(&in, &oo, err, sizeof(err));
		ck_assert_ptr_nonnull(st);
		while ((r = fmts[k]->next(st, &row, err, sizeof(err))) ==
		       TRACE_ROW)
			n++;
		ck_assert_int_eq(r, TRACE_EOF);
		ck_assert_uint_eq(n, rows_want[k]);
		ck_assert_uint_eq(fmts[k]->lines(st), lines_want[k]);
		ck_assert_uint_eq(fmts[k]->bad_rows(st), 0);
		fmts[k]->close(st);
		fclose(f);
	}
}
END_TEST

START_TEST(test_format_ops_error)
{
	static const char text[] = "  w 9/9 [000] 1.5: kmem:mm_page_free: "
				   "pfn=0x1\n";
	struct trace_input in = { NULL, "t.txt", (const unsigned char *)text,
				  sizeof(text) - 1, 0 };
	struct trace_open_opts oo = { .skip_bad_rows = false };
	struct trace_row row;
	char err[256];
	void *st = trace_format_perf.open(&in, &oo, err, sizeof(err));

	ck_assert_int_eq(trace_format_perf.next(st, &row, err, sizeof(err)),
			 TRACE_ERR);
	ck_assert_str_eq(err, "t.txt:1: kmem:mm_page_free: order= missing, "
			 "expected 0..31");
	trace_format_perf.close(st);
}
END_TEST

static Suite *trace_text_suite(void)
{
	Suite *s = suite_create("trace_text");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_perf_snippet);
	tcase_add_test(tc, test_perf_tid_snippet);
	tcase_add_test(tc, test_ftrace_snippet);
	tcase_add_test(tc, test_trace_cmd_snippet);
	tcase_add_test(tc, test_ftrace_live);
	tcase_add_test(tc, test_trace_cmd_latency);
	tcase_add_test(tc, test_detect);
	tcase_add_loop_test(tc, test_samples_counts, 0,
			    sizeof(samples) / sizeof(samples[0]));
	tcase_add_test(tc, test_reorder_shuffled);
	tcase_add_test(tc, test_reorder_late_rows);
	tcase_add_test(tc, test_reorder_window_time);
	tcase_add_test(tc, test_filters);
	tcase_add_loop_test(tc, test_malformed_error, 0,
			    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_loop_test(tc, test_malformed_skip, 0,
			    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_unmapped_payload_free_form);
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_crlf_and_no_final_newline);
	tcase_add_test(tc, test_unknown_gfp);
	tcase_add_test(tc, test_bad_window_opts);
	tcase_add_test(tc, test_format_ops);
	tcase_add_test(tc, test_format_ops_error);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(trace_text_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
