/*
 * check_emit.c - the JSON Lines log writer (sim/emit.c).
 *
 * Every record kind is written once, read back with jansson and compared
 * field by field, in key order, and byte for byte for a few lines; strings
 * with quotes, control characters and invalid UTF-8 come back as valid JSON;
 * the kind mask filters; a NULL log is a no-op; FILE.part becomes FILE only
 * on a clean close; abort and write errors leave no FILE; and
 * tests/validate_log.py accepts the log against docs/log-schema.json and
 * rejects broken ones with the line number.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "emit.h"
#include "mm/gfp.h"

#define PYTHON		"/usr/bin/python3"
#define VALIDATOR	"tests/validate_log.py"
#define SCHEMA		"docs/log-schema.json"
#define ALL_EVENTS	((1u << NR_LOG_EVENTS) - 1)

/* ---- helpers ------------------------------------------------------------ */

struct tmpdir {
	char dir[PATH_MAX];
};

static void tmp_make(struct tmpdir *t)
{
	const char *base = getenv("TMPDIR");

	snprintf(t->dir, sizeof(t->dir), "%s/check_emit.XXXXXX",
		 base && *base ? base : "/tmp");
	ck_assert_msg(mkdtemp(t->dir) != NULL, "mkdtemp %s", t->dir);
}

static const char *tmp_path(const struct tmpdir *t, const char *name,
			    char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", t->dir, name);

	ck_assert_msg(n >= 0 && (size_t)n < len, "path too long: %s", name);
	return buf;
}

static void tmp_remove(struct tmpdir *t)
{
	DIR *d = opendir(t->dir);
	struct dirent *de;
	char p[PATH_MAX + 256];

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", t->dir, de->d_name);
		unlink(p);
	}
	closedir(d);
	ck_assert_int_eq(rmdir(t->dir), 0);
}

static bool path_exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

/* The whole file as a NUL-terminated string (caller frees). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
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

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* Splits text into at most max lines (each without its '\n'), in place. */
static size_t split_lines(char *text, char **lines, size_t max)
{
	size_t n = 0;
	char *p = text;

	while (*p) {
		char *nl = strchr(p, '\n');

		ck_assert_msg(nl != NULL, "last line has no newline: %s", p);
		ck_assert_uint_lt(n, max);
		*nl = '\0';
		lines[n++] = p;
		p = nl + 1;
	}
	return n;
}

static json_t *parse_line(const char *line)
{
	json_error_t jerr;
	json_t *o = json_loads(line, 0, &jerr);

	ck_assert_msg(o != NULL, "not JSON (%s): %s", jerr.text, line);
	ck_assert_msg(json_is_object(o), "not an object: %s", line);
	return o;
}

/* The object's keys in iteration (= insertion = file) order, comma-joined. */
static void expect_keys(json_t *o, const char *keys)
{
	char got[1024] = "";
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		(void)v;
		if (got[0])
			strcat(got, ",");
		strcat(got, k);
	}
	ck_assert_str_eq(got, keys);
}

static void expect_int(json_t *o, const char *key, json_int_t want)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_integer(v), "%s is not an integer", key);
	ck_assert_msg(json_integer_value(v) == want,
		      "%s: got %" JSON_INTEGER_FORMAT ", expected %"
		      JSON_INTEGER_FORMAT, key, json_integer_value(v), want);
}

static void expect_str(json_t *o, const char *key, const char *want)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	ck_assert_str_eq(json_string_value(v), want);
}

static void expect_bool(json_t *o, const char *key, bool want)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_boolean(v), "%s is not a boolean", key);
	ck_assert_int_eq(json_is_true(v), want);
}

static struct emit *open_ok(const char *path, uint32_t mask)
{
	char err[512] = "";
	struct emit *e = emit_open(path, mask, err, sizeof(err));

	ck_assert_msg(e != NULL, "emit_open(%s): %s", path, err);
	return e;
}

static void close_ok(struct emit *e)
{
	char err[512] = "";

	ck_assert_msg(emit_close(e, err, sizeof(err)) == 0, "emit_close: %s",
		      err);
}

static void header_min(struct emit *e)
{
	emit_header(e, NULL, "csv");
}

