/*
 * zone.c - watermarks: how much of a zone must stay free, and the test an
 * allocation must pass against them (mm/page_alloc.c).
 *
 * What the kernel does (kernel-model.md §2):
 *
 * - calculate_min_free_kbytes() sizes the reserve at boot as
 *   isqrt(lowmem_kbytes * 16), clamped to [128 KiB, 256 MiB]: the reserve
 *   grows with the square root of memory, so 1 GiB keeps 4 MiB and 16 GiB
 *   keeps 16 MiB.
 * - __setup_per_zone_wmarks() spreads min_free_kbytes over the zones in
 *   proportion to their managed pages (ZONE_MOVABLE, like HighMem, is left
 *   out of the denominator and gets a small fixed MIN instead). LOW and HIGH
 *   sit one "gap" apart above MIN, where the gap is the larger of a quarter
 *   of the zone's share and watermark_scale_factor/10000 of the zone.
 * - boost_watermark() raises every mark temporarily after a fallback
 *   allocation polluted a pageblock, so that kswapd reclaims (and then
 *   compacts) before fragmentation spreads.
 * - setup_per_zone_lowmem_reserve() protects a lower zone from allocations
 *   that could have used a higher one: lowmem_reserve[j] of zone i is the
 *   managed memory of zones i+1..j divided by the ratio of zone i.
 * - __zone_watermark_ok() is the modern test (no per-order halving): the
 *   order-0 free count, less what the allocation takes beyond its first
 *   page and less the HIGHATOMIC reserve unless the caller may use
 *   reserves, must stay above the (possibly reduced) mark plus the lowmem
 *   reserve; then an order-k request also needs one free block of order
 *   >= k on an ordinary list (or on HIGHATOMIC, for callers entitled to it).
 *
 * What we simplify: no HighMem, CMA or PROMO mark (NUMA tiering); the
 * kernel's per-CPU drift of NR_FREE_PAGES does not exist here, so
 * zone_watermark_ok() is also zone_watermark_ok_safe().
 *
 * Index conventions: a node's zones sit in one array in ascending type
 * order; zone_idx is the position in it, lowmem_reserve[] is indexed by
 * the classzone's position, lowmem_reserve_ratio[] by zone type. With
 * every zone type present the two coincide, as in the kernel.
 *
 * All arithmetic is in 64-bit unsigned pages except the watermark test,
 * which is signed as the kernel's (free pages may go negative after the
 * deductions).
 */
#include "mm/zone.h"

#include "bug.h"
#include "kmath.h"

#define MIN_FREE_KBYTES_MIN	128u
#define MIN_FREE_KBYTES_MAX	262144u
/* __setup_per_zone_wmarks(): MIN of a Movable zone is managed/1024 in [32, 128]. */
#define MOVABLE_MIN_PAGES_LO	32u
#define MOVABLE_MIN_PAGES_HI	128u
/* x * n / d without overflowing the product (the kernel's mult_frac()). */
static uint64_t mult_frac_u64(uint64_t x, uint64_t n, uint64_t d)
{
	return (x / d) * n + (x % d) * n / d;
}

uint64_t calculate_min_free_kbytes(uint64_t lowmem_kbytes)
{
	uint64_t scaled = lowmem_kbytes > UINT64_MAX / 16 ? UINT64_MAX
							  : lowmem_kbytes * 16;
	uint64_t kbytes = int_sqrt(scaled);

	if (kbytes < MIN_FREE_KBYTES_MIN)
		return MIN_FREE_KBYTES_MIN;
	if (kbytes > MIN_FREE_KBYTES_MAX)
		return MIN_FREE_KBYTES_MAX;
	return kbytes;
}

/* is_highmem() || ZONE_MOVABLE: left out of lowmem_pages, fixed small MIN. */
static bool zone_is_movable_like(const struct zone *z)
{
	return z->type == ZONE_MOVABLE;
}

static uint64_t movable_min_pages(uint64_t managed_pages)
{
	uint64_t min_pages = managed_pages / 1024;

	if (min_pages < MOVABLE_MIN_PAGES_LO)
		return MOVABLE_MIN_PAGES_LO;
	if (min_pages > MOVABLE_MIN_PAGES_HI)
		return MOVABLE_MIN_PAGES_HI;
	return min_pages;
}

