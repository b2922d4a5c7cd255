/*
 * check_zone.c - watermarks (sim/mm/zone.c): min_free_kbytes, per-zone
 * marks against kernel-model.md §2.2's worked example and an independent
 * floating-point formula, lowmem_reserve, boost, and the edges of
 * zone_watermark_ok() on hand-built zones.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mm/zone.h"

static const unsigned default_ratio[MAX_NR_ZONES] = { 256, 256, 32, 0 };

/* A node's zone array: one zone per given type, with managed pages. */
static void make_zones(struct zone *zones, const enum zone_type *types,
		       const uint64_t *managed, unsigned n)
{
	memset(zones, 0, sizeof(*zones) * n);
	for (unsigned i = 0; i < n; i++) {
		zones[i].type = types[i];
		zones[i].zone_idx = (int)i;
		zones[i].managed_pages = zones[i].present_pages =
			zones[i].spanned_pages = managed[i];
		zones[i].pageblock_order = 9;
	}
}

START_TEST(min_free_kbytes)
{
	ck_assert_uint_eq(calculate_min_free_kbytes(1048576), 4096);	/* 1 GiB */
	ck_assert_uint_eq(calculate_min_free_kbytes(16777216), 16384);	/* 16 GiB */
	ck_assert_uint_eq(calculate_min_free_kbytes(0), 128);
	ck_assert_uint_eq(calculate_min_free_kbytes(1000), 128);	/* sqrt 126 */
	ck_assert_uint_eq(calculate_min_free_kbytes(1024), 128);	/* exactly */
	ck_assert_uint_eq(calculate_min_free_kbytes(1100), 132);	/* sqrt 17600 */
	ck_assert_uint_eq(calculate_min_free_kbytes((uint64_t)1 << 42), 262144);
	ck_assert_uint_eq(calculate_min_free_kbytes(UINT64_MAX), 262144);
	/* Just below a perfect square: isqrt truncates. */
	ck_assert_uint_eq(calculate_min_free_kbytes(1000000 - 1), 3999);
	ck_assert_uint_eq(calculate_min_free_kbytes(1000000), 4000);
}
END_TEST

START_TEST(min_free_kbytes_is_isqrt)
{
	uint64_t x = 88172645463325252ull;

	for (int i = 0; i < 20000; i++) {
		uint64_t kb, r, scaled;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		kb = x >> (20 + (i % 24));	/* 2^20 .. 2^44 KiB scales */
		scaled = kb * 16;
		r = calculate_min_free_kbytes(kb);
		if (r > 128 && r < 262144) {
			ck_assert_msg(r * r <= scaled && (r + 1) * (r + 1) > scaled,
				      "isqrt(%llu) gave %llu",
				      (unsigned long long)scaled,
				      (unsigned long long)r);
		} else {
			double root = sqrt((double)scaled);

			ck_assert(r == 128 ? root < 129.0 : root >= 262143.0);
		}
	}
}
END_TEST

START_TEST(wmarks_worked_example)
{
	static const enum zone_type types[] = { ZONE_DMA, ZONE_DMA32, ZONE_NORMAL };
	static const uint64_t managed[] = { 0, 1000000, 3000000 };
	struct zone z[3];

	make_zones(z, types, managed, 3);
	z[2].watermark_boost = 77;	/* reset by the setup */
	setup_per_zone_wmarks(z, 3, 16384, 10);
	ck_assert_uint_eq(z[2]._watermark[WMARK_MIN], 3072);
	ck_assert_uint_eq(z[2]._watermark[WMARK_LOW], 6072);
	ck_assert_uint_eq(z[2]._watermark[WMARK_HIGH], 9072);
	ck_assert_uint_eq(z[1]._watermark[WMARK_MIN], 1024);
	ck_assert_uint_eq(z[1]._watermark[WMARK_LOW], 2024);
	ck_assert_uint_eq(z[1]._watermark[WMARK_HIGH], 3024);
	ck_assert_uint_eq(z[0]._watermark[WMARK_HIGH], 0);
	ck_assert_uint_eq(z[2].watermark_boost, 0);
	ck_assert_uint_eq(wmark_pages(&z[2], WMARK_LOW), 6072);
}
END_TEST

