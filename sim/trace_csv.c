/*
 * trace_csv.c - trace format v1: CSV with a header row (traces/FORMAT.md).
 *
 * The header names the columns in any order; trace_csv maps it once to a
 * column kind per position (col_kind[]) and the position of each kind
 * (col_of[]), so a data field costs one array lookup and one hand-written
 * parse. libcsv does the quoting; it calls field_cb() per field and row_cb()
 * per row end, and those callbacks fill struct trace_row directly from
 * libcsv's entry buffer (or the read buffer, see below): no per-field
 * allocation, no string copies. The row is, when it can be, the caller's
 * own (see csv_next()).
 *
 * Two paths, one behaviour. libcsv is the reference parser, but it costs
 * about 7 ns a byte here (3.6 M rows/s of 37-byte rows with empty
 * callbacks, below the replay's 5 M rows/s target). Almost every line of a
 * real trace is a plain row of valid values: the header's number of
 * fields, no '"', no '\r' but one just before the '\n'. fast_row() parses
 * such a line, met while libcsv is between rows, in one pass straight into
 * the caller's row, by a chain of steps made once from the header, one per
 * column, each of which parses its field and jumps to the next. A step
 * first tries the value its column nearly always holds - digits read eight
 * to a 64-bit word (SWAR), "access", "anon" or "file" as one word compare,
 * '0' or '1' - and leaves anything else (an empty field, blanks around a
 * value, another op, a long number, a rare column) to a byte loop that
 * drops blanks as libcsv drops them. The row then ends as row_cb() ends it,
 * and is checked as check_row() checks it. Both paths store values through
 * the same number_store(), word_store() and rare_word_store(); the fast
 * digit parsers take only numbers too short to overflow (15 digits by
 * SWAR, 19 by the byte loop) and leave longer ones to parse_u64(). A '\n'
 * sentinel after the read buffer's data stops every scan, so none needs a
 * bounds check, and padding after it keeps the 8-byte loads inside the
 * buffer. At the first thing the fast path does not take - a quote, a
 * stray CR, a blank line, too few or too many fields, a bad or
 * out-of-range value, a row with an error, a line not yet read whole - it
 * gives the line up untouched, and the line goes to libcsv, which keeps
 * its own state across calls and reports any error. So errors, line
 * numbers and skip mode are libcsv's, and tests/check_trace.c runs each
 * valid and malformed input plainly and fully quoted (all through libcsv)
 * and compares.
 *
 * Streaming. The input is read CSV_READ_BYTES at a time through
 * trace_input_read(); a partial last line moves to the front of the buffer
 * for the next read. trace_next() parses lines until one yields a row,
 * straight into the caller's struct trace_row; the few extra rows one
 * libcsv chunk can yield (a lone '\r' ends a row too) wait in a small
 * queue. Memory is the read buffer, the queue and libcsv's entry buffer,
 * whatever the trace length; a field longer than CSV_FIELD_MAX_BYTES (an
 * unterminated quote, usually) is an error rather than a reason to buffer
 * the rest of the file.
 *
 * Speed (callgrind, and one core of the shared development VM, best of
 * runs, the read included): the benchmark's 44-byte rows, about 330
 * instructions a row, a third of them the 12 hex digits of the address.
 * The first version of this fast path, at 380, read 1.4 times the rows per
 * second of the byte loops, the loop over the columns and the general
 * path's row bookkeeping it replaced (700 instructions a row; 12 M rows/s
 * on a fast day of the VM, whose speed swings 2x). The rows of
 * traces/sample.csv, as mmsim import writes them: about 440 instructions,
 * 940 before the fast path. The benchmark's rows fully quoted, so all
 * through libcsv, 3.3 M rows/s. libcsv alone, with empty callbacks, read
 * 3.6 M rows/s of 37-byte rows.
 *
 * Line numbers. libcsv does not count lines, so we do: with CSV_REPALL_NL it
 * reports every unquoted line end, blank lines included, to row_cb(); a
 * '\r' is held until the next callback shows whether a '\n' follows (CRLF
 * is one line end, a lone CR is one too); newlines inside quoted fields are
 * counted in field_cb(). A row's line is the line it starts on; a field's
 * error names the line the field starts on.
 *
 * Errors. Each row is checked in column order: the first bad field wins,
 * then a short row, then the op's required fields, then time order. Strict
 * mode stops parsing at the first bad row (rows before it are still handed
 * out, then TRACE_ERR); skip mode counts it, keeps the first message, and
 * goes on; a row whose time goes backwards is skipped and the previous time
 * stays the floor. Header errors are fatal in both modes. libcsv runs with
 * CSV_STRICT | CSV_STRICT_FINI, so a stray quote or an unterminated quoted
 * field is an error too; in skip mode the parser is reset and the rest of
 * that physical line is discarded.
 */
#include <csv.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bug.h"
#include "mm/gfp.h"
#include "mm/zone.h"
#include "trace.h"
#include "trace_format.h"
#include "xalloc.h"

#define CSV_READ_BYTES		65536	/* one trace_input_read() */
#define CSV_FIELD_MAX_BYTES	(1u << 20)
#define CSV_SHOW_BYTES		40	/* field text quoted in a message */
#define CSV_OPTIONS		(CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL)

enum csv_col {
	COL_IGNORED,		/* unknown column: warned about, then skipped */
	COL_TIME_NS,
	COL_OP,
	COL_PID,
	COL_ADDR,
	COL_TYPE,
	COL_INO,
	COL_DEV,
	COL_WRITE,
	COL_ORDER,
	COL_MIGRATETYPE,
	COL_PFN,
	COL_GFP,
	NR_CSV_COLS
};

#define COL_BIT(c)	(1u << (c))
#define CSV_REQUIRED_COLS \
	(COL_BIT(COL_TIME_NS) | COL_BIT(COL_OP) | COL_BIT(COL_PID) | \
	 COL_BIT(COL_ADDR))

static const char *const csv_col_names[NR_CSV_COLS] = {
	[COL_IGNORED] = "",
	[COL_TIME_NS] = "time_ns",
	[COL_OP] = "op",
	[COL_PID] = "pid",
	[COL_ADDR] = "addr",
	[COL_TYPE] = "type",
	[COL_INO] = "ino",
	[COL_DEV] = "dev",
	[COL_WRITE] = "write",
	[COL_ORDER] = "order",
	[COL_MIGRATETYPE] = "migratetype",
	[COL_PFN] = "pfn",
	[COL_GFP] = "gfp",
};

/* What a column holds, for "expected ..." (empty and malformed fields). */
static const char *const csv_col_expect[NR_CSV_COLS] = {
	[COL_IGNORED] = "anything",
	[COL_TIME_NS] = "a non-negative integer",
	[COL_OP] = "one of access, unmap, exit, alloc, free, evict",
	[COL_PID] = "a non-negative integer",
	[COL_ADDR] = "a non-negative integer (decimal or 0x-hex)",
	[COL_TYPE] = "anon or file",
	[COL_INO] = "a non-negative integer (decimal or 0x-hex)",
	[COL_DEV] = "a non-negative integer (decimal or 0x-hex)",
	[COL_WRITE] = "0 or 1",
	[COL_ORDER] = "an order 0..10",
	[COL_MIGRATETYPE] =
		"unmovable, movable, reclaimable, highatomic or 0..3",
	[COL_PFN] = "a non-negative integer (decimal or 0x-hex)",
	[COL_GFP] = "gfp flag names as the kernel prints them "
		    "(GFP_KERNEL|__GFP_ZERO), 0 or none",
};

_Static_assert(MAX_PAGE_ORDER == 10, "csv_col_expect[COL_ORDER] says 0..10");
_Static_assert(MIGRATE_TYPES == 4, "csv_col_expect[COL_MIGRATETYPE] says 0..3");

static const char *const csv_migratetype_names[MIGRATE_TYPES] = {
	[MIGRATE_UNMOVABLE] = "unmovable",
	[MIGRATE_MOVABLE] = "movable",
	[MIGRATE_RECLAIMABLE] = "reclaimable",
	[MIGRATE_HIGHATOMIC] = "highatomic",
};

struct csv_reader {
	struct trace_input *in;
	const char *path;
	bool skip_bad_rows;
	struct csv_parser parser;

	char *buf;			/* CSV_READ_BYTES of the input */
	size_t buf_len, buf_pos;	/* [buf_pos, buf_len) is unparsed */
	const char *sentinel;		/* buf + buf_len, for fast_row_end() */
	bool started;			/* the first block was read (BOM check) */
	bool input_done;		/* EOF reached and csv_fini() ran */
	bool csv_idle;			/* libcsv is between rows (feed_csv()) */
	bool skip_to_eol;		/* skip mode: drop bytes up to the next '\n' */

	char **names;			/* header names, as written */
	size_t ncols, names_cap;
	unsigned char *col_kind;	/* enum csv_col per column */
	int col_of[NR_CSV_COLS];	/* 0-based column of each kind, or -1 */
	struct fast_step *plan;		/* ncols steps + end, or NULL */
	bool fast_next;			/* csv_next() may try fast_row() */
	bool fast_in_line;		/* fast_row() runs for fast_line() */
	bool fast_clear_all;		/* a CSV_STEP_COLS column is missing */
	uint32_t fast_given;		/* header_cols minus empty fields */
	char *err;			/* csv_next()'s, for fast_fail() */
	size_t errlen;
	uint32_t header_cols;		/* COL_BIT()s of the header's kinds */
	bool header_done;

	struct trace_row *cur;		/* the row being parsed: out or spare */
	struct trace_row *out;		/* trace_next()'s row, while it waits */
	bool delivered;			/* a row was parsed straight into out */
	struct trace_row spare;		/* rows bound for the queue */
	size_t field;			/* fields seen so far in this row */
	uint32_t given;			/* COL_BIT()s of non-empty fields */
	uint64_t row_line;		/* line the row starts on */
	bool row_bad;
	char row_msg[TRACE_MSG_BYTES];
	char label[CSV_SHOW_BYTES + 48];	/* col_label()'s result */

