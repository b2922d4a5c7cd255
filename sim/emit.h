/*
 * emit.h - the JSON Lines event log: one writer, one function per event kind.
 *
 * Each record is one JSON object on one line with "t" (simulated ns) and
 * "ev" (the kind). The first record is the header (ev "header", t 0) with the
 * schema version and the effective config. Events that the kernel also
 * traces carry the tracepoint's name and field names (mm_vmscan_kswapd_wake:
 * nid, zid, order), with mmsim's own fields beside them. docs/log-schema.json
 * is the one description of every event and field; tests validate logs
 * against it.
 *
 * A log written to a file goes to FILE.part and is renamed to FILE by
 * emit_close(), so an interrupted run never leaves a truncated FILE; records
 * are only ever written whole. Writing the log never changes the simulation,
 * and an event whose kind is not in the mask costs one branch.
 */
#ifndef SIM_EMIT_H
#define SIM_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"
#include "mm/frag.h"
#include "mm/gfp.h"
#include "mm/zone.h"
#include "trace.h"

#define LOG_SCHEMA_VERSION 1

/* The version the header's "mmsim" field names; -D can override it. */
#ifndef MMSIM_VERSION
#define MMSIM_VERSION "0.1"
#endif

struct emit;

/* Which page an event is about. */
struct emit_page_id {
	enum page_type type;
	uint32_t pid;		/* anon: owning process */
	uint64_t dev;		/* file: device */
	uint64_t ino;		/* file: inode */
	uint64_t index;		/* page index: addr >> 12 */
};

struct emit_refault {
	struct emit_page_id page;
	uint64_t distance;	/* refault distance, pages (nonresident_age delta) */
	uint64_t workingset_size;	/* pages it was compared with (§5.3) */
	bool activate;		/* distance <= workingset size: enters active */
	bool restore;		/* ... and the page was in the workingset before */
};

struct emit_direct_reclaim_end {
	uint32_t pid;
	uint64_t nr_reclaimed;
	uint64_t nr_scanned;
	uint64_t stall_ns;	/* simulated duration charged to pid */
};

struct emit_oom {
	uint32_t victim_pid;
	uint64_t pages_freed;	/* anon pages released */
	uint64_t rss_pages;	/* victim's badness: resident + swapped anon */
	uint32_t trigger_pid;	/* the allocating process */
	unsigned order;
};

struct emit_alloc_fail {
	uint32_t pid;
	unsigned order;
	gfp_t gfp;
	int migratetype;
};

struct emit_shrink_inactive {
	int nid;
	uint64_t nr_scanned, nr_reclaimed;
	uint64_t nr_activate_anon, nr_activate_file;
	uint64_t nr_ref_keep;
	uint64_t nr_unmap_fail;
	uint64_t nr_dirty, nr_writeback;
	int priority;
	bool file;		/* flags RECLAIM_WB_FILE (else ANON) */
	bool kswapd;		/* mmsim: reclaim by kswapd (else direct) */
};

struct emit_shrink_active {
	int nid;
	uint64_t nr_taken, nr_active, nr_deactivated, nr_referenced;
	int priority;
	bool file;
	bool kswapd;
};

/* mm_compaction_begin / mm_compaction_end, with mmsim's fields. */
struct emit_compaction {
	int nid;
	const char *zone;
	uint64_t zone_start, zone_end;	/* pfns, end exclusive */
	uint64_t migrate_pfn, free_pfn;	/* scanner positions */
	bool sync;			/* mode: sync or async */
	int order;			/* -1: whole zone */
	const char *trigger;		/* direct, kcompactd, proactive, manual */
	uint32_t pid;			/* direct: the allocating process, else 0 */
	const char *status;		/* end: compact_result name */
	uint64_t migrate_scanned, free_scanned, isolated;	/* pages */
	uint64_t migrated, failed;	/* pages */
	uint64_t duration_ns;		/* simulated time of the run */
};

/* kmem:mm_page_alloc_extfrag */
struct emit_extfrag {
	int nid;
	const char *zone;
	uint64_t pfn;
	unsigned alloc_order, fallback_order, pageblock_order;
	int alloc_migratetype, fallback_migratetype;
	bool change_ownership;
};

/* One zone's fragmentation sample (mm/fragstat.c). */
struct emit_frag {
	int nid;
	const char *zone;
	const char *why;		/* timer, compaction_begin, compaction_end */
	const struct frag_snapshot *snap;
	unsigned node_score;
	struct pageblock_stats pageblocks;
};