/* §2.2 written out again with doubles, for configurations without a
 * worked example. Every quantity stays below 2^53, so floor() is exact. */
static void ref_wmarks(const struct zone *zones, unsigned n, double min_free_kb,
		       double wsf, double out[][NR_WMARK])
{
	double pages_min = floor(min_free_kb / 4), lowmem = 0;

	for (unsigned i = 0; i < n; i++)
		if (zones[i].type != ZONE_MOVABLE)
			lowmem += (double)zones[i].managed_pages;
	for (unsigned i = 0; i < n; i++) {
		double managed = (double)zones[i].managed_pages;
		double share = floor(pages_min * managed / lowmem);
		double gap = fmax(floor(share / 4), floor(managed * wsf / 10000));
		double min = share;

		if (zones[i].type == ZONE_MOVABLE)
			min = fmin(fmax(floor(managed / 1024), 32), 128);
		out[i][WMARK_MIN] = min;
		out[i][WMARK_LOW] = min + gap;
		out[i][WMARK_HIGH] = min + 2 * gap;
	}
}

START_TEST(wmarks_against_reference)
{
	static const enum zone_type types[] = { ZONE_DMA, ZONE_DMA32,
						ZONE_NORMAL, ZONE_MOVABLE };
	static const struct {
		uint64_t managed[4];
		uint64_t min_free_kbytes;
		unsigned wsf;
	} cases[] = {
		{ { 3977, 1011712, 3124224, 0 }, 16384, 10 },	/* 16 GiB */
		{ { 3977, 225280, 0, 0 }, 4096, 10 },		/* 1 GiB */
		{ { 3977, 1011712, 15728640, 0 }, 67584, 10 },	/* 64 GiB, THP */
		{ { 3977, 1011712, 66060288, 0 }, 262144, 3000 },
		{ { 3977, 1011712, 3124224, 1048576 }, 16384, 10 },
		{ { 0, 0, 25000, 20000 }, 1024, 200 },		/* small Movable */
		{ { 0, 0, 25000, 300000 }, 1024, 1 },		/* Movable clamp 128 */
		{ { 3977, 1011712, 3124224, 7 }, 16384, 10 },	/* Movable clamp 32 */
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct zone z[4];
		double ref[4][NR_WMARK];

		make_zones(z, types, cases[c].managed, 4);
		setup_per_zone_wmarks(z, 4, cases[c].min_free_kbytes,
				      cases[c].wsf);
		ref_wmarks(z, 4, (double)cases[c].min_free_kbytes,
			   cases[c].wsf, ref);
		for (unsigned i = 0; i < 4; i++)
			for (int w = 0; w < NR_WMARK; w++)
				ck_assert_msg((double)z[i]._watermark[w] == ref[i][w],
					      "case %zu zone %u mark %d: %llu, "
					      "expected %.0f", c, i, w,
					      (unsigned long long)z[i]._watermark[w],
					      ref[i][w]);
	}
}
END_TEST

