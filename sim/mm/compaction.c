/*
 * compaction.c - the mechanics of memory compaction, and direct compaction
 * for the allocation slow path (mm/compaction.c, mm/migrate.c,
 * mm/page_alloc.c; kernel-model.md §7, §3.2).
 *
 * What the kernel does
 *
 * Compaction makes free memory contiguous by moving in-use movable pages.
 * compact_zone() runs two scanners towards each other: the migrate scanner
 * from the zone's start isolates movable pages (LRU pages, driver-movable
 * pages) up to COMPACT_CLUSTER_MAX at a time, the free scanner from the
 * zone's end isolates free pages as targets, and migrate_pages() copies
 * each source to a target and frees the source, so free space gathers at
 * the low end and can merge. Whether a zone is worth compacting
 * (compaction_suitable(): enough order-0 pages above the watermark, and for
 * costly orders a fragmentation index above extfrag_threshold), when a run
 * stops (__compact_finished()), and when to back off (deferral) are the
 * policy's decisions (policy/compact_kernel.c follows the kernel).
 *
 * Direct compaction (__alloc_pages_direct_compact()) runs in the
 * allocating task: try_to_compact_pages() compacts the zonelist's zones
 * until one says COMPACT_SUCCESS; a run that frees a block of the
 * requested order hands it straight to the allocation ("capture");
 * compact_stall counts attempts that did not skip every zone, then
 * compact_success or compact_fail whether the allocation got its page.
 *
 * What this file keeps
 *
 * - The primitives policies build compact_zone() from: classifying a page
 *   for the scanners, isolating sources and targets, migrating, giving
 *   targets back. Migration keeps the page's identity: its page map entry
 *   points to the new pfn, page flags move along, and an LRU page takes
 *   the old one's place on the policy's lists (reclaim_ops.move_folio), so
 *   reclaim order is untouched, as the kernel's migration preserves the
 *   LRU position. `alloc` blocks of movable type and pages in use since
 *   before the trace move too; unmovable and reclaimable ones never do.
 * - The run driver: begin / steps / finish of a policy, with the
 *   accounting a policy cannot skip (counters, log events, frag samples,
 *   simulated time).
 * - try_to_compact_pages(), should_compact_retry(),
 *   compaction_zonelist_suitable(), and the suitability and score
 *   functions policies and kcompactd share.
 *
 * What we simplify
 *
 * - Isolated pages never outlive one round (one step): unused targets go
 *   back to the free lists at the end of each round and the free scanner
 *   resumes where they were, where the kernel keeps them isolated until the
 *   run ends. Between events every page is free or in use.
 * - Migration never fails except for lack of targets (kernel-model.md §10
 *   allows it); no per-CPU lists to drain, no lock contention, no fatal
 *   signals. COMPACT_CONTENDED only means what the kernel returns when
 *   migrate_pages() ran out of targets before the scanners met: free
 *   pages could not be isolated without falling below the MIN mark.
 * - A large source (an `alloc` block of order > 0) for which no isolated
 *   free block is large enough stays where it is, counted in
 *   pgmigrate_fail, and migration goes on with the other sources; the
 *   kernel would split such a folio and move its pages one by one, which
 *   a block that a single `free` row releases cannot be.
 * - Capture looks at the source's free block after it merged, where the
 *   kernel catches it in the middle of merging: the same pages.
 * - Simulated time: cost.compact_scan_ns per page either scanner looks at
 *   and cost.migrate_ns per page migrated.
 *
 * Invariants: sources are in-use blocks of type MOVABLE inside the zone;
 * targets come off the zone's free lists and go back to them or become the
 * sources' new homes; cc->nr_migratepages and cc->nr_freepages count the
 * pages on the round's lists.
 */
#include "mm/compaction.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bug.h"
#include "mm/buddy.h"
#include "mm/frag.h"
#include "mm/fragstat.h"
#include "mm/internal.h"
#include "xalloc.h"

#define MAX_COMPACT_RETRIES 16

