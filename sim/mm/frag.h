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

#include <stdint.h>

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

#endif
