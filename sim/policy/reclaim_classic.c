/*
 * reclaim_classic.c - the kernel's two-list LRU (mm/vmscan.c, mm/swap.c,
 * mm/workingset.c as of 6.12; kernel-model.md §4 and §5).
 *
 * Lists. One lruvec per node (there are no memcgs) holds the kernel's five
 * lists, enum lru_list: inactive anon, active anon, inactive file, active
 * file, unevictable. Anon means swap-backed. Sizes are also kept per zone,
 * as the kernel's nr_zone_* counters, so that a reclaim for a low zone
 * (sc->reclaim_idx) sizes its scan from eligible pages only and skips the
 * others at isolation (isolate_lru_folios(): skipped pages go back to the
 * head, count pgskip_<zone>, and do not use up the scan budget but are
 * included in nr_scanned, hence in pgscan_*).
 *
 * Entry (folio_add_lru(), kernel-model.md §4.2). A new page joins the
 * inactive list of its type; a refault that passed the workingset test
 * (workingset.c, §5.3) joins the active list, and when its shadow said it
 * had been active before (restore) it gets PG_workingset and its type is
 * charged one refault I/O in the reclaim cost (lru_note_cost_refault()).
 *
 * What an `access` row is. An anon access is a load or store through a
 * mapping: it sets the PTE accessed bit (PG_young) and nothing else; the
 * fault that brings a page in also leaves the PTE young. A file access is a
 * read() or write() through the page cache: it calls folio_mark_accessed()
 * (mm/swap.c), the two-step promotion - inactive and unreferenced: set
 * PG_referenced; inactive and referenced: activate (pgactivate, clear
 * PG_referenced, workingset_activation() ages nonresident_age by one);
 * active and unreferenced: set PG_referenced. The read that faults a file
 * page in marks it accessed too (filemap_read() after the read-in), so a
 * page-cache page is promoted on its second read while inactive. A write
 * row is referenced like a read (the kernel's write() path marks pages
 * accessed or not depending on the filesystem) and also dirties the page
 * (the engine sets PG_dirty). File pages are never mapped here (no
 * PG_young).
 * The per-CPU folio batches are not modelled: every move is immediate.
 *
 * Reclaim (shrink_node() -> shrink_lruvec(), once per call of shrink()):
 *  - prepare_scan_control(): may_deactivate[type] when the type's
 *    workingset_activate_* counter moved since the last snapshot
 *    (snapshot_refaults(), taken when a reclaim invocation ends: the
 *    reclaim_done op) or its inactive list is low; cache_trim_mode when
 *    inactive_file >> priority is non-zero and file needs no deactivation;
 *    file_is_tiny when file + free <= the sum of the HIGH marks, anon needs
 *    no deactivation, and inactive_anon >> priority is non-zero.
 *  - inactive_is_low(): inactive x int_sqrt(10 x GiB) < active, ratio 1 under
 *    1 GiB of the type.
 *  - get_scan_count(): SCAN_FILE when there is no swap (anon is then never
 *    scanned), SCAN_EQUAL at priority 0 with swappiness > 0, SCAN_ANON when
 *    file is tiny, SCAN_FILE in cache_trim_mode, else SCAN_FRACT with
 *    ap = swappiness (S+1)/(A+1), fp = (200 - swappiness)(S+1)/(F+1) from
 *    the decayed costs; each list's target is its eligible size >> priority.
 *  - shrink_lruvec(): batches of SWAP_CLUSTER_MAX over inactive anon,
 *    active anon, inactive file, active file while inactive anon, active
 *    file or inactive file have target left; once the pages reclaimed reach
 *    nr_to_reclaim (never checked for direct reclaim at DEF_PRIORITY), the
 *    type with less left is stopped and the other trimmed to the same
 *    fraction of its target, then one more round and out. Afterwards, if
 *    anon can be aged and inactive anon is low, 32 active anon pages are
 *    deactivated.
 *  - shrink_active_list(): isolate from the tail, pgrefill += scanned; the
 *    referenced test clears the young bits; every page is deactivated
 *    (PG_active cleared, PG_workingset set, to the inactive head,
 *    pgdeactivate) except referenced executable file pages, which the
 *    kernel rotates on the active list - the trace has no VM_EXEC, so none
 *    stay. Active lists are scanned only when may_deactivate allows.
 *  - shrink_inactive_list(): isolate from the tail (pgscan_*), then per
 *    page (shrink_folio_list(), folio_check_references()): under writeback
 *    -> PG_reclaim, activate; young PTE -> set PG_referenced and activate if
 *    it was already set, else keep (back to the head: the second chance); no
 *    young PTE but PG_referenced on a file page -> reclaim if clean;
 *    otherwise reclaim. A dirty file page is not written by reclaim: it
 *    gets PG_reclaim, counts nr_vmscan_immediate_reclaim, is activated, and
 *    goes to the flusher (flusher.h: clean after reclaim.writeback_delay_ms,
 *    then rotated to the inactive tail, pgrotated). Anon pages go to swap
 *    (lruvec_reclaim_folio(): pswpout, shadow entry, freed): swap-out is
 *    synchronous, as with zram - the kernel's async swap writes would keep
 *    the page one more round; anon needs sc->may_writepage, and without
 *    swap it is activated (add_to_swap() fails). Survivors go back
 *    (activated to the active head, nonresident_age += activated, counted
 *    pgactivate; kept to the inactive head); lru_note_cost(type, pages
 *    written, scanned - reclaimed) adds nr_io x 32 + rotations to the
 *    type's cost and halves both costs once they exceed a quarter of the
 *    LRU pages; mm_vmscan_lru_shrink_inactive is logged.
 *
 * The refault test (workingset_size(), §5.3): file refaults compare the
 * distance with active file, anon refaults with active + inactive file; with
 * swap, active anon is added, and for file refaults inactive anon as well.
 *
 * Simplified, besides the above: one page per folio (access rows with an
 * order arrive as single pages); no memcg, so no protection and no cgroup
 * reclaim; no VM_LOCKED (unevictable only if the engine marks a page so),
 * no VM_EXEC, no multiply-mapped pages (at most one young PTE); no
 * too_many_isolated() or writeback throttling; kswapd does not write dirty
 * file pages itself (PGDAT_DIRTY) and the PGDAT_WRITEBACK immediate-reclaim
 * case is folded into the plain writeback case; the write cost of a dirty
 * page (cost.writeback_ns) is charged to the reclaim pass that hands it to
 * the flusher. kswapd_age_node() is not called separately: the engine's
 * kswapd shrinks in batches of 32, and shrink_lruvec()'s own closing step
 * already ages active anon after every batch.
 *
 * Invariants (classic_check): every LRU page is on exactly the list its
 * flags name (type from PG_swapbacked, PG_active, PG_unevictable), the
 * lists' and zones' counts match their contents and the engine's per-type
 * totals. Cost: O(1) per access and per page scanned (the scan targets are
 * proportional to the work), O(1) per pass besides that.
 */
