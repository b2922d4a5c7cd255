/*
 * check_classic.c - exact tests of sim/policy/reclaim_classic.c: small
 * machines (watermarks none, no kswapd) where one direct reclaim can be
 * followed by hand through the priority loop, get_scan_count(),
 * folio_check_references(), shrink_active_list() and the workingset test.
 * Each expected number is derived in the comment above it from the kernel
 * rules the file's essay lists.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "csvrun.h"
#include "sim.h"

#define FILE_READ	"access,1,0x%x,file,9,0"
#define FILE_WRITE	"access,1,0x%x,file,9,1"
#define ANON_TOUCH	"access,1,0x%x,anon,,0"
#define HEADER		"time_ns,op,pid,addr,type,ino,write"

/* A machine of pages that reclaims only when an allocation finds none. */
#define SMALL_MACHINE(pages) \
	"reclaim.policy=classic", "memory.pages=" pages, \
	"watermarks.mode=none", "kswapd.enabled=false"

static uint32_t file_flags(struct csvrun *r, unsigned index, bool *resident)
{
	return csvrun_page_flags(r->s, PAGE_FILE, 0, 9, index, resident);
}

static uint32_t anon_flags(struct csvrun *r, unsigned index, bool *resident)
{
	return csvrun_page_flags(r->s, PAGE_ANON, 1, 0, index, resident);
}

static uint64_t allocstall(const struct csvrun *r)
{
	return r->s->nodes[0].zone_vm[0][ZVM_allocstall];
}

/* The policy's summary gauge (nr_active_file, ...). */
static json_int_t gauge(struct csvrun *r, const char *name)
{
	struct lruvec *lruvec = &r->s->nodes[0].lruvec;
	json_t *o = json_object();
	json_int_t v;

	lruvec->ops->report(lruvec, o);
	ck_assert_ptr_nonnull(json_object_get(o, name));
	v = json_integer_value(json_object_get(o, name));
	json_decref(o);
	return v;
}

/*
 * folio_mark_accessed(): a page-cache page is referenced on its first
 * read, activated on the second (pgactivate, nonresident_age + 1) and
 * referenced again on the third. A mapped anon access only sets the young
 * bit, however often.
 */
START_TEST(test_mark_accessed_two_step)
{
	const char *sets[] = { SMALL_MACHINE("1024"), NULL };
	struct csvrun r = { 0 };
	struct csvbuf c;
	bool res;
	uint32_t f;

	csvbuf_init(&c, HEADER, 1000);
	csvbuf_row(&c, FILE_READ, 0);
	csvrun_replay(&r, c.buf, NULL, sets, true, NULL);
	f = file_flags(&r, 0, &res);
	ck_assert(res && (f & PG_referenced) && !(f & PG_active));
	ck_assert_uint_eq(gauge(&r, "nr_inactive_file"), 1);

	csvbuf_free(&c);
	csvbuf_init(&c, HEADER, 1000);
	csvbuf_row(&c, FILE_READ, 0);
	csvrun_more(&r, c.buf, true);
	f = file_flags(&r, 0, &res);
	ck_assert((f & PG_active) && !(f & PG_referenced));
	ck_assert_uint_eq(r.s->vm[VM_pgactivate], 1);
	ck_assert_uint_eq(r.s->nodes[0].lruvec.nonresident_age, 1);
	ck_assert_uint_eq(gauge(&r, "nr_active_file"), 1);
	ck_assert_uint_eq(gauge(&r, "nr_inactive_file"), 0);

	csvbuf_free(&c);
	csvbuf_init(&c, HEADER, 1000);
	csvbuf_row(&c, FILE_READ, 0);
	for (int i = 0; i < 3; i++)
		csvbuf_row(&c, ANON_TOUCH, 0x1000);
	csvrun_more(&r, c.buf, true);
	f = file_flags(&r, 0, &res);
	ck_assert((f & PG_active) && (f & PG_referenced));
	f = anon_flags(&r, 1, &res);
	ck_assert(res && (f & PG_young));
	ck_assert(!(f & (PG_active | PG_referenced)));
	ck_assert_uint_eq(r.s->vm[VM_pgactivate], 1);
	ck_assert_uint_eq(gauge(&r, "nr_inactive_anon"), 1);
	ck_assert_uint_eq(gauge(&r, "nr_active_anon"), 0);
	csvrun_done(&r);
	csvbuf_free(&c);
}
END_TEST

