/*
 * check_policy.c - the conformance suite every registered reclaim policy
 * must pass (reclaim_policy_list()): replayed through the CSV reader and the
 * engine, with the model invariants (sim_check(), which includes the
 * policy's own check) after every row.
 *
 *  - no page is both resident and free, and every resident page is where
 *    the page map says;
 *  - every eviction leaves a shadow entry (evictions = shadows + refaults);
 *  - counters balance: pgsteal <= pgscan (per reclaimer and per type),
 *    refaults <= evictions, activations <= refaults, restores <= activations;
 *  - opt faults least of all on random traces in ideal-cache mode;
 *  - without swap, an anon-only trace larger than memory ends in OOM kills
 *    and anon is never scanned or evicted;
 *  - with swap and swappiness 0, anon is not reclaimed while file pages can
 *    be;
 *  - scan resistance: on a generated trace of a hot anon set and a
 *    sequential file scan larger than memory, classic refaults the hot set
 *    less than lru (every policy's figure is printed);
 *  - same trace, same config: byte-identical log.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/reclaim.h"
#include "csvrun.h"
#include "sim.h"
#include "xalloc.h"

/* A small deterministic generator, so traces do not depend on libc. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rng_below(uint64_t *state, uint64_t n)
{
	return rng_next(state) % n;
}

static const char *policy_set(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "reclaim.policy=%s", name);
	return buf;
}

/* ---- invariants checked after every row ---- */

static void check_resident_not_free(struct csvrun *r)
{
	struct sim *s = r->s;
	uint8_t *owned = xcalloc(s->nr_pfns, 1);
	uint32_t limit = pagemap_id_limit(s->pm);
	uint64_t resident = 0;

	for (uint32_t id = 0; id < limit; id++) {
		struct pm_entry *e = pagemap_entry(s->pm, id);
		const struct page *p;

		if (e->obj == PM_NONE || e->obj == s->kernel_obj ||
		    e->pfn == PFN_NONE)
			continue;
		p = &s->mem_map[e->pfn];
		/* Plain tests: ck_assert logs every call, too slow per row. */
		if (owned[e->pfn])
			ck_abort_msg("pfn %u resident twice", e->pfn);
		if (!(p->flags & PG_lru) || (p->flags & PG_buddy) ||
		    p->mapping != id)
			ck_abort_msg("pfn %u: entry %u, flags %#x", e->pfn, id,
				     p->flags);
		owned[e->pfn] = 1;
		resident++;
	}
	if (resident != s->nodes[0].lruvec.nr_pages[LRU_ANON] +
			s->nodes[0].lruvec.nr_pages[LRU_FILE])
		ck_abort_msg("%llu resident pages, the LRU has %llu",
			     (unsigned long long)resident, (unsigned long long)
			     (s->nodes[0].lruvec.nr_pages[LRU_ANON] +
			      s->nodes[0].lruvec.nr_pages[LRU_FILE]));
	for (uint64_t pfn = 0; pfn < s->nr_pfns; pfn++) {
		const struct page *p = &s->mem_map[pfn];

		if (!(p->flags & PG_buddy))
			continue;
		for (uint64_t i = 0; i < (1ull << p->order); i++)
			if (owned[pfn + i])
				ck_abort_msg("pfn %llu free and resident",
					     (unsigned long long)(pfn + i));
	}
	free(owned);
}

/* Evictions = shadows still held + shadows consumed by refaults. */
static void check_shadow_balance(struct csvrun *r)
{
	const struct sim *s = r->s;
	uint64_t evicted = s->vm[VM_pgsteal_anon] + s->vm[VM_pgsteal_file];
	uint64_t refaults = s->vm[VM_workingset_refault_anon] +
			    s->vm[VM_workingset_refault_file];
	uint64_t shadows = 0;
	uint32_t limit = pagemap_id_limit(s->pm);

	for (uint32_t id = 0; id < limit; id++) {
		struct pm_entry *e = pagemap_entry(s->pm, id);

		shadows += e->obj != PM_NONE && e->pfn == PFN_NONE;
	}
	if (shadows != s->nr_shadows || s->stats.shadows_dropped ||
	    evicted != shadows + refaults)
		ck_abort_msg("%llu evictions, %llu shadows (counted %llu, "
			     "dropped %llu), %llu refaults",
			     (unsigned long long)evicted,
			     (unsigned long long)shadows,
			     (unsigned long long)s->nr_shadows,
			     (unsigned long long)s->stats.shadows_dropped,
			     (unsigned long long)refaults);
}

