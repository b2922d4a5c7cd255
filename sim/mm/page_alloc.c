/*
 * page_alloc.c - the allocation fast and slow paths (mm/page_alloc.c).
 *
 * What the kernel does (kernel-model.md §3): __alloc_pages() first walks
 * the zonelist from the highest zone the gfp mask allows, checking each zone
 * at the LOW watermark (get_page_from_freelist()). If no zone passes, the
 * slow path wakes kswapd, retries at MIN, enters direct reclaim, retries,
 * decides with should_reclaim_retry() whether more reclaim could help, and
 * finally invokes the OOM killer.
 *
 * What we simplify, and why it does not change behaviour qualitatively:
 *  - no per-CPU page lists: every allocation and free goes straight to the
 *    buddy lists, so NR_FREE_PAGES is exact (the kernel's is a little lower);
 *  - one node; the zonelist is this node's zones from highest_zoneidx down;
 *  - no cpusets, no memcg charge, no node_reclaim, no highatomic reserve;
 *  - no reserve-flag retry (ALLOC_NO_WATERMARKS for PF_MEMALLOC tasks).
 *
 * Direct compaction (mm/compaction.c) runs where §3.2 puts it: early and
 * async for costly orders and for high orders that are not movable, then
 * after every direct reclaim at the current priority;
 * should_compact_retry() raises the priority. A policy that never
 * compacts (compaction.policy none) makes gfp_compaction_allowed() false,
 * as a kernel without CONFIG_COMPACTION.
 *
 * Every block that changes hands also updates the zone's pageblock usage
 * (mm/frag.c), so frag events can count mixed pageblocks cheaply, and a
 * fallback that the buddy allocator reports is logged as
 * mm_page_alloc_extfrag.
 *
 * Watermark crossings: every change of a zone's free pages goes through
 * zone_note_free(), which logs each crossing of MIN, LOW or HIGH (boost
 * included) in the order-0 form free > mark (kernel-model.md §2.7).
 */
#include <stdlib.h>

#include "bug.h"
#include "mm/buddy.h"
#include "mm/internal.h"

int gfp_zone_idx(const struct sim *s, gfp_t gfp)
{
	const struct pglist_data *pgdat = &s->nodes[0];
	enum zone_type want = ZONE_NORMAL;

	if (gfp & __GFP_DMA)
		want = ZONE_DMA;
	else if (gfp & __GFP_DMA32)
		want = ZONE_DMA32;
	else if ((gfp & (__GFP_HIGHMEM | __GFP_MOVABLE)) ==
		 (__GFP_HIGHMEM | __GFP_MOVABLE))
		want = ZONE_MOVABLE;
	/* The highest configured zone not above the wanted type. */
	for (int i = (int)pgdat->nr_zones - 1; i >= 0; i--)
		if (pgdat->zones[i].type <= want)
			return i;
	return 0;	/* no zone that low: served from the lowest one */
}

void zone_note_crossings(struct sim *s, struct zone *z, int level)
{
	struct pglist_data *pgdat = &s->nodes[z->nid];

	while (level != z->wmark_level) {
		bool up = level > z->wmark_level;
		int mark = up ? z->wmark_level : z->wmark_level - 1;

		z->wmark_level += up ? 1 : -1;
		pgdat->crossings[z->zone_idx][mark][up]++;
		emit_watermark(s->log, s->now_ns, z->nid, z->name,
			       (enum zone_watermarks)mark, up, z->free_pages,
			       wmark_pages(z, (enum zone_watermarks)mark));
	}
}

static struct pageblock_usage *zone_usage(struct sim *s, const struct zone *z)
{
	return &s->nodes[z->nid].pb_usage[z->zone_idx];
}

static inline void free_pages_to(struct sim *s, struct zone *z, uint64_t pfn,
				 unsigned order)
{
	pageblock_usage_add(zone_usage(s, z), pfn, order,
			    s->mem_map[pfn].migratetype, -1);
	buddy_free(z, pfn, order);
	count_vm_events(s, VM_pgfree, 1ull << order);
}