/*
 * scan = size >> priority, DEF_PRIORITY down. 8192 inactive file pages,
 * each read once, fill the machine; the next read enters direct reclaim.
 * Every pass is cache_trim_mode (SCAN_FILE) and reclaims what it scans
 * (referenced, clean, unmapped: RECLAIM_CLEAN). p12: 8192 >> 12 = 2,
 * p11: 8190 >> 11 = 3, p10: 8187 >> 10 = 7, p9: 8180 >> 9 = 15,
 * p8: 8165 >> 8 = 31: 58 >= 32, done.
 */
START_TEST(test_priority_loop)
{
	const char *sets[] = { SMALL_MACHINE("8192"), NULL };
	struct csvrun r = { 0 };
	struct csvbuf c;
	bool res;

	csvbuf_init(&c, HEADER, 1000);
	for (unsigned i = 0; i <= 8192; i++)
		csvbuf_row(&c, FILE_READ, i << 12);
	csvrun_replay(&r, c.buf, NULL, sets, false, NULL);
	ck_assert_uint_eq(allocstall(&r), 1);
	ck_assert_uint_eq(r.s->vm[VM_pgscan_direct], 58);
	ck_assert_uint_eq(r.s->vm[VM_pgscan_file], 58);
	ck_assert_uint_eq(r.s->vm[VM_pgsteal_direct], 58);
	ck_assert_uint_eq(r.s->vm[VM_pgscan_anon], 0);
	(void)file_flags(&r, 57, &res);
	ck_assert(!res);			/* the 58 oldest went */
	(void)file_flags(&r, 58, &res);
	ck_assert(res);
	csvrun_done(&r);
	csvbuf_free(&c);
}
END_TEST

/*
 * The second chance. 4096 anon pages, young from their faults, fill the
 * machine. Direct reclaim: no file and no free pages, so file_is_tiny and
 * SCAN_ANON; p12..p1 scan 1 + 2 + ... + 2048 = 4095 pages from the tail,
 * each young (referenced_ptes) and not yet PG_referenced: keep, rotate to
 * the head, PG_referenced set, young bit cleared. p0 is SCAN_EQUAL over
 * all 4096: the first batch of 32 meets the one page never scanned (young:
 * kept), then 31 pages with PG_referenced but no young bit (anon: reclaim);
 * 31 < 32, so a second batch reclaims 32 more; 63 >= 32 ends the pass.
 */
START_TEST(test_second_chance)
{
	const char *sets[] = { SMALL_MACHINE("4096"), NULL };
	struct csvrun r = { 0 };
	struct csvbuf c;
	bool res;
	uint32_t f;

	csvbuf_init(&c, HEADER, 1000);
	for (unsigned i = 0; i <= 4096; i++)
		csvbuf_row(&c, ANON_TOUCH, i << 12);
	csvrun_replay(&r, c.buf, NULL, sets, false, NULL);
	ck_assert_uint_eq(allocstall(&r), 1);
	ck_assert_uint_eq(r.s->vm[VM_pgscan_direct], 4095 + 64);
	ck_assert_uint_eq(r.s->vm[VM_pgscan_anon], 4095 + 64);
	ck_assert_uint_eq(r.s->vm[VM_pgsteal_direct], 63);
	ck_assert_uint_eq(r.s->vm[VM_pswpout], 63);
	ck_assert_uint_eq(r.s->vm[VM_pgactivate], 0);
	(void)anon_flags(&r, 62, &res);
	ck_assert(!res);
	f = anon_flags(&r, 63, &res);
	ck_assert(res && (f & PG_referenced) && !(f & PG_young));
	f = anon_flags(&r, 4095, &res);		/* kept at p0 */
	ck_assert(res && (f & PG_referenced) && !(f & PG_young));
	f = anon_flags(&r, 4096, &res);		/* the new page */
	ck_assert(res && (f & PG_young) && !(f & PG_referenced));
	csvrun_done(&r);
	csvbuf_free(&c);
}
END_TEST

