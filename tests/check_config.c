/*
 * check_config.c - tests of sim/config.c: defaults, files, --set, finalize,
 * the effective-config echo and the key reference in configs/README.md.
 *
 * Runs from the repository root (configs/ paths are relative to it).
 * Fixture files are written to a fresh temporary directory per test and
 * removed by the test.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#define ERR_MAX 1024

struct fixture {
	char dir[64];
	char path[128];
};

static void fixture_write(struct fixture *f, const char *text)
{
	FILE *fp;

	snprintf(f->dir, sizeof(f->dir), "/tmp/check_config.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/cfg.json", f->dir);
	fp = fopen(f->path, "w");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_ge(fputs(text, fp), 0);
	ck_assert_int_eq(fclose(fp), 0);
}

static void fixture_remove(struct fixture *f)
{
	unlink(f->path);
	ck_assert_int_eq(rmdir(f->dir), 0);
}

/* Loads text (as a file) onto cfg; returns config_load_file()'s result. */
static int load_text(struct config *cfg, const char *text, char *err,
		     char *path_out, size_t path_len)
{
	struct fixture f;
	int rc;

	fixture_write(&f, text);
	rc = config_load_file(cfg, f.path, err, ERR_MAX);
	if (path_out)
		snprintf(path_out, path_len, "%s", f.path);
	fixture_remove(&f);
	return rc;
}

static void load_ok(struct config *cfg, const char *text)
{
	char err[ERR_MAX] = "";

	ck_assert_msg(load_text(cfg, text, err, NULL, 0) == 0, "%s", err);
	ck_assert_msg(config_finalize(cfg, err, sizeof(err)) == 0, "%s", err);
}

static void set_ok(struct config *cfg, const char *assignment)
{
	char err[ERR_MAX] = "";

	ck_assert_msg(config_set(cfg, assignment, err, sizeof(err)) == 0,
		      "%s: %s", assignment, err);
}

static void set_fails(struct config *cfg, const char *assignment,
		      const char *expected)
{
	char err[ERR_MAX] = "";
	struct config before = *cfg;

	ck_assert_int_eq(config_set(cfg, assignment, err, sizeof(err)), -1);
	ck_assert_str_eq(err, expected);
	ck_assert_msg(memcmp(&before, cfg, sizeof(before)) == 0,
		      "a failed --set changed the config");
}

static char *dump(const struct config *cfg)
{
	json_t *j = config_to_json(cfg);
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);

	json_decref(j);
	ck_assert_ptr_nonnull(s);
	return s;
}

static void assert_same_json(const struct config *a, const struct config *b)
{
	char *sa = dump(a), *sb = dump(b);

	ck_assert_str_eq(sa, sb);
	free(sa);
	free(sb);
}

