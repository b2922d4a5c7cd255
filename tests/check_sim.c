/*
 * check_sim.c - the engine end to end through the CSV reader: textbook
 * page-fault counts in ideal-cache mode, a brute-force reference on random
 * reference strings, OOM without swap, kswapd and direct reclaim under the
 * kernel watermarks, refault distances, and the model invariants after every
 * row (sim_check).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "csvrun.h"
#include "mm/pagemap.h"
#include "sim.h"
#include "trace.h"

/* Replays CSV text, checking every invariant after each row. */
static void replay(struct csvrun *r, const char *csv, const char *base,
		   const char **sets)
{
	*r = (struct csvrun){ 0 };	/* no after_row hook */
	csvrun_replay(r, csv, base, sets, true, NULL);
}

static char *refs_csv(const unsigned *refs, size_t n)
{
	size_t cap = 64 + n * 40, len = 0;
	char *csv = malloc(cap);

	len += (size_t)snprintf(csv, cap, "time_ns,op,pid,addr\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(csv + len, cap - len,
					"%zu,access,1,0x%x\n", i * 10,
					refs[i] << 12);
	return csv;
}

static uint64_t faults_with(const char *policy, unsigned frames,
			    const unsigned *refs, size_t n)
{
	char pol[64], pages[64];
	const char *sets[] = { pol, pages, NULL };
	struct csvrun r;
	char *csv = refs_csv(refs, n);
	uint64_t faults;

	snprintf(pol, sizeof(pol), "reclaim.policy=%s", policy);
	snprintf(pages, sizeof(pages), "memory.pages=%u", frames);
	replay(&r, csv, "configs/ideal.json", sets);
	faults = r.s->vm[VM_pgfault];
	csvrun_done(&r);
	free(csv);
	return faults;
}

static const unsigned textbook[] = { 7, 0, 1, 2, 0, 3, 0, 4, 2, 3,
				     0, 3, 2, 1, 2, 0, 1, 7, 0, 1 };

START_TEST(test_textbook_counts)
{
	size_t n = sizeof(textbook) / sizeof(textbook[0]);

	ck_assert_uint_eq(faults_with("fifo", 3, textbook, n), 15);
	ck_assert_uint_eq(faults_with("lru", 3, textbook, n), 12);
	ck_assert_uint_eq(faults_with("opt", 3, textbook, n), 9);
}
END_TEST

/* Brute force: a plain array of frames, searched linearly. */
static uint64_t brute_force(const char *policy, unsigned frames,
			    const unsigned *refs, size_t n)
{
	unsigned frame[64];
	size_t stamp[64];
	unsigned used = 0;
	uint64_t faults = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned f, victim = 0;

		for (f = 0; f < used && frame[f] != refs[i]; f++)
			;
		if (f < used) {
			if (!strcmp(policy, "lru"))
				stamp[f] = i;
			continue;
		}
		faults++;
		if (used < frames) {
			frame[used] = refs[i];
			stamp[used++] = i;
			continue;
		}
		for (f = 0; f < used; f++) {
			if (!strcmp(policy, "opt")) {
				size_t nf = n, nv = n;

				for (size_t j = i + 1; j < n; j++)
					if (refs[j] == frame[f]) { nf = j; break; }
				for (size_t j = i + 1; j < n; j++)
					if (refs[j] == frame[victim]) { nv = j; break; }
				if (nf > nv)
					victim = f;
			} else if (stamp[f] < stamp[victim]) {
				victim = f;
			}
		}
		frame[victim] = refs[i];
		stamp[victim] = i;
	}
	return faults;
}

START_TEST(test_brute_force_random)
{
	const char *policies[] = { "lru", "fifo", "opt" };
	unsigned seed = 12345;

	for (int trial = 0; trial < 12; trial++) {
		unsigned refs[400], frames = 2 + (unsigned)trial % 7;
		size_t n = 100 + (size_t)trial * 25;
		unsigned distinct = frames + 1 + (unsigned)trial % 11;
		uint64_t opt = 0;

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			refs[i] = (seed >> 16) % distinct;
		}
		for (int p = 0; p < 3; p++) {
			uint64_t got = faults_with(policies[p], frames, refs, n);

			ck_assert_msg(got == brute_force(policies[p], frames,
							 refs, n),
				      "%s frames %u trial %d: mmsim %llu, "
				      "brute force %llu", policies[p], frames,
				      trial, (unsigned long long)got,
				      (unsigned long long)brute_force(
					      policies[p], frames, refs, n));
			if (p == 2)
				opt = got;
		}
		ck_assert_uint_le(opt, faults_with("lru", frames, refs, n));
		ck_assert_uint_le(opt, faults_with("fifo", frames, refs, n));
	}
}
END_TEST