static bool counters_balance(const struct sim *s)
{
	const uint64_t *v = s->vm;

	return v[VM_pgsteal_kswapd] <= v[VM_pgscan_kswapd] &&
	       v[VM_pgsteal_direct] <= v[VM_pgscan_direct] &&
	       v[VM_pgsteal_anon] <= v[VM_pgscan_anon] &&
	       v[VM_pgsteal_file] <= v[VM_pgscan_file] &&
	       v[VM_pgscan_anon] + v[VM_pgscan_file] ==
		       v[VM_pgscan_kswapd] + v[VM_pgscan_direct] &&
	       v[VM_workingset_refault_anon] <= v[VM_pgsteal_anon] &&
	       v[VM_workingset_refault_file] <= v[VM_pgsteal_file] &&
	       v[VM_workingset_activate_anon] <= v[VM_workingset_refault_anon] &&
	       v[VM_workingset_activate_file] <= v[VM_workingset_refault_file] &&
	       v[VM_workingset_restore_anon] <= v[VM_workingset_activate_anon] &&
	       v[VM_workingset_restore_file] <= v[VM_workingset_activate_file];
}

static void check_counters(const struct sim *s, const char *policy)
{
	if (!counters_balance(s))
		ck_abort_msg("%s: counters do not balance: scan k/d %llu/%llu "
			     "a/f %llu/%llu, steal k/d %llu/%llu a/f %llu/%llu, "
			     "refault a/f %llu/%llu", policy,
			     (unsigned long long)s->vm[VM_pgscan_kswapd],
			     (unsigned long long)s->vm[VM_pgscan_direct],
			     (unsigned long long)s->vm[VM_pgscan_anon],
			     (unsigned long long)s->vm[VM_pgscan_file],
			     (unsigned long long)s->vm[VM_pgsteal_kswapd],
			     (unsigned long long)s->vm[VM_pgsteal_direct],
			     (unsigned long long)s->vm[VM_pgsteal_anon],
			     (unsigned long long)s->vm[VM_pgsteal_file],
			     (unsigned long long)
				     s->vm[VM_workingset_refault_anon],
			     (unsigned long long)
				     s->vm[VM_workingset_refault_file]);
}

static void after_row_all(struct csvrun *r)
{
	check_resident_not_free(r);
	check_counters(r->s, r->cfg.reclaim_policy);
}

/*
 * A random mixed workload: three processes' anon pages (some written),
 * two files read and written, occasional unmaps, and one exit.
 */
static char *mixed_csv(uint64_t seed, unsigned rows, bool churn)
{
	struct csvbuf c;
	uint64_t st = seed;

	csvbuf_init(&c, "time_ns,op,pid,addr,type,ino,write", 2000);
	for (unsigned i = 0; i < rows; i++) {
		uint64_t r = rng_below(&st, 100);
		unsigned pid = 10 + (unsigned)rng_below(&st, 3);

		if (churn && i == rows * 2 / 3) {
			csvbuf_row(&c, "exit,11,,,,");
		} else if (churn && r < 2) {
			csvbuf_row(&c, "unmap,%u,0x%llx,,,", pid,
				(unsigned long long)(0x1000 +
						     rng_below(&st, 300)) << 12);
		} else if (r < 55) {
			/* anon: a hot quarter and a cold rest */
			uint64_t page = rng_below(&st, 4) ? rng_below(&st, 60) :
							    rng_below(&st, 300);

			csvbuf_row(&c, "access,%u,0x%llx,anon,,%d", pid,
				(unsigned long long)(0x1000 + page) << 12,
				r < 15);
		} else {
			unsigned ino = 7 + (unsigned)rng_below(&st, 2);
			uint64_t page = r < 80 ? rng_below(&st, 80) :
						 rng_below(&st, 500);

			csvbuf_row(&c, "access,%u,0x%llx,file,%u,%d", pid,
				(unsigned long long)page << 12, ino, r > 95);
		}
	}
	return c.buf;
}

