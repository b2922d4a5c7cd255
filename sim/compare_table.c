/*
 * compare_table.c - the figures of several summaries side by side.
 *
 * mmtests' compare-kernels prints one row per figure and one column per
 * kernel, each value followed by its change against the first column in
 * percent. This file does the same for replay summaries (the objects
 * `mmsim run --summary` writes): rows are the figures kernel developers
 * look at when they compare reclaim and compaction policies, grouped in
 * sections, with /proc/vmstat names where the figure is a counter:
 *
 *   config            reclaim.policy, memory.pages, reclaim.swappiness,
 *                     compaction.policy, whether the replay completed
 *   faults, refaults  pgfault, pgmajfault, workingset_refault_{anon,file},
 *                     workingset_activate_{anon,file}
 *   reclaim           pgscan/pgsteal by kswapd and direct, reclaim
 *                     efficiency pgsteal/pgscan in % (kswapd, direct, both),
 *                     pswpout, kswapd_wake, allocstall (all zones), oom_kill,
 *                     alloc_fail
 *   stalls            simulated ms of direct reclaim, major faults,
 *                     compaction, and their sum
 *   crossings         watermark crossings downwards, per zone and mark
 *   compaction        compact_stall/success/fail, success rate
 *                     success/(success+fail) in %, compact_daemon_wake,
 *                     scanned pages, pgmigrate_success/fail
 *                     and compaction runs by trigger (compaction.runs)
 *   high-order        allocation failures of order >= 1 and of order 9,
 *                     successes of order >= 1 (the per-order counts of
 *                     "allocations", or of "alloc_orders" in summaries
 *                     without it), thp_fault_alloc, thp_fault_fallback
 *   fragmentation     per zone at order 9 (the huge-page order): the
 *                     unusable free space index and the fragmentation score,
 *                     time-weighted mean and final value, from the entry of
 *                     the summary's "frag" array for that zone
 *   vmstat (--all)    every counter of any summary's vmstat object
 *
 * Forward compatible by construction: every figure is looked up by its JSON
 * path, a summary without it shows "-", and a row that no summary has is
 * left out, so figures of modules not yet built (compaction, the frag
 * means) appear by themselves once summaries carry them. A derived ratio is
 * "-" when its denominator is 0 (no scans, no compaction attempts).
 *
 * The change is (value - base) / base in percent, base being the first
 * config that has a summary; "n/a" when the base is 0 and the value is not.
 * No figure is judged better or worse: fewer scans can be good or bad.
 * Output is a pure function of the document: the same input gives the same
 * bytes.
 */
#include "compare_table.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bug.h"
#include "xalloc.h"

#define HUGE_ORDER 9		/* HPAGE_PMD_ORDER on x86-64 */
#define LABEL_MAX 96
#define CELL_MAX 64

enum fig_kind {
	FIG_COUNT,		/* an integer counter */
	FIG_PCT,		/* a ratio in percent */
	FIG_MS,			/* simulated milliseconds */
	FIG_INDEX,		/* an index 0..1 (or score 0..100), 3 decimals */
	FIG_TEXT,		/* a string, no change */
};

struct cell {
	bool have;
	double v;
	char text[CELL_MAX];	/* FIG_TEXT */
};

struct row {
	const char *section;	/* non-NULL: a section heading, no cells */
	char label[LABEL_MAX];
	const char *unit;
	enum fig_kind kind;
	bool no_change;		/* a setting, not a result: no percent */
	struct cell *cells;	/* one per column */
};

struct table {
	size_t nr_cols;
	const char **names;	/* column names */
	const json_t **sums;	/* column summaries */
	struct row *rows;
	size_t nr_rows, cap;
};

int compare_format_parse(const char *name, enum compare_format *out)
{
	static const struct { const char *name; enum compare_format f; } fmts[] = {
		{ "text", COMPARE_TEXT }, { "markdown", COMPARE_MARKDOWN },
		{ "md", COMPARE_MARKDOWN }, { "csv", COMPARE_CSV },
		{ "json", COMPARE_JSON },
	};

	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++)
		if (!strcmp(name, fmts[i].name)) {
			*out = fmts[i].f;
			return 0;
		}
	return -1;
}