/*
 * Deactivation, eviction with the workingset bit, and restore. No swap, so
 * SCAN_FILE throughout and a file refault is compared with active file
 * only. Pages 0..31 are read twice (active; pgactivate 32, nonresident_age
 * 32), 32..63 once. Reading page 64 reclaims; before each pass
 * inactive_is_low() (ratio 1 below 1 GiB) decides whether the active list
 * is scanned (then there is no cache_trim_mode, which does not matter
 * without swap):
 *  p5  inactive 32, active 32, not low: 32 >> 5 = 1 reclaimed (page 32,
 *      age 33);
 *  p4  31 < 32, low: 1 reclaimed (33, age 34), 32 >> 4 = 2 deactivated
 *      (0, 1: PG_workingset, to the inactive head);
 *  p3  32 vs 30: 4 reclaimed (34..37);
 *  p2  28 < 30: 7 reclaimed (38..44), 7 deactivated (2..8);
 *  p1  28 vs 23: 14 reclaimed (45..58); 27 so far;
 *  p0  14 < 23: the 14 left are reclaimed (59..63 at ages 60..64, then 0, 1
 *      and 2..8 at 65..73) and all 23 active pages deactivated.
 * 41 scanned and reclaimed, 32 deactivated, no active page left. Then
 * page 8 refaults at distance 73 - 73 = 0 <= 0 active: activated and, as
 * it had been active, restored; page 7 at 74 - 72 = 2 > 1 (page 8): not;
 * page 0 at 74 - 65 = 9: not.
 */
static char *deactivation_csv(void)
{
	struct csvbuf c;

	csvbuf_init(&c, HEADER, 1000);
	for (unsigned i = 0; i < 32; i++) {
		csvbuf_row(&c, FILE_READ, i << 12);
		csvbuf_row(&c, FILE_READ, i << 12);
	}
	for (unsigned i = 32; i <= 64; i++)
		csvbuf_row(&c, FILE_READ, i << 12);
	return c.buf;
}

START_TEST(test_deactivate_evict_restore)
{
	const char *sets[] = { SMALL_MACHINE("64"), "reclaim.swap=false",
			       NULL };
	struct csvrun r = { 0 };
	char *csv = deactivation_csv();
	struct csvbuf c;
	bool res;
	uint32_t f;

	csvrun_replay(&r, csv, NULL, sets, true, NULL);
	ck_assert_uint_eq(r.s->vm[VM_pgactivate], 32);
	ck_assert_uint_eq(r.s->vm[VM_pgscan_direct], 41);
	ck_assert_uint_eq(r.s->vm[VM_pgsteal_direct], 41);
	ck_assert_uint_eq(r.s->vm[VM_pgrefill], 32);
	ck_assert_uint_eq(r.s->vm[VM_pgdeactivate], 32);
	ck_assert_uint_eq(r.s->nodes[0].lruvec.nonresident_age, 73);
	ck_assert_uint_eq(gauge(&r, "nr_active_file"), 0);
	ck_assert_uint_eq(gauge(&r, "nr_inactive_file"), 24);
	f = file_flags(&r, 9, &res);
	ck_assert(res && (f & PG_workingset) && !(f & PG_active));
	(void)file_flags(&r, 8, &res);
	ck_assert(!res);

	csvbuf_init(&c, HEADER, 1000);
	c.t_ns = 1000000;
	csvbuf_row(&c, FILE_READ, 8 << 12);
	csvbuf_row(&c, FILE_READ, 7 << 12);
	csvbuf_row(&c, FILE_READ, 0);
	csvrun_more(&r, c.buf, true);
	ck_assert_uint_eq(r.s->vm[VM_workingset_refault_file], 3);
	ck_assert_uint_eq(r.s->vm[VM_workingset_activate_file], 1);
	ck_assert_uint_eq(r.s->vm[VM_workingset_restore_file], 1);
	ck_assert_uint_eq(r.s->vm[VM_pgactivate], 32);	/* not a refault's */
	f = file_flags(&r, 8, &res);
	ck_assert(res && (f & PG_active) && (f & PG_workingset) &&
		  (f & PG_referenced));
	f = file_flags(&r, 7, &res);
	ck_assert(res && !(f & (PG_active | PG_workingset)) &&
		  (f & PG_referenced));
	ck_assert_uint_eq(r.s->nodes[0].lruvec.nonresident_age, 74);
	csvrun_done(&r);
	csvbuf_free(&c);
	free(csv);
}
END_TEST

