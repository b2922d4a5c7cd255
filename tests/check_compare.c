/*
 * check_compare.c - `mmsim compare` (sim/compare.c) and its table
 * (sim/compare_table.c): the json document holds exactly the summaries
 * that single replays give, the table's numbers are those summaries'
 * numbers, a failing config is reported while the others run, --vary
 * expands in the documented order, stdin is spooled, every format renders,
 * and figures a summary lacks show as "-" or drop out.
 *
 * compare_main() runs in this process and forks its workers; outputs go to
 * files (-o) and stderr is captured around the call.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare.h"
#include "compare_table.h"
#include "replay.h"

#define ERRLEN 4096

static char tmpdir[64];
static char *tmp_paths[256];	/* freed by remove_tmpdir() */
static size_t nr_tmp_paths;

static void make_tmpdir(void)
{
	strcpy(tmpdir, "/tmp/check_compare-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	while (nr_tmp_paths)
		free(tmp_paths[--nr_tmp_paths]);
}

static const char *tmp_path(const char *name)
{
	char *p = malloc(strlen(tmpdir) + strlen(name) + 2);

	ck_assert_msg(tmpdir[0] == '/', "tmp_path before make_tmpdir");

	ck_assert_uint_lt(nr_tmp_paths, 256);
	sprintf(p, "%s/%s", tmpdir, name);
	return tmp_paths[nr_tmp_paths++] = p;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot read %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * A trace under memory pressure at memory.pages=1024: three processes
 * touching 600 anon pages each, a third of them writes, and a file read
 * sequentially; a fixed LCG makes it the same every time.
 */
static const char *write_trace(void)
{
	const char *path = tmp_path("trace.csv");
	FILE *f = fopen(path, "w");
	unsigned long long x = 12345, t = 0;

	ck_assert_ptr_nonnull(f);
	fprintf(f, "time_ns,op,pid,addr,type,ino,write\n");
	for (unsigned i = 0; i < 12000; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		t += 500 + (x >> 40) % 1000;
		if ((x >> 33) % 4 == 0)
			fprintf(f, "%llu,access,7,0x%x,file,99,0\n", t,
				(i % 1500) << 12);
		else
			fprintf(f, "%llu,access,%llu,0x%llx,anon,,%d\n", t,
				100 + (x >> 20) % 3,
				(0x7f0000ULL + (x >> 45) % 600) << 12,
				(int)((x >> 30) % 3 == 0));
	}
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* compare_main() with argv; stderr captured into *err_out (may be NULL). */
static int run_compare(const char *const *args, char **err_out)
{
	const char *errpath = tmp_path("stderr.txt");
	char *argv[64];
	int argc = 0, saved, fd, rc;

	for (; args[argc]; argc++)
		argv[argc] = (char *)args[argc];
	argv[argc] = NULL;
	fflush(stderr);
	saved = dup(2);
	fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	dup2(fd, 2);
	close(fd);
	rc = compare_main(argc, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	if (err_out)
		*err_out = read_file(errpath);
	return rc;
}

/* The summary `mmsim run TRACE --config file --set ... --summary` writes. */
static json_t *single_summary(const char *trace, const char *file,
			      const char *const *sets, int nr_sets)
{
	struct config cfg;
	struct replay_opts ro = { .trace = trace, .cfg = &cfg };
	struct replay_result res;
	char err[ERRLEN] = "";

	ck_assert_msg(replay_load_config(&cfg, file, sets, nr_sets, err,
					 sizeof(err)) == 0, "%s", err);
	ck_assert_msg(replay_run(&ro, &res, err, sizeof(err)) == REPLAY_OK,
		      "%s", err);
	return res.summary;
}

static json_t *load_json(const char *path)
{
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);

	ck_assert_msg(j != NULL, "%s: %s", path, jerr.text);
	return j;
}

static const json_t *config_at(const json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "configs"), i);
}

static const char *name_at(const json_t *doc, size_t i)
{
	return json_string_value(json_object_get(config_at(doc, i), "name"));
}

static json_int_t vm(const json_t *sum, const char *key)
{
	const json_t *v = json_object_get(json_object_get(sum, "vmstat"), key);

	ck_assert_msg(json_is_integer(v), "vmstat.%s missing", key);
	return json_integer_value(v);
}

/* Field col (0-based) of the CSV line whose figure column is figure. */
static void csv_field_of(const char *csv, const char *figure, int col,
			 char *out, size_t len)
{
	char needle[128];
	const char *line, *p;

	snprintf(needle, sizeof(needle), ",%s,", figure);
	line = strstr(csv, needle);
	ck_assert_msg(line != NULL, "no row %s in\n%.300s", figure, csv);
	while (line > csv && line[-1] != '\n')
		line--;
	p = line;
	for (int c = 0; c < col; c++) {
		p = strchr(p, ',');
		ck_assert_ptr_nonnull(p);
		p++;
	}
	snprintf(out, len, "%.*s", (int)strcspn(p, ",\r\n"), p);
}

static void assert_field(const char *csv, const char *figure, int col,
			 const char *want)
{
	char got[128];

	csv_field_of(csv, figure, col, got, sizeof(got));
	ck_assert_msg(!strcmp(got, want), "%s column %d: got '%s', want '%s'",
		      figure, col, got, want);
}

static void assert_count(const char *csv, const char *figure, int col,
			 json_int_t want)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)want);
	assert_field(csv, figure, col, buf);
}

