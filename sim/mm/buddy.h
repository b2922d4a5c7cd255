/*
 * buddy.h - the binary buddy allocator of one zone (mm/page_alloc.c).
 *
 * Free lists per (order, migratetype) in zone->free_area; blocks split on
 * allocation (__rmqueue_smallest(), expand()) and merge with their buddy
 * (pfn ^ (1 << order)) on free (__free_one_page()). Pageblocks carry a
 * migratetype tag; when the requested type's lists are empty the fallback
 * table, the claim step (whole pageblock retag, half-pageblock rule) and the
 * steal step follow kernel-model.md §1.6. See buddy.c.
 *
 * Free list layout, for code that walks free_area[o].head[mt] itself: the
 * lists are doubly linked through struct page next/prev and end with
 * next == PFN_NONE; the first page's prev holds the pfn of the last page
 * (so blocks can be added at the tail in O(1), as the kernel does). The
 * head page of a free block has PG_buddy, order = the block's order and
 * migratetype = the list it is on, which is always its pageblock's tag.
 */
#ifndef SIM_MM_BUDDY_H
#define SIM_MM_BUDDY_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/zone.h"

/* What a fallback did, for the mm_page_alloc_extfrag event. */
struct buddy_fallback {
	bool happened;			/* the block came from another type's list */
	unsigned fallback_order;	/* order of the block taken */
	int alloc_migratetype;		/* the requested type */
	int fallback_migratetype;	/* the list it was taken from */
	bool change_ownership;		/* the pageblock was retagged */
	bool boost;			/* the claim step boosted the watermark */
	unsigned nr_boost;		/* boost_watermark() calls due: one per
					 * sub-pageblock claim attempt, even a
					 * failed one, even if no page came */
	uint64_t pfn;			/* first pfn of the allocation */
};

/**
 * Sets up the zone's free lists over [start_pfn, start_pfn + pages): every
 * page free, in the largest aligned blocks, every pageblock MOVABLE.
 * mem_map must cover those pfns. Like __init_single_page() it resets their
 * struct pages (zone = z->zone_idx, nid = z->nid, mapping = PFN_NONE, no
 * links); sets zone_start_pfn, spanned/present/managed_pages (= pages),
 * free_pages and pageblock_order; leaves name, type and marks alone.
 */
void buddy_zone_init(struct zone *z, struct page *mem_map, uint64_t start_pfn,
		     uint64_t pages, unsigned pageblock_order);
/** Frees what buddy_zone_init() allocated (not mem_map). */
void buddy_zone_destroy(struct zone *z);
/**
 * __rmqueue(): allocates 2^order pages of the given migratetype, falling back
 * as the kernel does (ALLOC_NOFRAGMENT in alloc_flags limits it to whole
 * pageblocks). Returns the first pfn, or -1 when no block is free. fb may be
 * NULL. Does not check watermarks. As rmqueue_buddy() does,
 * ALLOC_HIGHATOMIC tries the HIGHATOMIC list first and ALLOC_OOM or
 * ALLOC_NON_BLOCK use it as a last resort. The block's pages get PG_head
 * (first) or PG_tail, and migratetype; the first page gets order.
 */
int64_t buddy_alloc(struct zone *z, unsigned order, int migratetype,
		    unsigned alloc_flags, struct buddy_fallback *fb);
/**
 * Takes the specific block [pfn, pfn + 2^order) out of the free lists,
 * splitting the free block that contains it (trace placement mode). False,
 * and nothing changes, if any page of it is not free, pfn is not aligned to
 * 2^order, the block leaves the zone or order > MAX_PAGE_ORDER.
 */
bool buddy_alloc_at(struct zone *z, uint64_t pfn, unsigned order);
/**
 * buddy_alloc_at() that records migratetype as the allocation's type
 * (page->migratetype, which later claim decisions count); buddy_alloc_at()
 * records the pageblock's tag.
 */
bool buddy_alloc_at_type(struct zone *z, uint64_t pfn, unsigned order,
			 int migratetype);
/**
 * Frees an allocated block; it merges with free buddies. The block must be
 * aligned and inside the zone, and its first page neither free nor on an
 * LRU list (PG_lru): those are bugs and abort. Every page's flags are
 * cleared (PG_poison in SIM_DEBUG_CHECKS builds).
 */
void buddy_free(struct zone *z, uint64_t pfn, unsigned order);
/** True if pfn lies inside a free block. */
bool buddy_pfn_is_free(const struct zone *z, uint64_t pfn);
/** Migratetype tag of the pageblock containing pfn. */
int buddy_pageblock_mt(const struct zone *z, uint64_t pfn);
/** Copies nr_free per order (all types) into out. */
void buddy_nr_free(const struct zone *z, uint64_t out[NR_PAGE_ORDERS]);
/**
 * Walks every free list: links, flags, orders, alignment, no overlap,
 * nr_free and free_pages totals. Returns false and prints the first broken
 * invariant to stderr.
 */
bool buddy_check(const struct zone *z);

#endif
