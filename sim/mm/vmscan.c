/*
 * vmscan.c - kswapd, direct reclaim and the shrink_node() step
 * (mm/vmscan.c), with the policy behind struct reclaim_ops.
 *
 * kswapd (kernel-model.md §4.8) is a simulated thread. wakeup_kswapd()
 * wakes it when an allocation fails the LOW mark; unless the node is already
 * balanced or hopeless it logs mm_vmscan_kswapd_wake and queues its first
 * batch. Each batch is one shrink_node() pass asking for SWAP_CLUSTER_MAX
 * pages at the run's current priority (DEF_PRIORITY down to 1; a pass that
 * reclaims nothing, or scans fewer pages than it asked for, lowers it, as
 * balance_pgdat()'s raise_priority does; below 1 the run ends and a new one
 * starts at DEF_PRIORITY). A batch costs cost.scan_ns per page scanned
 * plus write costs, and the next batch is queued that much later, so trace
 * rows keep arriving while kswapd works and can push a zone below MIN into
 * direct reclaim. When any eligible zone passes HIGH at kswapd_order the
 * node is balanced: kswapd naps kswapd.nap_ms (kswapd_try_to_sleep()); a
 * wake-up during the nap counts kswapd_low_wmark_hit_quickly and resumes
 * work, a node unbalanced when the nap ends counts
 * kswapd_high_wmark_hit_quickly; otherwise mm_vmscan_kswapd_sleep.
 * After reclaiming 2 << order pages kswapd drops to order 0 (high orders are
 * left to compaction). A run that reclaims nothing at any priority counts a
 * kswapd failure; at MAX_KSWAPD_FAILURES (16) the node is hopeless and
 * kswapd is no longer woken until some reclaim frees pages.
 *
 * kcompactd (§3.3): a wake-up that finds the node balanced (or hopeless)
 * wakes kcompactd instead when the caller cannot reclaim directly; before
 * its nap kswapd resets the compaction skip hints and wakes kcompactd for
 * the order it was woken for, and the end of boost reclaim wakes it for
 * pageblock_order; a hopeless kswapd does the same before it sleeps.
 *
 * Direct reclaim (§4.9): try_to_free_pages() counts allocstall_<zone>, logs
 * mm_vmscan_direct_reclaim_begin, and runs shrink_node() at priorities 12
 * down to 0 until nr_to_reclaim pages are freed. The simulated time spent
 * (scan and write costs) is charged to the allocating process as a stall;
 * it never moves later trace rows (open-loop replay).
 *
 * The policy hears when a reclaim invocation ends (reclaim_done: the end of
 * try_to_free_pages(), of a kswapd run), where the kernel takes
 * snapshot_refaults(); a policy that asks for it (MGLRU's min_ttl_ms,
 * scan_control.oom_wanted) makes kswapd invoke the OOM killer.
 *
 * Simplified: kswapd's per-pass target is SWAP_CLUSTER_MAX pages rather
 * than Σ max(HIGH, 32) over the zones, so that kswapd work interleaves with
 * allocations at batch granularity; direct reclaim does not retry with
 * relaxed memcg settings (there are no memcgs yet) and is not throttled.
 */
#include "bug.h"
#include "mm/internal.h"

bool pgdat_balanced(const struct pglist_data *pgdat, unsigned order,
		    int highest_zoneidx)
{
	for (int i = 0; i <= highest_zoneidx && i < (int)pgdat->nr_zones; i++) {
		const struct zone *z = &pgdat->zones[i];

		if (!z->managed_pages)
			continue;
		if (zone_watermark_ok(z, order, wmark_pages(z, WMARK_HIGH),
				      highest_zoneidx, 0,
				      (int64_t)z->free_pages))
			return true;
	}
	return false;
}

static bool pgdat_boosted(const struct pglist_data *pgdat)
{
	for (unsigned i = 0; i < pgdat->nr_zones; i++)
		if (pgdat->zones[i].watermark_boost)
			return true;
	return false;
}

uint64_t zone_reclaimable_pages(const struct sim *s,
				const struct pglist_data *pgdat, int zid)
{
	uint64_t n = pgdat->nr_zone_lru[zid][LRU_FILE];

	if (s->cfg->swap)
		n += pgdat->nr_zone_lru[zid][LRU_ANON];
	return n;
}

