/*
 * csvrun.h - test helper: replays trace text (CSV, traces/FORMAT.md)
 * through the real reader and the engine, as `mmsim run` does, and looks up
 * page state afterwards. Shared by the policy suites (check_policy.c,
 * check_classic.c). Failures are Check assertions.
 */
#ifndef TESTS_CSVRUN_H
#define TESTS_CSVRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "sim.h"

/* Growable CSV text with a running timestamp. */
struct csvbuf {
	char *buf;
	size_t len, cap;
	uint64_t t_ns;		/* time of the next row */
	uint64_t step_ns;	/* added after each row */
};

/** Starts CSV text with its header line. */
void csvbuf_init(struct csvbuf *c, const char *header, uint64_t step_ns);
/** Appends one row: "<t_ns>," followed by the formatted rest. */
void csvbuf_row(struct csvbuf *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void csvbuf_free(struct csvbuf *c);

struct csvrun {
	struct config cfg;
	struct sim *s;
	struct emit *log;
	uint64_t rows;
	/* Optional, set before csvrun_replay(): runs after every row. */
	void (*after_row)(struct csvrun *r);
};

/**
 * Replays csv with the config built from base (or the defaults) and the
 * "key=value" sets. check_rows: run sim_check() after every row (else
 * once at the end). log_path: write the JSON Lines log there, or NULL.
 */
void csvrun_replay(struct csvrun *r, const char *csv, const char *base,
		const char *const *sets, bool check_rows, const char *log_path);
/** Applies more rows to the running simulation (not for opt). */
void csvrun_more(struct csvrun *r, const char *csv, bool check_rows);
/** Closes the log and destroys the simulation. */
void csvrun_done(struct csvrun *r);

/** The resident page, or NULL. */
const struct page *csvrun_page(struct sim *s, enum page_type type,
			       uint32_t pid, uint64_t ino, uint64_t index);
/** Flags of a resident page, or 0 with *resident false. */
uint32_t csvrun_page_flags(struct sim *s, enum page_type type, uint32_t pid,
			   uint64_t ino, uint64_t index, bool *resident);

#endif