void __sim_free_pages(struct sim *s, uint64_t pfn, unsigned order)
{
	free_pages_to(s, sim_pfn_zone(s, pfn), pfn, order);
}

void sim_free_pages(struct sim *s, uint64_t pfn, unsigned order)
{
	struct zone *z = sim_pfn_zone(s, pfn);

	free_pages_to(s, z, pfn, order);
	zone_note_free(s, z);
}

bool sim_take_block(struct sim *s, struct zone *z, uint64_t pfn,
		    unsigned order, int mt)
{
	if (!buddy_alloc_at_type(z, pfn, order, mt))
		return false;
	pageblock_usage_add(zone_usage(s, z), pfn, order, mt, +1);
	return true;
}

static bool has_dma32_zone(const struct pglist_data *pgdat)
{
	for (unsigned i = 0; i < pgdat->nr_zones; i++)
		if (pgdat->zones[i].type == ZONE_DMA32 &&
		    pgdat->zones[i].managed_pages)
			return true;
	return false;
}

/* alloc_flags_nofragment(): avoid fragmenting DMA32 for Normal requests. */
static unsigned alloc_flags_nofragment(const struct pglist_data *pgdat,
				       int highest_zoneidx)
{
	if (pgdat->zones[highest_zoneidx].type == ZONE_NORMAL &&
	    has_dma32_zone(pgdat))
		return ALLOC_NOFRAGMENT;
	return 0;
}

/* kmem:mm_page_alloc_extfrag, from what __rmqueue() reported. */
static void log_extfrag(struct sim *s, const struct zone *z, unsigned order,
			const struct buddy_fallback *fb)
{
	struct emit_extfrag x = {
		.nid = z->nid,
		.zone = z->name,
		.pfn = fb->pfn,
		.alloc_order = order,
		.fallback_order = fb->fallback_order,
		.pageblock_order = z->pageblock_order,
		.alloc_migratetype = fb->alloc_migratetype,
		.fallback_migratetype = fb->fallback_migratetype,
		.change_ownership = fb->change_ownership,
	};

	emit_extfrag(s->log, s->now_ns, &x);
}

static int64_t rmqueue(struct sim *s, struct zone *z, unsigned order,
		       int migratetype, unsigned alloc_flags)
{
	struct buddy_fallback fb = { 0 };
	int64_t pfn = buddy_alloc(z, order, migratetype, alloc_flags, &fb);
	bool boosted = false;

	if (pfn < 0)
		return -1;
	pageblock_usage_add(zone_usage(s, z), (uint64_t)pfn, order,
			    migratetype, +1);
	s->nodes[z->nid].zone_vm[z->zone_idx][ZVM_pgalloc] += 1ull << order;
	if (fb.happened)
		log_extfrag(s, z, order, &fb);
	/* Each failed small-block claim boosts once (boost_watermark()). */
	for (unsigned i = 0; i < fb.nr_boost; i++)
		if (boost_watermark(z, s->cfg->watermark_boost_factor))
			boosted = true;
	zone_note_free(s, z);
	/* rmqueue(): ZONE_BOOSTED_WATERMARK wakes kswapd right away. */
	if (boosted && (alloc_flags & ALLOC_KSWAPD))
		wakeup_kswapd(s, &s->nodes[z->nid], 0, z->zone_idx, 0);
	return pfn;
}

/* Whether z may serve at alloc_flags: it has memory and passes its mark. */
static inline bool zone_allows(const struct zone *z, unsigned order,
			       unsigned alloc_flags, int highest_zoneidx)
{
	if (!z->managed_pages)
		return false;
	if (alloc_flags & ALLOC_NO_WATERMARKS)
		return true;
	return zone_watermark_fast(z, order, wmark_pages(z,
			(enum zone_watermarks)(alloc_flags & ALLOC_WMARK_MASK)),
			highest_zoneidx, alloc_flags);
}