/* One pass of the policy over the node's lruvec, with the counters. */
static void shrink_node(struct sim *s, struct pglist_data *pgdat,
			struct scan_control *sc)
{
	struct lruvec *lruvec = &pgdat->lruvec;
	uint64_t anon = sc->nr_scanned[LRU_ANON];
	uint64_t file = sc->nr_scanned[LRU_FILE];
	uint64_t scanned;

	lruvec->ops->shrink(lruvec, sc);
	anon = sc->nr_scanned[LRU_ANON] - anon;
	file = sc->nr_scanned[LRU_FILE] - file;
	scanned = anon + file;
	count_vm_events(s, VM_pgscan_anon, anon);
	count_vm_events(s, VM_pgscan_file, file);
	count_vm_events(s, sc->kswapd ? VM_pgscan_kswapd : VM_pgscan_direct,
			scanned);
}

/* A reclaim invocation ended: the policy's snapshot_refaults() point. */
static void reclaim_done(struct pglist_data *pgdat)
{
	struct lruvec *lruvec = &pgdat->lruvec;

	if (lruvec->ops->reclaim_done)
		lruvec->ops->reclaim_done(lruvec);
}

static uint64_t sc_scanned(const struct scan_control *sc)
{
	return sc->nr_scanned[LRU_ANON] + sc->nr_scanned[LRU_FILE];
}

static void scan_control_init(struct sim *s, struct scan_control *sc,
			      uint64_t nr_to_reclaim, int highest_zoneidx,
			      unsigned order, bool kswapd)
{
	*sc = (struct scan_control){
		.nr_to_reclaim = nr_to_reclaim,
		.priority = DEF_PRIORITY,
		.may_swap = s->cfg->swap,
		.may_writepage = true,
		.reclaim_idx = highest_zoneidx,
		.swappiness = s->cfg->swappiness,
		.kswapd = kswapd,
		.order = order,
	};
}

uint64_t try_to_free_pages(struct sim *s, struct pglist_data *pgdat,
			   unsigned order, gfp_t gfp, int highest_zoneidx,
			   uint32_t pid)
{
	struct sim_proc *proc = sim_proc(s, pid);
	struct emit_direct_reclaim_end end;
	struct scan_control sc;
	uint64_t stall_ns;

	scan_control_init(s, &sc, s->cfg->nr_to_reclaim, highest_zoneidx,
			  order, false);
	pgdat->zone_vm[highest_zoneidx][ZVM_allocstall]++;
	proc->allocstall++;
	emit_direct_reclaim_begin(s->log, s->now_ns, pid, order, gfp);
	for (int prio = DEF_PRIORITY; prio >= 0; prio--) {
		sc.priority = prio;
		shrink_node(s, pgdat, &sc);
		if (sc.nr_reclaimed >= sc.nr_to_reclaim)
			break;
	}
	if (sc.nr_reclaimed)
		pgdat->kswapd_failures = 0;
	reclaim_done(pgdat);
	stall_ns = sc_scanned(&sc) * s->cfg->scan_cost_ns + sc.nr_io_ns;
	proc = sim_proc(s, pid);	/* the table may have grown */
	proc->direct_reclaim_ns += stall_ns;
	s->stats.direct_reclaim_ns += stall_ns;
	end = (struct emit_direct_reclaim_end){ pid, sc.nr_reclaimed,
						sc_scanned(&sc), stall_ns };
	emit_direct_reclaim_end(s->log, s->now_ns, &end);
	return sc.nr_reclaimed;
}

/*
 * A balance_pgdat() run begins. The kernel's kswapd() loop traces
 * mm_vmscan_kswapd_wake before every run, whether kswapd slept, was woken
 * during its nap, or found the node unbalanced when the nap ended; so do we,
 * and kswapd_wake counts those events.
 */
static void kswapd_start_run(struct sim *s, struct pglist_data *pgdat)
{
	count_vm_events(s, VM_kswapd_wake, 1);
	emit_kswapd_wake(s->log, s->now_ns, pgdat->node_id,
			 pgdat->kswapd_highest_zoneidx, pgdat->kswapd_order);
	pgdat->kswapd_state = KSWAPD_RUNNING;
	pgdat->kswapd_priority = DEF_PRIORITY;
	pgdat->kswapd_run_reclaimed = 0;
	count_vm_events(s, VM_pageoutrun, 1);
	eventq_push(s->q, s->now_ns, SIM_EV_KSWAPD, (uint32_t)pgdat->node_id,
		    0);
}

