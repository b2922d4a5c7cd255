/*
 * frag.c - fragmentation metrics, pure functions of the per-order free
 * block counts (mm/vmstat.c, mm/compaction.c; kernel-model.md §8.1-§8.3,
 * §7.7).
 *
 * The kernel gathers three numbers per zone and order k
 * (fill_contig_page_info()): free pages, free blocks, and how many order-k
 * chunks the free blocks of order >= k hold. Everything else is computed
 * from those:
 *
 * - __fragmentation_index() (Mel Gorman): when an order-k allocation
 *   cannot succeed, 1000 - (1000 + 1000 * free_pages / 2^k) / blocks tells
 *   whether that is for lack of memory (towards 0: reclaim) or because the
 *   free memory is in pieces (towards 1000: compact). -1000 means the
 *   allocation would succeed; 0 when nothing is free. The formula dips
 *   below 0 when very few blocks are free (one page, k = 1: -500); the
 *   kernel keeps that value and so do we. Compaction refuses costly
 *   orders whose index is in [0, extfrag_threshold].
 * - unusable_free_index(): the share of free memory, x1000, in blocks too
 *   small for order k (1000 when nothing is free, there is nothing usable).
 * - extfrag_for_order(): the same share as a percentage (0 when nothing is
 *   free); at the pageblock order it is the zone's proactive-compaction
 *   score, which the node score weights by present pages.
 *
 * All divisions truncate, in 64-bit unsigned arithmetic, as the kernel's
 * div_u64(). Nothing here reads a zone: the caller hands in nr_free[].
 *
 * Pageblocks per migratetype: the tag of every pageblock, and whether it is
 * "mixed" - holds a page in use that was allocated as another type, the
 * long-term damage fallbacks do (/proc/pagetypeinfo prints it with
 * page_owner). pageblock_stats_scan() is the definition, a walk over the
 * zone's pages; struct pageblock_usage keeps per-pageblock counts of
 * in-use pages by type, updated by the engine on every allocation and
 * free, so that the frag event costs O(pageblocks), not O(pages). The
 * invariant check compares the two.
 */
#include "mm/frag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bug.h"
#include "xalloc.h"

void fill_contig_page_info(const uint64_t nr_free[NR_PAGE_ORDERS],
			   unsigned order, struct contig_page_info *info)
{
	info->free_pages = 0;
	info->free_blocks_total = 0;
	info->free_blocks_suitable = 0;
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
		info->free_blocks_total += nr_free[o];
		info->free_pages += nr_free[o] << o;
		if (o >= order)
			info->free_blocks_suitable += nr_free[o] << (o - order);
	}
}

int fragmentation_index(const struct contig_page_info *info, unsigned order)
{
	uint64_t requested_pages, spread;

	if (order > MAX_PAGE_ORDER || info->free_blocks_total == 0)
		return 0;
	if (info->free_blocks_suitable)
		return -1000;
	requested_pages = (uint64_t)1 << order;
	spread = (1000 + info->free_pages * 1000 / requested_pages) /
		 info->free_blocks_total;
	/* Below 0 when few blocks hold most of 2^k: one free page and
	 * k = 1 gives -500. The kernel returns that too; only callers'
	 * range tests (0 <= index <= extfrag_threshold) look at it. */
	return (int)(1000 - (int64_t)spread);
}

/* Free pages in blocks smaller than order k. */
static uint64_t unusable_pages(const struct contig_page_info *info,
			       unsigned order)
{
	if (order > MAX_PAGE_ORDER)
		return info->free_pages;	/* no block is that large */
	return info->free_pages - (info->free_blocks_suitable << order);
}

int unusable_free_index(const struct contig_page_info *info, unsigned order)
{
	if (info->free_pages == 0)
		return 1000;
	return (int)(unusable_pages(info, order) * 1000 / info->free_pages);
}

unsigned extfrag_for_order(const struct contig_page_info *info, unsigned order)
{
	if (info->free_pages == 0)
		return 0;
	return (unsigned)(unusable_pages(info, order) * 100 / info->free_pages);
}

unsigned fragmentation_score_zone(const uint64_t nr_free[NR_PAGE_ORDERS],
				  unsigned order)
{
	struct contig_page_info info;

	fill_contig_page_info(nr_free, order, &info);
	return extfrag_for_order(&info, order);
}

uint64_t fragmentation_score_zone_weighted(uint64_t zone_present_pages,
					   unsigned zone_score,
					   uint64_t node_present_pages)
{
	return zone_present_pages * zone_score / (node_present_pages + 1);
}