/* Capacity 4, LRU: 1..5 evicts page 1; touching 2..4 then refaulting 1. */
START_TEST(test_refault_distance)
{
	const unsigned refs[] = { 1, 2, 3, 4, 5, 6, 1 };
	char *csv = refs_csv(refs, 7);
	const char *sets[] = { "reclaim.policy=lru", "memory.pages=4", NULL };
	struct csvrun r;

	replay(&r, csv, "configs/ideal.json", sets);
	/* Evictions: 1 (age 1), 2 (age 2), then 3 to make room for 1 (age 3,
	 * before the shadow is tested, as in the kernel). Page 1's shadow
	 * holds age 1: distance 2, within the 4 resident pages. */
	ck_assert_uint_eq(r.s->vm[VM_workingset_refault_anon], 1);
	ck_assert_uint_eq(r.s->vm[VM_workingset_activate_anon], 1);
	ck_assert_uint_eq(r.s->vm[VM_pgmajfault], 1);
	ck_assert_uint_eq(r.s->vm[VM_pswpout], 3);
	ck_assert_uint_eq(r.s->vm[VM_pswpin], 1);
	ck_assert_uint_eq(r.s->vm[VM_pgfault], 7);
	csvrun_done(&r);
	free(csv);
}
END_TEST

static char *anon_fill_csv(unsigned pids, unsigned pages_each)
{
	size_t cap = 64 + (size_t)pids * pages_each * 48, len = 0;
	char *csv = malloc(cap);
	uint64_t t = 0;

	len += (size_t)snprintf(csv, cap, "time_ns,op,pid,addr,write\n");
	for (unsigned i = 0; i < pages_each; i++)
		for (unsigned p = 0; p < pids; p++)
			len += (size_t)snprintf(csv + len, cap - len,
				"%llu,access,%u,0x%x,1\n",
				(unsigned long long)(t += 1000), 10 + p,
				(0x1000 + i) << 12);
	return csv;
}

START_TEST(test_no_swap_ooms_never_evicts_anon)
{
	/* 3 processes x 3000 anon pages against 4096 pages without swap. */
	char *csv = anon_fill_csv(3, 3000);
	const char *sets[] = { "reclaim.swap=false", "memory.pages=4096",
			       "reclaim.policy=lru", NULL };
	struct csvrun r;

	replay(&r, csv, NULL, sets);
	ck_assert_uint_gt(r.s->vm[VM_oom_kill], 0);
	ck_assert_uint_eq(r.s->vm[VM_pswpout], 0);
	ck_assert_uint_eq(r.s->vm[VM_pgsteal_anon], 0);
	ck_assert_uint_gt(r.s->nodes[0].zone_vm[0][ZVM_allocstall], 0);
	csvrun_done(&r);
	free(csv);
}
END_TEST

START_TEST(test_kswapd_and_watermarks)
{
	/* 2 processes x 3000 anon pages against 4096 pages with swap. */
	char *csv = anon_fill_csv(2, 3000);
	const char *sets[] = { "memory.pages=4096", "reclaim.policy=lru",
			       NULL };
	struct csvrun r;
	const struct zone *z;

	replay(&r, csv, NULL, sets);
	z = &r.s->nodes[0].zones[0];
	ck_assert_uint_gt(r.s->vm[VM_kswapd_wake], 0);
	ck_assert_uint_gt(r.s->vm[VM_pgsteal_kswapd], 0);
	ck_assert_uint_eq(r.s->vm[VM_oom_kill], 0);
	ck_assert_uint_le(r.s->vm[VM_pgsteal_kswapd], r.s->vm[VM_pgscan_kswapd]);
	/* Crossings of a mark alternate down and up. */
	for (int w = 0; w < NR_WMARK; w++) {
		uint64_t down = r.s->nodes[0].crossings[0][w][0];
		uint64_t up = r.s->nodes[0].crossings[0][w][1];

		ck_assert_uint_le(down > up ? down - up : up - down, 1);
	}
	ck_assert_uint_gt(r.s->nodes[0].crossings[0][WMARK_LOW][0], 0);
	/* Resident + free = the machine. */
	ck_assert_uint_eq(z->free_pages + r.s->nodes[0].lruvec.nr_pages[LRU_ANON],
			  z->managed_pages);
	csvrun_done(&r);
	free(csv);
}
END_TEST

START_TEST(test_exit_and_unmap_free)
{
	const char *csv =
		"time_ns,op,pid,addr,type,ino\n"
		"0,access,1,0x1000,,\n"
		"1,access,1,0x2000,,\n"
		"2,access,2,0x1000,,\n"
		"3,access,2,0x0,file,7\n"
		"4,unmap,1,0x2000,,\n"
		"5,exit,2,,,\n";
	const char *sets[] = { "memory.pages=1024", NULL };
	struct csvrun r;

	replay(&r, csv, NULL, sets);
	ck_assert_uint_eq(r.s->nodes[0].lruvec.nr_pages[LRU_ANON], 1);
	ck_assert_uint_eq(r.s->nodes[0].lruvec.nr_pages[LRU_FILE], 1);
	ck_assert_uint_eq(r.s->nodes[0].zones[0].free_pages, 1024 - 2);
	ck_assert_uint_eq(r.s->vm[VM_pgfault], 4);
	ck_assert_uint_eq(r.s->vm[VM_pgmajfault], 1);
	csvrun_done(&r);
}
END_TEST