static void load_file_ok(struct config *cfg, const char *path)
{
	char err[ERR_MAX] = "";

	ck_assert_msg(config_load_file(cfg, path, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_msg(config_finalize(cfg, err, sizeof(err)) == 0, "%s", err);
}

/* ---- defaults and the shipped configs ---------------------------------- */

START_TEST(test_defaults_are_the_kernels)
{
	struct config c;

	config_defaults(&c);
	ck_assert_uint_eq(c.memory_pages, 262144);
	ck_assert_uint_eq(c.nr_zones, 1);
	ck_assert_int_eq(c.zones[0].type, ZONE_NORMAL);
	ck_assert_uint_eq(c.zones[0].pages, 262144);
	ck_assert_uint_eq(c.pageblock_order, 9);
	ck_assert_int_eq(c.wmark_mode, WMARK_MODE_KERNEL);
	ck_assert_int_eq(c.min_free_kbytes, -1);
	ck_assert_uint_eq(c.watermark_scale_factor, 10);
	ck_assert_uint_eq(c.watermark_boost_factor, 15000);
	ck_assert_uint_eq(c.lowmem_reserve_ratio[ZONE_DMA], 256);
	ck_assert_uint_eq(c.lowmem_reserve_ratio[ZONE_DMA32], 256);
	ck_assert_uint_eq(c.lowmem_reserve_ratio[ZONE_NORMAL], 32);
	ck_assert_uint_eq(c.lowmem_reserve_ratio[ZONE_MOVABLE], 0);
	ck_assert_str_eq(c.reclaim_policy, "classic");
	ck_assert_uint_eq(c.swappiness, 60);
	ck_assert(c.swap);
	ck_assert_uint_eq(c.nr_to_reclaim, 32);
	ck_assert(c.kswapd_enabled);
	ck_assert_uint_eq(c.kswapd_nap_ns, 100000000ull);
	ck_assert_uint_eq(c.scan_cost_ns, 100);
	ck_assert_uint_eq(c.swapout_cost_ns, 20000);
	ck_assert_uint_eq(c.writeback_cost_ns, 20000);
	ck_assert_uint_eq(c.major_fault_cost_ns, 50000);
	ck_assert_uint_eq(c.log_events, (1u << NR_LOG_EVENTS) - 1);
}
END_TEST

START_TEST(test_defaults_equal_default_json)
{
	struct config a, b;

	config_defaults(&a);
	config_defaults(&b);
	load_file_ok(&b, "configs/default.json");
	assert_same_json(&a, &b);
}
END_TEST

/* default.json names every key: it resets a config that differs in all. */
START_TEST(test_default_json_names_every_key)
{
	struct config a, b;
	json_error_t jerr;
	json_t *file = json_load_file("configs/default.json", 0, &jerr);
	json_t *echo, *zone;
	size_t i;

	ck_assert_msg(file != NULL, "%s", jerr.text);
	config_defaults(&a);
	echo = config_to_json(&a);
	json_array_foreach(json_object_get(json_object_get(echo, "memory"),
					   "zones"), i, zone)
		json_object_del(zone, "pages");	/* derived, not in the file */
	ck_assert_msg(json_equal(file, echo), "configs/default.json is not "
		      "the full echo of config_defaults()");
	json_decref(file);
	json_decref(echo);

	config_defaults(&b);
	load_ok(&b, "{\"memory\": {\"pages\": 4096, \"zones\": [{\"type\": "
		"\"DMA32\", \"share\": 0.5}, {\"type\": \"Normal\"}], "
		"\"pageblock_order\": 3}, \"watermarks\": {\"mode\": "
		"\"explicit\", \"min_free_kbytes\": 256, "
		"\"watermark_scale_factor\": 20, \"watermark_boost_factor\": 0, "
		"\"lowmem_reserve_ratio\": [1, 2, 3, 4], \"zones\": {\"DMA32\": "
		"{\"min\": 1, \"low\": 2, \"high\": 3}, \"Normal\": {\"min\": 1, "
		"\"low\": 2, \"high\": 3}}}, \"reclaim\": {\"policy\": \"x\", "
		"\"swappiness\": 1, \"swap\": false, \"nr_to_reclaim\": 2}, "
		"\"kswapd\": {\"enabled\": false, \"nap_ms\": 1}, \"cost\": "
		"{\"scan_ns\": 1, \"swapout_ns\": 1, \"writeback_ns\": 1, "
		"\"major_fault_ns\": 1}, \"log\": {\"events\": []}}");
	load_file_ok(&b, "configs/default.json");
	assert_same_json(&a, &b);
}
END_TEST

START_TEST(test_ideal_json)
{
	struct config c;

	config_defaults(&c);
	load_file_ok(&c, "configs/ideal.json");
	ck_assert_int_eq(c.wmark_mode, WMARK_MODE_NONE);
	ck_assert_uint_eq(c.watermark_boost_factor, 0);
	ck_assert(!c.kswapd_enabled);
	ck_assert_uint_eq(c.nr_to_reclaim, 1);
	ck_assert(c.swap);
	ck_assert_uint_eq(c.scan_cost_ns, 0);
	ck_assert_uint_eq(c.swapout_cost_ns, 0);
	ck_assert_uint_eq(c.writeback_cost_ns, 0);
	ck_assert_uint_eq(c.major_fault_cost_ns, 0);
	ck_assert_uint_eq(c.log_events, (1u << NR_LOG_EVENTS) - 1);
	/* what ideal.json does not name stays the default */
	ck_assert_uint_eq(c.memory_pages, 262144);
	ck_assert_str_eq(c.reclaim_policy, "classic");
}
END_TEST

/* ---- file errors: each names the file and the JSON path ----------------- */

struct bad_file {
	const char *text;
	const char *msg;	/* after "FILE: " */
};

static const struct bad_file bad_files[] = {
	{ "{\"reclaim\": {\"swapiness\": 10}}",
	  "reclaim.swapiness: unknown key (known keys under reclaim: policy, "
	  "swappiness, swap, nr_to_reclaim, writeback_delay_ms, mglru); did "
	  "you mean reclaim.swappiness?" },
	{ "{\"reclam\": {}}",
	  "reclam: unknown key (known top-level keys: memory, watermarks, "
	  "reclaim, kswapd, cost, compaction, kcompactd, placement, thp, "
	  "log); did you mean reclaim?" },
	{ "{\"swappiness\": 10}",
	  "swappiness: unknown key (known top-level keys: memory, watermarks, "
	  "reclaim, kswapd, cost, compaction, kcompactd, placement, thp, "
	  "log); did you mean reclaim.swappiness?" },
	{ "{\"watermarks\": {\"min_free\": 10}}",
	  "watermarks.min_free: unknown key (known keys under watermarks: "
	  "mode, min_free_kbytes, watermark_scale_factor, "
	  "watermark_boost_factor, lowmem_reserve_ratio, zones); did you mean "
	  "watermarks.min_free_kbytes?" },
	{ "{\"memory\": {\"pages\": \"1G\"}}",
	  "memory.pages: got \"1G\", expected an integer in 1..4294967294" },
	{ "{\"memory\": {\"pages\": 4294967295}}",
	  "memory.pages: got 4294967295, expected an integer in 1..4294967294" },
	{ "{\"memory\": {\"pageblock_order\": 11}}",
	  "memory.pageblock_order: got 11, expected an integer in 1..10" },
	{ "{\"reclaim\": {\"swappiness\": 300}}",
	  "reclaim.swappiness: got 300, expected an integer in 0..200" },
	{ "{\"reclaim\": {\"swappiness\": 2.5}}",
	  "reclaim.swappiness: got 2.5, expected an integer in 0..200" },
	{ "{\"reclaim\": {\"swap\": 1}}",
	  "reclaim.swap: got 1, expected true or false" },
	{ "{\"reclaim\": {\"policy\": \"LRU\"}}",
	  "reclaim.policy: got \"LRU\", expected a name of 1..31 characters "
	  "from a-z, 0-9, _ and -" },
	{ "{\"reclaim\": {\"policy\": \"\"}}",
	  "reclaim.policy: got \"\", expected a name of 1..31 characters "
	  "from a-z, 0-9, _ and -" },
	{ "{\"reclaim\": 3}",
	  "reclaim: got 3, expected an object with keys policy, swappiness, "
	  "swap, nr_to_reclaim, writeback_delay_ms, mglru" },
	{ "{\"watermarks\": {\"mode\": \"kernal\"}}",
	  "watermarks.mode: got \"kernal\", expected one of \"kernel\", "
	  "\"explicit\", \"none\"; did you mean kernel?" },
	{ "{\"watermarks\": \"off\"}",
	  "watermarks: got \"off\", expected one of \"kernel\", \"explicit\", "
	  "\"none\", or an object of mode, min_free_kbytes, "
	  "watermark_scale_factor, watermark_boost_factor, "
	  "lowmem_reserve_ratio, zones" },
	{ "{\"watermarks\": {\"min_free_kbytes\": 100}}",
	  "watermarks.min_free_kbytes: got 100, expected an integer in "
	  "128..2147483647 or \"auto\"" },
	{ "{\"watermarks\": {\"watermark_scale_factor\": 0}}",
	  "watermarks.watermark_scale_factor: got 0, expected an integer in "
	  "1..3000" },
	{ "{\"watermarks\": {\"lowmem_reserve_ratio\": [256, 32]}}",
	  "watermarks.lowmem_reserve_ratio: got [256,32], expected an array "
	  "of 4 integers (DMA, DMA32, Normal, Movable)" },
	{ "{\"watermarks\": {\"lowmem_reserve_ratio\": [256, 256, -1, 0]}}",
	  "watermarks.lowmem_reserve_ratio[2]: got -1, expected an integer in "
	  "0..2147483647" },
	{ "{\"watermarks\": {\"zones\": {\"Norml\": {\"min\": 1}}}}",
	  "watermarks.zones.Norml: unknown zone type (known: DMA, DMA32, "
	  "Normal, Movable); did you mean Normal?" },
	{ "{\"watermarks\": {\"zones\": {\"Normal\": {\"hi\": 1}}}}",
	  "watermarks.zones.Normal.hi: unknown key (known keys of a zone's "
	  "marks: min, low, high)" },
	{ "{\"watermarks\": {\"zones\": {\"Normal\": {\"high\": -3}}}}",
	  "watermarks.zones.Normal.high: got -3, expected an integer in "
	  "0..4294967294" },
	{ "{\"kswapd\": {\"nap_ms\": -1}}",
	  "kswapd.nap_ms: got -1, expected a number of ms in 0..60000" },
	{ "{\"kswapd\": {\"nap_ms\": \"100ms\"}}",
	  "kswapd.nap_ms: got \"100ms\", expected a number of ms in 0..60000" },
	{ "{\"cost\": {\"scan_ns\": 1.5}}",
	  "cost.scan_ns: got 1.5, expected an integer in 0..3600000000000" },
	{ "{\"log\": {\"events\": [\"watermark\", \"refaults\"]}}",
	  "log.events[1]: got \"refaults\", expected one of \"watermark\", "
	  "\"refault\", \"kswapd\", \"direct_reclaim\", \"oom\", \"shrink\", "
	  "\"alloc_fail\", \"extfrag\", \"compaction\", \"frag\", "
	  "\"placement\"; did you mean refault?" },
	{ "{\"log\": {\"events\": \"watermark,refault\"}}",
	  "log.events: got \"watermark,refault\", expected \"all\", \"none\" "
	  "or an array of event names" },
	{ "{\"memory\": {\"zones\": []}}",
	  "memory.zones: got [], expected an array of 1..4 zones, e.g. "
	  "[{\"type\": \"DMA32\", \"share\": 0.25}, {\"type\": \"Normal\"}]" },
	{ "{\"memory\": {\"zones\": [{\"type\": \"DMA32\", \"share\": 0.5}, "
	  "{\"type\": \"Normal\", \"share\": 0}]}}",
	  "memory.zones[1].share: got 0, expected a fraction in (0, 1]" },
	{ "{\"memory\": {\"zones\": [{\"type\": \"Normal\", \"share\": 1.5}]}}",
	  "memory.zones[0].share: got 1.5, expected a fraction in (0, 1]" },
	{ "{\"memory\": {\"zones\": [{\"type\": \"Normal\", \"share\": 0.5}, "
	  "{\"type\": \"DMA\"}]}}",
	  "memory.zones[1]: got type \"DMA\" after \"Normal\", expected zone "
	  "types in ascending order (DMA, DMA32, Normal, Movable), each at "
	  "most once" },
	{ "{\"memory\": {\"zones\": [{\"type\": \"Normal\"}, "
	  "{\"type\": \"Normal\"}]}}",
	  "memory.zones[1]: got type \"Normal\" after \"Normal\", expected "
	  "zone types in ascending order (DMA, DMA32, Normal, Movable), each "
	  "at most once" },
	{ "{\"memory\": {\"zones\": [{\"type\": \"DMA32\"}, "
	  "{\"type\": \"Normal\"}]}}",
	  "memory.zones[1]: got a second zone without \"share\" "
	  "(memory.zones[0] has none), expected at most one zone taking the "
	  "remainder" },
	{ "{\"memory\": {\"zones\": [{\"type\": \"DMA32\", \"share\": 0.25}, "
	  "{\"type\": \"Normal\", \"share\": 0.5}]}}",
	  "memory.zones: got shares summing to 0.75, expected 1 (or leave out "
	  "one zone's share to give it the remainder)" },
	{ "{\"memory\": {\"zones\": [{\"type\": \"DMA32\", \"share\": 0.75}, "
	  "{\"type\": \"Normal\", \"share\": 0.5}, {\"type\": \"Movable\"}]}}",
	  "memory.zones: got shares summing to 1.25, expected at most 1 (one "
	  "zone takes the remainder)" },
	{ "{\"memory\": {\"zones\": [{\"type\": \"normal\"}]}}",
	  "memory.zones[0].type: got \"normal\", expected one of \"DMA\", "
	  "\"DMA32\", \"Normal\", \"Movable\"; did you mean Normal?" },
	{ "{\"memory\": {\"zones\": [{\"share\": 1}]}}",
	  "memory.zones[0]: missing \"type\", expected one of \"DMA\", "
	  "\"DMA32\", \"Normal\", \"Movable\"" },
	{ "{\"memory\": {\"zones\": [{\"type\": \"Normal\", \"sahre\": 1}]}}",
	  "memory.zones[0].sahre: unknown key (known keys in a zone: type, "
	  "share, pages); did you mean share?" },
	{ "{\"memory\": {\"zones\": [\"Normal\"]}}",
	  "memory.zones[0]: got \"Normal\", expected an object {\"type\": "
	  "\"Normal\", \"share\": 0.5}" },
	{ "[1, 2]",
	  "got [1,2], expected an object at the top level" },
};

START_TEST(test_file_errors)
{
	const struct bad_file *b = &bad_files[_i];
	char err[ERR_MAX] = "", path[128], expected[ERR_MAX];
	struct config c, before;

	config_defaults(&c);
	before = c;
	ck_assert_int_eq(load_text(&c, b->text, err, path, sizeof(path)), -1);
	snprintf(expected, sizeof(expected), "%s: %s", path, b->msg);
	ck_assert_str_eq(err, expected);
	ck_assert_msg(memcmp(&before, &c, sizeof(c)) == 0,
		      "a failed load changed the config");
}
END_TEST

START_TEST(test_unreadable_file)
{
	struct config c;
	char err[ERR_MAX] = "";

	config_defaults(&c);
	ck_assert_int_eq(config_load_file(&c, "configs/no-such-file.json",
					  err, sizeof(err)), -1);
	ck_assert_str_eq(err, "configs/no-such-file.json: cannot read: "
			 "No such file or directory");
	ck_assert_int_eq(config_load_file(&c, "configs", err, sizeof(err)),
			 -1);
	ck_assert_str_eq(err, "configs: cannot read: Is a directory");
}
END_TEST

START_TEST(test_invalid_json)
{
	struct config c;
	char err[ERR_MAX] = "", path[128], prefix[256];

	config_defaults(&c);
	ck_assert_int_eq(load_text(&c, "{\n  \"memory\": {\n    \"pages\": "
				   "12,\n  }\n}\n", err, path, sizeof(path)),
			 -1);
	snprintf(prefix, sizeof(prefix), "%s:4:3: invalid JSON: ", path);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "%s", err);

	ck_assert_int_eq(load_text(&c, "{\"memory\": {\"pages\": 16},\n"
				   " \"memory\": {\"pages\": 32}}", err, path,
				   sizeof(path)), -1);
	snprintf(prefix, sizeof(prefix), "%s:2:", path);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "%s", err);
	ck_assert_msg(strstr(err, "duplicate") != NULL, "%s", err);

	ck_assert_int_eq(load_text(&c, "", err, path, sizeof(path)), -1);
	ck_assert_msg(strstr(err, "invalid JSON") != NULL, "%s", err);
}
END_TEST

