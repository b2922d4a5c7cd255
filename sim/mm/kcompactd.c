/*
 * kcompactd.c - the per-node compaction daemon, proactive compaction and
 * manual compaction (mm/compaction.c: kcompactd(), kcompactd_do_work(),
 * wakeup_kcompactd(), proactive_compact_node(), compact_node();
 * kernel-model.md §3.3, §7.6, §7.7).
 *
 * What the kernel does
 *
 * kcompactd sleeps until wakeup_kcompactd() asks for an order (> 0): from
 * wakeup_kswapd() when the node needs no reclaim but the caller cannot
 * compact itself, from kswapd just before it naps (with the order it was
 * woken for), and at the end of boost reclaim (with pageblock_order). The
 * wake is ignored unless some zone fails that order at MIN and compaction
 * would be suitable there (kcompactd_node_suitable()). kcompactd_do_work()
 * counts compact_daemon_wake, then compacts every zone up to
 * kcompactd_highest_zoneidx that is not deferred, fails the order at MIN
 * and is suitable, at SYNC_LIGHT; SUCCESS resets the zone's deferral,
 * COMPLETE and PARTIAL_SKIPPED defer it. The requested order and zone are
 * then forgotten unless a larger request came in meanwhile, in which case
 * it works again.
 *
 * Its sleep has a timeout, HPAGE_FRAG_CHECK_INTERVAL_MSEC (500 ms), when
 * vm.compaction_proactiveness is non-zero: on each timeout, if kswapd is
 * not running and the node's fragmentation score exceeds the high
 * threshold, every zone is compacted whole (order -1, SYNC_LIGHT, skip
 * hints ignored) until its own score is at most the low threshold; a
 * proactive pass that did not lower the node score makes the next check
 * wait 64 times longer.
 *
 * `echo 1 > /proc/sys/vm/compact_memory` (compact_node()) compacts every
 * zone whole, MIGRATE_SYNC, in the writer's context.
 *
 * What we simulate
 *
 * kcompactd is a simulated thread like kswapd: each event is one round of
 * compact_zone() (policy step), and the next round is queued after that
 * round's simulated cost, so trace rows and allocations interleave with
 * its work. A run's mm_compaction_end is logged when its last round runs,
 * with the run's total simulated time as duration_ns.
 * mm_compaction_kcompactd_wake / _sleep bracket each piece of work
 * (wake-up work or a proactive pass); idle timeouts are not logged. Manual
 * compaction runs to completion at its configured trace time
 * (compaction.compact_memory_ms); its time is charged to nobody.
 */
#include "mm/compaction.h"

#include "bug.h"
#include "mm/internal.h"

static bool compaction_enabled(const struct pglist_data *pgdat)
{
	return pgdat->compact_ops && pgdat->compact_ops->begin;
}

/* kcompactd_node_suitable() */
static bool kcompactd_node_suitable(const struct sim *s,
				    const struct pglist_data *pgdat)
{
	const struct kcompactd *kc = &pgdat->kcompactd;

	for (int i = 0; i <= kc->highest_zoneidx &&
			i < (int)pgdat->nr_zones; i++) {
		const struct zone *z = &pgdat->zones[i];

		if (!z->present_pages)
			continue;
		if (zone_watermark_ok(z, (unsigned)kc->max_order,
				      wmark_pages(z, WMARK_MIN),
				      kc->highest_zoneidx, 0,
				      (int64_t)z->free_pages))
			continue;
		if (compaction_suitable(z, kc->max_order, kc->highest_zoneidx,
					s->cfg->extfrag_threshold))
			return true;
	}
	return false;
}

static void kcompactd_queue_step(struct sim *s, struct pglist_data *pgdat,
				 uint64_t delay_ns)
{
	eventq_push(s->q, s->now_ns + delay_ns, SIM_EV_KCOMPACTD,
		    (uint32_t)pgdat->node_id, 0);
}

/* kcompactd_do_work() begins: the order and zones it serves are fixed. */
static void kcompactd_start_work(struct sim *s, struct pglist_data *pgdat)
{
	struct kcompactd *kc = &pgdat->kcompactd;

	kc->running = true;
	kc->proactive = false;
	kc->work_order = kc->max_order;
	kc->work_zoneidx = kc->highest_zoneidx;
	kc->next_zone = 0;
	count_vm_events(s, VM_compact_daemon_wake, 1);
	emit_kcompactd_wake(s->log, s->now_ns, pgdat->node_id, kc->work_order,
			    kc->work_zoneidx);
	kcompactd_queue_step(s, pgdat, 0);
}