/* ---- the document equals single replays ------------------------------- */

START_TEST(test_json_summaries_equal_single_runs)
{
	const char *trace, *a = tmp_path("a.json"), *b = tmp_path("b.json");
	const char *out = tmp_path("out.json");
	const char *sets[] = { "memory.pages=1024" };
	json_t *doc, *sa, *sb;
	char *err;

	trace = write_trace();
	write_file(a, "{\"reclaim\": {\"policy\": \"lru\"}}\n");
	write_file(b, "{\"reclaim\": {\"policy\": \"fifo\"}}\n");
	{
		const char *args[] = { trace, "--config", a, "--config", b,
				       "--set", sets[0], "--format", "json",
				       "-o", out, "-j", "2", NULL };

		ck_assert_int_eq(run_compare(args, &err), 0);
		ck_assert_msg(err[0] == '\0', "stderr: %s", err);
		free(err);
	}
	doc = load_json(out);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "configs")), 2);
	ck_assert_str_eq(name_at(doc, 0), "a.json");
	ck_assert_str_eq(name_at(doc, 1), "b.json");
	sa = single_summary(trace, a, sets, 1);
	sb = single_summary(trace, b, sets, 1);
	ck_assert_msg(vm(sa, "pgscan_direct") + vm(sa, "pgscan_kswapd") > 0,
		      "the test trace must cause reclaim");
	ck_assert(json_equal(json_object_get(config_at(doc, 0), "summary"), sa));
	ck_assert(json_equal(json_object_get(config_at(doc, 1), "summary"), sb));
	ck_assert(!json_equal(sa, sb));
	json_decref(sa);
	json_decref(sb);
	json_decref(doc);
}
END_TEST