START_TEST(test_invariants)
{
	const struct reclaim_ops *const *p = reclaim_policy_list();
	char *csv = mixed_csv(1, 12000, true);

	for (; *p; p++) {
		char pol[64];
		const char *sets[] = { policy_set(pol, sizeof(pol), (*p)->name),
				       "memory.pages=512", NULL };
		struct csvrun r = { .after_row = after_row_all };

		csvrun_replay(&r, csv, NULL, sets, true, NULL);
		/* The workload must have exercised reclaim. */
		ck_assert_msg(r.s->vm[VM_pgsteal_anon] > 0 &&
			      r.s->vm[VM_pgsteal_file] > 0,
			      "%s reclaimed no anon or no file", (*p)->name);
		ck_assert_uint_gt(r.s->vm[VM_workingset_refault_anon] +
				  r.s->vm[VM_workingset_refault_file], 0);
		csvrun_done(&r);
	}
	free(csv);
}
END_TEST

START_TEST(test_every_eviction_leaves_a_shadow)
{
	const struct reclaim_ops *const *p = reclaim_policy_list();
	char *csv = mixed_csv(2, 8000, false);

	for (; *p; p++) {
		char pol[64];
		const char *sets[] = { policy_set(pol, sizeof(pol), (*p)->name),
				       "memory.pages=512", NULL };
		struct csvrun r = { .after_row = check_shadow_balance };

		csvrun_replay(&r, csv, NULL, sets, false, NULL);
		ck_assert_uint_eq(r.s->vm[VM_oom_kill], 0);
		ck_assert_msg(r.s->vm[VM_pgsteal_anon] +
			      r.s->vm[VM_pgsteal_file] > 0, "%s evicted "
			      "nothing", (*p)->name);
		check_counters(r.s, (*p)->name);
		csvrun_done(&r);
	}
	free(csv);
}
END_TEST

/* ---- opt is the lower bound ---- */

static uint64_t ideal_faults(const char *policy, unsigned frames,
			     const char *csv)
{
	char pol[64], pages[64];
	const char *sets[] = { policy_set(pol, sizeof(pol), policy), pages,
			       NULL };
	struct csvrun r = { 0 };
	uint64_t faults;

	snprintf(pages, sizeof(pages), "memory.pages=%u", frames);
	csvrun_replay(&r, csv, "configs/ideal.json", sets, true, NULL);
	faults = r.s->vm[VM_pgfault];
	csvrun_done(&r);
	return faults;
}

START_TEST(test_opt_fewest_faults)
{
	uint64_t st = 42;

	for (int trial = 0; trial < 8; trial++) {
		unsigned frames = 3 + (unsigned)trial * 5;
		unsigned distinct = frames + 2 + (unsigned)rng_below(&st, 3 * frames);
		struct csvbuf c;
		uint64_t opt;

		csvbuf_init(&c, "time_ns,op,pid,addr", 100);
		for (int i = 0; i < 600; i++)
			csvbuf_row(&c, "access,1,0x%llx", (unsigned long long)
				(0x100 + rng_below(&st, distinct)) << 12);
		opt = ideal_faults("opt", frames, c.buf);
		ck_assert_uint_gt(opt, distinct - 1);	/* every page faults once */
		for (const struct reclaim_ops *const *p = reclaim_policy_list();
		     *p; p++) {
			uint64_t got = ideal_faults((*p)->name, frames, c.buf);

			ck_assert_msg(opt <= got, "trial %d: opt %llu > %s %llu",
				      trial, (unsigned long long)opt, (*p)->name,
				      (unsigned long long)got);
		}
		csvbuf_free(&c);
	}
}
END_TEST

