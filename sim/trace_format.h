/*
 * trace_format.h - the interface between trace.c and one input format.
 *
 * trace_open() reads the first bytes of the input into a peek buffer, asks
 * each registered format's detect() in turn, and hands the chosen format a
 * struct trace_input that replays the peeked bytes before the rest of the
 * stream (stdin cannot seek). Each format is one file exporting one const
 * struct trace_format; trace.c lists them in trace_formats[], so adding a
 * format is its own file, one extern line below and one line in that array.
 */
#ifndef SIM_TRACE_FORMAT_H
#define SIM_TRACE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "trace.h"

#define TRACE_PEEK_BYTES 65536

struct trace_input {
	FILE *f;
	const char *path;		/* for messages; "<stdin>" for "-" */
	const unsigned char *peek;	/* the sniffed first bytes */
	size_t peek_len, peek_pos;
};

/** Reads up to n bytes: the rest of the peek buffer first, then the file. */
size_t trace_input_read(struct trace_input *in, void *buf, size_t n);

struct trace_format {
	const char *name;		/* "csv", "perf", "ftrace", "trace-cmd" */
	/** True if the input's first bytes look like this format. */
	bool (*detect)(const unsigned char *buf, size_t len);
	/** Starts reading; NULL with a message in err on failure. */
	void *(*open)(struct trace_input *in,
		      const struct trace_open_opts *opts, char *err,
		      size_t errlen);
	/** TRACE_ROW, TRACE_EOF or TRACE_ERR with "FILE:LINE: ..." in err. */
	int (*next)(void *state, struct trace_row *row, char *err,
		    size_t errlen);
	/** Rows skipped as malformed under skip_bad_rows. */
	uint64_t (*bad_rows)(void *state);
	/** Lines consumed so far. */
	uint64_t (*lines)(void *state);
	void (*close)(void *state);
	/*
	 * Optional (NULL allowed), added after the first four formats were
	 * planned; keep them last so positional tables stay valid.
	 */
	/** What the format's first bytes look like, for "expected ..." when
	 *  no format matches: "a CSV header with time_ns,op,pid,addr". */
	const char *expects;
	/** The first skipped row's message under skip_bad_rows, else "". */
	const char *(*first_bad_row)(void *state);
	/** The detected dialect when one format reads several ("ftrace" vs
	 *  "trace-cmd"); NULL hook means ->name. */
	const char *(*detected_name)(void *state);
};

/* Longest message a reader keeps ("FILE:LINE: column ...: got ..."). */
#define TRACE_MSG_BYTES 512

/* The registered formats (trace.c's trace_formats[] lists them in order). */
extern const struct trace_format trace_format_csv;	/* trace_csv.c */

#endif
