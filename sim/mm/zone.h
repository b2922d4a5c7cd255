/*
 * zone.h - zones, free areas and watermarks (mm/page_alloc.c).
 *
 * A zone is a contiguous pfn range [zone_start_pfn, zone_start_pfn +
 * spanned_pages) of one node with its own buddy free lists and min/low/high
 * watermarks. The watermark formulas follow kernel-model.md §2 exactly
 * (__setup_per_zone_wmarks(), calculate_min_free_kbytes(),
 * setup_per_zone_lowmem_reserve(), __zone_watermark_ok()); see zone.c.
 */
#ifndef SIM_MM_ZONE_H
#define SIM_MM_ZONE_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/page.h"

#define MAX_PAGE_ORDER	10
#define NR_PAGE_ORDERS	(MAX_PAGE_ORDER + 1)
#define PAGE_ALLOC_COSTLY_ORDER 3
#define PAGE_SIZE	4096u
#define PAGE_SHIFT	12

enum zone_type {
	ZONE_DMA,
	ZONE_DMA32,
	ZONE_NORMAL,
	ZONE_MOVABLE,
	MAX_NR_ZONES
};

/* Numbering as in 6.12's enum migratetype (kernel-model.md §1.5). */
enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_HIGHATOMIC,
	MIGRATE_TYPES		/* CMA and ISOLATE are not modelled */
};

enum zone_watermarks {
	WMARK_MIN,
	WMARK_LOW,
	WMARK_HIGH,
	NR_WMARK
};

/* alloc_flags (mm/internal.h ALLOC_*), the ones the model uses. */
#define ALLOC_WMARK_MIN		0u
#define ALLOC_WMARK_LOW		1u
#define ALLOC_WMARK_HIGH	2u
#define ALLOC_NO_WATERMARKS	4u
#define ALLOC_WMARK_MASK	(ALLOC_NO_WATERMARKS - 1)
#define ALLOC_OOM		0x08u
#define ALLOC_NON_BLOCK		0x10u
#define ALLOC_MIN_RESERVE	0x20u
#define ALLOC_HIGHATOMIC	0x200u
#define ALLOC_KSWAPD		0x800u
#define ALLOC_NOFRAGMENT	0x100u
/* The caller may dip into the reserves below MIN (mm/internal.h ALLOC_RESERVES). */
#define ALLOC_RESERVES (ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | \
			ALLOC_OOM)

struct free_area {
	uint32_t head[MIGRATE_TYPES];	/* first free block per type, PFN_NONE if empty */
	uint64_t nr_free_mt[MIGRATE_TYPES];	/* blocks per type */
	uint64_t nr_free;		/* blocks of this order, all types */
};

struct zone {
	char name[16];			/* "DMA", "DMA32", "Normal", "Movable" */
	enum zone_type type;
	int zone_idx;			/* index in the node's zone array */
	int nid;			/* node id */
	uint64_t zone_start_pfn;
	uint64_t spanned_pages;
	uint64_t present_pages;
	uint64_t managed_pages;		/* pages the buddy allocator manages */
	uint64_t free_pages;		/* NR_FREE_PAGES: Σ nr_free[o] << o */
	uint64_t nr_free_highatomic;	/* free pages on HIGHATOMIC lists */
	uint64_t _watermark[NR_WMARK];	/* unboosted marks, pages */
	uint64_t watermark_boost;	/* pages added to every mark */
	uint64_t lowmem_reserve[MAX_NR_ZONES];	/* pages, by classzone's zone_idx */
	struct free_area free_area[NR_PAGE_ORDERS];
	unsigned pageblock_order;	/* 9 on x86-64 */
	uint8_t *pageblock_mt;		/* migratetype per pageblock */
	struct page *mem_map;		/* the global page array, indexed by pfn */
	int wmark_level;		/* nr of marks free_pages is above (crossings) */
};

/** min_free_kbytes at boot: isqrt(lowmem_kbytes * 16) clamped to [128, 262144]. */
uint64_t calculate_min_free_kbytes(uint64_t lowmem_kbytes);
/** Sets every zone's _watermark[] from min_free_kbytes (kernel-model.md §2.2). */
void setup_per_zone_wmarks(struct zone *zones, unsigned nr_zones,
			   uint64_t min_free_kbytes,
			   unsigned watermark_scale_factor);
/**
 * Sets lowmem_reserve[] from the per-zone-type ratios (§2.4); ratio 0 = none.
 * zones[] is one node's zone array in ascending order; ratio[] is indexed
 * by zone type and lowmem_reserve[] by position in zones[] (zone_idx), the
 * index zone_watermark_ok() takes as highest_zoneidx.
 */
void setup_per_zone_lowmem_reserve(struct zone *zones, unsigned nr_zones,
				   const unsigned ratio[MAX_NR_ZONES]);
/** The effective mark: _watermark[w] + watermark_boost. */
static inline uint64_t wmark_pages(const struct zone *z,
				   enum zone_watermarks w)
{
	return z->_watermark[w] + z->watermark_boost;
}
/**
 * __zone_watermark_ok() (§2.5): free_pages after the allocation stays above
 * mark + lowmem_reserve[highest_zoneidx], and for order > 0 a block of at
 * least that order exists on an ordinary list.
 */
bool zone_watermark_ok(const struct zone *z, unsigned order, uint64_t mark,
		       int highest_zoneidx, unsigned alloc_flags,
		       int64_t free_pages);
/**
 * zone_watermark_fast(): zone_watermark_ok() on the zone's free pages, with
 * the common case inline as in the kernel: an order-0 request without
 * rights to the reserves passes when the free pages outside the highatomic
 * reserve exceed mark + lowmem_reserve, and fails otherwise (for order 0
 * that is the whole test).
 */
static inline bool zone_watermark_fast(const struct zone *z, unsigned order,
				       uint64_t mark, int highest_zoneidx,
				       unsigned alloc_flags)
{
	if (!order && !(alloc_flags & ALLOC_RESERVES))
		return (int64_t)(z->free_pages - z->nr_free_highatomic) >
		       (int64_t)(mark + z->lowmem_reserve[highest_zoneidx]);
	return zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags,
				 (int64_t)z->free_pages);
}
/** How many of MIN, LOW, HIGH (boost included) free_pages is strictly above: 0..3. */
static inline int zone_wmark_level(const struct zone *z, uint64_t free_pages)
{
	return (free_pages > wmark_pages(z, WMARK_MIN)) +
	       (free_pages > wmark_pages(z, WMARK_LOW)) +
	       (free_pages > wmark_pages(z, WMARK_HIGH));
}
/**
 * boost_watermark() (§2.3), applied when the claim step had to fall back
 * to a block smaller than a pageblock (struct buddy_fallback.nr_boost).
 * Returns false where the kernel does not boost: factor 0, a zone of fewer
 * than 4 pageblocks, or a HIGH mark whose scaled value is 0.
 */
bool boost_watermark(struct zone *z, unsigned watermark_boost_factor);

#endif