/* ---- swap ---- */

static char *anon_fill_csv(unsigned pids, unsigned pages_each)
{
	struct csvbuf c;

	csvbuf_init(&c, "time_ns,op,pid,addr,write", 1000);
	for (unsigned i = 0; i < pages_each; i++)
		for (unsigned p = 0; p < pids; p++)
			csvbuf_row(&c, "access,%u,0x%x,1", 10 + p,
				(0x1000 + i) << 12);
	return c.buf;
}

START_TEST(test_no_swap_ooms_and_never_evicts_anon)
{
	char *csv = anon_fill_csv(3, 3000);

	for (const struct reclaim_ops *const *p = reclaim_policy_list(); *p;
	     p++) {
		char pol[64];
		const char *sets[] = { policy_set(pol, sizeof(pol), (*p)->name),
				       "reclaim.swap=false", "memory.pages=4096",
				       NULL };
		struct csvrun r = { 0 };

		csvrun_replay(&r, csv, NULL, sets, false, NULL);
		ck_assert_msg(r.s->vm[VM_oom_kill] > 0, "%s: no OOM kill",
			      (*p)->name);
		ck_assert_uint_eq(r.s->vm[VM_pswpout], 0);
		ck_assert_uint_eq(r.s->vm[VM_pgsteal_anon], 0);
		ck_assert_uint_eq(r.s->vm[VM_pgscan_anon], 0);
		csvrun_done(&r);
	}
	free(csv);
}
END_TEST

START_TEST(test_swappiness_zero_spares_anon)
{
	struct csvbuf c;

	/* 1500 anon pages, then a file read twice the size of memory. */
	csvbuf_init(&c, "time_ns,op,pid,addr,type,ino,write", 1000);
	for (unsigned i = 0; i < 1500; i++)
		csvbuf_row(&c, "access,5,0x%x,anon,,1", (0x1000 + i) << 12);
	for (unsigned i = 0; i < 8192; i++) {
		csvbuf_row(&c, "access,5,0x%x,file,9,0", i << 12);
		if (i % 8 == 0)
			csvbuf_row(&c, "access,5,0x%x,anon,,0",
				(0x1000 + i % 1500) << 12);
	}
	for (const struct reclaim_ops *const *p = reclaim_policy_list(); *p;
	     p++) {
		char pol[64];
		const char *sets[] = { policy_set(pol, sizeof(pol), (*p)->name),
				       "reclaim.swappiness=0",
				       "memory.pages=4096", NULL };
		struct csvrun r = { 0 };

		csvrun_replay(&r, c.buf, NULL, sets, false, NULL);
		ck_assert_msg(r.s->vm[VM_pgsteal_file] > 4096, "%s: file "
			      "reclaimed %llu", (*p)->name, (unsigned long long)
			      r.s->vm[VM_pgsteal_file]);
		ck_assert_msg(r.s->vm[VM_pgsteal_anon] == 0 &&
			      r.s->vm[VM_pswpout] == 0, "%s swapped %llu",
			      (*p)->name,
			      (unsigned long long)r.s->vm[VM_pgsteal_anon]);
		ck_assert_uint_eq(r.s->vm[VM_oom_kill], 0);
		csvrun_done(&r);
	}
	csvbuf_free(&c);
}
END_TEST

/* ---- scan resistance ---- */

/*
 * tools/gentrace.c --pattern mixed: per row, 60% a random page of its
 * process's hot anon set (a fifth of them writes), 40% the next page of
 * one sequential read of a file larger than memory.
 */