static const char *const result_names[NR_COMPACT_RESULTS] = {
	[COMPACT_NOT_SUITABLE_ZONE] = "not_suitable_zone",
	[COMPACT_SKIPPED] = "skipped",
	[COMPACT_DEFERRED] = "deferred",
	[COMPACT_NO_SUITABLE_PAGE] = "no_suitable_page",
	[COMPACT_CONTINUE] = "continue",
	[COMPACT_COMPLETE] = "complete",
	[COMPACT_PARTIAL_SKIPPED] = "partial_skipped",
	[COMPACT_CONTENDED] = "contended",
	[COMPACT_SUCCESS] = "success",
};

static const char *const trigger_names[NR_COMPACT_TRIGGERS] = {
	[COMPACT_TRIGGER_DIRECT] = "direct",
	[COMPACT_TRIGGER_KCOMPACTD] = "kcompactd",
	[COMPACT_TRIGGER_PROACTIVE] = "proactive",
	[COMPACT_TRIGGER_MANUAL] = "manual",
};

const char *compact_result_name(enum compact_result r)
{
	SIM_BUG_ON((unsigned)r >= NR_COMPACT_RESULTS);
	return result_names[r];
}

const char *compact_trigger_name(enum compact_trigger t)
{
	SIM_BUG_ON((unsigned)t >= NR_COMPACT_TRIGGERS);
	return trigger_names[t];
}

/* ---- deferral (defer_compaction() and friends, §7.5) ---- */

void compact_defer_init(struct compact_defer *d)
{
	d->considered = 0;
	d->defer_shift = 0;
	d->order_failed = NR_PAGE_ORDERS;	/* nothing failed yet */
}

void defer_compaction(struct compact_defer *d, int order)
{
	d->considered = 0;
	if (d->defer_shift < COMPACT_MAX_DEFER_SHIFT)
		d->defer_shift++;
	if (order < d->order_failed)
		d->order_failed = order;
}

bool compaction_deferred(struct compact_defer *d, int order)
{
	unsigned limit = 1u << d->defer_shift;

	if (order < d->order_failed)
		return false;
	if (++d->considered >= limit) {
		d->considered = limit;
		return false;
	}
	return true;
}

void compaction_defer_reset(struct compact_defer *d, int order,
			    bool alloc_success)
{
	if (alloc_success) {
		d->considered = 0;
		d->defer_shift = 0;
	}
	if (order >= d->order_failed)
		d->order_failed = order + 1;
}

bool compaction_restarting(const struct compact_defer *d, int order)
{
	if (order < d->order_failed)
		return false;
	return d->defer_shift == COMPACT_MAX_DEFER_SHIFT &&
	       d->considered >= 1u << d->defer_shift;
}

/* ---- suitability and scores (§7.2, §7.7) ---- */

bool __compaction_suitable(const struct zone *z, int order,
			   int highest_zoneidx, uint64_t free_pages)
{
	uint64_t mark = order > PAGE_ALLOC_COSTLY_ORDER ?
			wmark_pages(z, WMARK_LOW) : wmark_pages(z, WMARK_MIN);

	mark += 2ull << order;	/* compact_gap() */
	return zone_watermark_ok(z, 0, mark, highest_zoneidx, 0,
				 (int64_t)free_pages);
}

bool compaction_suitable(const struct zone *z, int order, int highest_zoneidx,
			 unsigned extfrag_threshold)
{
	uint64_t nr_free[NR_PAGE_ORDERS];
	struct contig_page_info info;
	int fragindex;

	if (!__compaction_suitable(z, order, highest_zoneidx, z->free_pages))
		return false;
	if (order <= PAGE_ALLOC_COSTLY_ORDER)
		return true;
	buddy_nr_free(z, nr_free);
	fill_contig_page_info(nr_free, (unsigned)order, &info);
	fragindex = fragmentation_index(&info, (unsigned)order);
	return !(fragindex >= 0 && fragindex <= (int)extfrag_threshold);
}

unsigned fragmentation_score_node(const struct pglist_data *pgdat)
{
	uint64_t score = 0;

	for (unsigned i = 0; i < pgdat->nr_zones; i++) {
		const struct zone *z = &pgdat->zones[i];
		uint64_t nr_free[NR_PAGE_ORDERS];

		if (!z->present_pages)
			continue;
		buddy_nr_free(z, nr_free);
		score += fragmentation_score_zone_weighted(z->present_pages,
			fragmentation_score_zone(nr_free,
						 COMPACTION_HPAGE_ORDER),
			pgdat->present_pages);
	}
	return (unsigned)score;
}