/* A failed file leaves the config as it was, even after good keys. */
START_TEST(test_failed_load_is_atomic)
{
	struct config c, before;
	char err[ERR_MAX];

	config_defaults(&c);
	before = c;
	ck_assert_int_eq(load_text(&c, "{\"reclaim\": {\"swappiness\": 10, "
				   "\"swap\": \"no\"}}", err, NULL, 0), -1);
	ck_assert_uint_eq(c.swappiness, 60);
	ck_assert(memcmp(&before, &c, sizeof(c)) == 0);
}
END_TEST

/* ---- finalize: rules across keys ---------------------------------------- */

struct bad_final {
	const char *text;
	const char *msg;
};

static const struct bad_final bad_finals[] = {
	{ "{\"memory\": {\"pages\": 500, \"zones\": [{\"type\": \"DMA\", "
	  "\"share\": 0.001}, {\"type\": \"Normal\"}]}}",
	  "memory.zones[0] (DMA): got 0 pages (share 0.001 of memory.pages "
	  "500), expected at least 1 page" },
	{ "{\"watermarks\": \"explicit\"}",
	  "watermarks.zones: no marks for zone Normal, expected {\"min\", "
	  "\"low\", \"high\"} for every zone of memory.zones (Normal) when "
	  "watermarks.mode is \"explicit\"" },
	{ "{\"watermarks\": {\"mode\": \"explicit\", \"zones\": {\"Normal\": "
	  "{\"min\": 10, \"high\": 30}}}}",
	  "watermarks.zones.Normal: missing \"low\", expected min, low and "
	  "high for every zone of memory.zones when watermarks.mode is "
	  "\"explicit\"" },
	{ "{\"watermarks\": {\"mode\": \"explicit\", \"zones\": {\"Normal\": "
	  "{\"min\": 10, \"low\": 5, \"high\": 30}}}}",
	  "watermarks.zones.Normal: got min 10, low 5, high 30, expected "
	  "min <= low <= high" },
	{ "{\"watermarks\": {\"mode\": \"explicit\", \"zones\": {\"Normal\": "
	  "{\"min\": 10, \"low\": 20, \"high\": 300000}}}}",
	  "watermarks.zones.Normal.high: got 300000, expected at most the "
	  "zone's 262144 pages" },
	{ "{\"watermarks\": {\"mode\": \"explicit\", \"zones\": {\"Normal\": "
	  "{\"min\": 1, \"low\": 2, \"high\": 3}, \"Movable\": {\"min\": 1, "
	  "\"low\": 2, \"high\": 3}}}}",
	  "watermarks.zones.Movable: got marks for zone Movable, expected only "
	  "zones of memory.zones (Normal)" },
	{ "{\"watermarks\": {\"min_free_kbytes\": 1048576}}",
	  "watermarks.min_free_kbytes: got 1048576 KiB (262144 pages), "
	  "expected less than memory.pages (262144)" },
};

