/*
 * check_frag.c - fragmentation metrics (sim/mm/frag.c) on hand-built and
 * random nr_free arrays, against kernel-model.md §8.3's worked example and
 * a reference that enumerates the free blocks one by one.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mm/buddy.h"
#include "mm/frag.h"

static struct contig_page_info info_for(const uint64_t nr_free[NR_PAGE_ORDERS],
					unsigned order)
{
	struct contig_page_info info;

	fill_contig_page_info(nr_free, order, &info);
	return info;
}

START_TEST(worked_example)
{
	const uint64_t nr_free[NR_PAGE_ORDERS] = { 1000, 200, 50, 10 };
	struct contig_page_info k4 = info_for(nr_free, 4);
	struct contig_page_info k2 = info_for(nr_free, 2);

	ck_assert_uint_eq(k4.free_pages, 1680);
	ck_assert_uint_eq(k4.free_blocks_total, 1260);
	ck_assert_uint_eq(k4.free_blocks_suitable, 0);
	ck_assert_int_eq(fragmentation_index(&k4, 4), 916);
	ck_assert_int_eq(unusable_free_index(&k4, 4), 1000);
	ck_assert_uint_eq(extfrag_for_order(&k4, 4), 100);

	ck_assert_uint_eq(k2.free_blocks_suitable, 70);
	ck_assert_int_eq(fragmentation_index(&k2, 2), -1000);
	ck_assert_int_eq(unusable_free_index(&k2, 2), 833);
	ck_assert_uint_eq(extfrag_for_order(&k2, 2), 83);
}
END_TEST

START_TEST(empty_zone)
{
	const uint64_t nr_free[NR_PAGE_ORDERS] = { 0 };

	for (unsigned k = 0; k <= MAX_PAGE_ORDER; k++) {
		struct contig_page_info info = info_for(nr_free, k);

		ck_assert_int_eq(fragmentation_index(&info, k), 0);
		ck_assert_int_eq(unusable_free_index(&info, k), 1000);
		ck_assert_uint_eq(extfrag_for_order(&info, k), 0);
	}
	ck_assert_uint_eq(fragmentation_score_zone(nr_free, 9), 0);
}
END_TEST

START_TEST(orders_above_every_block)
{
	/* 8 order-0, 4 order-1, 2 order-2: 24 pages in 14 blocks. */
	const uint64_t nr_free[NR_PAGE_ORDERS] = { 8, 4, 2 };

	for (unsigned k = 3; k <= MAX_PAGE_ORDER; k++) {
		struct contig_page_info info = info_for(nr_free, k);
		int expect = 1000 - (int)((1000 + 24 * 1000 / (1u << k)) / 14);

		ck_assert_uint_eq(info.free_blocks_suitable, 0);
		ck_assert_int_eq(fragmentation_index(&info, k), expect);
		ck_assert_int_eq(unusable_free_index(&info, k), 1000);
		ck_assert_uint_eq(extfrag_for_order(&info, k), 100);
	}
	/* k = 3: 1000 - (1000 + 3000) / 14 = 1000 - 285 */
	{
		struct contig_page_info info = info_for(nr_free, 3);

		ck_assert_int_eq(fragmentation_index(&info, 3), 715);
	}
	/* One free page and k = 1: the formula goes below 0, as the kernel's. */
	{
		const uint64_t one[NR_PAGE_ORDERS] = { 1 };
		struct contig_page_info info = info_for(one, 1);

		ck_assert_int_eq(fragmentation_index(&info, 1), -500);
	}
	/* An order beyond MAX_PAGE_ORDER is refused as the kernel does. */
	{
		struct contig_page_info info = info_for(nr_free, 11);

		ck_assert_int_eq(fragmentation_index(&info, 11), 0);
		ck_assert_int_eq(unusable_free_index(&info, 11), 1000);
	}
}
END_TEST

START_TEST(score_and_weight)
{
	const uint64_t only_small[NR_PAGE_ORDERS] = { 100, 50, 0, 7 };
	const uint64_t only_big[NR_PAGE_ORDERS] = { [9] = 3, [10] = 2 };
	/* 512 pages in order-0 blocks, one order-9 block: half is usable. */
	const uint64_t half[NR_PAGE_ORDERS] = { [0] = 512, [9] = 1 };

	ck_assert_uint_eq(fragmentation_score_zone(only_small, 9), 100);
	ck_assert_uint_eq(fragmentation_score_zone(only_big, 9), 0);
	ck_assert_uint_eq(fragmentation_score_zone(half, 9), 50);
	/* 1000 * 50 / 3001 = 16.66 → 16 */
	ck_assert_uint_eq(fragmentation_score_zone_weighted(1000, 50, 3000), 16);
	ck_assert_uint_eq(fragmentation_score_zone_weighted(3000, 100, 3000), 99);
	ck_assert_uint_eq(fragmentation_score_zone_weighted(0, 100, 3000), 0);
}
END_TEST