unsigned fragmentation_score_wmark(unsigned proactiveness, bool low)
{
	unsigned wmark_low = proactiveness < 95 ? 100 - proactiveness : 5;

	if (low)
		return wmark_low;
	return wmark_low + 10 < 100 ? wmark_low + 10 : 100;
}

bool compaction_kswapd_running(const struct pglist_data *pgdat)
{
	return pgdat->kswapd_state == KSWAPD_RUNNING;
}

/* ---- the round's lists ---- */

static void list_push(struct compact_list *l, uint64_t pfn, unsigned order,
		      bool with_order)
{
	if (l->nr == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->pfn = xrealloc(l->pfn, l->cap * sizeof(*l->pfn));
		if (with_order)
			l->order = xrealloc(l->order, l->cap * sizeof(*l->order));
	}
	l->pfn[l->nr] = (uint32_t)pfn;
	if (with_order)
		l->order[l->nr] = (uint8_t)order;
	l->nr++;
}

static void list_free(struct compact_list *l)
{
	free(l->pfn);
	free(l->order);
	memset(l, 0, sizeof(*l));
}

void compact_control_init(struct compact_control *cc, struct sim *s,
			  struct zone *z, enum compact_trigger trigger)
{
	memset(cc, 0, sizeof(*cc));
	cc->sim = s;
	cc->zone = z;
	cc->trigger = trigger;
	cc->capture_pfn = -1;
	cc->highest_zoneidx = z->zone_idx;
	cc->migratetype = MIGRATE_MOVABLE;
}

void compact_control_destroy(struct compact_control *cc)
{
	SIM_BUG_ON(cc->nr_migratepages || cc->nr_freepages);
	list_free(&cc->migratepages);
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
		list_free(&cc->freepages[o]);
}

/* ---- primitives for policies ---- */

struct compact_page compaction_page_at(const struct compact_control *cc,
				       uint64_t pfn)
{
	const struct page *p = &cc->sim->mem_map[pfn];
	struct compact_page cp = { .kind = COMPACT_PAGE_SKIP, .order = 0 };

	if (p->flags & PG_buddy) {
		cp.kind = COMPACT_PAGE_FREE;
		cp.order = p->order;
		return cp;
	}
	if (!(p->flags & PG_head) || (p->flags & PG_reserved))
		return cp;	/* a tail page, or absent memory */
	if (p->flags & PG_thp) {
		/* A THP mapped whole: one large folio, never moved. */
		if (pfn & ((1ull << COMPACTION_HPAGE_ORDER) - 1))
			return cp;
		cp.kind = COMPACT_PAGE_PINNED;
		cp.order = COMPACTION_HPAGE_ORDER;
		return cp;
	}
	cp.order = p->order;
	cp.kind = COMPACT_PAGE_PINNED;
	if (p->migratetype != MIGRATE_MOVABLE)
		return cp;
	if (p->flags & PG_lru) {
		cp.kind = COMPACT_PAGE_MOVABLE;
		cp.lru = true;
		cp.writeback = p->flags & PG_writeback;
		cp.dirty = p->flags & PG_dirty;
	} else if (p->flags & (PG_kernel | PG_pretrace)) {
		cp.kind = COMPACT_PAGE_MOVABLE;
	}
	return cp;
}

void compaction_isolate_migratepage(struct compact_control *cc, uint64_t pfn,
				    unsigned order)
{
	SIM_BUG_ON(compaction_page_at(cc, pfn).kind != COMPACT_PAGE_MOVABLE);
	list_push(&cc->migratepages, pfn, order, true);
	cc->nr_migratepages += 1ull << order;
	cc->nr_isolated += 1ull << order;
}

void compaction_putback_migratepages(struct compact_control *cc)
{
	cc->migratepages.nr = 0;
	cc->nr_migratepages = 0;
}

