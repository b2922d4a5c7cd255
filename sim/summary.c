/*
 * summary.c - see summary.h.
 */
#include "summary.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "emit.h"
#include "mm/buddy.h"
#include "vmstat.h"

static const char *const wmark_names[NR_WMARK] = { "min", "low", "high" };

static void lower_copy(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

static json_t *zone_machine_json(const struct zone *z)
{
	json_t *o = json_object();
	json_t *reserve = json_array();

	json_object_set_new(o, "nid", json_integer(z->nid));
	json_object_set_new(o, "zone", json_string(z->name));
	json_object_set_new(o, "start_pfn", json_integer((json_int_t)z->zone_start_pfn));
	json_object_set_new(o, "managed_pages", json_integer((json_int_t)z->managed_pages));
	for (int w = 0; w < NR_WMARK; w++)
		json_object_set_new(o, wmark_names[w],
				    json_integer((json_int_t)z->_watermark[w]));
	for (int j = 0; j < MAX_NR_ZONES; j++)
		json_array_append_new(reserve, json_integer(
			(json_int_t)z->lowmem_reserve[j]));
	json_object_set_new(o, "lowmem_reserve", reserve);
	return o;
}

json_t *summary_machine_json(const struct sim *s)
{
	json_t *m = json_object();
	json_t *zones = json_array();

	for (unsigned n = 0; n < s->nr_nodes; n++)
		for (unsigned i = 0; i < s->nodes[n].nr_zones; i++)
			json_array_append_new(zones, zone_machine_json(
				&s->nodes[n].zones[i]));
	json_object_set_new(m, "pages", json_integer((json_int_t)s->nr_pfns));
	json_object_set_new(m, "min_free_kbytes",
			    json_integer((json_int_t)s->min_free_kbytes));
	json_object_set_new(m, "zones", zones);
	return m;
}

static json_t *zone_json(const struct sim *s, const struct pglist_data *pgdat,
			 const struct zone *z)
{
	json_t *o = json_object();
	json_t *cross = json_object();

	json_object_set_new(o, "nid", json_integer(z->nid));
	json_object_set_new(o, "zone", json_string(z->name));
	json_object_set_new(o, "managed_pages", json_integer((json_int_t)z->managed_pages));
	json_object_set_new(o, "free_pages", json_integer((json_int_t)z->free_pages));
	json_object_set_new(o, "used_pages", json_integer(
		(json_int_t)(z->managed_pages - z->free_pages)));
	json_object_set_new(o, "nr_zone_anon", json_integer(
		(json_int_t)pgdat->nr_zone_lru[z->zone_idx][LRU_ANON]));
	json_object_set_new(o, "nr_zone_file", json_integer(
		(json_int_t)pgdat->nr_zone_lru[z->zone_idx][LRU_FILE]));
	for (int w = 0; w < NR_WMARK; w++) {
		json_t *d = json_object();

		json_object_set_new(d, "down", json_integer((json_int_t)
			pgdat->crossings[z->zone_idx][w][0]));
		json_object_set_new(d, "up", json_integer((json_int_t)
			pgdat->crossings[z->zone_idx][w][1]));
		json_object_set_new(cross, wmark_names[w], d);
	}
	json_object_set_new(o, "watermark_crossings", cross);
	(void)s;
	return o;
}

static json_t *vmstat_json(const struct sim *s)
{
	json_t *v = json_object();
	const struct pglist_data *pgdat = &s->nodes[0];
	uint64_t free_pages = 0;

	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		json_object_set_new(v, vmstat_name((enum vm_event_item)i),
				    json_integer((json_int_t)s->vm[i]));
	for (unsigned z = 0; z < pgdat->nr_zones; z++) {
		char lname[16], key[48];

		lower_copy(lname, sizeof(lname), pgdat->zones[z].name);
		for (int i = 0; i < NR_ZONE_VM_ITEMS; i++) {
			snprintf(key, sizeof(key), "%s_%s",
				 zone_vmstat_name((enum zone_vm_item)i), lname);
			json_object_set_new(v, key, json_integer(
				(json_int_t)pgdat->zone_vm[z][i]));
		}
		free_pages += pgdat->zones[z].free_pages;
	}
	json_object_set_new(v, "nr_free_pages", json_integer((json_int_t)free_pages));
	json_object_set_new(v, "nr_anon_pages", json_integer(
		(json_int_t)pgdat->lruvec.nr_pages[LRU_ANON]));
	json_object_set_new(v, "nr_file_pages", json_integer(
		(json_int_t)pgdat->lruvec.nr_pages[LRU_FILE]));
	if (pgdat->lruvec.ops->report)	/* nr_active_file, ... */
		pgdat->lruvec.ops->report((struct lruvec *)&pgdat->lruvec, v);
	return v;
}

static int proc_cmp_pid(const void *a, const void *b)
{
	const struct sim_proc *x = *(const struct sim_proc *const *)a;
	const struct sim_proc *y = *(const struct sim_proc *const *)b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static json_t *stalls_json(const struct sim *s)
{
	const struct sim_proc **sorted = calloc(s->nr_procs + 1,
						sizeof(*sorted));
	json_t *o = json_object();
	json_t *per_pid = json_array();

	json_object_set_new(o, "total_ns", json_integer((json_int_t)(
		s->stats.direct_reclaim_ns + s->stats.major_fault_ns +
		s->stats.compact_ns)));
	json_object_set_new(o, "direct_reclaim_ns",
			    json_integer((json_int_t)s->stats.direct_reclaim_ns));
	json_object_set_new(o, "major_fault_ns",
			    json_integer((json_int_t)s->stats.major_fault_ns));
	json_object_set_new(o, "compact_ns",
			    json_integer((json_int_t)s->stats.compact_ns));
	for (size_t i = 0; i < s->nr_procs; i++)
		sorted[i] = &s->procs[i];
	qsort(sorted, s->nr_procs, sizeof(*sorted), proc_cmp_pid);
	for (size_t i = 0; i < s->nr_procs; i++) {
		const struct sim_proc *p = sorted[i];
		json_t *e;

		if (!p->direct_reclaim_ns && !p->major_fault_ns &&
		    !p->compact_ns && !p->allocstall && !p->oom_killed)
			continue;
		e = json_object();
		json_object_set_new(e, "pid", json_integer(p->pid));
		json_object_set_new(e, "direct_reclaim_ns", json_integer((json_int_t)p->direct_reclaim_ns));
		json_object_set_new(e, "major_fault_ns", json_integer((json_int_t)p->major_fault_ns));
		json_object_set_new(e, "compact_ns", json_integer((json_int_t)p->compact_ns));
		json_object_set_new(e, "allocstall", json_integer((json_int_t)p->allocstall));
		json_object_set_new(e, "oom_killed", json_integer((json_int_t)p->oom_killed));
		json_array_append_new(per_pid, e);
	}
	free(sorted);
	json_object_set_new(o, "per_pid", per_pid);
	return o;
}

static json_t *trace_json(const struct sim *s, const struct summary_info *info)
{
	json_t *o = json_object();
	json_t *ops = json_object();

	for (int i = 0; i < NR_TRACE_OPS; i++)
		json_object_set_new(ops, trace_op_name((enum trace_op)i),
				    json_integer((json_int_t)s->stats.rows_by_op[i]));
	json_object_set_new(o, "format", json_string(info->trace_format));
	json_object_set_new(o, "rows", json_integer((json_int_t)s->stats.rows));
	json_object_set_new(o, "rows_by_op", ops);
	json_object_set_new(o, "first_ns", json_integer((json_int_t)s->stats.first_t_ns));
	json_object_set_new(o, "last_ns", json_integer((json_int_t)s->stats.last_t_ns));
	json_object_set_new(o, "span_ns", json_integer((json_int_t)(
		s->stats.last_t_ns - s->stats.first_t_ns)));
	json_object_set_new(o, "bad_rows_skipped",
			    json_integer((json_int_t)info->bad_rows_skipped));
	if (info->bad_rows_skipped)
		json_object_set_new(o, "first_bad_row",
				    json_string(info->first_bad_row));
	json_object_set_new(o, "unmap_nonresident",
			    json_integer((json_int_t)s->stats.unmap_nonresident));
	json_object_set_new(o, "evict_rows_ignored",
			    json_integer((json_int_t)s->stats.evict_rows_ignored));
	json_object_set_new(o, "free_unknown_pfn",
			    json_integer((json_int_t)s->stats.free_unknown));
	json_object_set_new(o, "alloc_pfn_in_use",
			    json_integer((json_int_t)s->stats.alloc_dup));
	json_object_set_new(o, "access_dropped",
			    json_integer((json_int_t)s->stats.access_dropped));
	return o;
}

static json_t *alloc_orders_json(const struct sim *s)
{
	json_t *o = json_object();
	json_t *ok = json_array(), *fail = json_array();

	for (int i = 0; i < NR_PAGE_ORDERS; i++) {
		json_array_append_new(ok, json_integer((json_int_t)s->stats.alloc_ok_order[i]));
		json_array_append_new(fail, json_integer((json_int_t)s->stats.alloc_fail_order[i]));
	}
	json_object_set_new(o, "success", ok);
	json_object_set_new(o, "fail", fail);
	return o;
}

static json_t *u64_array(const uint64_t *a, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_integer((json_int_t)a[i]));
	return arr;
}

/* A fraction with 3 decimals, as the frag event prints indices. */
static json_t *real3(double v)
{
	return json_real(round(v * 1000.0) / 1000.0);
}

static json_t *milli_array(const int *a, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, real3(a[i] / 1000.0));
	return arr;
}

