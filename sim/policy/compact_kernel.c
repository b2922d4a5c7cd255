/*
 * compact_kernel.c - the kernel's compaction (mm/compaction.c, 6.x;
 * kernel-model.md §7).
 *
 * compact_zone() as the kernel runs it, one round per step():
 *
 * - begin (the prologue, with the caller's gates): direct compaction skips
 *   a deferred zone unless at SYNC_FULL, kcompactd skips deferred zones and
 *   zones that already pass the order at MIN; for a real order, an
 *   allocation that would already succeed is COMPACT_SUCCESS, an
 *   unsuitable zone COMPACT_SKIPPED (compaction_suitable(): order-0 mark
 *   LOW or MIN plus 2 << order after compaction, and for costly orders a
 *   fragmentation index above extfrag_threshold). A run restarting after
 *   the longest back-off clears the skip hints. The scanners start at the
 *   zone's cached positions (the whole zone for SYNC_FULL, manual and
 *   proactive runs), and a run that starts at the zone's first suitable
 *   pageblock counts as whole_zone.
 * - step: __compact_finished() first - scanners met (same or crossed
 *   pageblock): COMPLETE for a whole-zone run, else PARTIAL_SKIPPED, and
 *   the cached positions go back to the zone's ends; a proactive run
 *   succeeds once the zone's score is at most the low threshold (and
 *   yields to a running kswapd); a manual run goes on; any other run looks
 *   only at pageblock boundaries of the migrate scanner and succeeds when
 *   a free block of the order or more is on the requester's list, or on a
 *   fallback list it may claim from. Then isolate_migratepages(): the next
 *   pageblock below the free scanner that is not marked skip and, for
 *   async direct compaction, matches the request's type; in it, up to
 *   COMPACT_CLUSTER_MAX movable pages (LRU pages, movable `alloc` blocks,
 *   movable pre-trace pages), skipping free blocks, pages under writeback
 *   (unless MIGRATE_SYNC) and large folios (a THP: order >= the target or
 *   the pageblock); async direct compaction gives up on an order-aligned
 *   block at its first unmovable page. Then migrate_pages(), whose targets
 *   come from isolate_freepages(): from the free scanner's pageblock
 *   downwards, MOVABLE pageblocks (any, at SYNC_FULL) not marked skip and
 *   not starting with a free block of the target order, free blocks taken
 *   whole, until there are as many free pages as sources.
 * - Skip hints: a pageblock the migrate scanner finished without
 *   isolating anything, or one whose LRU pages it already isolated once, is
 *   marked; so is a free-scanner pageblock scanned to its end. They are
 *   cleared by compaction_restarting() and, after a direct run saw the
 *   scanners meet, when kswapd goes to sleep (__reset_isolation_suitable(),
 *   which also moves the cached positions to the first pageblock with LRU
 *   pages and the last with free pages).
 * - finish: deferral (§7.5). Direct: SUCCESS resets (alloc_success false),
 *   a non-async COMPLETE or PARTIAL_SKIPPED defers; kcompactd: SUCCESS
 *   resets, COMPLETE or PARTIAL_SKIPPED defers; an allocation that
 *   succeeds after direct compaction resets with alloc_success. The free
 *   scanner's cached position moves back up to the last targets given
 *   back, never down.
 *
 * Not modelled (kernel-model.md §10 allows it): fast_find_migrateblock()
 * and fast_isolate_freepages() (the scanners are linear), and with them
 * async mode's stride through the free scanner's pageblocks (up to 32
 * pages): without the free-list search that finds the kernel its targets,
 * a strided scan would miss most free pages of a fragmented block, so
 * async scans every page as sync does. Also lock contention
 * and too_many_isolated(), CMA, per-CPU list drains, migration failures
 * other than running out of targets.
 */
#include <stdlib.h>
#include <string.h>

#include "bug.h"
#include "config.h"
#include "mm/buddy.h"
#include "policy/compact.h"
#include "sim.h"
#include "xalloc.h"

enum isolate_result { ISOLATE_NONE, ISOLATE_SUCCESS };