void frag_index_format(int index, char buf[8])
{
	/* extfrag_show_print(): index / 1000 "." index % 1000, both signed,
	 * so -1000 prints "-1.000" and the rare -500 prints "0.-500" as in
	 * debugfs. The clamp keeps every int within the 8 bytes. */
	if (index < -9999)
		index = -9999;
	if (index > 99999)
		index = 99999;
	snprintf(buf, 8, "%d.%03d", index / 1000, index % 1000);
}

void frag_snapshot_fill(const uint64_t nr_free[NR_PAGE_ORDERS],
			struct frag_snapshot *out)
{
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
		struct contig_page_info info;

		fill_contig_page_info(nr_free, o, &info);
		out->free_blocks[o] = nr_free[o];
		out->unusable_index[o] = unusable_free_index(&info, o);
		out->extfrag_index[o] = fragmentation_index(&info, o);
		if (o == 0)
			out->free_pages = info.free_pages;
	}
	out->score = fragmentation_score_zone(nr_free, 9);
}

/* ---- pageblocks per migratetype ---------------------------------------- */

static uint64_t pageblock_base_pfn(const struct zone *z)
{
	return z->zone_start_pfn & ~(((uint64_t)1 << z->pageblock_order) - 1);
}

void pageblock_stats_scan(const struct zone *z, size_t nr_pageblocks,
			  struct pageblock_stats *out)
{
	const struct page *map = z->mem_map;
	uint64_t base = pageblock_base_pfn(z);
	uint64_t end = base + ((uint64_t)nr_pageblocks << z->pageblock_order);
	uint8_t *mixed = xcalloc(nr_pageblocks ? nr_pageblocks : 1, 1);

	if (end > z->zone_start_pfn + z->spanned_pages)
		end = z->zone_start_pfn + z->spanned_pages;
	/* One walk: free blocks may span several pageblocks. */
	for (uint64_t pfn = z->zone_start_pfn; pfn < end;) {
		const struct page *p = &map[pfn];
		size_t i = (size_t)((pfn - base) >> z->pageblock_order);

		if (p->flags & PG_buddy) {
			pfn += (uint64_t)1 << p->order;
			continue;
		}
		if (!(p->flags & PG_reserved) &&
		    p->migratetype != z->pageblock_mt[i])
			mixed[i] = 1;
		pfn++;
	}
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < nr_pageblocks; i++) {
		out->nr[z->pageblock_mt[i]]++;
		out->mixed[z->pageblock_mt[i]] += mixed[i];
	}
	free(mixed);
}

void pageblock_usage_init(struct pageblock_usage *u, const struct zone *z)
{
	uint64_t base = pageblock_base_pfn(z);
	uint64_t last = z->zone_start_pfn + z->spanned_pages - 1;

	u->pageblock_order = z->pageblock_order;
	u->base_pfn = base;
	u->nr_pageblocks = z->spanned_pages ?
		(size_t)(((last - base) >> z->pageblock_order) + 1) : 0;
	u->nr_present = u->nr_pageblocks;
	u->used = xcalloc(u->nr_pageblocks ? u->nr_pageblocks : 1,
			  sizeof(*u->used));
}

void pageblock_usage_destroy(struct pageblock_usage *u)
{
	free(u->used);
	u->used = NULL;
	u->nr_pageblocks = u->nr_present = 0;
}

void pageblock_usage_add_block(struct pageblock_usage *u, uint64_t pfn,
			       unsigned order, int migratetype, int sign)
{
	uint64_t left = (uint64_t)1 << order;
	uint64_t per_block = (uint64_t)1 << u->pageblock_order;

	SIM_BUG_ON(migratetype < 0 || migratetype >= MIGRATE_TYPES);
	while (left) {
		size_t i = (size_t)((pfn - u->base_pfn) >> u->pageblock_order);
		uint64_t room = per_block - ((pfn - u->base_pfn) & (per_block - 1));
		uint64_t n = left < room ? left : room;
		uint16_t *c = &u->used[i][migratetype];

		SIM_BUG_ON(i >= u->nr_pageblocks);
		if (sign > 0) {
			SIM_BUG_ON(*c + n > per_block);
			*c = (uint16_t)(*c + n);
		} else {
			SIM_BUG_ON(*c < n);
			*c = (uint16_t)(*c - n);
		}
		pfn += n;
		left -= n;
	}
}

void pageblock_stats_from_usage(const struct pageblock_usage *u,
				const uint8_t *pageblock_mt,
				struct pageblock_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < u->nr_present; i++) {
		int tag = pageblock_mt[i];
		bool mixed = false;

		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			if (mt != tag && u->used[i][mt])
				mixed = true;
		out->nr[tag]++;
		out->mixed[tag] += mixed;
	}
}
