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
 * real trace is plain: no '"' and no '\r' except before its '\n'. Such a
 * line, met while libcsv is between rows, is split by plain_line(), which
 * makes exactly the callbacks libcsv would make for it (fields split at
 * ',', blanks around a field dropped, a blank line has no fields, CRLF is
 * '\r' then '\n'). Every other line - quotes, stray CRs, a quoted field
 * continuing from an earlier line, a line longer than the read buffer, the
 * unterminated last line - goes to libcsv, which keeps its own state
 * across calls. tests/check_trace.c runs each valid and malformed input
 * through both paths and compares.
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
 * Speed (37-byte rows, one core of the shared development VM, best of
 * runs): libcsv alone, empty callbacks, 3.6 M rows/s; this reader, plain
 * lines, 11 M rows/s; every line quoted (all through libcsv), 2.4 M rows/s.
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
	bool buf_quote, buf_cr;		/* buf holds a '"' / a '\r' */
	bool started;			/* the first block was read (BOM check) */
	bool input_done;		/* EOF reached and csv_fini() ran */
	bool csv_idle;			/* libcsv is between rows */
	bool skip_to_eol;		/* skip mode: drop bytes up to the next '\n' */

	char **names;			/* header names, as written */
	size_t ncols, names_cap;
	unsigned char *col_kind;	/* enum csv_col per column */
	int col_of[NR_CSV_COLS];	/* 0-based column of each kind, or -1 */
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

static bool field_uint(struct csv_reader *s, const struct csv_field *fd,
		       bool hex_ok, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	enum num_status st = parse_u64(fd->text, fd->len, hex_ok, &v);
	char expect[64];

	if (st == NUM_OK && v <= max) {
		*out = v;
		return true;
	}
	if (st == NUM_BAD) {
		field_error(s, fd, csv_col_expect[s->col_kind[fd->col]]);
		return false;
	}
	snprintf(expect, sizeof(expect), "a non-negative integer <= %" PRIu64,
		 max);
	field_error(s, fd, expect);
	return false;
}

static bool field_is(const struct csv_field *fd, const char *word)
{
	size_t n = strlen(word);

	return fd->len == n && memcmp(fd->text, word, n) == 0;
}

/* Constant-length memcmp()s, which the compiler inlines. */
static int parse_op(const char *s, size_t len)
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

static void field_op(struct csv_reader *s, const struct csv_field *fd)
{
	int op = parse_op(fd->text, fd->len);

	if (op < 0)
		field_error(s, fd, csv_col_expect[COL_OP]);
	else
		s->cur->op = (enum trace_op)op;
}

static void field_type(struct csv_reader *s, const struct csv_field *fd)
{
	if (field_is(fd, "anon"))
		s->cur->type = PAGE_ANON;
	else if (field_is(fd, "file"))
		s->cur->type = PAGE_FILE;
	else
		field_error(s, fd, csv_col_expect[COL_TYPE]);
}

static void field_write(struct csv_reader *s, const struct csv_field *fd)
{
	if (fd->len == 1 && (fd->text[0] == '0' || fd->text[0] == '1'))
		s->cur->write = fd->text[0] == '1';
	else
		field_error(s, fd, csv_col_expect[COL_WRITE]);
}

static void field_order(struct csv_reader *s, const struct csv_field *fd)
{
	uint64_t v;

	if (parse_dec(fd->text, fd->len, &v) != NUM_OK || v > MAX_PAGE_ORDER) {
		field_error(s, fd, csv_col_expect[COL_ORDER]);
		return;
	}
	s->cur->order = (unsigned)v;
	s->cur->has |= TRACE_HAS_ORDER;
}

static void field_migratetype(struct csv_reader *s,
			      const struct csv_field *fd)
{
	int mt = -1;

	if (fd->len == 1 && fd->text[0] >= '0' &&
	    fd->text[0] < '0' + MIGRATE_TYPES)
		mt = fd->text[0] - '0';
	for (int i = 0; mt < 0 && i < MIGRATE_TYPES; i++)
		if (field_is(fd, csv_migratetype_names[i]))
			mt = i;
	if (mt < 0) {
		field_error(s, fd, csv_col_expect[COL_MIGRATETYPE]);
		return;
	}
	s->cur->migratetype = mt;
	s->cur->has |= TRACE_HAS_MIGRATETYPE;
}