static char *scan_csv(unsigned rows, unsigned pids, unsigned hot,
		      unsigned file_pages)
{
	struct csvbuf c;
	uint64_t st = 1, file_pos = 0;

	csvbuf_init(&c, "time_ns,op,pid,addr,type,ino,write", 1000);
	for (unsigned i = 0; i < rows; i++) {
		unsigned pid = 100 + (unsigned)rng_below(&st, pids);
		uint64_t r = rng_below(&st, 100);

		if (r >= 60) {
			csvbuf_row(&c, "access,%u,0x%llx,file,4242,0", pid,
				(unsigned long long)(file_pos++ % file_pages)
					<< 12);
			continue;
		}
		csvbuf_row(&c, "access,%u,0x%llx,anon,,%d", pid,
			(unsigned long long)(0x7f0000000ULL +
					     rng_below(&st, hot)) << 12, r < 20);
	}
	return c.buf;
}

START_TEST(test_scan_resistance)
{
	/* 2 x 3072 hot anon pages, 8192 pages of memory, a 60000-page scan. */
	char *csv = scan_csv(200000, 2, 3072, 60000);
	uint64_t classic = UINT64_MAX, lru = UINT64_MAX;

	printf("scan resistance (hot anon 2x3072 pages, file scan 60000, "
	       "memory 8192):\n%-8s %12s %12s %12s\n", "policy",
	       "hot refaults", "pgfault", "pgsteal_anon");
	for (const struct reclaim_ops *const *p = reclaim_policy_list(); *p;
	     p++) {
		char pol[64];
		const char *sets[] = { policy_set(pol, sizeof(pol), (*p)->name),
				       "memory.pages=8192", NULL };
		struct csvrun r = { 0 };
		uint64_t hot;

		csvrun_replay(&r, csv, NULL, sets, false, NULL);
		hot = r.s->vm[VM_workingset_refault_anon];
		printf("%-8s %12llu %12llu %12llu\n", (*p)->name,
		       (unsigned long long)hot,
		       (unsigned long long)r.s->vm[VM_pgfault],
		       (unsigned long long)r.s->vm[VM_pgsteal_anon]);
		if (!strcmp((*p)->name, "classic"))
			classic = hot;
		if (!strcmp((*p)->name, "lru"))
			lru = hot;
		csvrun_done(&r);
	}
	ck_assert_uint_ne(lru, UINT64_MAX);
	ck_assert_uint_gt(lru, 0);	/* the scan does push lru's hot set out */
	ck_assert_msg(classic < lru, "classic refaulted %llu hot pages, lru "
		      "%llu", (unsigned long long)classic,
		      (unsigned long long)lru);
	free(csv);
}
END_TEST

/* ---- determinism ---- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

START_TEST(test_deterministic_log)
{
	char *csv = mixed_csv(3, 4000, true);

	for (const struct reclaim_ops *const *p = reclaim_policy_list(); *p;
	     p++) {
		char pol[64], path[2][64];
		const char *sets[] = { policy_set(pol, sizeof(pol), (*p)->name),
				       "memory.pages=512", NULL };
		char *text[2];
		size_t len[2];

		for (int i = 0; i < 2; i++) {
			struct csvrun r = { 0 };

			snprintf(path[i], sizeof(path[i]),
				 "/tmp/check_policy-%d-%d.jsonl", (int)getpid(),
				 i);
			csvrun_replay(&r, csv, NULL, sets, false, path[i]);
			csvrun_done(&r);
			text[i] = slurp(path[i], &len[i]);
			unlink(path[i]);
		}
		ck_assert_uint_gt(len[0], 1000);
		ck_assert_msg(len[0] == len[1] &&
			      !memcmp(text[0], text[1], len[0]),
			      "%s: two runs logged differently", (*p)->name);
		free(text[0]);
		free(text[1]);
	}
	free(csv);
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("conformance");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_invariants);
	tcase_add_test(tc, test_every_eviction_leaves_a_shadow);
	tcase_add_test(tc, test_opt_fewest_faults);
	tcase_add_test(tc, test_no_swap_ooms_and_never_evicts_anon);
	tcase_add_test(tc, test_swappiness_zero_spares_anon);
	tcase_add_test(tc, test_scan_resistance);
	tcase_add_test(tc, test_deterministic_log);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(policy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