START_TEST(lowmem_reserve)
{
	static const enum zone_type types[] = { ZONE_DMA, ZONE_DMA32,
						ZONE_NORMAL, ZONE_MOVABLE };
	static const uint64_t managed[] = { 3977, 1000000, 3000000, 500000 };
	struct zone z[4];

	make_zones(z, types, managed, 4);
	setup_per_zone_lowmem_reserve(z, 4, default_ratio);
	/* Zone i, classzone j: Σ managed(i+1..j) / ratio[i], written out. */
	ck_assert_uint_eq(z[0].lowmem_reserve[0], 0);
	ck_assert_uint_eq(z[0].lowmem_reserve[1], 1000000 / 256);
	ck_assert_uint_eq(z[0].lowmem_reserve[2], 4000000 / 256);
	ck_assert_uint_eq(z[0].lowmem_reserve[3], 4500000 / 256);
	ck_assert_uint_eq(z[1].lowmem_reserve[1], 0);
	ck_assert_uint_eq(z[1].lowmem_reserve[2], 3000000 / 256);
	ck_assert_uint_eq(z[1].lowmem_reserve[3], 3500000 / 256);
	ck_assert_uint_eq(z[2].lowmem_reserve[2], 0);
	ck_assert_uint_eq(z[2].lowmem_reserve[3], 500000 / 32);
	for (int j = 0; j < MAX_NR_ZONES; j++)
		ck_assert_uint_eq(z[3].lowmem_reserve[j], 0);
	ck_assert_uint_eq(z[0].lowmem_reserve[3], 17578);	/* 4.5e6/256 */
}
END_TEST

START_TEST(lowmem_reserve_ratio_zero_and_empty)
{
	static const enum zone_type types[] = { ZONE_DMA, ZONE_DMA32, ZONE_NORMAL };
	static const uint64_t managed[] = { 0, 1000000, 3000000 };
	const unsigned ratio[MAX_NR_ZONES] = { 256, 0, 32, 0 };
	struct zone z[3];

	make_zones(z, types, managed, 3);
	z[0].lowmem_reserve[2] = 99;	/* stale values are cleared */
	setup_per_zone_lowmem_reserve(z, 3, ratio);
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		ck_assert_uint_eq(z[0].lowmem_reserve[j], 0);	/* empty zone */
		ck_assert_uint_eq(z[1].lowmem_reserve[j], 0);	/* ratio 0 */
		ck_assert_uint_eq(z[2].lowmem_reserve[j], 0);	/* top zone */
	}
}
END_TEST

/* A zone with marks and free counts set by hand (no buddy lists needed:
 * zone_watermark_ok() reads only the counters). */
static void wmark_zone(struct zone *z, uint64_t min, uint64_t low,
		       uint64_t high)
{
	memset(z, 0, sizeof(*z));
	z->type = ZONE_NORMAL;
	z->pageblock_order = 9;
	z->_watermark[WMARK_MIN] = min;
	z->_watermark[WMARK_LOW] = low;
	z->_watermark[WMARK_HIGH] = high;
}

static void give_block(struct zone *z, unsigned order, int mt)
{
	z->free_area[order].nr_free_mt[mt]++;
	z->free_area[order].nr_free++;
	if (mt == MIGRATE_HIGHATOMIC)
		z->nr_free_highatomic += (uint64_t)1 << order;
}

START_TEST(watermark_ok_order0_boundary)
{
	struct zone z;

	wmark_zone(&z, 100, 120, 140);
	give_block(&z, 0, MIGRATE_MOVABLE);
	/* F' <= min fails: equality is not enough. */
	ck_assert(!zone_watermark_ok(&z, 0, 100, 0, ALLOC_WMARK_MIN, 100));
	ck_assert(zone_watermark_ok(&z, 0, 100, 0, ALLOC_WMARK_MIN, 101));
	ck_assert(!zone_watermark_ok(&z, 0, 100, 0, ALLOC_WMARK_MIN, -5));
	/* The mark argument is what counts, boost lives in wmark_pages(). */
	z.watermark_boost = 50;
	ck_assert_uint_eq(wmark_pages(&z, WMARK_MIN), 150);
	ck_assert(!zone_watermark_ok(&z, 0, wmark_pages(&z, WMARK_MIN), 0, 0, 150));
	ck_assert(zone_watermark_ok(&z, 0, wmark_pages(&z, WMARK_MIN), 0, 0, 151));
}
END_TEST