START_TEST(test_finalize_errors)
{
	const struct bad_final *b = &bad_finals[_i];
	char err[ERR_MAX] = "";
	struct config c;

	config_defaults(&c);
	ck_assert_msg(load_text(&c, b->text, err, NULL, 0) == 0, "%s", err);
	ck_assert_int_eq(config_finalize(&c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, b->msg);
}
END_TEST

/* Marks of a zone that is gone only matter in explicit mode. */
START_TEST(test_finalize_ignores_marks_unless_explicit)
{
	struct config c;
	char err[ERR_MAX] = "";

	config_defaults(&c);
	load_ok(&c, "{\"watermarks\": {\"zones\": {\"Movable\": {\"min\": 9}}}}");
	ck_assert_uint_eq(c.zones[0].wmark[WMARK_MIN], 0);
	set_ok(&c, "watermarks.mode=explicit");
	ck_assert_int_eq(config_finalize(&c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "Movable") != NULL, "%s", err);
}
END_TEST

/* ---- --set -------------------------------------------------------------- */

START_TEST(test_set_each_type)
{
	struct config c;

	config_defaults(&c);
	set_ok(&c, "reclaim.swap=false");
	ck_assert(!c.swap);
	set_ok(&c, "reclaim.swap=true");
	ck_assert(c.swap);
	set_ok(&c, "reclaim.swappiness=100");
	ck_assert_uint_eq(c.swappiness, 100);
	set_ok(&c, "memory.pages=1048576");
	ck_assert_uint_eq(c.memory_pages, 1048576);
	set_ok(&c, "kswapd.nap_ms=0.5");
	ck_assert_uint_eq(c.kswapd_nap_ns, 500000);
	set_ok(&c, "kswapd.nap_ms=250");
	ck_assert_uint_eq(c.kswapd_nap_ns, 250000000ull);
	set_ok(&c, "cost.scan_ns=250");
	ck_assert_uint_eq(c.scan_cost_ns, 250);
	set_ok(&c, "watermarks.mode=explicit");
	ck_assert_int_eq(c.wmark_mode, WMARK_MODE_EXPLICIT);
	set_ok(&c, "watermarks.mode=\"kernel\"");
	ck_assert_int_eq(c.wmark_mode, WMARK_MODE_KERNEL);
	set_ok(&c, "reclaim.policy=classic");
	ck_assert_str_eq(c.reclaim_policy, "classic");
	set_ok(&c, "reclaim.policy=2q");
	ck_assert_str_eq(c.reclaim_policy, "2q");
	set_ok(&c, "reclaim.policy=123");	/* the text, not the number */
	ck_assert_str_eq(c.reclaim_policy, "123");
	set_ok(&c, "watermarks.min_free_kbytes=4096");
	ck_assert_int_eq(c.min_free_kbytes, 4096);
	set_ok(&c, "watermarks.min_free_kbytes=auto");
	ck_assert_int_eq(c.min_free_kbytes, -1);
	set_ok(&c, "watermarks.lowmem_reserve_ratio=[1,2,3,4]");
	ck_assert_uint_eq(c.lowmem_reserve_ratio[0], 1);
	ck_assert_uint_eq(c.lowmem_reserve_ratio[3], 4);
	set_ok(&c, "memory={\"pageblock_order\": 4}");
	ck_assert_uint_eq(c.pageblock_order, 4);
	set_ok(&c, "memory.zones=[{\"type\":\"DMA32\",\"share\":0.5},"
	       "{\"type\":\"Normal\"}]");
	ck_assert_uint_eq(c.nr_zones, 2);
	ck_assert_int_eq(c.zones[0].type, ZONE_DMA32);
	ck_assert(c.zones[1].share < 0);
}
END_TEST

START_TEST(test_set_watermarks_none)
{
	struct config c;

	config_defaults(&c);
	set_ok(&c, "watermarks=none");
	ck_assert_int_eq(c.wmark_mode, WMARK_MODE_NONE);
	set_ok(&c, "watermarks=kernel");
	ck_assert_int_eq(c.wmark_mode, WMARK_MODE_KERNEL);
	set_ok(&c, "watermarks.mode=none");
	ck_assert_int_eq(c.wmark_mode, WMARK_MODE_NONE);
	set_ok(&c, "watermarks={\"mode\": \"kernel\", \"watermark_scale_factor\""
	       ": 100}");
	ck_assert_int_eq(c.wmark_mode, WMARK_MODE_KERNEL);
	ck_assert_uint_eq(c.watermark_scale_factor, 100);
}
END_TEST

START_TEST(test_set_errors)
{
	struct config c;

	config_defaults(&c);
	set_fails(&c, "reclaim.swappiness=300", "--set reclaim.swappiness=300: "
		  "got 300, expected an integer in 0..200");
	set_fails(&c, "memory.pages=1G", "--set memory.pages=1G: got \"1G\", "
		  "expected an integer in 1..4294967294");
	set_fails(&c, "reclaim.swap=yes", "--set reclaim.swap=yes: got "
		  "\"yes\", expected true or false");
	set_fails(&c, "watermarks.mode=3", "--set watermarks.mode=3: got \"3\", "
		  "expected one of \"kernel\", \"explicit\", \"none\"");
	set_fails(&c, "reclaim.policy=Classic", "--set reclaim.policy=Classic: "
		  "got \"Classic\", expected a name of 1..31 characters from "
		  "a-z, 0-9, _ and -");
	set_fails(&c, "reclaim.policy=abcdefghijklmnopqrstuvwxyz0123456",
		  "--set reclaim.policy=abcdefghijklmnopqrstuvwxyz0123456: got "
		  "\"abcdefghijklmnopqrstuvwxyz0123456\", expected a name of "
		  "1..31 characters from a-z, 0-9, _ and -");
	set_fails(&c, "kswapd.nap_ms=60001", "--set kswapd.nap_ms=60001: got "
		  "60001, expected a number of ms in 0..60000");
	set_fails(&c, "watermarks.min_free_kbytes=automatic",
		  "--set watermarks.min_free_kbytes=automatic: got \"automatic\","
		  " expected an integer in 128..2147483647 or \"auto\"");
	set_fails(&c, "reclaim.swapiness=3", "--set reclaim.swapiness=3: "
		  "unknown key (known keys under reclaim: policy, swappiness, "
		  "swap, nr_to_reclaim, writeback_delay_ms, mglru); did you mean "
		  "reclaim.swappiness?");
	set_fails(&c, "reclam.swappiness=3", "--set reclam.swappiness=3: "
		  "reclam: unknown key (known top-level keys: memory, "
		  "watermarks, reclaim, kswapd, cost, compaction, kcompactd, "
		  "placement, thp, log); did you mean reclaim?");
	set_fails(&c, "reclaim.swappiness.x=3", "--set reclaim.swappiness.x=3: "
		  "unknown key (reclaim.swappiness takes a value and has no "
		  "keys under it)");
	set_fails(&c, "reclaim.swappiness", "--set reclaim.swappiness: "
		  "expected KEY=VALUE, e.g. reclaim.swappiness=100");
	set_fails(&c, "=3", "--set =3: expected KEY=VALUE, e.g. "
		  "reclaim.swappiness=100");
	set_fails(&c, "memory.zones=[{\"type\": \"Normal\"", "--set "
		  "memory.zones=[{\"type\": \"Normal\": invalid JSON value at "
		  "column 18: '}' expected near end of file");
	set_fails(&c, "memory.zones=[{\"type\":\"DMA\",\"share\":2}]",
		  "--set memory.zones=[{\"type\":\"DMA\",\"share\":2}]: "
		  "memory.zones[0].share: got 2, expected a fraction in (0, 1]");
	set_fails(&c, "reclaim=3", "--set reclaim=3: got 3, expected an object "
		  "with keys policy, swappiness, swap, nr_to_reclaim, "
		  "writeback_delay_ms, mglru");
	set_fails(&c, "memory={\"pages\": 0}", "--set memory={\"pages\": 0}: "
		  "memory.pages: got 0, expected an integer in 1..4294967294");
}
END_TEST

/* --set memory.pages on a two-zone config keeps shares, sums to N. */
START_TEST(test_set_memory_pages_two_zones)
{
	static const uint64_t sizes[] = { 4096, 100003, 262144, 1000001,
					  4294967294ull };
	struct config c;
	char arg[64], err[ERR_MAX];

	config_defaults(&c);
	load_ok(&c, "{\"memory\": {\"zones\": [{\"type\": \"DMA32\", "
		"\"share\": 0.25}, {\"type\": \"Normal\"}]}}");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t n = sizes[i];

		snprintf(arg, sizeof(arg), "memory.pages=%llu",
			 (unsigned long long)n);
		set_ok(&c, arg);
		ck_assert_msg(config_finalize(&c, err, sizeof(err)) == 0, "%s",
			      err);
		ck_assert_uint_eq(c.zones[0].pages + c.zones[1].pages, n);
		ck_assert_uint_eq(c.zones[0].pages, n / 4);
	}
}
END_TEST

