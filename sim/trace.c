/*
 * trace.c - opening a trace: the input, the sniffing, the format registry.
 *
 * A trace arrives as a file or on stdin ("-"), often straight out of
 * `xzcat`, so nothing here may seek. trace_open() reads the first
 * TRACE_PEEK_BYTES into a peek buffer, rejects input that cannot be a text
 * trace (empty, NUL bytes, invalid UTF-8, with a hint when the bytes are a
 * compressor's magic number), then asks each format in trace_formats[] in
 * turn whether the peeked bytes look like it. The chosen format reads through
 * trace_input_read(), which hands out the peeked bytes first and then the
 * rest of the stream, so a format never knows the sniffing happened.
 *
 * Adding a format (the kernel tracing text formats live in trace_text.c) is
 * its own file, an extern line in trace_format.h and one line in
 * trace_formats[] below. Order matters only if two detect() functions could
 * both accept the same input; CSV's is strict (a header naming one of
 * time_ns, op, pid, addr), so it goes first.
 *
 * The reader keeps the last error text; trace_next() writes it and
 * trace_error() returns it. Messages name the file and never start with
 * "mmsim: ", which main() adds.
 */
#include "trace.h"
#include "trace_text.h"
#include "utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bug.h"
#include "trace_format.h"
#include "xalloc.h"

static const struct trace_format *const trace_formats[] = {
	&trace_format_csv,
	&trace_format_perf,
	&trace_format_ftrace,
	&trace_format_trace_cmd,
	NULL,
};

struct trace_reader {
	const struct trace_format *fmt;
	void *state;			/* the format's reader */
	FILE *f;
	bool close_f;			/* false for stdin */
	char *path;			/* for messages; "<stdin>" for "-" */
	unsigned char *peek;		/* TRACE_PEEK_BYTES sniffed bytes */
	struct trace_input in;
	char err[TRACE_MSG_BYTES];	/* last error, "" if none */
};

static const char *const trace_op_names[NR_TRACE_OPS] = {
	[TRACE_OP_ACCESS] = "access",
	[TRACE_OP_UNMAP] = "unmap",
	[TRACE_OP_EXIT] = "exit",
	[TRACE_OP_ALLOC] = "alloc",
	[TRACE_OP_FREE] = "free",
	[TRACE_OP_EVICT] = "evict",
};

const char *trace_op_name(enum trace_op op)
{
	SIM_BUG_ON((unsigned)op >= NR_TRACE_OPS);
	return trace_op_names[op];
}

size_t trace_input_read(struct trace_input *in, void *buf, size_t n)
{
	size_t got = 0;

	if (in->peek_pos < in->peek_len) {
		got = in->peek_len - in->peek_pos;
		if (got > n)
			got = n;
		memcpy(buf, in->peek + in->peek_pos, got);
		in->peek_pos += got;
	}
	/* A short peek means the stream already ended: don't block on a tty. */
	if (got < n && in->peek_len == TRACE_PEEK_BYTES)
		got += fread((char *)buf + got, 1, n - got, in->f);
	return got;
}

/* Opens the stream; messages say what the path is instead of a trace. */
static FILE *open_stream(const char *path, bool *close_f, char *err,
			 size_t errlen)
{
	struct stat st;
	FILE *f;

	if (strcmp(path, "-") == 0) {
		*close_f = false;
		return stdin;
	}
	f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen,
			 "%s: got a directory, expected a trace file", path);
		fclose(f);
		return NULL;
	}
	*close_f = true;
	return f;
}

struct compressor {
	const char *magic;
	size_t magic_len;
	const char *name;
	const char *cat;	/* the tool that decompresses to stdout */
};

