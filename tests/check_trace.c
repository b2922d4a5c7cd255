/*
 * check_trace.c - the trace reader (sim/trace.c) and trace format v1
 * (sim/trace_csv.c, traces/FORMAT.md).
 *
 * Inputs are written to files in a private temp dir; messages have the
 * file's path replaced by "FILE" so tables can hold the exact text. Every
 * input without quotes is also run in a fully quoted form, which sends
 * every line through libcsv instead of the plain-line path: both must give
 * the same rows, counts and messages.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mm/gfp.h"
#include "trace.h"
#include "trace_format.h"

#define MAX_ROWS 16
#define MSG 512

static char tmpdir[64];

struct result {
	bool opened;
	int rc;				/* last trace_next() status */
	size_t nrows;
	struct trace_row rows[MAX_ROWS];
	char err[MSG];			/* open error or trace_error() */
	uint64_t bad, lines;
	char first_bad[MSG];
	char format[16];
};

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_trace_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	ck_assert_int_eq(rmdir(tmpdir), 0);
}

/* Writes len bytes to a new file in tmpdir; returns its path (static). */
static const char *write_file(const char *text, size_t len)
{
	static char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/trace_XXXXXX", tmpdir);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
	return path;
}

/* Replaces every occurrence of path in s by "FILE". */
static void unpath(char *s, const char *path)
{
	size_t plen = strlen(path);
	char *p;

	while ((p = strstr(s, path)) != NULL) {
		memmove(p + 4, p + plen, strlen(p + plen) + 1);
		memcpy(p, "FILE", 4);
	}
}

static void read_path(const char *path, bool skip, struct result *res)
{
	struct trace_open_opts opts = { .skip_bad_rows = skip };
	struct trace_reader *r;
	struct trace_row row;

	memset(res, 0, sizeof(*res));
	r = trace_open(path, &opts, res->err, sizeof(res->err));
	if (!r) {
		unpath(res->err, path);
		return;
	}
	res->opened = true;
	snprintf(res->format, sizeof(res->format), "%s", trace_format_name(r));
	for (;;) {
		/* the reader must write every field of every row it returns */
		memset(&row, 0xa5, sizeof(row));
		if ((res->rc = trace_next(r, &row)) != TRACE_ROW)
			break;
		if (res->nrows < MAX_ROWS)
			res->rows[res->nrows++] = row;
	}
	if (res->rc == TRACE_ERR) {
		snprintf(res->err, sizeof(res->err), "%s", trace_error(r));
		unpath(res->err, path);
	}
	res->bad = trace_bad_rows(r);
	res->lines = trace_lines(r);
	snprintf(res->first_bad, sizeof(res->first_bad), "%s",
		 trace_first_bad_row(r));
	unpath(res->first_bad, path);
	trace_close(r);
}

static void read_text(const char *text, size_t len, bool skip,
		      struct result *res)
{
	const char *path = write_file(text, len);
	char saved[128];

	snprintf(saved, sizeof(saved), "%s", path);
	read_path(saved, skip, res);
	ck_assert_int_eq(unlink(saved), 0);
}

/*
 * The same CSV with every field quoted: each line then goes through
 * libcsv. Blank lines stay blank, a line's '\r' stays outside the quotes,
 * blanks around a field are dropped (as both parsers do).
 */
static char *quote_all(const char *in)
{
	size_t cap = strlen(in) * 3 + 16, n = 0;
	char *out = malloc(cap);
	const char *p = in;

	ck_assert_ptr_nonnull(out);
	while (*p) {
		const char *eol = strchr(p, '\n');
		const char *end = eol ? eol : p + strlen(p);
		bool cr = end > p && end[-1] == '\r';
		const char *lend = cr ? end - 1 : end, *q = p;

		while (q < lend && (*q == ' ' || *q == '\t'))
			q++;
		if (q < lend) {
			for (;;) {
				const char *f = q, *e;

				while (q < lend && *q != ',')
					q++;
				for (e = q; e > f && (e[-1] == ' ' ||
						      e[-1] == '\t'); e--)
					;
				while (f < e && (*f == ' ' || *f == '\t'))
					f++;
				out[n++] = '"';
				memcpy(out + n, f, (size_t)(e - f));
				n += (size_t)(e - f);
				out[n++] = '"';
				if (q == lend)
					break;
				out[n++] = ',';
				q++;
			}
		}
		if (cr)
			out[n++] = '\r';
		if (eol)
			out[n++] = '\n';
		p = eol ? eol + 1 : end;
	}
	out[n] = '\0';
	return out;
}

static void assert_rows_eq(const struct trace_row *a, const struct trace_row *b)
{
	ck_assert_uint_eq(a->time_ns, b->time_ns);
	ck_assert_int_eq(a->op, b->op);
	ck_assert_uint_eq(a->pid, b->pid);
	ck_assert_uint_eq(a->addr, b->addr);
	ck_assert_int_eq(a->type, b->type);
	ck_assert_uint_eq(a->dev, b->dev);
	ck_assert_uint_eq(a->ino, b->ino);
	ck_assert_int_eq(a->write, b->write);
	ck_assert_uint_eq(a->has, b->has);
	ck_assert_uint_eq(a->order, b->order);
	ck_assert_int_eq(a->migratetype, b->migratetype);
	ck_assert_uint_eq(a->pfn, b->pfn);
	ck_assert_uint_eq(a->gfp, b->gfp);
	ck_assert_uint_eq(a->line, b->line);
}

/* quote_all() splits lines at '\n' only. */
static bool has_bare_cr(const char *text)
{
	for (const char *p = strchr(text, '\r'); p; p = strchr(p + 1, '\r'))
		if (p[1] != '\n')
			return true;
	return false;
}

/* Reads text plainly and fully quoted; both must agree. */
static void read_both(const char *text, bool skip, struct result *res)
{
	struct result q;
	char *quoted;

	read_text(text, strlen(text), skip, res);
	if (strchr(text, '"') || has_bare_cr(text))
		return;
	quoted = quote_all(text);
	read_text(quoted, strlen(quoted), skip, &q);
	free(quoted);
	ck_assert_int_eq(res->opened, q.opened);
	ck_assert_int_eq(res->rc, q.rc);
	ck_assert_str_eq(res->err, q.err);
	ck_assert_uint_eq(res->nrows, q.nrows);
	ck_assert_uint_eq(res->bad, q.bad);
	ck_assert_uint_eq(res->lines, q.lines);
	ck_assert_str_eq(res->first_bad, q.first_bad);
	for (size_t i = 0; i < res->nrows; i++)
		assert_rows_eq(&res->rows[i], &q.rows[i]);
}

/* ---- valid traces ------------------------------------------------------ */

