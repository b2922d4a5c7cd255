/*
 * placement.h - the memory before the trace's first row, and where `alloc`
 * and `free` rows take effect (placement.mode, placement.initial).
 *
 * See placement.c for the decisions: how a snapshot is laid out, what a
 * free of a page never seen allocated does, what happens when a recorded
 * pfn is not free.
 */
#ifndef SIM_PLACEMENT_H
#define SIM_PLACEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"
#include "trace.h"

struct sim;
struct zone;

/**
 * Applies placement.initial to a machine whose zones were just set up
 * (before the watermarks, which depend on the pages a snapshot leaves
 * present). Returns 0, or -1 with a message naming the file or key.
 */
int placement_initial(struct sim *s, char *err, size_t errlen);
/**
 * Rebuilds zone z from one snapshot zone: pageblock tags, free blocks per
 * order and type exactly as counted, every other page of the counted
 * pageblocks in use since before the trace, the pageblocks beyond them
 * absent. -1 with a message if the counts cannot be laid out in z.
 */
int placement_apply_snapshot_zone(struct sim *s, struct zone *z,
				  const struct snapshot_zone *sz,
				  const char *name, char *err, size_t errlen);
/** An `alloc` row, in the configured placement mode. */
void placement_alloc(struct sim *s, const struct trace_row *row);
/** A `free` row. */
void placement_free(struct sim *s, const struct trace_row *row);

#endif