/* get_page_from_freelist(): the first zone that passes its mark serves. */
static int64_t get_page_from_freelist(struct sim *s, unsigned order,
				      int migratetype, unsigned alloc_flags,
				      int highest_zoneidx)
{
	struct pglist_data *pgdat = &s->nodes[0];
	unsigned nofrag = alloc_flags & ALLOC_NOFRAGMENT;

retry:
	for (int i = highest_zoneidx; i >= 0; i--) {
		struct zone *z = &pgdat->zones[i];
		int64_t pfn;

		if (!zone_allows(z, order, alloc_flags, highest_zoneidx))
			continue;
		pfn = rmqueue(s, z, order, migratetype, alloc_flags);
		if (pfn >= 0)
			return pfn;
	}
	if (nofrag) {
		alloc_flags &= ~ALLOC_NOFRAGMENT;
		nofrag = 0;
		goto retry;
	}
	return -1;
}

/* gfp_to_alloc_flags(): the slow path's flags. */
static unsigned gfp_to_alloc_flags(gfp_t gfp, unsigned order)
{
	unsigned flags = ALLOC_WMARK_MIN;

	if (gfp & __GFP_HIGH)
		flags |= ALLOC_MIN_RESERVE;
	if (gfp & __GFP_KSWAPD_RECLAIM)
		flags |= ALLOC_KSWAPD;
	if (!(gfp & __GFP_DIRECT_RECLAIM) && !(gfp & __GFP_NOMEMALLOC)) {
		flags |= ALLOC_NON_BLOCK;
		if (order > 0 && (gfp & __GFP_HIGH))
			flags |= ALLOC_HIGHATOMIC;
	}
	return flags;
}

/* should_reclaim_retry(): could free + reclaimable pages pass MIN anywhere? */
static bool should_reclaim_retry(struct sim *s, unsigned order,
				 unsigned alloc_flags, int highest_zoneidx,
				 bool did_progress, int *no_progress_loops)
{
	struct pglist_data *pgdat = &s->nodes[0];

	if (did_progress && order <= PAGE_ALLOC_COSTLY_ORDER)
		*no_progress_loops = 0;
	else
		(*no_progress_loops)++;
	if (*no_progress_loops > MAX_RECLAIM_RETRIES)
		return false;
	for (int i = highest_zoneidx; i >= 0; i--) {
		struct zone *z = &pgdat->zones[i];
		uint64_t available = z->free_pages +
				     zone_reclaimable_pages(s, pgdat, i);

		if (z->managed_pages &&
		    zone_watermark_ok(z, order, wmark_pages(z, WMARK_MIN),
				      highest_zoneidx, alloc_flags,
				      (int64_t)available))
			return true;
	}
	return false;
}

/*
 * __alloc_pages_direct_compact(): compaction at prio, then the freelists,
 * or the block compaction captured. *result is try_to_compact_pages()'s.
 */
static int64_t alloc_pages_direct_compact(struct sim *s,
					  const struct direct_compact_req *req,
					  enum compact_result *result)
{
	struct pglist_data *pgdat = &s->nodes[0];
	struct sim_proc *proc;
	int64_t capture, pfn;
	uint64_t cost_ns;

	if (!req->order)
		return -1;
	*result = try_to_compact_pages(s, req, &capture, &cost_ns);
	proc = sim_proc(s, req->pid);
	proc->compact_ns += cost_ns;
	s->stats.compact_ns += cost_ns;
	if (*result == COMPACT_SKIPPED)
		return -1;
	count_vm_events(s, VM_compact_stall, 1);
	pfn = capture;
	if (pfn >= 0) {
		struct zone *z = sim_pfn_zone(s, (uint64_t)pfn);

		pgdat->zone_vm[z->zone_idx][ZVM_pgalloc] += 1ull << req->order;
		zone_note_free(s, z);
	} else {
		pfn = get_page_from_freelist(s, req->order, req->migratetype,
					     req->alloc_flags,
					     req->highest_zoneidx);
	}
	if (pfn < 0) {
		count_vm_events(s, VM_compact_fail, 1);
		return -1;
	}
	if (pgdat->compact_ops->alloc_success)
		pgdat->compact_ops->alloc_success(pgdat,
			sim_pfn_zone(s, (uint64_t)pfn), (int)req->order);
	count_vm_events(s, VM_compact_success, 1);
	return pfn;
}

