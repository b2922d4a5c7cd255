/*
 * check_buddy.c - the buddy allocator (sim/mm/buddy.c): initial layout,
 * exact splits and merges, head/tail queueing, allocation at a pfn, the
 * fallback claim and steal steps, and long random alloc/free sequences
 * checked after every operation by buddy_check() and by a per-pfn map kept
 * here, independently of the allocator.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mm/buddy.h"

/* A zone over [start, start + pages) of a mem_map that starts at pfn 0. */
struct tzone {
	struct zone z;
	struct page *map;
	uint64_t start, pages;
};

static void tzone_init(struct tzone *t, uint64_t start, uint64_t pages,
		       unsigned pageblock_order)
{
	memset(t, 0, sizeof(*t));
	t->start = start;
	t->pages = pages;
	t->map = calloc(start + pages, sizeof(*t->map));
	ck_assert_ptr_nonnull(t->map);
	/* Pages below the zone look like free blocks: the allocator must
	 * never look at them. */
	for (uint64_t pfn = 0; pfn < start; pfn++) {
		t->map[pfn].flags = PG_buddy;
		t->map[pfn].order = (uint8_t)(pfn % NR_PAGE_ORDERS);
	}
	strcpy(t->z.name, "Normal");
	t->z.type = ZONE_NORMAL;
	t->z.zone_idx = 2;
	buddy_zone_init(&t->z, t->map, start, pages, pageblock_order);
}

static void tzone_destroy(struct tzone *t)
{
	buddy_zone_destroy(&t->z);
	free(t->map);
}

static uint64_t nr_free_at(const struct tzone *t, unsigned order)
{
	return t->z.free_area[order].nr_free;
}

static int64_t alloc_mt(struct tzone *t, unsigned order, int mt)
{
	return buddy_alloc(&t->z, order, mt, 0, NULL);
}

/* ---- layout ---- */

/* Each free block is maximal: its parent block leaves the zone. */
static void assert_init_layout(const struct tzone *t)
{
	uint64_t end = t->start + t->pages, covered = 0;

	ck_assert(buddy_check(&t->z));
	for (uint64_t pfn = t->start; pfn < end;) {
		const struct page *p = &t->map[pfn];
		uint64_t size, parent;

		ck_assert_msg(p->flags & PG_buddy, "pfn %llu not a free head",
			      (unsigned long long)pfn);
		size = (uint64_t)1 << p->order;
		ck_assert_uint_eq(pfn % size, 0);
		if (p->order < MAX_PAGE_ORDER) {
			parent = pfn & ~(2 * size - 1);
			ck_assert_msg(parent < t->start || parent + 2 * size > end,
				      "order-%u block at %llu could be larger",
				      p->order, (unsigned long long)pfn);
		}
		covered += size;
		pfn += size;
	}
	ck_assert_uint_eq(covered, t->pages);
	ck_assert_uint_eq(t->z.free_pages, t->pages);
	ck_assert_uint_eq(t->z.managed_pages, t->pages);
}