#include <stdlib.h>

#include "bug.h"
#include "kmath.h"
#include "mm/list.h"
#include "policy/flusher.h"
#include "policy/lru_warm.h"
#include "sim.h"
#include "xalloc.h"

enum lru_list {
	LRU_INACTIVE_ANON,
	LRU_ACTIVE_ANON,
	LRU_INACTIVE_FILE,
	LRU_ACTIVE_FILE,
	LRU_UNEVICTABLE,
	NR_LRU_LISTS
};

#define LRU_ACTIVE_OFF		1	/* active list = inactive + 1 (LRU_ACTIVE) */
#define LRU_FILE_OFF		2	/* file list = anon + 2 (LRU_FILE) */
#define NR_EVICTABLE_LRU	LRU_UNEVICTABLE
#define DEACTIVATE_ANON		1u
#define DEACTIVATE_FILE		2u

enum scan_balance { SCAN_EQUAL, SCAN_FRACT, SCAN_ANON, SCAN_FILE };

enum folio_references {
	FOLIOREF_RECLAIM,
	FOLIOREF_RECLAIM_CLEAN,
	FOLIOREF_KEEP,
	FOLIOREF_ACTIVATE,
};

struct classic {
	struct page_list lists[NR_LRU_LISTS];
	uint64_t nr_zone[MAX_NR_ZONES][NR_LRU_LISTS];	/* pages per zone */
	uint64_t anon_cost, file_cost;	/* decayed reclaim cost (lru_note_cost) */
	uint64_t refaults[NR_LRU_TYPES];	/* workingset_activate_* snapshot */
	struct flusher flusher;
	/* Warming the next victims from each inactive tail (lru_warm.h). */
	struct lru_warm warm[NR_LRU_TYPES];
};

/* What prepare_scan_control() decides for one shrink_node() pass. */
struct classic_scan {
	unsigned may_deactivate;	/* DEACTIVATE_* bits */
	bool cache_trim_mode;
	bool file_is_tiny;
};

/* shrink_folio_list()'s struct reclaim_stat. */
struct reclaim_stat {
	uint64_t nr_dirty, nr_unqueued_dirty, nr_congested, nr_writeback;
	uint64_t nr_immediate, nr_pageout, nr_ref_keep;
	uint64_t nr_activate[NR_LRU_TYPES];
};

static struct classic *classic_of(struct lruvec *lruvec)
{
	return lruvec->priv;
}

static bool is_file_lru(enum lru_list lru)
{
	return lru == LRU_INACTIVE_FILE || lru == LRU_ACTIVE_FILE;
}

static bool is_active_lru(enum lru_list lru)
{
	return lru == LRU_ACTIVE_ANON || lru == LRU_ACTIVE_FILE;
}

/* folio_lru_list(): the list a page's flags put it on. */
static enum lru_list folio_lru_list(const struct page *page)
{
	if (page->flags & PG_unevictable)
		return LRU_UNEVICTABLE;
	return (enum lru_list)((page_lru_type(page) == LRU_FILE ? LRU_FILE_OFF : 0) +
			       ((page->flags & PG_active) ? LRU_ACTIVE_OFF : 0));
}

static void lru_add(struct classic *c, struct page *map, uint32_t pfn,
		    bool tail)
{
	enum lru_list lru = folio_lru_list(&map[pfn]);

	if (tail)
		page_list_add_tail(map, &c->lists[lru], pfn);
	else
		page_list_add_head(map, &c->lists[lru], pfn);
	map[pfn].lru = (uint8_t)lru;
	c->nr_zone[map[pfn].zone][lru]++;
}

