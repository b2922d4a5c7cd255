/*
 * buddy.c - the binary buddy allocator of one zone, with pageblock
 * migratetypes and the fallback rules that decide long-term fragmentation
 * (mm/page_alloc.c; kernel-model.md §1.3, §1.4, §1.6).
 *
 * What the kernel does
 *
 * Free memory is a set of naturally aligned blocks of 2^order pages, order
 * 0..MAX_PAGE_ORDER, kept on free_area[order].free_list[migratetype]. The
 * zone is also cut into pageblocks of 2^pageblock_order pages, each tagged
 * with a migratetype; a free block sits on the list of its pageblock's tag.
 *
 * - Allocation (__rmqueue_smallest(), expand()): take the first block of
 *   the requested type at the smallest order >= k; split it, keeping the
 *   first 2^k pages and putting the upper halves back at orders m-1 .. k.
 * - Free (__free_one_page()): merge with the buddy (pfn ^ 2^order) while it
 *   is a free block of the same order; across pageblocks (order >=
 *   pageblock_order) only if both tags are mergeable (not HIGHATOMIC), and
 *   the buddy's pageblock takes the freed block's tag. The result goes to
 *   the list head, or to the tail when the next-higher buddy is free too
 *   (buddy_merge_likely(): taken last, it has time to merge). Blocks
 *   larger than a pageblock are freed one pageblock at a time, each with
 *   its own tag (split_large_buddy()).
 * - Fallback (__rmqueue_claim(), __rmqueue_steal()) when the requested
 *   type's lists are empty at every order >= k, fallbacks[] order:
 *   claim - from MAX_PAGE_ORDER down (down to pageblock_order only under
 *   ALLOC_NOFRAGMENT), at the first order with a block on a fallback list:
 *   give up unless can_steal_fallback() (order >= pageblock_order/2 or an
 *   unmovable/reclaimable requester); a block >= pageblock_order has its
 *   pageblock(s) retagged whole; a smaller one boosts the watermark, then
 *   its pageblock is retagged (and its free blocks moved to the requester's
 *   lists) if free + "alike" pages >= half a pageblock, else the scan goes
 *   on to the next lower order.
 *   steal - (not under ALLOC_NOFRAGMENT) the smallest fallback block >= k,
 *   split, its pageblock keeps its tag: the fragmenting case.
 * - rmqueue_buddy() wraps this: ALLOC_HIGHATOMIC tries the HIGHATOMIC list
 *   first; ALLOC_OOM / ALLOC_NON_BLOCK may use it as a last resort.
 *
 * What we simplify
 *
 * - No per-CPU lists, CMA, isolation, page shuffling or guard pages; no
 *   page_group_by_mobility_disabled (machines below a few MiB).
 * - "Movable" in-use pages, which the kernel counts as PageLRU or
 *   __PageMovable, are here the in-use pages whose page->migratetype (the
 *   type they were allocated as) is MOVABLE.
 * - The claim step boosts the watermark in the kernel; here it counts the
 *   boosts in buddy_fallback.nr_boost and the caller applies
 *   boost_watermark() that many times (it knows watermark_boost_factor and
 *   whether the allocation may wake kswapd). Boosts are due even when the
 *   claim then fails, as in the kernel.
 * - The claim step follows kernel-model.md §1.6 (mainline 6.15's
 *   should_try_claim_block()): the first claim candidate, from the top
 *   order down, that fails can_steal_fallback() ends the claim step and
 *   the steal step follows.
 *
 * Invariants (buddy_check())
 *
 * - Every free block is naturally aligned (pfn % 2^order == 0), lies inside
 *   the zone, is on exactly one list, free_area[order].head[mt], with
 *   mt == its head page's migratetype == its pageblock(s)' tag; its head
 *   has PG_buddy and order, its other pages no PG_buddy. Blocks never
 *   overlap. Lists end with next == PFN_NONE; the first page's prev is the
 *   last page (O(1) tail insertion).
 * - nr_free_mt, nr_free, free_pages and nr_free_highatomic equal what the
 *   lists hold.
 * - Allocated blocks: PG_head on the first page, PG_tail on the others,
 *   order on the first, migratetype (the requested type) on all.
 * - SIM_DEBUG_CHECKS builds poison free pages (PG_poison on every page of
 *   every free block), catch double frees and writes to free pages on the
 *   next allocation.
 *
 * Cost: allocation and free are O(MAX_PAGE_ORDER) list operations plus
 * O(2^order) to mark the block's pages; only the claim step of a fallback
 * walks one pageblock.
 */
