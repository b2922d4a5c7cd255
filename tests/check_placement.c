/*
 * check_placement.c - trace placement and the state before the trace
 * (sim/placement.c, sim/snapshot.c).
 *
 * A hand-written alloc/free trace in placement.mode trace must leave free
 * lists worked out by hand, with conflicts counted and logged; a
 * pagetypeinfo snapshot must be reproduced count for count; bad snapshot
 * files are reported with their line; fills are deterministic; allocations
 * keep their identity when compaction moves them.
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
#include "snapshot.h"

#define ALLOC_HEADER "time_ns,op,pid,addr,order,migratetype,pfn"

static char *tmp_file(char buf[64], const char *text)
{
	int fd;

	strcpy(buf, "/tmp/check_placement-XXXXXX");
	fd = mkstemp(buf);
	ck_assert_int_ge(fd, 0);
	if (text)
		ck_assert_int_eq(write(fd, text, strlen(text)),
				 (ssize_t)strlen(text));
	close(fd);
	return buf;
}

static size_t count_events(const char *path, const char *ev,
			   const char *reason)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	size_t n = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		json_t *o = json_loads(line, 0, NULL);

		ck_assert_ptr_nonnull(o);
		n += !strcmp(json_string_value(json_object_get(o, "ev")), ev) &&
		     (!reason || !strcmp(json_string_value(json_object_get(
			o, "reason")), reason));
		json_decref(o);
	}
	fclose(f);
	return n;
}

/* ---- a hand-written trace in placement.mode trace ---- */

/*
 * One 1024-page zone, initially one free order-10 block:
 *  a. alloc pfn 5 order 0 (unmovable)   b. alloc pfn 512 order 3
 *  c. alloc pfn 0 order 2               d. free 5: 4-5, then 4-7 merge
 *  e. free 100: never allocated         f. alloc pfn 600 order 0
 *  g. alloc pfn 514: inside b's block: the allocator places it, at the
 *     only free single page, 601, left over by f's split
 *  h. free 512 (order 3): merges up to 512-575, order 6
 *  i. alloc pfn 0 again: c was never freed: dropped
 * Free blocks by hand: order 1: 602; 2: 4, 604; 3: 8, 592; 4: 16, 576;
 * 5: 32, 608; 6: 64, 512; 7: 128, 640; 8: 256, 768.
 */
START_TEST(test_trace_mode_hand_trace)
{
	const char *sets[] = { "memory.pages=1024", "watermarks=none",
			       "kswapd.enabled=false", "placement.mode=trace",
			       "log.frag_interval_ms=0", NULL };
	const uint64_t want[NR_PAGE_ORDERS] = { 0, 1, 2, 2, 2, 2, 2, 2, 2 };
	struct csvrun r = { 0 };
	struct csvbuf c;
	char log[64];
	uint64_t nr_free[NR_PAGE_ORDERS];

	csvbuf_init(&c, ALLOC_HEADER, 1000);
	csvbuf_row(&c, "alloc,1,,0,unmovable,5");
	csvbuf_row(&c, "alloc,1,,3,movable,512");
	csvbuf_row(&c, "alloc,1,,2,reclaimable,0");
	csvbuf_row(&c, "free,1,,0,,5");
	csvbuf_row(&c, "free,1,,0,,100");
	csvbuf_row(&c, "alloc,1,,0,movable,600");
	csvbuf_row(&c, "alloc,1,,0,movable,514");
	csvbuf_row(&c, "free,1,,3,,512");
	csvbuf_row(&c, "alloc,1,,0,movable,0");
	csvrun_replay(&r, c.buf, NULL, sets, true, tmp_file(log, NULL));
	buddy_nr_free(&r.s->nodes[0].zones[0], nr_free);
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
		ck_assert_msg(nr_free[o] == want[o], "order %u: %llu free, "
			      "expected %llu", o, (unsigned long long)nr_free[o],
			      (unsigned long long)want[o]);
	ck_assert_uint_eq(r.s->nodes[0].zones[0].free_pages, 1018);
	ck_assert_uint_eq(r.s->stats.alloc_at_pfn, 4);
	ck_assert_uint_eq(r.s->stats.alloc_elsewhere, 1);
	ck_assert_uint_eq(r.s->stats.free_unknown, 1);
	ck_assert_uint_eq(r.s->stats.alloc_dup, 1);
	ck_assert_uint_eq(pagemap_entry(r.s->pm, pagemap_lookup(r.s->pm,
		r.s->kernel_obj, 514))->pfn, 601);
	ck_assert_uint_eq(r.s->mem_map[600].flags & PG_kernel, PG_kernel);
	ck_assert_uint_eq(r.s->stats.page_alloc_ok[0], 3);
	ck_assert_uint_eq(r.s->nodes[0].zone_vm[0][ZVM_pgalloc], 1 + 8 + 4 + 1 + 1);
	csvrun_done(&r);
	ck_assert_uint_eq(count_events(log, "placement", NULL), 3);
	ck_assert_uint_eq(count_events(log, "placement", "not_allocated"), 1);
	ck_assert_uint_eq(count_events(log, "placement", "pfn_in_use"), 1);
	ck_assert_uint_eq(count_events(log, "placement", "key_in_use"), 1);
	unlink(log);
	csvbuf_free(&c);
}
END_TEST

