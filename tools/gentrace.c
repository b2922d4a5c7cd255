/*
 * gentrace.c - generates synthetic trace format v1 workloads with a fixed
 * seed, for the benchmark, the demo and the tests. Not a model of any real
 * program: each pattern exists to exercise one behaviour.
 *
 *   gentrace [--rows N] [--seed S] [--pattern P] [--hot PAGES]
 *            [--file-pages PAGES] [--pids N] [--step-ns NS]
 *
 * Patterns:
 *   mixed   (default) a hot anon working set per process referenced 60% of
 *           the time, and a sequential read of a large file the rest
 *           (the scan-resistance workload of the reclaim issue);
 *   random  uniform references over hot anon pages of every process;
 *   refs    the page numbers given on stdin (one per line) as anon
 *           accesses of pid 1, for textbook reference strings.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* splitmix64: fast, deterministic, good enough for workloads. */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rng_below(uint64_t n)
{
	return n ? rng_next() % n : 0;
}

struct opts {
	uint64_t rows, seed, hot, file_pages, pids, step_ns;
	const char *pattern;
};

static void gen_refs(void)
{
	char line[256];
	uint64_t t = 0;

	printf("time_ns,op,pid,addr\n");
	while (fgets(line, sizeof(line), stdin)) {
		char *end;
		unsigned long long page = strtoull(line, &end, 10);

		if (end == line)
			continue;
		printf("%" PRIu64 ",access,1,0x%llx\n", t, page << 12);
		t += 1000;
	}
}

static void gen(const struct opts *o)
{
	uint64_t t = 0, file_pos = 0;
	bool mixed = !strcmp(o->pattern, "mixed");

	printf("time_ns,op,pid,addr,type,ino,write\n");
	for (uint64_t i = 0; i < o->rows; i++) {
		uint64_t pid = 100 + rng_below(o->pids);
		uint64_t r = rng_below(100);

		t += o->step_ns / 2 + rng_below(o->step_ns);
		if (mixed && r >= 60) {
			printf("%" PRIu64 ",access,%" PRIu64 ",0x%" PRIx64
			       ",file,4242,0\n", t, pid,
			       (file_pos++ % o->file_pages) << 12);
			continue;
		}
		printf("%" PRIu64 ",access,%" PRIu64 ",0x%" PRIx64 ",anon,,%d\n",
		       t, pid, (uint64_t)((0x7f0000000ULL + rng_below(o->hot)) << 12),
		       r < 20);
	}
}

int main(int argc, char **argv)
{
	struct opts o = { .rows = 1000000, .seed = 1, .hot = 4096,
			  .file_pages = 1 << 20, .pids = 4, .step_ns = 1000,
			  .pattern = "mixed" };

	for (int i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		uint64_t n = strtoull(v, NULL, 10);

		if (!strcmp(k, "--rows"))
			o.rows = n;
		else if (!strcmp(k, "--seed"))
			o.seed = n;
		else if (!strcmp(k, "--hot"))
			o.hot = n;
		else if (!strcmp(k, "--file-pages"))
			o.file_pages = n ? n : 1;
		else if (!strcmp(k, "--pids"))
			o.pids = n ? n : 1;
		else if (!strcmp(k, "--step-ns"))
			o.step_ns = n ? n : 1;
		else if (!strcmp(k, "--pattern"))
			o.pattern = v;
		else {
			fprintf(stderr, "gentrace: unknown option %s\n", k);
			return 2;
		}
	}
	rng_state = o.seed;
	if (!strcmp(o.pattern, "refs"))
		gen_refs();
	else if (!strcmp(o.pattern, "mixed") || !strcmp(o.pattern, "random"))
		gen(&o);
	else {
		fprintf(stderr, "gentrace: unknown pattern %s\n", o.pattern);
		return 2;
	}
	return fflush(stdout) ? 1 : 0;
}