/* ---- the document ------------------------------------------------------ */

int compare_doc_check(const json_t *doc, char *err, size_t errlen)
{
	const json_t *configs = json_object_get(doc, "configs");
	const json_t *c;
	size_t i;

	if (!json_is_array(configs)) {
		snprintf(err, errlen, "configs: got %s, expected an array of "
			 "{\"name\", \"summary\"} objects",
			 json_is_object(doc) ? "nothing" : "a non-object");
		return -1;
	}
	json_array_foreach(configs, i, c) {
		const json_t *sum = json_object_get(c, "summary");
		const json_t *e = json_object_get(c, "error");

		if (!json_is_string(json_object_get(c, "name"))) {
			snprintf(err, errlen, "configs[%zu].name: expected a "
				 "string", i);
			return -1;
		}
		if (!json_is_object(sum) && !json_is_string(e)) {
			snprintf(err, errlen, "configs[%zu]: expected a "
				 "\"summary\" object or an \"error\" string", i);
			return -1;
		}
	}
	return 0;
}

/* ---- looking figures up ------------------------------------------------ */

/* Walks a dotted path; a segment of digits indexes an array. */
static const json_t *jpath(const json_t *o, const char *path)
{
	char seg[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(seg))
			return NULL;
		memcpy(seg, path, n);
		seg[n] = '\0';
		if (json_is_array(o) && seg[0] >= '0' && seg[0] <= '9')
			o = json_array_get(o, (size_t)strtoul(seg, NULL, 10));
		else
			o = json_object_get(o, seg);
		path += n + (path[n] == '.');
	}
	return o;
}

static bool jnum(const json_t *o, const char *path, double *v)
{
	const json_t *x = jpath(o, path);

	if (!json_is_number(x))
		return false;
	*v = json_number_value(x);
	return true;
}

/* The zone object of summary s named zone, or NULL. */
static const json_t *zone_of(const json_t *s, const char *zone)
{
	const json_t *z;
	size_t i;

	json_array_foreach(json_object_get(s, "zones"), i, z) {
		const char *name = json_string_value(json_object_get(z, "zone"));

		if (name && !strcmp(name, zone))
			return z;
	}
	return NULL;
}

/* The entry of the summary's "frag" array for zone, or NULL. */
static const json_t *frag_of(const json_t *s, const char *zone)
{
	const json_t *f;
	size_t i;

	json_array_foreach(json_object_get(s, "frag"), i, f) {
		const char *name = json_string_value(json_object_get(f, "zone"));

		if (name && !strcmp(name, zone))
			return f;
	}
	return NULL;
}

/* ---- building rows ----------------------------------------------------- */

static struct row *table_add(struct table *t, const char *label,
			     const char *unit, enum fig_kind kind)
{
	struct row *r;

	if (t->nr_rows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->rows = xrealloc(t->rows, t->cap * sizeof(*t->rows));
	}
	r = &t->rows[t->nr_rows++];
	memset(r, 0, sizeof(*r));
	snprintf(r->label, sizeof(r->label), "%s", label);
	r->unit = unit;
	r->kind = kind;
	r->cells = xcalloc(t->nr_cols, sizeof(*r->cells));
	return r;
}

static void table_section(struct table *t, const char *title)
{
	struct row *r = table_add(t, "", "", FIG_TEXT);

	r->section = title;
}

/* A row of the number at path in each summary. */
static struct row *add_path(struct table *t, const char *label,
			    const char *unit, enum fig_kind kind,
			    const char *path)
{
	struct row *r = table_add(t, label, unit, kind);

	for (size_t c = 0; c < t->nr_cols; c++)
		r->cells[c].have = jnum(t->sums[c], path, &r->cells[c].v);
	return r;
}