/* One record of every kind, t increasing; checked by check_every_kind(). */
static void write_every_kind(struct emit *e)
{
	json_t *cfg = json_pack("{s:i, s:{s:b, s:[i,i]}, s:s}", "b", 1, "a",
				"z", 1, "y", 1, 2, "c", "x");
	struct emit_refault ra = {
		.page = { .type = PAGE_ANON, .pid = 42, .index = 0x7f00 },
		.distance = 100, .workingset_size = 500,
		.activate = true, .restore = false,
	};
	struct emit_refault rf = {
		.page = { .type = PAGE_FILE, .dev = 259 << 20 | 2, .ino = 0x1a3f07,
			  .index = 256 },
		.distance = 900, .workingset_size = 500,
		.activate = false, .restore = true,
	};
	struct emit_direct_reclaim_end dre = {
		.pid = 9981, .nr_reclaimed = 34, .nr_scanned = 64,
		.stall_ns = 1839000,
	};
	struct emit_oom oom = {
		.victim_pid = 7, .pages_freed = 1000, .rss_pages = 1200,
		.trigger_pid = 8, .order = 0,
	};
	struct emit_alloc_fail af = {
		.pid = 8, .order = 3, .gfp = GFP_KERNEL | __GFP_NOWARN,
		.migratetype = MIGRATE_RECLAIMABLE,
	};
	struct emit_shrink_inactive si = {
		.nid = 0, .nr_scanned = 32, .nr_reclaimed = 29, .nr_dirty = 3,
		.nr_writeback = 1, .nr_activate_anon = 0, .nr_activate_file = 2,
		.nr_ref_keep = 1, .nr_unmap_fail = 4, .priority = 12,
		.file = true, .kswapd = true,
	};
	struct emit_shrink_active sa = {
		.nid = 0, .nr_taken = 32, .nr_active = 5, .nr_deactivated = 27,
		.nr_referenced = 6, .priority = 10, .file = false,
		.kswapd = false,
	};

	ck_assert_ptr_nonnull(cfg);
	emit_header(e, cfg, "csv");
	json_decref(cfg);
	emit_watermark(e, 100, 0, "Normal", WMARK_LOW, false, 1234, 1235);
	emit_kswapd_wake(e, 200, 0, 2, 3);
	emit_refault(e, 300, &ra);
	emit_refault(e, 300, &rf);
	emit_direct_reclaim_begin(e, 400, 9981, 0,
				  GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
	emit_shrink_inactive(e, 450, &si);
	emit_shrink_active(e, 460, &sa);
	emit_direct_reclaim_end(e, 500, &dre);
	emit_alloc_fail(e, 600, &af);
	emit_oom(e, 700, &oom);
	emit_watermark(e, 800, 0, "DMA32", WMARK_HIGH, true, 9000, 8999);
	emit_kswapd_sleep(e, 900, 0);
}

#define NR_EVERY_KIND 13

static void write_every_kind_file(const char *path)
{
	struct emit *e = open_ok(path, ALL_EVENTS);

	write_every_kind(e);
	close_ok(e);
}

/* ---- every kind, exact values and key order ------------------------------ */

static void check_header(json_t *o)
{
	json_t *cfg = json_object_get(o, "config");

	expect_keys(o, "t,ev,schema_version,mmsim,trace_format,config");
	expect_int(o, "t", 0);
	expect_str(o, "ev", "header");
	expect_int(o, "schema_version", LOG_SCHEMA_VERSION);
	expect_str(o, "mmsim", MMSIM_VERSION);
	expect_str(o, "trace_format", "csv");
	ck_assert(json_is_object(cfg));
	expect_keys(cfg, "a,b,c");	/* JSON_SORT_KEYS */
	expect_int(cfg, "b", 1);
}

static void check_vmscan_records(json_t **r)
{
	expect_keys(r[2], "t,ev,nid,zid,order");
	expect_int(r[2], "zid", 2);
	expect_int(r[2], "order", 3);
	expect_keys(r[5], "t,ev,order,gfp_flags,pid");
	expect_str(r[5], "gfp_flags", "GFP_HIGHUSER_MOVABLE|__GFP_ZERO");
	expect_int(r[5], "pid", 9981);
	expect_keys(r[6], "t,ev,nid,nr_scanned,nr_reclaimed,nr_dirty,"
		    "nr_writeback,nr_congested,nr_immediate,nr_activate_anon,"
		    "nr_activate_file,nr_ref_keep,nr_unmap_fail,priority,flags,"
		    "kswapd");
	expect_int(r[6], "nr_scanned", 32);
	expect_int(r[6], "nr_reclaimed", 29);
	expect_int(r[6], "nr_dirty", 3);
	expect_int(r[6], "nr_writeback", 1);
	expect_int(r[6], "nr_congested", 0);
	expect_int(r[6], "nr_activate_file", 2);
	expect_int(r[6], "nr_ref_keep", 1);
	expect_int(r[6], "nr_unmap_fail", 4);
	expect_int(r[6], "priority", 12);
	expect_str(r[6], "flags", "RECLAIM_WB_FILE|RECLAIM_WB_ASYNC");
	expect_bool(r[6], "kswapd", true);
	expect_keys(r[7], "t,ev,nid,nr_taken,nr_active,nr_deactivated,"
		    "nr_referenced,priority,flags,kswapd");
	expect_int(r[7], "nr_taken", 32);
	expect_int(r[7], "nr_active", 5);
	expect_int(r[7], "nr_deactivated", 27);
	expect_int(r[7], "nr_referenced", 6);
	expect_int(r[7], "priority", 10);
	expect_str(r[7], "flags", "RECLAIM_WB_ANON|RECLAIM_WB_ASYNC");
	expect_bool(r[7], "kswapd", false);
	expect_keys(r[8], "t,ev,nr_reclaimed,nr_scanned,stall_ns,pid");
	expect_int(r[8], "nr_reclaimed", 34);
	expect_int(r[8], "nr_scanned", 64);
	expect_int(r[8], "stall_ns", 1839000);
	expect_keys(r[12], "t,ev,nid");
}

static void check_mmsim_records(json_t **r)
{
	expect_keys(r[1], "t,ev,nid,zone,mark,dir,free,mark_pages");
	expect_str(r[1], "zone", "Normal");
	expect_str(r[1], "mark", "low");
	expect_str(r[1], "dir", "down");
	expect_int(r[1], "free", 1234);
	expect_int(r[1], "mark_pages", 1235);
	expect_str(r[11], "mark", "high");
	expect_str(r[11], "dir", "up");
	expect_keys(r[3], "t,ev,type,pid,index,distance,workingset_size,"
		    "activate,restore");
	expect_str(r[3], "type", "anon");
	expect_int(r[3], "pid", 42);
	expect_int(r[3], "index", 0x7f00);
	expect_int(r[3], "distance", 100);
	expect_int(r[3], "workingset_size", 500);
	expect_bool(r[3], "activate", true);
	expect_bool(r[3], "restore", false);
	expect_keys(r[4], "t,ev,type,dev,ino,index,distance,workingset_size,"
		    "activate,restore");
	expect_int(r[4], "dev", 259 << 20 | 2);
	expect_int(r[4], "ino", 0x1a3f07);
	expect_bool(r[4], "restore", true);
	expect_keys(r[9], "t,ev,pid,order,gfp_flags,migratetype,"
		    "migratetype_name");
	expect_str(r[9], "gfp_flags", "GFP_KERNEL|__GFP_NOWARN");
	expect_int(r[9], "migratetype", 2);
	expect_str(r[9], "migratetype_name", "Reclaimable");
	expect_keys(r[10], "t,ev,victim_pid,pages_freed,rss_pages,trigger_pid,"
		    "order");
	expect_int(r[10], "victim_pid", 7);
	expect_int(r[10], "pages_freed", 1000);
	expect_int(r[10], "rss_pages", 1200);
	expect_int(r[10], "trigger_pid", 8);
}

START_TEST(every_kind_round_trips)
{
	static const char *const evs[NR_EVERY_KIND] = {
		"header", "watermark", "mm_vmscan_kswapd_wake", "refault",
		"refault", "mm_vmscan_direct_reclaim_begin",
		"mm_vmscan_lru_shrink_inactive", "mm_vmscan_lru_shrink_active",
		"mm_vmscan_direct_reclaim_end", "alloc_fail", "oom",
		"watermark", "mm_vmscan_kswapd_sleep",
	};
	static const json_int_t ts[NR_EVERY_KIND] = {
		0, 100, 200, 300, 300, 400, 450, 460, 500, 600, 700, 800, 900,
	};
	struct tmpdir t;
	char path[PATH_MAX + 16], *text, *lines[32];
	json_t *r[NR_EVERY_KIND];
	size_t n;

	tmp_make(&t);
	write_every_kind_file(tmp_path(&t, "log.jsonl", path, sizeof(path)));
	text = slurp(path);
	n = split_lines(text, lines, 32);
	ck_assert_uint_eq(n, NR_EVERY_KIND);
	for (size_t i = 0; i < n; i++) {
		r[i] = parse_line(lines[i]);
		expect_int(r[i], "t", ts[i]);
		expect_str(r[i], "ev", evs[i]);
	}
	check_header(r[0]);
	check_vmscan_records(r);
	check_mmsim_records(r);
	for (size_t i = 0; i < n; i++)
		json_decref(r[i]);
	free(text);
	tmp_remove(&t);
}
END_TEST

START_TEST(lines_are_compact_and_exact)
{
	struct tmpdir t;
	char path[PATH_MAX + 16], *text, *lines[32];
	char want[512];

	tmp_make(&t);
	write_every_kind_file(tmp_path(&t, "log.jsonl", path, sizeof(path)));
	text = slurp(path);
	ck_assert_uint_eq(split_lines(text, lines, 32), NR_EVERY_KIND);
	snprintf(want, sizeof(want),
		 "{\"t\":0,\"ev\":\"header\",\"schema_version\":%d,"
		 "\"mmsim\":\"%s\",\"trace_format\":\"csv\","
		 "\"config\":{\"a\":{\"y\":[1,2],\"z\":true},\"b\":1,\"c\":\"x\"}}",
		 LOG_SCHEMA_VERSION, MMSIM_VERSION);
	ck_assert_str_eq(lines[0], want);
	ck_assert_str_eq(lines[1],
			 "{\"t\":100,\"ev\":\"watermark\",\"nid\":0,"
			 "\"zone\":\"Normal\",\"mark\":\"low\",\"dir\":\"down\","
			 "\"free\":1234,\"mark_pages\":1235}");
	ck_assert_str_eq(lines[2],
			 "{\"t\":200,\"ev\":\"mm_vmscan_kswapd_wake\",\"nid\":0,"
			 "\"zid\":2,\"order\":3}");
	ck_assert_str_eq(lines[3],
			 "{\"t\":300,\"ev\":\"refault\",\"type\":\"anon\","
			 "\"pid\":42,\"index\":32512,\"distance\":100,"
			 "\"workingset_size\":500,\"activate\":true,"
			 "\"restore\":false}");
	ck_assert_str_eq(lines[12],
			 "{\"t\":900,\"ev\":\"mm_vmscan_kswapd_sleep\",\"nid\":0}");
	free(text);
	tmp_remove(&t);
}
END_TEST

/* ---- integers ------------------------------------------------------------ */

START_TEST(integers_format_exactly)
{
	static const uint64_t vals[] = {
		0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65535, 4294967295u,
		4294967296u, 9999999999999999999u, 10000000000000000000u,
		12345678901234567890u, UINT64_MAX,
	};
	struct tmpdir t;
	char path[PATH_MAX + 16], *text, *lines[64], want[256];
	struct emit *e;
	size_t n, nv = sizeof(vals) / sizeof(vals[0]);

	tmp_make(&t);
	e = open_ok(tmp_path(&t, "ints.jsonl", path, sizeof(path)), ALL_EVENTS);
	header_min(e);
	for (size_t i = 0; i < nv; i++) {
		struct emit_direct_reclaim_end d = {
			.pid = UINT32_MAX, .nr_reclaimed = vals[i],
			.nr_scanned = vals[nv - 1 - i], .stall_ns = vals[i],
		};
		emit_direct_reclaim_end(e, vals[i], &d);
	}
	emit_kswapd_wake(e, UINT64_MAX, -1, INT_MIN, UINT_MAX);
	close_ok(e);
	text = slurp(path);
	n = split_lines(text, lines, 64);
	ck_assert_uint_eq(n, nv + 2);
	for (size_t i = 0; i < nv; i++) {
		snprintf(want, sizeof(want),
			 "{\"t\":%" PRIu64 ",\"ev\":\"mm_vmscan_direct_reclaim_end\","
			 "\"nr_reclaimed\":%" PRIu64 ",\"nr_scanned\":%" PRIu64
			 ",\"stall_ns\":%" PRIu64 ",\"pid\":4294967295}",
			 vals[i], vals[i], vals[nv - 1 - i], vals[i]);
		ck_assert_str_eq(lines[i + 1], want);
	}
	ck_assert_str_eq(lines[nv + 1],
			 "{\"t\":18446744073709551615,\"ev\":\"mm_vmscan_kswapd_wake\","
			 "\"nid\":-1,\"zid\":-2147483648,\"order\":4294967295}");
	free(text);
	tmp_remove(&t);
}
END_TEST

/* ---- strings -------------------------------------------------------------- */

struct escape_case {
	const char *in;		/* bytes given to the writer */
	const char *raw;	/* the JSON text expected in the line */
	const char *decoded;	/* what a JSON reader gets back */
};

static const struct escape_case escape_cases[] = {
	{ "", "\"\"", "" },
	{ "Normal", "\"Normal\"", "Normal" },
	{ "q\"b\\s/", "\"q\\\"b\\\\s/\"", "q\"b\\s/" },
	{ "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"", "\b\f\n\r\t" },
	{ "\x01\x0b\x1f\x7f", "\"\\u0001\\u000b\\u001f\x7f\"", "\x01\x0b\x1f\x7f" },
	{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	  "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
	  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
	{ "a\xff" "b", "\"a\\ufffdb\"", "a\xef\xbf\xbd" "b" },
	{ "\xc0\xaf", "\"\\ufffd\\ufffd\"", "\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"",
	  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xe2\x82", "\"\\ufffd\\ufffd\"", "\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"",
	  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"", "\xf4\x8f\xbf\xbf" },
};

#define NR_ESCAPE_CASES (sizeof(escape_cases) / sizeof(escape_cases[0]))

START_TEST(odd_strings_are_escaped)
{
	struct tmpdir t;
	char path[PATH_MAX + 16], *text, *lines[64];
	struct emit *e;

	tmp_make(&t);
	e = open_ok(tmp_path(&t, "esc.jsonl", path, sizeof(path)), ALL_EVENTS);
	emit_header(e, NULL, "tab\there");
	for (size_t i = 0; i < NR_ESCAPE_CASES; i++)
		emit_watermark(e, i, 0, escape_cases[i].in, WMARK_MIN, true, 1,
			       0);
	close_ok(e);
	text = slurp(path);
	ck_assert_uint_eq(split_lines(text, lines, 64), NR_ESCAPE_CASES + 1);
	ck_assert_ptr_nonnull(strstr(lines[0], "\"trace_format\":\"tab\\there\""));
	for (size_t i = 0; i < NR_ESCAPE_CASES; i++) {
		const char *start = strstr(lines[i + 1], "\"zone\":");
		const char *end = strstr(lines[i + 1], ",\"mark\":");
		json_t *o = parse_line(lines[i + 1]);

		ck_assert(start && end);
		start += strlen("\"zone\":");
		ck_assert_msg((size_t)(end - start) == strlen(escape_cases[i].raw)
			      && !memcmp(start, escape_cases[i].raw,
					 (size_t)(end - start)),
			      "case %zu: got %.*s, expected %s", i,
			      (int)(end - start), start, escape_cases[i].raw);
		expect_str(o, "zone", escape_cases[i].decoded);
		json_decref(o);
	}
	free(text);
	tmp_remove(&t);
}
END_TEST

START_TEST(long_header_grows_the_line)
{
	struct tmpdir t;
	char path[PATH_MAX + 16], *text, *lines[4], *big;
	json_t *cfg, *o;
	struct emit *e;

	big = malloc(20001);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', 20000);
	big[20000] = '\0';
	cfg = json_pack("{s:s}", "big", big);
	tmp_make(&t);
	e = open_ok(tmp_path(&t, "big.jsonl", path, sizeof(path)), ALL_EVENTS);
	emit_header(e, cfg, "perf");
	emit_kswapd_sleep(e, 1, 0);
	close_ok(e);
	text = slurp(path);
	ck_assert_uint_eq(split_lines(text, lines, 4), 2);
	o = parse_line(lines[0]);
	expect_str(json_object_get(o, "config"), "big", big);
	ck_assert_str_eq(lines[1],
			 "{\"t\":1,\"ev\":\"mm_vmscan_kswapd_sleep\",\"nid\":0}");
	json_decref(o);
	json_decref(cfg);
	free(big);
	free(text);
	tmp_remove(&t);
}
END_TEST

START_TEST(gfp_flags_use_gfp_format)
{
	struct tmpdir t;
	char path[PATH_MAX + 16], *text, *lines[8], want[1024];
	gfp_t all = (1u << 20) - 1;
	struct emit *e;
	json_t *o;

	tmp_make(&t);
	e = open_ok(tmp_path(&t, "gfp.jsonl", path, sizeof(path)), ALL_EVENTS);
	header_min(e);
	emit_direct_reclaim_begin(e, 1, 1, 0, all);
	emit_direct_reclaim_begin(e, 2, 1, 0, 0);
	close_ok(e);
	text = slurp(path);
	ck_assert_uint_eq(split_lines(text, lines, 8), 3);
	ck_assert_uint_lt(gfp_format(all, want, sizeof(want)), sizeof(want));
	o = parse_line(lines[1]);
	expect_str(o, "gfp_flags", want);
	ck_assert_ptr_nonnull(strstr(want, "GFP_TRANSHUGE"));
	json_decref(o);
	gfp_format(0, want, sizeof(want));
	o = parse_line(lines[2]);
	expect_str(o, "gfp_flags", want);
	json_decref(o);
	free(text);
	tmp_remove(&t);
}
END_TEST

/* ---- mask and NULL -------------------------------------------------------- */

START_TEST(mask_filters_kinds)
{
	uint32_t mask = 1u << LOG_EV_KSWAPD | 1u << LOG_EV_OOM;
	struct tmpdir t;
	char path[PATH_MAX + 16], *text, *lines[32];
	struct emit *e;

	tmp_make(&t);
	e = open_ok(tmp_path(&t, "mask.jsonl", path, sizeof(path)),
		    mask | 0xff000000u);	/* bits above the kinds are ignored */
	for (int k = 0; k < NR_LOG_EVENTS; k++)
		ck_assert_int_eq(emit_enabled(e, (enum log_event)k),
				 (mask >> k) & 1);
	write_every_kind(e);
	close_ok(e);
	text = slurp(path);
	ck_assert_uint_eq(split_lines(text, lines, 32), 4);
	ck_assert_ptr_nonnull(strstr(lines[0], "\"ev\":\"header\""));
	ck_assert_ptr_nonnull(strstr(lines[1], "\"ev\":\"mm_vmscan_kswapd_wake\""));
	ck_assert_ptr_nonnull(strstr(lines[2], "\"ev\":\"oom\""));
	ck_assert_ptr_nonnull(strstr(lines[3], "\"ev\":\"mm_vmscan_kswapd_sleep\""));
	free(text);
	tmp_remove(&t);
}
END_TEST

START_TEST(empty_mask_still_writes_header)
{
	struct tmpdir t;
	char path[PATH_MAX + 16], *text, *lines[32];
	struct emit *e;

	tmp_make(&t);
	e = open_ok(tmp_path(&t, "none.jsonl", path, sizeof(path)), 0);
	write_every_kind(e);
	close_ok(e);
	text = slurp(path);
	ck_assert_uint_eq(split_lines(text, lines, 32), 1);
	ck_assert_ptr_nonnull(strstr(lines[0], "\"ev\":\"header\""));
	free(text);
	tmp_remove(&t);
}
END_TEST

START_TEST(null_emit_is_a_noop)
{
	char err[64] = "untouched";

	for (int k = 0; k < NR_LOG_EVENTS; k++)
		ck_assert(!emit_enabled(NULL, (enum log_event)k));
	write_every_kind(NULL);
	ck_assert_int_eq(emit_close(NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "untouched");
	emit_abort(NULL);
}
END_TEST

/* ---- files: .part, rename, abort, errors ----------------------------------- */

START_TEST(part_file_is_renamed_on_close)
{
	struct tmpdir t;
	char path[PATH_MAX + 16], part[PATH_MAX + 16], *text;
	struct emit *e;

	tmp_make(&t);
	tmp_path(&t, "run.jsonl", path, sizeof(path));
	tmp_path(&t, "run.jsonl.part", part, sizeof(part));
	spit(path, "old log\n");
	e = open_ok(path, ALL_EVENTS);
	ck_assert(path_exists(part));
	write_every_kind(e);
	text = slurp(path);
	ck_assert_str_eq(text, "old log\n");	/* untouched until close */
	free(text);
	close_ok(e);
	ck_assert(!path_exists(part));
	text = slurp(path);
	ck_assert_int_eq(strncmp(text, "{\"t\":0,\"ev\":\"header\"", 20), 0);
	free(text);
	tmp_remove(&t);
}
END_TEST

START_TEST(abort_removes_part_file)
{
	struct tmpdir t;
	char path[PATH_MAX + 16], part[PATH_MAX + 16], other[PATH_MAX + 16];
	char *text;
	struct emit *e;

	tmp_make(&t);
	tmp_path(&t, "a.jsonl", path, sizeof(path));
	tmp_path(&t, "a.jsonl.part", part, sizeof(part));
	e = open_ok(path, ALL_EVENTS);
	write_every_kind(e);
	emit_abort(e);
	ck_assert(!path_exists(part));
	ck_assert(!path_exists(path));
	/* An earlier complete log under the final name survives an abort. */
	tmp_path(&t, "b.jsonl", other, sizeof(other));
	spit(other, "previous\n");
	e = open_ok(other, ALL_EVENTS);
	header_min(e);
	emit_abort(e);
	text = slurp(other);
	ck_assert_str_eq(text, "previous\n");
	free(text);
	tmp_remove(&t);
}
END_TEST

START_TEST(open_error_names_part_file)
{
	struct tmpdir t;
	char path[PATH_MAX + 16], want[PATH_MAX + 128], err[PATH_MAX + 128];

	tmp_make(&t);
	tmp_path(&t, "no/such/dir/log.jsonl", path, sizeof(path));
	ck_assert_ptr_null(emit_open(path, ALL_EVENTS, err, sizeof(err)));
	snprintf(want, sizeof(want), "cannot create %s.part: %s", path,
		 strerror(ENOENT));
	ck_assert_str_eq(err, want);
	tmp_remove(&t);
}
END_TEST

START_TEST(write_error_is_reported_by_close)
{
	struct tmpdir t;
	char path[PATH_MAX + 16], part[PATH_MAX + 16];
	char err[PATH_MAX + 128] = "", want[PATH_MAX + 128];
	struct emit *e;

	if (access("/dev/full", W_OK) != 0) {
		printf("check_emit: /dev/full not writable, write-error test skipped\n");
		return;
	}
	tmp_make(&t);
	tmp_path(&t, "full.jsonl", path, sizeof(path));
	tmp_path(&t, "full.jsonl.part", part, sizeof(part));
	/* FILE.part opened through a symlink writes to a full disk. */
	ck_assert_int_eq(symlink("/dev/full", part), 0);
	e = open_ok(path, ALL_EVENTS);
	write_every_kind(e);
	ck_assert_int_eq(emit_close(e, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "cannot write %s: %s (incomplete log removed)",
		 part, strerror(ENOSPC));
	ck_assert_str_eq(err, want);
	ck_assert(!path_exists(path));
	ck_assert(!path_exists(part));
	ck_assert(path_exists("/dev/full"));
	tmp_remove(&t);
}
END_TEST

/* Runs fn with fd 1 pointing at target; restores fd 1 afterwards. */
static int with_stdout(const char *target, int flags,
		       int (*fn)(char *err, size_t len), char *err, size_t len)
{
	int saved, fd, rc;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	fd = open(target, flags, 0644);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(dup2(fd, STDOUT_FILENO), 0);
	close(fd);
	rc = fn(err, len);
	fflush(stdout);
	ck_assert_int_ge(dup2(saved, STDOUT_FILENO), 0);
	close(saved);
	return rc;
}

static int write_log_to_stdout(char *err, size_t len)
{
	struct emit *e = emit_open("-", ALL_EVENTS, err, len);

	if (!e)
		return -2;
	write_every_kind(e);
	return emit_close(e, err, len);
}

START_TEST(stdout_log)
{
	struct tmpdir t;
	char path[PATH_MAX + 16], ref[PATH_MAX + 16], err[256] = "";
	char *got, *want;

	tmp_make(&t);
	tmp_path(&t, "stdout.jsonl", path, sizeof(path));
	ck_assert_int_eq(with_stdout(path, O_WRONLY | O_CREAT | O_TRUNC,
				     write_log_to_stdout, err, sizeof(err)), 0);
	write_every_kind_file(tmp_path(&t, "ref.jsonl", ref, sizeof(ref)));
	got = slurp(path);
	want = slurp(ref);
	ck_assert_str_eq(got, want);
	ck_assert(!path_exists("-"));
	ck_assert(!path_exists("-.part"));
	free(got);
	free(want);
	tmp_remove(&t);
}
END_TEST

START_TEST(stdout_write_error)
{
	char err[256] = "", want[256];

	if (access("/dev/full", W_OK) != 0) {
		printf("check_emit: /dev/full not writable, write-error test skipped\n");
		return;
	}
	ck_assert_int_eq(with_stdout("/dev/full", O_WRONLY, write_log_to_stdout,
				     err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "cannot write the log to stdout: %s",
		 strerror(ENOSPC));
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(same_input_same_bytes)
{
	struct tmpdir t;
	char a[PATH_MAX + 16], b[PATH_MAX + 16], *ta, *tb;

	tmp_make(&t);
	write_every_kind_file(tmp_path(&t, "a.jsonl", a, sizeof(a)));
	write_every_kind_file(tmp_path(&t, "b.jsonl", b, sizeof(b)));
	ta = slurp(a);
	tb = slurp(b);
	ck_assert_str_eq(ta, tb);
	ck_assert_ptr_null(strstr(ta, t.dir));	/* no paths in the log */
	free(ta);
	free(tb);
	tmp_remove(&t);
}
END_TEST

/* ---- broken invariants abort (fork mode only) ------------------------------ */

/*
 * The log goes to stdout: abort() leaves no file behind and flushes nothing.
 * stderr is silenced in the (forked, dying) child: the BUG line is expected.
 */
START_TEST(record_before_header_aborts)
{
	struct emit *e = open_ok("-", ALL_EVENTS);

	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));
	emit_kswapd_sleep(e, 1, 0);
	emit_abort(e);
}
END_TEST

START_TEST(decreasing_t_aborts)
{
	struct emit *e = open_ok("-", ALL_EVENTS);

	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));
	header_min(e);
	emit_kswapd_sleep(e, 10, 0);
	emit_kswapd_sleep(e, 9, 0);
	emit_abort(e);
}
END_TEST

/* ---- tests/validate_log.py ------------------------------------------------- */

static bool have_validator(void)
{
	if (access(PYTHON, X_OK) != 0) {
		printf("check_emit: %s not found, validate_log.py checks skipped\n",
		       PYTHON);
		return false;
	}
	ck_assert_msg(access(VALIDATOR, R_OK) == 0 && access(SCHEMA, R_OK) == 0,
		      "%s or %s not found: run from the repository root",
		      VALIDATOR, SCHEMA);
	return true;
}

/* Runs the validator on log; returns its exit status, output in out. */
static int run_validator(const char *log, const char *out)
{
	char cmd[3 * PATH_MAX];
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s '%s' --schema %s >'%s' 2>&1", PYTHON,
		 VALIDATOR, log, SCHEMA, out);
	st = system(cmd);
	ck_assert_msg(st != -1 && WIFEXITED(st), "cannot run: %s", cmd);
	return WEXITSTATUS(st);
}

START_TEST(validator_accepts_every_kind)
{
	struct tmpdir t;
	char path[PATH_MAX + 16], out[PATH_MAX + 16], *text;

	if (!have_validator())
		return;
	tmp_make(&t);
	write_every_kind_file(tmp_path(&t, "log.jsonl", path, sizeof(path)));
	tmp_path(&t, "out.txt", out, sizeof(out));
	ck_assert_int_eq(run_validator(path, out), 0);
	text = slurp(out);
	ck_assert_str_eq(text, "validate_log: 13 records, 11 kinds OK\n");
	free(text);
	tmp_remove(&t);
}
END_TEST

struct bad_log {
	const char *text;
	const char *msg;	/* expected in the validator's output */
};

#define HDR "{\"t\":0,\"ev\":\"header\",\"schema_version\":1,\"mmsim\":\"0.1\"," \
	    "\"trace_format\":\"csv\",\"config\":{}}\n"
#define SLEEP(t) "{\"t\":" #t ",\"ev\":\"mm_vmscan_kswapd_sleep\",\"nid\":0}\n"

static const struct bad_log bad_logs[] = {
	{ "", "empty log" },
	{ SLEEP(0), ":1: first record: got ev \"mm_vmscan_kswapd_sleep\"" },
	{ HDR HDR, ":2: a second header record" },
	{ HDR SLEEP(5) SLEEP(4), ":3: t decreased: got 4 after 5" },
	{ HDR "{\"t\":1,\"ev\":\"nope\"}\n", ":2: unknown ev \"nope\"" },
	{ HDR "{\"t\":1,\"ev\":\"mm_vmscan_kswapd_sleep\",\"nid\":0,\"x\":1}\n",
	  ":2: ev mm_vmscan_kswapd_sleep: unknown field 'x'" },
	{ HDR "{\"t\":1,\"ev\":\"mm_vmscan_kswapd_sleep\",\"nid\":\"0\"}\n",
	  ":2: ev mm_vmscan_kswapd_sleep: field 'nid': got string \"0\", expected integer" },
	{ HDR "{\"t\":1,\"ev\":\"mm_vmscan_kswapd_wake\",\"nid\":0,\"order\":0}\n",
	  ":2: ev mm_vmscan_kswapd_wake: missing required field 'zid'" },
	{ HDR "{\"ev\":\"mm_vmscan_kswapd_sleep\",\"t\":1,\"nid\":0}\n",
	  ":2: ev mm_vmscan_kswapd_sleep: keys out of order" },
	{ HDR "{\"t\":1,\"ev\":\"watermark\",\"nid\":0,\"zone\":\"Normal\","
	  "\"mark\":\"lo\",\"dir\":\"up\",\"free\":1,\"mark_pages\":0}\n",
	  ":2: ev watermark: field 'mark': got \"lo\", expected one of" },
	{ HDR "{\"t\":1,\"ev\":\"refault\",\"type\":\"file\",\"pid\":3,"
	  "\"index\":0,\"distance\":0,\"workingset_size\":0,\"activate\":true,"
	  "\"restore\":false}\n",
	  ":2: ev refault: field 'pid': present, expected only when type is \"anon\"" },
	{ HDR "[1]\n", ":2: got array, expected a JSON object" },
	{ HDR "{\"t\":1,\"ev\":\"mm_vmscan_kswapd_sleep\",\"nid\":0}", ":2: record not terminated" },
	{ HDR "{\"t\":1,\"t\":1,\"ev\":\"mm_vmscan_kswapd_sleep\",\"nid\":0}\n",
	  ":2: duplicate key 't'" },
	{ "{\"t\":3,\"ev\":\"header\",\"schema_version\":1,\"mmsim\":\"0.1\","
	  "\"trace_format\":\"csv\",\"config\":{}}\n", ":1: header: got t 3, expected 0" },
	{ HDR "{\"t\":-1,\"ev\":\"mm_vmscan_kswapd_sleep\",\"nid\":0}\n",
	  ":2: field 't': got -1, expected >= 0" },
};

START_TEST(validator_rejects_broken_logs)
{
	struct tmpdir t;
	char path[PATH_MAX + 16], out[PATH_MAX + 16], *text;

	if (!have_validator())
		return;
	tmp_make(&t);
	tmp_path(&t, "bad.jsonl", path, sizeof(path));
	tmp_path(&t, "out.txt", out, sizeof(out));
	for (size_t i = 0; i < sizeof(bad_logs) / sizeof(bad_logs[0]); i++) {
		spit(path, bad_logs[i].text);
		ck_assert_msg(run_validator(path, out) == 1,
			      "case %zu accepted", i);
		text = slurp(out);
		ck_assert_msg(strstr(text, bad_logs[i].msg) != NULL,
			      "case %zu: got %s, expected %s", i, text,
			      bad_logs[i].msg);
		free(text);
	}
	tmp_remove(&t);
}
END_TEST

static Suite *emit_suite(bool fork_mode)
{
	Suite *s = suite_create("emit");
	TCase *tc = tcase_create("records");
	TCase *files = tcase_create("files");
	TCase *val = tcase_create("validate_log");

	tcase_add_test(tc, every_kind_round_trips);
	tcase_add_test(tc, lines_are_compact_and_exact);
	tcase_add_test(tc, integers_format_exactly);
	tcase_add_test(tc, odd_strings_are_escaped);
	tcase_add_test(tc, long_header_grows_the_line);
	tcase_add_test(tc, gfp_flags_use_gfp_format);
	tcase_add_test(tc, mask_filters_kinds);
	tcase_add_test(tc, empty_mask_still_writes_header);
	tcase_add_test(tc, null_emit_is_a_noop);
	tcase_add_test(tc, same_input_same_bytes);
	if (fork_mode) {	/* abort() would end a CK_FORK=no run */
		tcase_add_test_raise_signal(tc, record_before_header_aborts,
					    SIGABRT);
		tcase_add_test_raise_signal(tc, decreasing_t_aborts, SIGABRT);
	}
	tcase_add_test(files, part_file_is_renamed_on_close);
	tcase_add_test(files, abort_removes_part_file);
	tcase_add_test(files, open_error_names_part_file);
	tcase_add_test(files, write_error_is_reported_by_close);
	tcase_add_test(files, stdout_log);
	tcase_add_test(files, stdout_write_error);
	tcase_set_timeout(val, 60);
	tcase_add_test(val, validator_accepts_every_kind);
	tcase_add_test(val, validator_rejects_broken_logs);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, files);
	suite_add_tcase(s, val);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

	srunner_add_suite(sr, emit_suite(srunner_fork_status(sr) != CK_NOFORK));
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