/* Names a compressor from its magic number, or NULL. */
static const struct compressor *compressed_with(const unsigned char *b,
						size_t len)
{
	static const struct compressor magics[] = {
		{ "\xfd" "7zXZ", 5, "xz", "xzcat" },
		{ "\x1f\x8b", 2, "gzip", "zcat" },
		{ "\x28\xb5\x2f\xfd", 4, "zstd", "zstdcat" },
		{ "BZh", 3, "bzip2", "bzcat" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(magics); i++)
		if (len >= magics[i].magic_len &&
		    memcmp(b, magics[i].magic, magics[i].magic_len) == 0)
			return &magics[i];
	return NULL;
}

/* Offset of the first byte that is not UTF-8 text (NUL counts), or len. */
static size_t first_non_text(const unsigned char *b, size_t len, bool cut)
{
	size_t i = 0;

	while (i < len) {
		int n = b[i] ? utf8_seq_len(b + i, len - i) : 0;

		if (n < 0 && cut)
			return len;	/* the peek ended mid-character */
		if (n <= 0)
			return i;
		i += (size_t)n;
	}
	return len;
}

/* Checks the peeked bytes are text; else a message with a hint. */
static bool peek_is_text(const struct trace_reader *r, char *err,
			 size_t errlen)
{
	const unsigned char *b = r->peek;
	size_t len = r->in.peek_len;
	size_t off = first_non_text(b, len, len == TRACE_PEEK_BYTES);
	const struct compressor *c;

	if (off == len)
		return true;
	c = compressed_with(b, len);
	if (c)
		snprintf(err, errlen,
			 "%s: got %s-compressed data, expected a text trace "
			 "(decompress it first: %s %s | mmsim run -)",
			 r->path, c->name, c->cat, r->path);
	else
		snprintf(err, errlen,
			 "%s: got %s byte 0x%02x at offset %zu, expected a "
			 "text trace (UTF-8: CSV or kernel tracing text)",
			 r->path, b[off] ? "non-UTF-8" : "NUL", b[off], off);
	return false;
}

/* Reads the peek buffer in full (or to EOF); false on a read error. */
static bool fill_peek(struct trace_reader *r, char *err, size_t errlen)
{
	r->peek = xmalloc(TRACE_PEEK_BYTES);
	r->in.f = r->f;
	r->in.path = r->path;
	r->in.peek = r->peek;
	r->in.peek_pos = 0;
	r->in.peek_len = fread(r->peek, 1, TRACE_PEEK_BYTES, r->f);
	if (r->in.peek_len < TRACE_PEEK_BYTES && ferror(r->f)) {
		snprintf(err, errlen, "%s: read error: %s", r->path,
			 strerror(errno));
		return false;
	}
	if (r->in.peek_len == 0) {
		snprintf(err, errlen, "%s: empty trace", r->path);
		return false;
	}
	return true;
}

/*
 * Copies the first line of the peek into out for a message: control bytes
 * become '?', a line longer than out ends in "...".
 */
static void first_line(const struct trace_reader *r, char *out, size_t len)
{
	size_t n = 0, i;

	SIM_BUG_ON(len < 4);
	for (i = 0; i < r->in.peek_len && n + 1 < len; i++) {
		unsigned char c = r->peek[i];

		if (c == '\n' || c == '\r')
			break;
		out[n++] = (char)(c < 0x20 ? '?' : c);
	}
	if (n + 1 == len && i < r->in.peek_len && r->peek[i] != '\n' &&
	    r->peek[i] != '\r') {
		n = len - 4;
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

/*
 * Says what the registered formats expected when none matched: each
 * format's ->expects, then the names of those without one as "a/b text":
 * "expected a CSV header with ... or perf/ftrace/trace-cmd text".
 */
static void no_format(const struct trace_reader *r, char *err, size_t errlen)
{
	const struct trace_format *const *f;
	const char *sep = "";
	char got[48];
	size_t n;
	bool named = false;

	first_line(r, got, sizeof(got));
	n = (size_t)snprintf(err, errlen, "%s: got '%s', expected ", r->path,
			     got);
	for (f = trace_formats; *f && n < errlen; f++) {
		if (!(*f)->expects)
			continue;
		n += (size_t)snprintf(err + n, errlen - n, "%s%s", sep,
				      (*f)->expects);
		sep = " or ";
	}
	for (f = trace_formats; *f && n < errlen; f++) {
		if ((*f)->expects)
			continue;
		n += (size_t)snprintf(err + n, errlen - n, "%s%s",
				      named ? "/" : sep, (*f)->name);
		named = true;
	}
	if (named && n < errlen)
		snprintf(err + n, errlen - n, " text");
}

static const struct trace_format *detect_format(const struct trace_reader *r)
{
	for (size_t i = 0; trace_formats[i]; i++)
		if (trace_formats[i]->detect(r->peek, r->in.peek_len))
			return trace_formats[i];
	return NULL;
}

static void reader_free(struct trace_reader *r)
{
	if (r->close_f && r->f)
		fclose(r->f);
	free(r->peek);
	free(r->path);
	free(r);
}

struct trace_reader *trace_open(const char *path,
				const struct trace_open_opts *opts,
				char *err, size_t errlen)
{
	static const struct trace_open_opts defaults;
	struct trace_reader *r = xcalloc(1, sizeof(*r));
	char scratch[1];

	if (!err || errlen == 0) {
		err = scratch;
		errlen = sizeof(scratch);
	}
	err[0] = '\0';
	if (!opts)
		opts = &defaults;
	r->path = xstrdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
	r->f = open_stream(path, &r->close_f, err, errlen);
	if (!r->f || !fill_peek(r, err, errlen) || !peek_is_text(r, err, errlen))
		goto fail;
	r->fmt = detect_format(r);
	if (!r->fmt) {
		no_format(r, err, errlen);
		goto fail;
	}
	r->state = r->fmt->open(&r->in, opts, err, errlen);
	if (!r->state)
		goto fail;
	return r;
fail:
	reader_free(r);
	return NULL;
}

int trace_next(struct trace_reader *r, struct trace_row *row)
{
	return r->fmt->next(r->state, row, r->err, sizeof(r->err));
}

const char *trace_error(const struct trace_reader *r)
{
	return r->err;
}

uint64_t trace_bad_rows(const struct trace_reader *r)
{
	return r->fmt->bad_rows(r->state);
}

const char *trace_first_bad_row(const struct trace_reader *r)
{
	if (!r->fmt->first_bad_row)
		return "";
	return r->fmt->first_bad_row(r->state);
}

const char *trace_format_name(const struct trace_reader *r)
{
	if (r->fmt->detected_name)
		return r->fmt->detected_name(r->state);
	return r->fmt->name;
}

uint64_t trace_lines(const struct trace_reader *r)
{
	return r->fmt->lines(r->state);
}

void trace_close(struct trace_reader *r)
{
	if (!r)
		return;
	r->fmt->close(r->state);
	reader_free(r);
}