/*
 * Kernel allocations hold all of memory and there is nothing to OOM-kill:
 * the write fault is dropped, and marking the page dirty must not look up
 * the entry it never got.
 */
START_TEST(test_dropped_write_fault)
{
	char csv[1024];
	size_t len = 0;
	const char *sets[] = { "memory.pages=1024", "reclaim.swap=false",
			       NULL };
	struct csvrun r;

	len += (size_t)snprintf(csv, sizeof(csv),
				"time_ns,op,pid,addr,write,order,pfn\n");
	for (int order = 9; order >= 0; order--)
		len += (size_t)snprintf(csv + len, sizeof(csv) - len,
					"%d,alloc,1,,,%d,%d\n", 9 - order,
					order, order);
	len += (size_t)snprintf(csv + len, sizeof(csv) - len,
				"10,alloc,1,,,0,100\n"
				"11,access,2,0x1000,1,,\n");
	replay(&r, csv, NULL, sets);
	ck_assert_uint_eq(r.s->vm[VM_pgfault], 1);
	ck_assert_uint_eq(r.s->stats.access_dropped, 1);
	ck_assert_uint_eq(r.s->vm[VM_oom_kill], 0);
	csvrun_done(&r);
}
END_TEST

/*
 * Swapped-out anon pages keep their shadows, so with a large anon footprint
 * the shadows alone exceed the pruning budget; the sweeps must stay rare
 * (each doubles the threshold) instead of running on every row.
 */
START_TEST(test_shadow_sweeps_amortized)
{
	size_t rows = 40000, cap = 64 + rows * 40, len = 0;
	char *csv = malloc(cap);
	const char *sets[] = { "memory.pages=256", "reclaim.policy=fifo", NULL };
	struct csvrun r;

	len += (size_t)snprintf(csv, cap, "time_ns,op,pid,addr\n");
	for (size_t i = 0; i < rows; i++)
		len += (size_t)snprintf(csv + len, cap - len,
					"%zu,access,1,0x%zx\n", i, i << 12);
	replay(&r, csv, NULL, sets);
	ck_assert_uint_gt(r.s->nr_shadows, 8 * 256 + 4096);
	ck_assert_uint_ge(r.s->stats.shadow_sweeps, 1);
	ck_assert_uint_le(r.s->stats.shadow_sweeps, 8);
	ck_assert_uint_eq(r.s->stats.shadows_dropped, 0);
	csvrun_done(&r);
	free(csv);
}
END_TEST

/*
 * pagemap_check() finds an entry filed under a hash that is not its key's
 * (what a stale row hash passed to pagemap_insert_hashed() would do), and
 * passes a sound map; lookups agree with inserts, removals and reinserts.
 */
START_TEST(test_pagemap_check)
{
	struct pagemap *pm = pagemap_create();
	uint32_t a = pagemap_obj(pm, PAGE_ANON, 1, 0, 0, true);
	uint32_t b = pagemap_obj(pm, PAGE_ANON, 2, 0, 0, true);
	uint32_t ids[2000];

	for (uint32_t i = 0; i < 2000; i++)
		ids[i] = pagemap_insert_hashed(pm, i % 2 ? a : b, i,
					       pagemap_hash(i % 2 ? a : b, i));
	for (uint32_t i = 0; i < 2000; i += 3)
		pagemap_remove(pm, ids[i]);
	for (uint32_t i = 0; i < 2000; i++)
		ck_assert_uint_eq(pagemap_lookup(pm, i % 2 ? a : b, i),
				  i % 3 ? ids[i] : PM_NONE);
	ck_assert(pagemap_check(pm, UINT32_MAX));
	/* Filed under the other object's hash: not found under its key. */
	pagemap_insert_hashed(pm, a, 5000, pagemap_hash(b, 5000));
	ck_assert_uint_eq(pagemap_lookup(pm, a, 5000), PM_NONE);
	ck_assert(!pagemap_check(pm, 4000));
	pagemap_destroy(pm);
}
END_TEST

static Suite *sim_suite(void)
{
	Suite *s = suite_create("sim");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_textbook_counts);
	tcase_add_test(tc, test_brute_force_random);
	tcase_add_test(tc, test_refault_distance);
	tcase_add_test(tc, test_no_swap_ooms_never_evicts_anon);
	tcase_add_test(tc, test_kswapd_and_watermarks);
	tcase_add_test(tc, test_exit_and_unmap_free);
	tcase_add_test(tc, test_shadow_sweeps_amortized);
	tcase_add_test(tc, test_dropped_write_fault);
	tcase_add_test(tc, test_pagemap_check);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sim_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