	uint64_t lines_done;		/* line ends seen */
	bool pending_cr;		/* a '\r' ended a row; '\n' may follow */
	uint64_t prev_time_ns;		/* the floor for the next row's time */

	struct trace_row *q;		/* parsed rows not yet handed out */
	size_t q_head, q_len, q_cap;

	bool failed;			/* stopped: msg says why */
	char msg[TRACE_MSG_BYTES];
	uint64_t bad_rows;
	char first_bad[TRACE_MSG_BYTES];
};

/* A field being parsed: its text (in libcsv's or the read buffer), where. */
struct csv_field {
	const char *text;
	size_t len;
	size_t col;			/* 0-based */
	uint64_t line;
};

enum num_status { NUM_OK, NUM_BAD, NUM_OVERFLOW };

/* ---- numbers ---------------------------------------------------------- */

static enum num_status parse_dec(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	bool over = false;
	size_t i = 0;

	if (len == 0)
		return NUM_BAD;
	while (i + 1 < len && s[i] == '0')
		i++;
	if (len - i <= 19) {		/* 10^19 - 1 < 2^64: cannot overflow */
		for (; i < len; i++) {
			unsigned d = (unsigned)(unsigned char)s[i] - '0';

			if (d > 9)
				return NUM_BAD;
			v = v * 10 + d;
		}
		*out = v;
		return NUM_OK;
	}
	for (; i < len; i++) {
		unsigned d = (unsigned)(unsigned char)s[i] - '0';

		if (d > 9)
			return NUM_BAD;
		if (v > (UINT64_MAX - d) / 10)
			over = true;
		else
			v = v * 10 + d;
	}
	*out = v;
	return over ? NUM_OVERFLOW : NUM_OK;
}

/*
 * Hex digit value + 1, 0 for other bytes. A table, because a branch on
 * "digit or letter" mispredicts on every other digit of a random address.
 */
static const unsigned char hex_val1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* Hex digits after "0x": at most 16 significant ones fit in 64 bits. */
static enum num_status parse_hex(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	unsigned bad = 0;
	size_t i = 0;

	if (len == 0)
		return NUM_BAD;
	while (i + 1 < len && s[i] == '0')
		i++;
	for (size_t j = i; j < len; j++) {
		unsigned t = hex_val1[(unsigned char)s[j]];

		bad |= t == 0;
		v = v << 4 | ((t - 1) & 0xf);
	}
	if (bad)
		return NUM_BAD;
	*out = v;
	return len - i > 16 ? NUM_OVERFLOW : NUM_OK;
}

static enum num_status parse_u64(const char *s, size_t len, bool hex_ok,
				 uint64_t *out)
{
	if (hex_ok && len > 1 && s[0] == '0' && (s[1] | 0x20) == 'x')
		return parse_hex(s + 2, len - 2, out);
	return parse_dec(s, len, out);
}

/* ---- messages --------------------------------------------------------- */