void wakeup_kswapd_idle(struct sim *s, struct pglist_data *pgdat,
			unsigned order, int highest_zoneidx, gfp_t gfp)
{
	if (pgdat->kswapd_failures >= MAX_KSWAPD_FAILURES ||
	    (pgdat_balanced(pgdat, order, highest_zoneidx) &&
	     !pgdat_boosted(pgdat))) {
		/*
		 * No reclaim needed (or none possible): a high-order
		 * shortage is fragmentation, which kcompactd can fix for a
		 * caller that cannot compact itself.
		 */
		if (!(gfp & __GFP_DIRECT_RECLAIM))
			wakeup_kcompactd(s, pgdat, (int)order,
					 highest_zoneidx);
		return;
	}
	/* Woken during the nap: back to work at once. */
	if (pgdat->kswapd_state == KSWAPD_NAPPING)
		count_vm_events(s, VM_kswapd_low_wmark_hit_quickly, 1);
	kswapd_start_run(s, pgdat);
}

static void kswapd_sleep(struct sim *s, struct pglist_data *pgdat)
{
	pgdat->kswapd_state = KSWAPD_SLEEPING;
	pgdat->kswapd_order = 0;
	pgdat->kswapd_alloc_order = 0;
	pgdat->kswapd_highest_zoneidx = 0;
	emit_kswapd_sleep(s->log, s->now_ns, pgdat->node_id);
}

static void kswapd_try_to_sleep(struct sim *s, struct pglist_data *pgdat)
{
	int hzi = pgdat->kswapd_highest_zoneidx;
	bool boosted = false;

	/* Boost reclaim is over once the node is balanced. */
	for (unsigned i = 0; i < pgdat->nr_zones; i++) {
		struct zone *z = &pgdat->zones[i];

		if (z->watermark_boost) {
			z->watermark_boost = 0;
			boosted = true;
			zone_note_free(s, z);
		}
	}
	/* balance_pgdat()'s end: boost reclaim hands over to kcompactd. */
	if (boosted)
		wakeup_kcompactd(s, pgdat, (int)pgdat->zones[0].pageblock_order,
				 hzi);
	/* kswapd_try_to_sleep(): skip hints reset, kcompactd for the
	 * order kswapd was woken for. */
	compaction_kswapd_sleep(s, pgdat);
	wakeup_kcompactd(s, pgdat, (int)pgdat->kswapd_alloc_order, hzi);
	pgdat->kswapd_state = KSWAPD_NAPPING;
	pgdat->kswapd_nap_start_ns = s->now_ns;
	eventq_push(s->q, s->now_ns + s->cfg->kswapd_nap_ns, SIM_EV_KSWAPD_NAP,
		    (uint32_t)pgdat->node_id, 0);
}