START_TEST(test_every_column_shuffled)
{
	static const char text[] =
		"gfp,pfn,write,dev,ino,type,addr,pid,op,time_ns,order,"
		"migratetype\n"
		",,1,,,,0x7f0000001000,42,access,100,,\n"
		",,0,0x803,0x545eb,file,8192,42,access,100,2,\n"
		",,,,,,0x7f0000001000,42,unmap,150,,\n"
		"GFP_KERNEL|__GFP_ZERO,,,,,,,7,alloc,200,3,\n"
		",0x1000,,,,,,,alloc,200,0,movable\n"
		",4096,,,,,,,free,300,0,\n"
		",,,,77,,0x2000,,evict,400,,\n"
		",,,,,,,42,exit,500,,\n"
		"none,,,,,,,1,alloc,600,,2\n";
	struct result r;
	const struct trace_row *row = r.rows;

	read_both(text, false, &r);
	ck_assert(r.opened);
	ck_assert_int_eq(r.rc, TRACE_EOF);
	ck_assert_str_eq(r.format, "csv");
	ck_assert_uint_eq(r.nrows, 9);
	ck_assert_uint_eq(r.lines, 10);

	ck_assert_int_eq(row[0].op, TRACE_OP_ACCESS);
	ck_assert_uint_eq(row[0].time_ns, 100);
	ck_assert_uint_eq(row[0].pid, 42);
	ck_assert_uint_eq(row[0].addr, 0x7f0000001000ull);
	ck_assert_int_eq(row[0].type, PAGE_ANON);
	ck_assert(row[0].write);
	ck_assert_uint_eq(row[0].has, 0);
	ck_assert_int_eq(row[0].migratetype, -1);
	ck_assert_uint_eq(row[0].line, 2);

	ck_assert_int_eq(row[1].type, PAGE_FILE);
	ck_assert_uint_eq(row[1].dev, 0x803);
	ck_assert_uint_eq(row[1].ino, 0x545eb);
	ck_assert_uint_eq(row[1].addr, 8192);
	ck_assert_uint_eq(row[1].order, 2);
	ck_assert(!row[1].write);
	ck_assert_uint_eq(row[1].has, TRACE_HAS_INO | TRACE_HAS_ORDER);

	ck_assert_int_eq(row[2].op, TRACE_OP_UNMAP);

	ck_assert_int_eq(row[3].op, TRACE_OP_ALLOC);
	ck_assert_uint_eq(row[3].gfp, GFP_KERNEL | __GFP_ZERO);
	ck_assert_uint_eq(row[3].order, 3);
	ck_assert_uint_eq(row[3].has, TRACE_HAS_GFP | TRACE_HAS_ORDER);
	ck_assert_int_eq(row[3].migratetype, -1);

	ck_assert_uint_eq(row[4].pfn, 0x1000);
	ck_assert_int_eq(row[4].migratetype, 1);
	ck_assert_uint_eq(row[4].has, TRACE_HAS_PFN | TRACE_HAS_ORDER |
					  TRACE_HAS_MIGRATETYPE);

	ck_assert_int_eq(row[5].op, TRACE_OP_FREE);
	ck_assert_uint_eq(row[5].pfn, 4096);

	ck_assert_int_eq(row[6].op, TRACE_OP_EVICT);
	ck_assert_int_eq(row[6].type, PAGE_FILE);	/* evict implies file */
	ck_assert_uint_eq(row[6].ino, 77);
	ck_assert_uint_eq(row[6].addr, 0x2000);

	ck_assert_int_eq(row[7].op, TRACE_OP_EXIT);
	ck_assert_uint_eq(row[7].pid, 42);

	ck_assert_uint_eq(row[8].gfp, 0);
	ck_assert_uint_eq(row[8].has, TRACE_HAS_GFP | TRACE_HAS_MIGRATETYPE);
	ck_assert_int_eq(row[8].migratetype, 2);
	ck_assert_uint_eq(row[8].line, 10);
}
END_TEST

/* Number syntax: decimal, 0x/0X hex, leading zeros, the limits. */
static const struct {
	const char *addr;
	uint64_t want;
} numbers[] = {
	{ "0", 0 },
	{ "4096", 4096 },
	{ "0x1000", 0x1000 },
	{ "0X1f", 0x1f },
	{ "0xABCdef", 0xabcdef },
	{ "007", 7 },
	{ "0x00000000000000000001", 1 },	/* 20 hex digits, 19 zeros */
	{ "0xffffffffffffffff", UINT64_MAX },
	{ "18446744073709551615", UINT64_MAX },
	{ "0000000000000000000000042", 42 },
	{ "9999999999999999999", 9999999999999999999ull },
	{ "12345678901234567890", 12345678901234567890ull },	/* 20 digits */
	{ "0x000000000000000001f", 0x1f },		/* 19 hex digits */
	{ "0x123456789abcdef0", 0x123456789abcdef0ull },
	{ " 12 ", 12 },				/* blanks around a field */
};

START_TEST(test_numbers)
{
	char text[256];
	struct result r;

	snprintf(text, sizeof(text), "time_ns,op,pid,addr\n5,access,1,%s\n",
		 numbers[_i].addr);
	read_both(text, false, &r);
	ck_assert_msg(r.rc == TRACE_EOF, "%s: %s", numbers[_i].addr, r.err);
	ck_assert_uint_eq(r.nrows, 1);
	ck_assert_uint_eq(r.rows[0].addr, numbers[_i].want);
}
END_TEST

START_TEST(test_limits)
{
	struct result r;

	read_both("time_ns,op,pid,addr,order\n"
		  "18446744073709551615,exit,4294967295,,10\n", false, &r);
	ck_assert_int_eq(r.rc, TRACE_EOF);
	ck_assert_uint_eq(r.rows[0].time_ns, UINT64_MAX);
	ck_assert_uint_eq(r.rows[0].pid, UINT32_MAX);
	ck_assert_uint_eq(r.rows[0].order, 10);
}
END_TEST

START_TEST(test_quoting_and_lines)
{
	static const char text[] =
		"\"time_ns\",op,pid,addr,note\n"	/* 1 */
		"0,\"access\",1,0x1000,\"a,b\nc\n\"\"d\"\"\"\n" /* 2-4 */
		"\n"					/* 5 */
		"1,access,1,0x2000,x\r\n"		/* 6 */
		"   \n"					/* 7 */
		"2,access,1,\"0x3000\",\"q\"";		/* 8, no '\n' */
	struct result r;

	read_both(text, false, &r);
	ck_assert_msg(r.rc == TRACE_EOF, "%s", r.err);
	ck_assert_uint_eq(r.nrows, 3);
	ck_assert_uint_eq(r.rows[0].line, 2);
	ck_assert_uint_eq(r.rows[1].line, 6);
	ck_assert_uint_eq(r.rows[1].addr, 0x2000);
	ck_assert_uint_eq(r.rows[2].line, 8);
	ck_assert_uint_eq(r.rows[2].addr, 0x3000);
	ck_assert_uint_eq(r.lines, 8);
}
END_TEST

START_TEST(test_crlf)
{
	static const char text[] =
		"time_ns,op,pid,addr\r\n"
		"\r\n"
		"3,access,9,0x9000\r\n"
		"4,exit,9,\r\n";
	struct result r;

	read_both(text, false, &r);
	ck_assert_msg(r.rc == TRACE_EOF, "%s", r.err);
	ck_assert_uint_eq(r.nrows, 2);
	ck_assert_uint_eq(r.rows[0].line, 3);
	ck_assert_uint_eq(r.rows[0].addr, 0x9000);
	ck_assert_uint_eq(r.rows[1].line, 4);
	ck_assert_int_eq(r.rows[1].op, TRACE_OP_EXIT);
	ck_assert_uint_eq(r.lines, 4);
}
END_TEST

/*
 * Blanks and CRs where the reader's fast path (one pass over a plain line)
 * must drop or refuse them exactly as libcsv does: blanks around values,
 * inside an ignored field, before a CRLF, an empty last field.
 */
START_TEST(test_blanks_around_values)
{
	static const char text[] =
		"time_ns,op,pid,addr,type,ino,note,write\n"
		"1, access ,\t7\t,0x1000 ,anon,, a b ,1\r\n"	/* 2 */
		"2,access,7,0x2000,file,0x10,x,0 \n"		/* 3 */
		" 3 ,exit,7,,,,,\n"				/* 4 */
		"4,access,7,  4096,\tfile\t,\t9,,\r\n";	/* 5 */
	struct result r;

	read_both(text, false, &r);
	ck_assert_msg(r.rc == TRACE_EOF, "%s", r.err);
	ck_assert_uint_eq(r.nrows, 4);
	ck_assert_int_eq(r.rows[0].op, TRACE_OP_ACCESS);
	ck_assert_uint_eq(r.rows[0].pid, 7);
	ck_assert_uint_eq(r.rows[0].addr, 0x1000);
	ck_assert(r.rows[0].write);
	ck_assert_int_eq(r.rows[1].type, PAGE_FILE);
	ck_assert_uint_eq(r.rows[1].ino, 0x10);
	ck_assert(!r.rows[1].write);
	ck_assert_uint_eq(r.rows[2].time_ns, 3);
	ck_assert_int_eq(r.rows[2].op, TRACE_OP_EXIT);
	ck_assert_uint_eq(r.rows[3].addr, 4096);
	ck_assert_uint_eq(r.rows[3].ino, 9);
	ck_assert_uint_eq(r.rows[3].line, 5);
	ck_assert_uint_eq(r.lines, 5);
}
END_TEST