START_TEST(init_layout)
{
	static const struct {
		uint64_t start, pages;
	} cases[] = {
		{ 0, 4096 }, { 3, 5000 }, { 1024, 1 }, { 511, 1025 },
		{ 0x37, 20000 }, { 4096, 3 * 1024 + 512 + 7 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tzone t;

		tzone_init(&t, cases[i].start, cases[i].pages, 9);
		assert_init_layout(&t);
		for (uint64_t pfn = t.start; pfn < t.start + t.pages; pfn++) {
			ck_assert(buddy_pfn_is_free(&t.z, pfn));
			ck_assert_int_eq(buddy_pageblock_mt(&t.z, pfn),
					 MIGRATE_MOVABLE);
		}
		ck_assert(!buddy_pfn_is_free(&t.z, t.start + t.pages));
		if (t.start)
			ck_assert(!buddy_pfn_is_free(&t.z, t.start - 1));
		tzone_destroy(&t);
	}
}
END_TEST

START_TEST(init_lists_ascending)
{
	struct tzone t;
	uint32_t pfn;
	uint64_t expect = 0;

	tzone_init(&t, 0, 8 * 1024, 9);
	ck_assert_uint_eq(nr_free_at(&t, MAX_PAGE_ORDER), 8);
	pfn = t.z.free_area[MAX_PAGE_ORDER].head[MIGRATE_MOVABLE];
	for (; pfn != PFN_NONE; pfn = t.map[pfn].next, expect += 1024)
		ck_assert_uint_eq(pfn, expect);
	ck_assert_uint_eq(expect, 8 * 1024);
	/* Allocation takes the lowest block. */
	ck_assert_int_eq(alloc_mt(&t, MAX_PAGE_ORDER, MIGRATE_MOVABLE), 0);
	tzone_destroy(&t);
}
END_TEST

/* ---- split and merge ---- */

START_TEST(split_exact)
{
	struct tzone t;
	int64_t pfn;

	tzone_init(&t, 0, 1024, 9);
	pfn = alloc_mt(&t, 0, MIGRATE_MOVABLE);
	ck_assert_int_eq(pfn, 0);
	/* The upper halves: order o at pfn 2^o, for o = 0..9. */
	for (unsigned o = 0; o < MAX_PAGE_ORDER; o++) {
		ck_assert_uint_eq(nr_free_at(&t, o), 1);
		ck_assert_uint_eq(t.z.free_area[o].head[MIGRATE_MOVABLE], 1u << o);
		ck_assert(t.map[1u << o].flags & PG_buddy);
		ck_assert_uint_eq(t.map[1u << o].order, o);
	}
	ck_assert_uint_eq(nr_free_at(&t, MAX_PAGE_ORDER), 0);
	ck_assert_uint_eq(t.z.free_pages, 1023);
	ck_assert(t.map[0].flags & PG_head);
	ck_assert(!(t.map[0].flags & PG_buddy));
	ck_assert_uint_eq(t.map[0].migratetype, MIGRATE_MOVABLE);
	ck_assert(buddy_check(&t.z));

	/* Order 3 comes from the order-3 block at 8, nothing else splits. */
	ck_assert_int_eq(alloc_mt(&t, 3, MIGRATE_MOVABLE), 8);
	ck_assert_uint_eq(nr_free_at(&t, 3), 0);
	ck_assert(t.map[8].flags & PG_head);
	for (int i = 9; i < 16; i++) {
		ck_assert(t.map[i].flags & PG_tail);
		ck_assert_uint_eq(t.map[i].migratetype, MIGRATE_MOVABLE);
	}
	ck_assert_uint_eq(t.map[8].order, 3);
	/* Order 3 again splits the order-4 block at 16. */
	ck_assert_int_eq(alloc_mt(&t, 3, MIGRATE_MOVABLE), 16);
	ck_assert_uint_eq(nr_free_at(&t, 3), 1);
	ck_assert_uint_eq(t.z.free_area[3].head[MIGRATE_MOVABLE], 24);
	ck_assert(buddy_check(&t.z));

	buddy_free(&t.z, 16, 3);
	buddy_free(&t.z, 8, 3);
	buddy_free(&t.z, 0, 0);
	ck_assert(buddy_check(&t.z));
	ck_assert_uint_eq(nr_free_at(&t, MAX_PAGE_ORDER), 1);
	ck_assert_uint_eq(t.z.free_pages, 1024);
	tzone_destroy(&t);
}
END_TEST

START_TEST(merge_exact)
{
	struct tzone t;

	tzone_init(&t, 0, 1024, 9);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(alloc_mt(&t, 0, MIGRATE_MOVABLE), i);
	/* 1 alone: its buddy 0 is in use. */
	buddy_free(&t.z, 1, 0);
	ck_assert(t.map[1].flags & PG_buddy);
	ck_assert_uint_eq(t.map[1].order, 0);
	ck_assert(buddy_pfn_is_free(&t.z, 1));
	ck_assert(!buddy_pfn_is_free(&t.z, 0));
	/* 0 merges with 1 into order 1; buddy 2..3 is in use. */
	buddy_free(&t.z, 0, 0);
	ck_assert(t.map[0].flags & PG_buddy);
	ck_assert_uint_eq(t.map[0].order, 1);
	ck_assert(!(t.map[1].flags & PG_buddy));
	ck_assert(buddy_pfn_is_free(&t.z, 1));
	ck_assert_uint_eq(nr_free_at(&t, 0), 0);
	ck_assert(buddy_check(&t.z));
	/* 3 then 2: everything merges back into one order-10 block. */
	buddy_free(&t.z, 3, 0);
	ck_assert_uint_eq(nr_free_at(&t, 0), 1);
	buddy_free(&t.z, 2, 0);
	ck_assert(buddy_check(&t.z));
	ck_assert_uint_eq(nr_free_at(&t, MAX_PAGE_ORDER), 1);
	for (unsigned o = 0; o < MAX_PAGE_ORDER; o++)
		ck_assert_uint_eq(nr_free_at(&t, o), 0);
	ck_assert_uint_eq(t.map[0].order, MAX_PAGE_ORDER);
	tzone_destroy(&t);
}
END_TEST

START_TEST(no_merge_across_zone_edge)
{
	struct tzone t;

	/* Zone [3, 11): blocks 3(o0) 4(o2) 8(o1) 10(o0). pfn 2 is outside
	 * and looks free: 3 must not merge with it. */
	tzone_init(&t, 3, 8, 9);
	ck_assert_uint_eq(nr_free_at(&t, 0), 2);
	ck_assert_uint_eq(nr_free_at(&t, 1), 1);
	ck_assert_uint_eq(nr_free_at(&t, 2), 1);
	ck_assert(buddy_alloc_at(&t.z, 3, 0));
	buddy_free(&t.z, 3, 0);
	ck_assert(t.map[3].flags & PG_buddy);
	ck_assert_uint_eq(t.map[3].order, 0);
	ck_assert(buddy_alloc_at(&t.z, 10, 0));
	buddy_free(&t.z, 10, 0);
	ck_assert_uint_eq(t.map[10].order, 0);
	assert_init_layout(&t);
	tzone_destroy(&t);
}
END_TEST

START_TEST(free_to_tail_when_merge_likely)
{
	struct tzone t;

	tzone_init(&t, 0, 1024, 9);
	ck_assert(buddy_alloc_at(&t.z, 0, 0));
	ck_assert(buddy_alloc_at(&t.z, 1, 0));
	ck_assert(buddy_alloc_at(&t.z, 4, 0));
	ck_assert(buddy_alloc_at(&t.z, 5, 0));
	ck_assert(buddy_alloc_at(&t.z, 6, 1));
	/* 5: buddy 4 in use, order-1 buddy 6..7 in use → list head. */
	buddy_free(&t.z, 5, 0);
	/* 0: buddy 1 in use, but order-1 buddy 2..3 is free → list tail. */
	buddy_free(&t.z, 0, 0);
	ck_assert_uint_eq(t.z.free_area[0].head[MIGRATE_MOVABLE], 5);
	ck_assert_uint_eq(t.map[5].next, 0);
	ck_assert_uint_eq(t.map[5].prev, 0);	/* head's prev is the last */
	ck_assert(buddy_check(&t.z));
	ck_assert_int_eq(alloc_mt(&t, 0, MIGRATE_MOVABLE), 5);
	ck_assert_int_eq(alloc_mt(&t, 0, MIGRATE_MOVABLE), 0);
	tzone_destroy(&t);
}
END_TEST

/* ---- allocation at a pfn ---- */

START_TEST(alloc_at)
{
	struct tzone t;

	tzone_init(&t, 0, 2048, 9);
	ck_assert(buddy_alloc_at(&t.z, 5, 0));
	ck_assert(!buddy_pfn_is_free(&t.z, 5));
	ck_assert(t.map[5].flags & PG_head);
	ck_assert_uint_eq(t.z.free_pages, 2047);
	ck_assert(buddy_check(&t.z));
	for (uint64_t pfn = 0; pfn < 2048; pfn++)
		ck_assert(buddy_pfn_is_free(&t.z, pfn) == (pfn != 5));
	ck_assert(!buddy_alloc_at(&t.z, 5, 0));		/* taken */
	ck_assert(!buddy_alloc_at(&t.z, 4, 1));		/* covers 5 */
	ck_assert(!buddy_alloc_at(&t.z, 0, 3));		/* covers 5 */
	ck_assert(!buddy_alloc_at(&t.z, 3, 1));		/* misaligned */
	ck_assert(!buddy_alloc_at(&t.z, 2048, 0));	/* outside */
	ck_assert(!buddy_alloc_at(&t.z, 1024, 11));	/* too large */
	ck_assert_uint_eq(t.z.free_pages, 2047);
	ck_assert(buddy_check(&t.z));
	ck_assert(buddy_alloc_at(&t.z, 6, 1));
	ck_assert(buddy_alloc_at(&t.z, 1024, 10));
	ck_assert(buddy_alloc_at_type(&t.z, 512, 9, MIGRATE_UNMOVABLE));
	ck_assert_uint_eq(t.map[600].migratetype, MIGRATE_UNMOVABLE);
	ck_assert_uint_eq(t.map[6].migratetype, MIGRATE_MOVABLE);
	ck_assert_uint_eq(t.z.free_pages, 2047 - 2 - 1024 - 512);
	ck_assert(buddy_check(&t.z));
	buddy_free(&t.z, 5, 0);
	buddy_free(&t.z, 6, 1);
	buddy_free(&t.z, 1024, 10);
	buddy_free(&t.z, 512, 9);
	assert_init_layout(&t);
	tzone_destroy(&t);
}
END_TEST

START_TEST(alloc_at_spans_unmerged_blocks)
{
	struct tzone t;

	/* A HIGHATOMIC pageblock never merges with an ordinary one, so an
	 * order-10 range can be two free order-9 blocks. */
	tzone_init(&t, 0, 1024, 9);
	ck_assert(buddy_alloc_at(&t.z, 0, 9));
	t.z.pageblock_mt[0] = MIGRATE_HIGHATOMIC;
	buddy_free(&t.z, 0, 9);
	ck_assert(buddy_check(&t.z));
	ck_assert_uint_eq(nr_free_at(&t, 9), 2);
	ck_assert_uint_eq(t.z.nr_free_highatomic, 512);
	ck_assert_uint_eq(t.z.free_area[9].nr_free_mt[MIGRATE_HIGHATOMIC], 1);
	/* Ordinary allocations leave the reserve alone... */
	ck_assert_int_eq(alloc_mt(&t, 0, MIGRATE_MOVABLE), 512);
	buddy_free(&t.z, 512, 0);
	/* ...ALLOC_HIGHATOMIC takes it first. */
	ck_assert_int_eq(buddy_alloc(&t.z, 0, MIGRATE_MOVABLE, ALLOC_HIGHATOMIC,
				     NULL), 0);
	ck_assert_uint_eq(t.z.nr_free_highatomic, 511);
	buddy_free(&t.z, 0, 0);
	ck_assert(buddy_alloc_at(&t.z, 0, 10));
	ck_assert_uint_eq(t.z.free_pages, 0);
	ck_assert_uint_eq(t.z.nr_free_highatomic, 0);
	ck_assert(buddy_check(&t.z));
	ck_assert_int_eq(alloc_mt(&t, 0, MIGRATE_MOVABLE), -1);
	tzone_destroy(&t);
}
END_TEST

START_TEST(highatomic_last_resort)
{
	struct tzone t;

	tzone_init(&t, 0, 512, 9);
	t.z.pageblock_mt[0] = MIGRATE_HIGHATOMIC;
	ck_assert(buddy_alloc_at(&t.z, 0, 9));
	buddy_free(&t.z, 0, 9);		/* now on the HIGHATOMIC list */
	ck_assert_int_eq(alloc_mt(&t, 0, MIGRATE_UNMOVABLE), -1);
	ck_assert_int_eq(buddy_alloc(&t.z, 0, MIGRATE_UNMOVABLE,
				     ALLOC_NON_BLOCK, NULL), 0);
	ck_assert_int_eq(buddy_alloc(&t.z, 0, MIGRATE_MOVABLE, ALLOC_OOM, NULL),
			 1);
	ck_assert(buddy_check(&t.z));
	tzone_destroy(&t);
}
END_TEST

START_TEST(merge_across_pageblocks_retags_buddy)
{
	struct tzone t;
	struct buddy_fallback fb;

	tzone_init(&t, 0, 1024, 9);
	ck_assert_int_eq(buddy_alloc(&t.z, 9, MIGRATE_UNMOVABLE, 0, &fb), 0);
	ck_assert(fb.happened && fb.change_ownership);
	ck_assert_uint_eq(fb.fallback_order, 10);
	ck_assert_int_eq(buddy_pageblock_mt(&t.z, 0), MIGRATE_UNMOVABLE);
	ck_assert_int_eq(buddy_pageblock_mt(&t.z, 512), MIGRATE_UNMOVABLE);
	ck_assert_int_eq(buddy_alloc(&t.z, 9, MIGRATE_MOVABLE, 0, &fb), 512);
	ck_assert(fb.happened && fb.change_ownership);
	ck_assert_uint_eq(fb.fallback_order, 9);
	ck_assert_int_eq(buddy_pageblock_mt(&t.z, 512), MIGRATE_MOVABLE);
	buddy_free(&t.z, 512, 9);
	ck_assert_uint_eq(t.z.free_area[9].nr_free_mt[MIGRATE_MOVABLE], 1);
	buddy_free(&t.z, 0, 9);
	/* The UNMOVABLE free absorbs its MOVABLE buddy. */
	ck_assert_uint_eq(t.z.free_area[10].nr_free_mt[MIGRATE_UNMOVABLE], 1);
	ck_assert_int_eq(buddy_pageblock_mt(&t.z, 512), MIGRATE_UNMOVABLE);
	ck_assert(buddy_check(&t.z));
	tzone_destroy(&t);
}
END_TEST

START_TEST(large_free_splits_by_pageblock)
{
	struct tzone t;

	/* An order-10 block over pageblocks tagged MOVABLE and HIGHATOMIC
	 * goes back as two order-9 blocks on their own lists. */
	tzone_init(&t, 0, 1024, 9);
	ck_assert(buddy_alloc_at(&t.z, 0, 10));
	t.z.pageblock_mt[1] = MIGRATE_HIGHATOMIC;
	buddy_free(&t.z, 0, 10);
	ck_assert_uint_eq(t.z.free_area[9].nr_free_mt[MIGRATE_MOVABLE], 1);
	ck_assert_uint_eq(t.z.free_area[9].nr_free_mt[MIGRATE_HIGHATOMIC], 1);
	ck_assert_uint_eq(nr_free_at(&t, 10), 0);
	ck_assert(buddy_check(&t.z));
	tzone_destroy(&t);
}
END_TEST

/* ---- fallback ---- */

START_TEST(claim_largest_block_whole)
{
	struct tzone t;
	struct buddy_fallback fb;

	tzone_init(&t, 0, 2048, 9);
	ck_assert_int_eq(buddy_alloc(&t.z, 0, MIGRATE_UNMOVABLE, 0, &fb), 0);
	ck_assert(fb.happened);
	ck_assert_uint_eq(fb.fallback_order, MAX_PAGE_ORDER);
	ck_assert_int_eq(fb.alloc_migratetype, MIGRATE_UNMOVABLE);
	ck_assert_int_eq(fb.fallback_migratetype, MIGRATE_MOVABLE);
	ck_assert(fb.change_ownership);
	ck_assert(!fb.boost);
	ck_assert_uint_eq(fb.nr_boost, 0);
	ck_assert_uint_eq(fb.pfn, 0);
	ck_assert_int_eq(buddy_pageblock_mt(&t.z, 0), MIGRATE_UNMOVABLE);
	ck_assert_int_eq(buddy_pageblock_mt(&t.z, 512), MIGRATE_UNMOVABLE);
	ck_assert_int_eq(buddy_pageblock_mt(&t.z, 1024), MIGRATE_MOVABLE);
	ck_assert_int_eq(buddy_pageblock_mt(&t.z, 1536), MIGRATE_MOVABLE);
	/* The split remainders are on the new type's lists. */
	ck_assert_uint_eq(t.z.free_area[9].nr_free_mt[MIGRATE_UNMOVABLE], 1);
	ck_assert_uint_eq(t.z.free_area[0].nr_free_mt[MIGRATE_UNMOVABLE], 1);
	ck_assert(buddy_check(&t.z));
	/* The next unmovable request is no fallback. */
	ck_assert_int_eq(buddy_alloc(&t.z, 0, MIGRATE_UNMOVABLE, 0, &fb), 1);
	ck_assert(!fb.happened);
	tzone_destroy(&t);
}
END_TEST

/* One pageblock, claimed whole by an unmovable order-0 allocation at 0. */
static void unmovable_pageblock(struct tzone *t)
{
	struct buddy_fallback fb;

	tzone_init(t, 0, 512, 9);
	ck_assert_int_eq(buddy_alloc(&t->z, 0, MIGRATE_UNMOVABLE, 0, &fb), 0);
	ck_assert(fb.happened && fb.change_ownership);
	ck_assert_uint_eq(fb.fallback_order, 9);
	ck_assert_int_eq(buddy_pageblock_mt(&t->z, 0), MIGRATE_UNMOVABLE);
}

START_TEST(movable_claims_unmovable_block_half_rule)
{
	struct tzone t;
	struct buddy_fallback fb;

	unmovable_pageblock(&t);
	/* 511 free pages in blocks of order 0..8, all UNMOVABLE: the
	 * largest, order 8 at 256, is the candidate; F = 511 >= 256. */
	ck_assert_int_eq(buddy_alloc(&t.z, 0, MIGRATE_MOVABLE, 0, &fb), 1);
	ck_assert(fb.happened);
	ck_assert(fb.change_ownership);
	ck_assert_uint_eq(fb.fallback_order, 8);
	ck_assert_int_eq(fb.alloc_migratetype, MIGRATE_MOVABLE);
	ck_assert_int_eq(fb.fallback_migratetype, MIGRATE_UNMOVABLE);
	ck_assert(fb.boost);
	ck_assert_uint_eq(fb.nr_boost, 1);
	ck_assert_uint_eq(fb.pfn, 1);
	ck_assert_int_eq(buddy_pageblock_mt(&t.z, 0), MIGRATE_MOVABLE);
	/* Every free block moved to MOVABLE. */
	for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++)
		ck_assert_uint_eq(t.z.free_area[o].nr_free_mt[MIGRATE_UNMOVABLE], 0);
	ck_assert_uint_eq(t.z.free_pages, 510);
	ck_assert(buddy_check(&t.z));
	tzone_destroy(&t);
}
END_TEST

