/*
 * check_compaction.c - compaction (sim/mm/compaction.c, kcompactd.c,
 * policy/compact_kernel.c) on hand-built physical layouts.
 *
 * Layouts are built with `alloc` rows in placement.mode trace, so every
 * page sits on a pfn chosen here, and the expected outcome is worked out by
 * hand from kernel-model.md §7: which pages move, how many, what the free
 * lists hold afterwards, which result code ends each run, how deferral
 * backs off. Every run checks the model's invariants (sim_check) at the end.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvrun.h"
#include "mm/buddy.h"
#include "mm/compaction.h"
#include "mm/internal.h"

#define ALLOC_HEADER "time_ns,op,pid,addr,type,order,migratetype,pfn,gfp"

/* A zone of `pages` with no marks, no kswapd, no kcompactd: only what
 * the test triggers compacts. */
static const char *const quiet_sets[] = {
	"watermarks=none", "kswapd.enabled=false", "kcompactd.enabled=false",
	"compaction.proactiveness=0", "placement.mode=trace", NULL,
};

static void sets_with(const char **out, size_t cap, const char *pages,
		      const char *const *extra)
{
	size_t n = 0;

	out[n++] = pages;
	for (size_t i = 0; quiet_sets[i]; i++)
		out[n++] = quiet_sets[i];
	for (; extra && *extra; extra++)
		out[n++] = *extra;
	ck_assert_uint_lt(n, cap);
	out[n] = NULL;
}

/* Movable order-0 `alloc` rows at every pfn in [from, to) with pfn % step == 0. */
static void alloc_every(struct csvbuf *c, uint64_t from, uint64_t to,
			uint64_t step, const char *mt)
{
	for (uint64_t pfn = from; pfn < to; pfn += step)
		csvbuf_row(c, "alloc,1,,,0,%s,%llu,", mt,
			   (unsigned long long)pfn);
}

static uint32_t alloc_entry(struct sim *s, uint64_t key)
{
	return pagemap_lookup(s->pm, s->kernel_obj, key);
}

static uint64_t alloc_pfn(struct sim *s, uint64_t key)
{
	uint32_t id = alloc_entry(s, key);

	ck_assert_uint_ne(id, PM_NONE);
	return pagemap_entry(s->pm, id)->pfn;
}

/* The "ev" values of a log, in order, for events named ev (or all). */
static size_t log_events(const char *path, const char *ev, json_t **out,
			 size_t cap)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	size_t n = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		json_error_t jerr;
		json_t *o = json_loads(line, 0, &jerr);

		ck_assert_msg(o != NULL, "%s", jerr.text);
		if (!strcmp(json_string_value(json_object_get(o, "ev")), ev) &&
		    n < cap)
			out[n++] = o;
		else
			json_decref(o);
	}
	fclose(f);
	return n;
}

static void free_events(json_t **evs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(evs[i]);
}