/* Defaults for every optional field, and blank lines before the header. */
/*
 * A lone CR ends a line too (libcsv ends the row there): one line can then
 * hold two rows, the second queued behind the first.
 */
START_TEST(test_bare_cr)
{
	static const char text[] =
		"time_ns,op,pid,addr\n"
		"1,access,1,0x1000\r2,access,1,0x2000\r\n"
		"3,exit,1,\n";
	static const char mac[] =
		"time_ns,op,pid,addr\r1,access,1,0x1000\r2,exit,1,\r";
	struct result r;

	read_both(text, false, &r);
	ck_assert_msg(r.rc == TRACE_EOF, "%s", r.err);
	ck_assert_uint_eq(r.nrows, 3);
	ck_assert_uint_eq(r.rows[0].addr, 0x1000);
	ck_assert_uint_eq(r.rows[0].line, 2);
	ck_assert_uint_eq(r.rows[1].addr, 0x2000);
	ck_assert_uint_eq(r.rows[1].line, 3);
	ck_assert_uint_eq(r.rows[2].line, 4);
	ck_assert_uint_eq(r.lines, 4);
	read_both(mac, false, &r);
	ck_assert_msg(r.rc == TRACE_EOF, "%s", r.err);
	ck_assert_uint_eq(r.nrows, 2);
	ck_assert_uint_eq(r.rows[1].line, 3);
	ck_assert_int_eq(r.rows[1].op, TRACE_OP_EXIT);
	ck_assert_uint_eq(r.lines, 3);
}
END_TEST

START_TEST(test_defaults)
{
	static const char text[] =
		"\n\n\xef\xbb\xbftime_ns,op,pid,addr,type,dev,ino,write,order,"
		"migratetype,pfn,gfp\n"
		"7,access,3,0x5000,,,,,,,,\n";
	static const char bom_first[] =
		"\xef\xbb\xbftime_ns,op,pid,addr\n7,access,3,0x5000\n";
	struct result r;

	read_text(bom_first, strlen(bom_first), false, &r);
	ck_assert_msg(r.rc == TRACE_EOF, "%s", r.err);
	ck_assert_uint_eq(r.nrows, 1);
	/* a BOM is only skipped at the very start of the file */
	read_text(text, strlen(text), false, &r);
	ck_assert(!r.opened);
	ck_assert_str_eq(r.err, "FILE:3: header: got no time_ns column, "
				"expected a header naming time_ns, op, pid and "
				"addr (any order; see traces/FORMAT.md)");
	read_both("\n \n\ntime_ns,op,pid,addr\n7,access,3,0x5000\n", false,
		  &r);
	ck_assert_msg(r.rc == TRACE_EOF, "%s", r.err);
	ck_assert_uint_eq(r.rows[0].line, 5);
	read_both(text + 5, false, &r);
	ck_assert_msg(r.rc == TRACE_EOF, "%s", r.err);
	ck_assert_uint_eq(r.nrows, 1);
	ck_assert_int_eq(r.rows[0].type, PAGE_ANON);
	ck_assert_uint_eq(r.rows[0].dev, 0);
	ck_assert_uint_eq(r.rows[0].ino, 0);
	ck_assert(!r.rows[0].write);
	ck_assert_uint_eq(r.rows[0].order, 0);
	ck_assert_int_eq(r.rows[0].migratetype, -1);
	ck_assert_uint_eq(r.rows[0].pfn, 0);
	ck_assert_uint_eq(r.rows[0].has, 0);
}
END_TEST

/*
 * Empty fields after full ones, in every column the plain-line path's
 * steps write (their defaults are stored per field, not per row), and a
 * header without some of those columns.
 */
START_TEST(test_defaults_after_values)
{
	static const char full[] =
		"time_ns,op,pid,addr,type,ino,write\n"
		"5,access,7,0x1000,file,42,1\n"
		"6,exit,8,,,,\n"
		"7,access,9,0x2000,file,43,1\n"
		"8,alloc,,,,,\n"
		"9,access,10,0x3000,,,\n";
	static const char part[] =
		"pid,addr,op,time_ns\n"
		"7,0x1000,access,5\n"
		",,alloc,6\n";
	struct result r;

	read_both(full, false, &r);
	ck_assert_msg(r.rc == TRACE_EOF, "%s", r.err);
	ck_assert_uint_eq(r.nrows, 5);
	ck_assert_uint_eq(r.rows[0].ino, 42);
	ck_assert_uint_eq(r.rows[0].has, TRACE_HAS_INO);
	for (size_t i = 1; i < 5; i += 2) {
		ck_assert_uint_eq(r.rows[i].pid, i == 1 ? 8 : 0);
		ck_assert_uint_eq(r.rows[i].addr, 0);
		ck_assert_int_eq(r.rows[i].type, PAGE_ANON);
		ck_assert_uint_eq(r.rows[i].ino, 0);
		ck_assert(!r.rows[i].write);
		ck_assert_uint_eq(r.rows[i].has, 0);
		ck_assert_uint_eq(r.rows[i].dev, 0);
		ck_assert_uint_eq(r.rows[i].pfn, 0);
		ck_assert_uint_eq(r.rows[i].gfp, 0);
		ck_assert_uint_eq(r.rows[i].order, 0);
		ck_assert_int_eq(r.rows[i].migratetype, -1);
	}
	ck_assert_int_eq(r.rows[4].type, PAGE_ANON);
	ck_assert(!r.rows[4].write);
	read_both(part, false, &r);
	ck_assert_msg(r.rc == TRACE_EOF, "%s", r.err);
	ck_assert_uint_eq(r.nrows, 2);
	ck_assert_uint_eq(r.rows[0].pid, 7);
	ck_assert_uint_eq(r.rows[1].pid, 0);
	ck_assert_uint_eq(r.rows[1].addr, 0);
	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(r.rows[i].type, PAGE_ANON);
		ck_assert_uint_eq(r.rows[i].ino, 0);
		ck_assert(!r.rows[i].write);
		ck_assert_uint_eq(r.rows[i].has, 0);
	}
}
END_TEST

START_TEST(test_header_only)
{
	struct result r;

	read_both("time_ns,op,pid,addr\n", false, &r);
	ck_assert(r.opened);
	ck_assert_int_eq(r.rc, TRACE_EOF);
	ck_assert_uint_eq(r.nrows, 0);
	ck_assert_uint_eq(r.lines, 1);
	read_both("addr,pid,op,time_ns", false, &r);	/* no '\n' either */
	ck_assert_int_eq(r.rc, TRACE_EOF);
	ck_assert_uint_eq(r.nrows, 0);
}
END_TEST

/* Runs fn with stderr captured into buf. */
static void capture_stderr(void (*fn)(struct result *), struct result *r,
			   char *buf, size_t len)
{
	char path[128];
	int fd, saved;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/stderr_XXXXXX", tmpdir);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	saved = dup(2);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fd, 2), 0);
	fn(r);
	fflush(stderr);
	ck_assert_int_ge(dup2(saved, 2), 0);
	close(saved);
	n = pread(fd, buf, len - 1, 0);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	close(fd);
	ck_assert_int_eq(unlink(path), 0);
}

static void read_unknown_column(struct result *r)
{
	static const char text[] =
		"time_ns,op,foo,pid,addr\n1,access,zz,2,0x3000\n";

	read_text(text, strlen(text), false, r);
}

START_TEST(test_unknown_column_warns)
{
	struct result r;
	char err[512];

	capture_stderr(read_unknown_column, &r, err, sizeof(err));
	ck_assert_msg(r.rc == TRACE_EOF, "%s", r.err);
	ck_assert_uint_eq(r.nrows, 1);
	ck_assert_uint_eq(r.rows[0].pid, 2);
	ck_assert_uint_eq(r.rows[0].addr, 0x3000);
	ck_assert_ptr_nonnull(strstr(err, ":1: warning: unknown column 'foo' "
					  "ignored\n"));
	ck_assert_ptr_null(strstr(err, "error"));
}
END_TEST