START_TEST(test_table_numbers_are_the_summaries)
{
	const char *trace, *out = tmp_path("out.csv");
	const char *sets[] = { "memory.pages=1024", "reclaim.policy=lru" };
	const char *sets_b[] = { "memory.pages=1024", "reclaim.policy=fifo" };
	json_t *sa, *sb;
	char *csv, want[64];
	double scan_a, scan_b;

	trace = write_trace();
	{
		const char *args[] = { trace, "--set", sets[0], "--vary",
				       "reclaim.policy=lru,fifo", "--format",
				       "csv", "-o", out, NULL };

		ck_assert_int_eq(run_compare(args, NULL), 0);
	}
	csv = read_file(out);
	sa = single_summary(trace, NULL, sets, 2);
	sb = single_summary(trace, NULL, sets_b, 2);
	/* columns: section, figure, unit, policy=lru, policy=fifo, change */
	ck_assert_msg(!strncmp(csv, "section,figure,unit,policy=lru,policy=fifo,"
			       "policy=fifo change %", 60), "%.300s", csv);
	static const char *const counters[] = {
		"pgfault", "pgmajfault", "workingset_refault_anon",
		"pgscan_kswapd", "pgsteal_kswapd", "pgscan_direct",
		"pgsteal_direct", "pswpout", "kswapd_wake", "oom_kill",
	};
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		assert_count(csv, counters[i], 3, vm(sa, counters[i]));
		assert_count(csv, counters[i], 4, vm(sb, counters[i]));
	}
	assert_count(csv, "allocstall (all zones)", 3, vm(sa, "allocstall_normal"));
	assert_count(csv, "Normal min", 4, json_integer_value(json_object_get(
		json_object_get(json_object_get(json_array_get(json_object_get(
		sb, "zones"), 0), "watermark_crossings"), "min"), "down")));
	scan_a = (double)(vm(sa, "pgscan_kswapd") + vm(sa, "pgscan_direct"));
	snprintf(want, sizeof(want), "%.2f", 100.0 * (double)(
		vm(sa, "pgsteal_kswapd") + vm(sa, "pgsteal_direct")) / scan_a);
	assert_field(csv, "efficiency total (steal/scan)", 3, want);
	snprintf(want, sizeof(want), "%.3f", (double)json_integer_value(
		json_object_get(json_object_get(sb, "stalls"),
				"direct_reclaim_ns")) / 1e6);
	assert_field(csv, "direct reclaim", 4, want);
	scan_a = (double)vm(sa, "pgscan_direct");
	scan_b = (double)vm(sb, "pgscan_direct");
	ck_assert(scan_a > 0);
	if (scan_a == scan_b)
		snprintf(want, sizeof(want), "0.00");
	else
		snprintf(want, sizeof(want), "%+.2f",
			 100.0 * (scan_b - scan_a) / scan_a);
	assert_field(csv, "pgscan_direct", 5, want);
	free(csv);
	json_decref(sa);
	json_decref(sb);
}
END_TEST

/* ---- failures are reported by name; the rest still run ----------------- */

START_TEST(test_failing_config_reported_others_run)
{
	const char *trace, *good = tmp_path("good.json"), *bad = tmp_path("bad.json");
	const char *out = tmp_path("out.json"), *txt = tmp_path("out.txt");
	json_t *doc;
	char *err, *text;

	trace = write_trace();
	write_file(good, "{\"reclaim\": {\"swappiness\": 100}}\n");
	write_file(bad, "{\"reclaim\": {\"swappiness\": 300}}\n");
	{
		const char *args[] = { trace, "--config", bad, "--config", good,
				       "--config", tmp_path("missing.json"),
				       "--set", "memory.pages=1024", "--format",
				       "json", "-o", out, NULL };

		ck_assert_int_eq(run_compare(args, &err), COMPARE_EXIT_BAD);
	}
	ck_assert_msg(strstr(err, "bad.json: ") && strstr(err, "swappiness") &&
		      strstr(err, "300"), "stderr: %s", err);
	ck_assert_msg(strstr(err, "missing.json: "), "stderr: %s", err);
	free(err);
	doc = load_json(out);
	ck_assert_str_eq(name_at(doc, 0), "bad.json");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(
		config_at(doc, 0), "error")), "reclaim.swappiness"));
	ck_assert_ptr_null(json_object_get(config_at(doc, 0), "summary"));
	ck_assert_str_eq(name_at(doc, 1), "good.json");
	ck_assert(json_is_true(json_object_get(json_object_get(config_at(doc, 1),
		"summary"), "complete")));
	ck_assert_ptr_nonnull(json_object_get(config_at(doc, 2), "error"));
	/* the text table: the good config is the baseline, failures listed */
	{
		const char *args[] = { "--from", out, "-o", txt, NULL };

		ck_assert_int_eq(run_compare(args, NULL), 0);
	}
	text = read_file(txt);
	ck_assert_msg(strstr(text, "changes against good.json") &&
		      strstr(text, "failed: bad.json: ") &&
		      strstr(text, "failed: missing.json: "), "%.400s", text);
	free(text);
	json_decref(doc);
}
END_TEST