START_TEST(watermark_ok_order_deduction)
{
	struct zone z;

	wmark_zone(&z, 100, 120, 140);
	give_block(&z, 3, MIGRATE_MOVABLE);
	/* order 3 deducts 2^3 - 1 = 7. */
	ck_assert(!zone_watermark_ok(&z, 3, 100, 0, 0, 107));
	ck_assert(zone_watermark_ok(&z, 3, 100, 0, 0, 108));
	/* No block of order >= 4: fails whatever the free count. */
	ck_assert(!zone_watermark_ok(&z, 4, 100, 0, 0, 1000000));
	/* A block of order 6 on another ordinary type serves order 4. */
	give_block(&z, 6, MIGRATE_RECLAIMABLE);
	ck_assert(zone_watermark_ok(&z, 4, 100, 0, 0, 1000000));
	ck_assert(!zone_watermark_ok(&z, 7, 100, 0, 0, 1000000));
	ck_assert(!zone_watermark_ok(&z, 11, 0, 0, 0, 1000000));
}
END_TEST

START_TEST(watermark_ok_lowmem_reserve)
{
	struct zone z;

	wmark_zone(&z, 100, 120, 140);
	give_block(&z, 0, MIGRATE_UNMOVABLE);
	z.lowmem_reserve[2] = 50;
	ck_assert(zone_watermark_ok(&z, 0, 100, 0, 0, 101));	/* own classzone */
	ck_assert(!zone_watermark_ok(&z, 0, 100, 2, 0, 150));
	ck_assert(zone_watermark_ok(&z, 0, 100, 2, 0, 151));
}
END_TEST

START_TEST(watermark_ok_highatomic)
{
	struct zone z;

	wmark_zone(&z, 100, 120, 140);
	give_block(&z, 0, MIGRATE_MOVABLE);
	give_block(&z, 4, MIGRATE_HIGHATOMIC);	/* 16 reserved free pages */
	/* Without reserve rights the 16 highatomic pages do not count. */
	ck_assert(!zone_watermark_ok(&z, 0, 100, 0, 0, 116));
	ck_assert(zone_watermark_ok(&z, 0, 100, 0, 0, 117));
	/* ALLOC_NON_BLOCK alone keeps the mark but counts the reserve. */
	ck_assert(zone_watermark_ok(&z, 0, 100, 0, ALLOC_NON_BLOCK, 101));
	ck_assert(!zone_watermark_ok(&z, 0, 100, 0, ALLOC_NON_BLOCK, 100));
	/* The only order-4 block is HIGHATOMIC. */
	ck_assert(!zone_watermark_ok(&z, 4, 100, 0, 0, 10000));
	ck_assert(zone_watermark_ok(&z, 4, 100, 0, ALLOC_HIGHATOMIC, 10000));
	ck_assert(zone_watermark_ok(&z, 4, 100, 0, ALLOC_OOM, 10000));
	ck_assert(!zone_watermark_ok(&z, 4, 100, 0, ALLOC_MIN_RESERVE, 10000));
}
END_TEST

START_TEST(watermark_ok_reserve_reductions)
{
	static const struct {
		unsigned flags;
		int64_t min;	/* the reduced mark from 100 */
	} cases[] = {
		{ 0, 100 },
		{ ALLOC_MIN_RESERVE, 50 },
		{ ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK, 38 },	/* 50 - 12 */
		{ ALLOC_OOM, 50 },
		{ ALLOC_MIN_RESERVE | ALLOC_OOM, 25 },
		{ ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK | ALLOC_OOM, 19 },
		{ ALLOC_NON_BLOCK, 100 },
		{ ALLOC_HIGHATOMIC, 100 },
	};
	struct zone z;

	wmark_zone(&z, 100, 120, 140);
	give_block(&z, 0, MIGRATE_MOVABLE);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(!zone_watermark_ok(&z, 0, 100, 0, cases[i].flags,
						 cases[i].min),
			      "flags %#x passed at %lld", cases[i].flags,
			      (long long)cases[i].min);
		ck_assert_msg(zone_watermark_ok(&z, 0, 100, 0, cases[i].flags,
						cases[i].min + 1),
			      "flags %#x failed at %lld", cases[i].flags,
			      (long long)cases[i].min + 1);
	}
}
END_TEST