/* The same rows in simulate mode place everything by the allocator. */
START_TEST(test_simulate_mode_places_by_allocator)
{
	const char *sets[] = { "memory.pages=1024", "watermarks=none",
			       "kswapd.enabled=false", NULL };
	struct csvrun r = { 0 };
	struct csvbuf c;

	csvbuf_init(&c, ALLOC_HEADER, 1000);
	csvbuf_row(&c, "alloc,1,,3,movable,512");
	csvbuf_row(&c, "alloc,1,,0,movable,900");
	csvbuf_row(&c, "free,1,,3,,512");
	csvrun_replay(&r, c.buf, NULL, sets, true, NULL);
	ck_assert_uint_eq(r.s->stats.alloc_at_pfn, 0);
	/* The allocator's lowest block, not the recorded pfn. */
	ck_assert_uint_eq(pagemap_entry(r.s->pm, pagemap_lookup(r.s->pm,
		r.s->kernel_obj, 900))->pfn, 8);
	ck_assert_uint_eq(r.s->stats.free_unknown, 0);
	ck_assert_uint_eq(r.s->nodes[0].zones[0].free_pages, 1023);
	csvrun_done(&r);
	csvbuf_free(&c);
}
END_TEST

/*
 * An allocation keeps its identity when compaction moves it: the free of
 * its recorded pfn frees the block where it is now.
 */
START_TEST(test_free_follows_migrated_block)
{
	const char *sets[] = { "memory.pages=2048", "watermarks=none",
			       "kswapd.enabled=false", "placement.mode=trace",
			       "kcompactd.enabled=false", NULL };
	struct csvrun r = { 0 };
	struct csvbuf c;

	csvbuf_init(&c, ALLOC_HEADER, 1000);
	for (int pfn = 0; pfn < 2048; pfn += 2)
		csvbuf_row(&c, "alloc,1,,0,movable,%d", pfn);
	csvrun_replay(&r, c.buf, NULL, sets, true, NULL);
	compact_nodes(r.s);
	ck_assert_uint_gt(r.s->vm[VM_pgmigrate_success], 0);
	ck_assert_uint_ne(pagemap_entry(r.s->pm, pagemap_lookup(r.s->pm,
		r.s->kernel_obj, 0))->pfn, 0);
	csvbuf_free(&c);
	csvbuf_init(&c, ALLOC_HEADER, 1000);
	c.t_ns = 10000000;
	for (int pfn = 0; pfn < 2048; pfn += 2)
		csvbuf_row(&c, "free,1,,0,,%d", pfn);
	csvrun_more(&r, c.buf, true);
	ck_assert_uint_eq(r.s->stats.free_unknown, 0);
	ck_assert_uint_eq(r.s->nodes[0].zones[0].free_pages, 2048);
	ck_assert_uint_eq(r.s->nodes[0].zones[0].free_area[10].nr_free, 2);
	csvrun_done(&r);
	csvbuf_free(&c);
}
END_TEST

/* ---- placement.initial fill ---- */