/* The oldest page of type t's inactive list: where its warming walk starts. */
static uint32_t inactive_tail(const struct classic *c, int t)
{
	return c->lists[t == LRU_FILE ? LRU_INACTIVE_FILE :
					LRU_INACTIVE_ANON].tail;
}

/* Restarts the warming walks from the inactive tails. */
static void classic_warm_reset(struct classic *c)
{
	for (int t = 0; t < NR_LRU_TYPES; t++)
		lru_warm_reset(&c->warm[t], inactive_tail(c, t));
}

/*
 * One step of the walk on each inactive list. A walk that left its list
 * (its page was activated or freed: no more pages before it) starts over
 * from the tail; one that the reclaim caught up with is reset by
 * isolate_lru_folios().
 */
static void classic_warm_step(struct lruvec *lruvec, struct classic *c)
{
	for (int t = 0; t < NR_LRU_TYPES; t++) {
		struct lru_warm *w = &c->warm[t];

		if (w->pfn >= lruvec->sim->nr_pfns &&
		    w->pages < LRU_WARM_PAGES)
			lru_warm_reset(w, inactive_tail(c, t));
		lru_warm_step(lruvec->sim, w);
	}
}

static void lru_del(struct classic *c, struct page *map, uint32_t pfn)
{
	enum lru_list lru = map[pfn].lru;

	page_list_del(map, &c->lists[lru], pfn);
	c->nr_zone[map[pfn].zone][lru]--;
}

static uint64_t lru_size(const struct classic *c, enum lru_list lru)
{
	return c->lists[lru].nr;
}

/* lruvec_lru_size(): pages of the list in zones 0..zone_idx. */
static uint64_t lru_size_eligible(const struct classic *c, enum lru_list lru,
				  int zone_idx)
{
	uint64_t n = 0;

	for (int z = 0; z <= zone_idx && z < MAX_NR_ZONES; z++)
		n += c->nr_zone[z][lru];
	return n;
}

/* ---- costs, workingset clock, writeback completion ---- */

/* lru_note_cost(): I/O weighs SWAP_CLUSTER_MAX rotations; decays. */
static void lru_note_cost(struct classic *c, enum lru_type type,
			  uint64_t nr_io, uint64_t nr_rotated)
{
	uint64_t lrusize = 0;

	if (type == LRU_FILE)
		c->file_cost += nr_io * SWAP_CLUSTER_MAX + nr_rotated;
	else
		c->anon_cost += nr_io * SWAP_CLUSTER_MAX + nr_rotated;
	for (int lru = 0; lru < NR_EVICTABLE_LRU; lru++)
		lrusize += lru_size(c, (enum lru_list)lru);
	if (c->file_cost + c->anon_cost > lrusize / 4) {
		c->file_cost /= 2;
		c->anon_cost /= 2;
	}
}

/* folio_end_writeback() -> folio_rotate_reclaimable() -> lru_move_tail(). */
static void classic_end_writeback(struct lruvec *lruvec, uint32_t pfn)
{
	struct classic *c = classic_of(lruvec);
	struct page *map = lruvec->sim->mem_map;
	struct page *page = &map[pfn];

	if (!(page->flags & PG_reclaim))
		return;
	page->flags &= ~PG_reclaim;
	if (page->flags & (PG_dirty | PG_unevictable))
		return;
	lru_del(c, map, pfn);
	page->flags &= ~PG_active;
	lru_add(c, map, pfn, true);
	count_vm_events(lruvec->sim, VM_pgrotated, 1);
}

static void classic_flush(struct lruvec *lruvec)
{
	struct flusher *f = &classic_of(lruvec)->flusher;

	if (flusher_due(f, lruvec->sim->now_ns))
		flusher_run(f, lruvec, classic_end_writeback);
}

/* ---- entry and references ---- */

/* folio_mark_accessed(): the two-step promotion of page-cache accesses. */
static void folio_mark_accessed(struct lruvec *lruvec, uint32_t pfn)
{
	struct classic *c = classic_of(lruvec);
	struct page *map = lruvec->sim->mem_map;
	struct page *page = &map[pfn];

	if (!(page->flags & PG_referenced)) {
		page->flags |= PG_referenced;
		return;
	}
	if (page->flags & (PG_unevictable | PG_active))
		return;
	lru_del(c, map, pfn);
	page->flags = (page->flags | PG_active) & ~PG_referenced;
	lru_add(c, map, pfn, false);
	count_vm_events(lruvec->sim, VM_pgactivate, 1);
	lruvec_age_nonresident(lruvec, 1);	/* workingset_activation() */
}