static void kcompactd_start_proactive(struct sim *s, struct pglist_data *pgdat)
{
	struct kcompactd *kc = &pgdat->kcompactd;

	kc->running = true;
	kc->proactive = true;
	kc->work_order = -1;
	kc->work_zoneidx = (int)pgdat->nr_zones - 1;
	kc->next_zone = 0;
	kc->prev_score = fragmentation_score_node(pgdat);
	emit_kcompactd_wake(s->log, s->now_ns, pgdat->node_id, -1,
			    kc->work_zoneidx);
	kcompactd_queue_step(s, pgdat, 0);
}

void wakeup_kcompactd(struct sim *s, struct pglist_data *pgdat, int order,
		      int highest_zoneidx)
{
	struct kcompactd *kc = &pgdat->kcompactd;

	if (order <= 0 || !compaction_enabled(pgdat) ||
	    !s->cfg->kcompactd_enabled)
		return;
	if (kc->max_order < order)
		kc->max_order = order;
	if (kc->highest_zoneidx > highest_zoneidx)
		kc->highest_zoneidx = highest_zoneidx;
	if (kc->running)
		return;		/* it will see the request when done */
	if (!kcompactd_node_suitable(s, pgdat))
		return;
	kcompactd_start_work(s, pgdat);
}

/* The compact_control of kcompactd's run in zone z. */
static void kcompactd_cc_init(struct sim *s, struct kcompactd *kc,
			      struct zone *z)
{
	struct compact_control *cc = &kc->cc;

	compact_control_init(cc, s, z, kc->proactive ?
			     COMPACT_TRIGGER_PROACTIVE :
			     COMPACT_TRIGGER_KCOMPACTD);
	cc->order = kc->work_order;
	cc->highest_zoneidx = kc->proactive ? z->zone_idx : kc->work_zoneidx;
	cc->mode = MIGRATE_SYNC_LIGHT;
	cc->gfp_mask = GFP_KERNEL;
	cc->migratetype = gfp_migratetype(GFP_KERNEL);
	cc->ignore_skip_hint = kc->proactive;
	cc->whole_zone = kc->proactive;
	cc->proactive_compaction = kc->proactive;
}

/*
 * Finds the next zone that gets a run and starts it. False when no zone
 * is left: the work is done.
 */
static bool kcompactd_next_run(struct sim *s, struct pglist_data *pgdat)
{
	struct kcompactd *kc = &pgdat->kcompactd;
	const struct compact_ops *ops = pgdat->compact_ops;

	for (; kc->next_zone <= kc->work_zoneidx &&
	       kc->next_zone < (int)pgdat->nr_zones; kc->next_zone++) {
		struct zone *z = &pgdat->zones[kc->next_zone];
		enum compact_result r;

		if (!z->present_pages)
			continue;
		kcompactd_cc_init(s, kc, z);
		r = ops->begin(&kc->cc);
		if (r == COMPACT_CONTINUE) {
			kc->run_active = true;
			compaction_run_started(&kc->cc);
			return true;
		}
		ops->finish(&kc->cc, r);
		compact_control_destroy(&kc->cc);
	}
	return false;
}

static void kcompactd_arm_timer(struct sim *s, struct pglist_data *pgdat)
{
	struct kcompactd *kc = &pgdat->kcompactd;

	if (!s->cfg->compaction_proactiveness || !s->cfg->kcompactd_enabled)
		return;
	kc->timer_seq++;
	eventq_push(s->q, s->now_ns + kc->timeout_ns, SIM_EV_KCOMPACTD_TIMER,
		    (uint32_t)pgdat->node_id, kc->timer_seq);
}

