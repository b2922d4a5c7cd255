/*
 * frag.h - fragmentation metrics as pure functions of free-block counts.
 *
 * mm/vmstat.c: fill_contig_page_info() gathers the counts,
 * __fragmentation_index(), unusable_free_index() and extfrag_for_order()
 * compute on them; mm/compaction.c: fragmentation_score_zone() weights the
 * order-9 figure. kernel-model.md §8 has the formulas and a worked example.
 * All are pure: hand them an nr_free[] array and check the answer.
 */
#ifndef SIM_MM_FRAG_H
#define SIM_MM_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bug.h"

#include "mm/zone.h"

struct contig_page_info {
	uint64_t free_pages;		/* Σ nr_free[o] << o */
	uint64_t free_blocks_total;	/* Σ nr_free[o] */
	uint64_t free_blocks_suitable;	/* order-k chunks available */
};

/** Gathers the three counts for an allocation of the given order. */
void fill_contig_page_info(const uint64_t nr_free[NR_PAGE_ORDERS],
			   unsigned order, struct contig_page_info *info);
/**
 * Fragmentation index ×1000: -1000 if it would succeed, 0 if nothing is
 * free, else 1000 - (1000 + 1000·free/2^order)/blocks: up to 1000, and
 * below 0 (down to -500) when few small blocks are free.
 */
int fragmentation_index(const struct contig_page_info *info, unsigned order);
/** Unusable free space index ×1000 (1000 when nothing is free). */
int unusable_free_index(const struct contig_page_info *info, unsigned order);
/** extfrag_for_order(): percentage 0..100 of free memory unusable at order. */
unsigned extfrag_for_order(const struct contig_page_info *info, unsigned order);
/** Zone fragmentation score: extfrag_for_order at order 9 (pageblock order). */
unsigned fragmentation_score_zone(const uint64_t nr_free[NR_PAGE_ORDERS],
				  unsigned order);
/** present × score / (node_present + 1): one zone's share of the node score. */
uint64_t fragmentation_score_zone_weighted(uint64_t zone_present_pages,
					   unsigned zone_score,
					   uint64_t node_present_pages);
/**
 * Formats an index ×1000 as the kernel's debugfs does ("%d.%03d" of
 * index/1000, index%1000): "-1.000", "0.916", and "0.-500" for -500.
 */
void frag_index_format(int index, char buf[8]);

/* Everything the frag log event reports about one zone's free lists. */
struct frag_snapshot {
	uint64_t free_pages;			/* Σ nr_free[o] << o */
	uint64_t free_blocks[NR_PAGE_ORDERS];	/* buddyinfo: nr_free per order */
	int unusable_index[NR_PAGE_ORDERS];	/* ×1000, per order */
	int extfrag_index[NR_PAGE_ORDERS];	/* ×1000; -1000: would succeed */
	unsigned score;				/* extfrag_for_order(9), 0..100 */
};

/** Fills every metric of the snapshot from nr_free[]: O(orders²). */
void frag_snapshot_fill(const uint64_t nr_free[NR_PAGE_ORDERS],
			struct frag_snapshot *out);

/*
 * Pageblocks per migratetype tag, and how many of them are "mixed": hold a
 * page in use that was allocated as another type (the "Number of mixed
 * blocks" of /proc/pagetypeinfo, which needs page_owner in the kernel).
 */
struct pageblock_stats {
	uint64_t nr[MIGRATE_TYPES];	/* pageblocks with each tag */
	uint64_t mixed[MIGRATE_TYPES];	/* of those, mixed */
};

/**
 * The pure definition: walks the first nr_pageblocks pageblocks of zone z
 * (its tags and its pages' states) and counts. O(pages of the zone).
 */
void pageblock_stats_scan(const struct zone *z, size_t nr_pageblocks,
			  struct pageblock_stats *out);

/*
 * The same counts kept up to date as pages are allocated and freed, so a
 * frag event costs O(pageblocks) instead of O(pages): in-use pages per
 * pageblock and per type they were allocated as. The engine calls
 * pageblock_usage_add() wherever a block changes hands.
 */
struct pageblock_usage {
	uint16_t (*used)[MIGRATE_TYPES];	/* [pageblock][migratetype] */
	size_t nr_pageblocks;		/* pageblocks of the zone */
	size_t nr_present;		/* the first nr_present are counted */
	uint64_t base_pfn;		/* first pfn of pageblock 0 */
	unsigned pageblock_order;
};

/** Sizes the counters for zone z, every pageblock present, none used. */
void pageblock_usage_init(struct pageblock_usage *u, const struct zone *z);
void pageblock_usage_destroy(struct pageblock_usage *u);
/** 2^order pages at pfn allocated (sign +1) or freed (-1) as migratetype. */
void pageblock_usage_add_block(struct pageblock_usage *u, uint64_t pfn,
			       unsigned order, int migratetype, int sign);
/*
 * The same, with single pages (nearly every call: faults and reclaim)
 * counted inline. The counts are checked as the general path does.
 */
static inline void pageblock_usage_add(struct pageblock_usage *u,
				       uint64_t pfn, unsigned order,
				       int migratetype, int sign)
{
	size_t i = (size_t)((pfn - u->base_pfn) >> u->pageblock_order);
	uint16_t *c;

	if (order || (unsigned)migratetype >= MIGRATE_TYPES ||
	    i >= u->nr_pageblocks) {
		pageblock_usage_add_block(u, pfn, order, migratetype, sign);
		return;
	}
	c = &u->used[i][migratetype];
	if (sign > 0) {
		SIM_BUG_ON(*c >= (1u << u->pageblock_order));
		(*c)++;
	} else {
		SIM_BUG_ON(*c == 0);
		(*c)--;
	}
}
/** pageblock_stats_scan()'s result from the counters and the tags. */
void pageblock_stats_from_usage(const struct pageblock_usage *u,
				const uint8_t *pageblock_mt,
				struct pageblock_stats *out);

#endif