bool compaction_isolate_freepage(struct compact_control *cc, uint64_t pfn,
				 unsigned order)
{
	struct zone *z = cc->zone;
	uint64_t mark = z->_watermark[WMARK_MIN] + (1ull << order);

	SIM_BUG_ON(compaction_page_at(cc, pfn).kind != COMPACT_PAGE_FREE ||
		   cc->sim->mem_map[pfn].order != order);
	if (!zone_watermark_ok(z, 0, mark, 0, 0, (int64_t)z->free_pages))
		return false;
	if (!sim_take_block(cc->sim, z, pfn, order, MIGRATE_MOVABLE))
		SIM_BUG_ON(1);
	list_push(&cc->freepages[order], pfn, order, false);
	cc->nr_freepages += 1ull << order;
	cc->nr_isolated += 1ull << order;
	return true;
}

void compaction_charge_scan(struct compact_control *cc, uint64_t nr)
{
	cc->cost_ns += nr * cc->sim->cfg->compact_scan_cost_ns;
}

/*
 * compaction_alloc(): the smallest isolated block of at least order, its
 * low end taken and the upper halves put back, or -1.
 */
static int64_t compaction_alloc(struct compact_control *cc, unsigned order)
{
	unsigned o = order;
	uint64_t pfn;

	while (o < NR_PAGE_ORDERS && cc->freepages[o].nr == 0)
		o++;
	if (o == NR_PAGE_ORDERS)
		return -1;
	pfn = cc->freepages[o].pfn[--cc->freepages[o].nr];
	cc->nr_freepages -= 1ull << o;
	while (o > order) {
		o--;
		list_push(&cc->freepages[o], pfn + (1ull << o), o, false);
		cc->nr_freepages += 1ull << o;
	}
	return (int64_t)pfn;
}

/* prep_new_page() for a target: a block of order at pfn, in use as mt. */
static void prep_target(struct page *map, uint64_t pfn, unsigned order, int mt)
{
	for (uint64_t i = 0; i < (1ull << order); i++) {
		map[pfn + i].flags = i ? PG_tail : PG_head;
		map[pfn + i].migratetype = (uint8_t)mt;
		map[pfn + i].next = map[pfn + i].prev = PFN_NONE;
	}
	map[pfn].order = (uint8_t)order;
}

/* The LRU page at src moves to dst: same entry, same list position. */
static void move_lru_page(struct sim *s, uint64_t src, uint64_t dst)
{
	struct page *sp = &s->mem_map[src], *dp = &s->mem_map[dst];
	struct lruvec *lruvec = &s->nodes[sp->nid].lruvec;

	dp->flags = sp->flags;
	dp->mapping = sp->mapping;
	dp->mapcount = sp->mapcount;
	dp->memcg = sp->memcg;
	dp->lru = sp->lru;
	dp->refs = sp->refs;
	dp->gen = sp->gen;
	dp->priv = sp->priv;
	pagemap_entry(s->pm, sp->mapping)->pfn = (uint32_t)dst;
	lruvec->ops->move_folio(lruvec, (uint32_t)src, (uint32_t)dst);
	sp->flags = PG_head;
	sp->mapping = PM_NONE;
}

/* An `alloc` block or a pre-trace page: the owner's record moves. */
static void move_owned_block(struct sim *s, uint64_t src, uint64_t dst)
{
	struct page *sp = &s->mem_map[src], *dp = &s->mem_map[dst];
	uint32_t owner = sp->flags & (PG_kernel | PG_pretrace);

	dp->flags |= owner;
	dp->mapping = sp->mapping;
	if (owner & PG_kernel)
		pagemap_entry(s->pm, sp->mapping)->pfn = (uint32_t)dst;
	sp->flags &= ~owner;
	sp->mapping = PM_NONE;
}

/*
 * compaction_capture(): the source's free block now holds a free block of
 * the requested order; direct compaction takes it for the allocation,
 * except that a smaller-than-pageblock block of a MOVABLE pageblock is
 * left alone for a non-movable request.
 */