static const char *str_field(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static long long int_field(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static char *tmp_log(char buf[64])
{
	int fd;

	strcpy(buf, "/tmp/check_compaction-XXXXXX");
	fd = mkstemp(buf);
	ck_assert_int_ge(fd, 0);
	close(fd);
	return buf;
}

/* ---- deferral: the pure functions (§7.5) ---- */

START_TEST(test_defer_backoff_and_reset)
{
	struct compact_defer d;
	int skipped = 0;

	compact_defer_init(&d);
	ck_assert(!compaction_deferred(&d, 9));	/* nothing failed yet */
	/* After s failures at order 9, 2^s - 1 attempts are skipped. */
	for (unsigned s = 1; s <= 8; s++) {
		unsigned shift = s < COMPACT_MAX_DEFER_SHIFT ? s :
				 COMPACT_MAX_DEFER_SHIFT;

		defer_compaction(&d, 9);
		ck_assert_uint_eq(d.defer_shift, shift);
		ck_assert_int_eq(d.order_failed, 9);
		skipped = 0;
		while (compaction_deferred(&d, 9))
			skipped++;
		ck_assert_int_eq(skipped, (1 << shift) - 1);
		/* Lower orders than the one that failed are never deferred. */
		ck_assert(!compaction_deferred(&d, 8));
	}
	/* At the longest back-off the next attempt is a restart. */
	ck_assert(compaction_restarting(&d, 9));
	ck_assert(!compaction_restarting(&d, 8));
	/* A success that was only expected keeps the back-off ... */
	compaction_defer_reset(&d, 9, false);
	ck_assert_uint_eq(d.defer_shift, COMPACT_MAX_DEFER_SHIFT);
	ck_assert_int_eq(d.order_failed, 10);
	ck_assert(!compaction_deferred(&d, 9));	/* below order_failed */
	/* ... an allocation that succeeded clears it. */
	defer_compaction(&d, 5);
	ck_assert_int_eq(d.order_failed, 5);
	compaction_defer_reset(&d, 5, true);
	ck_assert_uint_eq(d.defer_shift, 0);
	ck_assert_uint_eq(d.considered, 0);
	ck_assert_int_eq(d.order_failed, 6);
	ck_assert(!compaction_restarting(&d, 9));
}
END_TEST

/* ---- manual compaction of a checkerboard ---- */

/*
 * 2048 pages = 4 pageblocks, a movable page on every even pfn. Whole-zone
 * compaction, round by round as compact_zone() runs (§7.3):
 *  1. the migrate scanner starts at pfn 0, so last_migrated_pfn (0) and
 *     the round start share a pageblock and finish_pageblock is set: all
 *     256 pages of pageblock 0 are isolated; the free scanner takes the
 *     256 free pages of pageblock 3. 256 moved, pageblock 0 is free.
 *  2. pageblock 1: 32 pages (COMPACT_CLUSTER_MAX), migrate_pfn stops at
 *     575; targets: the first 32 free pages of pageblock 2 (1025..1087).
 *  3. same pageblock again, so finish_pageblock: the other 224 pages are
 *     isolated and migrate_pfn reaches 1024, the start of pageblock 2.
 *     The free scanner may only look above the migrate scanner's
 *     pageblock, and pageblock 3 is full: no target, the first page fails
 *     (pgmigrate_fail 1), the rest stay.
 *  4. the scanners met after a whole-zone run: COMPLETE.
 * Free afterwards: pageblock 0 (order 9; pageblock 1 is not free, so no
 * merge), 512..575 (order 6), and 448 single pages.
 */
START_TEST(test_manual_checkerboard_complete)
{
	const char *sets[16];
	struct csvrun r = { 0 };
	struct csvbuf c;
	char log[64];
	uint64_t nr_free[NR_PAGE_ORDERS];
	json_t *ends[4];
	size_t n;

	sets_with(sets, 16, "memory.pages=2048", NULL);
	csvbuf_init(&c, ALLOC_HEADER, 1000);
	alloc_every(&c, 0, 2048, 2, "movable");
	csvrun_replay(&r, c.buf, NULL, sets, false, tmp_log(log));
	compact_nodes(r.s);
	ck_assert(sim_check(r.s));
	buddy_nr_free(&r.s->nodes[0].zones[0], nr_free);
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
		ck_assert_uint_eq(nr_free[o], o == 9 ? 1 : o == 6 ? 1 :
				  o == 0 ? 448 : 0);
	ck_assert_uint_eq(r.s->vm[VM_pgmigrate_success], 288);
	ck_assert_uint_eq(r.s->vm[VM_pgmigrate_fail], 1);
	/* Every movable page is still allocated, the moved ones above. */
	for (uint64_t key = 0; key < 2048; key += 2) {
		uint64_t pfn = alloc_pfn(r.s, key);

		if (key < 512)
			ck_assert(pfn >= 1536 && pfn % 2);
		else if (key < 576)
			ck_assert(pfn >= 1025 && pfn < 1088 && pfn % 2);
		else
			ck_assert_uint_eq(pfn, key);
	}
	ck_assert_uint_eq(r.s->stats.compact_results[COMPACT_COMPLETE], 1);
	csvrun_done(&r);
	n = log_events(log, "mm_compaction_end", ends, 4);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(str_field(ends[0], "status"), "complete");
	ck_assert_str_eq(str_field(ends[0], "trigger"), "manual");
	ck_assert_str_eq(str_field(ends[0], "mode"), "sync");
	ck_assert_int_eq(int_field(ends[0], "order"), -1);
	ck_assert_int_eq(int_field(ends[0], "migrated"), 288);
	ck_assert_int_eq(int_field(ends[0], "failed"), 1);
	ck_assert_int_eq(int_field(ends[0], "duration_ns"),
			 288 * 5000 + (int_field(ends[0], "migrate_scanned") +
				       int_field(ends[0], "free_scanned")) * 20);
	free_events(ends, n);
	csvbuf_free(&c);
	unlink(log);
}
END_TEST

/*
 * A checkerboard over 4096 pages (2048 free: compaction is suitable for
 * order 9, which needs more than LOW + 2 << 9 = 1024 free pages) and an
 * order-9 movable allocation: async direct compaction isolates pageblock
 * 0 whole (finish_pageblock at the zone start), moves it into the 256
 * free pages of pageblock 7 and captures the freed block for the
 * allocation. Pageblocks 1..6 are untouched: 1536 free single pages.
 */
START_TEST(test_direct_checkerboard_capture)
{
	const char *sets[16];
	struct csvrun r = { 0 };
	struct csvbuf c;
	uint64_t nr_free[NR_PAGE_ORDERS];

	sets_with(sets, 16, "memory.pages=4096", NULL);
	csvbuf_init(&c, ALLOC_HEADER, 1000);
	alloc_every(&c, 0, 4096, 2, "movable");
	csvbuf_row(&c, "alloc,2,,,9,movable,,");	/* placed by the allocator */
	csvrun_replay(&r, c.buf, NULL, sets, true, NULL);
	ck_assert_uint_eq(r.s->stats.alloc_ok_order[9], 1);
	ck_assert_uint_eq(alloc_pfn(r.s, UINT64_MAX - 2048), 0);
	ck_assert_uint_eq(r.s->vm[VM_compact_stall], 1);
	ck_assert_uint_eq(r.s->vm[VM_compact_success], 1);
	ck_assert_uint_eq(r.s->vm[VM_compact_fail], 0);
	ck_assert_uint_eq(r.s->vm[VM_pgmigrate_success], 256);
	buddy_nr_free(&r.s->nodes[0].zones[0], nr_free);
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
		ck_assert_uint_eq(nr_free[o], o == 0 ? 1536 : 0);
	/* Pageblock 0's pages went to pageblock 7; the others stayed. */
	for (uint64_t key = 0; key < 4096; key += 2)
		if (key < 512)
			ck_assert_uint_ge(alloc_pfn(r.s, key), 3584);
		else
			ck_assert_uint_eq(alloc_pfn(r.s, key), key);
	ck_assert_uint_gt(r.s->stats.compact_ns, 0);
	csvrun_done(&r);
	csvbuf_free(&c);
}
END_TEST

/*
 * Unmovable pages never move: a movable page on every even pfn and an
 * unmovable one on every pfn = 1 mod 64. Whole-zone compaction moves
 * movable pages only; each unmovable block is where it was.
 */
START_TEST(test_unmovable_never_move)
{
	const char *sets[16];
	struct csvrun r = { 0 };
	struct csvbuf c;
	uint64_t moved = 0;

	sets_with(sets, 16, "memory.pages=2048", NULL);
	csvbuf_init(&c, ALLOC_HEADER, 1000);
	alloc_every(&c, 0, 2048, 2, "movable");
	for (uint64_t pfn = 1; pfn < 2048; pfn += 64)
		csvbuf_row(&c, "alloc,1,,,0,unmovable,%llu,",
			   (unsigned long long)pfn);
	csvrun_replay(&r, c.buf, NULL, sets, false, NULL);
	compact_nodes(r.s);
	ck_assert(sim_check(r.s));
	for (uint64_t pfn = 1; pfn < 2048; pfn += 64) {
		ck_assert_uint_eq(alloc_pfn(r.s, pfn), pfn);
		ck_assert_uint_eq(r.s->mem_map[pfn].migratetype,
				  MIGRATE_UNMOVABLE);
	}
	for (uint64_t key = 0; key < 2048; key += 2)
		moved += alloc_pfn(r.s, key) != key;
	ck_assert_uint_gt(moved, 0);
	ck_assert_uint_eq(moved, r.s->vm[VM_pgmigrate_success]);
	csvrun_done(&r);
	csvbuf_free(&c);
}
END_TEST

/*
 * Scanners meeting ends a run: COMPLETE when it covered the whole zone,
 * PARTIAL_SKIPPED when it started from a cached position. Pageblock 0 is
 * a movable checkerboard; pageblocks 1-3 each start with an unmovable page
 * and are otherwise free, so no block but 0 can ever be emptied.
 *  1. order-9 allocation: async direct compaction empties block 0 into
 *     block 3 and captures it: success. Block 0 was scanned to its end,
 *     so the async cached position moves to pageblock_end_pfn(512) =
 *     1024: like the kernel's update_cached_migrate(), one pageblock
 *     past the end of the one just finished.
 *  2. order-9 allocation: async compaction starts at that cached
 *     position (not the whole zone), finds nothing to move in pageblock
 *     2, the scanners meet: partial_skipped, and the cached positions go
 *     back to the zone ends.
 *     No reclaimable pages, so the sync retry after direct reclaim starts
 *     at the zone start: complete. It failed, so the zone is deferred.
 */
START_TEST(test_scanners_meet_results)
{
	const char *sets[16];
	struct csvrun r = { 0 };
	struct csvbuf c;
	char log[64];
	json_t *ends[8];
	size_t n;

	sets_with(sets, 16, "memory.pages=2048", NULL);
	csvbuf_init(&c, ALLOC_HEADER, 1000);
	alloc_every(&c, 0, 512, 2, "movable");
	for (uint64_t pfn = 512; pfn < 2048; pfn += 512)
		csvbuf_row(&c, "alloc,1,,,0,unmovable,%llu,",
			   (unsigned long long)pfn);
	csvbuf_row(&c, "alloc,2,,,9,movable,,");
	csvbuf_row(&c, "alloc,2,,,9,movable,,");
	csvrun_replay(&r, c.buf, NULL, sets, true, tmp_log(log));
	ck_assert_uint_eq(r.s->stats.alloc_ok_order[9], 1);
	ck_assert_uint_eq(r.s->stats.alloc_fail_order[9], 1);
	ck_assert_uint_eq(r.s->vm[VM_compact_stall], 3);
	ck_assert_uint_eq(r.s->vm[VM_compact_success], 1);
	ck_assert_uint_eq(r.s->vm[VM_compact_fail], 2);
	csvrun_done(&r);
	n = log_events(log, "mm_compaction_end", ends, 8);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(str_field(ends[0], "status"), "success");
	ck_assert_str_eq(str_field(ends[0], "mode"), "async");
	ck_assert_str_eq(str_field(ends[1], "status"), "partial_skipped");
	ck_assert_str_eq(str_field(ends[1], "mode"), "async");
	ck_assert_int_eq(int_field(ends[1], "migrated"), 0);
	ck_assert_str_eq(str_field(ends[2], "status"), "complete");
	ck_assert_str_eq(str_field(ends[2], "mode"), "sync");
	free_events(ends, n);
	n = log_events(log, "mm_compaction_begin", ends, 8);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(int_field(ends[0], "migrate_pfn"), 0);
	ck_assert_int_eq(int_field(ends[1], "migrate_pfn"), 1024);
	ck_assert_int_eq(int_field(ends[2], "migrate_pfn"), 0);
	ck_assert_int_eq(int_field(ends[2], "free_pfn"), 1536);
	free_events(ends, n);
	csvbuf_free(&c);
	unlink(log);
}
END_TEST

/*
 * Deferral as direct compaction sees it: after the failed sync run of the
 * test above the zone is deferred once, so of the next order-9 request's
 * two attempts (async, then sync after reclaim) the first is skipped and
 * the second runs, fails and doubles the back-off: the third request's
 * attempts are both skipped, the fourth's second runs again.
 */
START_TEST(test_deferral_in_direct_compaction)
{
	const char *sets[16];
	struct csvrun r = { 0 };
	struct csvbuf c;

	sets_with(sets, 16, "memory.pages=2048", NULL);
	csvbuf_init(&c, ALLOC_HEADER, 1000);
	for (uint64_t pfn = 0; pfn < 2048; pfn += 512)
		csvbuf_row(&c, "alloc,1,,,0,unmovable,%llu,",
			   (unsigned long long)pfn);
	for (int i = 0; i < 4; i++)
		csvbuf_row(&c, "alloc,2,,,9,movable,,");
	csvrun_replay(&r, c.buf, NULL, sets, true, NULL);
	/* Runs: request 1 async + sync; 2: sync; 3: none; 4: sync. */
	ck_assert_uint_eq(r.s->stats.compact_runs[COMPACT_TRIGGER_DIRECT], 4);
	ck_assert_uint_eq(r.s->stats.compact_results[COMPACT_COMPLETE], 4);
	/* DEFERRED outranks SKIPPED: a fully deferred attempt still stalls. */
	ck_assert_uint_eq(r.s->vm[VM_compact_stall], 8);
	ck_assert_uint_eq(r.s->vm[VM_compact_success], 0);
	ck_assert_uint_eq(r.s->stats.alloc_fail_order[9], 4);
	csvrun_done(&r);
	csvbuf_free(&c);
}
END_TEST

/* ---- LRU pages keep their identity and their place ---- */

/*
 * lru policy, 2048 pages. Anon pages 0..2047 are faulted in order (pfns
 * 0..2047), the odd ones unmapped: four checkerboard pageblocks, which
 * whole-zone compaction rearranges as in test_manual_checkerboard_complete:
 * pages 0..510 to odd pfns of pageblock 3, pages 512..574 to odd pfns of
 * 1025..1087. Then 1024 more pages fill memory and one more fault
 * reclaims 32 pages: the 32 oldest, anon pages 0, 2, ..., 62 - the order
 * they were faulted in, whatever pfn compaction gave them.
 */
START_TEST(test_lru_pages_keep_identity_and_position)
{
	const char *sets[] = { "memory.pages=2048", "watermarks=none",
			       "kswapd.enabled=false",
			       "kcompactd.enabled=false",
			       "compaction.proactiveness=0",
			       "reclaim.policy=lru", NULL };
	struct csvrun r = { 0 };
	struct csvbuf c;

	csvbuf_init(&c, "time_ns,op,pid,addr", 1000);
	for (int i = 0; i < 2048; i++)
		csvbuf_row(&c, "access,1,%d", i * 4096);
	for (int i = 1; i < 2048; i += 2)
		csvbuf_row(&c, "unmap,1,%d", i * 4096);
	csvrun_replay(&r, c.buf, NULL, sets, true, NULL);
	for (int i = 0; i < 2048; i += 2)
		ck_assert_uint_eq(csvrun_page(r.s, PAGE_ANON, 1, 0, i) -
				  r.s->mem_map, i);
	compact_nodes(r.s);
	ck_assert(sim_check(r.s));
	ck_assert_uint_eq(r.s->vm[VM_pgmigrate_success], 288);
	for (int i = 0; i < 2048; i += 2) {
		const struct page *p = csvrun_page(r.s, PAGE_ANON, 1, 0, i);
		uint64_t pfn = (uint64_t)(p - r.s->mem_map);

		ck_assert(p->flags & PG_lru);
		if (i < 512)
			ck_assert(pfn >= 1536 && pfn % 2);
		else if (i < 576)
			ck_assert(pfn >= 1025 && pfn < 1088 && pfn % 2);
		else
			ck_assert_uint_eq(pfn, i);
	}
	csvbuf_free(&c);
	csvbuf_init(&c, "time_ns,op,pid,addr", 1000);
	c.t_ns = 10000000;
	for (int i = 0; i < 1025; i++)
		csvbuf_row(&c, "access,2,%d", i * 4096);
	csvrun_more(&r, c.buf, true);
	ck_assert_uint_eq(r.s->vm[VM_pgsteal_direct], 32);
	for (int i = 0; i < 2048; i += 2)
		ck_assert((csvrun_page(r.s, PAGE_ANON, 1, 0, i) == NULL) ==
			  (i < 64));
	csvrun_done(&r);
	csvbuf_free(&c);
}
END_TEST

/* ---- fallbacks: mm_page_alloc_extfrag ---- */

/*
 * 2048 free pages (two order-10 blocks, every pageblock MOVABLE). An
 * unmovable page has no list of its own: the claim step takes the largest
 * fallback block, order 10, and retags both its pageblocks (§1.6). Then a
 * one-pageblock zone with 384 movable pages in use and its last 128 pages
 * free: an unmovable page can only be stolen (free + alike = 128 < 256),
 * leaving the pageblock MOVABLE: the fragmenting case.
 */
START_TEST(test_fallback_claim_and_steal_logged)
{
	const char *sets[16];
	const char *small[] = { "placement.mode=trace", NULL };
	struct csvrun r = { 0 };
	struct csvbuf c;
	char log[64];
	json_t *x[4], *frag[64];
	size_t n, nf;

	sets_with(sets, 16, "memory.pages=2048", NULL);
	csvbuf_init(&c, ALLOC_HEADER, 1000);
	csvbuf_row(&c, "alloc,1,,,0,unmovable,,");
	csvrun_replay(&r, c.buf, NULL, sets, true, tmp_log(log));
	ck_assert_uint_eq(buddy_pageblock_mt(&r.s->nodes[0].zones[0], 0),
			  MIGRATE_UNMOVABLE);
	ck_assert_uint_eq(buddy_pageblock_mt(&r.s->nodes[0].zones[0], 512),
			  MIGRATE_UNMOVABLE);
	ck_assert_uint_eq(buddy_pageblock_mt(&r.s->nodes[0].zones[0], 1024),
			  MIGRATE_MOVABLE);
	fragstat_sample(r.s, &r.s->nodes[0].zones[0], FRAG_SAMPLE_TIMER);
	csvrun_done(&r);
	n = log_events(log, "mm_page_alloc_extfrag", x, 4);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(int_field(x[0], "alloc_order"), 0);
	ck_assert_int_eq(int_field(x[0], "fallback_order"), 10);
	ck_assert_int_eq(int_field(x[0], "pageblock_order"), 9);
	ck_assert_int_eq(int_field(x[0], "alloc_migratetype"), 0);
	ck_assert_int_eq(int_field(x[0], "fallback_migratetype"), 1);
	ck_assert_int_eq(int_field(x[0], "fragmenting"), 0);
	ck_assert_int_eq(int_field(x[0], "change_ownership"), 1);
	free_events(x, n);
	nf = log_events(log, "frag", frag, 64);
	ck_assert_uint_ge(nf, 1);
	{
		json_t *pb = json_object_get(frag[nf - 1], "pageblocks");

		ck_assert_int_eq(json_integer_value(json_array_get(pb, 0)), 2);
		ck_assert_int_eq(json_integer_value(json_array_get(pb, 1)), 2);
	}
	free_events(frag, nf);
	csvbuf_free(&c);

	sets_with(sets, 16, "memory.pages=512", small);
	csvbuf_init(&c, ALLOC_HEADER, 1000);
	alloc_every(&c, 0, 384, 1, "movable");
	csvbuf_row(&c, "alloc,1,,,0,unmovable,,");
	csvrun_replay(&r, c.buf, NULL, sets, true, log);
	ck_assert_uint_eq(buddy_pageblock_mt(&r.s->nodes[0].zones[0], 0),
			  MIGRATE_MOVABLE);
	csvrun_done(&r);
	n = log_events(log, "mm_page_alloc_extfrag", x, 4);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(int_field(x[0], "pfn"), 384);
	ck_assert_int_eq(int_field(x[0], "fallback_order"), 7);
	ck_assert_int_eq(int_field(x[0], "fragmenting"), 1);
	ck_assert_int_eq(int_field(x[0], "change_ownership"), 0);
	free_events(x, n);
	csvbuf_free(&c);
	unlink(log);
}
END_TEST

/* ---- kcompactd: proactive, and woken by kswapd ---- */

/*
 * Half of a 4096-page zone in use as scattered single pages: every free
 * block is small, the score is far above 90. 500 ms after the start,
 * kcompactd's timer finds the node score above the high mark and compacts
 * the zone whole until its score is at most the low mark (80).
 */
START_TEST(test_proactive_lowers_score)
{
	const char *sets[] = { "memory.pages=4096", "placement.initial=fill",
			       "placement.fill_percent=50", NULL };
	struct csvrun r = { 0 };
	struct pglist_data *pgdat;
	unsigned before;

	csvrun_replay(&r, "time_ns,op,pid,addr\n", NULL, sets, true, NULL);
	pgdat = &r.s->nodes[0];
	before = fragmentation_score_node(pgdat);
	ck_assert_uint_gt(before, 90);
	sim_start(r.s, 0);
	sim_advance(r.s, 499999999);
	ck_assert_uint_eq(r.s->stats.compact_runs[COMPACT_TRIGGER_PROACTIVE], 0);
	sim_advance(r.s, 2000000000);
	ck_assert(sim_check(r.s));
	ck_assert_uint_eq(r.s->stats.compact_runs[COMPACT_TRIGGER_PROACTIVE], 1);
	ck_assert_uint_eq(r.s->stats.compact_results[COMPACT_SUCCESS], 1);
	ck_assert_uint_le(fragmentation_score_node(pgdat), 80);
	ck_assert_uint_gt(r.s->vm[VM_compact_daemon_migrate_scanned], 0);
	ck_assert_uint_eq(r.s->vm[VM_compact_daemon_migrate_scanned],
			  r.s->vm[VM_compact_migrate_scanned]);
	ck_assert_uint_gt(r.s->stats.kcompactd_busy_ns, 0);
	csvrun_done(&r);
}
END_TEST

/*
 * An order-9 request that may not reclaim or compact itself (GFP_NOWAIT)
 * on a node whose free memory is all single pages between movable
 * `alloc` pages: kswapd is woken, has nothing to reclaim, gives up after
 * MAX_RECLAIM_RETRIES runs and, going to sleep, wakes kcompactd for the
 * order it was woken for (§3.3). kcompactd compacts, one round per event,
 * until an order-9 block is free.
 */
START_TEST(test_kcompactd_woken_by_kswapd)
{
	const char *sets[] = { "memory.pages=4096", "placement.mode=trace",
			       "compaction.proactiveness=0", NULL };
	struct csvrun r = { 0 };
	struct csvbuf c;
	char log[64];
	uint64_t nr_free[NR_PAGE_ORDERS];
	json_t *w[4];
	size_t n;

	csvbuf_init(&c, ALLOC_HEADER, 1000);
	alloc_every(&c, 0, 4096, 2, "movable");
	csvbuf_row(&c, "alloc,2,,,9,,,GFP_NOWAIT|__GFP_MOVABLE");
	csvrun_replay(&r, c.buf, NULL, sets, true, tmp_log(log));
	ck_assert_uint_eq(r.s->stats.alloc_fail_order[9], 1);
	ck_assert_uint_eq(r.s->stats.compact_runs[COMPACT_TRIGGER_KCOMPACTD], 0);
	sim_advance(r.s, r.s->now_ns + 2000000000ull);
	ck_assert(sim_check(r.s));
	ck_assert_uint_eq(r.s->vm[VM_kswapd_wake], 1);
	ck_assert_uint_eq(r.s->vm[VM_compact_daemon_wake], 1);
	ck_assert_uint_eq(r.s->stats.compact_runs[COMPACT_TRIGGER_KCOMPACTD], 1);
	ck_assert_uint_eq(r.s->stats.compact_results[COMPACT_SUCCESS], 1);
	ck_assert_uint_eq(r.s->stats.compact_runs[COMPACT_TRIGGER_DIRECT], 0);
	buddy_nr_free(&r.s->nodes[0].zones[0], nr_free);
	ck_assert_uint_ge(nr_free[9] + nr_free[10], 1);
	ck_assert_uint_eq(r.s->vm[VM_compact_daemon_migrate_scanned],
			  r.s->vm[VM_compact_migrate_scanned]);
	csvrun_done(&r);
	n = log_events(log, "mm_compaction_kcompactd_wake", w, 4);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(int_field(w[0], "order"), 9);
	free_events(w, n);
	n = log_events(log, "mm_compaction_kcompactd_sleep", w, 4);
	ck_assert_uint_eq(n, 1);
	free_events(w, n);
	n = log_events(log, "mm_compaction_end", w, 4);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(str_field(w[0], "trigger"), "kcompactd");
	ck_assert_str_eq(str_field(w[0], "status"), "success");
	free_events(w, n);
	csvbuf_free(&c);
	unlink(log);
}
END_TEST

/* ---- THP faults ---- */

/*
 * thp.enabled: the first anon fault in an empty 2 MiB region maps 512
 * pages with one order-9 allocation (one pgfault); the next region, once
 * every pageblock holds an unmovable page and no swap lets reclaim break
 * the first THP, falls back to a base page.
 * Whole THPs are never migrated; unmapping a subpage breaks the THP.
 */
START_TEST(test_thp_fault_and_fallback)
{
	const char *sets[] = { "memory.pages=2048", "watermarks=none",
			       "kswapd.enabled=false", "thp.enabled=true",
			       "reclaim.swap=false",
			       "compaction.proactiveness=0",
			       "placement.mode=trace", NULL };
	struct csvrun r = { 0 };
	struct csvbuf c;
	const struct page *p;

	csvbuf_init(&c, "time_ns,op,pid,addr,order,migratetype,pfn", 1000);
	for (int i = 0; i < 512; i++)
		csvbuf_row(&c, "access,1,%d,,,", 0x200000 + i * 4096);
	csvrun_replay(&r, c.buf, NULL, sets, true, NULL);
	ck_assert_uint_eq(r.s->vm[VM_thp_fault_alloc], 1);
	ck_assert_uint_eq(r.s->vm[VM_pgfault], 1);
	p = csvrun_page(r.s, PAGE_ANON, 1, 0, 0x200);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq((p - r.s->mem_map) % 512, 0);
	ck_assert(p->flags & PG_thp);
	ck_assert_uint_eq(r.s->nodes[0].lruvec.nr_pages[LRU_ANON], 512);
	/* A whole THP is one large folio: compaction leaves it. */
	compact_nodes(r.s);
	ck_assert_ptr_eq(csvrun_page(r.s, PAGE_ANON, 1, 0, 0x200), p);
	ck_assert_uint_eq(r.s->vm[VM_pgmigrate_success], 0);
	csvbuf_free(&c);
	csvbuf_init(&c, "time_ns,op,pid,addr,order,migratetype,pfn", 1000);
	c.t_ns = 1000000;
	for (uint64_t pfn = 0; pfn < 2048; pfn += 512)
		if (!buddy_pfn_is_free(&r.s->nodes[0].zones[0], pfn + 511))
			continue;
		else
			csvbuf_row(&c, "alloc,1,,0,unmovable,%llu",
				   (unsigned long long)(pfn + 511));
	csvbuf_row(&c, "access,1,%d,,,", 0x400000);
	csvbuf_row(&c, "unmap,1,%d,,,", 0x200000 + 7 * 4096);
	csvrun_more(&r, c.buf, true);
	ck_assert_uint_eq(r.s->vm[VM_thp_fault_fallback], 1);
	ck_assert_uint_eq(r.s->vm[VM_pgfault], 2);
	ck_assert_uint_eq(r.s->stats.page_alloc_fail[9], 1);
	ck_assert(!(csvrun_page(r.s, PAGE_ANON, 1, 0, 0x200)->flags & PG_thp));
	ck_assert_uint_eq(r.s->stats.thp_split, 1);
	csvrun_done(&r);
	csvbuf_free(&c);
}
END_TEST

/* ---- compaction.policy none ---- */

START_TEST(test_none_policy_never_compacts)
{
	const char *extra[] = { "compaction.policy=none", NULL };
	const char *sets[16];
	struct csvrun r = { 0 };
	struct csvbuf c;

	sets_with(sets, 16, "memory.pages=2048", extra);
	csvbuf_init(&c, ALLOC_HEADER, 1000);
	alloc_every(&c, 0, 2048, 2, "movable");
	csvbuf_row(&c, "alloc,2,,,9,movable,,");
	csvrun_replay(&r, c.buf, NULL, sets, true, NULL);
	compact_nodes(r.s);
	ck_assert_uint_eq(r.s->stats.alloc_fail_order[9], 1);
	ck_assert_uint_eq(r.s->vm[VM_compact_stall], 0);
	ck_assert_uint_eq(r.s->vm[VM_pgmigrate_success], 0);
	ck_assert_uint_eq(r.s->vm[VM_compact_migrate_scanned], 0);
	ck_assert_uint_eq(r.s->vm[VM_alloc_fail], 1);
	csvrun_done(&r);
	csvbuf_free(&c);
}
END_TEST

/* ---- the frag event ---- */

/*
 * The checkerboard's zone: 1024 free order-0 pages. Hand-computed
 * (kernel-model.md §8): unusable index 0 at order 0, 1.000 above;
 * fragmentation index -1.000 at order 0, else 1000 - (1000 + 1000 * 1024
 * / 2^k) / 1024: order 1: 1000 - 513000/1024 = 500 -> 0.500, order 2:
 * 1000 - 257000/1024 = 750, ..., order 10: 1000 - 2000/1024 = 999.
 * Score 100.
 */
START_TEST(test_frag_event_values)
{
	const char *sets[16];
	struct csvrun r = { 0 };
	struct csvbuf c;
	char log[64];
	json_t *f[64], *last, *uu, *ef, *fb;
	size_t n;

	sets_with(sets, 16, "memory.pages=2048", NULL);
	csvbuf_init(&c, ALLOC_HEADER, 1000);
	alloc_every(&c, 0, 2048, 2, "movable");
	csvrun_replay(&r, c.buf, NULL, sets, true, tmp_log(log));
	fragstat_sample(r.s, &r.s->nodes[0].zones[0], FRAG_SAMPLE_TIMER);
	csvrun_done(&r);
	n = log_events(log, "frag", f, 64);
	ck_assert_uint_eq(n, 1);
	last = f[0];
	ck_assert_int_eq(int_field(last, "free_pages"), 1024);
	ck_assert_int_eq(int_field(last, "score"), 100);
	fb = json_object_get(last, "free_blocks");
	uu = json_object_get(last, "unusable_index");
	ef = json_object_get(last, "extfrag_index");
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
		int want = o == 0 ? -1000 :
			   1000 - (int)((1000 + 1000 * 1024 / (1 << o)) / 1024);

		ck_assert_int_eq(json_integer_value(json_array_get(fb, o)),
				 o == 0 ? 1024 : 0);
		ck_assert_int_eq((int)(json_real_value(json_array_get(uu, o)) *
				       1000 + 0.5), o == 0 ? 0 : 1000);
		ck_assert_msg((int)lround(json_number_value(
			json_array_get(ef, o)) * 1000) == want,
			"order %u: got %g, expected %d/1000", o,
			json_number_value(json_array_get(ef, o)), want);
	}
	free_events(f, n);
	csvbuf_free(&c);
	unlink(log);
}
END_TEST

static Suite *compaction_suite(void)
{
	Suite *s = suite_create("compaction");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_defer_backoff_and_reset);
	tcase_add_test(tc, test_manual_checkerboard_complete);
	tcase_add_test(tc, test_direct_checkerboard_capture);
	tcase_add_test(tc, test_unmovable_never_move);
	tcase_add_test(tc, test_scanners_meet_results);
	tcase_add_test(tc, test_deferral_in_direct_compaction);
	tcase_add_test(tc, test_lru_pages_keep_identity_and_position);
	tcase_add_test(tc, test_fallback_claim_and_steal_logged);
	tcase_add_test(tc, test_proactive_lowers_score);
	tcase_add_test(tc, test_kcompactd_woken_by_kswapd);
	tcase_add_test(tc, test_thp_fault_and_fallback);
	tcase_add_test(tc, test_none_policy_never_compacts);
	tcase_add_test(tc, test_frag_event_values);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(compaction_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