/* A trace alloc/free the replay could not apply as recorded. */
struct emit_placement {
	const char *op;			/* alloc or free */
	uint32_t pid;
	uint64_t pfn;			/* as recorded */
	unsigned order;
	const char *reason;		/* what was wrong */
	const char *action;		/* what the replay did instead */
};

/**
 * Opens the log at path ("-" = stdout) for the kinds in mask (1 << enum
 * log_event). Returns NULL with a message in err if the file cannot be
 * created.
 */
struct emit *emit_open(const char *path, uint32_t mask, char *err,
		       size_t errlen);
/** True if events of this kind are written. */
bool emit_enabled(const struct emit *e, enum log_event kind);
/**
 * The header record: schema version, effective config, trace format. Must be
 * the first record, written once. config must be an object (NULL writes {});
 * trace_format NULL writes "none" (a run without a trace).
 */
void emit_header(struct emit *e, const json_t *config,
		 const char *trace_format);
/** A zone's free pages crossed a mark (order-0 form, free > mark). */
void emit_watermark(struct emit *e, uint64_t t_ns, int nid, const char *zone,
		    enum zone_watermarks mark, bool up, uint64_t free_pages,
		    uint64_t mark_pages);
/** A fault found a shadow entry. */
void emit_refault(struct emit *e, uint64_t t_ns, const struct emit_refault *r);
/** vmscan:mm_vmscan_kswapd_wake. */
void emit_kswapd_wake(struct emit *e, uint64_t t_ns, int nid, int zid,
		      unsigned order);
/** vmscan:mm_vmscan_kswapd_sleep. */
void emit_kswapd_sleep(struct emit *e, uint64_t t_ns, int nid);
/** vmscan:mm_vmscan_direct_reclaim_begin. */
void emit_direct_reclaim_begin(struct emit *e, uint64_t t_ns, uint32_t pid,
			       unsigned order, gfp_t gfp);
/** vmscan:mm_vmscan_direct_reclaim_end. */
void emit_direct_reclaim_end(struct emit *e, uint64_t t_ns,
			     const struct emit_direct_reclaim_end *d);
/** The OOM killer chose and killed a victim. */
void emit_oom(struct emit *e, uint64_t t_ns, const struct emit_oom *o);
/** An allocation failed after reclaim (and compaction). */
void emit_alloc_fail(struct emit *e, uint64_t t_ns,
		     const struct emit_alloc_fail *a);
/** vmscan:mm_vmscan_lru_shrink_inactive. */
void emit_shrink_inactive(struct emit *e, uint64_t t_ns,
			  const struct emit_shrink_inactive *s);
/** vmscan:mm_vmscan_lru_shrink_active. */
void emit_shrink_active(struct emit *e, uint64_t t_ns,
			const struct emit_shrink_active *s);
/** compaction:mm_compaction_begin. */
void emit_compaction_begin(struct emit *e, uint64_t t_ns,
			   const struct emit_compaction *c);
/** compaction:mm_compaction_end. */
void emit_compaction_end(struct emit *e, uint64_t t_ns,
			 const struct emit_compaction *c);
/** compaction:mm_compaction_kcompactd_wake. */
void emit_kcompactd_wake(struct emit *e, uint64_t t_ns, int nid, int order,
			 int highest_zoneidx);
/** compaction:mm_compaction_kcompactd_sleep. */
void emit_kcompactd_sleep(struct emit *e, uint64_t t_ns, int nid);
/** kmem:mm_page_alloc_extfrag. */
void emit_extfrag(struct emit *e, uint64_t t_ns, const struct emit_extfrag *x);
/** A zone's fragmentation metrics. */
void emit_frag(struct emit *e, uint64_t t_ns, const struct emit_frag *f);
/** A trace alloc/free that could not be applied as recorded. */
void emit_placement(struct emit *e, uint64_t t_ns,
		    const struct emit_placement *p);
/**
 * Flushes and closes; for a file, renames FILE.part to FILE. Returns 0, or
 * -1 with a message in err if a write failed (disk full; FILE.part is then
 * removed) or the rename failed (FILE.part is kept). Frees e either way.
 */
int emit_close(struct emit *e, char *err, size_t errlen);
/** Closes without renaming: FILE.part is removed (a failed run). */
void emit_abort(struct emit *e);

#endif