START_TEST(index_format)
{
	static const struct {
		int index;
		const char *text;
	} cases[] = {
		{ -1000, "-1.000" }, { 916, "0.916" }, { 0, "0.000" },
		{ 1000, "1.000" }, { 5, "0.005" }, { 833, "0.833" },
		{ 40, "0.040" }, { -500, "0.-500" },
	};
	char buf[8];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		frag_index_format(cases[i].index, buf);
		ck_assert_str_eq(buf, cases[i].text);
	}
}
END_TEST

/* The reference: every free block listed, the counts taken block by block. */
struct ref_counts {
	uint64_t free_pages, blocks, suitable;
};

static struct ref_counts ref_count(const uint64_t nr_free[NR_PAGE_ORDERS],
				   unsigned k)
{
	struct ref_counts r = { 0, 0, 0 };
	uint64_t chunk = (uint64_t)1 << k;

	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
		for (uint64_t b = 0; b < nr_free[o]; b++) {
			uint64_t size = (uint64_t)1 << o;

			r.blocks++;
			r.free_pages += size;
			r.suitable += size / chunk;	/* whole order-k chunks */
		}
	return r;
}

/* The proactive score: percent of free memory outside order-9 chunks. */
static unsigned r_score(const uint64_t nr_free[NR_PAGE_ORDERS])
{
	struct ref_counts r = ref_count(nr_free, 9);

	if (r.free_pages == 0)
		return 0;
	return (unsigned)((r.free_pages - r.suitable * 512) * 100 / r.free_pages);
}

START_TEST(random_against_reference)
{
	unsigned seed = 12345;

	for (int iter = 0; iter < 2000; iter++) {
		uint64_t nr_free[NR_PAGE_ORDERS];
		unsigned top = (unsigned)(rand_r(&seed) % NR_PAGE_ORDERS);

		for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
			nr_free[o] = o <= top && rand_r(&seed) % 4 ?
				(uint64_t)(rand_r(&seed) % 60) : 0;
		for (unsigned k = 0; k <= MAX_PAGE_ORDER; k++) {
			struct contig_page_info info = info_for(nr_free, k);
			struct ref_counts r = ref_count(nr_free, k);
			uint64_t unusable = r.free_pages - r.suitable * ((uint64_t)1 << k);
			int fi = fragmentation_index(&info, k);

			ck_assert_uint_eq(info.free_pages, r.free_pages);
			ck_assert_uint_eq(info.free_blocks_total, r.blocks);
			ck_assert_uint_eq(info.free_blocks_suitable, r.suitable);
			if (r.blocks == 0) {
				ck_assert_int_eq(fi, 0);
			} else if (r.suitable) {
				ck_assert_int_eq(fi, -1000);
			} else {
				/* Continuous form 1 - (1 + free/2^k)/blocks, ×1000;
				 * the kernel's two truncations lose at most 1. */
				double cont = 1000.0 * (1.0 - (1.0 + (double)r.free_pages /
						(double)((uint64_t)1 << k)) / (double)r.blocks);

				ck_assert_msg(fi >= -500 && fi <= 1000, "fi %d", fi);
				ck_assert_msg(fabs(fi - cont) <= 1.0 + 1e-9,
					      "fi %d vs continuous %f", fi, cont);
			}
			if (r.free_pages == 0) {
				ck_assert_int_eq(unusable_free_index(&info, k), 1000);
				ck_assert_uint_eq(extfrag_for_order(&info, k), 0);
			} else {
				ck_assert_int_eq(unusable_free_index(&info, k),
						 (int)(unusable * 1000 / r.free_pages));
				ck_assert_uint_eq(extfrag_for_order(&info, k),
						  unusable * 100 / r.free_pages);
			}
		}
		ck_assert_uint_eq(fragmentation_score_zone(nr_free, 9),
				  r_score(nr_free));
	}
}
END_TEST

/* Every field of the frag event on §8.3's worked example. */
START_TEST(snapshot_fill_worked_example)
{
	const uint64_t nr_free[NR_PAGE_ORDERS] = { 1000, 200, 50, 10 };
	struct frag_snapshot snap;

	frag_snapshot_fill(nr_free, &snap);
	ck_assert_uint_eq(snap.free_pages, 1680);
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
		ck_assert_uint_eq(snap.free_blocks[o], nr_free[o]);
	ck_assert_int_eq(snap.unusable_index[0], 0);
	ck_assert_int_eq(snap.unusable_index[2], 833);
	ck_assert_int_eq(snap.unusable_index[4], 1000);
	ck_assert_int_eq(snap.extfrag_index[2], -1000);
	ck_assert_int_eq(snap.extfrag_index[3], -1000);
	ck_assert_int_eq(snap.extfrag_index[4], 916);
	/* Order 10: 1000 - (1000 + 1000 * 1680 / 1024) / 1260 = 1000 - 2. */
	ck_assert_int_eq(snap.extfrag_index[10], 998);
	ck_assert_uint_eq(snap.score, 100);
}
END_TEST