/*
 * Numbers of every length, in every number column and order, first and
 * last on the line: the plain-line path reads digits eight to a word
 * (SWAR), so the lengths around 8 and 16 and the limits of 64 bits are
 * where it could go wrong; the fully quoted run (libcsv and the byte-wise
 * parsers) must agree, and both must give the value computed here.
 */

/* The value of digits (hex or decimal), or false if it overflows 64 bits. */
static bool digits_value(const char *s, unsigned base, uint64_t *v)
{
	*v = 0;
	for (; *s; s++) {
		unsigned d = *s <= '9' ? (unsigned)(*s - '0') :
			     (unsigned)((*s | 0x20) - 'a' + 10);

		if (*v > (UINT64_MAX - d) / base)
			return false;
		*v = *v * base + d;
	}
	return true;
}

/* n digits of pattern k: 1234567890..., 99...9 (all max), 10...0. */
static void digits_make(char *out, unsigned n, unsigned base, unsigned k)
{
	static const char cycle[] = "1234567890aBcDeFfEdCbA";
	unsigned len = base == 16 ? 22 : 10;

	for (unsigned i = 0; i < n; i++)
		out[i] = k == 0 ? cycle[i % len] :
			 k == 1 ? (base == 16 ? 'f' : '9') : i ? '0' : '1';
	out[n] = '\0';
}

static const struct {
	const char *name;
	bool hex_ok;
	uint64_t max;
} number_cols[] = {
	{ "time_ns", false, UINT64_MAX },
	{ "pid", false, UINT32_MAX },
	{ "addr", true, UINT64_MAX },
	{ "ino", true, UINT64_MAX },
	{ "dev", true, UINT64_MAX },
	{ "pfn", true, UINT64_MAX },
	{ "order", false, 10 },
};

static uint64_t row_value(const struct trace_row *row, const char *col)
{
	if (!strcmp(col, "time_ns"))
		return row->time_ns;
	if (!strcmp(col, "pid"))
		return row->pid;
	if (!strcmp(col, "addr"))
		return row->addr;
	if (!strcmp(col, "ino"))
		return row->ino;
	if (!strcmp(col, "dev"))
		return row->dev;
	if (!strcmp(col, "order"))
		return row->order;
	return row->pfn;
}

/*
 * One row with value in column col, which comes first or last on the line
 * (then before a CRLF); every other field is plain and valid.
 */
static void number_case(const char *col, const char *value, bool last,
			bool valid, uint64_t want)
{
	static const char *const names[] = {
		"time_ns", "op", "pid", "addr", "ino", "dev", "pfn", "order",
	};
	static const char *const plain[] = {
		"5", "access", "1", "0x1000", "7", "0x803", "42", "",
	};
	char text[512], head[128] = "", row[256] = "";
	struct result r;

	if (!last) {
		strcat(head, col);
		strcat(row, value);
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(names[i], col))
			continue;
		strcat(head, head[0] || !last ? "," : "");
		strcat(head, names[i]);
		strcat(row, row[0] || !last ? "," : "");
		strcat(row, plain[i]);
	}
	if (last) {
		strcat(head, ",");
		strcat(head, col);
		strcat(row, ",");
		strcat(row, value);
	}
	snprintf(text, sizeof(text), "%s\n%s%s", head, row,
		 last ? "\r\n" : "\n");
	read_both(text, false, &r);
	if (!valid) {
		ck_assert_msg(r.rc == TRACE_ERR, "%s=%s: no error", col, value);
		ck_assert_ptr_nonnull(strstr(r.err, col));
		return;
	}
	ck_assert_msg(r.rc == TRACE_EOF, "%s=%s: %s", col, value, r.err);
	ck_assert_uint_eq(r.nrows, 1);
	ck_assert_msg(row_value(&r.rows[0], col) == want,
		      "%s=%s: got %" PRIu64, col, value,
		      row_value(&r.rows[0], col));
	ck_assert_uint_eq(r.rows[0].line, 2);
}

START_TEST(test_number_lengths)
{
	const char *col = number_cols[_i].name;
	char digits[32], value[40];
	uint64_t want;
	bool ok;

	for (unsigned base = 10; base <= 16; base += 6) {
		if (base == 16 && !number_cols[_i].hex_ok)
			continue;
		for (unsigned n = 1; n <= 20; n++) {
			for (unsigned k = 0; k < 3; k++) {
				digits_make(digits, n, base, k);
				snprintf(value, sizeof(value), "%s%s",
					 base == 16 ? (n % 2 ? "0x" : "0X") :
					 "", digits);
				ok = digits_value(digits, base, &want) &&
				     want <= number_cols[_i].max;
				number_case(col, value, false, ok, want);
				number_case(col, value, true, ok, want);
			}
		}
	}
}
END_TEST

/* The limits, one past them, and leading zeros around 8 and 16 digits. */
static const struct {
	const char *text;
	bool valid;
	uint64_t want;
} number_limits[] = {
	{ "18446744073709551615", true, UINT64_MAX },
	{ "18446744073709551616", false, 0 },
	{ "0018446744073709551615", true, UINT64_MAX },
	{ "99999999999999999999", false, 0 },
	{ "0xffffffffffffffff", true, UINT64_MAX },
	{ "0xFFFFFFFFFFFFFFFF", true, UINT64_MAX },
	{ "0x10000000000000000", false, 0 },
	{ "0x0ffffffffffffffff", true, UINT64_MAX },
	{ "0x000000000000000000001", true, 1 },
	{ "00000001", true, 1 },
	{ "000000001", true, 1 },
	{ "0000000000000001", true, 1 },
	{ "00000000000000001", true, 1 },
	{ "0x00000001", true, 1 },
	{ "0x000000001", true, 1 },
	{ "0x0000000000000001", true, 1 },
	{ "0x00000000000000001", true, 1 },
	{ "0x0", true, 0 },
	{ "0", true, 0 },
};

START_TEST(test_number_limits)
{
	for (size_t i = 0; i < sizeof(number_limits) / sizeof(number_limits[0]);
	     i++) {
		number_case("addr", number_limits[i].text, false,
			    number_limits[i].valid, number_limits[i].want);
		number_case("addr", number_limits[i].text, true,
			    number_limits[i].valid, number_limits[i].want);
	}
}
END_TEST

/*
 * Bytes just outside the digit ranges, and control and non-ASCII bytes,
 * next to digits at each place of an 8-byte word: each makes the value
 * bad (the messages must match libcsv's path, read_both() checks).
 */
START_TEST(test_number_bad_bytes)
{
	static const char *const bad[] = {
		"/", ":", "@", "G", "`", "g", "\x10", "\x15", "\x19", "\x7f",
		"\xc3\xa9", "\xc3\xb1", "x",	/* U+00F1: "C1" in 7 bits */
	};
	char value[40];

	for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
		for (unsigned at = 0; at <= 17; at++) {
			for (int hex = 0; hex <= 1; hex++) {
				char digits[24];

				digits_make(digits, 18, hex ? 16 : 10, 0);
				digits[at] = '\0';
				snprintf(value, sizeof(value), "%s%s%s%s",
					 hex ? "0x" : "", digits, bad[b],
					 "12");
				number_case("addr", value, false, false, 0);
				number_case("ino", value, true, false, 0);
			}
		}
	}
}
END_TEST

/*
 * Rows across the end of the first read buffer at every offset: the end of
 * the buffer's data (its '\n' sentinel, and the padding after it for the
 * 8-byte loads) falls inside every field, at the start of a second word of
 * digits, and right after a line's '\n'. Every row is the same length but
 * the first, whose pid has `shift` leading zeros more.
 */