static void try_capture(struct compact_control *cc, uint64_t freed_pfn)
{
	const struct page *map = cc->sim->mem_map;
	unsigned order = (unsigned)cc->order;
	uint64_t head = freed_pfn & ~((1ull << order) - 1);

	for (unsigned k = 0; k < NR_PAGE_ORDERS; k++) {
		uint64_t h = freed_pfn & ~((1ull << k) - 1);

		if (!(map[h].flags & PG_buddy) || map[h].order != k)
			continue;
		if (k < order)
			return;
		if (order < cc->zone->pageblock_order &&
		    buddy_pageblock_mt(cc->zone, head) == MIGRATE_MOVABLE &&
		    cc->migratetype != MIGRATE_MOVABLE)
			return;
		if (sim_take_block(cc->sim, cc->zone, head, order,
				   cc->migratetype))
			cc->capture_pfn = (int64_t)head;
		return;
	}
}

/* Moves one source block to dst (already taken off the free lists). */
static void migrate_block(struct compact_control *cc, uint64_t src,
			  unsigned order, uint64_t dst)
{
	struct sim *s = cc->sim;
	struct page *sp = &s->mem_map[src];

	SIM_BUG_ON(sp->migratetype != MIGRATE_MOVABLE);
	prep_target(s->mem_map, dst, order, sp->migratetype);
	if (sp->flags & PG_lru)
		move_lru_page(s, src, dst);
	else
		move_owned_block(s, src, dst);
	sp->flags = (sp->flags & ~(PG_tail)) | PG_head;
	__sim_free_pages(s, src, order);
	cc->nr_migrated += 1ull << order;
	cc->cost_ns += (1ull << order) * s->cfg->migrate_cost_ns;
	if (cc->direct_compaction && cc->order > 0 && cc->capture_pfn < 0)
		try_capture(cc, src);
}

int compaction_migrate_pages(struct compact_control *cc,
			     void (*isolate_freepages)(struct compact_control *))
{
	struct compact_list *src = &cc->migratepages;
	bool refilled = false;
	int rc = 0;

	for (size_t i = 0; i < src->nr; i++) {
		unsigned order = src->order[i];
		int64_t dst = compaction_alloc(cc, order);

		if (dst < 0 && !refilled && isolate_freepages) {
			isolate_freepages(cc);
			refilled = true;
			dst = compaction_alloc(cc, order);
		}
		if (dst < 0 && order > 0) {
			/* The kernel splits a large folio it has no target
			 * for and moves the pieces; an `alloc` block cannot
			 * be split, so it stays and the rest go on. */
			cc->nr_failed += 1ull << order;
			continue;
		}
		if (dst < 0) {
			/* -ENOMEM: this one fails, the rest go back. */
			cc->nr_failed += 1ull << order;
			rc = -1;
			break;
		}
		refilled = false;
		migrate_block(cc, src->pfn[i], order, (uint64_t)dst);
	}
	compaction_putback_migratepages(cc);
	return rc;
}

bool compaction_release_freepages(struct compact_control *cc,
				  uint64_t *low_pfn, uint64_t *high_pfn)
{
	uint64_t low = UINT64_MAX, high = 0;

	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
		struct compact_list *l = &cc->freepages[o];

		for (size_t i = 0; i < l->nr; i++) {
			uint64_t pfn = l->pfn[i];

			prep_target(cc->sim->mem_map, pfn, o, MIGRATE_MOVABLE);
			__sim_free_pages(cc->sim, pfn, o);
			low = pfn < low ? pfn : low;
			high = pfn > high ? pfn : high;
		}
		l->nr = 0;
	}
	cc->nr_freepages = 0;
	cc->released_high_pfn = high;
	if (high == 0 && low == UINT64_MAX)
		return false;
	*low_pfn = low;
	*high_pfn = high;
	return true;
}

/* ---- the run driver ---- */

static struct emit_compaction run_record(const struct compact_control *cc)
{
	const struct zone *z = cc->zone;
	struct emit_compaction r = {
		.nid = z->nid,
		.zone = z->name,
		.zone_start = z->zone_start_pfn,
		.zone_end = z->zone_start_pfn + z->spanned_pages,
		.migrate_pfn = cc->migrate_pfn,
		.free_pfn = cc->free_pfn,
		.sync = cc->mode != MIGRATE_ASYNC,
		.order = cc->order,
		.trigger = compact_trigger_name(cc->trigger),
		.pid = cc->pid,
		.migrate_scanned = cc->total_migrate_scanned,
		.free_scanned = cc->total_free_scanned,
		.isolated = cc->nr_isolated,
		.migrated = cc->nr_migrated,
		.failed = cc->nr_failed,
		.duration_ns = cc->cost_ns,
	};
	return r;
}

