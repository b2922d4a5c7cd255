/*
 * snapshot.h - /proc/pagetypeinfo and /proc/buddyinfo copies, read.
 *
 * A capture never starts from boot; capture.sh saves both files right
 * before the trace (NAME.pagetypeinfo.before, NAME.buddyinfo.before).
 * placement.initial snapshot rebuilds the free lists from them
 * (placement.c). This module only reads the text: per zone, free blocks
 * per order (and per migratetype from pagetypeinfo) and pageblocks per
 * migratetype. Errors are bad input: "FILE:LINE: got X, expected Y".
 */
#ifndef SIM_SNAPSHOT_H
#define SIM_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/zone.h"

#define SNAPSHOT_MAX_ZONES 8
#define SNAPSHOT_CAPPED 100000u	/* pagetypeinfo prints ">100000" above */

struct snapshot_zone {
	int nid;
	char name[16];			/* "DMA", "DMA32", "Normal", ... */
	bool has_types;			/* pagetypeinfo free counts seen */
	uint64_t nr_free[NR_PAGE_ORDERS][MIGRATE_TYPES];	/* blocks */
	bool capped[NR_PAGE_ORDERS][MIGRATE_TYPES];	/* printed >100000 */
	bool has_total;			/* buddyinfo line seen */
	uint64_t total[NR_PAGE_ORDERS];	/* blocks per order, all types */
	bool has_blocks;		/* "Number of blocks type" line seen */
	uint64_t blocks[MIGRATE_TYPES];	/* pageblocks per type */
};

struct snapshot {
	unsigned pageblock_order;	/* "Page block order:", 0 if not given */
	unsigned nr_zones;
	struct snapshot_zone zones[SNAPSHOT_MAX_ZONES];
};

/** An empty snapshot. */
void snapshot_init(struct snapshot *snap);
/**
 * Adds the pagetypeinfo text (name is the file name for messages).
 * Isolate and CMA counts are added to Movable (mmsim models neither).
 * Returns 0, or -1 with "NAME:LINE: ..." in err.
 */
int snapshot_parse_pagetypeinfo(struct snapshot *snap, const char *text,
				const char *name, char *err, size_t errlen);
/** Adds the buddyinfo text. Returns 0, or -1 with a message. */
int snapshot_parse_buddyinfo(struct snapshot *snap, const char *text,
			     const char *name, char *err, size_t errlen);
/** Reads a file and parses it as pagetypeinfo or buddyinfo. */
int snapshot_read_file(struct snapshot *snap, const char *path,
		       bool pagetypeinfo, char *err, size_t errlen);
/**
 * Completes each zone: free counts per type from buddyinfo alone (all
 * Movable), or capped pagetypeinfo counts from the buddyinfo totals.
 * Returns -1 with a message if a capped count cannot be resolved or the
 * two files disagree.
 */
int snapshot_resolve(struct snapshot *snap, const char *name, char *err,
		     size_t errlen);
/** The zone of node nid named name, or NULL. */
const struct snapshot_zone *snapshot_zone(const struct snapshot *snap,
					  int nid, const char *name);

#endif