START_TEST(movable_steals_when_claim_fails)
{
	struct tzone t;
	struct buddy_fallback fb;

	unmovable_pageblock(&t);
	/* Take the order-8 block: 255 free pages stay, below half. */
	ck_assert_int_eq(alloc_mt(&t, 8, MIGRATE_UNMOVABLE), 256);
	ck_assert_int_eq(buddy_alloc(&t.z, 0, MIGRATE_MOVABLE, 0, &fb), 1);
	/* Claim tried orders 7, 6, 5, 4 (each boosting), stopped at order 3
	 * (too small for a movable claim); steal took the smallest block. */
	ck_assert(fb.happened);
	ck_assert(!fb.change_ownership);
	ck_assert_uint_eq(fb.fallback_order, 0);
	ck_assert_int_eq(fb.fallback_migratetype, MIGRATE_UNMOVABLE);
	ck_assert_uint_eq(fb.nr_boost, 4);
	ck_assert(fb.boost);
	ck_assert_int_eq(buddy_pageblock_mt(&t.z, 0), MIGRATE_UNMOVABLE);
	ck_assert_uint_eq(t.map[1].migratetype, MIGRATE_MOVABLE);
	ck_assert(buddy_check(&t.z));
	tzone_destroy(&t);
}
END_TEST