static json_t *real3_array(const double *a, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, real3(a[i]));
	return arr;
}

/* Every allocation request by order: faults, THP faults, `alloc` rows. */
static json_t *allocations_json(const struct sim *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "success", u64_array(s->stats.page_alloc_ok,
						    NR_PAGE_ORDERS));
	json_object_set_new(o, "fail", u64_array(s->stats.page_alloc_fail,
						 NR_PAGE_ORDERS));
	return o;
}

static json_t *placement_json(const struct sim *s)
{
	json_t *o = json_object();
	const struct sim_stats *st = &s->stats;

	json_object_set_new(o, "alloc_at_pfn", json_integer((json_int_t)st->alloc_at_pfn));
	json_object_set_new(o, "alloc_placed_by_allocator",
			    json_integer((json_int_t)st->alloc_elsewhere));
	json_object_set_new(o, "pretrace_pages", json_integer((json_int_t)st->pretrace_pages));
	json_object_set_new(o, "pretrace_freed", json_integer((json_int_t)st->free_pretrace));
	json_object_set_new(o, "pretrace_displaced",
			    json_integer((json_int_t)st->pretrace_displaced));
	json_object_set_new(o, "absent_pages", json_integer((json_int_t)st->absent_pages));
	json_object_set_new(o, "thp_split", json_integer((json_int_t)st->thp_split));
	return o;
}