/* A row named after the vmstat counter. */
static void add_vmstat(struct table *t, const char *name, const char *unit)
{
	char path[96];

	snprintf(path, sizeof(path), "vmstat.%s", name);
	add_path(t, name, unit, FIG_COUNT, path);
}

/* A row of 100 * num / den; "-" when den is 0 or either is missing. */
static void add_ratio(struct table *t, const char *label, const char *num,
		      const char *den_a, const char *den_b)
{
	struct row *r = table_add(t, label, "%", FIG_PCT);

	for (size_t c = 0; c < t->nr_cols; c++) {
		double n, a, b = 0;

		if (!jnum(t->sums[c], num, &n) || !jnum(t->sums[c], den_a, &a) ||
		    (den_b && !jnum(t->sums[c], den_b, &b)) || a + b <= 0)
			continue;
		r->cells[c].have = true;
		r->cells[c].v = 100.0 * n / (a + b);
	}
}

/* A row of a string at path (config values). */
static void add_text(struct table *t, const char *label, const char *path)
{
	struct row *r = table_add(t, label, "", FIG_TEXT);

	for (size_t c = 0; c < t->nr_cols; c++) {
		const json_t *x = jpath(t->sums[c], path);

		if (!json_is_string(x))
			continue;
		r->cells[c].have = true;
		snprintf(r->cells[c].text, CELL_MAX, "%s", json_string_value(x));
	}
}

static void build_config(struct table *t)
{
	struct row *r;

	table_section(t, "config");
	add_text(t, "reclaim.policy", "config.reclaim.policy");
	add_path(t, "reclaim.swappiness", "", FIG_COUNT,
		 "config.reclaim.swappiness")->no_change = true;
	add_path(t, "memory.pages", "pages", FIG_COUNT,
		 "config.memory.pages")->no_change = true;
	add_text(t, "compaction.policy", "config.compaction.policy");
	add_path(t, "trace rows replayed", "rows", FIG_COUNT,
		 "trace.rows")->no_change = true;
	r = table_add(t, "complete", "", FIG_TEXT);
	for (size_t c = 0; c < t->nr_cols; c++) {
		const json_t *x = json_object_get(t->sums[c], "complete");

		if (!json_is_boolean(x))
			continue;
		r->cells[c].have = true;
		snprintf(r->cells[c].text, CELL_MAX, "%s",
			 json_is_true(x) ? "yes" : "NO");
	}
}

static void build_faults(struct table *t)
{
	static const char *const names[] = {
		"pgfault", "pgmajfault", "workingset_refault_anon",
		"workingset_refault_file", "workingset_activate_anon",
		"workingset_activate_file",
	};

	table_section(t, "faults and refaults");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		add_vmstat(t, names[i], i < 2 ? "" : "pages");
}

/* Σ vmstat.allocstall_<zone>: direct reclaim entries of every zone. */
static void add_allocstall(struct table *t)
{
	struct row *r = table_add(t, "allocstall (all zones)", "", FIG_COUNT);

	for (size_t c = 0; c < t->nr_cols; c++) {
		const json_t *v = json_object_get(t->sums[c], "vmstat");
		const char *key;
		const json_t *x;

		json_object_foreach((json_t *)v, key, x) {
			if (strncmp(key, "allocstall_", 11) || !json_is_number(x))
				continue;
			r->cells[c].have = true;
			r->cells[c].v += json_number_value(x);
		}
	}
}

/* Reclaim efficiency of kswapd and direct reclaim together. */
static void add_total_efficiency(struct table *t)
{
	struct row *r = table_add(t, "efficiency total (steal/scan)", "%",
				  FIG_PCT);

	for (size_t c = 0; c < t->nr_cols; c++) {
		double sk, sd, ck, cd;
		const json_t *s = t->sums[c];

		if (!jnum(s, "vmstat.pgsteal_kswapd", &sk) ||
		    !jnum(s, "vmstat.pgsteal_direct", &sd) ||
		    !jnum(s, "vmstat.pgscan_kswapd", &ck) ||
		    !jnum(s, "vmstat.pgscan_direct", &cd) || ck + cd <= 0)
			continue;
		r->cells[c].have = true;
		r->cells[c].v = 100.0 * (sk + sd) / (ck + cd);
	}
}