START_TEST(test_fill_is_deterministic)
{
	const char *sets[] = { "memory.pages=4096", "placement.initial=fill",
			       "placement.fill_percent=25", NULL };
	struct csvrun a = { 0 }, b = { 0 };

	csvrun_replay(&a, "time_ns,op,pid,addr\n", NULL, sets, true, NULL);
	csvrun_replay(&b, "time_ns,op,pid,addr\n", NULL, sets, true, NULL);
	ck_assert_uint_gt(a.s->stats.pretrace_pages, 4096 * 20 / 100);
	ck_assert_uint_lt(a.s->stats.pretrace_pages, 4096 * 30 / 100);
	ck_assert_uint_eq(a.s->stats.pretrace_pages, b.s->stats.pretrace_pages);
	ck_assert_uint_eq(a.s->nodes[0].zones[0].free_pages,
			  4096 - a.s->stats.pretrace_pages);
	for (uint64_t pfn = 0; pfn < 4096; pfn++)
		ck_assert_uint_eq(a.s->mem_map[pfn].flags,
				  b.s->mem_map[pfn].flags);
	csvrun_done(&a);
	csvrun_done(&b);
}
END_TEST

/*
 * placement.mode trace over a full fill: an allocation's recorded pfn
 * holds a page in use since before the trace, which the trace proves was
 * free by then: it is released and the block lands; a free of a pfn no
 * alloc row named releases the pre-trace page there.
 */
START_TEST(test_trace_mode_pretrace_pages)
{
	const char *sets[] = { "memory.pages=1024", "watermarks=none",
			       "kswapd.enabled=false", "placement.mode=trace",
			       "placement.initial=fill",
			       "placement.fill_percent=100",
			       "kcompactd.enabled=false", NULL };
	struct csvrun r = { 0 };
	struct csvbuf c;

	csvbuf_init(&c, ALLOC_HEADER, 1000);
	csvbuf_row(&c, "alloc,1,,2,movable,8");
	csvbuf_row(&c, "free,1,,1,,100");
	csvbuf_row(&c, "free,1,,0,,8");	/* frees c's block: 4 pages */
	csvrun_replay(&r, c.buf, NULL, sets, true, NULL);
	ck_assert_uint_eq(r.s->stats.pretrace_pages, 1024);
	ck_assert_uint_eq(r.s->stats.pretrace_displaced, 4);
	ck_assert_uint_eq(r.s->stats.free_pretrace, 2);
	ck_assert_uint_eq(r.s->stats.alloc_at_pfn, 1);
	ck_assert_uint_eq(r.s->nodes[0].zones[0].free_pages, 6);
	ck_assert_uint_eq(r.s->nodes[0].zones[0].free_area[2].nr_free, 1);
	ck_assert_uint_eq(r.s->nodes[0].zones[0].free_area[1].nr_free, 1);
	csvrun_done(&r);
	csvbuf_free(&c);
}
END_TEST

/* ---- placement.initial snapshot ---- */

static const char small_pagetypeinfo[] =
"Page block order: 9\n"
"Pages per block:  512\n"
"\n"
"Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 \n"
"Node    0, zone   Normal, type    Unmovable      3      1      0      2      0      0      0      0      0      0      0 \n"
"Node    0, zone   Normal, type      Movable      5      4      3      2      1      1      1      0      1      1      1 \n"
"Node    0, zone   Normal, type  Reclaimable      0      0      1      0      0      0      0      0      0      0      0 \n"
"Node    0, zone   Normal, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 \n"
"Node    0, zone   Normal, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 \n"
"\n"
"Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate \n"
"Node 0, zone   Normal            1            5            1            0            0 \n";

/*
 * 4096 pages (8 pageblocks); the snapshot counts 7: the eighth is absent.
 * Every free count per order and type, and every pageblock count per type,
 * is reproduced; everything else present is in use since before the
 * trace: 3584 - 1970 free = 1614 pages.
 */
