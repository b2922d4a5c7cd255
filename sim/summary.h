/*
 * summary.h - the end-of-replay summary: one JSON object, and the short
 * readable table `mmsim run` prints when no --summary file is asked for.
 *
 * The summary holds no paths, host names or wall-clock times, so the same
 * trace, config and build give a byte-identical summary. README.md
 * ("Summary") documents every key.
 */
#ifndef SIM_SUMMARY_H
#define SIM_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "sim.h"

struct summary_info {
	bool complete;			/* the replay reached the trace's end */
	const char *stop_reason;	/* "interrupted" when !complete */
	const char *trace_format;
	uint64_t bad_rows_skipped;
	const char *first_bad_row;	/* message of the first skipped row */
};

/** The machine as built: zones, pfn ranges, watermarks, reserves. */
json_t *summary_machine_json(const struct sim *s);
/** The whole summary object. */
json_t *summary_json(const struct sim *s, const struct summary_info *info);
/** Prints the readable table of the figures users look at first. */
void summary_print_table(FILE *f, const json_t *summary);

#endif