static void build_reclaim(struct table *t)
{
	static const char *const pages[] = {
		"pgscan_kswapd", "pgsteal_kswapd", "pgscan_direct",
		"pgsteal_direct",
	};

	table_section(t, "reclaim");
	for (size_t i = 0; i < ARRAY_SIZE(pages); i++)
		add_vmstat(t, pages[i], "pages");
	add_ratio(t, "efficiency kswapd (steal/scan)", "vmstat.pgsteal_kswapd",
		  "vmstat.pgscan_kswapd", NULL);
	add_ratio(t, "efficiency direct (steal/scan)", "vmstat.pgsteal_direct",
		  "vmstat.pgscan_direct", NULL);
	add_total_efficiency(t);
	add_vmstat(t, "pswpout", "pages");
	add_vmstat(t, "kswapd_wake", "");
	add_allocstall(t);
	add_vmstat(t, "oom_kill", "");
	add_vmstat(t, "alloc_fail", "");
}

static void add_ms(struct table *t, const char *label, const char *path)
{
	struct row *r = table_add(t, label, "ms", FIG_MS);

	for (size_t c = 0; c < t->nr_cols; c++) {
		r->cells[c].have = jnum(t->sums[c], path, &r->cells[c].v);
		r->cells[c].v /= 1e6;
	}
}

static void build_stalls(struct table *t)
{
	table_section(t, "stalls (simulated time)");
	add_ms(t, "direct reclaim", "stalls.direct_reclaim_ns");
	add_ms(t, "major faults", "stalls.major_fault_ns");
	add_ms(t, "compaction", "stalls.compact_ns");
	add_ms(t, "total", "stalls.total_ns");
}

/*
 * Zone names in order of first appearance over all summaries, so configs
 * with different zone layouts still line up by name.
 */
static size_t zone_names(const struct table *t, const char **out, size_t max)
{
	size_t n = 0;

	for (size_t c = 0; c < t->nr_cols; c++) {
		const json_t *z;
		size_t i, j;

		json_array_foreach(json_object_get(t->sums[c], "zones"), i, z) {
			const char *name = json_string_value(
				json_object_get(z, "zone"));

			for (j = 0; name && j < n && strcmp(out[j], name); j++)
				;
			if (name && j == n && n < max)
				out[n++] = name;
		}
	}
	return n;
}

static void build_crossings(struct table *t)
{
	static const char *const marks[] = { "min", "low", "high" };
	const char *zones[16];
	size_t nz = zone_names(t, zones, ARRAY_SIZE(zones));

	table_section(t, "watermark crossings (down)");
	for (size_t z = 0; z < nz; z++)
		for (size_t m = 0; m < ARRAY_SIZE(marks); m++) {
			char label[LABEL_MAX], path[64];
			struct row *r;

			snprintf(label, sizeof(label), "%s %s", zones[z], marks[m]);
			snprintf(path, sizeof(path), "watermark_crossings.%s.down",
				 marks[m]);
			r = table_add(t, label, "", FIG_COUNT);
			for (size_t c = 0; c < t->nr_cols; c++)
				r->cells[c].have = jnum(zone_of(t->sums[c],
					zones[z]), path, &r->cells[c].v);
		}
}

