/*
 * internal.h - functions the engine's files share (not for policies).
 *
 * sim.c (rows, faults), mm/page_alloc.c (fast and slow allocation path),
 * mm/vmscan.c (kswapd, direct reclaim, shrink_node), mm/workingset.c
 * (shadow entries and refaults) and mm/oom_kill.c call each other through
 * these; policies see only sim.h and policy/reclaim.h.
 */
#ifndef SIM_MM_INTERNAL_H
#define SIM_MM_INTERNAL_H

#include "sim.h"

/* Internal event kinds in the event queue. */
enum sim_event_kind {
	SIM_EV_KSWAPD,		/* kswapd's next batch (arg = nid) */
	SIM_EV_KSWAPD_NAP,	/* kswapd's nap ends (arg = nid) */
	SIM_EV_KCOMPACTD,	/* kcompactd's next step (arg = nid) */
	SIM_EV_KCOMPACTD_TIMER,	/* proactive check (arg = nid, data = seq) */
	SIM_EV_FRAG_TICK,	/* periodic fragmentation sample */
	SIM_EV_COMPACT_MEMORY,	/* compaction.compact_memory_ms */
};

/* page_alloc.c */
/**
 * __alloc_pages(): fast path at LOW, then the slow path (wake kswapd, MIN,
 * direct reclaim, retries, OOM). Returns the first pfn or -1.
 */
int64_t sim_alloc_pages(struct sim *s, unsigned order, gfp_t gfp,
			int migratetype, uint32_t pid);
/** Frees a block to its zone's buddy lists, with watermark accounting. */
void sim_free_pages(struct sim *s, uint64_t pfn, unsigned order);
/**
 * sim_free_pages() without the watermark-crossing check (compaction calls
 * zone_note_free() once per round): pageblock usage, buddy, pgfree.
 */
void __sim_free_pages(struct sim *s, uint64_t pfn, unsigned order);
/**
 * Takes the free pages [pfn, pfn + 2^order) of z out of the free lists as
 * an in-use block of migratetype mt (buddy_alloc_at_type()), with
 * pageblock usage. No counters, no watermark check. False if not free.
 */
bool sim_take_block(struct sim *s, struct zone *z, uint64_t pfn,
		    unsigned order, int mt);
/** Highest zone index the gfp mask allows (gfp_zone()). */
int gfp_zone_idx(const struct sim *s, gfp_t gfp);
/** Logs the crossings that took z from z->wmark_level to level. */
void zone_note_crossings(struct sim *s, struct zone *z, int level);
/**
 * Notes a change of a zone's free pages: logs watermark crossings. Inline,
 * as every allocation and free calls it and nearly always nothing crossed.
 */
static inline void zone_note_free(struct sim *s, struct zone *z)
{
	int level = zone_wmark_level(z, z->free_pages);

	if (level != z->wmark_level)
		zone_note_crossings(s, z, level);
}

/* vmscan.c */
/** wakeup_kswapd() once kswapd is found not running. */
void wakeup_kswapd_idle(struct sim *s, struct pglist_data *pgdat,
			unsigned order, int highest_zoneidx, gfp_t gfp);
/**
 * wakeup_kswapd(): asks the node's kswapd to balance for order. A node
 * that needs no reclaim gets kcompactd instead when the caller cannot
 * reclaim directly (gfp without __GFP_DIRECT_RECLAIM). Inline up to the
 * common answer under pressure, "kswapd is already running".
 */
static inline void wakeup_kswapd(struct sim *s, struct pglist_data *pgdat,
				 unsigned order, int highest_zoneidx,
				 gfp_t gfp)
{
	if (!s->cfg->kswapd_enabled)
		return;
	if (order > pgdat->kswapd_order)
		pgdat->kswapd_order = order;
	if (order > pgdat->kswapd_alloc_order)
		pgdat->kswapd_alloc_order = order;
	if (highest_zoneidx > pgdat->kswapd_highest_zoneidx)
		pgdat->kswapd_highest_zoneidx = highest_zoneidx;
	if (pgdat->kswapd_state != KSWAPD_RUNNING)
		wakeup_kswapd_idle(s, pgdat, order, highest_zoneidx, gfp);
}
/** try_to_free_pages(): direct reclaim for pid; returns pages reclaimed. */
uint64_t try_to_free_pages(struct sim *s, struct pglist_data *pgdat,
			   unsigned order, gfp_t gfp, int highest_zoneidx,
			   uint32_t pid);
/** Handles SIM_EV_KSWAPD and SIM_EV_KSWAPD_NAP. */
void kswapd_event(struct sim *s, uint32_t kind, uint32_t nid);
/** pgdat_balanced(): any eligible zone passes HIGH at order. */
bool pgdat_balanced(const struct pglist_data *pgdat, unsigned order,
		    int highest_zoneidx);
/** LRU pages of a zone that reclaim could free (file, plus anon with swap). */
uint64_t zone_reclaimable_pages(const struct sim *s,
				const struct pglist_data *pgdat, int zid);

/* workingset.c */
/** workingset_eviction(): the shadow value for a page being evicted now. */
uint64_t workingset_eviction(struct lruvec *lruvec, const struct page *page);
/**
 * workingset_refault(): counts the refault of a page whose entry holds
 * shadow, decides activation, logs it, and fills fi.
 */
void workingset_refault(struct sim *s, struct lruvec *lruvec, uint64_t shadow,
			const struct emit_page_id *id, struct fault_info *fi);
/** Drops shadows too old to ever be recent, when they outnumber RAM. */
void workingset_prune_shadows(struct sim *s);

/* oom_kill.c */
/** out_of_memory(): kills the process with the largest rss; false if none. */
bool out_of_memory(struct sim *s, unsigned order, uint32_t trigger_pid);
/** Frees every anon page and swap shadow of pid (exit, OOM kill). */
uint64_t sim_free_process(struct sim *s, uint32_t pid);

/* sim.c */
/** Removes an LRU page from its mapping and the LRU, then frees it. */
void sim_release_lru_page(struct sim *s, uint32_t pfn);
/**
 * The THP that pfn belongs to is no longer mapped whole (one of its pages
 * is reclaimed or unmapped): its pages become plain base pages.
 */
void thp_break(struct sim *s, uint32_t pfn);
/** Drops a pagemap entry that is a shadow, keeping the shadow count. */
void sim_drop_shadow(struct sim *s, uint32_t id);

#endif