static void classic_add_folio(struct lruvec *lruvec, uint32_t pfn,
			      const struct fault_info *fi)
{
	struct classic *c = classic_of(lruvec);
	struct page *page = &lruvec->sim->mem_map[pfn];
	enum lru_type type = fi->type == PAGE_FILE ? LRU_FILE : LRU_ANON;

	classic_flush(lruvec);
	page->flags &= ~(PG_active | PG_referenced | PG_young | PG_workingset |
			 PG_reclaim | PG_writeback);
	if (fi->activate)
		page->flags |= PG_active;
	if (fi->workingset) {
		page->flags |= PG_workingset;
		lru_note_cost(c, type, 1, 0);	/* lru_note_cost_refault() */
	}
	if (type == LRU_ANON)
		page->flags |= PG_young;	/* the faulting access */
	lru_add(c, lruvec->sim->mem_map, pfn, false);
	if (type == LRU_FILE)
		folio_mark_accessed(lruvec, pfn);	/* filemap_read() */
	classic_warm_step(lruvec, c);
}

static void classic_mark_accessed(struct lruvec *lruvec, uint32_t pfn,
				  const struct access_info *ai)
{
	classic_flush(lruvec);
	if (ai->type == PAGE_ANON)
		lruvec->sim->mem_map[pfn].flags |= PG_young;
	else
		folio_mark_accessed(lruvec, pfn);
}

static void classic_del_folio(struct lruvec *lruvec, uint32_t pfn)
{
	lru_del(classic_of(lruvec), lruvec->sim->mem_map, pfn);
}

static void classic_move_folio(struct lruvec *lruvec, uint32_t old_pfn,
			       uint32_t new_pfn)
{
	struct classic *c = classic_of(lruvec);
	struct page *map = lruvec->sim->mem_map;
	enum lru_list lru = map[old_pfn].lru;

	page_list_replace(map, &c->lists[lru], old_pfn, new_pfn);
	c->nr_zone[map[old_pfn].zone][lru]--;
	c->nr_zone[map[new_pfn].zone][lru]++;
	map[new_pfn].lru = (uint8_t)lru;
	map[new_pfn].priv = map[old_pfn].priv;
}

/* ---- isolation ---- */

/*
 * isolate_lru_folios(): takes up to nr_to_scan eligible pages from the tail
 * of lru onto dst (oldest at dst's tail); ineligible ones go back to the
 * head. Returns the pages taken; *nr_scanned includes the skipped ones.
 */
static uint64_t isolate_lru_folios(struct lruvec *lruvec, uint64_t nr_to_scan,
				   struct page_list *dst, uint64_t *nr_scanned,
				   const struct scan_control *sc,
				   enum lru_list lru)
{
	struct classic *c = classic_of(lruvec);
	struct sim *s = lruvec->sim;
	struct page *map = s->mem_map;
	struct page_list *src = &c->lists[lru], skipped;
	uint64_t scan = 0, total_scan = 0, nr_taken = 0;

	page_list_init(&skipped);
	while (scan < nr_to_scan && !page_list_empty(src)) {
		uint32_t pfn = src->tail;
		int zid = map[pfn].zone;

		total_scan++;
		lru_del(c, map, pfn);
		if (zid > sc->reclaim_idx) {
			s->nodes[lruvec->nid].zone_vm[zid][ZVM_pgskip]++;
			page_list_add_head(map, &skipped, pfn);
			continue;
		}
		scan++;
		nr_taken++;
		page_list_add_head(map, dst, pfn);
		if (!is_active_lru(lru)) {
			struct lru_warm *w = &c->warm[is_file_lru(lru) ?
						      LRU_FILE : LRU_ANON];

			/* The walk is one page shorter, or caught up. */
			if (pfn == w->pfn)
				lru_warm_reset(w, src->tail);
			else if (w->pages)
				w->pages--;
		}
	}
	/* list_splice(&folios_skipped, src): they keep their order. */
	while (!page_list_empty(&skipped)) {
		uint32_t pfn = skipped.tail;

		page_list_del(map, &skipped, pfn);
		lru_add(c, map, pfn, false);
	}
	*nr_scanned = total_scan;
	return nr_taken;
}

/* ---- the active list ---- */

static void emit_active(struct lruvec *lruvec, const struct scan_control *sc,
			bool file, uint64_t nr_taken, uint64_t nr_activate,
			uint64_t nr_deactivate, uint64_t nr_rotated)
{
	struct emit_shrink_active e = {
		.nid = lruvec->nid, .nr_taken = nr_taken,
		.nr_active = nr_activate, .nr_deactivated = nr_deactivate,
		.nr_referenced = nr_rotated, .priority = sc->priority,
		.file = file, .kswapd = sc->kswapd,
	};

	emit_shrink_active(lruvec->sim->log, lruvec->sim->now_ns, &e);
}

/*
 * shrink_active_list(): everything isolated is deactivated. The kernel
 * keeps referenced VM_EXEC file pages active; with no VM_EXEC in a trace
 * nr_rotated stays 0, so neither lru_note_cost() nor aging happens here.
 */
static void shrink_active_list(struct lruvec *lruvec, uint64_t nr_to_scan,
			       const struct scan_control *sc,
			       enum lru_list lru)
{
	struct classic *c = classic_of(lruvec);
	struct page *map = lruvec->sim->mem_map;
	struct page_list hold;
	uint64_t nr_scanned, nr_taken, nr_deactivate = 0;