START_TEST(wmark_level)
{
	struct zone z;

	wmark_zone(&z, 10, 20, 30);
	ck_assert_int_eq(zone_wmark_level(&z, 0), 0);
	ck_assert_int_eq(zone_wmark_level(&z, 10), 0);
	ck_assert_int_eq(zone_wmark_level(&z, 11), 1);
	ck_assert_int_eq(zone_wmark_level(&z, 20), 1);
	ck_assert_int_eq(zone_wmark_level(&z, 21), 2);
	ck_assert_int_eq(zone_wmark_level(&z, 31), 3);
	z.watermark_boost = 5;
	ck_assert_int_eq(zone_wmark_level(&z, 15), 0);
	ck_assert_int_eq(zone_wmark_level(&z, 16), 1);
	ck_assert_int_eq(zone_wmark_level(&z, 35), 2);
	ck_assert_int_eq(zone_wmark_level(&z, 36), 3);
}
END_TEST

START_TEST(boost)
{
	struct zone z;

	wmark_zone(&z, 3072, 6072, 9072);
	z.managed_pages = 3000000;
	/* max_boost = 9072 * 15000 / 10000 = 13608: 26 steps of 512, then capped. */
	for (int i = 1; i <= 26; i++) {
		ck_assert(boost_watermark(&z, 15000));
		ck_assert_uint_eq(z.watermark_boost, (uint64_t)i * 512);
	}
	ck_assert(boost_watermark(&z, 15000));
	ck_assert_uint_eq(z.watermark_boost, 13608);
	ck_assert(boost_watermark(&z, 15000));
	ck_assert_uint_eq(z.watermark_boost, 13608);
	ck_assert_uint_eq(wmark_pages(&z, WMARK_HIGH), 9072 + 13608);

	/* Factor 0: never. */
	z.watermark_boost = 0;
	ck_assert(!boost_watermark(&z, 0));
	ck_assert_uint_eq(z.watermark_boost, 0);
	/* Fewer than 4 pageblocks: never. */
	z.managed_pages = 4 * 512 - 1;
	ck_assert(!boost_watermark(&z, 15000));
	ck_assert_uint_eq(z.watermark_boost, 0);
	z.managed_pages = 4 * 512;
	ck_assert(boost_watermark(&z, 15000));
	ck_assert_uint_eq(z.watermark_boost, 512);
	/* A small HIGH: the cap is one pageblock. */
	z.watermark_boost = 0;
	z._watermark[WMARK_HIGH] = 100;
	ck_assert(boost_watermark(&z, 15000));
	ck_assert(boost_watermark(&z, 15000));
	ck_assert_uint_eq(z.watermark_boost, 512);
	/* HIGH not set up: no boost. */
	z.watermark_boost = 0;
	z._watermark[WMARK_HIGH] = 0;
	ck_assert(!boost_watermark(&z, 15000));
	ck_assert_uint_eq(z.watermark_boost, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("zone");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, min_free_kbytes);
	tcase_add_test(tc, min_free_kbytes_is_isqrt);
	tcase_add_test(tc, wmarks_worked_example);
	tcase_add_test(tc, wmarks_against_reference);
	tcase_add_test(tc, lowmem_reserve);
	tcase_add_test(tc, lowmem_reserve_ratio_zero_and_empty);
	tcase_add_test(tc, watermark_ok_order0_boundary);
	tcase_add_test(tc, watermark_ok_order_deduction);
	tcase_add_test(tc, watermark_ok_lowmem_reserve);
	tcase_add_test(tc, watermark_ok_highatomic);
	tcase_add_test(tc, watermark_ok_reserve_reductions);
	tcase_add_test(tc, wmark_level);
	tcase_add_test(tc, boost);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