static void build_compaction(struct table *t)
{
	static const struct { const char *name, *unit; } counters[] = {
		{ "compact_daemon_wake", "" },
		{ "compact_migrate_scanned", "pages" },
		{ "compact_free_scanned", "pages" },
		{ "pgmigrate_success", "pages" },
		{ "pgmigrate_fail", "pages" },
	};

	table_section(t, "compaction");
	add_vmstat(t, "compact_stall", "");
	add_vmstat(t, "compact_success", "");
	add_vmstat(t, "compact_fail", "");
	add_ratio(t, "success rate (success/(success+fail))",
		  "vmstat.compact_success", "vmstat.compact_success",
		  "vmstat.compact_fail");
	for (size_t i = 0; i < ARRAY_SIZE(counters); i++)
		add_vmstat(t, counters[i].name, counters[i].unit);
	add_path(t, "runs: direct", "", FIG_COUNT, "compaction.runs.direct");
	add_path(t, "runs: kcompactd", "", FIG_COUNT, "compaction.runs.kcompactd");
	add_path(t, "runs: proactive", "", FIG_COUNT, "compaction.runs.proactive");
	add_path(t, "runs: manual", "", FIG_COUNT, "compaction.runs.manual");
}

/* Σ allocations.<which>[from..to] (alloc_orders in older summaries). */
static void add_orders(struct table *t, const char *label, const char *which,
		       size_t from, size_t to)
{
	struct row *r = table_add(t, label, "", FIG_COUNT);

	for (size_t c = 0; c < t->nr_cols; c++) {
		const json_t *a = json_object_get(t->sums[c], "allocations");

		if (!a)
			a = json_object_get(t->sums[c], "alloc_orders");

		a = json_object_get(a, which);
		if (!json_is_array(a) || json_array_size(a) <= from)
			continue;
		r->cells[c].have = true;
		for (size_t o = from; o <= to && o < json_array_size(a); o++)
			r->cells[c].v += json_number_value(json_array_get(a, o));
	}
}

static void build_high_order(struct table *t)
{
	table_section(t, "high-order allocations");
	add_orders(t, "failed (order >= 1)", "fail", 1, SIZE_MAX - 1);
	add_orders(t, "failed (order 9)", "fail", HUGE_ORDER, HUGE_ORDER);
	add_orders(t, "succeeded (order >= 1)", "success", 1, SIZE_MAX - 1);
	add_vmstat(t, "thp_fault_alloc", "");
	add_vmstat(t, "thp_fault_fallback", "");
}

/*
 * frag[i].{mean,final}.{unusable_index[9], score} per zone: the
 * time-weighted means and final values of the fragmentation samples.
 */
static void build_frag(struct table *t)
{
	static const struct { const char *label, *path; enum fig_kind k; }
	figs[] = {
		{ "unusable index o9 (mean)", "mean.unusable_index.9", FIG_INDEX },
		{ "unusable index o9 (final)", "final.unusable_index.9", FIG_INDEX },
		{ "frag score (mean)", "mean.score", FIG_INDEX },
		{ "frag score (final)", "final.score", FIG_INDEX },
	};
	const char *zones[16];
	size_t nz = zone_names(t, zones, ARRAY_SIZE(zones));

	table_section(t, "fragmentation (order 9)");
	for (size_t z = 0; z < nz; z++)
		for (size_t f = 0; f < ARRAY_SIZE(figs); f++) {
			char label[LABEL_MAX];
			struct row *r;

			snprintf(label, sizeof(label), "%s %s", zones[z],
				 figs[f].label);
			r = table_add(t, label, "", figs[f].k);
			for (size_t c = 0; c < t->nr_cols; c++)
				r->cells[c].have = jnum(frag_of(t->sums[c],
					zones[z]), figs[f].path, &r->cells[c].v);
		}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Every vmstat key of any summary, sorted by name: the order a summary's
 * keys come in depends on how it was read, the table must not.
 */
static void build_all_vmstat(struct table *t)
{
	const char **keys = NULL;
	size_t n = 0, cap = 0;

	for (size_t c = 0; c < t->nr_cols; c++) {
		const char *key;
		const json_t *x;

		json_object_foreach((json_t *)json_object_get(t->sums[c],
							      "vmstat"), key, x) {
			if (n == cap) {
				cap = cap ? 2 * cap : 128;
				keys = xrealloc(keys, cap * sizeof(*keys));
			}
			keys[n++] = key;
		}
	}
	if (n)
		qsort(keys, n, sizeof(*keys), cmp_str);
	table_section(t, "vmstat (all counters)");
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(keys[i], keys[i - 1]))
			add_vmstat(t, keys[i], "");
	free(keys);
}