static json_t *compaction_json(const struct sim *s)
{
	json_t *o = json_object(), *runs = json_object(), *res = json_object();

	for (int t = 0; t < NR_COMPACT_TRIGGERS; t++)
		json_object_set_new(runs, compact_trigger_name((enum compact_trigger)t),
				    json_integer((json_int_t)s->stats.compact_runs[t]));
	for (int r = 0; r < NR_COMPACT_RESULTS; r++)
		if (s->stats.compact_results[r])
			json_object_set_new(res, compact_result_name(
				(enum compact_result)r), json_integer(
				(json_int_t)s->stats.compact_results[r]));
	json_object_set_new(o, "policy", json_string(s->nodes[0].compact_ops->name));
	json_object_set_new(o, "runs", runs);
	json_object_set_new(o, "results", res);
	json_object_set_new(o, "direct_stall_ns", json_integer((json_int_t)s->stats.compact_ns));
	json_object_set_new(o, "kcompactd_busy_ns",
			    json_integer((json_int_t)s->stats.kcompactd_busy_ns));
	json_object_set_new(o, "manual_ns", json_integer((json_int_t)s->stats.manual_compact_ns));
	return o;
}

/* The zone's fragmentation now. */
static json_t *frag_final_json(const struct sim *s, const struct zone *z)
{
	const struct pglist_data *pgdat = &s->nodes[z->nid];
	json_t *o = json_object();
	uint64_t nr_free[NR_PAGE_ORDERS];
	struct frag_snapshot snap;
	struct pageblock_stats pb;

	buddy_nr_free(z, nr_free);
	frag_snapshot_fill(nr_free, &snap);
	pageblock_stats_from_usage(&pgdat->pb_usage[z->zone_idx],
				   z->pageblock_mt, &pb);
	json_object_set_new(o, "free_pages", json_integer((json_int_t)snap.free_pages));
	json_object_set_new(o, "free_blocks", u64_array(snap.free_blocks, NR_PAGE_ORDERS));
	json_object_set_new(o, "unusable_index", milli_array(snap.unusable_index,
							     NR_PAGE_ORDERS));
	json_object_set_new(o, "extfrag_index", milli_array(snap.extfrag_index,
							    NR_PAGE_ORDERS));
	json_object_set_new(o, "score", json_integer(snap.score));
	json_object_set_new(o, "pageblocks", u64_array(pb.nr, MIGRATE_TYPES));
	json_object_set_new(o, "mixed_pageblocks", u64_array(pb.mixed, MIGRATE_TYPES));
	return o;
}

