/*
 * compact.h - the compaction policy ops table, and what a policy may call.
 *
 * The engine (mm/compaction.c, mm/kcompactd.c) owns the sequence: the
 * allocation slow path asks for direct compaction where the kernel does
 * (kernel-model.md §3.2), kswapd wakes kcompactd (§3.3), a timer drives
 * proactive compaction (§7.7), config can ask for a manual
 * /proc/sys/vm/compact_memory. For every zone it would compact, the engine
 * fills a struct compact_control and runs the policy:
 *
 *   begin(cc)  -> COMPACT_CONTINUE to start a run, or the attempt's result
 *                 without a run (SKIPPED, DEFERRED, SUCCESS: nothing to do)
 *   step(cc)   -> one round of compact_zone(): COMPACT_CONTINUE, or the
 *                 run's final result (called until it is not CONTINUE)
 *   finish(cc, result) -> after every attempt, run or not: deferral and
 *                 cached scanner positions
 *
 * and does the accounting itself: mm_compaction_begin/_end and frag log
 * events, compact_* and pgmigrate_* counters, the simulated time a run
 * costs (charged to the allocating process for direct compaction, queued
 * as kcompactd's busy time otherwise). kcompactd runs one step per event,
 * so trace rows keep arriving while it works, as kswapd's batches do.
 *
 * A step isolates pages with the compaction_* primitives below, which keep
 * the invariants (pagemap entries, LRU list positions via
 * reclaim_ops.move_folio, free lists, counters). Isolated pages never
 * outlive a step: compaction_migrate_pages() moves or drops the sources and
 * compaction_release_freepages() returns unused targets, so between events
 * every page is free or in use as usual.
 *
 * Each policy file exports one const struct compact_ops; policy/
 * compact_registry.c lists them. A policy with begin == NULL never compacts:
 * the allocator then behaves as a kernel built without CONFIG_COMPACTION.
 */
#ifndef SIM_POLICY_COMPACT_H
#define SIM_POLICY_COMPACT_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/gfp.h"
#include "mm/zone.h"

struct sim;
struct config;
struct pglist_data;

#define COMPACT_CLUSTER_MAX	32u	/* pages isolated per round */
#define COMPACT_MAX_DEFER_SHIFT	6	/* skip at most 63 attempts */
#define COMPACTION_HPAGE_ORDER	9	/* HPAGE_PMD_ORDER: the score's order */

/* include/linux/compaction.h; the order matters: results are max()ed. */
enum compact_result {
	COMPACT_NOT_SUITABLE_ZONE,
	COMPACT_SKIPPED,
	COMPACT_DEFERRED,
	COMPACT_NO_SUITABLE_PAGE,
	COMPACT_CONTINUE,
	COMPACT_COMPLETE,
	COMPACT_PARTIAL_SKIPPED,
	COMPACT_CONTENDED,
	COMPACT_SUCCESS,
	NR_COMPACT_RESULTS
};

/* enum compact_priority: lower is harder. */
enum compact_priority {
	COMPACT_PRIO_SYNC_FULL,
	COMPACT_PRIO_SYNC_LIGHT,
	COMPACT_PRIO_ASYNC,
};
#define MIN_COMPACT_PRIORITY		COMPACT_PRIO_SYNC_FULL
#define MIN_COMPACT_COSTLY_PRIORITY	COMPACT_PRIO_SYNC_LIGHT
#define DEF_COMPACT_PRIORITY		COMPACT_PRIO_SYNC_LIGHT
#define INIT_COMPACT_PRIORITY		COMPACT_PRIO_ASYNC

/* include/linux/migrate_mode.h */
enum migrate_mode {
	MIGRATE_ASYNC,
	MIGRATE_SYNC_LIGHT,
	MIGRATE_SYNC,
};

/* Who asked for the run (mmsim's; the kernel tells them apart by flags). */
enum compact_trigger {
	COMPACT_TRIGGER_DIRECT,		/* __alloc_pages_direct_compact() */
	COMPACT_TRIGGER_KCOMPACTD,	/* kcompactd_do_work() */
	COMPACT_TRIGGER_PROACTIVE,	/* proactive_compact_node() */
	COMPACT_TRIGGER_MANUAL,		/* compact_memory sysctl: compact_node() */
	NR_COMPACT_TRIGGERS
};

