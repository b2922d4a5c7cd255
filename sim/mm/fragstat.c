/*
 * fragstat.c - see fragstat.h.
 *
 * The kernel has no fragmentation tracepoint; /sys/kernel/debug/extfrag/
 * unusable_index and extfrag_index print the same per-order figures
 * (mm/vmstat.c: unusable_show(), extfrag_show()) and /proc/pagetypeinfo the
 * pageblock counts. The frag event carries them with the debugfs meaning:
 * indices as fractions 0.000-1.000, extfrag -1.000 where an allocation of
 * that order would succeed; the score is extfrag_for_order() at order 9,
 * the proactive-compaction score of the zone, and node_score the weighted
 * sum kcompactd compares with its thresholds.
 *
 * Cost: a sample is O(orders²) plus O(pageblocks) when the event is
 * written; with log.frag_interval_ms = 100 that is ten per second of trace
 * time, whatever the number of rows.
 */
#include "mm/fragstat.h"

#include "bug.h"
#include "mm/buddy.h"
#include "mm/internal.h"

static const char *const why_names[NR_FRAG_SAMPLE_WHY] = {
	[FRAG_SAMPLE_TIMER] = "timer",
	[FRAG_SAMPLE_COMPACTION_BEGIN] = "compaction_begin",
	[FRAG_SAMPLE_COMPACTION_END] = "compaction_end",
};

const char *frag_sample_why_name(enum frag_sample_why why)
{
	SIM_BUG_ON((unsigned)why >= NR_FRAG_SAMPLE_WHY);
	return why_names[why];
}

/* Adds the held values of m over [m->last_t_ns, t_ns) to the sums. */
static void integrate(struct frag_mean *m, uint64_t t_ns)
{
	double dt = (double)(t_ns - m->last_t_ns);

	m->sum_free_pages += dt * (double)m->last.free_pages;
	m->sum_score += dt * (double)m->last.score;
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
		m->sum_unusable[o] += dt * m->last.unusable_index[o];
		m->sum_extfrag[o] += dt * m->last.extfrag_index[o];
	}
}

static void log_sample(struct sim *s, const struct zone *z,
		       const struct frag_snapshot *snap,
		       enum frag_sample_why why)
{
	struct pglist_data *pgdat = &s->nodes[z->nid];
	struct emit_frag f = {
		.nid = z->nid,
		.zone = z->name,
		.why = frag_sample_why_name(why),
		.snap = snap,
		.node_score = fragmentation_score_node(pgdat),
	};

	pageblock_stats_from_usage(&pgdat->pb_usage[z->zone_idx],
				   z->pageblock_mt, &f.pageblocks);
	emit_frag(s->log, s->now_ns, &f);
}

void fragstat_sample(struct sim *s, struct zone *z, enum frag_sample_why why)
{
	struct frag_mean *m = &s->nodes[z->nid].frag[z->zone_idx];
	uint64_t nr_free[NR_PAGE_ORDERS];

	if (m->started) {
		SIM_BUG_ON(s->now_ns < m->last_t_ns);
		integrate(m, s->now_ns);
	} else {
		m->started = true;
		m->first_t_ns = s->now_ns;
	}
	m->last_t_ns = s->now_ns;
	m->nr_samples++;
	buddy_nr_free(z, nr_free);
	frag_snapshot_fill(nr_free, &m->last);
	if (emit_enabled(s->log, LOG_EV_FRAG))
		log_sample(s, z, &m->last, why);
}

static void sample_all(struct sim *s)
{
	for (unsigned n = 0; n < s->nr_nodes; n++)
		for (unsigned i = 0; i < s->nodes[n].nr_zones; i++)
			if (s->nodes[n].zones[i].present_pages)
				fragstat_sample(s, &s->nodes[n].zones[i],
						FRAG_SAMPLE_TIMER);
}

void fragstat_start(struct sim *s, uint64_t t0_ns)
{
	sample_all(s);
	if (s->cfg->frag_interval_ns)
		eventq_push(s->q, t0_ns + s->cfg->frag_interval_ns,
			    SIM_EV_FRAG_TICK, 0, 0);
}

void fragstat_tick(struct sim *s)
{
	sample_all(s);
	eventq_push(s->q, s->now_ns + s->cfg->frag_interval_ns,
		    SIM_EV_FRAG_TICK, 0, 0);
}

void fragstat_means(const struct frag_mean *m, uint64_t t_ns,
		    struct frag_means *out)
{
	double span, tail;

	out->nr_samples = m->nr_samples;
	if (t_ns < m->last_t_ns)
		t_ns = m->last_t_ns;
	out->span_ns = m->started ? t_ns - m->first_t_ns : 0;
	span = (double)out->span_ns;
	tail = (double)(t_ns - m->last_t_ns);
	if (!m->started || span == 0) {
		out->free_pages = (double)m->last.free_pages;
		out->score = m->last.score;
		for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
			out->unusable_index[o] = m->last.unusable_index[o] / 1000.0;
			out->extfrag_index[o] = m->last.extfrag_index[o] / 1000.0;
		}
		return;
	}
	out->free_pages = (m->sum_free_pages +
			   tail * (double)m->last.free_pages) / span;
	out->score = (m->sum_score + tail * m->last.score) / span;
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
		out->unusable_index[o] = (m->sum_unusable[o] + tail *
			m->last.unusable_index[o]) / span / 1000.0;
		out->extfrag_index[o] = (m->sum_extfrag[o] + tail *
			m->last.extfrag_index[o]) / span / 1000.0;
	}
}