/* No remainder zone: the last zone absorbs the rounding. */
START_TEST(test_zone_shares_without_remainder)
{
	static const uint64_t sizes[] = { 4096, 99991, 1000003, 123456789 };
	static const double shares[] = { 0.1, 0.3, 0.6 };
	struct config c;
	char arg[64], err[ERR_MAX];

	config_defaults(&c);
	load_ok(&c, "{\"memory\": {\"pageblock_order\": 1, \"zones\": ["
		"{\"type\": \"DMA\", \"share\": 0.1}, {\"type\": \"DMA32\", "
		"\"share\": 0.3}, {\"type\": \"Normal\", \"share\": 0.6}]}}");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t n = sizes[i], sum = 0;

		snprintf(arg, sizeof(arg), "memory.pages=%llu",
			 (unsigned long long)n);
		set_ok(&c, arg);
		ck_assert_msg(config_finalize(&c, err, sizeof(err)) == 0, "%s",
			      err);
		for (unsigned z = 0; z < 3; z++) {
			double want = shares[z] * (double)n;

			ck_assert_msg(fabs((double)c.zones[z].pages - want) < 3,
				      "zone %u: %llu pages for share %g of %llu",
				      z, (unsigned long long)c.zones[z].pages,
				      shares[z], (unsigned long long)n);
			sum += c.zones[z].pages;
		}
		ck_assert_uint_eq(sum, n);
		ck_assert_uint_eq(c.zones[0].pages,
				  (uint64_t)floor(0.1 * (double)n));
	}
}
END_TEST