static void table_build(struct table *t, bool all_vmstat)
{
	build_config(t);
	build_faults(t);
	build_reclaim(t);
	build_stalls(t);
	build_crossings(t);
	build_compaction(t);
	build_high_order(t);
	build_frag(t);
	if (all_vmstat)
		build_all_vmstat(t);
}

static bool row_has_any(const struct table *t, const struct row *r)
{
	for (size_t c = 0; c < t->nr_cols; c++)
		if (r->cells[c].have)
			return true;
	return false;
}

/* Drops rows no summary has, then sections left empty. */
static void table_prune(struct table *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nr_rows; i++) {
		struct row *r = &t->rows[i];

		if (r->section || row_has_any(t, r))
			t->rows[n++] = *r;
		else
			free(r->cells);
	}
	t->nr_rows = n;
	n = 0;
	for (size_t i = 0; i < t->nr_rows; i++) {
		struct row *r = &t->rows[i];
		bool empty = r->section && (i + 1 == t->nr_rows ||
					    t->rows[i + 1].section);

		if (empty)
			free(r->cells);
		else
			t->rows[n++] = *r;
	}
	t->nr_rows = n;
}

static void table_init(struct table *t, const json_t *doc)
{
	const json_t *configs = json_object_get(doc, "configs");
	const json_t *c;
	size_t i;

	memset(t, 0, sizeof(*t));
	t->names = xcalloc(json_array_size(configs) + 1, sizeof(*t->names));
	t->sums = xcalloc(json_array_size(configs) + 1, sizeof(*t->sums));
	json_array_foreach(configs, i, c) {
		const json_t *s = json_object_get(c, "summary");

		if (!json_is_object(s))
			continue;
		t->names[t->nr_cols] = json_string_value(json_object_get(c, "name"));
		t->sums[t->nr_cols++] = s;
	}
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nr_rows; i++)
		free(t->rows[i].cells);
	free(t->rows);
	free(t->names);
	free(t->sums);
}

/* ---- formatting cells -------------------------------------------------- */

static void format_value(const struct row *r, const struct cell *c,
			 char *buf, size_t len)
{
	static const int decimals[] = {
		[FIG_COUNT] = 0, [FIG_PCT] = 2, [FIG_MS] = 3, [FIG_INDEX] = 3,
	};

	if (!c->have)
		snprintf(buf, len, "-");
	else if (r->kind == FIG_TEXT)
		snprintf(buf, len, "%s", c->text);
	else
		snprintf(buf, len, "%.*f", decimals[r->kind], c->v);
}

/* The change of column col against the base column 0; "" if none. */
static void format_change(const struct row *r, size_t col, char *buf,
			  size_t len)
{
	const struct cell *b = &r->cells[0], *c = &r->cells[col];

	buf[0] = '\0';
	if (col == 0 || r->kind == FIG_TEXT || r->no_change || !b->have ||
	    !c->have)
		return;
	if (c->v == b->v)
		snprintf(buf, len, "0.00%%");
	else if (b->v == 0)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%+.2f%%", 100.0 * (c->v - b->v) / fabs(b->v));
}

/* "value (change)" as mmtests prints it; the base column has no change. */
static void format_cell(const struct row *r, size_t col, int value_w,
			int change_w, char *buf, size_t len)
{
	char v[CELL_MAX], ch[32];

	format_value(r, &r->cells[col], v, sizeof(v));
	format_change(r, col, ch, sizeof(ch));
	if (col == 0 || change_w == 0)
		snprintf(buf, len, "%*s", value_w, v);
	else if (ch[0])
		snprintf(buf, len, "%*s (%*s)", value_w, v, change_w, ch);
	else
		snprintf(buf, len, "%*s  %*s ", value_w, v, change_w, "");
}