#include "mm/buddy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bug.h"
#include "xalloc.h"

#define NR_FALLBACKS 2

/* fallbacks[]: the lists a type borrows from, in order (§1.6). */
static const int fallbacks[MIGRATE_TYPES][NR_FALLBACKS] = {
	[MIGRATE_UNMOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
	[MIGRATE_HIGHATOMIC] = { -1, -1 },	/* never falls back */
};

/* Flags a free page may carry besides PG_buddy on its head. */
#define FREE_PAGE_FLAGS (SIM_DEBUG_CHECKS ? PG_poison : 0u)

/* ---- pfn and pageblock helpers ---- */

static inline bool zone_spans(const struct zone *z, uint64_t pfn)
{
	return pfn - z->zone_start_pfn < z->spanned_pages;	/* wraps below */
}

static inline bool zone_spans_range(const struct zone *z, uint64_t pfn,
				    unsigned order)
{
	return zone_spans(z, pfn) &&
	       zone_spans(z, pfn + ((uint64_t)1 << order) - 1);
}

static inline uint64_t pageblock_nr_pages(const struct zone *z)
{
	return (uint64_t)1 << z->pageblock_order;
}

static inline size_t pageblock_index(const struct zone *z, uint64_t pfn)
{
	return (size_t)((pfn >> z->pageblock_order) -
			(z->zone_start_pfn >> z->pageblock_order));
}

static size_t nr_pageblocks(const struct zone *z)
{
	if (!z->spanned_pages)
		return 0;
	return pageblock_index(z, z->zone_start_pfn + z->spanned_pages - 1) + 1;
}

/* Tags every pageblock that [pfn, pfn + 2^order) touches. */
static void set_pageblock_range_mt(struct zone *z, uint64_t pfn,
				   unsigned order, int mt)
{
	size_t first = pageblock_index(z, pfn);
	size_t n = order > z->pageblock_order ?
		(size_t)1 << (order - z->pageblock_order) : 1;

	for (size_t i = 0; i < n; i++)
		z->pageblock_mt[first + i] = (uint8_t)mt;
}

static inline bool migratetype_is_mergeable(int mt)
{
	return mt < MIGRATE_HIGHATOMIC;
}

/* page_is_buddy(): pfn heads a free block of exactly this order here. */
static inline bool is_free_block(const struct zone *z, uint64_t pfn,
				 unsigned order)
{
	const struct page *p;

	if (!zone_spans(z, pfn))
		return false;
	p = &z->mem_map[pfn];
	return (p->flags & PG_buddy) && p->order == order;
}

/* ---- free lists ---- */

static inline void account_free(struct zone *z, unsigned order, int mt,
				int64_t sign)
{
	uint64_t pages = (uint64_t)1 << order;

	z->free_area[order].nr_free_mt[mt] += (uint64_t)sign;
	z->free_area[order].nr_free += (uint64_t)sign;
	z->free_pages += (uint64_t)sign * pages;
	if (mt == MIGRATE_HIGHATOMIC)
		z->nr_free_highatomic += (uint64_t)sign * pages;
}

/* Puts the free block at pfn on free_area[order] list mt, head or tail. */
static void add_to_free_list(struct zone *z, uint64_t pfn, unsigned order,
			     int mt, bool tail)
{
	struct page *map = z->mem_map, *p = &map[pfn];
	uint32_t *head = &z->free_area[order].head[mt];

	p->flags |= PG_buddy;
	p->order = (uint8_t)order;
	p->migratetype = (uint8_t)mt;
	if (*head == PFN_NONE) {
		p->next = PFN_NONE;
		p->prev = (uint32_t)pfn;
		*head = (uint32_t)pfn;
	} else if (tail) {
		uint32_t last = map[*head].prev;

		map[last].next = (uint32_t)pfn;
		p->prev = last;
		p->next = PFN_NONE;
		map[*head].prev = (uint32_t)pfn;
	} else {
		p->next = *head;
		p->prev = map[*head].prev;
		map[*head].prev = (uint32_t)pfn;
		*head = (uint32_t)pfn;
	}
	account_free(z, order, mt, 1);
}

/* Takes the free block at pfn off its list; it keeps its migratetype. */
static void del_from_free_list(struct zone *z, uint64_t pfn, unsigned order)
{
	struct page *map = z->mem_map, *p = &map[pfn];
	int mt = p->migratetype;
	uint32_t *head = &z->free_area[order].head[mt];
	uint32_t next = p->next, prev = p->prev;

	if (*head == pfn) {
		*head = next;
		if (next != PFN_NONE)
			map[next].prev = prev;	/* the last page */
	} else {
		map[prev].next = next;
		if (next != PFN_NONE)
			map[next].prev = prev;
		else
			map[*head].prev = prev;	/* pfn was the last */
	}
	p->next = p->prev = PFN_NONE;
	p->flags &= ~PG_buddy;
	account_free(z, order, mt, -1);
}

/* Moves a free block to another type's list, at the tail (move_to_free_list()). */
static void move_to_free_list(struct zone *z, uint64_t pfn, unsigned order,
			      int mt)
{
	del_from_free_list(z, pfn, order);
	add_to_free_list(z, pfn, order, mt, true);
}

/* expand(): returns the upper halves of [pfn, pfn + 2^high) down to 2^low. */
static void expand(struct zone *z, uint64_t pfn, unsigned low, unsigned high,
		   int mt)
{
	while (high > low) {
		high--;
		add_to_free_list(z, pfn + ((uint64_t)1 << high), high, mt,
				 false);
	}
}

/* ---- allocated blocks ---- */

/* prep_new_page(): marks [pfn, pfn + 2^order) allocated as type mt. */
static void prep_new_block(struct zone *z, uint64_t pfn, unsigned order,
			   int mt)
{
	struct page *p = &z->mem_map[pfn];
	uint64_t nr = (uint64_t)1 << order;

	for (uint64_t i = 0; i < nr; i++) {
		/* A free page carries nothing but poison: anything else is
		 * a write to free memory or a block freed twice. */
		if (SIM_DEBUG_CHECKS)
			SIM_BUG_ON(p[i].flags != PG_poison);
		p[i].flags = i ? PG_tail : PG_head;
		p[i].order = 0;
		p[i].migratetype = (uint8_t)mt;
		p[i].next = p[i].prev = PFN_NONE;
	}
	p->order = (uint8_t)order;
}

/* free_pages_prepare(): the block's pages become plain free pages. */
static void free_prepare(struct zone *z, uint64_t pfn, unsigned order)
{
	struct page *p = &z->mem_map[pfn];
	uint64_t nr = (uint64_t)1 << order;

	/* Freeing a free page or one still linked on an LRU list would
	 * corrupt two lists at once: that is a bug in the caller. */
	SIM_BUG_ON(p->flags & (PG_buddy | PG_lru | PG_poison));
	for (uint64_t i = 0; i < nr; i++) {
		if (SIM_DEBUG_CHECKS)
			SIM_BUG_ON(p[i].flags & (PG_buddy | PG_lru | PG_poison));
		p[i].flags = FREE_PAGE_FLAGS;
		p[i].order = 0;
	}
}

/* ---- allocation ---- */

/* __rmqueue_smallest(): first block of type mt at the smallest order >= order. */
static int64_t rmqueue_smallest(struct zone *z, unsigned order, int mt)
{
	for (unsigned o = order; o < NR_PAGE_ORDERS; o++) {
		uint32_t pfn = z->free_area[o].head[mt];

		if (pfn == PFN_NONE)
			continue;
		del_from_free_list(z, pfn, o);
		expand(z, pfn, order, o, mt);
		return pfn;
	}
	return -1;
}

/* find_suitable_fallback(): first fallback type with a block at order, or -1. */
static int find_fallback_mt(const struct zone *z, unsigned order, int start_mt)
{
	const struct free_area *area = &z->free_area[order];

	if (area->nr_free == 0)
		return -1;
	for (int i = 0; i < NR_FALLBACKS; i++) {
		int mt = fallbacks[start_mt][i];

		if (mt >= 0 && area->head[mt] != PFN_NONE)
			return mt;
	}
	return -1;
}

/* can_steal_fallback(): may a block of this order be claimed for start_mt? */
static bool can_claim_order(const struct zone *z, unsigned order, int start_mt)
{
	return order >= z->pageblock_order / 2 ||
	       start_mt == MIGRATE_UNMOVABLE ||
	       start_mt == MIGRATE_RECLAIMABLE;
}

struct pageblock_census {
	uint64_t free_pages;	/* pages in free blocks */
	uint64_t movable_pages;	/* in-use pages allocated as MOVABLE */
};

/* prep_move_freepages_block()'s count over the pageblock at start. */
static void pageblock_count(const struct zone *z, uint64_t start,
			    struct pageblock_census *c)
{
	const struct page *map = z->mem_map;
	uint64_t end = start + pageblock_nr_pages(z);

	c->free_pages = c->movable_pages = 0;
	for (uint64_t pfn = start; pfn < end;) {
		if (map[pfn].flags & PG_buddy) {
			uint64_t nr = (uint64_t)1 << map[pfn].order;

			c->free_pages += nr;
			pfn += nr;
			continue;
		}
		if (map[pfn].migratetype == MIGRATE_MOVABLE)
			c->movable_pages++;
		pfn++;
	}
}

/* __move_freepages_block(): every free block of the pageblock goes to mt. */
static void move_freepages_block(struct zone *z, uint64_t start, int mt)
{
	const struct page *map = z->mem_map;
	uint64_t end = start + pageblock_nr_pages(z);

	for (uint64_t pfn = start; pfn < end;) {
		unsigned order;

		if (!(map[pfn].flags & PG_buddy)) {
			pfn++;
			continue;
		}
		order = map[pfn].order;
		move_to_free_list(z, pfn, order, mt);
		pfn += (uint64_t)1 << order;
	}
	set_pageblock_range_mt(z, start, 0, mt);
}

/* The half-pageblock rule for a block smaller than a pageblock. */
static bool pageblock_claimable(const struct zone *z, uint64_t start,
				int start_mt, int block_mt)
{
	struct pageblock_census c;
	uint64_t alike;

	pageblock_count(z, start, &c);
	if (start_mt == MIGRATE_MOVABLE)
		alike = c.movable_pages;
	else if (block_mt == MIGRATE_MOVABLE)
		/* Every non-movable page of a movable block counts as ours;
		 * unmovable vs reclaimable pages cannot be told apart. */
		alike = pageblock_nr_pages(z) - c.free_pages - c.movable_pages;
	else
		alike = 0;
	return c.free_pages + alike >= pageblock_nr_pages(z) / 2;
}

/*
 * try_to_claim_block(): the free block at pfn (order block_order, list
 * block_mt) is the claim candidate. Returns the allocated pfn or -1.
 */
static int64_t try_to_claim_block(struct zone *z, uint64_t pfn,
				  unsigned block_order, unsigned order,
				  int start_mt, int block_mt,
				  struct buddy_fallback *fb)
{
	uint64_t start;

	if (block_order >= z->pageblock_order) {
		del_from_free_list(z, pfn, block_order);
		set_pageblock_range_mt(z, pfn, block_order, start_mt);
		expand(z, pfn, order, block_order, start_mt);
		return (int64_t)pfn;
	}
	fb->boost = true;
	fb->nr_boost++;
	start = pfn & ~(pageblock_nr_pages(z) - 1);
	/* A pageblock cut by the zone boundary is never moved. */
	if (!zone_spans_range(z, start, z->pageblock_order))
		return -1;
	if (!pageblock_claimable(z, start, start_mt, block_mt))
		return -1;
	move_freepages_block(z, start, start_mt);
	return rmqueue_smallest(z, order, start_mt);
}

static void record_fallback(struct buddy_fallback *fb, int64_t pfn,
			    unsigned fallback_order, int start_mt,
			    int fallback_mt, bool change_ownership)
{
	fb->happened = true;
	fb->fallback_order = fallback_order;
	fb->alloc_migratetype = start_mt;
	fb->fallback_migratetype = fallback_mt;
	fb->change_ownership = change_ownership;
	fb->pfn = (uint64_t)pfn;
}

/* __rmqueue_claim(): the largest fallback block, whole pageblocks if possible. */
static int64_t rmqueue_claim(struct zone *z, unsigned order, int start_mt,
			     unsigned alloc_flags, struct buddy_fallback *fb)
{
	unsigned min_order = order;

	if (order < z->pageblock_order && (alloc_flags & ALLOC_NOFRAGMENT))
		min_order = z->pageblock_order;
	for (int o = MAX_PAGE_ORDER; o >= (int)min_order; o--) {
		int fallback_mt = find_fallback_mt(z, (unsigned)o, start_mt);
		int64_t pfn;

		if (fallback_mt < 0)
			continue;
		if (!can_claim_order(z, (unsigned)o, start_mt))
			break;
		pfn = try_to_claim_block(z, z->free_area[o].head[fallback_mt],
					 (unsigned)o, order, start_mt,
					 fallback_mt, fb);
		if (pfn >= 0) {
			record_fallback(fb, pfn, (unsigned)o, start_mt,
					fallback_mt, true);
			return pfn;
		}
	}
	return -1;
}

/* __rmqueue_steal(): the smallest fallback block; the pageblock keeps its tag. */
static int64_t rmqueue_steal(struct zone *z, unsigned order, int start_mt,
			     struct buddy_fallback *fb)
{
	for (unsigned o = order; o < NR_PAGE_ORDERS; o++) {
		int fallback_mt = find_fallback_mt(z, o, start_mt);
		uint32_t pfn;

		if (fallback_mt < 0)
			continue;
		pfn = z->free_area[o].head[fallback_mt];
		del_from_free_list(z, pfn, o);
		expand(z, pfn, order, o, fallback_mt);
		record_fallback(fb, pfn, o, start_mt, fallback_mt, false);
		return pfn;
	}
	return -1;
}

/* __rmqueue(): own type, then claim, then steal. */
static int64_t rmqueue(struct zone *z, unsigned order, int mt,
		       unsigned alloc_flags, struct buddy_fallback *fb)
{
	int64_t pfn = rmqueue_smallest(z, order, mt);

	if (pfn >= 0 || mt >= MIGRATE_HIGHATOMIC)
		return pfn;
	pfn = rmqueue_claim(z, order, mt, alloc_flags, fb);
	if (pfn < 0 && !(alloc_flags & ALLOC_NOFRAGMENT))
		pfn = rmqueue_steal(z, order, mt, fb);
	return pfn;
}

int64_t buddy_alloc(struct zone *z, unsigned order, int migratetype,
		    unsigned alloc_flags, struct buddy_fallback *fb)
{
	struct buddy_fallback local;
	int64_t pfn = -1;

	SIM_BUG_ON(migratetype < 0 || migratetype >= MIGRATE_TYPES);
	if (!fb)
		fb = &local;
	memset(fb, 0, sizeof(*fb));
	/*
	 * Most allocations: one page, from its own type's order-0 list, which
	 * is what rmqueue_smallest() would take first. The steps below, with
	 * what cannot happen here folded away.
	 */
	if (order == 0 && !(alloc_flags & ALLOC_HIGHATOMIC)) {
		uint32_t head = z->free_area[0].head[migratetype];

		if (head != PFN_NONE) {
			del_from_free_list(z, head, 0);
			prep_new_block(z, head, 0, migratetype);
			return head;
		}
	}
	if (order > MAX_PAGE_ORDER)
		return -1;
	if (alloc_flags & ALLOC_HIGHATOMIC)
		pfn = rmqueue_smallest(z, order, MIGRATE_HIGHATOMIC);
	if (pfn < 0)
		pfn = rmqueue(z, order, migratetype, alloc_flags, fb);
	/* Failing now is worse than failing a high-order atomic later. */
	if (pfn < 0 && (alloc_flags & (ALLOC_OOM | ALLOC_NON_BLOCK)))
		pfn = rmqueue_smallest(z, order, MIGRATE_HIGHATOMIC);
	if (pfn >= 0)
		prep_new_block(z, (uint64_t)pfn, order, migratetype);
	return pfn;
}

/* ---- allocation at a given pfn (trace placement) ---- */

/* The free block of order >= order that contains pfn, or -1. */
static int64_t enclosing_free_block(const struct zone *z, uint64_t pfn,
				    unsigned order, unsigned *block_order)
{
	for (unsigned k = order; k < NR_PAGE_ORDERS; k++) {
		uint64_t head = pfn & ~(((uint64_t)1 << k) - 1);

		if (!zone_spans(z, head))
			break;
		if (is_free_block(z, head, k)) {
			*block_order = k;
			return (int64_t)head;
		}
	}
	return -1;
}

/* Takes [pfn, pfn + 2^order) out of the larger free block at head. */
static void carve_block(struct zone *z, uint64_t head, unsigned k,
			uint64_t pfn, unsigned order)
{
	int mt = z->mem_map[head].migratetype;

	del_from_free_list(z, head, k);
	while (k > order) {
		uint64_t half;

		k--;
		half = (uint64_t)1 << k;
		if (pfn >= head + half) {
			add_to_free_list(z, head, k, mt, false);
			head += half;
		} else {
			add_to_free_list(z, head + half, k, mt, false);
		}
	}
}

/*
 * The range may also be covered by several smaller free blocks that did
 * not merge (a HIGHATOMIC pageblock next to an ordinary one). Free blocks
 * inside an aligned range start exactly where the previous one ended.
 */
static bool take_free_blocks_in_range(struct zone *z, uint64_t pfn,
				      unsigned order)
{
	const struct page *map = z->mem_map;
	uint64_t end = pfn + ((uint64_t)1 << order);

	for (uint64_t cur = pfn; cur < end; cur += (uint64_t)1 << map[cur].order)
		if (!(map[cur].flags & PG_buddy))
			return false;
	for (uint64_t cur = pfn; cur < end;) {
		unsigned k = map[cur].order;

		del_from_free_list(z, cur, k);
		cur += (uint64_t)1 << k;
	}
	return true;
}

bool buddy_alloc_at_type(struct zone *z, uint64_t pfn, unsigned order,
			 int migratetype)
{
	unsigned k;
	int64_t head;

	SIM_BUG_ON(migratetype < 0 || migratetype >= MIGRATE_TYPES);
	if (order > MAX_PAGE_ORDER || (pfn & (((uint64_t)1 << order) - 1)) ||
	    !zone_spans_range(z, pfn, order))
		return false;
	head = enclosing_free_block(z, pfn, order, &k);
	if (head >= 0)
		carve_block(z, (uint64_t)head, k, pfn, order);
	else if (order == 0 || !take_free_blocks_in_range(z, pfn, order))
		return false;
	prep_new_block(z, pfn, order, migratetype);
	return true;
}

bool buddy_alloc_at(struct zone *z, uint64_t pfn, unsigned order)
{
	if (!zone_spans(z, pfn))
		return false;
	return buddy_alloc_at_type(z, pfn, order, buddy_pageblock_mt(z, pfn));
}

/* ---- free ---- */

/* buddy_merge_likely(): is the block at pfn's next-higher buddy free? */
static bool buddy_merge_likely(const struct zone *z, uint64_t pfn,
			       unsigned order)
{
	uint64_t higher;

	if (order >= MAX_PAGE_ORDER - 1)
		return false;
	higher = pfn & ~((uint64_t)1 << order);
	return is_free_block(z, higher ^ ((uint64_t)2 << order), order + 1);
}

/* __free_one_page(): merge upward, then queue at head or tail. */
static void free_one_block(struct zone *z, uint64_t pfn, unsigned order,
			   int mt)
{
	while (order < MAX_PAGE_ORDER) {
		uint64_t buddy = pfn ^ ((uint64_t)1 << order);
		int buddy_mt;

		if (!is_free_block(z, buddy, order))
			break;
		buddy_mt = z->mem_map[buddy].migratetype;
		if (buddy_mt != mt && (!migratetype_is_mergeable(mt) ||
				       !migratetype_is_mergeable(buddy_mt)))
			break;
		del_from_free_list(z, buddy, order);
		/* Only across pageblocks can the types differ: the buddy's
		 * pageblocks join the freed block's type. */
		if (buddy_mt != mt)
			set_pageblock_range_mt(z, buddy, order, mt);
		pfn &= buddy;
		order++;
	}
	add_to_free_list(z, pfn, order, mt, buddy_merge_likely(z, pfn, order));
}

void buddy_free(struct zone *z, uint64_t pfn, unsigned order)
{
	uint64_t end, step;

	if (order == 0) {	/* most frees: the same steps, folded */
		SIM_BUG_ON(!zone_spans(z, pfn));
		if (SIM_DEBUG_CHECKS)
			SIM_BUG_ON(buddy_pfn_is_free(z, pfn));
		free_prepare(z, pfn, 0);
		free_one_block(z, pfn, 0, buddy_pageblock_mt(z, pfn));
		return;
	}
	SIM_BUG_ON(order > MAX_PAGE_ORDER);
	SIM_BUG_ON(pfn & (((uint64_t)1 << order) - 1));
	SIM_BUG_ON(!zone_spans_range(z, pfn, order));
	if (SIM_DEBUG_CHECKS)
		SIM_BUG_ON(buddy_pfn_is_free(z, pfn));
	free_prepare(z, pfn, order);
	if (order <= z->pageblock_order) {	/* within one pageblock */
		free_one_block(z, pfn, order, buddy_pageblock_mt(z, pfn));
		return;
	}
	/* split_large_buddy(): each pageblock goes to its own tag's list. */
	step = z->pageblock_order;
	end = pfn + ((uint64_t)1 << order);
	for (; pfn < end; pfn += (uint64_t)1 << step)
		free_one_block(z, pfn, (unsigned)step, buddy_pageblock_mt(z, pfn));
}

/* ---- setup and queries ---- */

/* __init_single_page(): a blank page of this zone, free, on no list. */
static void init_page(const struct zone *z, struct page *p)
{
	memset(p, 0, sizeof(*p));
	p->next = p->prev = PFN_NONE;
	p->mapping = PFN_NONE;
	p->flags = FREE_PAGE_FLAGS;
	p->zone = (uint8_t)z->zone_idx;
	p->nid = (uint8_t)z->nid;
}

/* Largest order of an aligned block at pfn that ends by end. */
static unsigned largest_fitting_order(uint64_t pfn, uint64_t end)
{
	unsigned order = MAX_PAGE_ORDER;

	while (order && ((pfn & (((uint64_t)1 << order) - 1)) ||
			 pfn + ((uint64_t)1 << order) > end))
		order--;
	return order;
}

void buddy_zone_init(struct zone *z, struct page *mem_map, uint64_t start_pfn,
		     uint64_t pages, unsigned pageblock_order)
{
	uint64_t end = start_pfn + pages;

	SIM_BUG_ON(pageblock_order < 1 || pageblock_order > MAX_PAGE_ORDER);
	SIM_BUG_ON(end < start_pfn || end > PFN_NONE);
	z->mem_map = mem_map;
	z->zone_start_pfn = start_pfn;
	z->spanned_pages = z->present_pages = z->managed_pages = pages;
	z->pageblock_order = pageblock_order;
	z->free_pages = z->nr_free_highatomic = 0;
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
		struct free_area *area = &z->free_area[o];

		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			area->head[mt] = PFN_NONE;
			area->nr_free_mt[mt] = 0;
		}
		area->nr_free = 0;
	}
	z->pageblock_mt = xmalloc(nr_pageblocks(z) ? nr_pageblocks(z) : 1);
	memset(z->pageblock_mt, MIGRATE_MOVABLE, nr_pageblocks(z));
	for (uint64_t pfn = start_pfn; pfn < end; pfn++)
		init_page(z, &mem_map[pfn]);
	/* Boot frees memory to the list tails (FPI_TO_TAIL), lowest pfn first. */
	for (uint64_t pfn = start_pfn; pfn < end;) {
		unsigned order = largest_fitting_order(pfn, end);

		add_to_free_list(z, pfn, order, MIGRATE_MOVABLE, true);
		pfn += (uint64_t)1 << order;
	}
}