START_TEST(test_explicit_watermarks)
{
	struct config c;
	char err[ERR_MAX];

	config_defaults(&c);
	load_ok(&c, "{\"memory\": {\"zones\": [{\"type\": \"DMA32\", \"share\": "
		"0.25}, {\"type\": \"Normal\"}]}, \"watermarks\": {\"mode\": "
		"\"explicit\", \"zones\": {\"DMA32\": {\"min\": 100, \"low\": "
		"200, \"high\": 300}, \"Normal\": {\"min\": 1000, \"low\": 2000, "
		"\"high\": 3000}}}}");
	ck_assert_int_eq(c.wmark_mode, WMARK_MODE_EXPLICIT);
	ck_assert_uint_eq(c.zones[0].wmark[WMARK_MIN], 100);
	ck_assert_uint_eq(c.zones[0].wmark[WMARK_LOW], 200);
	ck_assert_uint_eq(c.zones[0].wmark[WMARK_HIGH], 300);
	ck_assert_uint_eq(c.zones[1].wmark[WMARK_MIN], 1000);
	ck_assert_uint_eq(c.zones[1].wmark[WMARK_HIGH], 3000);

	set_ok(&c, "watermarks.zones.Normal.high=5000");
	ck_assert_msg(config_finalize(&c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(c.zones[1].wmark[WMARK_HIGH], 5000);
	ck_assert_uint_eq(c.zones[1].wmark[WMARK_LOW], 2000);

	set_ok(&c, "watermarks.zones.DMA32={\"min\": 1, \"low\": 2, "
	       "\"high\": 3}");
	ck_assert_msg(config_finalize(&c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(c.zones[0].wmark[WMARK_LOW], 2);
	ck_assert_uint_eq(c.zones[1].wmark[WMARK_MIN], 1000);

	/* the object form replaces every zone's marks */
	set_ok(&c, "watermarks.zones={\"Normal\": {\"min\": 7, \"low\": 8, "
	       "\"high\": 9}}");
	ck_assert_int_eq(config_finalize(&c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "watermarks.zones: no marks for zone DMA32, "
			 "expected {\"min\", \"low\", \"high\"} for every zone "
			 "of memory.zones (DMA32, Normal) when watermarks.mode "
			 "is \"explicit\"");

	/* another mode leaves the marks at 0 */
	set_ok(&c, "watermarks=none");
	ck_assert_msg(config_finalize(&c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(c.zones[1].wmark[WMARK_HIGH], 0);

	set_fails(&c, "watermarks.zones.Norml.min=3", "--set "
		  "watermarks.zones.Norml.min=3: watermarks.zones.Norml: unknown "
		  "zone type (known: DMA, DMA32, Normal, Movable); did you mean "
		  "Normal?");
	set_fails(&c, "watermarks.zones.Normal.hgih=3", "--set "
		  "watermarks.zones.Normal.hgih=3: unknown key (known keys of a zone's marks: min, low, high); "
		  "did you mean high?");
	set_fails(&c, "watermarks.zones.Normal.min=x", "--set "
		  "watermarks.zones.Normal.min=x: got \"x\", expected an integer "
		  "in 0..4294967294");
}
END_TEST

START_TEST(test_log_events_forms)
{
	const uint32_t all = (1u << NR_LOG_EVENTS) - 1;
	const uint32_t wr = (1u << LOG_EV_WATERMARK) | (1u << LOG_EV_REFAULT);
	struct config c;
	json_t *j, *ev;

	config_defaults(&c);
	load_ok(&c, "{\"log\": {\"events\": []}}");
	ck_assert_uint_eq(c.log_events, 0);
	load_ok(&c, "{\"log\": {\"events\": \"all\"}}");
	ck_assert_uint_eq(c.log_events, all);
	load_ok(&c, "{\"log\": {\"events\": \"none\"}}");
	ck_assert_uint_eq(c.log_events, 0);
	load_ok(&c, "{\"log\": {\"events\": [\"refault\", \"watermark\"]}}");
	ck_assert_uint_eq(c.log_events, wr);

	j = config_to_json(&c);
	ev = json_object_get(json_object_get(j, "log"), "events");
	ck_assert(json_is_array(ev));
	ck_assert_uint_eq(json_array_size(ev), 2);
	ck_assert_str_eq(json_string_value(json_array_get(ev, 0)), "watermark");
	ck_assert_str_eq(json_string_value(json_array_get(ev, 1)), "refault");
	json_decref(j);

	set_ok(&c, "log.events=all");
	ck_assert_uint_eq(c.log_events, all);
	set_ok(&c, "log.events=watermark,refault");
	ck_assert_uint_eq(c.log_events, wr);
	set_ok(&c, "log.events=oom");
	ck_assert_uint_eq(c.log_events, 1u << LOG_EV_OOM);
	set_ok(&c, "log.events=[\"frag\", \"kswapd\"]");
	ck_assert_uint_eq(c.log_events, (1u << LOG_EV_FRAG) | (1u << LOG_EV_KSWAPD));
	set_ok(&c, "log.events= extfrag , compaction");
	ck_assert_uint_eq(c.log_events,
			  (1u << LOG_EV_EXTFRAG) | (1u << LOG_EV_COMPACTION));
	set_ok(&c, "log.events=[]");
	ck_assert_uint_eq(c.log_events, 0);
	set_ok(&c, "log.events=all");
	set_ok(&c, "log.events=");
	ck_assert_uint_eq(c.log_events, 0);
	set_fails(&c, "log.events=watermark,refaults", "--set "
		  "log.events=watermark,refaults: log.events[1]: got "
		  "\"refaults\", expected one of \"watermark\", \"refault\", "
		  "\"kswapd\", \"direct_reclaim\", \"oom\", \"shrink\", "
		  "\"alloc_fail\", \"extfrag\", \"compaction\", \"frag\", "
		  "\"placement\"; did you mean refault?");

	c.log_events = all;
	j = config_to_json(&c);
	ck_assert_str_eq(json_string_value(json_object_get(
		json_object_get(j, "log"), "events")), "all");
	json_decref(j);
}
END_TEST

/* ---- the echo ----------------------------------------------------------- */

START_TEST(test_to_json_values)
{
	struct config c;
	json_t *j, *zones, *wm;

	config_defaults(&c);
	load_ok(&c, "{\"memory\": {\"pages\": 100000, \"zones\": [{\"type\": "
		"\"DMA32\", \"share\": 0.25}, {\"type\": \"Normal\"}]}, "
		"\"watermarks\": {\"min_free_kbytes\": 2048}, \"kswapd\": "
		"{\"nap_ms\": 2.5}}");
	j = config_to_json(&c);
	zones = json_object_get(json_object_get(j, "memory"), "zones");
	ck_assert_uint_eq(json_array_size(zones), 2);
	ck_assert_str_eq(json_string_value(json_object_get(
		json_array_get(zones, 0), "type")), "DMA32");
	ck_assert(json_real_value(json_object_get(json_array_get(zones, 0),
						  "share")) == 0.25);
	ck_assert_int_eq(json_integer_value(json_object_get(
		json_array_get(zones, 0), "pages")), 25000);
	ck_assert_ptr_null(json_object_get(json_array_get(zones, 1), "share"));
	ck_assert_int_eq(json_integer_value(json_object_get(
		json_array_get(zones, 1), "pages")), 75000);
	wm = json_object_get(j, "watermarks");
	ck_assert_int_eq(json_integer_value(json_object_get(wm,
		"min_free_kbytes")), 2048);
	ck_assert_str_eq(json_string_value(json_object_get(wm, "mode")),
			 "kernel");
	ck_assert(json_real_value(json_object_get(json_object_get(j, "kswapd"),
						  "nap_ms")) == 2.5);
	ck_assert_ptr_null(json_object_get(wm, "watermarks"));
	json_decref(j);

	set_ok(&c, "watermarks.min_free_kbytes=auto");
	j = config_to_json(&c);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
		"watermarks"), "min_free_kbytes")), "auto");
	json_decref(j);
}
END_TEST

static const char *const round_trip_texts[] = {
	"{}",
	"{\"memory\": {\"pages\": 100003, \"zones\": [{\"type\": \"DMA\", "
	"\"share\": 0.1}, {\"type\": \"DMA32\"}, {\"type\": \"Normal\", "
	"\"share\": 0.3}]}}",
	"{\"memory\": {\"zones\": [{\"type\": \"DMA32\", \"share\": 0.3}, "
	"{\"type\": \"Normal\", \"share\": 0.7}]}}",
	"{\"watermarks\": {\"mode\": \"explicit\", \"min_free_kbytes\": 8192, "
	"\"zones\": {\"Normal\": {\"min\": 10, \"low\": 20, \"high\": 30}}}}",
	"{\"log\": {\"events\": [\"oom\", \"frag\"]}, \"kswapd\": {\"nap_ms\": "
	"0.125}, \"reclaim\": {\"policy\": \"classic\", \"swap\": false}}",
	"{\"watermarks\": \"none\", \"log\": {\"events\": []}}",
};

static void assert_round_trip(const struct config *c)
{
	struct config back;
	struct fixture f;
	json_t *j = config_to_json(c);
	char *text = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2));

	json_decref(j);
	fixture_write(&f, text);
	free(text);
	config_defaults(&back);
	load_file_ok(&back, f.path);
	fixture_remove(&f);
	assert_same_json(c, &back);
}

START_TEST(test_round_trip)
{
	struct config c;

	config_defaults(&c);
	load_ok(&c, round_trip_texts[_i]);
	assert_round_trip(&c);
}
END_TEST

START_TEST(test_round_trip_shipped)
{
	struct config c;

	config_defaults(&c);
	load_file_ok(&c, "configs/ideal.json");
	assert_round_trip(&c);
	config_defaults(&c);
	load_file_ok(&c, "configs/default.json");
	assert_round_trip(&c);
}
END_TEST

/* ---- names and the reference in configs/README.md ----------------------- */

START_TEST(test_names)
{
	static const char *const zones[] = { "DMA", "DMA32", "Normal",
					     "Movable" };
	static const char *const events[] = { "watermark", "refault", "kswapd",
		"direct_reclaim", "oom", "shrink", "alloc_fail", "extfrag",
		"compaction", "frag", "placement" };

	ck_assert_int_eq(NR_LOG_EVENTS, 11);
	for (int t = 0; t < MAX_NR_ZONES; t++)
		ck_assert_str_eq(zone_type_name((enum zone_type)t), zones[t]);
	for (int e = 0; e < NR_LOG_EVENTS; e++)
		ck_assert_str_eq(config_log_event_name((enum log_event)e),
				 events[e]);
}
END_TEST

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

START_TEST(test_readme_names_every_key)
{
	char *readme = read_all("configs/README.md");

	ck_assert_uint_ge(config_nr_keys(), 20);
	for (size_t i = 0; i < config_nr_keys(); i++) {
		char quoted[128];

		snprintf(quoted, sizeof(quoted), "`%s`", config_key_path(i));
		ck_assert_msg(strstr(readme, quoted) != NULL,
			      "configs/README.md does not mention %s", quoted);
	}
	free(readme);
}
END_TEST

/* The generated key reference in the README is the table's, verbatim. */
START_TEST(test_readme_reference_is_current)
{
	char *readme = read_all("configs/README.md");
	char *ref = config_reference_markdown();
	bool found = strstr(readme, ref) != NULL;

	if (!found) {
		FILE *f = fopen("build/config-reference.md", "w");

		if (f) {
			fputs(ref, f);
			fclose(f);
		}
	}
	ck_assert_msg(found, "configs/README.md does not contain the key "
		      "reference generated from sim/config.c; the current one "
		      "is in build/config-reference.md");
	for (size_t i = 0; i < config_nr_keys(); i++) {
		char row[128];

		snprintf(row, sizeof(row), "| `%s` |", config_key_path(i));
		ck_assert_msg(strstr(ref, row) != NULL, "no row for %s",
			      config_key_path(i));
	}
	free(ref);
	free(readme);
}
END_TEST

/* Every ```json block of configs/README.md is a valid config. */
START_TEST(test_readme_examples_load)
{
	char *readme = read_all("configs/README.md");
	const char *p = readme;
	int blocks = 0;

	while ((p = strstr(p, "```json\n"))) {
		const char *start = p + strlen("```json\n");
		const char *end = strstr(start, "```");
		char *text;
		struct config c;

		ck_assert_ptr_nonnull(end);
		text = strndup(start, (size_t)(end - start));
		config_defaults(&c);
		load_ok(&c, text);
		free(text);
		blocks++;
		p = end + 3;
	}
	ck_assert_int_ge(blocks, 2);
	free(readme);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_defaults_are_the_kernels);
	tcase_add_test(tc, test_defaults_equal_default_json);
	tcase_add_test(tc, test_default_json_names_every_key);
	tcase_add_test(tc, test_ideal_json);
	tcase_add_loop_test(tc, test_file_errors, 0,
			    (int)(sizeof(bad_files) / sizeof(bad_files[0])));
	tcase_add_test(tc, test_unreadable_file);
	tcase_add_test(tc, test_invalid_json);
	tcase_add_test(tc, test_failed_load_is_atomic);
	tcase_add_loop_test(tc, test_finalize_errors, 0,
			    (int)(sizeof(bad_finals) / sizeof(bad_finals[0])));
	tcase_add_test(tc, test_finalize_ignores_marks_unless_explicit);
	tcase_add_test(tc, test_set_each_type);
	tcase_add_test(tc, test_set_watermarks_none);
	tcase_add_test(tc, test_set_errors);
	tcase_add_test(tc, test_set_memory_pages_two_zones);
	tcase_add_test(tc, test_zone_shares_without_remainder);
	tcase_add_test(tc, test_explicit_watermarks);
	tcase_add_test(tc, test_log_events_forms);
	tcase_add_test(tc, test_to_json_values);
	tcase_add_loop_test(tc, test_round_trip, 0,
			    (int)(sizeof(round_trip_texts) /
				  sizeof(round_trip_texts[0])));
	tcase_add_test(tc, test_round_trip_shipped);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_readme_names_every_key);
	tcase_add_test(tc, test_readme_reference_is_current);
	tcase_add_test(tc, test_readme_examples_load);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