/* The log records of kind ev, parsed. */
static json_t *log_records(const char *path, const char *ev)
{
	json_t *all = json_array();
	FILE *f = fopen(path, "r");
	char line[4096];

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		json_error_t jerr;
		json_t *o = json_loads(line, 0, &jerr);

		ck_assert_msg(o != NULL, "%s", jerr.text);
		if (!strcmp(json_string_value(json_object_get(o, "ev")), ev))
			json_array_append(all, o);
		json_decref(o);
	}
	fclose(f);
	return all;
}

static json_int_t field(json_t *records, size_t i, const char *name)
{
	json_t *v = json_object_get(json_array_get(records, i), name);

	ck_assert_msg(v != NULL, "record %zu has no %s", i, name);
	return json_is_boolean(v) ? json_is_true(v) : json_integer_value(v);
}

/*
 * The refault test with swap, and what the log says. 48 file pages read
 * once and 16 anon pages fill the machine; touching a 17th anon page
 * reclaims file only (no active lists, costs 0, cache_trim_mode from p5):
 * p5 1, p4 2, p3 5, p2 10, p1 15 pages, 33 in all (ages 1..33). A file
 * refault is compared with active file + active anon + inactive anon:
 * page 32 at distance 0 against 17: activated, not restored; page 0 at
 * 34 - 1 = 33 against 18 (page 32 is active now): not activated.
 */