START_TEST(movable_small_blocks_only_steal)
{
	struct tzone t;
	struct buddy_fallback fb;

	unmovable_pageblock(&t);
	for (unsigned o = 8; o >= 4; o--)
		ck_assert_int_eq(alloc_mt(&t, o, MIGRATE_UNMOVABLE), 1 << o);
	/* Free: 1 (o0), 2 (o1), 4 (o2), 8 (o3). Order 3 fails
	 * can_steal_fallback for a movable request: no claim, no boost. */
	ck_assert_int_eq(buddy_alloc(&t.z, 1, MIGRATE_MOVABLE, 0, &fb), 2);
	ck_assert(fb.happened && !fb.change_ownership);
	ck_assert_uint_eq(fb.fallback_order, 1);
	ck_assert_uint_eq(fb.nr_boost, 0);
	ck_assert(!fb.boost);
	ck_assert(buddy_check(&t.z));
	tzone_destroy(&t);
}
END_TEST

START_TEST(unmovable_steals_when_claim_fails)
{
	struct tzone t;
	struct buddy_fallback fb;

	tzone_init(&t, 0, 512, 9);
	ck_assert_int_eq(alloc_mt(&t, 8, MIGRATE_MOVABLE), 0);
	ck_assert_int_eq(alloc_mt(&t, 7, MIGRATE_MOVABLE), 256);
	/* Free: the order-7 block at 384. F = 128, M = 384, A = 0: no claim. */
	ck_assert_int_eq(buddy_alloc(&t.z, 0, MIGRATE_UNMOVABLE, 0, &fb), 384);
	ck_assert(fb.happened);
	ck_assert(!fb.change_ownership);
	ck_assert_uint_eq(fb.fallback_order, 7);
	ck_assert_int_eq(fb.alloc_migratetype, MIGRATE_UNMOVABLE);
	ck_assert_int_eq(fb.fallback_migratetype, MIGRATE_MOVABLE);
	ck_assert_uint_eq(fb.nr_boost, 1);
	ck_assert_uint_eq(fb.pfn, 384);
	ck_assert_int_eq(buddy_pageblock_mt(&t.z, 0), MIGRATE_MOVABLE);
	/* The split remainders stay on the MOVABLE lists. */
	for (unsigned o = 0; o < 7; o++)
		ck_assert_uint_eq(t.z.free_area[o].nr_free_mt[MIGRATE_MOVABLE], 1);
	ck_assert_uint_eq(t.map[384].migratetype, MIGRATE_UNMOVABLE);
	ck_assert(buddy_check(&t.z));
	/* Again: orders 6..0 each fail the half rule (7 boosts), steal 385. */
	ck_assert_int_eq(buddy_alloc(&t.z, 0, MIGRATE_UNMOVABLE, 0, &fb), 385);
	ck_assert_uint_eq(fb.nr_boost, 7);
	ck_assert_uint_eq(fb.fallback_order, 0);
	ck_assert(!fb.change_ownership);
	tzone_destroy(&t);
}
END_TEST