	page_list_init(&hold);
	nr_taken = isolate_lru_folios(lruvec, nr_to_scan, &hold, &nr_scanned,
				      sc, lru);
	count_vm_events(lruvec->sim, VM_pgrefill, nr_scanned);
	while (!page_list_empty(&hold)) {
		uint32_t pfn = hold.tail;

		page_list_del(map, &hold, pfn);
		/* folio_referenced() clears the young bits it finds. */
		map[pfn].flags &= ~(PG_young | PG_active);
		map[pfn].flags |= PG_workingset;
		lru_add(c, map, pfn, false);
		nr_deactivate++;
	}
	count_vm_events(lruvec->sim, VM_pgdeactivate, nr_deactivate);
	emit_active(lruvec, sc, is_file_lru(lru), nr_taken, 0, nr_deactivate,
		    0);
}

/* ---- the inactive list ---- */

/* folio_check_references() for a page with at most one (young) PTE. */
static enum folio_references folio_check_references(struct page *page)
{
	bool referenced_ptes = page->flags & PG_young;
	bool referenced_folio = page->flags & PG_referenced;

	page->flags &= ~(PG_young | PG_referenced);
	if (referenced_ptes) {
		page->flags |= PG_referenced;
		return referenced_folio ? FOLIOREF_ACTIVATE : FOLIOREF_KEEP;
	}
	if (referenced_folio && page_lru_type(page) == LRU_FILE)
		return FOLIOREF_RECLAIM_CLEAN;
	return FOLIOREF_RECLAIM;
}

/* folio_check_dirty_writeback() feeds the tracepoint's dirty counters. */
static void note_dirty_writeback(const struct page *page,
				 struct reclaim_stat *stat)
{
	bool dirty = page->flags & PG_dirty;
	bool writeback = page->flags & PG_writeback;

	if (page_lru_type(page) != LRU_FILE)
		return;
	stat->nr_dirty += dirty || writeback;
	stat->nr_unqueued_dirty += dirty && !writeback;
	stat->nr_congested += writeback && (page->flags & PG_reclaim);
}

/* A dirty file page: mark it for immediate reclaim, hand it to the flusher. */
static void defer_dirty(struct lruvec *lruvec, uint32_t pfn,
			struct scan_control *sc, struct reclaim_stat *stat)
{
	struct sim *s = lruvec->sim;

	s->mem_map[pfn].flags |= PG_reclaim;
	count_vm_events(s, VM_nr_vmscan_immediate_reclaim, 1);
	stat->nr_immediate++;
	flusher_start(&classic_of(lruvec)->flusher, lruvec, pfn);
	sc->nr_io_ns += s->cfg->writeback_cost_ns;
}

/*
 * One page of shrink_folio_list(): true if it was reclaimed; otherwise its
 * PG_active says where it goes back (activate_locked or keep).
 */
static bool shrink_folio(struct lruvec *lruvec, uint32_t pfn,
			 struct scan_control *sc, struct reclaim_stat *stat)
{
	struct page *page = &lruvec->sim->mem_map[pfn];
	enum lru_type type = page_lru_type(page);

	note_dirty_writeback(page, stat);
	if (page->flags & PG_writeback) {
		page->flags |= PG_reclaim;
		stat->nr_writeback++;
		goto activate;
	}
	switch (folio_check_references(page)) {
	case FOLIOREF_ACTIVATE:
		goto activate;
	case FOLIOREF_KEEP:
		stat->nr_ref_keep++;
		return false;
	case FOLIOREF_RECLAIM:
	case FOLIOREF_RECLAIM_CLEAN:
		break;
	}
	if (type == LRU_ANON && !sc->may_swap)
		goto activate;		/* add_to_swap() fails */
	if (type == LRU_ANON && !sc->may_writepage)
		return false;		/* swap-out is a write */
	if (type == LRU_FILE && (page->flags & PG_dirty)) {
		defer_dirty(lruvec, pfn, sc, stat);
		goto activate;
	}
	if (lruvec_reclaim_folio(lruvec, pfn, sc)) {
		stat->nr_pageout += type == LRU_ANON;	/* swap_writepage() */
		return true;
	}
activate:
	page->flags |= PG_active;
	stat->nr_activate[type]++;
	return false;
}

static void emit_inactive(struct lruvec *lruvec, const struct scan_control *sc,
			  bool file, uint64_t nr_scanned, uint64_t nr_reclaimed,
			  const struct reclaim_stat *stat)
{
	struct emit_shrink_inactive e = {
		.nid = lruvec->nid, .nr_scanned = nr_scanned,
		.nr_reclaimed = nr_reclaimed,
		.nr_activate_anon = stat->nr_activate[LRU_ANON],
		.nr_activate_file = stat->nr_activate[LRU_FILE],
		.nr_ref_keep = stat->nr_ref_keep,
		.nr_dirty = stat->nr_dirty, .nr_writeback = stat->nr_writeback,
		.priority = sc->priority, .file = file, .kswapd = sc->kswapd,
	};

	emit_shrink_inactive(lruvec->sim->log, lruvec->sim->now_ns, &e);
}