/* Copies a field's text for a message: control bytes as '?', long text cut. */
static void show(const char *s, size_t len, char *out, size_t outlen)
{
	size_t n = len > CSV_SHOW_BYTES ? CSV_SHOW_BYTES : len;
	size_t o = 0;

	SIM_BUG_ON(outlen < CSV_SHOW_BYTES + 4);
	if (n < len)	/* don't cut a UTF-8 character in two */
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		out[o++] = (char)(c < 0x20 || c == 0x7f ? '?' : c);
	}
	if (n < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* "column N (NAME)", or "column N" past the header or for a blank name. */
static const char *col_label(struct csv_reader *s, size_t col)
{
	char name[CSV_SHOW_BYTES + 4];

	if (col < s->ncols && s->names[col][0]) {
		show(s->names[col], strlen(s->names[col]), name, sizeof(name));
		snprintf(s->label, sizeof(s->label), "column %zu (%s)",
			 col + 1, name);
	} else {
		snprintf(s->label, sizeof(s->label), "column %zu", col + 1);
	}
	return s->label;
}

/*
 * Marks the row bad with "FILE:LINE: <fmt>". Only the row's first problem
 * is kept, and in skip mode only the first bad row's text is formatted.
 */
__attribute__((format(printf, 3, 4)))
static void row_error(struct csv_reader *s, uint64_t line, const char *fmt,
		      ...)
{
	va_list ap;
	int n;

	if (s->row_bad)
		return;
	s->row_bad = true;
	if (s->skip_bad_rows && s->header_done && s->bad_rows > 0)
		return;
	n = snprintf(s->row_msg, sizeof(s->row_msg), "%s:%" PRIu64 ": ",
		     s->path, line);
	if (n < 0 || (size_t)n >= sizeof(s->row_msg))
		return;
	va_start(ap, fmt);
	vsnprintf(s->row_msg + n, sizeof(s->row_msg) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* "column N (NAME): got 'TEXT', expected EXPECT". */
static void field_error(struct csv_reader *s, const struct csv_field *fd,
			const char *expect)
{
	char got[CSV_SHOW_BYTES + 4];

	show(fd->text, fd->len, got, sizeof(got));
	row_error(s, fd->line, "%s: got '%s', expected %s",
		  col_label(s, fd->col), got, expect);
}

/* A stopping error outside any row (read error, runaway field). */
static void fail(struct csv_reader *s, const char *msg)
{
	if (s->failed)
		return;
	s->failed = true;
	snprintf(s->msg, sizeof(s->msg), "%s", msg);
}

/* ---- fields ----------------------------------------------------------- */

/*
 * Each field kind is parsed by one pure function, field_store(), which
 * both the fast path and the general path call, so the two accept exactly
 * the same text; field_report() is the general path's diagnosis of text
 * field_store() refused.
 */

/* Columns holding a number, and those of them that may be 0x-hex. */
#define CSV_HEX_COLS \
	(COL_BIT(COL_ADDR) | COL_BIT(COL_INO) | COL_BIT(COL_DEV) | \
	 COL_BIT(COL_PFN))
#define CSV_NUMBER_COLS \
	(CSV_HEX_COLS | COL_BIT(COL_TIME_NS) | COL_BIT(COL_PID))
#define CSV_WORD_COLS \
	(COL_BIT(COL_OP) | COL_BIT(COL_TYPE) | COL_BIT(COL_WRITE))

static bool text_is(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len == n && memcmp(s, word, n) == 0;
}

/* Constant-length memcmp()s, which the compiler inlines. */
static inline int parse_op(const char *s, size_t len)
{
	switch (len) {
	case 4:
		if (memcmp(s, "exit", 4) == 0)
			return TRACE_OP_EXIT;
		if (memcmp(s, "free", 4) == 0)
			return TRACE_OP_FREE;
		return -1;
	case 5:
		if (memcmp(s, "unmap", 5) == 0)
			return TRACE_OP_UNMAP;
		if (memcmp(s, "alloc", 5) == 0)
			return TRACE_OP_ALLOC;
		if (memcmp(s, "evict", 5) == 0)
			return TRACE_OP_EVICT;
		return -1;
	case 6:
		return memcmp(s, "access", 6) == 0 ? TRACE_OP_ACCESS : -1;
	default:
		return -1;
	}
}

static int parse_type(const char *s, size_t len)
{
	if (text_is(s, len, "anon"))
		return PAGE_ANON;
	if (text_is(s, len, "file"))
		return PAGE_FILE;
	return -1;
}

static int parse_migratetype(const char *s, size_t len)
{
	if (len == 1 && s[0] >= '0' && s[0] < '0' + MIGRATE_TYPES)
		return s[0] - '0';
	for (int i = 0; i < MIGRATE_TYPES; i++)
		if (text_is(s, len, csv_migratetype_names[i]))
			return i;
	return -1;
}

/*
 * Stores a number column's value; false if it is out of the row's range.
 * Inline, as word_store() and parse_op(): the fast path calls them per
 * field, and the call cost more than the work.
 */
static inline bool number_store(enum csv_col kind, uint64_t v, struct trace_row *r)
{
	switch (kind) {
	case COL_TIME_NS:
		r->time_ns = v;
		return true;
	case COL_PID:
		if (v > UINT32_MAX)
			return false;
		r->pid = (uint32_t)v;
		return true;
	case COL_ADDR:
		r->addr = v;
		return true;
	case COL_INO:
		r->ino = v;
		r->has |= TRACE_HAS_INO;
		return true;
	case COL_DEV:
		r->dev = v;
		return true;
	case COL_PFN:
		r->pfn = v;
		r->has |= TRACE_HAS_PFN;
		return true;
	default:
		SIM_BUG_ON(1);
		return false;
	}
}

/* An order column's value (decimal, as parse_dec() reads it). */
static inline bool order_store(uint64_t v, struct trace_row *r)
{
	if (v > MAX_PAGE_ORDER)
		return false;
	r->order = (unsigned)v;
	r->has |= TRACE_HAS_ORDER;
	return true;
}

/* The other columns: few rows fill them. */
static bool rare_word_store(enum csv_col kind, const char *s, size_t len,
			    struct trace_row *r)
{
	uint64_t v;
	gfp_t gfp;
	size_t off;
	int x;

	switch (kind) {
	case COL_ORDER:
		return parse_dec(s, len, &v) == NUM_OK && order_store(v, r);
	case COL_MIGRATETYPE:
		if ((x = parse_migratetype(s, len)) < 0)
			return false;
		r->migratetype = x;
		r->has |= TRACE_HAS_MIGRATETYPE;
		return true;
	case COL_GFP:
		if (gfp_parse(s, len, &gfp, &off) != 0)
			return false;
		r->gfp = gfp;
		r->has |= TRACE_HAS_GFP;
		return true;
	default:
		return true;	/* COL_IGNORED */
	}
}

/* The word columns nearly every row has (CSV_WORD_COLS). */
static inline bool word_store(enum csv_col kind, const char *s, size_t len,
			      struct trace_row *r)
{
	int x;

	switch (kind) {
	case COL_OP:
		if ((x = parse_op(s, len)) < 0)
			return false;
		r->op = (enum trace_op)x;
		return true;
	case COL_TYPE:
		if ((x = parse_type(s, len)) < 0)
			return false;
		r->type = (enum page_type)x;
		return true;
	case COL_WRITE:
		if (len != 1 || (s[0] != '0' && s[0] != '1'))
			return false;
		r->write = s[0] == '1';
		return true;
	default:
		SIM_BUG_ON(1);
		return false;
	}
}

/* Any column but a number's: false if the text is not a valid value. */
static bool word_or_rare_store(enum csv_col kind, const char *s, size_t len,
			       struct trace_row *r)
{
	if (COL_BIT(kind) & CSV_WORD_COLS)
		return word_store(kind, s, len, r);
	return rare_word_store(kind, s, len, r);
}

/* Parses one non-empty field into r; false if it is not a valid value. */
static bool field_store(enum csv_col kind, const char *s, size_t len,
			struct trace_row *r)
{
	uint64_t v;

	if (COL_BIT(kind) & CSV_NUMBER_COLS)
		return parse_u64(s, len, COL_BIT(kind) & CSV_HEX_COLS, &v) ==
		       NUM_OK && number_store(kind, v, r);
	return word_or_rare_store(kind, s, len, r);
}

/* Why a gfp field was refused: the first bad flag, named. */
static void gfp_report(struct csv_reader *s, const struct csv_field *fd)
{
	char expect[TRACE_MSG_BYTES / 2], bad[CSV_SHOW_BYTES + 4];
	gfp_t gfp;
	size_t off = 0, end;

	SIM_BUG_ON(gfp_parse(fd->text, fd->len, &gfp, &off) == 0);
	for (end = off; end < fd->len && fd->text[end] != '|'; end++)
		;
	show(fd->text + off, end - off, bad, sizeof(bad));
	snprintf(expect, sizeof(expect), "%s: %s '%s'",
		 csv_col_expect[COL_GFP],
		 off < fd->len && fd->text[off] >= '0' && fd->text[off] <= '9' ?
		 "numeric masks are not accepted (the bits differ between "
		 "kernels), got" : "unknown flag", bad);
	field_error(s, fd, expect);
}

/* Why field_store() refused a field: "got X, expected Y". */
static void field_report(struct csv_reader *s, const struct csv_field *fd,
			 enum csv_col kind)
{
	char expect[64];
	uint64_t v;

	if (kind == COL_GFP) {
		gfp_report(s, fd);
	} else if (!(COL_BIT(kind) & CSV_NUMBER_COLS) ||
		   parse_u64(fd->text, fd->len, COL_BIT(kind) & CSV_HEX_COLS,
			     &v) == NUM_BAD) {
		field_error(s, fd, csv_col_expect[kind]);
	} else {	/* too large for 64 bits, or a pid above 32 */
		snprintf(expect, sizeof(expect),
			 "a non-negative integer <= %" PRIu64,
			 kind == COL_PID ? (uint64_t)UINT32_MAX : UINT64_MAX);
		field_error(s, fd, expect);
	}
}

/* Parses one non-empty data field into *s->cur (the general path). */
static void field_parse(struct csv_reader *s, const struct csv_field *fd)
{
	enum csv_col kind = (enum csv_col)s->col_kind[fd->col];

	s->given |= COL_BIT(kind);
	if (!field_store(kind, fd->text, fd->len, s->cur))
		field_report(s, fd, kind);
}

/* ---- the header ------------------------------------------------------- */

static void header_add(struct csv_reader *s, const char *text, size_t len)
{
	char *name = xmalloc(len + 1);

	memcpy(name, text, len);
	name[len] = '\0';
	if (s->ncols == s->names_cap) {
		s->names_cap = s->names_cap ? 2 * s->names_cap : 16;
		s->names = xrealloc(s->names, s->names_cap * sizeof(*s->names));
	}
	s->names[s->ncols++] = name;
}

static enum csv_col col_lookup(const char *name)
{
	for (int k = COL_IGNORED + 1; k < NR_CSV_COLS; k++)
		if (strcmp(name, csv_col_names[k]) == 0)
			return (enum csv_col)k;
	return COL_IGNORED;
}

/* Maps the header's names to column kinds; unknown names are warned about. */
static void header_finish(struct csv_reader *s)
{
	s->col_kind = xcalloc(s->ncols, sizeof(*s->col_kind));
	for (size_t i = 0; i < s->ncols; i++) {
		enum csv_col k = col_lookup(s->names[i]);
		char shown[CSV_SHOW_BYTES + 4];

		s->col_kind[i] = (unsigned char)k;
		if (k == COL_IGNORED) {
			show(s->names[i], strlen(s->names[i]), shown,
			     sizeof(shown));
			fprintf(stderr,
				"mmsim: %s:%" PRIu64 ": warning: unknown "
				"column '%s' ignored\n", s->path, s->row_line,
				shown);
		} else if (s->col_of[k] >= 0) {
			row_error(s, s->row_line,
				  "%s: got a second %s column, expected each "
				  "column once (the first is column %d)",
				  col_label(s, i), s->names[i],
				  s->col_of[k] + 1);
		} else {
			s->col_of[k] = (int)i;
		}
		s->header_cols |= COL_BIT(k);
	}
	for (int k = 0; k < NR_CSV_COLS; k++)
		if ((CSV_REQUIRED_COLS & COL_BIT(k)) && s->col_of[k] < 0)
			row_error(s, s->row_line,
				  "header: got no %s column, expected a header "
				  "naming time_ns, op, pid and addr (any "
				  "order; see traces/FORMAT.md)",
				  csv_col_names[k]);
	s->header_done = !s->row_bad;
}

/* ---- rows ------------------------------------------------------------- */

#define CSV_ALWAYS_NEEDED	(COL_BIT(COL_TIME_NS) | COL_BIT(COL_OP))
#define CSV_PID_ADDR		(COL_BIT(COL_PID) | COL_BIT(COL_ADDR))
#define CSV_INO			COL_BIT(COL_INO)

/*
 * COL_BIT()s each op needs besides time_ns and op (traces/FORMAT.md), for
 * an anon and a file page: a file page is (dev, ino, addr >> 12), so
 * type=file needs ino for the ops that name a page. Indexed by op and
 * type, so that the fast path's check is one load.
 */
static const uint32_t csv_op_needs[NR_TRACE_OPS][2] = {
	[TRACE_OP_ACCESS] = { CSV_PID_ADDR, CSV_PID_ADDR | CSV_INO },
	[TRACE_OP_UNMAP] = { CSV_PID_ADDR, CSV_PID_ADDR | CSV_INO },
	[TRACE_OP_EXIT] = { COL_BIT(COL_PID), COL_BIT(COL_PID) },
	[TRACE_OP_ALLOC] = { 0, 0 },
	[TRACE_OP_FREE] = { COL_BIT(COL_PFN), COL_BIT(COL_PFN) },
	[TRACE_OP_EVICT] = { COL_BIT(COL_ADDR) | CSV_INO,
			     COL_BIT(COL_ADDR) | CSV_INO },
};

/* Names the first needed field (in column-kind order) the row lacks. */
static void report_missing(struct csv_reader *s, uint32_t need)
{
	const char *op = trace_op_name(s->cur->op);
	int k = 0;
	int col;

	while (!(need & COL_BIT(k)) || (s->given & COL_BIT(k)))
		k++;
	col = s->col_of[k];
	if (col < 0)
		row_error(s, s->row_line, "got no %s column, expected one "
			  "(op '%s' needs %s)", csv_col_names[k], op,
			  csv_col_names[k]);
	else if (COL_BIT(k) & CSV_ALWAYS_NEEDED)
		row_error(s, s->row_line, "%s: got an empty field, expected %s",
			  col_label(s, (size_t)col), csv_col_expect[k]);
	else
		row_error(s, s->row_line, "%s: got an empty field, expected %s "
			  "(op '%s' needs it)", col_label(s, (size_t)col),
			  csv_col_expect[k], op);
}

_Static_assert(PAGE_ANON == 0 && PAGE_FILE == 1,
	       "csv_op_needs[][] is indexed by the row's type");

/* The fields a row needs besides time_ns and op. */
static inline uint32_t row_needs(const struct trace_row *r)
{
	return csv_op_needs[r->op][r->type];
}

/*
 * The fields the row's op needs (row_needs()). Evict names only file
 * pages, so its type defaults to file and type=anon is an error.
 */
static void check_required(struct csv_reader *s)
{
	struct trace_row *r = s->cur;
	uint32_t need = CSV_ALWAYS_NEEDED;

	if ((s->given & need) != need) {
		report_missing(s, need);
		return;
	}
	if (r->op == TRACE_OP_EVICT) {
		if ((s->given & COL_BIT(COL_TYPE)) && r->type != PAGE_FILE) {
			row_error(s, s->row_line, "column %d (type): got 'anon',"
				  " expected file (op 'evict' names a file "
				  "page)", s->col_of[COL_TYPE] + 1);
			return;
		}
		r->type = PAGE_FILE;
	}
	need = row_needs(r);
	if ((s->given & need) != need)
		report_missing(s, need);
}

static void check_row(struct csv_reader *s)
{
	uint64_t t = s->cur->time_ns;

	if (s->field < s->ncols) {
		row_error(s, s->row_line, "%s: got end of row after %zu fields, "
			  "expected %zu fields as in the header",
			  col_label(s, s->field), s->field, s->ncols);
		return;
	}
	check_required(s);
	if (!s->row_bad && t < s->prev_time_ns)
		row_error(s, s->row_line, "column %d (time_ns): time_ns %"
			  PRIu64 " is before the previous row's %" PRIu64
			  ", expected non-decreasing times",
			  s->col_of[COL_TIME_NS] + 1, t, s->prev_time_ns);
}

static void queue_push(struct csv_reader *s, const struct trace_row *row)
{
	size_t tail = s->q_head + s->q_len;

	if (tail == s->q_cap) {
		s->q_cap = s->q_cap ? 2 * s->q_cap : 16;
		s->q = xrealloc(s->q, s->q_cap * sizeof(*s->q));
	}
	s->q[tail] = *row;
	s->q_len++;
}

/* A bad row: strict mode stops, skip mode counts it. */
static void row_reject(struct csv_reader *s)
{
	if (!s->skip_bad_rows || !s->header_done) {
		fail(s, s->row_msg);
		return;
	}
	if (s->bad_rows++ == 0)
		memcpy(s->first_bad, s->row_msg, sizeof(s->first_bad));
}

/* The per-row bookkeeping, for a row whose values are already clean. */
static void row_reset_state(struct csv_reader *s)
{
	s->field = 0;
	s->given = 0;
	s->row_bad = false;
}

/*
 * The columns whose fast-path steps write their field, value or default,
 * in every row they take (step_default()); a header with all of them lets
 * fast_row() clear only the rest of the row (row_clear_rest(); the line
 * is written when the row ends).
 */
#define CSV_STEP_COLS \
	(COL_BIT(COL_TIME_NS) | COL_BIT(COL_OP) | COL_BIT(COL_PID) | \
	 COL_BIT(COL_ADDR) | COL_BIT(COL_TYPE) | COL_BIT(COL_INO) | \
	 COL_BIT(COL_WRITE))

/*
 * A row of defaults. Field by field, not "*r = defaults": GCC turns that
 * copy of a mostly zero struct into a `rep stos` whose startup cost was a
 * fifth of the reader's time per row.
 */
static inline void row_clear_rest(struct trace_row *r)
{
	r->dev = 0;
	r->has = 0;
	r->order = 0;
	r->migratetype = -1;
	r->pfn = 0;
	r->gfp = 0;
}

static inline void row_clear(struct trace_row *r)
{
	r->time_ns = 0;
	r->op = TRACE_OP_ACCESS;
	r->pid = 0;
	r->addr = 0;
	r->type = PAGE_ANON;
	r->ino = 0;
	r->write = false;
	r->line = 0;
	row_clear_rest(r);
}

/* The default of a field of CSV_STEP_COLS, for an empty one. */
static inline void step_default(enum csv_col kind, struct trace_row *r)
{
	switch (kind) {
	case COL_TIME_NS:
		r->time_ns = 0;
		break;
	case COL_OP:
		r->op = TRACE_OP_ACCESS;
		break;
	case COL_PID:
		r->pid = 0;
		break;
	case COL_ADDR:
		r->addr = 0;
		break;
	case COL_TYPE:
		r->type = PAGE_ANON;
		break;
	case COL_INO:
		r->ino = 0;
		break;
	case COL_WRITE:
		r->write = false;
		break;
	default:
		break;
	}
}

static void row_reset(struct csv_reader *s)
{
	row_clear(s->cur);
	row_reset_state(s);
}

/*
 * Ends a data row: checks it, then hands it out, queues it or rejects it.
 * Returns true if it went straight to the caller: s->cur is then the
 * spare, clean since its last use, so only the bookkeeping needs a reset.
 */
static bool row_finish(struct csv_reader *s)
{
	if (!s->row_bad)
		check_row(s);
	if (s->row_bad) {
		row_reject(s);
		return false;
	}
	s->prev_time_ns = s->cur->time_ns;
	s->cur->line = s->row_line;
	if (s->cur == s->out) {		/* the common case: no copy */
		s->delivered = true;
		s->cur = &s->spare;
		return true;
	}
	queue_push(s, s->cur);
	return false;
}

/* Ends a data row and readies s->cur for the next one. */
static void row_end(struct csv_reader *s)
{
	if (row_finish(s))
		row_reset_state(s);
	else
		row_reset(s);
}

/* ---- fields and row ends, from libcsv or the fast path ---------------- */

/* A '\r' not followed by '\n' ended a line of its own. */
static void settle_cr(struct csv_reader *s)
{
	if (s->pending_cr) {
		s->lines_done++;
		s->pending_cr = false;
	}
}

static uint64_t count_newlines(const char *s, size_t len)
{
	uint64_t n = 0;
	const char *end = s + len, *p = s;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* One field of the row (fd->col is s->field, already counted). */
static void take_field(struct csv_reader *s, const struct csv_field *fd)
{
	if (!s->header_done) {
		header_add(s, fd->text, fd->len);
	} else if (s->row_bad) {
		return;
	} else if (fd->col >= s->ncols) {
		char got[CSV_SHOW_BYTES + 4];

		show(fd->text, fd->len, got, sizeof(got));
		row_error(s, fd->line, "column %zu: got '%s', expected at most "
			  "%zu fields as in the header", fd->col + 1, got,
			  s->ncols);
	} else if (fd->len > 0) {
		field_parse(s, fd);
	}
}

/* libcsv's field callback; a quoted field may hold newlines. */
static void field_cb(void *data, size_t len, void *arg)
{
	struct csv_reader *s = arg;
	struct csv_field fd = { data, len, s->field, 0 };

	s->csv_idle = false;
	if (s->failed)
		return;
	settle_cr(s);
	fd.line = s->lines_done + 1;
	if (s->field++ == 0)
		s->row_line = fd.line;
	s->lines_done += count_newlines(data, len);
	take_field(s, &fd);
}

/*
 * libcsv's row callback (CSV_REPALL_NL: every unquoted line end, blank
 * lines included). c is '\n', '\r', or -1 when csv_fini() ends an
 * unterminated last line.
 */
static void row_cb(int c, void *arg)
{
	struct csv_reader *s = arg;

	s->csv_idle = c == '\n';
	if (s->failed)
		return;
	if (c == '\n' && s->pending_cr && s->field == 0) {
		settle_cr(s);		/* the '\n' of a CRLF */
		return;
	}
	settle_cr(s);
	if (s->field > 0 && s->header_done) {
		row_end(s);
	} else if (s->field > 0) {
		header_finish(s);
		if (s->row_bad && !s->header_done)
			fail(s, s->row_msg);
		row_reset(s);
	}
	if (c == '\r')
		s->pending_cr = true;
	else
		s->lines_done++;
}

/* ---- feeding libcsv --------------------------------------------------- */

/* A fresh libcsv state; xrealloc() makes its CSV_ENOMEM impossible. */
static void parser_reset(struct csv_reader *s)
{
	csv_free(&s->parser);
	SIM_BUG_ON(csv_init(&s->parser, CSV_OPTIONS) != 0);
	csv_set_realloc_func(&s->parser, xrealloc);
	csv_set_blk_size(&s->parser, 4096);
	s->csv_idle = true;
}

/* Counts the newlines of the field libcsv holds unfinished (on an error). */
static void count_partial_field(struct csv_reader *s)
{
	if (s->parser.entry_buf && s->parser.entry_pos > 0)
		s->lines_done += count_newlines(
			(const char *)s->parser.entry_buf, s->parser.entry_pos);
}

/* libcsv stopped in strict mode at c: a stray quote in or after a field. */
static void parse_error(struct csv_reader *s, unsigned char c)
{
	uint64_t line;

	settle_cr(s);
	if (s->field == 0)
		s->row_line = s->lines_done + 1;
	count_partial_field(s);
	line = s->lines_done + 1;
	if (!s->parser.quoted)
		row_error(s, line, "%s: got '\"' inside an unquoted field, "
			  "expected quotes only around a whole field",
			  col_label(s, s->field));
	else
		row_error(s, line, "%s: got '%c' after a closing quote, "
			  "expected ',' or the end of the line (write \"\" for "
			  "a quote inside a quoted field)",
			  col_label(s, s->field),
			  c < 0x20 || c >= 0x7f ? '?' : c);
	row_reject(s);
	row_reset(s);
	parser_reset(s);
	s->skip_to_eol = true;	/* skip mode drops the rest of the line */
}

/* libcsv would buffer a runaway quoted field without end: stop instead. */
static void field_too_long(struct csv_reader *s)
{
	char m[TRACE_MSG_BYTES];

	snprintf(m, sizeof(m), "%s:%" PRIu64 ": %s: got a field longer than "
		 "%u bytes, expected a short value (is a quote unterminated?)",
		 s->path, s->lines_done + 1, col_label(s, s->field),
		 CSV_FIELD_MAX_BYTES);
	fail(s, m);
}

/* Hands bytes to libcsv; in skip mode, resumes after a bad line. */
static void feed_csv(struct csv_reader *s, const char *p, size_t n)
{
	while (n > 0 && !s->failed) {
		size_t done;

		if (s->skip_to_eol) {
			const char *nl = memchr(p, '\n', n);

			if (!nl)
				return;
			s->skip_to_eol = false;
			s->lines_done++;
			n -= (size_t)(nl + 1 - p);
			p = nl + 1;
			continue;
		}
		/*
		 * libcsv is between rows after this only if row_cb('\n') is
		 * the last callback: a quoted first field that runs on past
		 * the '\n' makes none, and its next lines are not plain lines.
		 */
		s->csv_idle = false;
		done = csv_parse(&s->parser, p, n, field_cb, row_cb, s);
		if (s->parser.entry_pos > CSV_FIELD_MAX_BYTES)
			field_too_long(s);
		if (done == n)
			return;
		SIM_BUG_ON(csv_error(&s->parser) != CSV_EPARSE);
		parse_error(s, (unsigned char)p[done]);
		p += done + 1;
		n -= done + 1;
	}
}

/* End of input: csv_fini() submits an unterminated last row. */
static void finish_input(struct csv_reader *s)
{
	s->input_done = true;
	if (ferror(s->in->f)) {
		char m[TRACE_MSG_BYTES];

		snprintf(m, sizeof(m), "%s: read error after line %" PRIu64,
			 s->path, s->lines_done);
		fail(s, m);
		return;
	}
	if (s->failed)
		return;
	if (s->skip_to_eol) {		/* a dropped, unterminated last line */
		s->lines_done++;
		return;
	}
	if (csv_fini(&s->parser, field_cb, row_cb, s) != 0) {
		settle_cr(s);
		if (s->field == 0)
			s->row_line = s->lines_done + 1;
		row_error(s, s->lines_done + 1, "%s: got an unterminated quoted "
			  "field at end of file, expected a closing '\"'",
			  col_label(s, s->field));
		count_partial_field(s);
		s->lines_done++;	/* the last line has no '\n' */
		row_reject(s);
		row_reset(s);
	}
	settle_cr(s);
}

static int csv_next_slow(struct csv_reader *s, struct trace_row *row,
			 char *err, size_t errlen);

/* ---- the fast path: eight bytes at a time ----------------------------- */

/*
 * The fast path reads the digits of a number eight to a 64-bit word (SWAR,
 * "SIMD within a register"), as in Daniel Lemire's "Faster integer
 * parsing" (2018): a few adds and masks mark every byte that is not a
 * digit, the lowest mark gives the digit count, and three steps join the
 * digits into pairs, the pairs into fours and the fours into one number -
 * multiply-shifts for decimal, plain shifts for hex, whose digits are
 * nibbles. The byte loop this replaces cost about 8 instructions a digit;
 * a word of up to 8 digits now costs about 25, whatever its length, and
 * no branch depends on the digit count but "8 or more?".
 *
 * The read buffer is padded (CSV_PAD_BYTES), so an 8-byte load that starts
 * at or before the '\n' sentinel stays inside it. Every load does: it
 * starts at a field (a line's fields end at its '\n', at the latest the
 * sentinel), after a "0x" (so after an 'x' before the sentinel) or after
 * 8 digits (none of them the sentinel) - but for a hex number's second
 * word, read with its first, which starts at most 8 bytes after the
 * sentinel and so ends inside the padding. Loads go through memcpy(), which
 * compiles to one unaligned load and breaks no aliasing or alignment
 * rule; load64() puts the first byte in the low bits on any host.
 */

#define CSV_PAD_BYTES	16	/* after the sentinel: see load64() */

/*
 * The fast path's helpers must be inlined into the steps (below), each of
 * which is then straight-line code for its column kind; left to itself GCC
 * outlines some, and each such call cost a dozen instructions of saved
 * registers and reloaded constants.
 */
#define CSV_HOT static inline __attribute__((always_inline))
#define SWAR_ONES	0x0101010101010101ull
#define SWAR_HIGHS	(SWAR_ONES * 0x80)

CSV_HOT uint64_t load64(const char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

/* The text at p as one number, for comparing with load64(p) (s[0] low). */
#define SWAR_WORD4(s) \
	((uint64_t)(unsigned char)(s)[0] | \
	 (uint64_t)(unsigned char)(s)[1] << 8 | \
	 (uint64_t)(unsigned char)(s)[2] << 16 | \
	 (uint64_t)(unsigned char)(s)[3] << 24)
#define SWAR_WORD6(s) \
	(SWAR_WORD4(s) | (uint64_t)(unsigned char)(s)[4] << 32 | \
	 (uint64_t)(unsigned char)(s)[5] << 40)

/* A word of text as decimal lanes: a digit byte then holds its value. */
CSV_HOT uint64_t swar_dec_lanes(uint64_t w)
{
	return w ^ SWAR_ONES * '0';
}

/*
 * t is a word of swar_dec_lanes(). Returns bit 7 set in each byte that is
 * not a digit: t >= 10 carries t + 0x76 into bit 7, and a byte >= 0x80 has
 * it already. An add can carry into the next byte only out of a byte >=
 * 0x8a, itself marked: so the lowest mark is exact (what lies above it is
 * never used).
 */
CSV_HOT uint64_t swar_dec_stops(uint64_t t)
{
	return (t | (t + SWAR_ONES * 0x76)) & SWAR_HIGHS;
}

/*
 * The eight digit values of t (first in the low byte) as a number: each
 * step forms hi * 10^k + lo in every lane of twice the width, and no lane
 * overflows (99, 9999, 99999999).
 */
CSV_HOT uint64_t swar_dec_join(uint64_t t)
{
	t = (t * (1 + (10 << 8))) >> 8 & 0x00ff00ff00ff00ffull;
	t = (t * (1 + (100 << 16))) >> 16 & 0x0000ffff0000ffffull;
	return (t * (1 + (10000ull << 32))) >> 32;
}

/*
 * Bit 7 set in each byte of w that is not a hex digit. A digit is a byte
 * that swar_dec_stops() leaves unmarked. A letter is a byte that, with
 * 0x20 set (which folds 'A'..'F' onto 'a'..'f', and nothing else onto
 * them), XOR 0x60, less one, is l = 0..5: l + 0x7a carries into bit 7 from
 * l >= 6, and a byte >= 0x80 has it already. A byte is marked if both tests
 * mark it. The subtraction borrows only out of a byte that was '@' or '`',
 * and the adds carry only out of those and bytes >= 0x80, none of them hex
 * digits: so the lowest mark is exact, as above.
 */
CSV_HOT uint64_t swar_hex_stops(uint64_t w)
{
	uint64_t d = swar_dec_lanes(w);
	uint64_t l = ((w | SWAR_ONES * 0x20) ^ SWAR_ONES * 0x60) - SWAR_ONES;

	return (d | (d + SWAR_ONES * 0x76)) & (l | (l + SWAR_ONES * 0x7a)) &
	       SWAR_HIGHS;
}

/*
 * The value of each hex digit of w, in its byte: a digit's is its low
 * nibble, a letter's (bit 6 set) its low nibble + 9. Every byte comes out
 * 0..15, digit or not, so that swar_hex_join() moves it without spilling
 * into its neighbours; the add carries out of a byte only from one >=
 * 0xf7, into the bytes after it, which are not used either.
 */
CSV_HOT uint64_t swar_hex_nibbles(uint64_t w)
{
	return (w + (w >> 6 & SWAR_ONES) * 9) & SWAR_ONES * 0x0f;
}

/*
 * The eight nibbles of swar_hex_nibbles() (first in the low byte) as a
 * 32-bit number: with the bytes swapped, each step ORs the upper of two
 * neighbouring lanes onto the lower one's high half, in a lane of twice
 * the width. Shifts, not multiplies: a hex digit is a nibble wherever it
 * is.
 */
CSV_HOT uint64_t swar_hex_join(uint64_t nib)
{
	nib = __builtin_bswap64(nib);	/* the first digit in the top byte */
	nib = (nib | nib >> 4) & 0x00ff00ff00ff00ffull;
	nib = (nib | nib >> 8) & 0x0000ffff0000ffffull;
	return (nib | nib >> 16) & 0xffffffffull;
}

static const uint64_t csv_pow10[9] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
};

/*
 * The bit of the lowest mark of a non-zero swar_*_stops() result: 8 * n +
 * 7 for a mark in byte n, so n digits precede it and 8 * (8 - n), the
 * shift that drops the bytes from the mark on, is 71 - b.
 */
CSV_HOT unsigned swar_mark(uint64_t stops)
{
	return (unsigned)__builtin_ctzll(stops);
}

/*
 * A number at d whose first word w holds n = b / 8 digits, 1..7, before
 * the mark at bit b. Decimal: shifting left moves the digits to the top
 * with zeros, leading zeros of the number, below. Hex: the bytes from the
 * mark on are the low nibbles of the joined word, shifted out.
 */
CSV_HOT uint64_t swar_value(uint64_t w, unsigned b, bool hex)
{
	if (hex)
		return swar_hex_join(swar_hex_nibbles(w)) >> ((71 - b) >> 1);
	return swar_dec_join(swar_dec_lanes(w) << (71 - b));
}

/*
 * A number of 8 digits in a first word (decimal: its lanes0) and m = b / 8
 * more, 0..7, in w1 before the mark at bit b: 15 digits at most, which
 * cannot overflow 64 bits (the byte loop, scan_dec(), takes up to 19
 * decimal or 16 hex digits, the general path any number). The shift of
 * w1's decimal digits is done in two, as m = 0 needs one of 64 bits; the
 * first, by 8, drops w1's last byte, never a digit here. Hex: the two
 * joined words, the bytes from the mark on shifted out.
 */
CSV_HOT uint64_t swar_dec_value2(uint64_t lanes0, uint64_t w1, unsigned b)
{
	return swar_dec_join(lanes0) * csv_pow10[b / 8] +
	       swar_dec_join(swar_dec_lanes(w1) << 8 << (63 - b));
}

CSV_HOT uint64_t swar_hex_value2(uint64_t w0, uint64_t w1, unsigned b)
{
	return (swar_hex_join(swar_hex_nibbles(w0)) << 32 |
		swar_hex_join(swar_hex_nibbles(w1))) >> ((71 - b) >> 1);
}

/* Bit 7 set in each byte of the word w that is not a digit. */
CSV_HOT uint64_t swar_stops(uint64_t w, bool hex)
{
	return hex ? swar_hex_stops(w) : swar_dec_stops(swar_dec_lanes(w));
}

/*
 * The columns whose steps read a number by SWAR: the number columns, and
 * order, which the general path reads as a word (rare_word_store()) only
 * because of its range.
 */
#define CSV_SWAR_COLS	(CSV_NUMBER_COLS | COL_BIT(COL_ORDER))

/* Stores a SWAR number; false if it is out of the column's range. */
CSV_HOT bool swar_store(enum csv_col kind, uint64_t v, struct trace_row *r)
{
	return kind == COL_ORDER ? order_store(v, r) : number_store(kind, v, r);
}

/* Where a number column's digits start: after "0x" if it may be hex. */
CSV_HOT const char *fast_digits(enum csv_col kind, const char *p)
{
	if ((COL_BIT(kind) & CSV_HEX_COLS) && p[0] == '0' &&
	    (p[1] | 0x20) == 'x')
		return p + 2;
	return p;
}

/* ---- the fast path: one line ------------------------------------------- */

/*
 * Two tiers. A step (below) tries the value a column of its kind nearly
 * always holds: a number by SWAR (fast_num(), and for a long or a hex
 * number its fast_more_fn), else fast_quick(): "access", "anon" or "file",
 * '0' or '1', each with the field's end after it, as one word compare.
 * These only read and store; a number reader returns the byte after the
 * value, which must then be the field's end. Whatever they do not take -
 * an empty field, another op, blanks around a value, a number of 16
 * digits or more, a rare column, a word before a CRLF - goes to
 * fast_field_slow(), the byte loop, and whatever that does not take goes
 * to libcsv.
 */

/* What a byte means to the byte loop (csv_class[]). */
enum csv_byte {
	CB_TEXT,		/* part of a value */
	CB_END,			/* ',', '\n', '\r': ends a field */
	CB_BLANK,		/* ' ', '\t': dropped around a field */
	CB_QUOTE,		/* '"': only libcsv reads quotes */
};

static const unsigned char csv_class[256] = {
	[','] = CB_END, ['\n'] = CB_END, ['\r'] = CB_END,
	[' '] = CB_BLANK, ['\t'] = CB_BLANK, ['"'] = CB_QUOTE,
};

static enum csv_byte byte_class(const char *p)
{
	return (enum csv_byte)csv_class[(unsigned char)*p];
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_blanks(const char *p)
{
	while (is_blank(*p))
		p++;
	return p;
}

/*
 * The decimal digits at p, which must be followed by a byte that is not a
 * digit (the sentinel sees to it). Returns their end, or NULL if there are
 * none or more than 19 (those may overflow 64 bits: the general path
 * decides).
 */
static const char *scan_dec(const char *p, uint64_t *out)
{
	const char *q = p;
	uint64_t v = 0;
	unsigned d;

	for (; (d = (unsigned)(unsigned char)*q - '0') <= 9; q++)
		v = v * 10 + d;
	if (q == p || q - p > 19)
		return NULL;
	*out = v;
	return q;
}

/* The same for hex digits (after "0x"): at most 16. */
static const char *scan_hex(const char *p, uint64_t *out)
{
	const char *q = p;
	uint64_t v = 0;
	unsigned t;

	for (; (t = hex_val1[(unsigned char)*q]) != 0; q++)
		v = v << 4 | (t - 1);
	if (q == p || q - p > 16)
		return NULL;
	*out = v;
	return q;
}

/* A hex-or-decimal column's digits at p. */
static const char *scan_hex_ok(const char *p, uint64_t *out)
{
	if (p[0] == '0' && (p[1] | 0x20) == 'x')
		return scan_hex(p + 2, out);
	return scan_dec(p, out);
}

/*
 * Any other column's value: the text up to the first byte that is not
 * CB_TEXT. If a blank follows, fast_field_slow() makes sure only blanks do
 * before the field ends, so this is the text libcsv would hand over.
 */
static const char *scan_word(enum csv_col kind, const char *p,
			     struct trace_row *r)
{
	const char *e = p;

	while (byte_class(e) == CB_TEXT)
		e++;
	return word_or_rare_store(kind, p, (size_t)(e - p), r) ? e : NULL;
}

/*
 * One field by the byte loop, stored into r: returns the byte after it and
 * its trailing blanks, or NULL to leave the line to libcsv; an empty field
 * clears its kind's bit in *given and stores its default. The caller
 * checks that the byte returned ends the field.
 */
__attribute__((noinline))
static const char *fast_field_slow(enum csv_col kind, const char *p,
				   struct trace_row *r, uint32_t *given)
{
	uint64_t v;

	if (byte_class(p) != CB_TEXT) {
		p = skip_blanks(p);
		if (byte_class(p) == CB_END) {
			*given &= ~COL_BIT(kind);	/* empty: absent */
			step_default(kind, r);
			return p;
		}
	}
	if (!(COL_BIT(kind) & CSV_NUMBER_COLS))
		p = scan_word(kind, p, r);
	else if ((p = (COL_BIT(kind) & CSV_HEX_COLS ? scan_hex_ok(p, &v) :
		       scan_dec(p, &v))) != NULL && !number_store(kind, v, r))
		p = NULL;
	if (p && is_blank(*p))
		p = skip_blanks(p);
	return p;
}

/*
 * The common value of a word column of this kind and the field end the
 * step wants after it (end: ',', or '\n' for the last column), in one
 * compare, stored into r: returns the field end, or NULL to let
 * fast_step_odd() have the field.
 */
CSV_HOT const char *fast_quick(enum csv_col kind, const char *p, char end,
			       struct trace_row *r)
{
	uint64_t w, e = (unsigned char)end;

	switch (kind) {
	case COL_OP:
		if ((load64(p) & 0xffffffffffffffull) !=
		    (SWAR_WORD6("access") | e << 48))
			return NULL;
		r->op = TRACE_OP_ACCESS;
		return p + 6;
	case COL_TYPE:
		w = load64(p) & 0xffffffffffull;
		if (w == (SWAR_WORD4("anon") | e << 32))
			r->type = PAGE_ANON;
		else if (w == (SWAR_WORD4("file") | e << 32))
			r->type = PAGE_FILE;
		else
			return NULL;
		return p + 4;
	case COL_WRITE:		/* '0' or '1' */
		w = load64(p) & 0xffff;
		if ((w & ~1ull) != ('0' | e << 8))
			return NULL;
		r->write = w & 1;
		return p + 1;
	default:
		return NULL;
	}
}

/* Whether a fast row may be handed out: what check_row() tests. */
CSV_HOT bool fast_row_valid(const struct csv_reader *s, struct trace_row *r,
			    uint32_t given)
{
	uint32_t need;

	if (r->op == TRACE_OP_EVICT) {
		if ((given & COL_BIT(COL_TYPE)) && r->type != PAGE_FILE)
			return false;
		r->type = PAGE_FILE;
	}
	need = CSV_ALWAYS_NEEDED | row_needs(r);
	return (given & need) == need && r->time_ns >= s->prev_time_ns;
}

/*
 * A line is parsed by a chain of steps, one per column, made once from the
 * header (fast_plan_init()): each step parses its field and, if a ','
 * follows, ends with a call to the next step. That call is the function's
 * last act, so the compiler makes it a jump (a sibling call, -O2): the
 * step after "time_ns" is reached by one indirect jump, where a loop over
 * the columns with a switch on the kind cost about 14 instructions a
 * field in the dispatch alone. The last column's step is another function,
 * which wants the line end after its field and jumps to fast_row_end(),
 * which checks and ends the row. So the whole line, from csv_next() on, is
 * one run of jumps, and its result goes straight back to trace_next():
 * TRACE_ROW, or for a line the fast path does not take (a short or long
 * row, a field neither tier takes, a bad row) what fast_fail() makes of
 * it. A step reaches the reader through its entry's s, and the fields'
 * presence is kept there (fast_given): an empty field clears its bit, so
 * a common field costs the chain no register. Where the compiler does not
 * make the jumps (-O1), each step is a call and the chain's depth is the
 * number of columns, so headers of more than CSV_FAST_MAX_COLS columns get
 * no plan.
 */
#define CSV_FAST_MAX_COLS	64

struct fast_step {
	int (*run)(const char *p, struct trace_row *r,
		   const struct fast_step *next);
	struct csv_reader *s;
};

/* A step's kind, and whether it is the last column's: one argument. */
#define FAST_LAST	0x100u
#define FAST_KIND(how)	((enum csv_col)((how) & 0xff))

static int fast_fail(const struct fast_step *next, struct trace_row *r);

/* An empty field: absent, as if the header had not named its column. */
CSV_HOT void fast_empty(enum csv_col kind, struct trace_row *r,
			const struct fast_step *next)
{
	next->s->fast_given &= ~COL_BIT(kind);
	step_default(kind, r);
}

/*
 * The line's end, at q (a '\n'): the row is handed out if the '\n' is the
 * line's and not the sentinel, and the row is valid. end is the entry
 * after the last column's.
 */
__attribute__((noinline))
static int fast_row_end(const char *q, struct trace_row *r,
			const struct fast_step *end)
{
	struct csv_reader *s = end->s;

	if (q == s->sentinel || !fast_row_valid(s, r, s->fast_given))
		return fast_fail(end, r);
	s->buf_pos = (size_t)(q + 1 - s->buf);
	r->line = ++s->lines_done;
	s->prev_time_ns = r->time_ns;
	return TRACE_ROW;
}

/*
 * The end of a step whose field ends at q: the last column's line end (a
 * CRLF makes the same row, as in row_cb()), or a ',' and on to the next
 * step.
 */
CSV_HOT int fast_step_next(unsigned how, const char *q, struct trace_row *r,
			   const struct fast_step *next)
{
	if (how & FAST_LAST) {
		q += *q == '\r';
		if (*q != '\n')
			return fast_fail(next, r);
		return fast_row_end(q, r, next);
	}
	if (*q != ',')
		return fast_fail(next, r);
	return next->run(q + 1, r, next + 1);
}

/* A field for the byte loop. Out of line, as fast_step_odd(). */
__attribute__((noinline))
static int fast_step_slow(unsigned how, const char *p, struct trace_row *r,
			  const struct fast_step *next)
{
	const char *q = fast_field_slow(FAST_KIND(how), p, r,
					&next->s->fast_given);

	return q ? fast_step_next(how, q, r, next) : fast_fail(next, r);
}

/*
 * A field the common step did not take (q: where a number reader's value
 * ended, or NULL): the last column's number before a CRLF, an empty field,
 * or one for the byte loop. Out of line, so that the common step needs no
 * stack frame.
 */
__attribute__((noinline))
static int fast_step_odd(unsigned how, const char *p, const char *q,
			 struct trace_row *r, const struct fast_step *next)
{
	if (!q || (*q != '\r' && *q != '\n')) {
		if (*p != ',' && *p != '\n')
			return fast_step_slow(how, p, r, next);
		fast_empty(FAST_KIND(how), r, next);
		q = p;
	}
	return fast_step_next(how, q, r, next);
}

/* The end of a step whose field a number reader read. */
CSV_HOT int fast_step_end(unsigned how, const char *p, const char *q,
			  struct trace_row *r, const struct fast_step *next)
{
	if (q && *q == (how & FAST_LAST ? '\n' : ','))
		return how & FAST_LAST ? fast_row_end(q, r, next) :
		       next->run(q + 1, r, next + 1);
	return fast_step_odd(how, p, q, r, next);
}

/*
 * A decimal number's second word, for a first word of 8 digits, and a
 * whole hex number: d is where the digits start. Kept apart, in a function
 * per base, the two words' code left the short decimal number's path
 * without a stack frame, where one function with both needed saved
 * registers. A hex number is nearly always an address of 8 digits or more:
 * its function reads both words, with the masks for both in registers.
 */
typedef int fast_more_fn(const char *d, struct trace_row *r,
			 const struct fast_step *next, uint64_t lanes);

struct fast_more {
	fast_more_fn *dec, *hex;
};

/*
 * A fast_more_fn in one base (a constant): the digits end at the mark.
 * Decimal: the first word is 8 digits, whose swar_dec_lanes() the step
 * passes on; hex: up to 7, or 8 and more.
 */
CSV_HOT int fast_num_more(unsigned how, const char *d, bool hex,
			  struct trace_row *r, const struct fast_step *next,
			  uint64_t lanes)
{
	uint64_t w0 = hex ? load64(d) : 0, w1, v;
	uint64_t stops = hex ? swar_hex_stops(w0) : 0;
	const char *p = hex ? d - 2 : d, *q = NULL;
	unsigned b;

	if (stops) {		/* hex: a short number */
		b = swar_mark(stops);
		if (b < 8)	/* no digits */
			return fast_step_odd(how, p, NULL, r, next);
		v = swar_value(w0, b, hex);
		q = d + b / 8;
	} else {
		w1 = load64(d + 8);
		stops = swar_stops(w1, hex);
		if (!stops)	/* 16 digits or more: the byte loop */
			return fast_step_odd(how, p, NULL, r, next);
		b = swar_mark(stops);
		v = hex ? swar_hex_value2(w0, w1, b) :
		    swar_dec_value2(lanes, w1, b);
		q = d + 8 + b / 8;
	}
	return fast_step_end(how, p, swar_store(FAST_KIND(how), v, r) ? q :
			     NULL, r, next);
}

/*
 * A number step's first word in one base (a constant): for decimal, up to
 * 7 digits and the mark after them, or 8 digits for the fast_more_fn,
 * which has all of a hex number.
 */
CSV_HOT int fast_num(unsigned how, const char *p, const char *d, bool hex,
		     struct trace_row *r, const struct fast_step *next,
		     const struct fast_more *more)
{
	uint64_t w, stops;
	unsigned b;

	if (hex)
		return more->hex(d, r, next, 0);
	w = load64(d);
	stops = swar_stops(w, hex);
	if (!stops)
		return more->dec(d, r, next, swar_dec_lanes(w));
	b = swar_mark(stops);
	if (b < 8)		/* no digits */
		return fast_step_odd(how, p, NULL, r, next);
	return fast_step_end(how, p, swar_store(FAST_KIND(how),
						swar_value(w, b, hex), r) ?
			     d + b / 8 : NULL, r, next);
}

/* One step, made for one column kind so that its tests of kind fold away. */
CSV_HOT int fast_step(unsigned how, const char *p, struct trace_row *r,
		      const struct fast_step *next,
		      const struct fast_more *more)
{
	enum csv_col kind = FAST_KIND(how);
	const char *d, *q;

	/*
	 * An empty field before the last, common: a trace from mmsim import
	 * leaves half its fields empty. (A valid row has time_ns and op, so
	 * their steps spare the test: fast_step_odd() sees to an empty one.)
	 */
	if (!(COL_BIT(kind) & CSV_ALWAYS_NEEDED) && *p == ',' &&
	    !(how & FAST_LAST)) {
		fast_empty(kind, r, next);
		return next->run(p + 1, r, next + 1);
	}
	if (!(COL_BIT(kind) & CSV_SWAR_COLS)) {
		q = fast_quick(kind, p, how & FAST_LAST ? '\n' : ',', r);
		if (!q)
			return fast_step_odd(how, p, NULL, r, next);
		return how & FAST_LAST ? fast_row_end(q, r, next) :
		       next->run(q + 1, r, next + 1);
	}
	d = fast_digits(kind, p);
	return d != p ? fast_num(how, p, d, true, r, next, more) :
	       fast_num(how, p, d, false, r, next, more);
}

#define FAST_STEP_FOR(name, how, more)					\
	static int name(const char *p, struct trace_row *r,		\
			const struct fast_step *next)			\
	{								\
		return fast_step(how, p, r, next, more);		\
	}
#define FAST_MORE_FOR(name, how, hex)					\
	__attribute__((noinline))					\
	static int name(const char *d, struct trace_row *r,		\
			const struct fast_step *next, uint64_t lanes)	\
	{								\
		return fast_num_more(how, d, hex, r, next, lanes);	\
	}
#define FAST_STEPS_FOR(name, k)						\
	FAST_STEP_FOR(name, k, NULL)					\
	FAST_STEP_FOR(name##_last, (k) | FAST_LAST, NULL)
#define FAST_DEC_MORE_FOR(name, how)					\
	FAST_MORE_FOR(name##_dec, how, false)				\
	static const struct fast_more name = { name##_dec, NULL };
#define FAST_HEX_MORE_FOR(name, how)					\
	FAST_MORE_FOR(name##_dec, how, false)				\
	FAST_MORE_FOR(name##_hex, how, true)				\
	static const struct fast_more name = { name##_dec, name##_hex };
#define FAST_NUMBER_STEPS_FOR(name, k, MORE_FOR)			\
	MORE_FOR(name##_more, k)					\
	MORE_FOR(name##_last_more, (k) | FAST_LAST)			\
	FAST_STEP_FOR(name, k, &name##_more)				\
	FAST_STEP_FOR(name##_last, (k) | FAST_LAST, &name##_last_more)

FAST_STEPS_FOR(fast_ignored, COL_IGNORED)
FAST_NUMBER_STEPS_FOR(fast_time_ns, COL_TIME_NS, FAST_DEC_MORE_FOR)
FAST_STEPS_FOR(fast_op, COL_OP)
FAST_NUMBER_STEPS_FOR(fast_pid, COL_PID, FAST_DEC_MORE_FOR)
FAST_NUMBER_STEPS_FOR(fast_addr, COL_ADDR, FAST_HEX_MORE_FOR)
FAST_STEPS_FOR(fast_type, COL_TYPE)
FAST_NUMBER_STEPS_FOR(fast_ino, COL_INO, FAST_HEX_MORE_FOR)
FAST_NUMBER_STEPS_FOR(fast_dev, COL_DEV, FAST_HEX_MORE_FOR)
FAST_STEPS_FOR(fast_write, COL_WRITE)
FAST_NUMBER_STEPS_FOR(fast_order, COL_ORDER, FAST_DEC_MORE_FOR)
FAST_STEPS_FOR(fast_migratetype, COL_MIGRATETYPE)
FAST_NUMBER_STEPS_FOR(fast_pfn, COL_PFN, FAST_HEX_MORE_FOR)
FAST_STEPS_FOR(fast_gfp, COL_GFP)

/* Per kind: [0] the step of a column before the last, [1] of the last. */
static int (*const csv_fast_steps[NR_CSV_COLS][2])(
	const char *p, struct trace_row *r, const struct fast_step *next) = {
	[COL_IGNORED] = { fast_ignored, fast_ignored_last },
	[COL_TIME_NS] = { fast_time_ns, fast_time_ns_last },
	[COL_OP] = { fast_op, fast_op_last },
	[COL_PID] = { fast_pid, fast_pid_last },
	[COL_ADDR] = { fast_addr, fast_addr_last },
	[COL_TYPE] = { fast_type, fast_type_last },
	[COL_INO] = { fast_ino, fast_ino_last },
	[COL_DEV] = { fast_dev, fast_dev_last },
	[COL_WRITE] = { fast_write, fast_write_last },
	[COL_ORDER] = { fast_order, fast_order_last },
	[COL_MIGRATETYPE] = { fast_migratetype, fast_migratetype_last },
	[COL_PFN] = { fast_pfn, fast_pfn_last },
	[COL_GFP] = { fast_gfp, fast_gfp_last },
};

/* The header's chain of steps, and the entry after the last for its end. */
static void fast_plan_init(struct csv_reader *s)
{
	if (s->ncols > CSV_FAST_MAX_COLS)
		return;
	s->plan = xcalloc(s->ncols + 1, sizeof(*s->plan));
	for (size_t i = 0; i <= s->ncols; i++) {
		if (i < s->ncols)
			s->plan[i].run = csv_fast_steps[s->col_kind[i]]
						       [i == s->ncols - 1];
		s->plan[i].s = s;
	}
}

/*
 * Parses the line at buf_pos straight into r and hands it out if it is one
 * the fast path takes: exactly ncols fields, each empty or a valid value,
 * no '"', no '\r' but one just before the '\n', the '\n' inside the
 * buffer, and a row check_row() passes: TRACE_ROW. Any other line (blank,
 * short, long, quoted, a bad value or row, partly read) is left untouched
 * to libcsv and the general path, by fast_fail(). It ends the row as
 * row_cb() would: a CRLF makes the same row and counts one line, as '\r'
 * then '\n' do there. libcsv is between rows, so no '\r' waits to be
 * counted (fast_line_ready()).
 */
CSV_HOT int fast_row(struct csv_reader *s, struct trace_row *r)
{
	if (s->fast_clear_all)
		row_clear(r);
	else
		row_clear_rest(r);	/* the steps write the rest */
	s->fast_given = s->header_cols;		/* minus the empty fields */
	return s->plan->run(s->buf + s->buf_pos, r, s->plan + 1);
}

/*
 * A line fast_row() does not take: in csv_next(), the general path reads
 * the row (s->err and s->errlen are csv_next()'s); in fast_line(), 0.
 */
__attribute__((noinline, cold))
static int fast_fail(const struct fast_step *next, struct trace_row *r)
{
	struct csv_reader *s = next->s;

	if (s->fast_in_line)
		return 0;
	return csv_next_slow(s, r, s->err, s->errlen);
}

/* fast_row() for parse_step(): into s->cur, then handed out or queued. */
static bool fast_line(struct csv_reader *s)
{
	int rc;

	s->fast_in_line = true;
	rc = fast_row(s, s->cur);
	s->fast_in_line = false;
	if (rc != TRACE_ROW) {
		row_reset(s);		/* back to the clean row it was */
		return false;
	}
	if (s->cur == s->out) {
		s->delivered = true;
		s->cur = &s->spare;	/* clean since its last use */
		return true;
	}
	queue_push(s, s->cur);
	row_reset(s);
	return true;
}

/*
 * Whether the line at buf_pos may go to fast_row(): libcsv is between
 * rows (and so has no '\r' waiting to be counted as a line of its own),
 * nothing is to be skipped, the header gave a plan.
 */
static bool fast_line_ready(const struct csv_reader *s)
{
	return s->csv_idle && s->plan && !s->skip_to_eol && !s->pending_cr &&
	       !s->failed;
}

/*
 * Whether csv_next() may try the next line with fast_row(): that, and
 * nothing waits in the queue. Only the general path changes any of it, so
 * csv_next() reads it from s->fast_next, which csv_next_slow() sets on its
 * way out.
 */
static bool fast_ready(const struct csv_reader *s)
{
	return s->q_len == 0 && fast_line_ready(s);
}

/* ---- the read buffer -------------------------------------------------- */

/* Moves the unparsed tail to the front and reads more; false at EOF. */
static bool read_more(struct csv_reader *s)
{
	size_t tail = s->buf_len - s->buf_pos, got;

	memmove(s->buf, s->buf + s->buf_pos, tail);
	s->buf_pos = 0;
	got = trace_input_read(s->in, s->buf + tail, CSV_READ_BYTES - tail);
	s->buf_len = tail + got;
	if (!s->started && s->buf_len >= 3 &&
	    memcmp(s->buf, "\xef\xbb\xbf", 3) == 0)
		s->buf_pos = 3;		/* a UTF-8 byte order mark */
	s->started = true;
	s->buf[s->buf_len] = '\n';	/* the fast path's sentinel */
	s->sentinel = s->buf + s->buf_len;
	return got > 0;
}

/*
 * Parses one line (or, with no '\n' in a full buffer, one buffer of a
 * very long line; or the last, unterminated line at EOF).
 */
static void parse_step(struct csv_reader *s)
{
	const char *p = s->buf + s->buf_pos;
	size_t avail = s->buf_len - s->buf_pos;
	const char *nl;

	if (fast_line_ready(s) && fast_line(s))
		return;
	nl = memchr(p, '\n', avail);
	if (nl) {
		feed_csv(s, p, (size_t)(nl + 1 - p));
		s->buf_pos += (size_t)(nl + 1 - p);
	} else if (avail == CSV_READ_BYTES) {
		feed_csv(s, p, avail);
		s->buf_pos = s->buf_len;
	} else if (!read_more(s)) {
		feed_csv(s, s->buf + s->buf_pos, s->buf_len - s->buf_pos);
		s->buf_pos = s->buf_len;
		finish_input(s);
	}
}

/* ---- struct trace_format ---------------------------------------------- */

static bool is_required_name(const unsigned char *b, size_t len)
{
	while (len > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '"')) {
		b++;
		len--;
	}
	while (len > 0 && (b[len - 1] == ' ' || b[len - 1] == '\t' ||
			   b[len - 1] == '"'))
		len--;
	for (int k = 0; k < NR_CSV_COLS; k++)
		if ((CSV_REQUIRED_COLS & COL_BIT(k)) &&
		    strlen(csv_col_names[k]) == len &&
		    memcmp(b, csv_col_names[k], len) == 0)
			return true;
	return false;
}

/* The first non-blank line names one of time_ns, op, pid, addr. */
static bool csv_detect(const unsigned char *b, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(b, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' ||
			   b[i] == '\n'))
		i++;
	while (i < len && b[i] != '\n' && b[i] != '\r') {
		size_t j = i;

		while (j < len && b[j] != ',' && b[j] != '\n' && b[j] != '\r')
			j++;
		if (is_required_name(b + i, j - i))
			return true;
		i = j < len && b[j] == ',' ? j + 1 : j;
	}
	return false;
}

static void csv_close(void *state)
{
	struct csv_reader *s = state;

	if (!s)
		return;
	csv_free(&s->parser);
	for (size_t i = 0; i < s->ncols; i++)
		free(s->names[i]);
	free(s->names);
	free(s->col_kind);
	free(s->plan);
	free(s->q);
	free(s->buf);
	free(s);
}

static void *csv_open(struct trace_input *in,
		      const struct trace_open_opts *opts, char *err,
		      size_t errlen)
{
	struct csv_reader *s = xcalloc(1, sizeof(*s));

	s->in = in;
	s->path = in->path;
	s->skip_bad_rows = opts->skip_bad_rows;
	/* + the sentinel and the SWAR loads' padding, all defined bytes */
	s->buf = xcalloc(1, CSV_READ_BYTES + 1 + CSV_PAD_BYTES);
	for (int k = 0; k < NR_CSV_COLS; k++)
		s->col_of[k] = -1;
	s->cur = &s->spare;
	row_reset(s);
	parser_reset(s);
	while (!s->header_done && !s->failed && !s->input_done)
		parse_step(s);
	if (!s->header_done) {
		if (s->failed)
			snprintf(err, errlen, "%s", s->msg);
		else
			snprintf(err, errlen, "%s: got no header row, expected "
				 "a CSV header with time_ns,op,pid,addr",
				 s->path);
		csv_close(s);
		return NULL;
	}
	fast_plan_init(s);
	s->fast_clear_all = (s->header_cols & CSV_STEP_COLS) != CSV_STEP_COLS;
	s->fast_next = fast_ready(s);
	return s;
}

/*
 * Parses straight into the caller's row when no row is queued or half
 * parsed: copying each row through the queue cost a store-forwarding
 * stall per row. Rows beyond the first that one libcsv chunk yields go
 * to the queue through s->spare.
 */
static int csv_next_general(struct csv_reader *s, struct trace_row *row,
			    char *err, size_t errlen)
{
	if (s->q_len == 0 && s->field == 0 && !s->failed) {
		s->out = s->cur = row;
		row_reset(s);
		s->delivered = false;
		while (!s->delivered && s->q_len == 0 && !s->failed &&
		       !s->input_done)
			parse_step(s);
		s->out = NULL;
		s->cur = &s->spare;
		if (s->delivered)
			return TRACE_ROW;
	}
	while (s->q_len == 0) {
		if (s->failed) {
			snprintf(err, errlen, "%s", s->msg);
			return TRACE_ERR;
		}
		if (s->input_done)
			return TRACE_EOF;
		s->q_head = 0;
		parse_step(s);
	}
	*row = s->q[s->q_head++];
	s->q_len--;
	return TRACE_ROW;
}

/*
 * csv_next() for everything fast_row() does not take; it leaves in
 * s->fast_next whether the next call may try fast_row() again. Out of
 * line, so that csv_next() itself is a test and a call.
 */
__attribute__((noinline))
static int csv_next_slow(struct csv_reader *s, struct trace_row *row,
			 char *err, size_t errlen)
{
	int rc = csv_next_general(s, row, err, errlen);

	s->fast_next = fast_ready(s);
	return rc;
}

/*
 * A plain line goes straight from the read buffer into the caller's row.
 * fast_row() ends in a jump to the chain of steps, which returns to our
 * caller; a line it does not take goes on to csv_next_slow() from there,
 * with err and errlen kept here for it: two stores, where a frame to keep
 * them across a call cost a dozen instructions.
 */
static int csv_next(void *state, struct trace_row *row, char *err,
		    size_t errlen)
{
	struct csv_reader *s = state;

	if (!s->fast_next)
		return csv_next_slow(s, row, err, errlen);
	s->err = err;
	s->errlen = errlen;
	return fast_row(s, row);
}

static uint64_t csv_bad_rows(void *state)
{
	return ((struct csv_reader *)state)->bad_rows;
}

static const char *csv_first_bad_row(void *state)
{
	return ((struct csv_reader *)state)->first_bad;
}

static uint64_t csv_lines(void *state)
{
	const struct csv_reader *s = state;

	return s->lines_done + (s->pending_cr ? 1 : 0);
}

const struct trace_format trace_format_csv = {
	.name = "csv",
	.detect = csv_detect,
	.open = csv_open,
	.next = csv_next,
	.bad_rows = csv_bad_rows,
	.lines = csv_lines,
	.close = csv_close,
	.expects = "a CSV header with time_ns,op,pid,addr (traces/FORMAT.md)",
	.first_bad_row = csv_first_bad_row,
};