START_TEST(test_bad_trace_row_fails_every_column_by_name)
{
	const char *trace = tmp_path("bad.csv"), *out = tmp_path("o.json");
	json_t *doc;
	char *err;

	write_file(trace, "time_ns,op,pid,addr\n0,access,1,0x1000\n"
		   "5,access,x,0x2000\n");
	{
		const char *args[] = { trace, "--vary", "reclaim.policy=lru,fifo",
				       "--format", "json", "-o", out, NULL };

		ck_assert_int_eq(run_compare(args, &err), COMPARE_EXIT_BAD);
	}
	ck_assert_msg(strstr(err, "policy=lru: ") && strstr(err, "policy=fifo: ")
		      && strstr(err, "bad.csv:3"), "stderr: %s", err);
	free(err);
	doc = load_json(out);
	ck_assert_ptr_nonnull(json_object_get(config_at(doc, 1), "error"));
	json_decref(doc);
	{
		const char *args[] = { trace, "--vary", "reclaim.policy=lru,fifo",
				       "--skip-bad-rows", "--format", "json",
				       "-o", out, NULL };

		ck_assert_int_eq(run_compare(args, &err), 0);
	}
	ck_assert_msg(strstr(err, "skipped 1 malformed"), "stderr: %s", err);
	free(err);
}
END_TEST

START_TEST(test_bad_command_lines)
{
	static const char *const cases[][8] = {
		{ "--frobnicate", NULL },
		{ NULL },
		{ "t.csv", "--vary", "reclaim.swappiness", NULL },
		{ "t.csv", "--vary", "reclaim.swappiness=0,,5", NULL },
		{ "t.csv", "-j", "0", NULL },
		{ "t.csv", "--format", "yaml", NULL },
		{ "t.csv", "--from", "x.json", NULL },
		{ "t.csv", "u.csv", NULL },
		{ "nonexistent.csv", NULL },
		{ "t.csv", "--vary", "a.b=1", "--vary", "a.b=2", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *err;

		ck_assert_int_eq(run_compare(cases[i], &err), COMPARE_EXIT_BAD);
		ck_assert_msg(strstr(err, "mmsim: compare: "), "case %zu: %s", i,
			      err);
		free(err);
	}
}
END_TEST

/* ---- --vary ------------------------------------------------------------ */

START_TEST(test_vary_expansion_order_and_values)
{
	const char *trace, *a = tmp_path("a.json"), *b = tmp_path("b.json");
	const char *out = tmp_path("o.json");
	static const char *const want[] = {
		"a.json swappiness=0 policy=lru", "a.json swappiness=0 policy=fifo",
		"a.json swappiness=100 policy=lru", "a.json swappiness=100 policy=fifo",
		"b.json swappiness=0 policy=lru", "b.json swappiness=0 policy=fifo",
		"b.json swappiness=100 policy=lru", "b.json swappiness=100 policy=fifo",
	};
	json_t *doc;

	trace = write_trace();
	write_file(a, "{\"memory\": {\"pages\": 1024}}\n");
	write_file(b, "{\"memory\": {\"pages\": 2048}, \"reclaim\": "
		   "{\"swappiness\": 7}}\n");
	{
		const char *args[] = { trace, "--config", a, "--config", b,
				       "--set", "reclaim.swappiness=33",
				       "--vary", "reclaim.swappiness=0,100",
				       "--vary", "reclaim.policy=lru,fifo",
				       "--format", "json", "-o", out, NULL };

		ck_assert_int_eq(run_compare(args, NULL), 0);
	}
	doc = load_json(out);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "configs")), 8);
	for (size_t i = 0; i < 8; i++) {
		const json_t *cfg = json_object_get(json_object_get(
			config_at(doc, i), "summary"), "config");
		const json_t *rec = json_object_get(cfg, "reclaim");

		ck_assert_str_eq(name_at(doc, i), want[i]);
		ck_assert_int_eq(json_integer_value(json_object_get(
			json_object_get(cfg, "memory"), "pages")),
			i < 4 ? 1024 : 2048);
		ck_assert_int_eq(json_integer_value(json_object_get(rec,
			"swappiness")), (i / 2) % 2 ? 100 : 0);
		ck_assert_str_eq(json_string_value(json_object_get(rec,
			"policy")), i % 2 ? "fifo" : "lru");
	}
	json_decref(doc);
}
END_TEST