/* shrink_inactive_list(): returns the pages reclaimed. */
static uint64_t shrink_inactive_list(struct lruvec *lruvec,
				     uint64_t nr_to_scan,
				     struct scan_control *sc,
				     enum lru_list lru)
{
	struct classic *c = classic_of(lruvec);
	struct page *map = lruvec->sim->mem_map;
	enum lru_type type = is_file_lru(lru) ? LRU_FILE : LRU_ANON;
	struct reclaim_stat stat = { 0 };
	struct page_list hold, ret;
	uint64_t nr_scanned, nr_reclaimed = 0, nr_active = 0;

	page_list_init(&hold);
	page_list_init(&ret);
	if (!isolate_lru_folios(lruvec, nr_to_scan, &hold, &nr_scanned, sc,
				lru)) {
		sc->nr_scanned[type] += nr_scanned;
		return 0;
	}
	sc->nr_scanned[type] += nr_scanned;
	while (!page_list_empty(&hold)) {
		uint32_t pfn = hold.tail;

		page_list_del(map, &hold, pfn);
		if (shrink_folio(lruvec, pfn, sc, &stat))
			nr_reclaimed++;
		else
			page_list_add_head(map, &ret, pfn);
	}
	count_vm_events(lruvec->sim, VM_pgactivate,
			stat.nr_activate[LRU_ANON] + stat.nr_activate[LRU_FILE]);
	/* move_folios_to_lru(): oldest first, each to its list's head. */
	while (!page_list_empty(&ret)) {
		uint32_t pfn = ret.tail;

		page_list_del(map, &ret, pfn);
		lru_add(c, map, pfn, false);
		nr_active += (map[pfn].flags & PG_active) != 0;
	}
	lruvec_age_nonresident(lruvec, nr_active);
	lru_note_cost(c, type, stat.nr_pageout, nr_scanned - nr_reclaimed);
	emit_inactive(lruvec, sc, type == LRU_FILE, nr_scanned, nr_reclaimed,
		      &stat);
	return nr_reclaimed;
}

/* ---- balancing ---- */

/** inactive_is_low(): the inactive:active target ratio is int_sqrt(10 x GiB). */
static bool inactive_is_low(const struct classic *c, enum lru_list inactive_lru)
{
	uint64_t inactive = lru_size(c, inactive_lru);
	uint64_t active = lru_size(c, inactive_lru + LRU_ACTIVE_OFF);
	uint64_t gb = (inactive + active) >> (30 - PAGE_SHIFT);
	uint64_t ratio = gb ? int_sqrt(10 * gb) : 1;

	return inactive * ratio < active;
}

static bool can_age_anon_pages(const struct lruvec *lruvec)
{
	return lruvec->sim->cfg->swap;	/* total_swap_pages > 0 */
}

/* Sum of the HIGH marks of the node's zones with managed pages. */
static uint64_t node_high_wmark_pages(const struct pglist_data *pgdat)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < pgdat->nr_zones; i++)
		if (pgdat->zones[i].managed_pages)
			n += wmark_pages(&pgdat->zones[i], WMARK_HIGH);
	return n;
}

static bool type_activations_moved(const struct classic *c,
				   const struct sim *s, enum lru_type type)
{
	enum vm_event_item item = type == LRU_FILE ? VM_workingset_activate_file :
						     VM_workingset_activate_anon;

	return s->vm[item] != c->refaults[type];
}

/* prepare_scan_control(). */
static struct classic_scan prepare_scan_control(struct lruvec *lruvec,
						const struct scan_control *sc)
{
	struct classic *c = classic_of(lruvec);
	struct sim *s = lruvec->sim;
	const struct pglist_data *pgdat = &s->nodes[lruvec->nid];
	struct classic_scan cs = { 0 };
	uint64_t file;

	if (sc->may_deactivate_force) {
		cs.may_deactivate = DEACTIVATE_ANON | DEACTIVATE_FILE;
	} else {
		if (type_activations_moved(c, s, LRU_ANON) ||
		    inactive_is_low(c, LRU_INACTIVE_ANON))
			cs.may_deactivate |= DEACTIVATE_ANON;
		if (type_activations_moved(c, s, LRU_FILE) ||
		    inactive_is_low(c, LRU_INACTIVE_FILE))
			cs.may_deactivate |= DEACTIVATE_FILE;
	}
	cs.cache_trim_mode = (lru_size(c, LRU_INACTIVE_FILE) >> sc->priority) &&
			     !(cs.may_deactivate & DEACTIVATE_FILE);
	file = lru_size(c, LRU_INACTIVE_FILE) + lru_size(c, LRU_ACTIVE_FILE);
	cs.file_is_tiny = file + node_free_pages(pgdat) <=
				  node_high_wmark_pages(pgdat) &&
			  !(cs.may_deactivate & DEACTIVATE_ANON) &&
			  (lru_size(c, LRU_INACTIVE_ANON) >> sc->priority);
	return cs;
}

static enum scan_balance scan_balance_of(const struct scan_control *sc,
					 const struct classic_scan *cs)
{
	if (!sc->may_swap)
		return SCAN_FILE;
	if (!sc->priority && sc->swappiness)
		return SCAN_EQUAL;
	if (cs->file_is_tiny)
		return SCAN_ANON;
	if (cs->cache_trim_mode)
		return SCAN_FILE;
	return SCAN_FRACT;
}