/* ---- the formats ------------------------------------------------------- */

static const json_t *configs_of(const json_t *doc)
{
	return json_object_get(doc, "configs");
}

static void write_failures(FILE *f, const json_t *doc, const char *prefix)
{
	const json_t *c;
	size_t i;

	json_array_foreach(configs_of(doc), i, c) {
		const char *e = json_string_value(json_object_get(c, "error"));

		if (e)
			fprintf(f, "%sfailed: %s: %s\n", prefix,
				json_string_value(json_object_get(c, "name")), e);
	}
}

/* The first line; markdown quotes the trace as code ("<stdin>" is HTML). */
static void write_heading(FILE *f, const struct table *t,
			  const struct compare_out *o, bool markdown)
{
	const char *q = markdown ? "`" : "";

	fprintf(f, "mmsim compare");
	if (o->trace)
		fprintf(f, " of %s%s%s", q, o->trace, q);
	fprintf(f, ": %zu config%s", t->nr_cols, t->nr_cols == 1 ? "" : "s");
	if (t->nr_cols)
		fprintf(f, ", changes against %s%s%s", q, t->names[0], q);
	fprintf(f, "\n\n");
}

struct widths {
	int label, unit, value, change;
	int *col;		/* per column: the whole cell */
};

static void measure(const struct table *t, struct widths *w)
{
	char buf[CELL_MAX];

	w->label = 6;
	w->unit = 4;
	w->value = 1;
	w->change = 0;
	for (size_t i = 0; i < t->nr_rows; i++) {
		const struct row *r = &t->rows[i];

		if (r->section)
			continue;
		w->label = (int)fmax(w->label, (double)strlen(r->label) + 2);
		w->unit = (int)fmax(w->unit, (double)strlen(r->unit));
		for (size_t c = 0; c < t->nr_cols; c++) {
			format_value(r, &r->cells[c], buf, sizeof(buf));
			w->value = (int)fmax(w->value, (double)strlen(buf));
			format_change(r, c, buf, sizeof(buf));
			w->change = (int)fmax(w->change, (double)strlen(buf));
		}
	}
	w->col = xcalloc(t->nr_cols + 1, sizeof(*w->col));
	for (size_t c = 0; c < t->nr_cols; c++) {
		int cell = w->value + (c && w->change ? w->change + 3 : 0);

		w->col[c] = (int)fmax(cell, (double)strlen(t->names[c]));
	}
}

/* A line without the blanks that pad text cells at its end. */
static void write_trimmed(FILE *f, const char *line)
{
	size_t n = strlen(line);

	while (n && line[n - 1] == ' ')
		n--;
	fprintf(f, "%.*s\n", (int)n, line);
}

static void write_text(FILE *f, const struct table *t, const json_t *doc,
		       const struct compare_out *o)
{
	struct widths w;
	char cell[256], line[8192];
	size_t len;

	write_heading(f, t, o, false);
	measure(t, &w);
	fprintf(f, "%-*s %-*s", w.label, "", w.unit, "unit");
	for (size_t c = 0; c < t->nr_cols; c++)
		fprintf(f, "  %*s", w.col[c], t->names[c]);
	fprintf(f, "\n");
	for (size_t i = 0; i < t->nr_rows; i++) {
		const struct row *r = &t->rows[i];

		if (r->section) {
			fprintf(f, "%s\n", r->section);
			continue;
		}
		len = (size_t)snprintf(line, sizeof(line), "  %-*s %-*s",
				       w.label - 2, r->label, w.unit, r->unit);
		for (size_t c = 0; c < t->nr_cols && len < sizeof(line); c++) {
			format_cell(r, c, w.value, w.change, cell, sizeof(cell));
			len += (size_t)snprintf(line + len, sizeof(line) - len,
						"  %*s", w.col[c], cell);
		}
		write_trimmed(f, line);
	}
	free(w.col);
	if (json_array_size(configs_of(doc)) > t->nr_cols) {
		fprintf(f, "\n");
		write_failures(f, doc, "");
	}
}