/* One balance_pgdat() batch; queues the next one after its cost. */
static void kswapd_batch(struct sim *s, struct pglist_data *pgdat)
{
	struct scan_control sc;
	uint64_t cost_ns;
	int hzi = pgdat->kswapd_highest_zoneidx;

	if (pgdat_balanced(pgdat, pgdat->kswapd_order, hzi) &&
	    !pgdat_boosted(pgdat)) {
		reclaim_done(pgdat);
		kswapd_try_to_sleep(s, pgdat);
		return;
	}
	scan_control_init(s, &sc, SWAP_CLUSTER_MAX, hzi, pgdat->kswapd_order,
			  true);
	sc.priority = pgdat->kswapd_priority;
	shrink_node(s, pgdat, &sc);
	if (sc.oom_wanted)	/* MGLRU: the working set is younger than min_ttl */
		out_of_memory(s, pgdat->kswapd_order, 0);
	pgdat->kswapd_run_reclaimed += sc.nr_reclaimed;
	if (sc.nr_reclaimed)
		pgdat->kswapd_failures = 0;
	/*
	 * balance_pgdat(): raise the priority unless the pass scanned its
	 * target (kswapd_shrink_node()) and reclaimed something.
	 */
	if ((sc_scanned(&sc) < sc.nr_to_reclaim || !sc.nr_reclaimed) &&
	    --pgdat->kswapd_priority < 1) {
		/* The run ends; it failed if it freed nothing at all. */
		reclaim_done(pgdat);
		if (pgdat->kswapd_run_reclaimed == 0)
			pgdat->kswapd_failures++;
		if (pgdat->kswapd_failures >= MAX_KSWAPD_FAILURES) {
			/* Hopeless: prepare_kswapd_sleep() lets it sleep, and
			 * kswapd_try_to_sleep() hands over to kcompactd. */
			compaction_kswapd_sleep(s, pgdat);
			wakeup_kcompactd(s, pgdat, (int)pgdat->kswapd_alloc_order,
					 pgdat->kswapd_highest_zoneidx);
			kswapd_sleep(s, pgdat);
			return;
		}
		pgdat->kswapd_priority = DEF_PRIORITY;
		pgdat->kswapd_run_reclaimed = 0;
		count_vm_events(s, VM_pageoutrun, 1);
	}
	/* High-order work is left to compaction once 2 << order are free. */
	if (pgdat->kswapd_order &&
	    pgdat->kswapd_run_reclaimed >= (2ull << pgdat->kswapd_order))
		pgdat->kswapd_order = 0;
	cost_ns = sc_scanned(&sc) * s->cfg->scan_cost_ns + sc.nr_io_ns;
	s->stats.kswapd_busy_ns += cost_ns;
	pgdat->kswapd_busy_until_ns = s->now_ns + cost_ns;
	eventq_push(s->q, s->now_ns + cost_ns, SIM_EV_KSWAPD,
		    (uint32_t)pgdat->node_id, 0);
}

void kswapd_event(struct sim *s, uint32_t kind, uint32_t nid)
{
	struct pglist_data *pgdat = &s->nodes[nid];

	if (kind == SIM_EV_KSWAPD) {
		if (pgdat->kswapd_state == KSWAPD_RUNNING)
			kswapd_batch(s, pgdat);
		return;
	}
	/* The nap ended; a wake-up during it already restarted the run. */
	if (pgdat->kswapd_state != KSWAPD_NAPPING ||
	    s->now_ns < pgdat->kswapd_nap_start_ns + s->cfg->kswapd_nap_ns)
		return;
	if (pgdat_balanced(pgdat, pgdat->kswapd_order,
			   pgdat->kswapd_highest_zoneidx)) {
		kswapd_sleep(s, pgdat);
		return;
	}
	count_vm_events(s, VM_kswapd_high_wmark_hit_quickly, 1);
	kswapd_start_run(s, pgdat);
}

bool lruvec_reclaim_folio(struct lruvec *lruvec, uint32_t pfn,
			  struct scan_control *sc)
{
	struct sim *s = lruvec->sim;
	struct pglist_data *pgdat = &s->nodes[lruvec->nid];
	struct page *page = &s->mem_map[pfn];
	enum lru_type type = page_lru_type(page);
	struct pm_entry *e;

	SIM_BUG_ON(!(page->flags & PG_lru) || page->mapping == PM_NONE);
	if (type == LRU_ANON && !sc->may_swap)
		return false;
	if (page->flags & PG_thp)
		thp_break(s, pfn);
	e = pagemap_entry(s->pm, page->mapping);
	e->shadow = workingset_eviction(lruvec, page);
	e->pfn = PFN_NONE;
	s->nr_shadows++;
	if (type == LRU_ANON) {
		struct sim_proc *proc =
			sim_proc(s, pagemap_obj_get(s->pm, e->obj)->pid);

		proc->rss_anon--;
		proc->swap_pages++;
		count_vm_events(s, VM_pswpout, 1);
		sc->nr_io_ns += s->cfg->swapout_cost_ns;
	} else if (page->flags & PG_dirty) {
		sc->nr_io_ns += s->cfg->writeback_cost_ns;
	}
	lruvec->nr_pages[type]--;
	pgdat->nr_zone_lru[page->zone][type]--;
	count_vm_events(s, sc->kswapd ? VM_pgsteal_kswapd : VM_pgsteal_direct,
			1);
	count_vm_events(s, type == LRU_ANON ? VM_pgsteal_anon : VM_pgsteal_file,
			1);
	page->flags = 0;
	page->mapping = PM_NONE;
	sim_free_pages(s, pfn, 0);
	sc->nr_reclaimed++;
	return true;
}