/* The work is done: forget the request, or serve a larger one. */
static void kcompactd_work_done(struct sim *s, struct pglist_data *pgdat)
{
	struct kcompactd *kc = &pgdat->kcompactd;

	kc->running = false;
	if (kc->proactive) {
		kc->timeout_ns = s->cfg->kcompactd_interval_ns;
		if (fragmentation_score_node(pgdat) >= kc->prev_score)
			kc->timeout_ns <<= COMPACT_MAX_DEFER_SHIFT;
	} else {
		if (kc->max_order <= kc->work_order)
			kc->max_order = 0;
		if (kc->highest_zoneidx >= kc->work_zoneidx)
			kc->highest_zoneidx = (int)pgdat->nr_zones - 1;
		kc->timeout_ns = s->cfg->kcompactd_interval_ns;
	}
	emit_kcompactd_sleep(s->log, s->now_ns, pgdat->node_id);
	if (kc->max_order > 0) {
		kcompactd_start_work(s, pgdat);
		return;
	}
	kcompactd_arm_timer(s, pgdat);
}

/* One round of the current run; the next is queued after its cost. */
static void kcompactd_step(struct sim *s, struct pglist_data *pgdat)
{
	struct kcompactd *kc = &pgdat->kcompactd;
	struct compact_control *cc = &kc->cc;
	uint64_t before = cc->cost_ns, cost;
	enum compact_result r = pgdat->compact_ops->step(cc);

	cost = cc->cost_ns - before;
	kc->busy_ns += cost;
	s->stats.kcompactd_busy_ns += cost;
	if (r != COMPACT_CONTINUE) {
		compaction_run_ended(cc, r, s->now_ns);
		pgdat->compact_ops->finish(cc, r);
		compact_control_destroy(cc);
		kc->run_active = false;
		kc->next_zone++;
	}
	kcompactd_queue_step(s, pgdat, cost);
}

static void kcompactd_timer(struct sim *s, struct pglist_data *pgdat,
			    uint64_t seq)
{
	struct kcompactd *kc = &pgdat->kcompactd;
	unsigned high = fragmentation_score_wmark(
		s->cfg->compaction_proactiveness, false);

	if (seq != kc->timer_seq || kc->running)
		return;		/* re-armed since, or busy */
	if (!compaction_kswapd_running(pgdat) &&
	    fragmentation_score_node(pgdat) > high) {
		kcompactd_start_proactive(s, pgdat);
		return;
	}
	kc->timeout_ns = s->cfg->kcompactd_interval_ns;
	kcompactd_arm_timer(s, pgdat);
}

void kcompactd_event(struct sim *s, uint32_t kind, uint32_t nid,
		     uint64_t data)
{
	struct pglist_data *pgdat = &s->nodes[nid];
	struct kcompactd *kc = &pgdat->kcompactd;

	if (kind == SIM_EV_KCOMPACTD_TIMER) {
		kcompactd_timer(s, pgdat, data);
		return;
	}
	if (!kc->running)
		return;
	if (kc->run_active)
		kcompactd_step(s, pgdat);
	else if (!kcompactd_next_run(s, pgdat))
		kcompactd_work_done(s, pgdat);
	else
		kcompactd_queue_step(s, pgdat, 0);
}

void compaction_kswapd_sleep(struct sim *s, struct pglist_data *pgdat)
{
	(void)s;
	if (pgdat->compact_ops && pgdat->compact_ops->kswapd_sleep)
		pgdat->compact_ops->kswapd_sleep(pgdat);
}

void compact_nodes(struct sim *s)
{
	for (unsigned n = 0; n < s->nr_nodes; n++) {
		struct pglist_data *pgdat = &s->nodes[n];

		if (!compaction_enabled(pgdat))
			continue;
		for (unsigned i = 0; i < pgdat->nr_zones; i++) {
			struct zone *z = &pgdat->zones[i];
			struct compact_control cc;

			if (!z->present_pages)
				continue;
			compact_control_init(&cc, s, z, COMPACT_TRIGGER_MANUAL);
			cc.order = -1;
			cc.mode = MIGRATE_SYNC;
			cc.gfp_mask = GFP_KERNEL;
			cc.ignore_skip_hint = true;
			cc.whole_zone = true;
			compact_zone_sync(&cc);
			s->stats.manual_compact_ns += cc.cost_ns;
			compact_control_destroy(&cc);
		}
	}
}

void compaction_start(struct sim *s, uint64_t t0_ns)
{
	for (unsigned n = 0; n < s->nr_nodes; n++)
		if (compaction_enabled(&s->nodes[n]))
			kcompactd_arm_timer(s, &s->nodes[n]);
	if (s->cfg->compact_memory_ns >= 0)
		eventq_push(s->q, t0_ns + (uint64_t)s->cfg->compact_memory_ns,
			    SIM_EV_COMPACT_MEMORY, 0, 0);
}