/* The slow path's state across its retries. */
struct slowpath {
	unsigned order;
	gfp_t gfp;
	int migratetype;
	uint32_t pid;
	int highest_zoneidx;
	unsigned alloc_flags;
	bool costly;
	bool can_compact;
	enum compact_result compact_result;
	enum compact_priority compact_priority;
	int compaction_retries;
	int no_progress_loops;
};

static int64_t slowpath_compact(struct sim *s, struct slowpath *sp,
				enum compact_priority prio)
{
	struct direct_compact_req req = {
		.order = sp->order, .gfp = sp->gfp,
		.alloc_flags = sp->alloc_flags,
		.migratetype = sp->migratetype,
		.highest_zoneidx = sp->highest_zoneidx, .prio = prio,
		.pid = sp->pid,
	};

	return alloc_pages_direct_compact(s, &req, &sp->compact_result);
}

/*
 * §3.2 step 4: costly orders, and high orders that are not movable, try
 * async compaction before any reclaim. Returns the pfn, -1 to go on to
 * reclaim, or -2 to give up (a costly __GFP_NORETRY request, THP faults,
 * whose compaction was skipped or deferred).
 */
static int64_t slowpath_early_compact(struct sim *s, struct slowpath *sp)
{
	int64_t pfn;

	if (!sp->can_compact || !(sp->gfp & __GFP_DIRECT_RECLAIM))
		return -1;
	if (!sp->costly && (sp->order == 0 ||
			    sp->migratetype == MIGRATE_MOVABLE))
		return -1;
	pfn = slowpath_compact(s, sp, INIT_COMPACT_PRIORITY);
	if (pfn >= 0 || !sp->costly || !(sp->gfp & __GFP_NORETRY))
		return pfn;
	if (sp->compact_result == COMPACT_SKIPPED ||
	    sp->compact_result == COMPACT_DEFERRED)
		return -2;
	sp->compact_priority = INIT_COMPACT_PRIORITY;
	return -1;
}

/* After a failed reclaim + compaction round: loop (true) or give up. */
static bool slowpath_should_retry(struct sim *s, struct slowpath *sp,
				  uint64_t reclaimed)
{
	if (should_reclaim_retry(s, sp->order, sp->alloc_flags,
				 sp->highest_zoneidx, reclaimed > 0,
				 &sp->no_progress_loops))
		return true;
	return reclaimed > 0 && sp->can_compact &&
	       should_compact_retry(s, sp->order, sp->highest_zoneidx,
				    sp->compact_result, &sp->compact_priority,
				    &sp->compaction_retries);
}