START_TEST(test_snapshot_reproduces_counts)
{
	static const uint64_t want[MIGRATE_TYPES][NR_PAGE_ORDERS] = {
		{ 3, 1, 0, 2 },
		{ 5, 4, 3, 2, 1, 1, 1, 0, 1, 1, 1 },
		{ 0, 0, 1 },
	};
	char path[64], set[128];
	const char *sets[] = { "memory.pages=4096",
			       "placement.initial=snapshot", set, NULL };
	struct csvrun r = { 0 };
	const struct zone *z;
	struct pageblock_stats pb, scan;

	snprintf(set, sizeof(set), "placement.pagetypeinfo=%s",
		 tmp_file(path, small_pagetypeinfo));
	csvrun_replay(&r, "time_ns,op,pid,addr\n", NULL, sets, true, NULL);
	z = &r.s->nodes[0].zones[0];
	for (int mt = 0; mt < MIGRATE_TYPES; mt++)
		for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
			ck_assert_msg(z->free_area[o].nr_free_mt[mt] ==
				      want[mt][o], "type %d order %u: %llu", mt,
				      o, (unsigned long long)
				      z->free_area[o].nr_free_mt[mt]);
	ck_assert_uint_eq(z->free_pages, 1970);
	ck_assert_uint_eq(z->managed_pages, 3584);
	ck_assert_uint_eq(z->present_pages, 3584);
	ck_assert_uint_eq(r.s->stats.absent_pages, 512);
	ck_assert_uint_eq(r.s->stats.pretrace_pages, 1614);
	pageblock_stats_from_usage(&r.s->nodes[0].pb_usage[0], z->pageblock_mt,
				   &pb);
	pageblock_stats_scan(z, 7, &scan);
	ck_assert_uint_eq(pb.nr[MIGRATE_UNMOVABLE], 1);
	ck_assert_uint_eq(pb.nr[MIGRATE_MOVABLE], 5);
	ck_assert_uint_eq(pb.nr[MIGRATE_RECLAIMABLE], 1);
	ck_assert_mem_eq(&pb, &scan, sizeof(pb));
	/* Watermarks follow the managed pages the snapshot leaves. */
	ck_assert_uint_gt(z->_watermark[WMARK_MIN], 0);
	csvrun_done(&r);
	unlink(path);
}
END_TEST

/* buddyinfo alone: per-order totals, every free block Movable. */
START_TEST(test_snapshot_from_buddyinfo)
{
	char path[64], set[128];
	const char *sets[] = { "memory.pages=2048",
			       "placement.initial=snapshot", set, NULL };
	struct csvrun r = { 0 };
	const struct zone *z;

	snprintf(set, sizeof(set), "placement.buddyinfo=%s", tmp_file(path,
		 "Node 0, zone   Normal      7      0      3      0      0      "
		 "0      0      0      1      1      0 \n"));
	csvrun_replay(&r, "time_ns,op,pid,addr\n", NULL, sets, true, NULL);
	z = &r.s->nodes[0].zones[0];
	ck_assert_uint_eq(z->free_area[0].nr_free_mt[MIGRATE_MOVABLE], 7);
	ck_assert_uint_eq(z->free_area[2].nr_free_mt[MIGRATE_MOVABLE], 3);
	ck_assert_uint_eq(z->free_area[8].nr_free, 1);
	ck_assert_uint_eq(z->free_area[9].nr_free, 1);
	ck_assert_uint_eq(z->free_pages, 7 + 12 + 256 + 512);
	ck_assert_uint_eq(z->managed_pages, 2048);
	csvrun_done(&r);
	unlink(path);
}
END_TEST

/* ">100000" is resolved from buddyinfo's exact total. */
START_TEST(test_snapshot_capped_count)
{
	struct snapshot snap;
	char err[512];
	const char *pt =
		"Free pages count per migrate type at order  0  1\n"
		"Node    0, zone   Normal, type    Unmovable      7      1\n"
		"Node    0, zone   Normal, type      Movable >100000      2\n";

	snapshot_init(&snap);
	ck_assert_int_eq(snapshot_parse_pagetypeinfo(&snap, pt, "pt", err,
						     sizeof(err)), 0);
	ck_assert_int_eq(snapshot_resolve(&snap, "pt", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "zone Normal order 0: got a free count "
			     "printed as >100000") != NULL, "%s", err);
	ck_assert_int_eq(snapshot_parse_buddyinfo(&snap,
		"Node 0, zone   Normal 123456 3 0 0 0 0 0 0 0 0 0\n", "bi", err,
		sizeof(err)), 0);
	ck_assert_int_eq(snapshot_resolve(&snap, "pt", err, sizeof(err)), 0);
	ck_assert_uint_eq(snapshot_zone(&snap, 0, "Normal")->
			  nr_free[0][MIGRATE_MOVABLE], 123456 - 7);
	ck_assert_uint_eq(snapshot_zone(&snap, 0, "Normal")->
			  nr_free[1][MIGRATE_MOVABLE], 2);
}
END_TEST

struct bad_snapshot {
	const char *text;
	bool pagetypeinfo;
	const char *error;
};