void buddy_zone_destroy(struct zone *z)
{
	free(z->pageblock_mt);
	z->pageblock_mt = NULL;
}

bool buddy_pfn_is_free(const struct zone *z, uint64_t pfn)
{
	for (unsigned k = 0; k < NR_PAGE_ORDERS; k++) {
		uint64_t head = pfn & ~(((uint64_t)1 << k) - 1);

		if (!zone_spans(z, head))
			return false;
		if (is_free_block(z, head, k))
			return true;
	}
	return false;
}

int buddy_pageblock_mt(const struct zone *z, uint64_t pfn)
{
	SIM_BUG_ON(!zone_spans(z, pfn));
	return z->pageblock_mt[pageblock_index(z, pfn)];
}

void buddy_nr_free(const struct zone *z, uint64_t out[NR_PAGE_ORDERS])
{
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
		out[o] = z->free_area[o].nr_free;
}

/* ---- invariant check ---- */

#define CHECK(cond, ...)                                                      \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "buddy_check: zone %s: ", z->name);   \
			fprintf(stderr, __VA_ARGS__);                         \
			fputc('\n', stderr);                                  \
			return false;                                         \
		}                                                             \
	} while (0)

struct check_state {
	uint64_t *seen;		/* one bit per zone page covered by a free block */
	uint64_t free_pages;
	uint64_t highatomic_pages;
};