START_TEST(test_vary_json_values_and_names)
{
	const char *trace, *out = tmp_path("o.json");
	json_t *doc;

	trace = write_trace();
	{
		const char *args[] = { trace, "--set", "memory.pages=1024",
				       "--vary", "log.events=\"watermark,refault\",\"all\"",
				       "--config", "configs/default.json",
				       "--config", "configs/default.json",
				       "--format", "json", "-o", out, NULL };

		ck_assert_int_eq(run_compare(args, NULL), 0);
	}
	doc = load_json(out);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "configs")), 4);
	ck_assert_str_eq(name_at(doc, 0),
			 "default.json events=\"watermark,refault\"");
	ck_assert_str_eq(name_at(doc, 1), "default.json events=\"all\"");
	ck_assert_str_eq(name_at(doc, 2),
			 "default.json events=\"watermark,refault\" #2");
	ck_assert_str_eq(name_at(doc, 3), "default.json events=\"all\" #2");
	ck_assert(json_equal(json_object_get(config_at(doc, 0), "summary"),
			     json_object_get(config_at(doc, 2), "summary")));
	json_decref(doc);
}
END_TEST

/* ---- stdin ------------------------------------------------------------- */

START_TEST(test_stdin_is_spooled_for_every_worker)
{
	const char *trace, *from_file = tmp_path("f.json");
	const char *from_stdin = tmp_path("s.json");
	json_t *df, *ds;
	int saved, fd;

	trace = write_trace();
	{
		const char *args[] = { trace, "--set", "memory.pages=1024",
				       "--vary", "reclaim.policy=lru,fifo,opt",
				       "--format", "json", "-o", from_file, NULL };

		ck_assert_int_eq(run_compare(args, NULL), 0);
	}
	saved = dup(0);
	fd = open(trace, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	dup2(fd, 0);
	close(fd);
	clearerr(stdin);
	{
		const char *args[] = { "-", "--set", "memory.pages=1024",
				       "--vary", "reclaim.policy=lru,fifo,opt",
				       "--format", "json", "-o", from_stdin, NULL };

		ck_assert_int_eq(run_compare(args, NULL), 0);
	}
	dup2(saved, 0);
	close(saved);
	clearerr(stdin);
	df = load_json(from_file);
	ds = load_json(from_stdin);
	ck_assert(json_equal(df, ds));
	json_decref(df);
	json_decref(ds);
}
END_TEST

/* ---- formats and the table of hand-made summaries ---------------------- */

static json_t *hand_doc(void)
{
	json_error_t jerr;
	json_t *doc = json_loads(
		"{\"configs\": ["
		" {\"name\": \"base\", \"summary\": {\"complete\": true,"
		"  \"vmstat\": {\"pgscan_kswapd\": 200, \"pgsteal_kswapd\": 150,"
		"   \"pgscan_direct\": 0, \"pgsteal_direct\": 0, \"oom_kill\": 0,"
		"   \"compact_success\": 0, \"compact_fail\": 0},"
		"  \"zones\": [{\"zone\": \"Normal\", \"watermark_crossings\":"
		"   {\"min\": {\"down\": 4, \"up\": 4}}}]}},"
		" {\"name\": \"a|b,c\", \"summary\": {\"complete\": false,"
		"  \"vmstat\": {\"pgscan_kswapd\": 300, \"pgsteal_kswapd\": 300,"
		"   \"pgscan_direct\": 10, \"pgsteal_direct\": 5, \"oom_kill\": 2,"
		"   \"compact_success\": 3, \"compact_fail\": 1},"
		"  \"zones\": [{\"zone\": \"Normal\", \"watermark_crossings\":"
		"   {\"min\": {\"down\": 2, \"up\": 2}}}],"
		"  \"frag\": [{\"nid\": 0, \"zone\": \"Normal\", \"mean\":"
		"   {\"unusable_index\": [0,0,0,0,0,0,0,0,0,0.25,0.5],"
		"    \"score\": 12.5}, \"final\": {\"unusable_index\":"
		"    [0,0,0,0,0,0,0,0,0,0.875,1], \"score\": 40}}],"
		"  \"allocations\": {\"fail\": [0,1,0,0,0,0,0,0,0,6,0],"
		"   \"success\": [9,0,0,0,0,0,0,0,0,3,0]},"
		"  \"alloc_orders\": {\"fail\": [0,0,0,0,0,0,0,0,0,0,0],"
		"   \"success\": [0,0,0,0,0,0,0,0,0,0,0]}}},"
		" {\"name\": \"broken\", \"error\": \"x.json: nope\"}]}", 0, &jerr);

	ck_assert_msg(doc != NULL, "%s", jerr.text);
	return doc;
}

static char *render(const json_t *doc, enum compare_format fmt)
{
	struct compare_out o = { .format = fmt, .trace = "t.csv" };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(compare_table_write(f, doc, &o), 0);
	fclose(f);
	return text;
}

START_TEST(test_csv_of_hand_made_summaries)
{
	json_t *doc = hand_doc();
	char err[256];
	char *csv;

	ck_assert_int_eq(compare_doc_check(doc, err, sizeof(err)), 0);
	csv = render(doc, COMPARE_CSV);
	/* the name with a comma is quoted; the failed config has no column */
	ck_assert_msg(!strncmp(csv, "section,figure,unit,base,\"a|b,c\","
			       "\"a|b,c change %\"\r\n", 47), "%.300s", csv);
	ck_assert_ptr_null(strstr(csv, "broken"));
	assert_field(csv, "pgscan_kswapd", 5, "+50.00");
	assert_field(csv, "efficiency kswapd (steal/scan)", 3, "75.00");
	assert_field(csv, "efficiency kswapd (steal/scan)", 5, "+33.33");
	/* no direct scans in base: its efficiency is missing, no change */
	assert_field(csv, "efficiency direct (steal/scan)", 3, "");
	assert_field(csv, "efficiency direct (steal/scan)", 4, "50.00");
	assert_field(csv, "efficiency direct (steal/scan)", 5, "");
	/* base 0, value 2: a percentage of nothing */
	assert_field(csv, "oom_kill", 5, "n/a");
	assert_field(csv, "Normal min", 5, "-50.00");
	assert_field(csv, "success rate (success/(success+fail))", 4, "75.00");
	assert_field(csv, "complete", 4, "NO");
	/* frag figures: only the second summary has them */
	assert_field(csv, "Normal unusable index o9 (mean)", 3, "");
	assert_field(csv, "Normal unusable index o9 (mean)", 4, "0.250");
	assert_field(csv, "Normal unusable index o9 (final)", 4, "0.875");
	assert_field(csv, "Normal frag score (final)", 4, "40.000");
	/* per-order counts from "allocations" where a summary has it */
	assert_field(csv, "failed (order >= 1)", 4, "7");
	assert_field(csv, "failed (order 9)", 4, "6");
	assert_field(csv, "succeeded (order >= 1)", 4, "3");
	assert_field(csv, "failed (order 9)", 3, "");
	/* figures neither summary has are left out, sections too */
	ck_assert_ptr_null(strstr(csv, "pgfault"));
	ck_assert_ptr_null(strstr(csv, "stalls"));
	ck_assert_ptr_null(strstr(csv, "thp_fault_alloc"));
	free(csv);
	json_decref(doc);
}
END_TEST

START_TEST(test_text_and_markdown_of_hand_made_summaries)
{
	json_t *doc = hand_doc();
	char *text = render(doc, COMPARE_TEXT);
	char *md = render(doc, COMPARE_MARKDOWN);
	char *json = render(doc, COMPARE_JSON);
	json_error_t jerr;
	json_t *back;
	const char *line;

	ck_assert_msg(strstr(text, "mmsim compare of t.csv: 2 configs, changes "
			     "against base\n"), "%.300s", text);
	line = strstr(text, "  pgscan_kswapd");
	ck_assert_ptr_nonnull(line);
	ck_assert_msg(!strncmp(strstr(line, "200"), "200  ", 5) &&
		      strstr(line, "300 ( +50.00%)"), "%.100s", line);
	line = strstr(text, "  efficiency direct");
	ck_assert_msg(strstr(line, "-") < strstr(line, "50.00"), "%.100s", line);
	ck_assert_ptr_nonnull(strstr(text, "failed: broken: x.json: nope\n"));
	ck_assert_msg(strstr(md, "mmsim compare of `t.csv`") &&
		      strstr(md, "| figure | unit | base | a\\|b,c |") &&
		      strstr(md, "|---|---|---:|---:|") &&
		      strstr(md, "| pgscan_kswapd | pages | 200 | 300 (+50.00%) |") &&
		      strstr(md, "| **reclaim** |") &&
		      strstr(md, "- failed: broken: x.json: nope"), "%.400s", md);
	back = json_loads(json, 0, &jerr);
	ck_assert(json_equal(back, doc));
	json_decref(back);
	free(text);
	free(md);
	free(json);
	json_decref(doc);
}
END_TEST

START_TEST(test_doc_check_rejects_other_shapes)
{
	static const char *const bad[] = {
		"[]", "{}", "{\"configs\": {}}", "{\"configs\": [{}]}",
		"{\"configs\": [{\"name\": 1, \"summary\": {}}]}",
		"{\"configs\": [{\"name\": \"x\"}]}",
		"{\"configs\": [{\"name\": \"x\", \"summary\": 5}]}",
	};
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *j = json_loads(bad[i], JSON_DECODE_ANY, NULL);

		ck_assert_ptr_nonnull(j);
		ck_assert_msg(compare_doc_check(j, err, sizeof(err)) == -1,
			      "accepted %s", bad[i]);
		ck_assert(strstr(err, "configs") != NULL);
		json_decref(j);
	}
}
END_TEST