START_TEST(test_snapshot_errors)
{
	static const struct bad_snapshot bad[] = {
		{ "Free pages count per migrate type at order 0 1\n"
		  "Node 0, zone Normal, type Weird 1 2\n", true,
		  "f:2: got type \"Weird\", expected Unmovable, Movable, "
		  "Reclaimable, HighAtomic, CMA or Isolate" },
		{ "Free pages count per migrate type at order 0 1\n"
		  "Node 0, zone Normal, type Movable 1\n", true,
		  "f:2: got 1 counts, expected 2 (one per order)" },
		{ "Free pages count per migrate type at order 0 1\n"
		  "Node 0, zone Normal, type Movable 1 x2\n", true,
		  "f:2: got \"x2\", expected a count" },
		{ "hello\n", true,
		  "f:1: got \"hello\", expected a /proc/pagetypeinfo line" },
		{ "Page block order: 9\n", true,
		  "f: got no \"Free pages count per migrate type\" table" },
		{ "Node 0, zone Normal 1 2 3\n", false,
		  "f:1: got 3 counts, expected 11 (orders 0..10)" },
		{ "Mode 0, zone Normal 1 2 3\n", false,
		  "f:1: got \"Mode ...\", expected \"Node N, zone NAME ...\"" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct snapshot snap;
		char err[512] = "";
		int rc;

		snapshot_init(&snap);
		rc = bad[i].pagetypeinfo ?
		     snapshot_parse_pagetypeinfo(&snap, bad[i].text, "f", err,
						 sizeof(err)) :
		     snapshot_parse_buddyinfo(&snap, bad[i].text, "f", err,
					      sizeof(err));
		ck_assert_int_eq(rc, -1);
		ck_assert_msg(strncmp(err, bad[i].error, strlen(bad[i].error)) == 0,
			      "case %zu: got \"%s\", expected \"%s\"", i, err,
			      bad[i].error);
	}
}
END_TEST

/* Snapshots that cannot be laid out in the configured machine. */
START_TEST(test_snapshot_does_not_fit)
{
	struct config cfg;
	char path[64], set[128], err[1024] = "";
	struct sim *s;

	config_defaults(&cfg);
	snprintf(set, sizeof(set), "placement.pagetypeinfo=%s",
		 tmp_file(path, small_pagetypeinfo));
	ck_assert_int_eq(config_set(&cfg, set, err, sizeof(err)), 0);
	ck_assert_int_eq(config_set(&cfg, "placement.initial=snapshot", err,
				    sizeof(err)), 0);
	ck_assert_int_eq(config_set(&cfg, "memory.pages=2048", err,
				    sizeof(err)), 0);
	ck_assert_int_eq(config_finalize(&cfg, err, sizeof(err)), 0);
	s = sim_create(&cfg, NULL, -1, err, sizeof(err));
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err, "zone Normal: got 7 pageblocks (3584 pages), "
			     "expected at most the configured zone's 4 whole "
			     "pageblocks") != NULL, "%s", err);
	ck_assert_int_eq(config_set(&cfg, "memory.zones=[{\"type\": "
				    "\"DMA32\"}]", err, sizeof(err)), 0);
	ck_assert_int_eq(config_finalize(&cfg, err, sizeof(err)), 0);
	s = sim_create(&cfg, NULL, -1, err, sizeof(err));
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err, "got no counts for zone DMA32") != NULL, "%s",
		      err);
	unlink(path);
	ck_assert_int_eq(config_set(&cfg, "placement.initial=free", err,
				    sizeof(err)), 0);
	ck_assert_int_eq(config_set(&cfg, "placement.pagetypeinfo=none", err,
				    sizeof(err)), 0);
	ck_assert_int_eq(config_set(&cfg, "placement.initial=snapshot", err,
				    sizeof(err)), 0);
	ck_assert_int_eq(config_finalize(&cfg, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "placement.initial: got \"snapshot\" "
			     "without a file") != NULL, "%s", err);
}
END_TEST

static Suite *placement_suite(void)
{
	Suite *s = suite_create("placement");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_trace_mode_hand_trace);
	tcase_add_test(tc, test_simulate_mode_places_by_allocator);
	tcase_add_test(tc, test_free_follows_migrated_block);
	tcase_add_test(tc, test_fill_is_deterministic);
	tcase_add_test(tc, test_trace_mode_pretrace_pages);
	tcase_add_test(tc, test_snapshot_reproduces_counts);
	tcase_add_test(tc, test_snapshot_from_buddyinfo);
	tcase_add_test(tc, test_snapshot_capped_count);
	tcase_add_test(tc, test_snapshot_errors);
	tcase_add_test(tc, test_snapshot_does_not_fit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(placement_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