/* Pages isolated in one round: sources, or free targets of one order. */
struct compact_list {
	uint32_t *pfn;
	uint8_t *order;		/* sources only: order of each block */
	size_t nr, cap;
};

/* struct compact_control (mm/internal.h), one per zone attempt. */
struct compact_control {
	struct sim *sim;
	struct zone *zone;
	enum compact_trigger trigger;
	int order;			/* -1: whole zone (manual, proactive) */
	int migratetype;		/* of the request: gfp_migratetype() */
	gfp_t gfp_mask;
	unsigned alloc_flags;		/* the allocation's (direct), else 0 */
	int highest_zoneidx;
	enum compact_priority priority;	/* direct compaction only */
	enum migrate_mode mode;
	uint32_t pid;			/* direct: the allocating process */
	bool direct_compaction;
	bool whole_zone;		/* scan from zone start to zone end */
	bool proactive_compaction;
	bool ignore_skip_hint;
	bool ignore_block_suitable;	/* any pageblock may be a target */
	bool finish_pageblock;		/* scan the rest of this pageblock */
	bool update_cached;		/* async: keep both cached pfns in step */
	bool ran;			/* begin() started a run */
	uint64_t migrate_pfn;		/* next pfn the migrate scanner looks at */
	uint64_t free_pfn;		/* where the free scanner resumes */
	uint64_t last_migrated_pfn;	/* pageblock migrated from last, or 0 */
	/* totals of the run */
	uint64_t total_migrate_scanned;	/* pages */
	uint64_t total_free_scanned;	/* pages */
	uint64_t nr_isolated;		/* pages, sources and targets */
	uint64_t nr_migrated;		/* pages moved */
	uint64_t nr_failed;		/* pages that could not be moved */
	uint64_t cost_ns;		/* simulated time the run took */
	int64_t capture_pfn;		/* direct: block captured, or -1 */
	uint64_t released_high_pfn;	/* highest target given back at the
					 * last release, or 0 */
	/* the current round (engine-managed) */
	struct compact_list migratepages;
	uint64_t nr_migratepages;	/* pages on migratepages */
	struct compact_list freepages[NR_PAGE_ORDERS];
	uint64_t nr_freepages;		/* pages on freepages[] */
};

struct compact_ops {
	const char *name;	/* registry name: compaction.policy */
	const char *summary;	/* one line for `mmsim policies` */
	/** Allocates pgdat->compact_priv. Returns 0 or a negative errno. */
	int (*init)(struct pglist_data *pgdat, const struct config *cfg);
	void (*destroy)(struct pglist_data *pgdat);
	/**
	 * compact_zone()'s prologue, with the caller's checks (deferral,
	 * watermark, suitability): COMPACT_CONTINUE starts a run with
	 * cc->migrate_pfn and cc->free_pfn set; anything else is the result
	 * of an attempt that did not run. NULL: the policy never compacts.
	 */
	enum compact_result (*begin)(struct compact_control *cc);
	/** One round: __compact_finished(), isolate, migrate, release. */
	enum compact_result (*step)(struct compact_control *cc);
	/** After every attempt (result of begin, or of the last step). */
	void (*finish)(struct compact_control *cc, enum compact_result result);
	/**
	 * The allocation that direct compaction served succeeded in zone z
	 * (compaction_defer_reset(..., true)). Optional.
	 */
	void (*alloc_success)(struct pglist_data *pgdat, struct zone *z,
			      int order);
	/** kswapd is about to sleep: reset_isolation_suitable(). Optional. */
	void (*kswapd_sleep)(struct pglist_data *pgdat);
};

/** The compaction policy registered under name, or NULL. */
const struct compact_ops *compact_policy_find(const char *name);
/** NULL-terminated list of every registered compaction policy. */
const struct compact_ops *const *compact_policy_list(void);

/* ---- primitives for policies (mm/compaction.c) ---- */

/* What a scanner finds at a pfn (compaction_page_at()). */
enum compact_page_kind {
	COMPACT_PAGE_FREE,	/* head of a free block of `order` */
	COMPACT_PAGE_MOVABLE,	/* head of an in-use block migration can move */
	COMPACT_PAGE_PINNED,	/* head of an in-use block it cannot move */
	COMPACT_PAGE_SKIP,	/* inside a block, or absent memory: 1 page */
};