/*
 * Pageblocks per type and mixed ones, on a hand-built zone of six
 * 8-page pageblocks (pageblock order 3):
 *   0 Unmovable:   4 unmovable pages, 4 free        -> not mixed
 *   1 Movable:     a movable and an unmovable page  -> mixed
 *   2, 3 Movable:  all free, one order-4 block across both -> not mixed
 *   4 Reclaimable: a movable page among free ones   -> mixed
 *   5 Reclaimable: 8 reclaimable pages              -> not mixed
 * The walk over the pages and the counters kept on every allocation and
 * free agree, also after frees.
 */
START_TEST(pageblock_counts)
{
	static const int tags[6] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE,
		MIGRATE_MOVABLE, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE,
		MIGRATE_RECLAIMABLE };
	struct page *map = calloc(48, sizeof(*map));
	struct zone z;
	struct pageblock_usage u;
	struct pageblock_stats scan, fast;

	memset(&z, 0, sizeof(z));
	strcpy(z.name, "Normal");
	buddy_zone_init(&z, map, 0, 48, 3);
	pageblock_usage_init(&u, &z);
	/* Everything in use, so the tags can be set without free blocks. */
	ck_assert(buddy_alloc_at(&z, 0, 5));
	ck_assert(buddy_alloc_at(&z, 32, 4));
	for (int b = 0; b < 6; b++)
		z.pageblock_mt[b] = (uint8_t)tags[b];
	for (uint64_t pfn = 0; pfn < 48; pfn++)
		map[pfn].migratetype = (uint8_t)tags[pfn / 8];
	/* The pages that stay in use keep their type, the rest is freed. */
	map[9].migratetype = MIGRATE_UNMOVABLE;
	map[32].migratetype = MIGRATE_MOVABLE;
	for (uint64_t pfn = 0; pfn < 48; pfn++) {
		bool keep = pfn < 4 || pfn == 8 || pfn == 9 || pfn == 32 ||
			    pfn >= 40;

		map[pfn].flags = PG_head;
		map[pfn].order = 0;
		if (keep)
			pageblock_usage_add(&u, pfn, 0, map[pfn].migratetype, +1);
		else
			buddy_free(&z, pfn, 0);
	}
	ck_assert(buddy_check(&z));
	ck_assert_uint_eq(z.free_area[4].nr_free, 1);	/* pfns 16..31 */
	pageblock_stats_scan(&z, 6, &scan);
	pageblock_stats_from_usage(&u, z.pageblock_mt, &fast);
	ck_assert_uint_eq(scan.nr[MIGRATE_UNMOVABLE], 1);
	ck_assert_uint_eq(scan.nr[MIGRATE_MOVABLE], 3);
	ck_assert_uint_eq(scan.nr[MIGRATE_RECLAIMABLE], 2);
	ck_assert_uint_eq(scan.nr[MIGRATE_HIGHATOMIC], 0);
	ck_assert_uint_eq(scan.mixed[MIGRATE_UNMOVABLE], 0);
	ck_assert_uint_eq(scan.mixed[MIGRATE_MOVABLE], 1);
	ck_assert_uint_eq(scan.mixed[MIGRATE_RECLAIMABLE], 1);
	ck_assert_mem_eq(&scan, &fast, sizeof(scan));
	/* Freeing the stray pages makes both blocks clean again. */
	pageblock_usage_add(&u, 9, 0, MIGRATE_UNMOVABLE, -1);
	buddy_free(&z, 9, 0);
	pageblock_usage_add(&u, 32, 0, MIGRATE_MOVABLE, -1);
	buddy_free(&z, 32, 0);
	pageblock_stats_scan(&z, 6, &scan);
	pageblock_stats_from_usage(&u, z.pageblock_mt, &fast);
	ck_assert_uint_eq(scan.mixed[MIGRATE_MOVABLE], 0);
	ck_assert_uint_eq(scan.mixed[MIGRATE_RECLAIMABLE], 0);
	ck_assert_mem_eq(&scan, &fast, sizeof(scan));
	pageblock_usage_destroy(&u);
	buddy_zone_destroy(&z);
	free(map);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("frag");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, worked_example);
	tcase_add_test(tc, empty_zone);
	tcase_add_test(tc, orders_above_every_block);
	tcase_add_test(tc, score_and_weight);
	tcase_add_test(tc, index_format);
	tcase_add_test(tc, random_against_reference);
	tcase_add_test(tc, snapshot_fill_worked_example);
	tcase_add_test(tc, pageblock_counts);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