/* fallbacks[] (§1.6), for the finish test's "could claim" case. */
static const int fallbacks[MIGRATE_TYPES][2] = {
	[MIGRATE_UNMOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
	[MIGRATE_HIGHATOMIC] = { -1, -1 },
};

/* A zone's compaction state (struct zone's compact_* fields). */
struct kzone {
	struct compact_defer defer;
	uint64_t cached_migrate_pfn[2];	/* [0] async, [1] sync */
	uint64_t cached_free_pfn;
	uint64_t init_migrate_pfn;	/* first pageblock worth scanning */
	uint64_t init_free_pfn;		/* last pageblock worth scanning */
	bool blockskip_flush;		/* clear skip hints at kswapd sleep */
	uint8_t *skip;			/* PG_migrate_skip per pageblock */
	size_t nr_pageblocks;
};

struct kcompact {
	struct kzone zones[MAX_NR_ZONES];
	unsigned extfrag_threshold;
	unsigned proactiveness;
};

static struct kcompact *kc_of(const struct compact_control *cc)
{
	return cc->sim->nodes[cc->zone->nid].compact_priv;
}

static struct kzone *kz_of(const struct compact_control *cc)
{
	return &kc_of(cc)->zones[cc->zone->zone_idx];
}

/* ---- pfn helpers ---- */

static uint64_t pb_pages(const struct zone *z)
{
	return 1ull << z->pageblock_order;
}

static uint64_t pageblock_start_pfn(const struct zone *z, uint64_t pfn)
{
	return pfn & ~(pb_pages(z) - 1);
}

static uint64_t pageblock_end_pfn(const struct zone *z, uint64_t pfn)
{
	return pageblock_start_pfn(z, pfn) + pb_pages(z);
}

static bool pageblock_aligned(const struct zone *z, uint64_t pfn)
{
	return (pfn & (pb_pages(z) - 1)) == 0;
}

static uint64_t zone_end_pfn(const struct zone *z)
{
	return z->zone_start_pfn + z->spanned_pages;
}

static size_t pb_index(const struct zone *z, uint64_t pfn)
{
	return (size_t)((pfn >> z->pageblock_order) -
			(z->zone_start_pfn >> z->pageblock_order));
}

/* pageblock_pfn_to_page(): NULL (false) for a block of absent memory. */
static bool pageblock_present(const struct compact_control *cc, uint64_t pfn)
{
	const struct page *map = cc->sim->mem_map;
	uint64_t start = pageblock_start_pfn(cc->zone, pfn);
	uint64_t last = start + pb_pages(cc->zone) - 1;

	if (start < cc->zone->zone_start_pfn)
		start = cc->zone->zone_start_pfn;
	if (last >= zone_end_pfn(cc->zone))
		last = zone_end_pfn(cc->zone) - 1;
	return !(map[start].flags & PG_reserved) &&
	       !(map[last].flags & PG_reserved);
}

/* ---- skip hints and cached positions ---- */

static bool get_skip(const struct compact_control *cc, uint64_t pfn)
{
	return kz_of(cc)->skip[pb_index(cc->zone, pfn)];
}

static void set_skip(const struct compact_control *cc, uint64_t pfn)
{
	kz_of(cc)->skip[pb_index(cc->zone, pfn)] = 1;
}

static bool isolation_suitable(const struct compact_control *cc, uint64_t pfn)
{
	return cc->ignore_skip_hint || !get_skip(cc, pfn);
}

/* test_and_set_skip(): true if the block was already marked. */
static bool test_and_set_skip(const struct compact_control *cc, uint64_t pfn)
{
	bool skip;

	if (cc->ignore_skip_hint)
		return false;
	skip = get_skip(cc, pfn);
	if (!skip)
		set_skip(cc, pfn);
	return skip;
}

static void reset_cached_positions(const struct zone *z, struct kzone *kz)
{
	kz->cached_migrate_pfn[0] = kz->cached_migrate_pfn[1] =
		z->zone_start_pfn;
	kz->cached_free_pfn = pageblock_start_pfn(z, zone_end_pfn(z) - 1);
}

static void update_cached_migrate(struct compact_control *cc, uint64_t pfn)
{
	struct kzone *kz = kz_of(cc);

	pfn = pageblock_end_pfn(cc->zone, pfn);
	if (pfn > kz->cached_migrate_pfn[0])
		kz->cached_migrate_pfn[0] = pfn;
	if (cc->mode != MIGRATE_ASYNC && pfn > kz->cached_migrate_pfn[1])
		kz->cached_migrate_pfn[1] = pfn;
}

/* update_pageblock_skip() of the free scanner. */
static void update_pageblock_skip(struct compact_control *cc, uint64_t block,
				  uint64_t pfn)
{
	struct kzone *kz = kz_of(cc);

	set_skip(cc, block);
	if (pfn < kz->cached_free_pfn)
		kz->cached_free_pfn = pfn;
}

/* A sample every 8 pages of the block finds an LRU page / a free page. */
static void sample_block(const struct sim *s, const struct zone *z,
			 uint64_t start, bool *lru, bool *free)
{
	uint64_t end = start + pb_pages(z);

	*lru = *free = false;
	if (end > zone_end_pfn(z))
		end = zone_end_pfn(z);
	for (uint64_t pfn = start; pfn < end; pfn += 1u << PAGE_ALLOC_COSTLY_ORDER) {
		*lru |= (s->mem_map[pfn].flags & PG_lru) != 0;
		*free |= (s->mem_map[pfn].flags & PG_buddy) != 0;
	}
}

/*
 * __reset_isolation_suitable(): clears the skip hints (of every block, a
 * simplification: the kernel only clears those its sample shows useful)
 * and starts the scanners at the first block with LRU pages and the last
 * MOVABLE one with free pages.
 */
static void reset_isolation_suitable(const struct sim *s, const struct zone *z,
				     struct kzone *kz)
{
	uint64_t first = UINT64_MAX, last = 0;

	if (!kz->blockskip_flush)
		return;
	kz->blockskip_flush = false;
	memset(kz->skip, 0, kz->nr_pageblocks);
	for (uint64_t b = pageblock_start_pfn(z, z->zone_start_pfn);
	     b < zone_end_pfn(z); b += pb_pages(z)) {
		uint64_t start = b < z->zone_start_pfn ? z->zone_start_pfn : b;
		bool lru, free;

		sample_block(s, z, start, &lru, &free);
		if (lru && first == UINT64_MAX)
			first = start;
		if (free && buddy_pageblock_mt(z, start) == MIGRATE_MOVABLE)
			last = start;
	}
	if (first == UINT64_MAX || first >= last) {
		reset_cached_positions(z, kz);
		return;
	}
	kz->init_migrate_pfn = kz->cached_migrate_pfn[0] =
		kz->cached_migrate_pfn[1] = first;
	kz->init_free_pfn = kz->cached_free_pfn = last;
}

/* ---- __compact_finished() ---- */

static bool compact_scanners_met(const struct compact_control *cc)
{
	unsigned pb = cc->zone->pageblock_order;

	return (cc->free_pfn >> pb) <= (cc->migrate_pfn >> pb);
}

/* can_steal_fallback() */
static bool can_steal_fallback(const struct zone *z, unsigned order, int mt)
{
	return order >= z->pageblock_order / 2 || mt == MIGRATE_UNMOVABLE ||
	       mt == MIGRATE_RECLAIMABLE;
}

/* A free block of order or more the request could take. */
static bool suitable_page_free(const struct compact_control *cc)
{
	const struct zone *z = cc->zone;
	int mt = cc->migratetype;

	for (unsigned o = (unsigned)cc->order; o < NR_PAGE_ORDERS; o++) {
		const struct free_area *area = &z->free_area[o];

		if (area->nr_free_mt[mt])
			return true;
		if (mt >= MIGRATE_HIGHATOMIC || !can_steal_fallback(z, o, mt))
			continue;
		for (int i = 0; i < 2; i++)
			if (area->nr_free_mt[fallbacks[mt][i]])
				return true;
	}
	return false;
}

static unsigned zone_score(const struct zone *z)
{
	uint64_t nr_free[NR_PAGE_ORDERS];

	buddy_nr_free(z, nr_free);
	return fragmentation_score_zone(nr_free, COMPACTION_HPAGE_ORDER);
}

static enum compact_result compact_finished(struct compact_control *cc)
{
	struct kcompact *kc = kc_of(cc);

	if (compact_scanners_met(cc)) {
		reset_cached_positions(cc->zone, kz_of(cc));
		if (cc->direct_compaction)
			kz_of(cc)->blockskip_flush = true;
		return cc->whole_zone ? COMPACT_COMPLETE :
					COMPACT_PARTIAL_SKIPPED;
	}
	if (cc->proactive_compaction) {
		if (compaction_kswapd_running(&cc->sim->nodes[cc->zone->nid]))
			return COMPACT_PARTIAL_SKIPPED;
		return zone_score(cc->zone) >
		       fragmentation_score_wmark(kc->proactiveness, true) ?
		       COMPACT_CONTINUE : COMPACT_SUCCESS;
	}
	if (cc->order < 0 || !pageblock_aligned(cc->zone, cc->migrate_pfn))
		return COMPACT_CONTINUE;
	return suitable_page_free(cc) ? COMPACT_SUCCESS : COMPACT_CONTINUE;
}

/* ---- the migrate scanner ---- */

/* skip_isolation_on_order(): large folios stay where they are. */
static bool skip_isolation_on_order(const struct compact_control *cc,
				    unsigned order)
{
	if (cc->order >= 0 && order >= (unsigned)cc->order)
		return true;
	return order >= cc->zone->pageblock_order;
}

static bool suitable_migration_source(const struct compact_control *cc,
				      uint64_t block)
{
	struct compact_page cp = compaction_page_at(cc, block);
	int block_mt;

	/* pageblock_skip_persistent(): a folio of a whole pageblock. */
	if (cp.kind != COMPACT_PAGE_FREE && cp.kind != COMPACT_PAGE_SKIP &&
	    cp.order >= cc->zone->pageblock_order)
		return false;
	if (cc->mode != MIGRATE_ASYNC || !cc->direct_compaction)
		return true;
	block_mt = buddy_pageblock_mt(cc->zone, block);
	if (cc->migratetype == MIGRATE_MOVABLE)
		return block_mt == MIGRATE_MOVABLE;
	return block_mt == cc->migratetype;
}

/* State of one isolate_migratepages_block() call. */
struct mscan {
	uint64_t low_pfn, end_pfn;
	uint64_t nr_scanned, nr_isolated;
	uint64_t valid_page;		/* block start checked, or UINT64_MAX */
	bool skip_updated;
	bool skip_on_failure;
	uint64_t next_skip_pfn;
};

static uint64_t block_end_pfn(uint64_t pfn, int order)
{
	uint64_t n = 1ull << (order > 0 ? order : 0);

	return (pfn + n) & ~(n - 1);
}

/* May this movable page be isolated now? */
static bool may_isolate(const struct compact_control *cc,
			const struct compact_page *cp)
{
	/* ISOLATE_ASYNC_MIGRATE: a page under writeback would block. */
	return !(cp->writeback && cc->mode != MIGRATE_SYNC);
}

/*
 * The failure path of the scan: async direct compaction drops what it
 * isolated in this order-aligned block and jumps past it.
 */
static void isolate_fail(struct compact_control *cc, struct mscan *m)
{
	if (!m->skip_on_failure)
		return;
	if (m->nr_isolated) {
		cc->nr_isolated -= cc->nr_migratepages;
		compaction_putback_migratepages(cc);
		m->nr_isolated = 0;
	}
	if (m->low_pfn < m->next_skip_pfn) {
		m->low_pfn = m->next_skip_pfn - 1;
		m->next_skip_pfn += 1ull << cc->order;
	}
}

/* One pfn; returns true when the scan of this block is to stop. */
static bool scan_one(struct compact_control *cc, struct mscan *m)
{
	struct compact_page cp = compaction_page_at(cc, m->low_pfn);
	uint64_t n;

	if (cp.kind == COMPACT_PAGE_FREE) {
		m->low_pfn += (1ull << cp.order) - 1;
		m->nr_scanned += (1ull << cp.order) - 1;
		return false;
	}
	if (cp.kind == COMPACT_PAGE_SKIP || cp.kind == COMPACT_PAGE_PINNED ||
	    !may_isolate(cc, &cp) || (cp.order && skip_isolation_on_order(cc, cp.order))) {
		if (cp.kind != COMPACT_PAGE_SKIP && cp.order) {
			m->low_pfn += (1ull << cp.order) - 1;
			m->nr_scanned += (1ull << cp.order) - 1;
		}
		isolate_fail(cc, m);
		return false;
	}
	if (cp.lru && !m->skip_updated && m->valid_page != UINT64_MAX) {
		m->skip_updated = true;
		if (test_and_set_skip(cc, m->valid_page) && !cc->finish_pageblock) {
			m->low_pfn = m->end_pfn;
			return true;
		}
	}
	n = 1ull << cp.order;
	compaction_isolate_migratepage(cc, m->low_pfn, cp.order);
	m->nr_isolated += n;
	m->nr_scanned += n - 1;
	m->low_pfn += n - 1;
	if (cc->nr_migratepages >= COMPACT_CLUSTER_MAX && !cc->finish_pageblock) {
		m->low_pfn++;
		return true;
	}
	return false;
}

static void isolate_migratepages_block(struct compact_control *cc,
				       uint64_t low_pfn, uint64_t end_pfn)
{
	struct mscan m = { .low_pfn = low_pfn, .end_pfn = end_pfn,
			   .valid_page = UINT64_MAX };

	cc->migrate_pfn = low_pfn;
	m.skip_on_failure = cc->direct_compaction && cc->mode == MIGRATE_ASYNC;
	if (m.skip_on_failure)
		m.next_skip_pfn = block_end_pfn(low_pfn, cc->order);
	for (; m.low_pfn < end_pfn; m.low_pfn++) {
		if (m.skip_on_failure && m.low_pfn >= m.next_skip_pfn) {
			if (m.nr_isolated)
				break;
			m.next_skip_pfn = block_end_pfn(m.low_pfn, cc->order);
		}
		m.nr_scanned++;
		if (m.valid_page == UINT64_MAX &&
		    (pageblock_aligned(cc->zone, m.low_pfn) ||
		     m.low_pfn == cc->zone->zone_start_pfn)) {
			if (!isolation_suitable(cc, m.low_pfn)) {
				m.low_pfn = end_pfn;
				break;
			}
			m.valid_page = m.low_pfn;
		}
		if (scan_one(cc, &m))
			break;
	}
	if (m.low_pfn > end_pfn)
		m.low_pfn = end_pfn;
	if (m.low_pfn == end_pfn && (!m.nr_isolated || cc->finish_pageblock)) {
		if (m.valid_page != UINT64_MAX && !m.skip_updated)
			set_skip(cc, m.valid_page);
		update_cached_migrate(cc, m.low_pfn);
	}
	cc->total_migrate_scanned += m.nr_scanned;
	compaction_charge_scan(cc, m.nr_scanned);
	cc->migrate_pfn = m.low_pfn;
}

static enum isolate_result isolate_migratepages(struct compact_control *cc)
{
	const struct zone *z = cc->zone;
	uint64_t low_pfn = cc->migrate_pfn;
	uint64_t block_start = pageblock_start_pfn(z, low_pfn);
	uint64_t block_end = pageblock_end_pfn(z, low_pfn);

	if (block_start < z->zone_start_pfn)
		block_start = z->zone_start_pfn;
	for (; block_end <= cc->free_pfn;
	     cc->migrate_pfn = low_pfn = block_end, block_start = block_end,
	     block_end += pb_pages(z)) {
		if (!pageblock_present(cc, block_start))
			continue;
		if ((pageblock_aligned(z, low_pfn) ||
		     low_pfn == z->zone_start_pfn) &&
		    !isolation_suitable(cc, block_start))
			continue;
		if (!suitable_migration_source(cc, block_start)) {
			update_cached_migrate(cc, block_end);
			continue;
		}
		isolate_migratepages_block(cc, low_pfn, block_end);
		break;
	}
	return cc->nr_migratepages ? ISOLATE_SUCCESS : ISOLATE_NONE;
}

/* ---- the free scanner ---- */

static bool suitable_migration_target(const struct compact_control *cc,
				      uint64_t block)
{
	struct compact_page cp = compaction_page_at(cc, block);
	unsigned limit = cc->order > 0 ? (unsigned)cc->order :
					 cc->zone->pageblock_order;

	/* A large free block is left whole. */
	if (cp.kind == COMPACT_PAGE_FREE && cp.order >= limit)
		return false;
	if (cc->ignore_block_suitable)
		return true;
	return buddy_pageblock_mt(cc->zone, block) == MIGRATE_MOVABLE;
}

/* isolate_freepages_block(), non-strict; *start_pfn advances. */
static uint64_t isolate_freepages_block(struct compact_control *cc,
					uint64_t *start_pfn, uint64_t end_pfn)
{
	uint64_t pfn = *start_pfn, nr_scanned = 0, total = 0;

	for (; pfn < end_pfn; pfn++) {
		struct compact_page cp = compaction_page_at(cc, pfn);
		uint64_t n;

		nr_scanned++;
		if (cp.kind != COMPACT_PAGE_FREE) {
			if ((cp.kind == COMPACT_PAGE_MOVABLE ||
			     cp.kind == COMPACT_PAGE_PINNED) && cp.order) {
				pfn += (1ull << cp.order) - 1;
				nr_scanned += (1ull << cp.order) - 1;
			}
			continue;
		}
		if (!compaction_isolate_freepage(cc, pfn, cp.order))
			break;
		n = 1ull << cp.order;
		nr_scanned += n - 1;
		total += n;
		if (cc->nr_migratepages <= cc->nr_freepages) {
			pfn += n;
			break;
		}
		pfn += n - 1;
	}
	if (pfn > end_pfn)
		pfn = end_pfn;
	*start_pfn = pfn;
	cc->total_free_scanned += nr_scanned;
	compaction_charge_scan(cc, nr_scanned);
	return total;
}

static void isolate_freepages(struct compact_control *cc)
{
	const struct zone *z = cc->zone;
	uint64_t isolate_start = cc->free_pfn;
	uint64_t block_start = pageblock_start_pfn(z, isolate_start);
	uint64_t block_end = block_start + pb_pages(z);
	uint64_t low_pfn = pageblock_end_pfn(z, cc->migrate_pfn);

	if (block_end > zone_end_pfn(z))
		block_end = zone_end_pfn(z);
	for (; block_start >= low_pfn; block_end = block_start,
	     block_start -= pb_pages(z), isolate_start = block_start) {
		if (!pageblock_present(cc, block_start) ||
		    !suitable_migration_target(cc, block_start) ||
		    !isolation_suitable(cc, block_start))
			continue;
		isolate_freepages_block(cc, &isolate_start, block_end);
		if (isolate_start == block_end)
			update_pageblock_skip(cc, block_start,
					      block_start - pb_pages(z));
		if (cc->nr_freepages >= cc->nr_migratepages) {
			if (isolate_start >= block_end)
				isolate_start = block_start - pb_pages(z);
			break;
		}
		if (isolate_start < block_end)
			break;	/* isolation failed early */
	}
	cc->free_pfn = isolate_start;
}

/* ---- compact_zone(): begin, step, finish ---- */

/* The caller's gates: try_to_compact_pages() and kcompactd_do_work(). */
static enum compact_result caller_gate(struct compact_control *cc)
{
	struct kzone *kz = kz_of(cc);
	const struct zone *z = cc->zone;

	if (cc->trigger == COMPACT_TRIGGER_DIRECT &&
	    cc->priority > MIN_COMPACT_PRIORITY &&
	    compaction_deferred(&kz->defer, cc->order))
		return COMPACT_DEFERRED;
	if (cc->trigger != COMPACT_TRIGGER_KCOMPACTD)
		return COMPACT_CONTINUE;
	if (compaction_deferred(&kz->defer, cc->order))
		return COMPACT_DEFERRED;
	if (zone_watermark_ok(z, (unsigned)cc->order, wmark_pages(z, WMARK_MIN),
			      z->zone_idx, 0, (int64_t)z->free_pages) ||
	    !compaction_suitable(z, cc->order, z->zone_idx,
				 kc_of(cc)->extfrag_threshold))
		return COMPACT_SKIPPED;	/* nothing for kcompactd to do here */
	return COMPACT_CONTINUE;
}

static void start_scanners(struct compact_control *cc, struct kzone *kz)
{
	const struct zone *z = cc->zone;
	bool sync = cc->mode != MIGRATE_ASYNC;
	uint64_t start = z->zone_start_pfn, end = zone_end_pfn(z);

	if (cc->whole_zone) {
		cc->migrate_pfn = start;
		cc->free_pfn = pageblock_start_pfn(z, end - 1);
	} else {
		cc->migrate_pfn = kz->cached_migrate_pfn[sync];
		cc->free_pfn = kz->cached_free_pfn;
		if (cc->free_pfn < start || cc->free_pfn >= end)
			cc->free_pfn = kz->cached_free_pfn =
				pageblock_start_pfn(z, end - 1);
		if (cc->migrate_pfn < start || cc->migrate_pfn >= end)
			cc->migrate_pfn = kz->cached_migrate_pfn[0] =
				kz->cached_migrate_pfn[1] = start;
		if (cc->migrate_pfn <= kz->init_migrate_pfn)
			cc->whole_zone = true;
	}
	cc->last_migrated_pfn = 0;
	cc->update_cached = !sync &&
		kz->cached_migrate_pfn[0] == kz->cached_migrate_pfn[1];
}

static enum compact_result kernel_begin(struct compact_control *cc)
{
	struct kzone *kz = kz_of(cc);
	const struct zone *z = cc->zone;
	enum compact_result r = caller_gate(cc);

	if (r != COMPACT_CONTINUE)
		return r;
	if (cc->order >= 0) {
		unsigned w = cc->alloc_flags & ALLOC_WMARK_MASK;

		if (zone_watermark_ok(z, (unsigned)cc->order,
				      wmark_pages(z, (enum zone_watermarks)w),
				      cc->highest_zoneidx, cc->alloc_flags,
				      (int64_t)z->free_pages))
			return COMPACT_SUCCESS;
		if (!compaction_suitable(z, cc->order, cc->highest_zoneidx,
					 kc_of(cc)->extfrag_threshold))
			return COMPACT_SKIPPED;
	}
	if (cc->order >= 0 && compaction_restarting(&kz->defer, cc->order))
		reset_isolation_suitable(cc->sim, z, kz);
	start_scanners(cc, kz);
	return COMPACT_CONTINUE;
}

/* Targets not used go back; the free scanner resumes where they were. */
static void release_targets(struct compact_control *cc)
{
	uint64_t low, high, resume;

	if (!compaction_release_freepages(cc, &low, &high))
		return;
	resume = pageblock_start_pfn(cc->zone, low) ==
		 pageblock_start_pfn(cc->zone, high) ? low :
		 pageblock_start_pfn(cc->zone, high);
	if (resume > cc->free_pfn)
		cc->free_pfn = resume;
}

static enum compact_result kernel_step(struct compact_control *cc)
{
	struct kzone *kz = kz_of(cc);
	enum compact_result r = compact_finished(cc);
	uint64_t start_pfn = cc->migrate_pfn;
	bool rescanned = false;

	if (r != COMPACT_CONTINUE)
		return r;
	cc->finish_pageblock =
		pageblock_start_pfn(cc->zone, cc->last_migrated_pfn) ==
		pageblock_start_pfn(cc->zone, start_pfn);
rescan:
	if (isolate_migratepages(cc) == ISOLATE_NONE) {
		if (cc->update_cached)
			kz->cached_migrate_pfn[1] = kz->cached_migrate_pfn[0];
		return COMPACT_CONTINUE;
	}
	cc->update_cached = false;
	cc->last_migrated_pfn = pageblock_start_pfn(cc->zone, cc->migrate_pfn - 1);
	if (cc->last_migrated_pfn < cc->zone->zone_start_pfn)
		cc->last_migrated_pfn = cc->zone->zone_start_pfn;
	if (compaction_migrate_pages(cc, isolate_freepages) != 0) {
		if (!compact_scanners_met(cc)) {
			release_targets(cc);
			return COMPACT_CONTENDED;
		}
		if (!pageblock_aligned(cc->zone, cc->migrate_pfn) &&
		    !cc->ignore_skip_hint && !cc->finish_pageblock &&
		    cc->mode < MIGRATE_SYNC && !rescanned) {
			cc->finish_pageblock = true;
			rescanned = true;
			if (cc->order == COMPACTION_HPAGE_ORDER)
				cc->last_migrated_pfn = 0;
			goto rescan;
		}
	}
	release_targets(cc);
	return COMPACT_CONTINUE;
}

static void kernel_finish(struct compact_control *cc, enum compact_result r)
{
	struct kzone *kz = kz_of(cc);
	bool defer_on_failure = cc->trigger == COMPACT_TRIGGER_KCOMPACTD ||
		(cc->trigger == COMPACT_TRIGGER_DIRECT &&
		 cc->priority != COMPACT_PRIO_ASYNC);

	if (cc->ran && cc->released_high_pfn) {
		uint64_t pfn = pageblock_start_pfn(cc->zone, cc->released_high_pfn);

		if (pfn > kz->cached_free_pfn)
			kz->cached_free_pfn = pfn;
	}
	if (cc->trigger != COMPACT_TRIGGER_DIRECT &&
	    cc->trigger != COMPACT_TRIGGER_KCOMPACTD)
		return;
	if (r == COMPACT_SUCCESS)
		compaction_defer_reset(&kz->defer, cc->order, false);
	else if (defer_on_failure &&
		 (r == COMPACT_COMPLETE || r == COMPACT_PARTIAL_SKIPPED))
		defer_compaction(&kz->defer, cc->order);
}

static void kernel_alloc_success(struct pglist_data *pgdat, struct zone *z,
				 int order)
{
	struct kzone *kz = &((struct kcompact *)pgdat->compact_priv)->
			   zones[z->zone_idx];

	kz->blockskip_flush = false;
	compaction_defer_reset(&kz->defer, order, true);
}

static void kernel_kswapd_sleep(struct pglist_data *pgdat)
{
	struct kcompact *kc = pgdat->compact_priv;

	for (unsigned i = 0; i < pgdat->nr_zones; i++)
		reset_isolation_suitable(pgdat->lruvec.sim, &pgdat->zones[i],
					 &kc->zones[i]);
}

static int kernel_init(struct pglist_data *pgdat, const struct config *cfg)
{
	struct kcompact *kc = xcalloc(1, sizeof(*kc));

	kc->extfrag_threshold = cfg->extfrag_threshold;
	kc->proactiveness = cfg->compaction_proactiveness;
	for (unsigned i = 0; i < pgdat->nr_zones; i++) {
		const struct zone *z = &pgdat->zones[i];
		struct kzone *kz = &kc->zones[i];

		compact_defer_init(&kz->defer);
		kz->nr_pageblocks = pgdat->pb_usage[i].nr_pageblocks;
		kz->skip = xcalloc(kz->nr_pageblocks ? kz->nr_pageblocks : 1, 1);
		reset_cached_positions(z, kz);
		kz->init_migrate_pfn = z->zone_start_pfn;
		kz->init_free_pfn = kz->cached_free_pfn;
	}
	pgdat->compact_priv = kc;
	return 0;
}

static void kernel_destroy(struct pglist_data *pgdat)
{
	struct kcompact *kc = pgdat->compact_priv;

	if (!kc)
		return;
	for (unsigned i = 0; i < MAX_NR_ZONES; i++)
		free(kc->zones[i].skip);
	free(kc);
	pgdat->compact_priv = NULL;
}

const struct compact_ops compact_kernel_ops = {
	.name = "kernel",
	.summary = "two scanners, deferral, kcompactd, proactive (mm/compaction.c)",
	.init = kernel_init,
	.destroy = kernel_destroy,
	.begin = kernel_begin,
	.step = kernel_step,
	.finish = kernel_finish,
	.alloc_success = kernel_alloc_success,
	.kswapd_sleep = kernel_kswapd_sleep,
};
