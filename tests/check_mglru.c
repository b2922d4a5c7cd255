/*
 * check_mglru.c - tests of sim/policy/reclaim_mglru.c on machines small
 * enough to follow by hand: placement in generations, the protection of
 * pages with saturated refs, eviction in MIN_LRU_BATCH batches, aging when
 * two generations are left, the refault test "evicted since min_seq last
 * moved", and min_ttl_ms.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "csvrun.h"
#include "sim.h"

#define HEADER		"time_ns,op,pid,addr,type,ino,write"
#define FILE_READ	"access,1,0x%x,file,9,0"
#define ANON_TOUCH	"access,1,0x%x,anon,,0"

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

static const struct page *file_page(struct csvrun *r, unsigned index)
{
	return csvrun_page(r->s, PAGE_FILE, 0, 9, index);
}

/*
 * A fresh lruvec has generations 0..3. A faulted anon page is active and
 * joins the youngest (max_seq 3); a file page read in joins the second
 * oldest (min_seq + 1); the reads after it only count (PG_referenced, then
 * PG_workingset, then refs).
 */
START_TEST(test_placement)
{
	const char *sets[] = { "reclaim.policy=mglru", "memory.pages=1024",
			       NULL };
	struct csvrun r = { 0 };
	struct csvbuf c;
	const struct page *p;

	csvbuf_init(&c, HEADER, 1000);
	csvbuf_row(&c, ANON_TOUCH, 0x1000 << 12);
	for (int i = 0; i < 4; i++)
		csvbuf_row(&c, FILE_READ, 0);
	csvrun_replay(&r, c.buf, NULL, sets, true, NULL);
	ck_assert_int_eq(gauge(&r, "lru_gen_max_seq"), 3);
	p = csvrun_page(r.s, PAGE_ANON, 1, 0, 0x1000);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->gen, 3);
	ck_assert(p->flags & PG_young);
	p = file_page(&r, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->gen, 1);
	/* four reads: PG_referenced, PG_workingset, refs 2 */
	ck_assert((p->flags & PG_referenced) && (p->flags & PG_workingset));
	ck_assert_uint_eq(p->refs, 2);
	ck_assert_int_eq(gauge(&r, "nr_active_anon"), 1);
	ck_assert_int_eq(gauge(&r, "nr_inactive_file"), 1);
	csvrun_done(&r);
	csvbuf_free(&c);
}
END_TEST

/*
 * No swap: only file is evictable. Pages 0..63 are read once, page 0 four
 * more times (refs saturated). All sit in generation 1 (min_seq 0 + 1).
 * Reading page 64 reclaims: p12..p7 scan nothing (64 >> 7 = 0); p6 finds
 * the oldest generation empty and only advances min_seq to 1; p5 sorts
 * page 0 (saturated: protected, to the next generation, pgrefill) and
 * isolates the other 63 (one batch of at most 64), then min_seq moves to 2
 * and the 63 are evicted. Page 63 then refaults recently (evicted after
 * min_seq last moved).
 *
 * Then pages 65..125 fill the machine and page 126 reclaims again: two
 * generations are left, so at p11 the lruvec ages (max_seq 4), and at p6
 * one batch of 64 goes, moving min_seq to 3: page 62, evicted before that,
 * refaults without activation; page 125, evicted after it, with.
 */
START_TEST(test_protect_evict_refault)
{
	const char *sets[] = { "reclaim.policy=mglru", "memory.pages=64",
			       "watermarks.mode=none", "kswapd.enabled=false",
			       "reclaim.swap=false", NULL };
	struct csvrun r = { 0 };
	struct csvbuf c;
	const struct page *p;

	csvbuf_init(&c, HEADER, 1000);
	for (unsigned i = 0; i < 64; i++)
		csvbuf_row(&c, FILE_READ, i << 12);
	for (int i = 0; i < 4; i++)
		csvbuf_row(&c, FILE_READ, 0);
	csvbuf_row(&c, FILE_READ, 64 << 12);
	csvbuf_row(&c, FILE_READ, 63 << 12);
	csvrun_replay(&r, c.buf, NULL, sets, true, NULL);
	ck_assert_uint_eq(r.s->vm[VM_pgsteal_direct], 63);
	ck_assert_uint_eq(r.s->vm[VM_pgscan_direct], 63);
	ck_assert_uint_eq(r.s->vm[VM_pgrefill], 1);
	p = file_page(&r, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->refs, 0);		/* folio_inc_gen() clears them */
	ck_assert(!(p->flags & (PG_referenced | PG_workingset)));
	ck_assert_ptr_null(file_page(&r, 1));
	ck_assert_uint_eq(r.s->vm[VM_workingset_refault_file], 1);
	ck_assert_uint_eq(r.s->vm[VM_workingset_activate_file], 1);
	ck_assert_uint_eq(r.s->vm[VM_workingset_restore_file], 0);
	ck_assert_int_eq(gauge(&r, "lru_gen_max_seq"), 3);

	csvbuf_free(&c);
	csvbuf_init(&c, HEADER, 1000);
	c.t_ns = 1000000;
	for (unsigned i = 65; i <= 126; i++)
		csvbuf_row(&c, FILE_READ, i << 12);
	csvbuf_row(&c, FILE_READ, 62 << 12);
	csvbuf_row(&c, FILE_READ, 125 << 12);
	csvrun_more(&r, c.buf, true);
	ck_assert_int_eq(gauge(&r, "lru_gen_max_seq"), 4);
	ck_assert_uint_eq(r.s->vm[VM_pgsteal_direct], 63 + 64);
	ck_assert_uint_eq(r.s->vm[VM_workingset_refault_file], 3);
	ck_assert_uint_eq(r.s->vm[VM_workingset_activate_file], 2);
	csvrun_done(&r);
	csvbuf_free(&c);
}
END_TEST

/* Uniformly random anon references over more pages than memory. */
static char *thrash_csv(void)
{
	struct csvbuf c;
	uint64_t x = 7;

	csvbuf_init(&c, HEADER, 1000);
	for (unsigned i = 0; i < 60000; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		csvbuf_row(&c, "access,%u,0x%llx,anon,,1",
			   100 + (unsigned)((x >> 20) & 1),
			   (unsigned long long)(0x7f000 + (x >> 33) % 6000)
				   << 12);
	}
	return c.buf;
}

/*
 * min_ttl_ms: in a trace of 60 ms every generation is younger than 50 ms,
 * so kswapd calls the OOM killer instead of evicting; with 0 (off) it
 * swaps and kills nobody.
 */
START_TEST(test_min_ttl)
{
	char *csv = thrash_csv();
	const char *off[] = { "reclaim.policy=mglru", "memory.pages=8192",
			      NULL };
	const char *on[] = { "reclaim.policy=mglru", "memory.pages=8192",
			     "reclaim.mglru.min_ttl_ms=50", NULL };
	struct csvrun r = { 0 };

	csvrun_replay(&r, csv, NULL, off, false, NULL);
	ck_assert_uint_eq(r.s->vm[VM_oom_kill], 0);
	ck_assert_uint_gt(r.s->vm[VM_pgsteal_anon], 0);
	csvrun_done(&r);
	csvrun_replay(&r, csv, NULL, on, false, NULL);
	ck_assert_uint_gt(r.s->vm[VM_oom_kill], 0);
	csvrun_done(&r);
	free(csv);
}
END_TEST

static Suite *mglru_suite(void)
{
	Suite *s = suite_create("mglru");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_placement);
	tcase_add_test(tc, test_protect_evict_refault);
	tcase_add_test(tc, test_min_ttl);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mglru_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