START_TEST(test_refault_with_swap_and_log)
{
	const char *sets[] = { SMALL_MACHINE("64"), NULL };
	char path[64];
	struct csvrun r = { 0 };
	struct csvbuf c;
	json_t *rec;
	bool res;
	uint32_t f;
	const int prio[] = { 5, 4, 3, 2, 1 }, scanned[] = { 1, 2, 5, 10, 15 };

	snprintf(path, sizeof(path), "/tmp/check_classic-%d.jsonl",
		 (int)getpid());
	csvbuf_init(&c, HEADER, 1000);
	for (unsigned i = 0; i < 48; i++)
		csvbuf_row(&c, FILE_READ, i << 12);
	for (unsigned i = 0; i <= 16; i++)
		csvbuf_row(&c, ANON_TOUCH, (0x1000 + i) << 12);
	csvbuf_row(&c, FILE_READ, 32 << 12);
	csvbuf_row(&c, FILE_READ, 0);
	csvrun_replay(&r, c.buf, NULL, sets, true, path);
	ck_assert_uint_eq(r.s->vm[VM_pgscan_direct], 33);
	ck_assert_uint_eq(r.s->vm[VM_pgscan_anon], 0);
	ck_assert_uint_eq(r.s->vm[VM_workingset_refault_file], 2);
	ck_assert_uint_eq(r.s->vm[VM_workingset_activate_file], 1);
	ck_assert_uint_eq(r.s->vm[VM_workingset_restore_file], 0);
	f = file_flags(&r, 32, &res);
	ck_assert(res && (f & PG_active) && (f & PG_referenced) &&
		  !(f & PG_workingset));
	f = file_flags(&r, 0, &res);
	ck_assert(res && !(f & PG_active));
	csvrun_done(&r);

	rec = log_records(path, "refault");
	ck_assert_uint_eq(json_array_size(rec), 2);
	ck_assert_int_eq(field(rec, 0, "index"), 32);
	ck_assert_int_eq(field(rec, 0, "distance"), 0);
	ck_assert_int_eq(field(rec, 0, "workingset_size"), 17);
	ck_assert_int_eq(field(rec, 0, "activate"), 1);
	ck_assert_int_eq(field(rec, 0, "restore"), 0);
	ck_assert_int_eq(field(rec, 1, "index"), 0);
	ck_assert_int_eq(field(rec, 1, "distance"), 33);
	ck_assert_int_eq(field(rec, 1, "workingset_size"), 18);
	ck_assert_int_eq(field(rec, 1, "activate"), 0);
	json_decref(rec);
	rec = log_records(path, "mm_vmscan_lru_shrink_inactive");
	ck_assert_uint_eq(json_array_size(rec), 5);
	for (size_t i = 0; i < 5; i++) {
		ck_assert_int_eq(field(rec, i, "priority"), prio[i]);
		ck_assert_int_eq(field(rec, i, "nr_scanned"), scanned[i]);
		ck_assert_int_eq(field(rec, i, "nr_reclaimed"), scanned[i]);
		ck_assert_int_eq(field(rec, i, "kswapd"), 0);
	}
	json_decref(rec);
	unlink(path);
	csvbuf_free(&c);
}
END_TEST

/*
 * Dirty pages go to the flusher. Pages 0..15 are written, 16..63 read;
 * reading 64 reclaims: p6 1, p5 1, p4 3, p3 7 pages are all dirty (marked
 * PG_reclaim, nr_vmscan_immediate_reclaim, activated, written back); p2
 * meets 12..15 (dirty) and reclaims 16..24, p1 reclaims 19 more, p0
 * (SCAN_EQUAL) the last 20: 64 scanned, 48 reclaimed, and the stall is 64
 * scans plus 16 writes. 2 ms later the writes are done: the clean pages
 * rotate to the inactive tail (pgrotated) and are the next to go.
 */
START_TEST(test_dirty_pages_written_back)
{
	const char *sets[] = { SMALL_MACHINE("64"),
			       "reclaim.writeback_delay_ms=1", NULL };
	const struct config *cfg;
	struct csvrun r = { 0 };
	struct csvbuf c;
	bool res;
	uint32_t f;

	csvbuf_init(&c, HEADER, 1000);
	for (unsigned i = 0; i < 16; i++)
		csvbuf_row(&c, FILE_WRITE, i << 12);
	for (unsigned i = 16; i <= 64; i++)
		csvbuf_row(&c, FILE_READ, i << 12);
	csvrun_replay(&r, c.buf, NULL, sets, true, NULL);
	cfg = r.s->cfg;
	ck_assert_uint_eq(r.s->vm[VM_pgscan_direct], 64);
	ck_assert_uint_eq(r.s->vm[VM_pgsteal_direct], 48);
	ck_assert_uint_eq(r.s->vm[VM_nr_vmscan_immediate_reclaim], 16);
	ck_assert_uint_eq(r.s->vm[VM_pgrotated], 0);
	ck_assert_uint_eq(r.s->stats.direct_reclaim_ns,
			  64 * cfg->scan_cost_ns + 16 * cfg->writeback_cost_ns);
	f = file_flags(&r, 15, &res);
	ck_assert(res && (f & PG_active) && (f & PG_writeback) &&
		  (f & PG_reclaim) && !(f & PG_dirty));

	/* 2 ms on, page 65 is read: the writes completed. */
	csvbuf_free(&c);
	csvbuf_init(&c, HEADER, 1000);
	c.t_ns = 65 * 1000 + 2000000;
	csvbuf_row(&c, FILE_READ, 65 << 12);
	csvrun_more(&r, c.buf, true);
	ck_assert_uint_eq(r.s->vm[VM_pgrotated], 16);
	f = file_flags(&r, 15, &res);
	ck_assert(res && !(f & (PG_active | PG_writeback | PG_reclaim |
				PG_dirty)));

	/* Fill the machine again: the rotated pages are reclaimed first. */
	csvbuf_free(&c);
	csvbuf_init(&c, HEADER, 1000);
	c.t_ns = 66 * 1000 + 2000000;
	for (unsigned i = 66; i <= 112; i++)
		csvbuf_row(&c, FILE_READ, i << 12);
	csvrun_more(&r, c.buf, true);
	ck_assert_uint_eq(allocstall(&r), 2);
	for (unsigned i = 0; i < 16; i++) {
		(void)file_flags(&r, i, &res);
		ck_assert_msg(!res, "written-back page %u still resident", i);
	}
	/* Then 28 of 64..111 (p6..p1 reclaim 1+1+3+7+13+19 = 44). */
	(void)file_flags(&r, 91, &res);
	ck_assert(!res);
	(void)file_flags(&r, 92, &res);
	ck_assert(res);
	ck_assert_uint_eq(r.s->vm[VM_nr_vmscan_immediate_reclaim], 16);
	csvrun_done(&r);
	csvbuf_free(&c);
}
END_TEST