START_TEST(unmovable_claims_movable_block_with_alike_pages)
{
	struct tzone t;
	struct buddy_fallback fb;

	/* One pageblock, 128 movable pages in use at 0: a reclaimable
	 * order-7 request finds the order-8 block at 256 largest; F = 384,
	 * M = 128, A = 0: 384 >= 256 claims, the order-7 block at 128 serves. */
	tzone_init(&t, 0, 512, 9);
	ck_assert_int_eq(alloc_mt(&t, 7, MIGRATE_MOVABLE), 0);
	ck_assert_int_eq(buddy_alloc(&t.z, 7, MIGRATE_RECLAIMABLE, 0, &fb), 128);
	ck_assert(fb.happened && fb.change_ownership);
	ck_assert_uint_eq(fb.fallback_order, 8);
	ck_assert_int_eq(buddy_pageblock_mt(&t.z, 0), MIGRATE_RECLAIMABLE);
	ck_assert(buddy_check(&t.z));
	tzone_destroy(&t);

	tzone_init(&t, 0, 1024, 9);
	ck_assert_int_eq(alloc_mt(&t, 8, MIGRATE_MOVABLE), 0);
	/* Pageblock 0: 256 movable in use, 256 free (order 8 at 256). The
	 * order-9 block at 512 is claimed first (largest). */
	ck_assert_int_eq(buddy_alloc(&t.z, 0, MIGRATE_UNMOVABLE, 0, &fb), 512);
	ck_assert_uint_eq(fb.fallback_order, 9);
	buddy_free(&t.z, 512, 0);
	/* Take the rest of pageblock 1 away so only the order-8 block of
	 * pageblock 0 is left: F = 256, A = 0, 256 >= 256 claims. */
	ck_assert(buddy_alloc_at(&t.z, 512, 9));
	ck_assert_int_eq(buddy_alloc(&t.z, 0, MIGRATE_UNMOVABLE, 0, &fb), 256);
	ck_assert(fb.happened && fb.change_ownership);
	ck_assert_uint_eq(fb.fallback_order, 8);
	ck_assert_uint_eq(fb.nr_boost, 1);
	ck_assert_int_eq(buddy_pageblock_mt(&t.z, 0), MIGRATE_UNMOVABLE);
	ck_assert(buddy_check(&t.z));
	tzone_destroy(&t);
}
END_TEST