enum { READ_BYTES = 65536 };	/* sim/trace_csv.c's CSV_READ_BYTES */

struct edge_row {
	uint64_t time_ns, addr, pfn;
	uint32_t pid, ino, dev;
	bool write;
};

static struct edge_row edge_row(unsigned i)
{
	struct edge_row e = {
		.time_ns = 1000000000000ull + 7ull * i,
		.addr = 0x7f0000000000ull + 0x1000ull * i + i % 4096,
		.pfn = 1000000000000000ull + i,
		.pid = 100 + i % 900,
		.ino = 100000000u + i * 3,
		.dev = 0x10000000u + i,
		.write = i % 3 == 0,
	};

	return e;
}

/* Writes the trace; returns its row count and where each row's '\n' is. */
static size_t edge_text(char *text, size_t cap, unsigned shift, bool crlf,
			size_t *len, size_t *ends, size_t max_rows)
{
	size_t n = 0, rows = 0;

	n += (size_t)snprintf(text, cap, "time_ns,op,pid,addr,type,ino,dev,"
			      "pfn,write\n");
	while (n < READ_BYTES + 400 && rows < max_rows) {
		struct edge_row e = edge_row((unsigned)rows);

		n += (size_t)snprintf(text + n, cap - n,
				      "%013" PRIu64 ",access,%0*u,%s%012"
				      PRIx64 ",file,%09u,0x%08x,%016" PRIu64
				      ",%d%s", e.time_ns,
				      rows ? 3 : 3 + (int)shift, e.pid,
				      rows % 2 ? "0X" : "0x", e.addr, e.ino,
				      e.dev, e.pfn, e.write,
				      crlf ? "\r\n" : "\n");
		ends[rows++] = n - 1;
	}
	*len = n;
	return rows;
}

START_TEST(test_buffer_end_every_offset)
{
	enum { CAP = READ_BYTES + 1024, MAX = 2048 };
	char *text = malloc(CAP);
	size_t *ends = malloc(MAX * sizeof(*ends));
	bool hit_last_byte = false;

	ck_assert(text && ends);
	for (int crlf = 0; crlf <= 1; crlf++) {
		for (unsigned shift = 0; shift < 90; shift++) {
			struct trace_reader *r;
			struct trace_row row;
			size_t len, rows, i;
			const char *path;
			char err[MSG];

			rows = edge_text(text, CAP, shift, crlf, &len, ends,
					 MAX);
			for (i = 0; i < rows; i++)
				hit_last_byte |= ends[i] == READ_BYTES - 1;
			path = write_file(text, len);
			r = trace_open(path, NULL, err, sizeof(err));
			ck_assert_msg(r != NULL, "%s", err);
			for (i = 0; i < rows; i++) {
				struct edge_row e = edge_row((unsigned)i);
				int rc = trace_next(r, &row);

				ck_assert_msg(rc == TRACE_ROW, "shift %u row "
					      "%zu: %s", shift, i,
					      trace_error(r));
				ck_assert_uint_eq(row.time_ns, e.time_ns);
				ck_assert_uint_eq(row.pid, e.pid);
				ck_assert_uint_eq(row.addr, e.addr);
				ck_assert_int_eq(row.type, PAGE_FILE);
				ck_assert_uint_eq(row.ino, e.ino);
				ck_assert_uint_eq(row.dev, e.dev);
				ck_assert_uint_eq(row.pfn, e.pfn);
				ck_assert_int_eq(row.write, e.write);
				ck_assert_uint_eq(row.has, TRACE_HAS_INO |
							   TRACE_HAS_PFN);
				ck_assert_uint_eq(row.line, i + 2);
			}
			ck_assert_int_eq(trace_next(r, &row), TRACE_EOF);
			ck_assert_uint_eq(trace_lines(r), rows + 1);
			trace_close(r);
			ck_assert_int_eq(unlink(path), 0);
		}
	}
	ck_assert(hit_last_byte);	/* a line ends at the buffer's end */
	free(text);
	free(ends);
}
END_TEST

/* More columns than the plain-line path plans for: all through libcsv. */
static void read_wide_header(struct result *r)
{
	char text[2048];
	size_t n;

	n = (size_t)snprintf(text, sizeof(text), "time_ns,op,pid,addr");
	for (int i = 0; i < 70; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, ",n%d", i);
	n += (size_t)snprintf(text + n, sizeof(text) - n,
			      "\n1,access,2,0x3000");
	for (int i = 0; i < 70; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, ",%d", i);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\n2,exit,2,");
	for (int i = 0; i < 70; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, ",");
	text[n++] = '\n';
	read_text(text, n, false, r);
}

START_TEST(test_wide_header)
{
	struct result r;
	char err[8192];

	capture_stderr(read_wide_header, &r, err, sizeof(err));
	ck_assert_msg(r.rc == TRACE_EOF, "%s", r.err);
	ck_assert_uint_eq(r.nrows, 2);
	ck_assert_uint_eq(r.rows[0].addr, 0x3000);
	ck_assert_int_eq(r.rows[1].op, TRACE_OP_EXIT);
	ck_assert_uint_eq(r.rows[1].line, 3);
	ck_assert_ptr_nonnull(strstr(err, "unknown column 'n69' ignored"));
}
END_TEST

/* ---- malformed rows ------------------------------------------------------ */