/*
 * inactive_is_low() with the isqrt ratio: past 1 GiB (262144 pages) of file
 * LRU the inactive:active target is isqrt(10 x 1) = 3. With 200000 active
 * file pages, 68000 inactive ones are not low (204000 >= 200000): the
 * direct reclaim that follows deactivates nothing. With 66000 they are
 * (198000 < 200000), so the active list is scanned and deactivated.
 */
static uint64_t deactivated_after_fill(unsigned active, unsigned inactive)
{
	char pages[64];
	const char *sets[] = { "reclaim.policy=classic", pages,
			       "watermarks.mode=none", "kswapd.enabled=false",
			       NULL };
	struct csvrun r = { 0 };
	struct csvbuf c;
	uint64_t n;

	snprintf(pages, sizeof(pages), "memory.pages=%u", active + inactive);
	csvbuf_init(&c, HEADER, 100);
	for (unsigned i = 0; i < active; i++) {
		csvbuf_row(&c, FILE_READ, i << 12);
		csvbuf_row(&c, FILE_READ, i << 12);
	}
	for (unsigned i = active; i <= active + inactive; i++)
		csvbuf_row(&c, FILE_READ, i << 12);
	csvrun_replay(&r, c.buf, NULL, sets, false, NULL);
	ck_assert_uint_eq(allocstall(&r), 1);
	ck_assert_uint_gt(r.s->vm[VM_pgsteal_direct], 0);
	n = r.s->vm[VM_pgdeactivate];
	csvrun_done(&r);
	csvbuf_free(&c);
	return n;
}

START_TEST(test_inactive_ratio)
{
	ck_assert_uint_eq(deactivated_after_fill(200000, 68000), 0);
	ck_assert_uint_gt(deactivated_after_fill(200000, 66000), 0);
	/* Below 1 GiB the ratio is 1: 40000 < 150000 is low. */
	ck_assert_uint_gt(deactivated_after_fill(150000, 40000), 0);
}
END_TEST

static Suite *classic_suite(void)
{
	Suite *s = suite_create("classic");
	TCase *tc = tcase_create("exact");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_mark_accessed_two_step);
	tcase_add_test(tc, test_priority_loop);
	tcase_add_test(tc, test_second_chance);
	tcase_add_test(tc, test_deactivate_evict_restore);
	tcase_add_test(tc, test_refault_with_swap_and_log);
	tcase_add_test(tc, test_dirty_pages_written_back);
	tcase_add_test(tc, test_inactive_ratio);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(classic_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