void compaction_run_started(struct compact_control *cc)
{
	struct emit_compaction r = run_record(cc);

	cc->ran = true;
	fragstat_sample(cc->sim, cc->zone, FRAG_SAMPLE_COMPACTION_BEGIN);
	emit_compaction_begin(cc->sim->log, cc->sim->now_ns, &r);
}

void compaction_run_ended(struct compact_control *cc,
			  enum compact_result result, uint64_t t_ns)
{
	struct sim *s = cc->sim;
	struct emit_compaction r = run_record(cc);
	bool daemon = cc->trigger == COMPACT_TRIGGER_KCOMPACTD ||
		      cc->trigger == COMPACT_TRIGGER_PROACTIVE;

	count_vm_events(s, VM_compact_migrate_scanned, cc->total_migrate_scanned);
	count_vm_events(s, VM_compact_free_scanned, cc->total_free_scanned);
	count_vm_events(s, VM_compact_isolated, cc->nr_isolated);
	count_vm_events(s, VM_pgmigrate_success, cc->nr_migrated);
	count_vm_events(s, VM_pgmigrate_fail, cc->nr_failed);
	if (daemon) {
		count_vm_events(s, VM_compact_daemon_migrate_scanned,
				cc->total_migrate_scanned);
		count_vm_events(s, VM_compact_daemon_free_scanned,
				cc->total_free_scanned);
	}
	s->stats.compact_runs[cc->trigger]++;
	s->stats.compact_results[result]++;
	zone_note_free(s, cc->zone);
	r.status = compact_result_name(result);
	emit_compaction_end(s->log, t_ns, &r);
	fragstat_sample(s, cc->zone, FRAG_SAMPLE_COMPACTION_END);
}

enum compact_result compact_zone_sync(struct compact_control *cc)
{
	const struct compact_ops *ops = cc->sim->nodes[cc->zone->nid].compact_ops;
	enum compact_result r = ops->begin(cc);

	if (r == COMPACT_CONTINUE) {
		compaction_run_started(cc);
		do {
			r = ops->step(cc);
			if (cc->capture_pfn >= 0)
				r = COMPACT_SUCCESS;
		} while (r == COMPACT_CONTINUE);
		SIM_BUG_ON(cc->nr_migratepages || cc->nr_freepages);
		compaction_run_ended(cc, r, cc->sim->now_ns);
	}
	ops->finish(cc, r);
	return r;
}

/* ---- direct compaction (try_to_compact_pages()) ---- */

bool compaction_allowed(const struct sim *s, gfp_t gfp)
{
	return s->nodes[0].compact_ops->begin && (gfp & __GFP_IO);
}

static void direct_cc_init(struct compact_control *cc, struct sim *s,
			   struct zone *z, const struct direct_compact_req *req)
{
	compact_control_init(cc, s, z, COMPACT_TRIGGER_DIRECT);
	cc->order = (int)req->order;
	cc->migratetype = req->migratetype;
	cc->gfp_mask = req->gfp;
	cc->alloc_flags = req->alloc_flags;
	cc->highest_zoneidx = req->highest_zoneidx;
	cc->priority = req->prio;
	cc->mode = req->prio == COMPACT_PRIO_ASYNC ? MIGRATE_ASYNC :
						      MIGRATE_SYNC_LIGHT;
	cc->direct_compaction = true;
	cc->whole_zone = req->prio == MIN_COMPACT_PRIORITY;
	cc->ignore_skip_hint = req->prio == MIN_COMPACT_PRIORITY;
	cc->ignore_block_suitable = req->prio == MIN_COMPACT_PRIORITY;
	cc->pid = req->pid;
}

