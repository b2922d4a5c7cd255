/*
 * trace_text.h - readers for kernel tracing text: `perf script`, ftrace's
 * trace/trace_pipe and `trace-cmd report`.
 *
 * Each of the three is a const struct trace_format (trace_format.h) that
 * trace.c lists, so `mmsim run` reads them like CSV. The importer
 * (import.c) and the tests use the richer API below: options for filters
 * and the reordering window, and the statistics a conversion reports
 * (events skipped per name, reordered rows, failed allocations, ...).
 *
 * What each tracepoint becomes, and the decisions behind it, is written at
 * the top of trace_text.c.
 */
#ifndef SIM_TRACE_TEXT_H
#define SIM_TRACE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace.h"
#include "trace_format.h"

extern const struct trace_format trace_format_perf;
extern const struct trace_format trace_format_ftrace;
extern const struct trace_format trace_format_trace_cmd;

/* Defaults of the reordering window (see trace_text.c). */
#define TRACE_TEXT_WINDOW_NS	1000000000ull	/* 1 s of trace time */
#define TRACE_TEXT_WINDOW_ROWS	65536u		/* rows held at most */

struct trace_text_opts {
	bool skip_bad_rows;	/* count and skip malformed lines */
	const uint32_t *pids;	/* keep only these pids (or tids)... */
	size_t nr_pids;
	const char *const *comms; /* ...or these comms; none given = keep all */
	size_t nr_comms;
	uint64_t window_ns;	/* reordering window, ns of trace time */
	size_t window_rows;	/* reordering window, rows (>= 1) */
};

/* What a conversion did, for the importer's report. */
struct trace_text_stats {
	uint64_t lines;		/* lines read, headers and comments included */
	uint64_t event_lines;	/* lines that carried an event */
	uint64_t rows[NR_TRACE_OPS]; /* rows returned, per op */
	uint64_t file_access_rows; /* of rows[TRACE_OP_ACCESS]: type file */
	uint64_t skipped_events; /* events of unmapped tracepoints (see _skipped) */
	uint64_t filtered;	/* event lines dropped by --pid / --comm */
	uint64_t failed_alloc;	/* mm_page_alloc with pfn -1: skipped */
	uint64_t reordered;	/* rows read after a newer row, put in order */
	uint64_t reordered_late; /* rows older than a row already returned:
				  * their time was clamped to it */
	uint64_t max_late_ns;	/* largest clamp applied, ns */
	uint64_t lost_events;	/* events the tracer says it dropped */
	uint64_t lost_lines;	/* "LOST"/"DROPPED" lines without a count */
	uint64_t bad_rows;	/* malformed lines skipped (skip_bad_rows) */
};

struct trace_text;

/** The options used when none are given: no filter, the default window. */
void trace_text_default_opts(struct trace_text_opts *opts);

/**
 * The format whose detect() accepts these first bytes of an input, or NULL
 * when they are none of perf, ftrace and trace-cmd text.
 */
const struct trace_format *trace_text_detect(const unsigned char *buf,
					     size_t len);

/** Looks a text format up by name ("perf", "ftrace", "trace-cmd"). */
const struct trace_format *trace_text_format_by_name(const char *name);

/**
 * Starts reading in with the parser of fmt (one of the three above). The
 * reader does not own in->f. Returns NULL with a message in err if opts are
 * invalid.
 */
struct trace_text *trace_text_open(const struct trace_format *fmt,
				   struct trace_input *in,
				   const struct trace_text_opts *opts,
				   char *err, size_t errlen);
/**
 * Reads the next row, in non-decreasing time_ns: TRACE_ROW, TRACE_EOF or
 * TRACE_ERR (message in trace_text_error()).
 */
int trace_text_next(struct trace_text *t, struct trace_row *row);
/** The last error: "FILE:LINE: ...". */
const char *trace_text_error(const struct trace_text *t);
/** The first skipped malformed line's message, or "" if none. */
const char *trace_text_first_bad(const struct trace_text *t);
/** Counters so far (complete once trace_text_next() returned TRACE_EOF). */
const struct trace_text_stats *trace_text_stats(const struct trace_text *t);
/**
 * The i-th unmapped event name and how many of its events were skipped, in
 * order of first appearance; false when i is past the end.
 */
bool trace_text_skipped(const struct trace_text *t, size_t i,
			const char **name, uint64_t *count);
/**
 * The i-th gfp flag name that mmsim does not know, and on how many
 * allocations it was ignored; false when i is past the end.
 */
bool trace_text_unknown_gfp(const struct trace_text *t, size_t i,
			    const char **name, uint64_t *count);
/** Frees the reader (not in->f). */
void trace_text_close(struct trace_text *t);

#endif
