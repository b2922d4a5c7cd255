/*
 * trace.h - streaming trace readers.
 *
 * A trace is a sequence of rows in non-decreasing time. Readers stream: a row
 * is parsed when the replay asks for it, so memory does not grow with trace
 * length. trace_open() sniffs the input and picks the reader: trace format v1
 * (CSV, traces/FORMAT.md) or a kernel tracing text format (perf script,
 * ftrace, trace-cmd report; see trace_text.c), so `xzcat t.xz | mmsim run -`
 * works for all of them.
 *
 * Errors are bad input: trace_next() returns TRACE_ERR and trace_error()
 * gives "FILE:LINE: column C (NAME): got X, expected Y". With
 * opts.skip_bad_rows a bad row is counted and skipped instead.
 */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum trace_op {
	TRACE_OP_ACCESS,	/* reference to a page; faults it in if needed */
	TRACE_OP_UNMAP,		/* frees that one page */
	TRACE_OP_EXIT,		/* frees every anon page of pid */
	TRACE_OP_ALLOC,		/* buddy allocation of 2^order pages (kmem) */
	TRACE_OP_FREE,		/* buddy free of the block at pfn (kmem) */
	TRACE_OP_EVICT,		/* the traced kernel evicted this file page */
	NR_TRACE_OPS
};

enum page_type {
	PAGE_ANON,
	PAGE_FILE,
};

/* Fields that were present (non-empty) in the row. */
#define TRACE_HAS_ORDER		(1u << 0)
#define TRACE_HAS_MIGRATETYPE	(1u << 1)
#define TRACE_HAS_PFN		(1u << 2)
#define TRACE_HAS_GFP		(1u << 3)
#define TRACE_HAS_INO		(1u << 4)

struct trace_row {
	uint64_t time_ns;	/* ns since trace start, non-decreasing */
	enum trace_op op;
	uint32_t pid;
	uint64_t addr;		/* virtual address (anon) or file offset (file), bytes */
	enum page_type type;	/* anon unless type=file */
	uint64_t dev;		/* file pages: device number, default 0 */
	uint64_t ino;		/* file pages: inode number */
	bool write;		/* the access wrote the page */
	uint32_t has;		/* TRACE_HAS_* bits */
	unsigned order;		/* alloc/free/access folio order, default 0 */
	int migratetype;	/* enum migratetype, or -1 when not given */
	uint64_t pfn;		/* alloc/free: physical frame number */
	uint32_t gfp;		/* GFP_* bits of mm/gfp.h, valid with TRACE_HAS_GFP */
	uint64_t line;		/* 1-based line number of the row in its source */
};

struct trace_open_opts {
	bool skip_bad_rows;	/* count and skip malformed rows instead of failing */
};

enum trace_status {
	TRACE_ERR = -1,		/* bad input: see trace_error() */
	TRACE_EOF = 0,
	TRACE_ROW = 1,
};

struct trace_reader;

/*
 * Opens path ("-" = stdin) and detects its format. On failure returns NULL
 * and writes a message naming the file to err.
 */
struct trace_reader *trace_open(const char *path,
				const struct trace_open_opts *opts,
				char *err, size_t errlen);
/** Reads the next row: TRACE_ROW, TRACE_EOF or TRACE_ERR. */
int trace_next(struct trace_reader *r, struct trace_row *row);
/** The last error message ("FILE:LINE: ..."). */
const char *trace_error(const struct trace_reader *r);
/** Rows skipped as malformed (with skip_bad_rows). */
uint64_t trace_bad_rows(const struct trace_reader *r);
/** The first bad row's message when rows were skipped, else "". */
const char *trace_first_bad_row(const struct trace_reader *r);
/** Name of the detected format: "csv", "perf", "ftrace", "trace-cmd". */
const char *trace_format_name(const struct trace_reader *r);
/** Lines read so far (header included). */
uint64_t trace_lines(const struct trace_reader *r);
/** Closes the reader and frees it. */
void trace_close(struct trace_reader *r);

/** The op's name in trace format v1 ("access", "unmap", ...). */
const char *trace_op_name(enum trace_op op);

#endif