enum compact_result try_to_compact_pages(struct sim *s,
					 const struct direct_compact_req *req,
					 int64_t *capture, uint64_t *cost_ns)
{
	struct pglist_data *pgdat = &s->nodes[0];
	enum compact_result rc = COMPACT_SKIPPED;

	*capture = -1;
	*cost_ns = 0;
	if (!compaction_allowed(s, req->gfp))
		return COMPACT_SKIPPED;
	for (int i = req->highest_zoneidx; i >= 0; i--) {
		struct zone *z = &pgdat->zones[i];
		struct compact_control cc;
		enum compact_result status;

		if (!z->managed_pages)
			continue;
		direct_cc_init(&cc, s, z, req);
		status = compact_zone_sync(&cc);
		*cost_ns += cc.cost_ns;
		if (cc.capture_pfn >= 0) {
			*capture = cc.capture_pfn;
			status = COMPACT_SUCCESS;
		}
		compact_control_destroy(&cc);
		if (status > rc)
			rc = status;
		if (status == COMPACT_SUCCESS)
			break;
	}
	return rc;
}

/* compaction_zonelist_suitable(): would reclaim make compaction suitable? */
static bool compaction_zonelist_suitable(struct sim *s, unsigned order,
					 int highest_zoneidx)
{
	struct pglist_data *pgdat = &s->nodes[0];

	for (int i = highest_zoneidx; i >= 0; i--) {
		const struct zone *z = &pgdat->zones[i];
		uint64_t available;

		if (!z->managed_pages)
			continue;
		available = zone_reclaimable_pages(s, pgdat, i) / order +
			    z->free_pages;
		if (__compaction_suitable(z, (int)order, highest_zoneidx,
					  available))
			return true;
	}
	return false;
}

bool should_compact_retry(struct sim *s, unsigned order, int highest_zoneidx,
			  enum compact_result result,
			  enum compact_priority *prio, int *retries)
{
	int max_retries = MAX_COMPACT_RETRIES;
	enum compact_priority min_priority;

	if (!order)
		return false;
	if (result == COMPACT_SKIPPED)
		return compaction_zonelist_suitable(s, order, highest_zoneidx);
	if (result == COMPACT_SUCCESS) {
		if (order > PAGE_ALLOC_COSTLY_ORDER)
			max_retries /= 4;
		if (++(*retries) <= max_retries)
			return true;
	}
	min_priority = order > PAGE_ALLOC_COSTLY_ORDER ?
		       MIN_COMPACT_COSTLY_PRIORITY : MIN_COMPACT_PRIORITY;
	if (*prio > min_priority) {
		(*prio)--;
		*retries = 0;
		return true;
	}
	return false;
}

/* ---- per-node set-up ---- */

int compaction_node_init(struct sim *s, struct pglist_data *pgdat, char *err,
			 size_t errlen)
{
	const struct compact_ops *ops =
		compact_policy_find(s->cfg->compaction_policy);

	if (!ops) {
		size_t n = (size_t)snprintf(err, errlen,
			"compaction.policy: got \"%s\", expected one of:",
			s->cfg->compaction_policy);
		for (const struct compact_ops *const *p = compact_policy_list();
		     *p && n < errlen; p++)
			n += (size_t)snprintf(err + n, errlen - n, " %s",
					      (*p)->name);
		return -1;
	}
	pgdat->compact_ops = ops;
	if (ops->init && ops->init(pgdat, s->cfg) != 0) {
		snprintf(err, errlen, "compaction.policy: %s: cannot start",
			 ops->name);
		pgdat->compact_ops = NULL;
		return -1;
	}
	pgdat->kcompactd.highest_zoneidx = (int)pgdat->nr_zones - 1;
	pgdat->kcompactd.timeout_ns = s->cfg->kcompactd_interval_ns;
	return 0;
}

void compaction_node_destroy(struct pglist_data *pgdat)
{
	struct kcompactd *kc = &pgdat->kcompactd;

	if (kc->run_active) {
		compact_control_destroy(&kc->cc);
		kc->run_active = false;
	}
	if (pgdat->compact_ops && pgdat->compact_ops->destroy)
		pgdat->compact_ops->destroy(pgdat);
	pgdat->compact_ops = NULL;
}