struct compact_page {
	enum compact_page_kind kind;
	unsigned order;		/* FREE, MOVABLE, PINNED: the block's order */
	bool lru;		/* MOVABLE: an LRU folio (else a kernel block) */
	bool writeback;		/* MOVABLE: under writeback */
	bool dirty;		/* MOVABLE: dirty */
};

/** Classifies the page at pfn (zone's pfn) for the scanners. */
struct compact_page compaction_page_at(const struct compact_control *cc,
				       uint64_t pfn);
/** Adds the in-use movable block at pfn to the round's sources. */
void compaction_isolate_migratepage(struct compact_control *cc, uint64_t pfn,
				    unsigned order);
/** Drops the round's sources unmoved (putback_movable_pages()). */
void compaction_putback_migratepages(struct compact_control *cc);
/**
 * __isolate_free_page(): takes the free block at pfn (its head, of that
 * order) as a migration target. False, and nothing changes, when the zone
 * would fall to WMARK_MIN + 2^order free pages.
 */
bool compaction_isolate_freepage(struct compact_control *cc, uint64_t pfn,
				 unsigned order);
/**
 * migrate_pages(): moves every source to a target taken from the isolated
 * free blocks (compaction_alloc(): the smallest isolated block of the
 * source's order or more, split). When none is left it calls
 * isolate_freepages(cc) once for more. Sources keep their identity: page
 * map entries, LRU list position (reclaim_ops.move_folio), flags. Returns
 * 0, or -1 when targets ran out (the rest stay in place, one counted as
 * pgmigrate_fail). Direct compaction captures a freed block of the
 * requested order in cc->capture_pfn.
 */
int compaction_migrate_pages(struct compact_control *cc,
			     void (*isolate_freepages)(struct compact_control *));
/**
 * Gives unused targets back to the free lists. Returns false if there were
 * none; else *low_pfn and *high_pfn are the lowest and highest pfn given
 * back (also kept in cc->released_high_pfn).
 */
bool compaction_release_freepages(struct compact_control *cc,
				  uint64_t *low_pfn, uint64_t *high_pfn);
/**
 * Adds the simulated cost of scanning nr pages (cost.compact_scan_ns each)
 * to the run; migration costs are added by compaction_migrate_pages().
 */
void compaction_charge_scan(struct compact_control *cc, uint64_t nr);

/* ---- decisions shared by the engine and policies (mm/compaction.c) ---- */

/** __compaction_suitable(): order-0 watermark after compaction, at free. */
bool __compaction_suitable(const struct zone *z, int order,
			   int highest_zoneidx, uint64_t free_pages);
/**
 * compaction_suitable(): __compaction_suitable() at the zone's free pages,
 * and for costly orders a fragmentation index outside [0,
 * extfrag_threshold] (a failure from lack of memory is for reclaim).
 */
bool compaction_suitable(const struct zone *z, int order, int highest_zoneidx,
			 unsigned extfrag_threshold);
/** fragmentation_score_node(): Σ of the zones' weighted scores, 0..100. */
unsigned fragmentation_score_node(const struct pglist_data *pgdat);
/** fragmentation_score_wmark(): low = max(100 - proactiveness, 5), high = low + 10. */
unsigned fragmentation_score_wmark(unsigned proactiveness, bool low);
/** kswapd is working on the node (kswapd_is_running()). */
bool compaction_kswapd_running(const struct pglist_data *pgdat);

/* Per-zone deferral state (struct zone's compact_* fields, §7.5). */
struct compact_defer {
	unsigned considered;	/* compact_considered */
	unsigned defer_shift;	/* compact_defer_shift, 0..6 */
	int order_failed;	/* compact_order_failed */
};

/** A zone's initial state: nothing failed yet. */
void compact_defer_init(struct compact_defer *d);
/** defer_compaction(): a run at order failed; back off. */
void defer_compaction(struct compact_defer *d, int order);
/** compaction_deferred(): true if this attempt is to be skipped. */
bool compaction_deferred(struct compact_defer *d, int order);
/** compaction_defer_reset(): order is expected to (alloc_success: did) succeed. */
void compaction_defer_reset(struct compact_defer *d, int order,
			    bool alloc_success);
/** compaction_restarting(): retried after the longest back-off. */
bool compaction_restarting(const struct compact_defer *d, int order);

/** Names as the kernel's tracepoints print them ("success", "async"). */
const char *compact_result_name(enum compact_result r);
const char *compact_trigger_name(enum compact_trigger t);

#endif