/* get_scan_count(): nr[lru] for the four evictable lists. */
static void get_scan_count(struct lruvec *lruvec, const struct scan_control *sc,
			   const struct classic_scan *cs,
			   uint64_t nr[NR_EVICTABLE_LRU])
{
	struct classic *c = classic_of(lruvec);
	enum scan_balance balance = scan_balance_of(sc, cs);
	uint64_t fraction[NR_LRU_TYPES] = { 1, 1 }, denominator = 1;

	if (balance == SCAN_FRACT) {
		uint64_t total = c->anon_cost + c->file_cost;
		uint64_t anon_cost = total + c->anon_cost;
		uint64_t file_cost = total + c->file_cost;

		total = anon_cost + file_cost;
		fraction[LRU_ANON] = sc->swappiness * (total + 1) /
				     (anon_cost + 1);
		fraction[LRU_FILE] = (200 - sc->swappiness) * (total + 1) /
				     (file_cost + 1);
		denominator = fraction[LRU_ANON] + fraction[LRU_FILE];
	}
	for (int lru = 0; lru < NR_EVICTABLE_LRU; lru++) {
		bool file = is_file_lru((enum lru_list)lru);
		uint64_t scan = lru_size_eligible(c, (enum lru_list)lru,
						  sc->reclaim_idx) >> sc->priority;

		if (balance == SCAN_FRACT)
			scan = denominator ? scan * fraction[file] / denominator
					   : 0;
		else if ((balance == SCAN_FILE && !file) ||
			 (balance == SCAN_ANON && file))
			scan = 0;
		nr[lru] = scan;
	}
}

/* shrink_list(): active lists only when deactivation is allowed. */
static uint64_t shrink_list(struct lruvec *lruvec, enum lru_list lru,
			    uint64_t nr_to_scan, struct scan_control *sc,
			    const struct classic_scan *cs)
{
	if (is_active_lru(lru)) {
		if (cs->may_deactivate & (is_file_lru(lru) ? DEACTIVATE_FILE :
							     DEACTIVATE_ANON))
			shrink_active_list(lruvec, nr_to_scan, sc, lru);
		return 0;
	}
	return shrink_inactive_list(lruvec, nr_to_scan, sc, lru);
}

/*
 * Once enough is reclaimed: stop the type with less left and trim the
 * other to the same fraction of its original target. False if either type
 * is already done (then the loop ends).
 */
static bool scan_adjust(uint64_t nr[NR_EVICTABLE_LRU],
			const uint64_t targets[NR_EVICTABLE_LRU])
{
	uint64_t nr_file = nr[LRU_INACTIVE_FILE] + nr[LRU_ACTIVE_FILE];
	uint64_t nr_anon = nr[LRU_INACTIVE_ANON] + nr[LRU_ACTIVE_ANON];
	uint64_t percentage;
	int stop, other;

	if (!nr_file || !nr_anon)
		return false;
	if (nr_file > nr_anon) {
		stop = LRU_INACTIVE_ANON;
		percentage = nr_anon * 100 / (targets[LRU_INACTIVE_ANON] +
					      targets[LRU_ACTIVE_ANON] + 1);
	} else {
		stop = LRU_INACTIVE_FILE;
		percentage = nr_file * 100 / (targets[LRU_INACTIVE_FILE] +
					      targets[LRU_ACTIVE_FILE] + 1);
	}
	nr[stop] = nr[stop + LRU_ACTIVE_OFF] = 0;
	other = stop == LRU_INACTIVE_FILE ? LRU_INACTIVE_ANON : LRU_INACTIVE_FILE;
	for (int lru = other; lru <= other + LRU_ACTIVE_OFF; lru++) {
		uint64_t scanned = targets[lru] - nr[lru];

		nr[lru] = targets[lru] * (100 - percentage) / 100;
		nr[lru] -= nr[lru] < scanned ? nr[lru] : scanned;
	}
	return true;
}

/* shrink_lruvec(). */
static void classic_shrink(struct lruvec *lruvec, struct scan_control *sc)
{
	struct classic *c = classic_of(lruvec);
	struct classic_scan cs;
	uint64_t nr[NR_EVICTABLE_LRU], targets[NR_EVICTABLE_LRU];
	uint64_t nr_reclaimed = 0;
	bool proportional_reclaim = !sc->kswapd && sc->priority == DEF_PRIORITY;

	classic_flush(lruvec);
	cs = prepare_scan_control(lruvec, sc);
	get_scan_count(lruvec, sc, &cs, nr);
	for (int lru = 0; lru < NR_EVICTABLE_LRU; lru++)
		targets[lru] = nr[lru];
	while (nr[LRU_INACTIVE_ANON] || nr[LRU_ACTIVE_FILE] ||
	       nr[LRU_INACTIVE_FILE]) {
		for (int lru = 0; lru < NR_EVICTABLE_LRU; lru++) {
			uint64_t n = nr[lru] < SWAP_CLUSTER_MAX ? nr[lru] :
								  SWAP_CLUSTER_MAX;

			if (!n)
				continue;
			nr[lru] -= n;
			nr_reclaimed += shrink_list(lruvec, (enum lru_list)lru,
						    n, sc, &cs);
		}
		if (nr_reclaimed < sc->nr_to_reclaim || proportional_reclaim)
			continue;
		if (!scan_adjust(nr, targets))
			break;
	}
	if (can_age_anon_pages(lruvec) && inactive_is_low(c, LRU_INACTIVE_ANON))
		shrink_active_list(lruvec, SWAP_CLUSTER_MAX, sc,
				   LRU_ACTIVE_ANON);
}