/* One free block: its head, its pages, its pageblock tags. */
static bool check_block(const struct zone *z, uint64_t pfn, unsigned order,
			int mt, struct check_state *st)
{
	const struct page *map = z->mem_map;
	uint64_t nr = (uint64_t)1 << order;

	CHECK(zone_spans_range(z, pfn, order),
	      "order-%u block at pfn %#llx is outside the zone", order,
	      (unsigned long long)pfn);
	CHECK((pfn & (nr - 1)) == 0, "order-%u block at pfn %#llx is misaligned",
	      order, (unsigned long long)pfn);
	CHECK(map[pfn].flags & PG_buddy, "pfn %#llx on a free list lacks PG_buddy",
	      (unsigned long long)pfn);
	CHECK(map[pfn].order == order && map[pfn].migratetype == mt,
	      "pfn %#llx on list order %u type %d says order %u type %u",
	      (unsigned long long)pfn, order, mt, map[pfn].order,
	      map[pfn].migratetype);
	for (uint64_t i = 0; i < nr; i++) {
		uint64_t bit = pfn + i - z->zone_start_pfn;
		uint32_t flags = map[pfn + i].flags & ~(i ? 0u : PG_buddy);

		CHECK(!(st->seen[bit / 64] & ((uint64_t)1 << (bit % 64))),
		      "free blocks overlap at pfn %#llx",
		      (unsigned long long)(pfn + i));
		st->seen[bit / 64] |= (uint64_t)1 << (bit % 64);
		CHECK(flags == FREE_PAGE_FLAGS,
		      "free pfn %#llx has flags %#x", (unsigned long long)(pfn + i),
		      flags);
		if (i % pageblock_nr_pages(z) == 0)
			CHECK(buddy_pageblock_mt(z, pfn + i) == mt,
			      "free pfn %#llx on type-%d list, pageblock type %d",
			      (unsigned long long)(pfn + i), mt,
			      buddy_pageblock_mt(z, pfn + i));
	}
	st->free_pages += nr;
	if (mt == MIGRATE_HIGHATOMIC)
		st->highatomic_pages += nr;
	return true;
}