static const struct {
	const char *text;
	size_t rows_before;		/* good rows handed out first */
	const char *msg;
} bad_rows[] = {
	/* short row: names the first missing column */
	{ "time_ns,op,pid,addr\n0,access,1\n", 0,
	  "FILE:2: column 4 (addr): got end of row after 3 fields, expected 4 "
	  "fields as in the header" },
	{ "time_ns,op,pid,addr\n0,access,1,0x1000,zz\n", 0,
	  "FILE:2: column 5: got 'zz', expected at most 4 fields as in the "
	  "header" },
	/* not a number, negative, overflowing */
	{ "time_ns,op,pid,addr\n0,access,x1,0x1000\n", 0,
	  "FILE:2: column 3 (pid): got 'x1', expected a non-negative integer" },
	{ "time_ns,op,pid,addr\n-5,access,1,0x1000\n", 0,
	  "FILE:2: column 1 (time_ns): got '-5', expected a non-negative "
	  "integer" },
	{ "time_ns,op,pid,addr\n0x10,access,1,0x1000\n", 0,
	  "FILE:2: column 1 (time_ns): got '0x10', expected a non-negative "
	  "integer" },
	{ "time_ns,op,pid,addr\n18446744073709551616,access,1,0x1000\n", 0,
	  "FILE:2: column 1 (time_ns): got '18446744073709551616', expected "
	  "a non-negative integer <= 18446744073709551615" },
	{ "time_ns,op,pid,addr\n0,access,4294967296,0x1000\n", 0,
	  "FILE:2: column 3 (pid): got '4294967296', expected a non-negative "
	  "integer <= 4294967295" },
	{ "time_ns,op,pid,addr\n0,access,1,0x10000000000000000\n", 0,
	  "FILE:2: column 4 (addr): got '0x10000000000000000', expected a "
	  "non-negative integer <= 18446744073709551615" },
	{ "time_ns,op,pid,addr\n0,access,1,0x\n", 0,
	  "FILE:2: column 4 (addr): got '0x', expected a non-negative integer "
	  "(decimal or 0x-hex)" },
	{ "time_ns,op,pid,addr\n0,access,1,0x12g4\n", 0,
	  "FILE:2: column 4 (addr): got '0x12g4', expected a non-negative "
	  "integer (decimal or 0x-hex)" },
	{ "time_ns,op,pid,addr\n0,access,1,+5\n", 0,
	  "FILE:2: column 4 (addr): got '+5', expected a non-negative integer "
	  "(decimal or 0x-hex)" },
	{ "time_ns,op,pid,addr,order\n0,alloc,,,11\n", 0,
	  "FILE:2: column 5 (order): got '11', expected an order 0..10" },
	{ "time_ns,op,pid,addr,pfn\n0,free,,,0x1 2\n", 0,
	  "FILE:2: column 5 (pfn): got '0x1 2', expected a non-negative "
	  "integer (decimal or 0x-hex)" },
	/* a blank inside a value, a field too many */
	{ "time_ns,op,pid,addr\n0,access x,1,0x1000\n", 0,
	  "FILE:2: column 2 (op): got 'access x', expected one of access, "
	  "unmap, exit, alloc, free, evict" },
	{ "time_ns,op,pid,addr\n0,access,1 2,0x1000\n", 0,
	  "FILE:2: column 3 (pid): got '1 2', expected a non-negative "
	  "integer" },
	{ "time_ns,op,pid,addr\n0,access,1,0x1000,\n", 0,
	  "FILE:2: column 5: got '', expected at most 4 fields as in the "
	  "header" },
	/* time going backwards */
	{ "time_ns,op,pid,addr\n7,access,1,0x1000\n5,access,1,0x1000\n", 1,
	  "FILE:3: column 1 (time_ns): time_ns 5 is before the previous row's "
	  "7, expected non-decreasing times" },
	/* words */
	{ "time_ns,op,pid,addr\n0,acess,1,0x1000\n", 0,
	  "FILE:2: column 2 (op): got 'acess', expected one of access, unmap, "
	  "exit, alloc, free, evict" },
	{ "time_ns,op,pid,addr\n0,ACCESS,1,0x1000\n", 0,
	  "FILE:2: column 2 (op): got 'ACCESS', expected one of access, unmap, "
	  "exit, alloc, free, evict" },
	{ "time_ns,op,pid,addr,type\n0,access,1,0x1000,shmem\n", 0,
	  "FILE:2: column 5 (type): got 'shmem', expected anon or file" },
	{ "time_ns,op,pid,addr,write\n0,access,1,0x1000,2\n", 0,
	  "FILE:2: column 5 (write): got '2', expected 0 or 1" },
	{ "time_ns,op,pid,addr,migratetype\n0,alloc,,,cma\n", 0,
	  "FILE:2: column 5 (migratetype): got 'cma', expected unmovable, "
	  "movable, reclaimable, highatomic or 0..3" },
	{ "time_ns,op,pid,addr,migratetype\n0,alloc,,,4\n", 0,
	  "FILE:2: column 5 (migratetype): got '4', expected unmovable, "
	  "movable, reclaimable, highatomic or 0..3" },
	{ "time_ns,op,pid,addr,gfp\n0,alloc,,,GFP_KERNEL|GFP_BOGUS\n", 0,
	  "FILE:2: column 5 (gfp): got 'GFP_KERNEL|GFP_BOGUS', expected gfp "
	  "flag names as the kernel prints them (GFP_KERNEL|__GFP_ZERO), 0 or "
	  "none: unknown flag 'GFP_BOGUS'" },
	{ "time_ns,op,pid,addr,gfp\n0,alloc,,,0xcc0\n", 0,
	  "FILE:2: column 5 (gfp): got '0xcc0', expected gfp flag names as the "
	  "kernel prints them (GFP_KERNEL|__GFP_ZERO), 0 or none: numeric "
	  "masks are not accepted (the bits differ between kernels), got "
	  "'0xcc0'" },
	/* what each op needs */
	{ "time_ns,op,pid,addr\n,access,1,0x1000\n", 0,
	  "FILE:2: column 1 (time_ns): got an empty field, expected a "
	  "non-negative integer" },
	{ "time_ns,op,pid,addr\n0,,1,0x1000\n", 0,
	  "FILE:2: column 2 (op): got an empty field, expected one of access, "
	  "unmap, exit, alloc, free, evict" },
	{ "time_ns,op,pid,addr\n0,access,1,\n", 0,
	  "FILE:2: column 4 (addr): got an empty field, expected a "
	  "non-negative integer (decimal or 0x-hex) (op 'access' needs it)" },
	{ "time_ns,op,pid,addr\n0,unmap,,0x1000\n", 0,
	  "FILE:2: column 3 (pid): got an empty field, expected a "
	  "non-negative integer (op 'unmap' needs it)" },
	{ "time_ns,op,pid,addr\n0,exit,,\n", 0,
	  "FILE:2: column 3 (pid): got an empty field, expected a "
	  "non-negative integer (op 'exit' needs it)" },
	{ "time_ns,op,pid,addr\n0,free,,\n", 0,
	  "FILE:2: got no pfn column, expected one (op 'free' needs pfn)" },
	{ "time_ns,op,pid,addr,pfn\n0,free,,,\n", 0,
	  "FILE:2: column 5 (pfn): got an empty field, expected a "
	  "non-negative integer (decimal or 0x-hex) (op 'free' needs it)" },
	{ "time_ns,op,pid,addr,type\n0,access,1,0x1000,file\n", 0,
	  "FILE:2: got no ino column, expected one (op 'access' needs ino)" },
	{ "time_ns,op,pid,addr,ino\n0,evict,,0x1000,\n", 0,
	  "FILE:2: column 5 (ino): got an empty field, expected a "
	  "non-negative integer (decimal or 0x-hex) (op 'evict' needs it)" },
	{ "time_ns,op,pid,addr,type,ino\n0,evict,,0x1000,anon,5\n", 0,
	  "FILE:2: column 5 (type): got 'anon', expected file (op 'evict' "
	  "names a file page)" },
	/* the first problem in column order wins */
	{ "time_ns,op,pid,addr\n0,acess,x,\n", 0,
	  "FILE:2: column 2 (op): got 'acess', expected one of access, unmap, "
	  "exit, alloc, free, evict" },
	/* control bytes are shown as '?', long text is cut */
	{ "time_ns,op,pid,addr\n0,access,1,0x1000\n1,acc\tx\x01s,1,0x1000\n",
	  1, "FILE:3: column 2 (op): got 'acc?x?s', expected one of access, "
	  "unmap, exit, alloc, free, evict" },
	{ "time_ns,op,pid,addr\n0,access,1,"
	  "0x123456789012345678901234567890123456789012345678901234567890\n",
	  0, "FILE:2: column 4 (addr): got "
	  "'0x12345678901234567890123456789012345678...', expected a "
	  "non-negative integer <= 18446744073709551615" },
	/* quotes */
	{ "time_ns,op,pid,addr\n0,access,1,\"0x1000\n", 0,
	  "FILE:2: column 4 (addr): got an unterminated quoted field at end of "
	  "file, expected a closing '\"'" },
	{ "time_ns,op,pid,addr\n0,access,1,0x1000\n1,acc\"ess,1,0x1000\n", 1,
	  "FILE:3: column 2 (op): got '\"' inside an unquoted field, expected "
	  "quotes only around a whole field" },
	{ "time_ns,op,pid,addr\n0,\"access\"x,1,0x1000\n", 0,
	  "FILE:2: column 2 (op): got 'x' after a closing quote, expected ',' "
	  "or the end of the line (write \"\" for a quote inside a quoted "
	  "field)" },
	/* a quoted newline moves the lines of what follows */
	{ "time_ns,op,pid,addr,note\n0,access,1,0x1000,\"a\nb\nc\"\n"
	  "1,access,1,0x10000000000000000,x\n", 1,
	  "FILE:5: column 4 (addr): got '0x10000000000000000', expected a "
	  "non-negative integer <= 18446744073709551615" },
	/* ... and a quoted first field's lines are not rows of their own */
	{ "time_ns,op,pid,addr,note\n\"5\n6,access,1,0x1000,x\n7\",access,1,"
	  "0x2000,y\n", 0,
	  "FILE:2: column 1 (time_ns): got '5?6,access,1,0x1000,x?7', "
	  "expected a non-negative integer" },
	{ "time_ns,op,pid,addr,note\n0,access,\"1\n\",0x1000,x\n", 0,
	  "FILE:2: column 3 (pid): got '1?', expected a non-negative integer" },
	{ "time_ns,op,pid,addr,note\n0,access,1,0x1000,\"a\nb\"x\n", 0,
	  "FILE:3: column 5 (note): got 'x' after a closing quote, expected "
	  "',' or the end of the line (write \"\" for a quote inside a quoted "
	  "field)" },
};