/* Time-weighted means of the sampled metrics up to the last row. */
static json_t *frag_mean_json(const struct sim *s, const struct zone *z)
{
	struct frag_means m;
	json_t *o = json_object();

	fragstat_means(&s->nodes[z->nid].frag[z->zone_idx], s->stats.last_t_ns,
		       &m);
	json_object_set_new(o, "samples", json_integer((json_int_t)m.nr_samples));
	json_object_set_new(o, "span_ns", json_integer((json_int_t)m.span_ns));
	json_object_set_new(o, "free_pages", real3(m.free_pages));
	json_object_set_new(o, "score", real3(m.score));
	json_object_set_new(o, "unusable_index", real3_array(m.unusable_index,
							     NR_PAGE_ORDERS));
	json_object_set_new(o, "extfrag_index", real3_array(m.extfrag_index,
							    NR_PAGE_ORDERS));
	return o;
}

static json_t *frag_json(const struct sim *s)
{
	json_t *zones = json_array();

	for (unsigned n = 0; n < s->nr_nodes; n++)
		for (unsigned i = 0; i < s->nodes[n].nr_zones; i++) {
			const struct zone *z = &s->nodes[n].zones[i];
			json_t *o = json_object();

			json_object_set_new(o, "nid", json_integer(z->nid));
			json_object_set_new(o, "zone", json_string(z->name));
			json_object_set_new(o, "final", frag_final_json(s, z));
			json_object_set_new(o, "mean", frag_mean_json(s, z));
			json_array_append_new(zones, o);
		}
	return zones;
}

json_t *summary_json(const struct sim *s, const struct summary_info *info)
{
	json_t *o = json_object();
	json_t *zones = json_array();
	json_t *mem = json_object();

	json_object_set_new(o, "complete", json_boolean(info->complete));
	if (!info->complete)
		json_object_set_new(o, "stop_reason",
				    json_string(info->stop_reason));
	json_object_set_new(o, "mmsim", json_string(MMSIM_VERSION));
	json_object_set_new(o, "config", config_to_json(s->cfg));
	json_object_set_new(o, "machine", summary_machine_json(s));
	json_object_set_new(o, "trace", trace_json(s, info));
	for (unsigned n = 0; n < s->nr_nodes; n++)
		for (unsigned i = 0; i < s->nodes[n].nr_zones; i++)
			json_array_append_new(zones, zone_json(s, &s->nodes[n],
				&s->nodes[n].zones[i]));
	json_object_set_new(o, "zones", zones);
	json_object_set_new(o, "vmstat", vmstat_json(s));
	json_object_set_new(o, "stalls", stalls_json(s));
	json_object_set_new(o, "alloc_orders", alloc_orders_json(s));
	json_object_set_new(o, "allocations", allocations_json(s));
	json_object_set_new(o, "placement", placement_json(s));
	json_object_set_new(o, "compaction", compaction_json(s));
	json_object_set_new(o, "frag", frag_json(s));
	json_object_set_new(mem, "shadow_entries", json_integer((json_int_t)s->nr_shadows));
	json_object_set_new(mem, "shadows_dropped",
			    json_integer((json_int_t)s->stats.shadows_dropped));
	json_object_set_new(mem, "nonresident_age", json_integer(
		(json_int_t)s->nodes[0].lruvec.nonresident_age));
	json_object_set_new(mem, "kswapd_busy_ns",
			    json_integer((json_int_t)s->stats.kswapd_busy_ns));
	json_object_set_new(o, "sim", mem);
	return o;
}

static json_int_t jint(const json_t *o, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.')) != NULL) {
		size_t n = (size_t)(dot - path);

		if (n >= sizeof(key))
			return 0;
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		path = dot + 1;
	}
	return json_integer_value(json_object_get(o, path));
}

static void row(FILE *f, const char *label, json_int_t v, const char *unit)
{
	fprintf(f, "  %-34s %14lld %s\n", label, (long long)v, unit);
}

