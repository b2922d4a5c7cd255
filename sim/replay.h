/*
 * replay.h - one replay from trace path and config to summary: the work of
 * `mmsim run`, shared with `mmsim compare`.
 */
#ifndef SIM_REPLAY_H
#define SIM_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"

#define REPLAY_OK 0
#define REPLAY_OUTPUT_ERROR 1	/* a log or summary could not be written */
#define REPLAY_BAD_INPUT 2	/* trace, config or arguments */

struct replay_opts {
	const char *trace;		/* a path, or "-" for stdin */
	const struct config *cfg;	/* finalized */
	const char *log;		/* JSON Lines log path, "-", or NULL */
	bool skip_bad_rows;
	bool progress;			/* progress line on stderr */
	volatile int *stop;		/* set (by a signal) to stop early */
};

struct replay_result {
	json_t *summary;		/* the summary object; caller decrefs */
	bool complete;			/* reached the trace's end */
	uint64_t rows;			/* rows replayed */
	uint64_t last_t_ns;		/* trace time of the last row */
	uint64_t lines;			/* input lines read */
	uint64_t bad_rows;		/* malformed rows skipped */
	char first_bad_row[512];	/* the first one's message */
};

/**
 * Config from defaults, then file (may be NULL), then each --set, then
 * finalize. Returns 0 or -1 with a message naming the file, path or --set.
 */
int replay_load_config(struct config *cfg, const char *file,
		       const char *const *sets, int nr_sets, char *err,
		       size_t errlen);
/**
 * Replays opts->trace under opts->cfg, writing the log if asked. Returns
 * REPLAY_OK with res filled (res->complete false when stopped early), or
 * REPLAY_BAD_INPUT / REPLAY_OUTPUT_ERROR with a message in err and no log
 * left behind.
 */
int replay_run(const struct replay_opts *opts, struct replay_result *res,
	       char *err, size_t errlen);

#endif