START_TEST(reclaimable_claim_counts_unmovable_as_alike)
{
	struct tzone t;
	struct buddy_fallback fb;

	/* A MOVABLE pageblock holding 200 unmovable pages (stolen), 100
	 * movable, 212 free: a reclaimable claim counts A = 512 - 212 -
	 * 100 = 200, F + A = 412 >= 256. */
	tzone_init(&t, 0, 1024, 9);
	ck_assert(buddy_alloc_at(&t.z, 512, 9));	/* pageblock 1 away */
	for (uint64_t pfn = 0; pfn < 200; pfn++)
		ck_assert(buddy_alloc_at_type(&t.z, pfn, 0, MIGRATE_UNMOVABLE));
	for (uint64_t pfn = 200; pfn < 300; pfn++)
		ck_assert(buddy_alloc_at_type(&t.z, pfn, 0, MIGRATE_MOVABLE));
	ck_assert_int_eq(buddy_pageblock_mt(&t.z, 0), MIGRATE_MOVABLE);
	ck_assert_int_ge(buddy_alloc(&t.z, 0, MIGRATE_RECLAIMABLE, 0, &fb), 300);
	ck_assert(fb.happened && fb.change_ownership);
	ck_assert_int_eq(buddy_pageblock_mt(&t.z, 0), MIGRATE_RECLAIMABLE);
	ck_assert(buddy_check(&t.z));
	tzone_destroy(&t);

	/* Same, but 300 movable pages: F + A = 212 + 0 ... below half. */
	tzone_init(&t, 0, 1024, 9);
	ck_assert(buddy_alloc_at(&t.z, 512, 9));
	for (uint64_t pfn = 0; pfn < 300; pfn++)
		ck_assert(buddy_alloc_at_type(&t.z, pfn, 0, MIGRATE_MOVABLE));
	ck_assert_int_ge(buddy_alloc(&t.z, 0, MIGRATE_RECLAIMABLE, 0, &fb), 300);
	ck_assert(fb.happened && !fb.change_ownership);
	ck_assert_int_eq(buddy_pageblock_mt(&t.z, 0), MIGRATE_MOVABLE);
	ck_assert(buddy_check(&t.z));
	tzone_destroy(&t);
}
END_TEST

START_TEST(nofragment)
{
	struct tzone t;
	struct buddy_fallback fb;

	unmovable_pageblock(&t);
	/* Only sub-pageblock UNMOVABLE blocks: NOFRAGMENT refuses. */
	ck_assert_int_eq(buddy_alloc(&t.z, 0, MIGRATE_MOVABLE, ALLOC_NOFRAGMENT,
				     &fb), -1);
	ck_assert(!fb.happened);
	ck_assert_uint_eq(fb.nr_boost, 0);
	ck_assert_uint_eq(t.z.free_pages, 511);
	ck_assert(buddy_check(&t.z));
	ck_assert_int_ge(buddy_alloc(&t.z, 0, MIGRATE_MOVABLE, 0, &fb), 0);
	ck_assert(fb.happened);
	tzone_destroy(&t);

	/* A whole fallback pageblock is fine under NOFRAGMENT. */
	tzone_init(&t, 0, 1024, 9);
	ck_assert_int_eq(buddy_alloc(&t.z, 0, MIGRATE_UNMOVABLE, ALLOC_NOFRAGMENT,
				     &fb), 0);
	ck_assert(fb.happened && fb.change_ownership);
	tzone_destroy(&t);
}
END_TEST

START_TEST(partial_pageblock_never_claimed)
{
	struct tzone t;
	struct buddy_fallback fb;

	/* Zone [256, 768): pageblock 0 is cut by the zone start. Make it
	 * UNMOVABLE with free sub-pageblock blocks only. */
	tzone_init(&t, 256, 512, 9);
	ck_assert(buddy_alloc_at(&t.z, 512, 8));	/* pageblock 1's half */
	ck_assert(buddy_alloc_at(&t.z, 256, 8));
	t.z.pageblock_mt[0] = MIGRATE_UNMOVABLE;
	buddy_free(&t.z, 256, 8);
	ck_assert(!buddy_alloc_at(&t.z, 640, 7));	/* in use */
	ck_assert(buddy_check(&t.z));
	/* Movable request: the order-8 UNMOVABLE block at 256 sits in a
	 * pageblock the zone cuts, so the claim fails and it is stolen. */
	ck_assert_int_eq(buddy_alloc(&t.z, 0, MIGRATE_MOVABLE, 0, &fb), 256);
	ck_assert(fb.happened && !fb.change_ownership);
	ck_assert_uint_eq(fb.nr_boost, 1);
	ck_assert_int_eq(buddy_pageblock_mt(&t.z, 256), MIGRATE_UNMOVABLE);
	ck_assert(buddy_check(&t.z));
	tzone_destroy(&t);
}
END_TEST

/* buddy_check() reports each broken invariant on stderr: expected output. */
START_TEST(check_detects_corruption)
{
	struct tzone t;

	tzone_init(&t, 0, 1024, 9);
	ck_assert_int_eq(alloc_mt(&t, 0, MIGRATE_MOVABLE), 0);
	ck_assert(buddy_check(&t.z));
	t.z.free_area[3].nr_free_mt[MIGRATE_MOVABLE]++;
	ck_assert(!buddy_check(&t.z));
	t.z.free_area[3].nr_free_mt[MIGRATE_MOVABLE]--;
	t.z.free_pages++;
	ck_assert(!buddy_check(&t.z));
	t.z.free_pages--;
	t.map[9].flags |= PG_buddy;	/* inside the order-3 block at 8 */
	ck_assert(!buddy_check(&t.z));
	t.map[9].flags &= ~PG_buddy;
	t.z.pageblock_mt[0] = MIGRATE_UNMOVABLE;
	ck_assert(!buddy_check(&t.z));
	t.z.pageblock_mt[0] = MIGRATE_MOVABLE;
	t.map[16].prev = 3;
	ck_assert(!buddy_check(&t.z));
	t.map[16].prev = 16;
	ck_assert(buddy_check(&t.z));
	tzone_destroy(&t);
}
END_TEST

/* ---- random sequences ---- */

/* ck_assert() reports every pass to the runner (a write per call); the
 * hot loops below only report failures. */
#define REQUIRE(cond, ...)                                                    \
	do {                                                                  \
		if (!(cond))                                                  \
			ck_abort_msg(__VA_ARGS__);                            \
	} while (0)

struct rng {
	uint64_t s;
};

static uint32_t rng_next(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return (uint32_t)(r->s >> 16);
}

struct live_block {
	uint64_t pfn;
	unsigned order;
};

/* The test's own view: which pfns are allocated, and which blocks. */
struct shadow {
	uint8_t *used;			/* per pfn of the zone */
	struct live_block *live;
	size_t nr_live, cap;
	uint64_t used_pages;
};