START_TEST(test_bad_row)
{
	struct result r;

	read_both(bad_rows[_i].text, false, &r);
	ck_assert_msg(r.opened, "open failed: %s", r.err);
	ck_assert_int_eq(r.rc, TRACE_ERR);
	ck_assert_str_eq(r.err, bad_rows[_i].msg);
	ck_assert_uint_eq(r.nrows, bad_rows[_i].rows_before);
	ck_assert_uint_eq(r.bad, 0);
}
END_TEST

/* Every bad row above is skipped, counted and reported once in skip mode. */
START_TEST(test_bad_row_skipped)
{
	struct result r;

	read_both(bad_rows[_i].text, true, &r);
	ck_assert_msg(r.opened, "open failed: %s", r.err);
	ck_assert_int_eq(r.rc, TRACE_EOF);
	ck_assert_str_eq(r.err, "");
	ck_assert_uint_eq(r.bad, 1);
	ck_assert_str_eq(r.first_bad, bad_rows[_i].msg);
	ck_assert_uint_eq(r.nrows, bad_rows[_i].rows_before);
}
END_TEST

START_TEST(test_skip_mode)
{
	static const char text[] =
		"time_ns,op,pid,addr\n"
		"10,access,1,0x1000\n"		/* 2 ok */
		"5,access,1,0x1000\n"		/* 3 backwards */
		"7,acess,1,0x1000\n"		/* 4 bad op */
		"8,access,1,0x1000\n"		/* 5 still before 10 */
		"12,acc\"ess,1,0x1000\n"	/* 6 stray quote */
		"13,access,1\n"			/* 7 short */
		"14,access,2,0x2000\n"		/* 8 ok */
		"15,access,1,\"0x3000";		/* 9 unterminated */
	struct result r;

	read_both(text, true, &r);
	ck_assert_int_eq(r.rc, TRACE_EOF);
	ck_assert_uint_eq(r.nrows, 2);
	ck_assert_uint_eq(r.rows[0].time_ns, 10);
	ck_assert_uint_eq(r.rows[1].time_ns, 14);
	ck_assert_uint_eq(r.rows[1].line, 8);
	ck_assert_uint_eq(r.bad, 6);
	ck_assert_str_eq(r.first_bad, "FILE:3: column 1 (time_ns): time_ns 5 "
			 "is before the previous row's 10, expected "
			 "non-decreasing times");
	ck_assert_uint_eq(r.lines, 9);
	/* strict mode stops at line 3 after handing out line 2 */
	read_both(text, false, &r);
	ck_assert_int_eq(r.rc, TRACE_ERR);
	ck_assert_uint_eq(r.nrows, 1);
	ck_assert_uint_eq(r.bad, 0);
	ck_assert_str_eq(r.first_bad, "");
	ck_assert_str_eq(r.err, "FILE:3: column 1 (time_ns): time_ns 5 is "
			 "before the previous row's 10, expected "
			 "non-decreasing times");
}
END_TEST

/* ---- inputs that are not a trace --------------------------------------- */

static const struct {
	const char *text;
	size_t len;
	const char *msg;
} bad_inputs[] = {
	{ "", 0, "FILE: empty trace" },
	{ "time_ns,op,addr\n0,exit,,\n", 25,
	  "FILE:1: header: got no pid column, expected a header naming "
	  "time_ns, op, pid and addr (any order; see traces/FORMAT.md)" },
	{ "op\n", 3,
	  "FILE:1: header: got no time_ns column, expected a header naming "
	  "time_ns, op, pid and addr (any order; see traces/FORMAT.md)" },
	{ "time_ns,op,pid,addr,pid\n", 24,
	  "FILE:1: column 5 (pid): got a second pid column, expected each "
	  "column once (the first is column 3)" },
	{ "time_ns,op,pid,addr,\"x\n", 23,
	  "FILE:1: column 5: got an unterminated quoted field at end of file, "
	  "expected a closing '\"'" },
	{ "time_ns,op\0,pid,addr\n", 21,
	  "FILE: got NUL byte 0x00 at offset 10, expected a text trace (UTF-8: "
	  "CSV or kernel tracing text)" },
	{ "time_ns,op,pid,addr\n0,access,1,\xff\n", 33,
	  "FILE: got non-UTF-8 byte 0xff at offset 31, expected a text trace "
	  "(UTF-8: CSV or kernel tracing text)" },
	{ "time_ns,op,pid,addr\n0,access,1,\xc0\x80\n", 34,
	  "FILE: got non-UTF-8 byte 0xc0 at offset 31, expected a text trace "
	  "(UTF-8: CSV or kernel tracing text)" },
	{ "\xfd" "7zXZ\0\0\x04\xe6\xd6\xb4\x46", 12,
	  "FILE: got xz-compressed data, expected a text trace (decompress it "
	  "first: xzcat FILE | mmsim run -)" },
	{ "\x1f\x8b\x08\0\0\0\0\0", 8,
	  "FILE: got gzip-compressed data, expected a text trace (decompress "
	  "it first: zcat FILE | mmsim run -)" },
	{ "hello, world\n1,2\n", 17,
	  "FILE: got 'hello, world', expected a CSV header with "
	  "time_ns,op,pid,addr (traces/FORMAT.md)" },
	{ "\n\n", 2,
	  "FILE: got '', expected a CSV header with time_ns,op,pid,addr "
	  "(traces/FORMAT.md)" },
};

START_TEST(test_bad_input)
{
	struct result r;

	const char *want = bad_inputs[_i].msg;

	for (int skip = 0; skip <= 1; skip++) {
		read_text(bad_inputs[_i].text, bad_inputs[_i].len, skip, &r);
		ck_assert(!r.opened);
		if (!strstr(want, "expected a CSV header")) {
			ck_assert_str_eq(r.err, want);
			continue;
		}
		/* the text formats registered after CSV add " or ..." */
		ck_assert_msg(strncmp(r.err, want, strlen(want)) == 0 &&
			      (r.err[strlen(want)] == '\0' ||
			       strncmp(r.err + strlen(want), " or ", 4) == 0),
			      "%s", r.err);
	}
}
END_TEST

START_TEST(test_unreadable_paths)
{
	char path[128], err[MSG];

	ck_assert_ptr_null(trace_open(tmpdir, NULL, err, sizeof(err)));
	snprintf(path, sizeof(path), "%s: got a directory, expected a trace "
		 "file", tmpdir);
	ck_assert_str_eq(err, path);
	snprintf(path, sizeof(path), "%s/missing.csv", tmpdir);
	ck_assert_ptr_null(trace_open(path, NULL, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "missing.csv: cannot open: "));
	ck_assert_ptr_nonnull(strstr(err, strerror(ENOENT)));
}
END_TEST

/* ---- streaming ---------------------------------------------------------- */

/* A small deterministic PRNG (xorshift64), so failures reproduce. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Many rows across many read buffers, mixing the plain path with lines
 * libcsv must take (quoted fields with newlines, CRLF, blank lines, a
 * line longer than the read buffer); every row's values and line number
 * are checked.
 */