/* A markdown cell: '|' escaped so a config name cannot break the table. */
static void md_cell(FILE *f, const char *s)
{
	fputs("| ", f);
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc(' ', f);
}

static void write_markdown(FILE *f, const struct table *t, const json_t *doc,
			   const struct compare_out *o)
{
	char v[CELL_MAX], ch[32], cell[CELL_MAX + 40];

	write_heading(f, t, o, true);
	md_cell(f, "figure");
	md_cell(f, "unit");
	for (size_t c = 0; c < t->nr_cols; c++)
		md_cell(f, t->names[c]);
	fputs("|\n|---|---|", f);
	for (size_t c = 0; c < t->nr_cols; c++)
		fputs("---:|", f);
	fputc('\n', f);
	for (size_t i = 0; i < t->nr_rows; i++) {
		const struct row *r = &t->rows[i];

		if (r->section) {
			fprintf(f, "| **%s** | |", r->section);
			for (size_t c = 0; c < t->nr_cols; c++)
				fputs(" |", f);
			fputc('\n', f);
			continue;
		}
		md_cell(f, r->label);
		md_cell(f, r->unit);
		for (size_t c = 0; c < t->nr_cols; c++) {
			format_value(r, &r->cells[c], v, sizeof(v));
			format_change(r, c, ch, sizeof(ch));
			if (ch[0])
				snprintf(cell, sizeof(cell), "%s (%s)", v, ch);
			else
				snprintf(cell, sizeof(cell), "%s", v);
			md_cell(f, cell);
		}
		fputs("|\n", f);
	}
	if (json_array_size(configs_of(doc)) > t->nr_cols) {
		fputc('\n', f);
		write_failures(f, doc, "- ");
	}
}

/* An RFC 4180 field: quoted when it holds a comma, quote or line break. */
static void csv_field(FILE *f, const char *s, bool first)
{
	if (!first)
		fputc(',', f);
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void write_csv(FILE *f, const struct table *t)
{
	const char *section = "";
	char buf[CELL_MAX + 16];

	csv_field(f, "section", true);
	csv_field(f, "figure", false);
	csv_field(f, "unit", false);
	for (size_t c = 0; c < t->nr_cols; c++) {
		csv_field(f, t->names[c], false);
		if (c == 0)
			continue;
		snprintf(buf, sizeof(buf), "%s change %%", t->names[c]);
		csv_field(f, buf, false);
	}
	fputs("\r\n", f);
	for (size_t i = 0; i < t->nr_rows; i++) {
		const struct row *r = &t->rows[i];

		if (r->section) {
			section = r->section;
			continue;
		}
		csv_field(f, section, true);
		csv_field(f, r->label, false);
		csv_field(f, r->unit, false);
		for (size_t c = 0; c < t->nr_cols; c++) {
			format_value(r, &r->cells[c], buf, sizeof(buf));
			csv_field(f, r->cells[c].have ? buf : "", false);
			if (c == 0)
				continue;
			format_change(r, c, buf, sizeof(buf));
			if (buf[0] && buf[strlen(buf) - 1] == '%')
				buf[strlen(buf) - 1] = '\0';
			csv_field(f, buf, false);
		}
		fputs("\r\n", f);
	}
}

int compare_table_write(FILE *f, const json_t *doc,
			const struct compare_out *o)
{
	struct table t;

	if (o->format == COMPARE_JSON) {
		if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_SORT_KEYS) < 0)
			return -1;
		fputc('\n', f);
		return ferror(f) ? -1 : 0;
	}
	table_init(&t, doc);
	table_build(&t, o->all_vmstat);
	table_prune(&t);
	if (o->format == COMPARE_TEXT)
		write_text(f, &t, doc, o);
	else if (o->format == COMPARE_MARKDOWN)
		write_markdown(f, &t, doc, o);
	else
		write_csv(f, &t);
	table_free(&t);
	return ferror(f) ? -1 : 0;
}