/* One list: links both ways, length, each block. */
static bool check_list(const struct zone *z, unsigned order, int mt,
		       struct check_state *st)
{
	const struct free_area *area = &z->free_area[order];
	const struct page *map = z->mem_map;
	uint32_t head = area->head[mt], prev = PFN_NONE, pfn;
	uint64_t n = 0;

	for (pfn = head; pfn != PFN_NONE; prev = pfn, pfn = map[pfn].next) {
		CHECK(n < area->nr_free_mt[mt] && zone_spans(z, pfn),
		      "list order %u type %d is longer than %llu or leaves the zone",
		      order, mt, (unsigned long long)area->nr_free_mt[mt]);
		CHECK(pfn == head || map[pfn].prev == prev,
		      "pfn %#x: prev %#x, expected %#x", pfn, map[pfn].prev, prev);
		if (!check_block(z, pfn, order, mt, st))
			return false;
		n++;
	}
	CHECK(n == area->nr_free_mt[mt], "list order %u type %d: %llu blocks, "
	      "nr_free_mt says %llu", order, mt, (unsigned long long)n,
	      (unsigned long long)area->nr_free_mt[mt]);
	CHECK(head == PFN_NONE || map[head].prev == prev,
	      "list order %u type %d: head's prev %#x, last is %#x", order, mt,
	      map[head].prev, prev);
	return true;
}