START_TEST(test_stream_many_rows)
{
	enum { NROWS = 200000 };
	size_t cap = (size_t)NROWS * 96 + 300000, n = 0;
	char *text = malloc(cap);
	uint64_t seed = 0x9e3779b97f4a7c15ull, line = 1, t = 0;
	uint64_t *want_addr = malloc(NROWS * sizeof(*want_addr));
	uint64_t *want_line = malloc(NROWS * sizeof(*want_line));
	struct trace_reader *r;
	struct trace_row row;
	char err[MSG];
	const char *path;
	size_t i;

	ck_assert(text && want_addr && want_line);
	n += (size_t)sprintf(text + n, "time_ns,op,pid,addr,note\n");
	for (i = 0; i < NROWS; i++) {
		uint64_t x = rng_next(&seed);

		want_addr[i] = x >> 12 << 12;
		want_line[i] = ++line;
		t += x % 1000;
		n += (size_t)sprintf(text + n, "%" PRIu64 ",access,%u,%s%"
				     PRIx64 ",", t, (unsigned)(x % 5000),
				     i % 2 ? "0x" : "0X", want_addr[i]);
		if (i % 97 == 0) {		/* quoted, with a newline */
			n += (size_t)sprintf(text + n, "\"a\nb\"");
			line++;
		} else if (i == NROWS / 2) {	/* longer than a buffer */
			memset(text + n, 'z', 200000);
			n += 200000;
		}
		if (i % 13 == 0)
			text[n++] = '\r';
		text[n++] = '\n';
		if (i % 101 == 0) {
			n += (size_t)sprintf(text + n, "\n");
			line++;
		}
	}
	path = write_file(text, n);
	r = trace_open(path, NULL, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	for (i = 0; i < NROWS; i++) {
		int rc = trace_next(r, &row);

		ck_assert_msg(rc == TRACE_ROW, "row %zu: %s", i,
			      trace_error(r));
		ck_assert_uint_eq(row.addr, want_addr[i]);
		ck_assert_uint_eq(row.line, want_line[i]);
	}
	ck_assert_int_eq(trace_next(r, &row), TRACE_EOF);
	ck_assert_int_eq(trace_next(r, &row), TRACE_EOF);
	ck_assert_uint_eq(trace_lines(r), line);
	trace_close(r);
	ck_assert_int_eq(unlink(path), 0);
	free(text);
	free(want_addr);
	free(want_line);
}
END_TEST

/* A UTF-8 character cut by the end of the peek buffer is still text. */
START_TEST(test_utf8_across_peek)
{
	static const char head[] = "time_ns,op,pid,addr,note\n0,access,1,0x1000,";
	size_t len = TRACE_PEEK_BYTES + 100, n = sizeof(head) - 1;
	char *text = malloc(len);
	struct result r;

	ck_assert_ptr_nonnull(text);
	memcpy(text, head, n);
	memset(text + n, 'a', TRACE_PEEK_BYTES - 1 - n);
	n = TRACE_PEEK_BYTES - 1;
	text[n++] = '\xc3';			/* U+00E9 across the cut */
	text[n++] = '\xa9';
	n += (size_t)sprintf(text + n, "\n1,exit,1,,\n");
	read_text(text, n, false, &r);
	ck_assert_msg(r.rc == TRACE_EOF, "%s", r.err);
	ck_assert_uint_eq(r.nrows, 2);
	ck_assert_uint_eq(r.rows[1].line, 3);
	free(text);
}
END_TEST

START_TEST(test_runaway_quote)
{
	size_t len = (2u << 20) + 64, n;
	char *text = malloc(len);
	struct result r;

	ck_assert_ptr_nonnull(text);
	n = (size_t)sprintf(text, "time_ns,op,pid,addr,note\n"
				  "0,access,1,0x1000,\"");
	memset(text + n, 'q', len - n);
	read_text(text, len, true, &r);
	ck_assert_int_eq(r.rc, TRACE_ERR);	/* fatal even in skip mode */
	ck_assert_str_eq(r.err, "FILE:2: column 5 (note): got a field longer "
			 "than 1048576 bytes, expected a short value (is a "
			 "quote unterminated?)");
	free(text);
}
END_TEST

START_TEST(test_stdin)
{
	static const char text[] = "time_ns,op,pid,addr\n3,exit,4,\n";
	const char *path = write_file(text, sizeof(text) - 1);
	struct trace_reader *r;
	struct trace_row row;
	char err[MSG];

	ck_assert_ptr_nonnull(freopen(path, "r", stdin));
	r = trace_open("-", NULL, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_int_eq(trace_next(r, &row), TRACE_ROW);
	ck_assert_uint_eq(row.pid, 4);
	ck_assert_int_eq(trace_next(r, &row), TRACE_EOF);
	trace_close(r);
	ck_assert_int_eq(unlink(path), 0);
	/* errors name stdin */
	path = write_file("", 0);
	ck_assert_ptr_nonnull(freopen(path, "r", stdin));
	ck_assert_ptr_null(trace_open("-", NULL, err, sizeof(err)));
	ck_assert_str_eq(err, "<stdin>: empty trace");
	ck_assert_int_eq(unlink(path), 0);
}
END_TEST

/* The readable examples in tests/data/. */
START_TEST(test_data_examples)
{
	char dir[256], path[300];
	const char *slash;
	struct result r;

	snprintf(dir, sizeof(dir), "%s", __FILE__);
	slash = strrchr(dir, '/');
	dir[slash ? (size_t)(slash - dir) : 0] = '\0';
	snprintf(path, sizeof(path), "%s%sdata/trace_example.csv", dir,
		 dir[0] ? "/" : "");
	read_path(path, false, &r);
	ck_assert_msg(r.rc == TRACE_EOF, "%s: %s", path, r.err);
	ck_assert_uint_eq(r.nrows, 9);
	ck_assert_int_eq(r.rows[0].op, TRACE_OP_ACCESS);
	ck_assert_int_eq(r.rows[8].op, TRACE_OP_EXIT);
	snprintf(path, sizeof(path), "%s%sdata/trace_time_backwards.csv",
		 dir, dir[0] ? "/" : "");
	read_path(path, false, &r);
	ck_assert_int_eq(r.rc, TRACE_ERR);
	ck_assert_ptr_nonnull(strstr(r.err, ":5: column 1 (time_ns): "
					    "time_ns 2000 is before the "
					    "previous row's 3000"));
}
END_TEST

START_TEST(test_op_names)
{
	static const char *const want[NR_TRACE_OPS] = {
		"access", "unmap", "exit", "alloc", "free", "evict",
	};

	for (int op = 0; op < NR_TRACE_OPS; op++)
		ck_assert_str_eq(trace_op_name((enum trace_op)op), want[op]);
}
END_TEST

static Suite *trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("valid");
	TCase *bad = tcase_create("malformed");
	TCase *io = tcase_create("input");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_every_column_shuffled);
	tcase_add_loop_test(tc, test_numbers, 0, (int)(sizeof(numbers) /
						       sizeof(numbers[0])));
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_quoting_and_lines);
	tcase_add_test(tc, test_crlf);
	tcase_add_test(tc, test_blanks_around_values);
	tcase_add_test(tc, test_bare_cr);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_defaults_after_values);
	tcase_add_test(tc, test_header_only);
	tcase_add_test(tc, test_unknown_column_warns);
	tcase_add_test(tc, test_op_names);
	tcase_add_loop_test(tc, test_number_lengths, 0,
			    (int)(sizeof(number_cols) / sizeof(number_cols[0])));
	tcase_add_test(tc, test_number_limits);
	tcase_add_test(tc, test_number_bad_bytes);
	tcase_add_test(tc, test_wide_header);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_add_loop_test(bad, test_bad_row, 0, (int)(sizeof(bad_rows) /
							sizeof(bad_rows[0])));
	tcase_add_loop_test(bad, test_bad_row_skipped, 0,
			    (int)(sizeof(bad_rows) / sizeof(bad_rows[0])));
	tcase_add_test(bad, test_skip_mode);
	tcase_add_loop_test(bad, test_bad_input, 0,
			    (int)(sizeof(bad_inputs) / sizeof(bad_inputs[0])));
	suite_add_tcase(s, bad);

	tcase_add_checked_fixture(io, setup, teardown);
	tcase_set_timeout(io, 60);
	tcase_add_test(io, test_unreadable_paths);
	tcase_add_test(io, test_stream_many_rows);
	tcase_add_test(io, test_buffer_end_every_offset);
	tcase_add_test(io, test_utf8_across_peek);
	tcase_add_test(io, test_runaway_quote);
	tcase_add_test(io, test_stdin);
	tcase_add_test(io, test_data_examples);
	suite_add_tcase(s, io);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(trace_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