static void shadow_take(struct tzone *t, struct shadow *sh, uint64_t pfn,
			unsigned order, int mt)
{
	uint64_t nr = (uint64_t)1 << order;

	REQUIRE(pfn % nr == 0, "pfn %llu misaligned for order %u", (unsigned long long)pfn, order);
	REQUIRE(pfn >= t->start && pfn + nr <= t->start + t->pages,
		"pfn %llu order %u outside the zone", (unsigned long long)pfn, order);
	for (uint64_t i = 0; i < nr; i++) {
		REQUIRE(!sh->used[pfn + i - t->start],
			      "pfn %llu handed out twice",
			      (unsigned long long)(pfn + i));
		sh->used[pfn + i - t->start] = 1;
		REQUIRE(!buddy_pfn_is_free(&t->z, pfn + i) &&
			t->map[pfn + i].migratetype == mt &&
			(t->map[pfn + i].flags & (i ? PG_tail : PG_head)),
			"allocated pfn %llu: still free, wrong type or flags",
			(unsigned long long)(pfn + i));
	}
	REQUIRE(t->map[pfn].order == order, "pfn %llu: order %u, expected %u",
		(unsigned long long)pfn, t->map[pfn].order, order);
	if (sh->nr_live == sh->cap) {
		sh->cap = sh->cap ? 2 * sh->cap : 256;
		sh->live = realloc(sh->live, sh->cap * sizeof(*sh->live));
		ck_assert_ptr_nonnull(sh->live);
	}
	sh->live[sh->nr_live++] = (struct live_block){ pfn, order };
	sh->used_pages += nr;
}

static void shadow_free_one(struct tzone *t, struct shadow *sh, size_t i)
{
	struct live_block b = sh->live[i];
	uint64_t nr = (uint64_t)1 << b.order;

	sh->live[i] = sh->live[--sh->nr_live];
	buddy_free(&t->z, b.pfn, b.order);
	for (uint64_t k = 0; k < nr; k++) {
		sh->used[b.pfn + k - t->start] = 0;
		REQUIRE(buddy_pfn_is_free(&t->z, b.pfn + k), "freed pfn %llu not free",
			(unsigned long long)(b.pfn + k));
	}
	sh->used_pages -= nr;
}

/* Every pfn: free in the allocator exactly when free in the shadow. */
static void shadow_sweep(const struct tzone *t, const struct shadow *sh)
{
	for (uint64_t pfn = t->start; pfn < t->start + t->pages; pfn++)
		REQUIRE(buddy_pfn_is_free(&t->z, pfn) ==
			      !sh->used[pfn - t->start],
			      "pfn %llu: allocator and shadow disagree",
			      (unsigned long long)pfn);
}

static unsigned random_order(struct rng *r)
{
	static const unsigned orders[] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1,
					   2, 2, 3, 3, 4, 5, 6, 8, 9, 10 };

	return orders[rng_next(r) % (sizeof(orders) / sizeof(orders[0]))];
}

/* Mostly movable, as user memory is: mixed pageblocks then refuse claims
 * and unmovable requests have to steal. */
static int random_mt(struct rng *r)
{
	uint32_t dice = rng_next(r) % 10;

	return dice < 7 ? MIGRATE_MOVABLE :
	       dice < 9 ? MIGRATE_UNMOVABLE : MIGRATE_RECLAIMABLE;
}

/* What a random run went through: every path must be visited. */
struct run_stats {
	uint64_t claims, steals, failures, placed, refused;
};

static void random_alloc(struct tzone *t, struct shadow *sh, struct rng *r,
			 struct run_stats *st)
{
	unsigned order = random_order(r);
	int mt = random_mt(r);
	unsigned flags = rng_next(r) % 4 == 0 ? ALLOC_NOFRAGMENT : 0;
	struct buddy_fallback fb;
	uint64_t free_before = t->z.free_pages;
	int64_t pfn = buddy_alloc(&t->z, order, mt, flags, &fb);

	if (pfn < 0) {
		REQUIRE(t->z.free_pages == free_before && !fb.happened,
			"failed allocation changed the zone");
		st->failures++;
		return;
	}
	REQUIRE(t->z.free_pages == free_before - ((uint64_t)1 << order),
		"free_pages off after an order-%u allocation", order);
	if (fb.happened) {
		REQUIRE(fb.pfn == (uint64_t)pfn && fb.alloc_migratetype == mt &&
			fb.fallback_migratetype != mt && fb.fallback_order >= order,
			"fallback record of pfn %lld is wrong", (long long)pfn);
		REQUIRE(fb.change_ownership ==
			(buddy_pageblock_mt(&t->z, (uint64_t)pfn) == mt),
			"change_ownership %d disagrees with the pageblock tag",
			fb.change_ownership);
		REQUIRE(!(flags & ALLOC_NOFRAGMENT) ||
			fb.fallback_order >= t->z.pageblock_order,
			"NOFRAGMENT fell back at order %u", fb.fallback_order);
	}
	shadow_take(t, sh, (uint64_t)pfn, order, mt);
	if (fb.happened)
		*(fb.change_ownership ? &st->claims : &st->steals) += 1;
}

static void random_alloc_at(struct tzone *t, struct shadow *sh, struct rng *r,
			    struct run_stats *st)
{
	unsigned order = random_order(r) % 4;
	uint64_t nr = (uint64_t)1 << order;
	uint64_t pfn = (t->start + rng_next(r) % t->pages) & ~(nr - 1);
	bool in_zone = pfn >= t->start && pfn + nr <= t->start + t->pages;
	bool all_free = in_zone;
	int mt = random_mt(r);

	for (uint64_t i = 0; all_free && i < nr; i++)
		all_free = !sh->used[pfn + i - t->start];
	REQUIRE(buddy_alloc_at_type(&t->z, pfn, order, mt) == all_free,
		"alloc_at pfn %llu order %u: expected %d", (unsigned long long)pfn,
		order, all_free);
	if (all_free)
		shadow_take(t, sh, pfn, order, mt);
	*(all_free ? &st->placed : &st->refused) += 1;
}