static void field_gfp(struct csv_reader *s, const struct csv_field *fd)
{
	char expect[TRACE_MSG_BYTES / 2], bad[CSV_SHOW_BYTES + 4];
	gfp_t gfp;
	size_t off = 0, end;

	if (gfp_parse(fd->text, fd->len, &gfp, &off) == 0) {
		s->cur->gfp = gfp;
		s->cur->has |= TRACE_HAS_GFP;
		return;
	}
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

/* Parses one non-empty data field into *s->cur. */
static void field_parse(struct csv_reader *s, const struct csv_field *fd)
{
	struct trace_row *r = s->cur;
	enum csv_col kind = (enum csv_col)s->col_kind[fd->col];
	uint64_t v;

	s->given |= COL_BIT(kind);
	switch (kind) {
	case COL_IGNORED:
		break;
	case COL_TIME_NS:
		field_uint(s, fd, false, UINT64_MAX, &r->time_ns);
		break;
	case COL_OP:
		field_op(s, fd);
		break;
	case COL_PID:
		if (field_uint(s, fd, false, UINT32_MAX, &v))
			r->pid = (uint32_t)v;
		break;
	case COL_ADDR:
		field_uint(s, fd, true, UINT64_MAX, &r->addr);
		break;
	case COL_TYPE:
		field_type(s, fd);
		break;
	case COL_INO:
		if (field_uint(s, fd, true, UINT64_MAX, &r->ino))
			r->has |= TRACE_HAS_INO;
		break;
	case COL_DEV:
		field_uint(s, fd, true, UINT64_MAX, &r->dev);
		break;
	case COL_WRITE:
		field_write(s, fd);
		break;
	case COL_ORDER:
		field_order(s, fd);
		break;
	case COL_MIGRATETYPE:
		field_migratetype(s, fd);
		break;
	case COL_PFN:
		if (field_uint(s, fd, true, UINT64_MAX, &r->pfn))
			r->has |= TRACE_HAS_PFN;
		break;
	case COL_GFP:
		field_gfp(s, fd);
		break;
	case NR_CSV_COLS:
		SIM_BUG_ON(1);
	}
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

/* COL_BIT()s each op needs besides time_ns and op (traces/FORMAT.md). */
static const uint32_t csv_op_needs[NR_TRACE_OPS] = {
	[TRACE_OP_ACCESS] = COL_BIT(COL_PID) | COL_BIT(COL_ADDR),
	[TRACE_OP_UNMAP] = COL_BIT(COL_PID) | COL_BIT(COL_ADDR),
	[TRACE_OP_EXIT] = COL_BIT(COL_PID),
	[TRACE_OP_ALLOC] = 0,
	[TRACE_OP_FREE] = COL_BIT(COL_PFN),
	[TRACE_OP_EVICT] = COL_BIT(COL_ADDR) | COL_BIT(COL_INO),
};

#define CSV_ALWAYS_NEEDED	(COL_BIT(COL_TIME_NS) | COL_BIT(COL_OP))

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

/*
 * The fields the row's op needs. A file page is (dev, ino, addr >> 12), so
 * type=file needs ino; evict names only file pages, so its type defaults
 * to file and type=anon is an error.
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
	need = csv_op_needs[r->op];
	if (r->type == PAGE_FILE && r->op != TRACE_OP_EXIT &&
	    r->op != TRACE_OP_ALLOC && r->op != TRACE_OP_FREE)
		need |= COL_BIT(COL_INO);
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

/*
 * Field by field, not "s->cur = defaults": GCC turns that copy of a mostly
 * zero struct into a `rep stos` whose startup cost was a fifth of the
 * reader's time per row.
 */
static void row_reset(struct csv_reader *s)
{
	struct trace_row *r = s->cur;

	r->time_ns = 0;
	r->op = TRACE_OP_ACCESS;
	r->pid = 0;
	r->addr = 0;
	r->type = PAGE_ANON;
	r->dev = 0;
	r->ino = 0;
	r->write = false;
	r->has = 0;
	r->order = 0;
	r->migratetype = -1;
	r->pfn = 0;
	r->gfp = 0;
	r->line = 0;
	s->field = 0;
	s->given = 0;
	s->row_bad = false;
}

static void row_finish(struct csv_reader *s)
{
	if (!s->row_bad)
		check_row(s);
	if (s->row_bad) {
		row_reject(s);
		return;
	}
	s->prev_time_ns = s->cur->time_ns;
	s->cur->line = s->row_line;
	if (s->cur == s->out) {		/* the common case: no copy */
		s->delivered = true;
		s->cur = &s->spare;
		return;
	}
	queue_push(s, s->cur);
}

/* ---- fields and row ends, from libcsv or the plain-line path ----------- */

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
	if (s->field > 0) {
		if (s->header_done)
			row_finish(s);
		else
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

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

#define CSV_HEX_COLS \
	(COL_BIT(COL_ADDR) | COL_BIT(COL_INO) | COL_BIT(COL_DEV) | \
	 COL_BIT(COL_PFN))
#define CSV_FAST_COLS	(CSV_HEX_COLS | COL_BIT(COL_TIME_NS) | COL_BIT(COL_PID))

/* Stores a number fast_number() parsed; false if it is out of range. */
static bool store_number(struct csv_reader *s, enum csv_col kind, uint64_t v)
{
	struct trace_row *r = s->cur;

	switch (kind) {
	case COL_TIME_NS:
		r->time_ns = v;
		break;
	case COL_PID:
		if (v > UINT32_MAX)
			return false;
		r->pid = (uint32_t)v;
		break;
	case COL_ADDR:
		r->addr = v;
		break;
	case COL_INO:
		r->ino = v;
		r->has |= TRACE_HAS_INO;
		break;
	case COL_DEV:
		r->dev = v;
		break;
	case COL_PFN:
		r->pfn = v;
		r->has |= TRACE_HAS_PFN;
		break;
	default:
		SIM_BUG_ON(1);
	}
	s->given |= COL_BIT(kind);
	return true;
}

/*
 * The digits at p, which must be followed by a byte that is not a digit
 * (plain_line()'s fields end at ',', '\r' or '\n', so no bounds check is
 * needed). Returns their end, or NULL if there are none or more than 19
 * decimal / 16 hex digits (those may overflow 64 bits: the general path
 * decides). (Eight-at-a-time SWAR parsing was tried: no faster.)
 */
static const char *scan_number(const char *p, bool hex, uint64_t *out)
{
	const char *q = p;
	uint64_t v = 0;

	if (hex) {
		unsigned t;

		for (; (t = hex_val1[(unsigned char)*q]) != 0; q++)
			v = v << 4 | (t - 1);
	} else {
		unsigned d;

		for (; (d = (unsigned)(unsigned char)*q - '0') <= 9; q++)
			v = v * 10 + d;
	}
	if (q == p || q - p > (hex ? 16 : 19))
		return NULL;
	*out = v;
	return q;
}

/* The op field, when it is exactly an op name: parse_op() on the spot. */
static const char *fast_op(struct csv_reader *s, const char *p,
			   const char *end)
{
	const char *q = p;
	int op;

	while (q < end && *q != ',')
		q++;
	op = parse_op(p, (size_t)(q - p));
	if (op < 0)
		return NULL;
	s->cur->op = (enum trace_op)op;
	s->given |= COL_BIT(COL_OP);
	return q;
}

/*
 * The plain path's shortcut for the commonest fields: an op name, or a
 * decimal or 0x-hex number in a numeric column, ending right at ',' or the
 * line's end; it scans the field once instead of twice (find the ',', then
 * parse).
 * Returns the end of the field, or NULL for the general path, which also
 * reports any error, so both accept exactly the same text.
 */
static const char *fast_number(struct csv_reader *s, size_t col,
			       const char *p, const char *end)
{
	enum csv_col kind;
	const char *q;
	uint64_t v = 0;
	bool hex;

	if (!s->header_done || s->row_bad || col >= s->ncols)
		return NULL;
	kind = (enum csv_col)s->col_kind[col];
	if (kind == COL_OP)
		return fast_op(s, p, end);
	if (!(COL_BIT(kind) & CSV_FAST_COLS))
		return NULL;
	hex = (COL_BIT(kind) & CSV_HEX_COLS) && end - p > 2 && p[0] == '0' &&
	      (p[1] | 0x20) == 'x';
	q = scan_number(hex ? p + 2 : p, hex, &v);
	if (!q || (q != end && *q != ','))
		return NULL;
	return store_number(s, kind, v) ? q : NULL;
}

/*
 * A line with no '"' and no '\r' before its end, while libcsv is between
 * rows: split it here, exactly as libcsv would (fields split at ',',
 * blanks around a field dropped, a blank line has no fields), and make the
 * same callbacks. n excludes the '\n'.
 */
static void plain_line(struct csv_reader *s, const char *p, size_t n)
{
	const char *end = p + n;
	struct csv_field fd;
	bool cr = n > 0 && end[-1] == '\r';

	if (cr)
		end--;
	while (p < end && is_blank(*p))
		p++;
	settle_cr(s);
	s->row_line = fd.line = s->lines_done + 1;
	while (p < end) {
		const char *f = p, *e;

		fd.col = s->field++;
		e = fast_number(s, fd.col, p, end);
		if (e) {
			p = e;
		} else {
			while (p < end && *p != ',')
				p++;
			for (e = p; e > f && is_blank(e[-1]); e--)
				;
			fd.text = f;
			fd.len = (size_t)(e - f);
			take_field(s, &fd);
		}
		if (p == end)
			break;
		for (p++; p < end && is_blank(*p); p++)
			;
		if (p == end) {		/* a trailing ',': one more empty field */
			fd.text = p;
			fd.len = 0;
			fd.col = s->field++;
			take_field(s, &fd);
		}
	}
	if (cr)
		row_cb('\r', s);
	row_cb('\n', s);
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
	s->buf_quote = memchr(s->buf, '"', s->buf_len) != NULL;
	s->buf_cr = memchr(s->buf, '\r', s->buf_len) != NULL;
	return got > 0;
}

/* No '"' at all, no '\r' but one just before the '\n'. */
static bool line_is_plain(const struct csv_reader *s, const char *p,
			  size_t n)
{
	if (s->buf_quote && memchr(p, '"', n))
		return false;
	if (s->buf_cr && n > 1 && memchr(p, '\r', n - 1))
		return false;
	return true;
}

/*
 * Parses one line (or, with no '\n' in a full buffer, one buffer of a
 * very long line; or the last, unterminated line at EOF).
 */
static void parse_step(struct csv_reader *s)
{
	const char *p = s->buf + s->buf_pos;
	size_t avail = s->buf_len - s->buf_pos;
	const char *nl = memchr(p, '\n', avail);

	if (nl) {
		size_t n = (size_t)(nl - p);

		if (s->csv_idle && !s->skip_to_eol && line_is_plain(s, p, n))
			plain_line(s, p, n);
		else
			feed_csv(s, p, n + 1);
		s->buf_pos += n + 1;
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
	s->buf = xmalloc(CSV_READ_BYTES);
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
	return s;
}

/*
 * Parses straight into the caller's row when no row is queued or half
 * parsed: copying each row through the queue cost a store-forwarding
 * stall per row. Rows beyond the first that one libcsv chunk yields go
 * to the queue through s->spare.
 */
static int csv_next(void *state, struct trace_row *row, char *err,
		    size_t errlen)
{
	struct csv_reader *s = state;

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