void setup_per_zone_wmarks(struct zone *zones, unsigned nr_zones,
			   uint64_t min_free_kbytes,
			   unsigned watermark_scale_factor)
{
	uint64_t pages_min = min_free_kbytes >> (PAGE_SHIFT - 10);
	uint64_t lowmem_pages = 0;

	for (unsigned i = 0; i < nr_zones; i++)
		if (!zone_is_movable_like(&zones[i]))
			lowmem_pages += zones[i].managed_pages;

	for (unsigned i = 0; i < nr_zones; i++) {
		struct zone *z = &zones[i];
		/* A node of Movable zones only has no lowmem to share; the kernel
		 * never boots like that, we give such zones share 0. */
		uint64_t share = lowmem_pages ?
			pages_min * z->managed_pages / lowmem_pages : 0;
		uint64_t scaled = mult_frac_u64(z->managed_pages,
						watermark_scale_factor, 10000);
		uint64_t gap = share / 4 > scaled ? share / 4 : scaled;

		z->_watermark[WMARK_MIN] = zone_is_movable_like(z) ?
			movable_min_pages(z->managed_pages) : share;
		z->_watermark[WMARK_LOW] = z->_watermark[WMARK_MIN] + gap;
		z->_watermark[WMARK_HIGH] = z->_watermark[WMARK_LOW] + gap;
		z->watermark_boost = 0;
	}
}

void setup_per_zone_lowmem_reserve(struct zone *zones, unsigned nr_zones,
				   const unsigned ratio[MAX_NR_ZONES])
{
	SIM_BUG_ON(nr_zones > MAX_NR_ZONES);
	for (unsigned i = 0; i < nr_zones; i++) {
		struct zone *z = &zones[i];
		unsigned r = ratio[z->type];
		bool clear = r == 0 || z->managed_pages == 0;
		uint64_t upper_pages = 0;

		for (unsigned j = 0; j < MAX_NR_ZONES; j++)
			z->lowmem_reserve[j] = 0;
		for (unsigned j = i + 1; j < nr_zones; j++) {
			upper_pages += zones[j].managed_pages;
			z->lowmem_reserve[j] = clear ? 0 : upper_pages / r;
		}
	}
}

bool boost_watermark(struct zone *z, unsigned watermark_boost_factor)
{
	uint64_t pageblock_pages = (uint64_t)1 << z->pageblock_order;
	uint64_t max_boost;

	if (watermark_boost_factor == 0)
		return false;
	/* Small zones: a boost could exhaust them outright. */
	if (pageblock_pages * 4 > z->managed_pages)
		return false;
	max_boost = mult_frac_u64(z->_watermark[WMARK_HIGH],
				  watermark_boost_factor, 10000);
	/* Marks not set up yet: reclaim could not meet a boost. */
	if (max_boost == 0)
		return false;
	if (max_boost < pageblock_pages)
		max_boost = pageblock_pages;
	z->watermark_boost += pageblock_pages;
	if (z->watermark_boost > max_boost)
		z->watermark_boost = max_boost;
	return true;
}

/* The reduced mark for callers with access to the reserves below MIN. */
static int64_t reserve_adjusted_min(int64_t min, unsigned alloc_flags)
{
	if (alloc_flags & ALLOC_MIN_RESERVE) {
		min -= min / 2;		/* __GFP_HIGH */
		if (alloc_flags & ALLOC_NON_BLOCK)
			min -= min / 4;	/* atomic */
	}
	if (alloc_flags & ALLOC_OOM)
		min -= min / 2;		/* OOM victim on its way out */
	return min;
}

/* One free block of order >= order on a list this caller may take from. */
static bool zone_has_suitable_block(const struct zone *z, unsigned order,
				    unsigned alloc_flags)
{
	bool highatomic_ok = alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM);

	for (unsigned o = order; o < NR_PAGE_ORDERS; o++) {
		const struct free_area *area = &z->free_area[o];

		if (!area->nr_free)
			continue;
		if (area->nr_free_mt[MIGRATE_UNMOVABLE] ||
		    area->nr_free_mt[MIGRATE_MOVABLE] ||
		    area->nr_free_mt[MIGRATE_RECLAIMABLE])
			return true;
		if (highatomic_ok && area->nr_free_mt[MIGRATE_HIGHATOMIC])
			return true;
	}
	return false;
}

bool zone_watermark_ok(const struct zone *z, unsigned order, uint64_t mark,
		       int highest_zoneidx, unsigned alloc_flags,
		       int64_t free_pages)
{
	int64_t min = (int64_t)mark;

	SIM_BUG_ON(highest_zoneidx < 0 || highest_zoneidx >= MAX_NR_ZONES);
	if (order > MAX_PAGE_ORDER)
		return false;
	/* Pages the caller could not use: the rest of its own block and,
	 * without rights to reserves, the free highatomic reserve. */
	free_pages -= ((int64_t)1 << order) - 1;
	if (!(alloc_flags & ALLOC_RESERVES)) {
		free_pages -= (int64_t)z->nr_free_highatomic;
	} else {
		min = reserve_adjusted_min(min, alloc_flags);
	}
	if (free_pages <= min + (int64_t)z->lowmem_reserve[highest_zoneidx])
		return false;
	if (order == 0)
		return true;
	return zone_has_suitable_block(z, order, alloc_flags);
}