START_TEST(test_every_format_from_a_real_replay)
{
	static const char *const fmts[] = { "text", "markdown", "csv", "json" };
	const char *trace, *saved = tmp_path("saved.json");

	trace = write_trace();
	{
		const char *args[] = { trace, "--set", "memory.pages=1024",
				       "--vary", "reclaim.policy=lru,fifo",
				       "--format", "json", "-o", saved, NULL };

		ck_assert_int_eq(run_compare(args, NULL), 0);
	}
	for (size_t i = 0; i < 4; i++) {
		char direct_name[32], from_name[32];
		char *direct, *from;

		snprintf(direct_name, sizeof(direct_name), "d.%s", fmts[i]);
		snprintf(from_name, sizeof(from_name), "f.%s", fmts[i]);
		{
			const char *args[] = { trace, "--set", "memory.pages=1024",
					       "--vary", "reclaim.policy=lru,fifo",
					       "--format", fmts[i], "--all", "-o",
					       tmp_path(direct_name), NULL };

			ck_assert_int_eq(run_compare(args, NULL), 0);
		}
		{
			const char *args[] = { "--from", saved, "--format",
					       fmts[i], "--all", "-o",
					       tmp_path(from_name), NULL };

			ck_assert_int_eq(run_compare(args, NULL), 0);
		}
		direct = read_file(tmp_path(direct_name));
		from = read_file(tmp_path(from_name));
		ck_assert_msg(strstr(direct, "pgscan_direct") &&
			      strstr(direct, "policy=fifo") &&
			      strstr(direct, "pgalloc_normal"), "%s: %.200s",
			      fmts[i], direct);
		/* --from renders the same bytes (the trace name aside) */
		if (i >= 2)
			ck_assert_str_eq(direct, from);
		free(direct);
		free(from);
	}
}
END_TEST

static Suite *compare_suite(void)
{
	Suite *s = suite_create("compare");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
	tcase_add_test(tc, test_json_summaries_equal_single_runs);
	tcase_add_test(tc, test_table_numbers_are_the_summaries);
	tcase_add_test(tc, test_failing_config_reported_others_run);
	tcase_add_test(tc, test_bad_trace_row_fails_every_column_by_name);
	tcase_add_test(tc, test_bad_command_lines);
	tcase_add_test(tc, test_vary_expansion_order_and_values);
	tcase_add_test(tc, test_vary_json_values_and_names);
	tcase_add_test(tc, test_stdin_is_spooled_for_every_worker);
	tcase_add_test(tc, test_csv_of_hand_made_summaries);
	tcase_add_test(tc, test_text_and_markdown_of_hand_made_summaries);
	tcase_add_test(tc, test_doc_check_rejects_other_shapes);
	tcase_add_test(tc, test_every_format_from_a_real_replay);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(compare_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