/* Compaction counters, and each zone's fragmentation score. */
static void print_compaction(FILE *f, const json_t *sum)
{
	const json_t *v = json_object_get(sum, "vmstat");
	const json_t *frag = json_object_get(sum, "frag");
	const json_t *fails = json_object_get(json_object_get(sum,
					       "allocations"), "fail");
	size_t i;
	const json_t *z;
	json_int_t high = 0;

	for (i = PAGE_ALLOC_COSTLY_ORDER + 1; i < json_array_size(fails); i++)
		high += json_integer_value(json_array_get(fails, i));
	fprintf(f, "\ncompaction (%s)\n", json_string_value(json_object_get(
		json_object_get(sum, "compaction"), "policy")));
	row(f, "compact_stall", jint(v, "compact_stall"), "");
	row(f, "compact_success", jint(v, "compact_success"), "");
	row(f, "compact_daemon_wake", jint(v, "compact_daemon_wake"), "");
	row(f, "pgmigrate_success", jint(v, "pgmigrate_success"), "pages");
	row(f, "failed allocations of order > 3", high, "");
	json_array_foreach(frag, i, z) {
		char label[64];

		snprintf(label, sizeof(label), "%s score final / mean",
			 json_string_value(json_object_get(z, "zone")));
		fprintf(f, "  %-34s %7lld / %6.1f\n", label,
			(long long)jint(z, "final.score"),
			json_real_value(json_object_get(json_object_get(z,
				"mean"), "score")));
	}
}

void summary_print_table(FILE *f, const json_t *sum)
{
	const json_t *v = json_object_get(sum, "vmstat");
	const json_t *zones = json_object_get(sum, "zones");
	size_t i;
	const json_t *z;
	json_int_t scan, steal;

	fprintf(f, "mmsim replay %s: %lld rows over %.3f s of trace time\n",
		json_is_true(json_object_get(sum, "complete")) ?
		"complete" : "INCOMPLETE",
		(long long)jint(sum, "trace.rows"),
		(double)jint(sum, "trace.span_ns") / 1e9);
	fprintf(f, "\nfaults and refaults\n");
	row(f, "pgfault", jint(v, "pgfault"), "");
	row(f, "pgmajfault", jint(v, "pgmajfault"), "");
	row(f, "workingset_refault_anon", jint(v, "workingset_refault_anon"), "");
	row(f, "workingset_refault_file", jint(v, "workingset_refault_file"), "");
	row(f, "workingset_activate_anon+file", jint(v, "workingset_activate_anon") +
	    jint(v, "workingset_activate_file"), "");
	fprintf(f, "\nreclaim\n");
	row(f, "kswapd_wake", jint(v, "kswapd_wake"), "");
	row(f, "pgscan_kswapd", jint(v, "pgscan_kswapd"), "pages");
	row(f, "pgsteal_kswapd", jint(v, "pgsteal_kswapd"), "pages");
	row(f, "pgscan_direct", jint(v, "pgscan_direct"), "pages");
	row(f, "pgsteal_direct", jint(v, "pgsteal_direct"), "pages");
	scan = jint(v, "pgscan_kswapd") + jint(v, "pgscan_direct");
	steal = jint(v, "pgsteal_kswapd") + jint(v, "pgsteal_direct");
	if (scan)
		fprintf(f, "  %-34s %14.1f %%\n", "reclaim efficiency (steal/scan)",
			100.0 * (double)steal / (double)scan);
	row(f, "pswpout", jint(v, "pswpout"), "pages");
	row(f, "oom_kill", jint(v, "oom_kill"), "");
	row(f, "alloc_fail", jint(v, "alloc_fail"), "");
	fprintf(f, "\nstalls (simulated)\n");
	fprintf(f, "  %-34s %14.3f ms\n", "direct reclaim",
		(double)jint(sum, "stalls.direct_reclaim_ns") / 1e6);
	fprintf(f, "  %-34s %14.3f ms\n", "major faults",
		(double)jint(sum, "stalls.major_fault_ns") / 1e6);
	fprintf(f, "  %-34s %14.3f ms\n", "direct compaction",
		(double)jint(sum, "stalls.compact_ns") / 1e6);
	print_compaction(f, sum);
	fprintf(f, "\nzones          managed       free   allocstall  crossings down min/low/high\n");
	json_array_foreach(zones, i, z) {
		char lname[16], key[48];
		const json_t *c = json_object_get(z, "watermark_crossings");

		lower_copy(lname, sizeof(lname),
			   json_string_value(json_object_get(z, "zone")));
		snprintf(key, sizeof(key), "allocstall_%s", lname);
		fprintf(f, "  %-10s %10lld %10lld %12lld  %lld/%lld/%lld\n",
			json_string_value(json_object_get(z, "zone")),
			(long long)jint(z, "managed_pages"),
			(long long)jint(z, "free_pages"),
			(long long)jint(v, key),
			(long long)jint(c, "min.down"),
			(long long)jint(c, "low.down"),
			(long long)jint(c, "high.down"));
	}
}