/* snapshot_refaults(). */
static void classic_reclaim_done(struct lruvec *lruvec)
{
	struct classic *c = classic_of(lruvec);
	const struct sim *s = lruvec->sim;

	c->refaults[LRU_ANON] = s->vm[VM_workingset_activate_anon];
	c->refaults[LRU_FILE] = s->vm[VM_workingset_activate_file];
}

/* workingset_test_recent()'s workingset size (kernel-model.md §5.3). */
static uint64_t classic_workingset_size(struct lruvec *lruvec,
					enum page_type type, bool swap)
{
	const struct classic *c = classic_of(lruvec);
	uint64_t ws = lru_size(c, LRU_ACTIVE_FILE);

	if (type == PAGE_ANON)
		ws += lru_size(c, LRU_INACTIVE_FILE);
	if (swap) {
		ws += lru_size(c, LRU_ACTIVE_ANON);
		if (type == PAGE_FILE)
			ws += lru_size(c, LRU_INACTIVE_ANON);
	}
	return ws;
}

/* ---- set-up, checks, report ---- */

static int classic_init(struct lruvec *lruvec, const struct config *cfg)
{
	struct classic *c = xcalloc(1, sizeof(*c));

	for (int lru = 0; lru < NR_LRU_LISTS; lru++)
		page_list_init(&c->lists[lru]);
	flusher_init(&c->flusher, cfg->writeback_delay_ns);
	classic_warm_reset(c);
	lruvec->priv = c;
	return 0;
}

static void classic_destroy(struct lruvec *lruvec)
{
	struct classic *c = classic_of(lruvec);

	flusher_destroy(&c->flusher);
	free(c);
	lruvec->priv = NULL;
}

static bool check_fail(const char *what, uint64_t a, uint64_t b)
{
	fprintf(stderr, "mmsim: check: classic: %s (%llu vs %llu)\n", what,
		(unsigned long long)a, (unsigned long long)b);
	return false;
}

static bool check_list(const struct classic *c, const struct page *map,
		       enum lru_list lru, uint64_t nr_zone[MAX_NR_ZONES])
{
	uint64_t n = 0;
	uint32_t prev = PFN_NONE;

	for (uint32_t p = c->lists[lru].head; p != PFN_NONE;
	     prev = p, p = map[p].next, n++) {
		if (map[p].prev != prev || !(map[p].flags & PG_lru) ||
		    map[p].lru != lru || folio_lru_list(&map[p]) != lru)
			return check_fail("page on the wrong list", p, lru);
		nr_zone[map[p].zone]++;
	}
	if (n != c->lists[lru].nr)
		return check_fail("list count", n, c->lists[lru].nr);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		if (nr_zone[z] != c->nr_zone[z][lru])
			return check_fail("zone count", nr_zone[z],
					  c->nr_zone[z][lru]);
	return true;
}

static bool classic_check(struct lruvec *lruvec)
{
	const struct classic *c = classic_of(lruvec);
	const struct page *map = lruvec->sim->mem_map;
	uint64_t by_type[NR_LRU_TYPES] = { 0 };

	for (int lru = 0; lru < NR_LRU_LISTS; lru++) {
		uint64_t nr_zone[MAX_NR_ZONES] = { 0 };

		if (!check_list(c, map, (enum lru_list)lru, nr_zone))
			return false;
	}
	for (int lru = 0; lru < NR_LRU_LISTS; lru++)
		for (uint32_t p = c->lists[lru].head; p != PFN_NONE;
		     p = map[p].next)
			by_type[page_lru_type(&map[p])]++;
	for (int t = 0; t < NR_LRU_TYPES; t++)
		if (by_type[t] != lruvec->nr_pages[t])
			return check_fail("pages of a type", by_type[t],
					  lruvec->nr_pages[t]);
	return true;
}

static void classic_report(struct lruvec *lruvec, void *json_object)
{
	static const char *const names[NR_LRU_LISTS] = {
		"nr_inactive_anon", "nr_active_anon", "nr_inactive_file",
		"nr_active_file", "nr_unevictable",
	};
	const struct classic *c = classic_of(lruvec);

	for (int lru = 0; lru < NR_LRU_LISTS; lru++)
		json_object_set_new(json_object, names[lru],
				    json_integer((json_int_t)c->lists[lru].nr));
}

const struct reclaim_ops reclaim_classic_ops = {
	.name = "classic",
	.summary = "the kernel's active/inactive LRU with workingset "
		   "refault detection (mm/vmscan.c, 6.12)",
	.init = classic_init,
	.destroy = classic_destroy,
	.add_folio = classic_add_folio,
	.mark_accessed = classic_mark_accessed,
	.del_folio = classic_del_folio,
	.move_folio = classic_move_folio,
	.shrink = classic_shrink,
	.workingset_size = classic_workingset_size,
	.reclaim_done = classic_reclaim_done,
	.check = classic_check,
	.report = classic_report,
};