/* Snapshot of the free-block structure: (PG_buddy, order) per pfn. */
static uint8_t *layout_snapshot(const struct tzone *t)
{
	uint8_t *snap = malloc(t->pages);

	ck_assert_ptr_nonnull(snap);
	for (uint64_t i = 0; i < t->pages; i++) {
		const struct page *p = &t->map[t->start + i];

		snap[i] = (p->flags & PG_buddy) ? (uint8_t)(0x80 | p->order) : 0;
	}
	return snap;
}

/*
 * ops random operations, buddy_check() every check_every of them and a
 * full per-pfn comparison every 50 checks; then everything is freed and
 * must merge back into the initial layout. Returns the paths taken.
 */
static struct run_stats random_run(uint64_t start, uint64_t pages,
				   unsigned pageblock_order, uint64_t seed,
				   int ops, int check_every)
{
	struct tzone t;
	struct shadow sh = { 0 };
	struct rng r = { seed };
	uint64_t init_nr_free[NR_PAGE_ORDERS], nr_free[NR_PAGE_ORDERS];
	uint8_t *init_snap, *layout;
	struct run_stats st = { 0 };
	bool fill = true;

	tzone_init(&t, start, pages, pageblock_order);
	buddy_nr_free(&t.z, init_nr_free);
	init_snap = layout_snapshot(&t);
	sh.used = calloc(pages, 1);
	ck_assert_ptr_nonnull(sh.used);
	for (int op = 0; op < ops; op++) {
		uint32_t dice = rng_next(&r) % 100;

		/* Drift between filling up to 98 % and draining to 10 %, to
		 * visit a full zone (fallbacks, failures) and an empty one. */
		if (t.z.free_pages < pages / 50)
			fill = false;
		else if (t.z.free_pages > pages - pages / 10)
			fill = true;
		if (sh.nr_live && dice < (fill ? 25u : 60u)) {
			shadow_free_one(&t, &sh, rng_next(&r) % sh.nr_live);
		} else if (dice < 90) {
			random_alloc(&t, &sh, &r, &st);
		} else {
			random_alloc_at(&t, &sh, &r, &st);
		}
		REQUIRE(t.z.free_pages == pages - sh.used_pages,
			"op %d: free_pages %llu, shadow says %llu", op,
			(unsigned long long)t.z.free_pages,
			(unsigned long long)(pages - sh.used_pages));
		if (op % check_every == 0) {
			REQUIRE(buddy_check(&t.z), "op %d", op);
			if (op % (check_every * 50) == 0)
				shadow_sweep(&t, &sh);
		}
	}
	ck_assert(buddy_check(&t.z));
	shadow_sweep(&t, &sh);
	while (sh.nr_live)
		shadow_free_one(&t, &sh, sh.nr_live - 1);
	ck_assert(buddy_check(&t.z));
	buddy_nr_free(&t.z, nr_free);
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
		ck_assert_uint_eq(nr_free[o], init_nr_free[o]);
	layout = layout_snapshot(&t);
	ck_assert(memcmp(layout, init_snap, pages) == 0);
	ck_assert_uint_eq(t.z.free_pages, pages);
	free(layout);
	free(init_snap);
	free(sh.used);
	free(sh.live);
	tzone_destroy(&t);
	return st;
}

static void assert_all_paths(const struct run_stats *st)
{
	ck_assert_msg(st->claims && st->steals && st->failures && st->placed &&
		      st->refused, "a path was never taken: claims %llu steals "
		      "%llu failures %llu placed %llu refused %llu",
		      (unsigned long long)st->claims,
		      (unsigned long long)st->steals,
		      (unsigned long long)st->failures,
		      (unsigned long long)st->placed,
		      (unsigned long long)st->refused);
}

START_TEST(random_small_checked_every_op)
{
	struct run_stats st = random_run(0x37, 5000, 9, 0x9e3779b97f4a7c15ull,
					 40000, 1);

	assert_all_paths(&st);
}
END_TEST

START_TEST(random_small_pageblocks)
{
	/* Small pageblocks: merges cross pageblocks at most orders. */
	struct run_stats st = random_run(5, 3000, 5, 0x1234567ull, 30000, 1);

	assert_all_paths(&st);
	/* At pageblock order 3 every claim candidate of order >= 1 holds
	 * at least a quarter of its 8-page block: steals are rare. */
	st = random_run(3, 2000, 3, 0xabcdefull, 20000, 1);
	ck_assert(st.claims && st.failures && st.placed && st.refused);
}
END_TEST

START_TEST(random_large)
{
	struct run_stats st = random_run(1024, 64 * 1024 + 300, 9, 42, 200000,
					 500);

	assert_all_paths(&st);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("buddy");
	TCase *tc = tcase_create("core");
	TCase *tr = tcase_create("random");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, init_layout);
	tcase_add_test(tc, init_lists_ascending);
	tcase_add_test(tc, split_exact);
	tcase_add_test(tc, merge_exact);
	tcase_add_test(tc, no_merge_across_zone_edge);
	tcase_add_test(tc, free_to_tail_when_merge_likely);
	tcase_add_test(tc, alloc_at);
	tcase_add_test(tc, alloc_at_spans_unmerged_blocks);
	tcase_add_test(tc, highatomic_last_resort);
	tcase_add_test(tc, merge_across_pageblocks_retags_buddy);
	tcase_add_test(tc, large_free_splits_by_pageblock);
	tcase_add_test(tc, claim_largest_block_whole);
	tcase_add_test(tc, movable_claims_unmovable_block_half_rule);
	tcase_add_test(tc, movable_steals_when_claim_fails);
	tcase_add_test(tc, movable_small_blocks_only_steal);
	tcase_add_test(tc, unmovable_steals_when_claim_fails);
	tcase_add_test(tc, unmovable_claims_movable_block_with_alike_pages);
	tcase_add_test(tc, reclaimable_claim_counts_unmovable_as_alike);
	tcase_add_test(tc, nofragment);
	tcase_add_test(tc, partial_pageblock_never_claimed);
	tcase_add_test(tc, check_detects_corruption);
	tcase_add_test(tr, random_small_checked_every_op);
	tcase_add_test(tr, random_small_pageblocks);
	tcase_add_test(tr, random_large);
	tcase_set_timeout(tr, 300);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tr);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