static bool check_lists(const struct zone *z, struct check_state *st)
{
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
		uint64_t sum = 0;

		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			if (!check_list(z, o, mt, st))
				return false;
			sum += z->free_area[o].nr_free_mt[mt];
		}
		CHECK(sum == z->free_area[o].nr_free,
		      "order %u: nr_free %llu, lists hold %llu", o,
		      (unsigned long long)z->free_area[o].nr_free,
		      (unsigned long long)sum);
	}
	CHECK(st->free_pages == z->free_pages,
	      "free_pages %llu, lists hold %llu",
	      (unsigned long long)z->free_pages,
	      (unsigned long long)st->free_pages);
	CHECK(st->highatomic_pages == z->nr_free_highatomic,
	      "nr_free_highatomic %llu, lists hold %llu",
	      (unsigned long long)z->nr_free_highatomic,
	      (unsigned long long)st->highatomic_pages);
	return true;
}

bool buddy_check(const struct zone *z)
{
	struct check_state st = { 0 };
	bool ok = true;

	for (size_t i = 0; i < nr_pageblocks(z) && ok; i++)
		if (z->pageblock_mt[i] >= MIGRATE_TYPES) {
			fprintf(stderr, "buddy_check: zone %s: pageblock %zu has "
				"type %u\n", z->name, i, z->pageblock_mt[i]);
			ok = false;
		}
	if (!ok)
		return false;
	st.seen = xcalloc((size_t)(z->spanned_pages / 64 + 1), sizeof(uint64_t));
	ok = check_lists(z, &st);
	free(st.seen);
	return ok;
}