/* The slow path from its early compaction on: reclaim, compact, retry, OOM. */
static int64_t slowpath_reclaim(struct sim *s, unsigned order, gfp_t gfp,
				int migratetype, uint32_t pid,
				int highest_zoneidx, unsigned alloc_flags)
{
	struct pglist_data *pgdat = &s->nodes[0];
	struct slowpath sp;
	int64_t pfn;

	/* Field by field: GCC makes a designated initializer of this struct
	 * a `rep stos`, whose startup cost was a tenth of a fault's. */
	sp.order = order;
	sp.gfp = gfp;
	sp.migratetype = migratetype;
	sp.pid = pid;
	sp.highest_zoneidx = highest_zoneidx;
	sp.alloc_flags = alloc_flags;
	sp.costly = order > PAGE_ALLOC_COSTLY_ORDER;
	sp.can_compact = compaction_allowed(s, gfp);
	sp.compact_result = COMPACT_SKIPPED;
	sp.compact_priority = DEF_COMPACT_PRIORITY;
	sp.compaction_retries = 0;
	sp.no_progress_loops = 0;

	pfn = slowpath_early_compact(s, &sp);
	if (pfn != -1)
		return pfn >= 0 ? pfn : -1;
	for (;;) {
		uint64_t reclaimed;

		if (sp.alloc_flags & ALLOC_KSWAPD)
			wakeup_kswapd(s, pgdat, order, highest_zoneidx, gfp);
		reclaimed = try_to_free_pages(s, pgdat, order, gfp,
					      highest_zoneidx, pid);
		pfn = get_page_from_freelist(s, order, migratetype,
					     sp.alloc_flags, highest_zoneidx);
		if (pfn >= 0)
			return pfn;
		pfn = slowpath_compact(s, &sp, sp.compact_priority);
		if (pfn >= 0)
			return pfn;
		if (gfp & __GFP_NORETRY)
			return -1;
		if (sp.costly && (!sp.can_compact ||
				  !(gfp & __GFP_RETRY_MAYFAIL)))
			return -1;
		if (slowpath_should_retry(s, &sp, reclaimed))
			continue;
		/* __alloc_pages_may_oom(): never for costly orders. */
		if (sp.costly || !out_of_memory(s, order, pid))
			return -1;
		sp.no_progress_loops = 0;
	}
}

/*
 * __alloc_pages_slowpath(): wake kswapd and retry at MIN; most allocations
 * under pressure end there, and only the rest set up the reclaim state.
 */
static int64_t alloc_pages_slowpath(struct sim *s, unsigned order, gfp_t gfp,
				    int migratetype, uint32_t pid,
				    int highest_zoneidx)
{
	unsigned alloc_flags = gfp_to_alloc_flags(gfp, order);
	int64_t pfn;

	if (alloc_flags & ALLOC_KSWAPD)
		wakeup_kswapd(s, &s->nodes[0], order, highest_zoneidx, gfp);
	pfn = get_page_from_freelist(s, order, migratetype, alloc_flags,
				     highest_zoneidx);
	if (pfn >= 0 || !(gfp & __GFP_DIRECT_RECLAIM))
		return pfn;
	return slowpath_reclaim(s, order, gfp, migratetype, pid,
				highest_zoneidx, alloc_flags);
}

/*
 * Whether an order-0 request at these flags passes the mark in some zone of
 * the zonelist: when it does not, get_page_from_freelist() fails. Under
 * pressure most fast-path calls do, and this inline test spares them the
 * call (whose setup costs more than the test).
 */
static inline bool zonelist_passes_order0(const struct sim *s,
					  unsigned alloc_flags,
					  int highest_zoneidx)
{
	const struct pglist_data *pgdat = &s->nodes[0];

	for (int i = highest_zoneidx; i >= 0; i--)
		if (zone_allows(&pgdat->zones[i], 0, alloc_flags,
				highest_zoneidx))
			return true;
	return false;
}

int64_t sim_alloc_pages(struct sim *s, unsigned order, gfp_t gfp,
			int migratetype, uint32_t pid)
{
	int hzi = gfp_zone_idx(s, gfp);
	unsigned flags = ALLOC_WMARK_LOW |
			 alloc_flags_nofragment(&s->nodes[0], hzi) |
			 ((gfp & __GFP_KSWAPD_RECLAIM) ? ALLOC_KSWAPD : 0);
	int64_t pfn;

	SIM_BUG_ON(order > MAX_PAGE_ORDER);
	pfn = -1;
	if (order || zonelist_passes_order0(s, flags, hzi))
		pfn = get_page_from_freelist(s, order, migratetype, flags,
					     hzi);
	if (pfn < 0)
		pfn = alloc_pages_slowpath(s, order, gfp, migratetype, pid,
					   hzi);
	if (pfn < 0) {
		struct emit_alloc_fail f = { pid, order, gfp, migratetype };

		s->stats.page_alloc_fail[order]++;
		count_vm_events(s, VM_alloc_fail, 1);
		emit_alloc_fail(s->log, s->now_ns, &f);
	} else {
		s->stats.page_alloc_ok[order]++;
	}
	return pfn;
}
