/*
 * reclaim_mglru.c - the multi-generational LRU (mm/vmscan.c lru_gen_*,
 * mm/workingset.c lru_gen_eviction()/lru_gen_refault(),
 * include/linux/mm_inline.h; Documentation/mm/multigen_lru.rst;
 * kernel-model.md §6), as of 6.12.
 *
 * Generations. Per type (anon, file) the pages are spread over generations
 * numbered by sequence: a shared max_seq (youngest) and per-type min_seq
 * (oldest), with 2..4 generations per type (MIN_NR_GENS, MAX_NR_GENS) and
 * at least as many anon as file generations. With swap, try_to_inc_min_seq()
 * keeps the two min_seq together: file's oldest generation is retired only
 * when anon's is empty too (min_seq[file] = max(new anon, old file)), so
 * file eviction waits for anon to catch up rather than racing ahead.
 * Generation seq lives in slot seq % 4, with one list per slot, type and
 * zone. Each slot records its birth time. As in the kernel, a page's
 * generation (page->gen) is updated at once when the page is found young,
 * while its list (page->lru holds the slot whose list it is on) is only
 * fixed when eviction reaches it ("sorting"); sizes are counted per logical
 * generation.
 *
 * What an `access` row is: as in reclaim_classic.c, an anon access sets
 * the PTE accessed bit (PG_young); a file access is a read()/write() through
 * the page cache, and folio_mark_accessed() only counts it (folio_inc_refs():
 * PG_referenced, then PG_workingset, then a 2-bit counter page->refs). A
 * page with N >= 1 such accesses has refs = N - 1 (at most 4) and is in tier
 * order_base_2(refs + 1), 0..3 (MAX_NR_TIERS).
 *
 * Placement (lru_gen_add_folio()): a page faulted in (every anon fault: the
 * trace's anon accesses are mapped) is active and joins the youngest
 * generation; a page that cannot be evicted yet (dirty or under writeback
 * and marked for reclaim) the second youngest; a page put back by reclaim
 * (folio_rotate_reclaimable() after write-back) the tail of the oldest; any
 * other (a file page read in) the second oldest, or the oldest if there are
 * only two generations.
 *
 * Aging (try_to_inc_max_seq(), inc_max_seq()): the page table walk clears
 * every young PTE and moves the page to the youngest generation
 * (folio_update_gen(), which also clears its refs), then a new, empty
 * generation is created (max_seq + 1), first retiring the oldest one of any
 * type that already has 4 (inc_min_seq(): its pages move to the next;
 * without swap anon's oldest slot simply becomes the new youngest). The
 * walk here visits exactly the anon pages whose young bit was set since
 * the last walk (a list of them is kept), which is what the kernel's walk
 * finds; without swap (or with swappiness 0) anon VMAs are skipped, as in
 * should_skip_vma(). lru_gen_look_around() (promoting young neighbours of a
 * page found young during eviction) is not modelled: the trace has no
 * page-table layout.
 *
 * Eviction (lru_gen_shrink_node() -> try_to_shrink_lruvec()): the budget is
 * (all evictable pages) >> priority; at priorities below DEF_PRIORITY,
 * when should_run_aging() says so (2 generations left; or 3 and the
 * youngest holds over half or the oldest under a quarter of the pages), it
 * ages instead and stops. Otherwise evict_folios() picks a type - anon if
 * its oldest generation is older than file's, else by the PID controller
 * (get_type_to_scan(): tier 0 of anon against tier 0 of file, gains
 * swappiness and 200 - swappiness; file only with swappiness 0 or no
 * swap) - and the highest tier to evict (get_tier_idx(): tiers above tier 0
 * are compared with tier 0, gain ratio 1:2; from the first tier whose
 * refault rate is too high, tiers are protected). scan_folios() then takes
 * pages from the tail of the oldest generation, zone by zone from
 * reclaim_idx down, and sorts them (sort_folio()): pages already moved to a
 * younger generation go to its list; pages of a protected tier, or with
 * saturated refs, move to the next generation (counted as protected);
 * pages of ineligible zones likewise; dirty or writeback file pages move to
 * the next generation marked PG_reclaim (and go to the flusher, see
 * below). The rest are isolated (up to 64), and shrink_folio_list()
 * activates the young ones (pgactivate; back to the youngest generation)
 * and reclaims the others. pgscan counts isolated pages and pgrefill sorted
 * ones, as in the kernel; empty oldest generations then advance min_seq
 * (try_to_inc_min_seq()).
 *
 * Refaults. The kernel's shadow holds min_seq at eviction and the page's
 * refs; a refault is recent iff that min_seq still is the type's min_seq.
 * The engine's shadow holds the workingset clock (nonresident_age), so this
 * policy advances the clock by one whenever a min_seq changes and reports
 * as workingset_size() the clock's advance since then, minus one: then
 * distance <= workingset_size exactly when the page was evicted after
 * min_seq last moved. The refs bits the kernel packs into the shadow are
 * kept in a byte per page-map slot (the slot the shadow lives in). The
 * engine's workingset bit is set at eviction for anon pages and for file
 * pages with refs >= 3, so that the engine's restore count equals
 * lru_gen_refault()'s (in the fault path, or refs >= 3): a restored page
 * gets saturated refs and PG_workingset. A recent refault adds to its
 * tier's refaulted count; evictions add to evicted, protections to
 * protected; at each min_seq change the counts fold into running averages
 * halved per generation (reset_ctrl_pos(), NR_HIST_GENS = 1 as without
 * CONFIG_LRU_GEN_STATS). Refault-activated pages are not put on the
 * youngest generation (MGLRU does not activate on refault): placement
 * follows the rules above. (The engine drops file shadows once their
 * distance exceeds the machine's pages; under MGLRU such a shadow could in
 * principle still be "recent" if more pages than that were evicted from
 * one generation - then its refault counts as a plain fault.)
 *
 * min_ttl_ms (lru_gen_age_node(), called by kswapd before each pass, for
 * order-0 work below DEF_PRIORITY): if the oldest file generation was born
 * less than min_ttl_ms ago, or the lruvec is too small to matter at this
 * priority, kswapd asks the engine for the OOM killer
 * (scan_control.oom_wanted) instead of thrashing.
 *
 * Dirty pages follow the simple model of flusher.h (reclaim.writeback_delay_ms,
 * cost.writeback_ns charged to the pass that meets the page); swap-out is
 * synchronous, as in reclaim_classic.c.
 *
 * Simplified, besides the above: no memcgs (one lruvec, no memcg LRU
 * rotation, no min/low protection); no look-around, no Bloom filters, no
 * mm_struct list; the swap cache is not modelled (a swapped-in page is
 * not in it), which matters only for non-active anon additions, which do
 * not occur; set_initial_priority() is not applied (it only acts when
 * nr_to_reclaim >= 64, and the engine asks for 32); should_abort_scan()'s
 * kswapd watermark test is kept; the kernel's active/inactive compatibility
 * counters are reported (the two youngest generations count as active).
 *
 * Invariants (mglru_check): generation numbers are valid (2 <= file gens
 * <= anon gens <= 4); every page is on the list of a live generation of its
 * type and zone, and its logical generation is live and not older than its
 * list's; the per-generation counts match. Cost: O(1) per access; aging is
 * O(pages found young); eviction is O(pages scanned).
 */
#include <stdlib.h>
#include <string.h>

#include "bug.h"
#include "mm/list.h"
#include "policy/flusher.h"
#include "sim.h"
#include "xalloc.h"

#define MIN_NR_GENS		2
#define MAX_NR_GENS		4
#define MAX_NR_TIERS		4
#define LRU_REFS_MAX		3	/* the 2-bit LRU_REFS counter */
#define LRU_REFS_SATURATED	4	/* BIT(LRU_REFS_WIDTH): counter + PG_workingset */
#define MIN_LRU_BATCH		64	/* BITS_PER_LONG */
#define MAX_LRU_BATCH		(MIN_LRU_BATCH * 64)
#define MAX_SWAPPINESS		200

struct mglru {
	uint64_t max_seq;
	uint64_t min_seq[NR_LRU_TYPES];
	uint64_t birth_ns[MAX_NR_GENS];		/* lrugen->timestamps */
	struct page_list folios[MAX_NR_GENS][NR_LRU_TYPES][MAX_NR_ZONES];
	uint64_t nr_pages[MAX_NR_GENS][NR_LRU_TYPES][MAX_NR_ZONES];
	/* PID controller: running averages and counts since min_seq moved. */
	uint64_t avg_refaulted[NR_LRU_TYPES][MAX_NR_TIERS];
	uint64_t avg_total[NR_LRU_TYPES][MAX_NR_TIERS];
	uint64_t refaulted[NR_LRU_TYPES][MAX_NR_TIERS];
	uint64_t evicted[NR_LRU_TYPES][MAX_NR_TIERS];
	uint64_t protected_pages[NR_LRU_TYPES][MAX_NR_TIERS - 1];
	uint64_t min_seq_age[NR_LRU_TYPES];	/* nonresident_age at the change */
	uint8_t *shadow_refs;		/* per page-map slot: refs at eviction */
	uint32_t nr_shadow_refs;
	uint32_t *young;		/* anon pfns made young since the walk */
	uint64_t nr_young, cap_young;
	bool can_swap;			/* swap and swappiness > 0 */
	uint64_t min_ttl_ns;
	struct flusher flusher;
};

struct ctrl_pos {
	uint64_t refaulted, total;
	unsigned gain;
};

static struct mglru *mglru_of(struct lruvec *lruvec)
{
	return lruvec->priv;
}

static unsigned gen_from_seq(uint64_t seq)
{
	return (unsigned)(seq % MAX_NR_GENS);
}

static unsigned nr_gens(const struct mglru *m, int type)
{
	return (unsigned)(m->max_seq - m->min_seq[type] + 1);
}

/* folio_lru_refs(): accesses beyond the first, 0..4. */
static unsigned folio_lru_refs(const struct page *page)
{
	return page->refs + ((page->flags & PG_workingset) ? 1u : 0u);
}

/* lru_tier_from_refs(): order_base_2(refs + 1). */
static unsigned lru_tier_from_refs(unsigned refs)
{
	static const unsigned char tier[LRU_REFS_SATURATED + 1] = {
		0, 1, 2, 2, 3
	};

	return tier[refs];
}

static void clear_refs(struct page *page)
{
	page->refs = 0;
	page->flags &= ~(PG_referenced | PG_workingset);
}

/* ---- lists ---- */

static struct page_list *slot_list(struct mglru *m, const struct page *page,
				   unsigned gen)
{
	return &m->folios[gen][page_lru_type(page)][page->zone];
}

/* Puts pfn on generation gen's list and counts it there. */
static void gen_add(struct mglru *m, struct page *map, uint32_t pfn,
		    unsigned gen, bool tail)
{
	struct page *page = &map[pfn];

	if (tail)
		page_list_add_tail(map, slot_list(m, page, gen), pfn);
	else
		page_list_add_head(map, slot_list(m, page, gen), pfn);
	page->gen = page->lru = (uint8_t)gen;
	m->nr_pages[gen][page_lru_type(page)][page->zone]++;
}

static void gen_del(struct mglru *m, struct page *map, uint32_t pfn)
{
	struct page *page = &map[pfn];

	page_list_del(map, slot_list(m, page, page->lru), pfn);
	m->nr_pages[page->gen][page_lru_type(page)][page->zone]--;
}

/* Moves pfn's list position to generation gen's list (its count stays). */
static void list_move_to(struct mglru *m, struct page *map, uint32_t pfn,
			 unsigned gen, bool tail)
{
	struct page *page = &map[pfn];

	page_list_del(map, slot_list(m, page, page->lru), pfn);
	if (tail)
		page_list_add_tail(map, slot_list(m, page, gen), pfn);
	else
		page_list_add_head(map, slot_list(m, page, gen), pfn);
	page->lru = (uint8_t)gen;
}

/* Changes pfn's logical generation (lru_gen_update_size()). */
static void set_gen(struct mglru *m, struct page *page, unsigned gen)
{
	m->nr_pages[page->gen][page_lru_type(page)][page->zone]--;
	m->nr_pages[gen][page_lru_type(page)][page->zone]++;
	page->gen = (uint8_t)gen;
}

/* lru_gen_add_folio(). */
static void lru_gen_add_folio(struct mglru *m, struct page *map, uint32_t pfn,
			      bool reclaiming)
{
	struct page *page = &map[pfn];
	int type = page_lru_type(page);
	uint64_t seq;

	if (page->flags & PG_active)
		seq = m->max_seq;
	else if ((page->flags & PG_reclaim) &&
		 (page->flags & (PG_dirty | PG_writeback)))
		seq = m->max_seq - 1;
	else if (reclaiming || m->min_seq[type] + MIN_NR_GENS >= m->max_seq)
		seq = m->min_seq[type];
	else
		seq = m->min_seq[type] + 1;
	page->flags &= ~PG_active;
	gen_add(m, map, pfn, gen_from_seq(seq), reclaiming);
}

/* ---- the PID controller ---- */

/* reset_ctrl_pos(carryover): fold this generation's counts into averages. */
static void reset_ctrl_pos(struct mglru *m, int type)
{
	for (int tier = 0; tier < MAX_NR_TIERS; tier++) {
		uint64_t total = m->avg_total[type][tier] +
				 m->evicted[type][tier];

		if (tier)
			total += m->protected_pages[type][tier - 1];
		m->avg_refaulted[type][tier] = (m->avg_refaulted[type][tier] +
						m->refaulted[type][tier]) / 2;
		m->avg_total[type][tier] = total / 2;
		m->refaulted[type][tier] = m->evicted[type][tier] = 0;
		if (tier)
			m->protected_pages[type][tier - 1] = 0;
	}
}

static struct ctrl_pos read_ctrl_pos(const struct mglru *m, int type, int tier,
				     unsigned gain)
{
	struct ctrl_pos pos = {
		.refaulted = m->avg_refaulted[type][tier] +
			     m->refaulted[type][tier],
		.total = m->avg_total[type][tier] + m->evicted[type][tier],
		.gain = gain,
	};

	if (tier)
		pos.total += m->protected_pages[type][tier - 1];
	return pos;
}

/* The PV refaults no more (relative to its total) than the SP. */
static bool positive_ctrl_err(const struct ctrl_pos *sp,
			      const struct ctrl_pos *pv)
{
	return pv->refaulted < MIN_LRU_BATCH ||
	       pv->refaulted * (sp->total + MIN_LRU_BATCH) * sp->gain <=
	       (sp->refaulted + 1) * pv->total * pv->gain;
}

/* get_tier_idx(): the highest tier of type still worth evicting. */
static int get_tier_idx(const struct mglru *m, int type)
{
	struct ctrl_pos sp = read_ctrl_pos(m, type, 0, 1);
	int tier;

	for (tier = 1; tier < MAX_NR_TIERS; tier++) {
		struct ctrl_pos pv = read_ctrl_pos(m, type, tier, 2);

		if (!positive_ctrl_err(&sp, &pv))
			break;
	}
	return tier - 1;
}

/* get_type_to_scan(): the type whose first tier refaults less. */
static int get_type_to_scan(const struct mglru *m, unsigned swappiness,
			    int *tier_idx)
{
	unsigned gain[NR_LRU_TYPES] = { swappiness, MAX_SWAPPINESS - swappiness };
	struct ctrl_pos sp = read_ctrl_pos(m, LRU_ANON, 0, gain[LRU_ANON]);
	struct ctrl_pos pv = read_ctrl_pos(m, LRU_FILE, 0, gain[LRU_FILE]);
	int type = positive_ctrl_err(&sp, &pv) ? LRU_FILE : LRU_ANON;
	int tier;

	sp = read_ctrl_pos(m, !type, 0, gain[!type]);
	for (tier = 1; tier < MAX_NR_TIERS; tier++) {
		pv = read_ctrl_pos(m, type, tier, gain[type]);
		if (!positive_ctrl_err(&sp, &pv))
			break;
	}
	*tier_idx = tier - 1;
	return type;
}

/* ---- sequence numbers ---- */

/* min_seq[type] moves: fold the controller, restart the refault window. */
static void set_min_seq(struct lruvec *lruvec, int type, uint64_t seq)
{
	struct mglru *m = mglru_of(lruvec);

	reset_ctrl_pos(m, type);
	m->min_seq[type] = seq;
	lruvec_age_nonresident(lruvec, 1);
	m->min_seq_age[type] = lruvec->nonresident_age;
}

/* folio_inc_gen(): to the generation after the oldest, unless promoted. */
static unsigned folio_inc_gen(struct mglru *m, struct page *page,
			      bool reclaiming)
{
	unsigned old_gen = gen_from_seq(m->min_seq[page_lru_type(page)]);
	unsigned new_gen = (old_gen + 1) % MAX_NR_GENS;

	if (page->gen != old_gen)
		return page->gen;
	clear_refs(page);
	if (reclaiming)
		page->flags |= PG_reclaim;
	set_gen(m, page, new_gen);
	return new_gen;
}

/* inc_min_seq(): retire the oldest generation of type. */
static void inc_min_seq(struct lruvec *lruvec, int type)
{
	struct mglru *m = mglru_of(lruvec);
	struct page *map = lruvec->sim->mem_map;
	unsigned old_gen = gen_from_seq(m->min_seq[type]);

	if (type == LRU_FILE || m->can_swap) {
		for (int zone = 0; zone < MAX_NR_ZONES; zone++) {
			struct page_list *head = &m->folios[old_gen][type][zone];

			while (!page_list_empty(head)) {
				uint32_t pfn = head->tail;

				list_move_to(m, map, pfn,
					     folio_inc_gen(m, &map[pfn], false),
					     true);
			}
		}
	}
	set_min_seq(lruvec, type, m->min_seq[type] + 1);
}

/* try_to_inc_min_seq(): skip empty oldest generations. */
static bool try_to_inc_min_seq(struct lruvec *lruvec)
{
	struct mglru *m = mglru_of(lruvec);
	uint64_t min_seq[NR_LRU_TYPES] = { m->min_seq[LRU_ANON],
					   m->min_seq[LRU_FILE] };
	bool success = false;

	for (int type = !m->can_swap; type < NR_LRU_TYPES; type++) {
		while (min_seq[type] + MIN_NR_GENS <= m->max_seq) {
			unsigned gen = gen_from_seq(min_seq[type]);
			bool empty = true;

			for (int zone = 0; zone < MAX_NR_ZONES; zone++)
				empty &= page_list_empty(&m->folios[gen][type][zone]);
			if (!empty)
				break;
			min_seq[type]++;
		}
	}
	/* With swap the file min_seq only follows anon's (lru_gen_folio). */
	if (m->can_swap) {
		if (min_seq[LRU_FILE] < min_seq[LRU_ANON])
			min_seq[LRU_ANON] = min_seq[LRU_FILE];
		min_seq[LRU_FILE] = min_seq[LRU_ANON] > m->min_seq[LRU_FILE] ?
				    min_seq[LRU_ANON] : m->min_seq[LRU_FILE];
	}
	for (int type = !m->can_swap; type < NR_LRU_TYPES; type++) {
		if (min_seq[type] == m->min_seq[type])
			continue;
		set_min_seq(lruvec, type, min_seq[type]);
		success = true;
	}
	return success;
}

/* The page table walk: every anon page made young since the last one. */
static void walk_young(struct lruvec *lruvec)
{
	struct mglru *m = mglru_of(lruvec);
	struct page *map = lruvec->sim->mem_map;
	unsigned new_gen = gen_from_seq(m->max_seq);

	for (uint64_t i = 0; i < m->nr_young; i++) {
		struct page *page = &map[m->young[i]];

		if ((page->flags & (PG_lru | PG_young | PG_swapbacked)) !=
		    (PG_lru | PG_young | PG_swapbacked))
			continue;
		page->flags &= ~PG_young;
		clear_refs(page);	/* folio_update_gen() */
		if (page->gen != new_gen)
			set_gen(m, page, new_gen);
	}
	m->nr_young = 0;
}

/* try_to_inc_max_seq() + inc_max_seq(): age, then open a new generation. */
static void inc_max_seq(struct lruvec *lruvec)
{
	struct mglru *m = mglru_of(lruvec);

	if (m->can_swap)
		walk_young(lruvec);
	for (int type = NR_LRU_TYPES - 1; type >= 0; type--)
		if (nr_gens(m, type) == MAX_NR_GENS)
			inc_min_seq(lruvec, type);
	m->birth_ns[gen_from_seq(m->max_seq + 1)] = lruvec->sim->now_ns;
	m->max_seq++;
}

/* Evictable pages (all generations of the types that may be evicted). */
static uint64_t evictable_pages(const struct mglru *m)
{
	uint64_t total = 0;

	for (int type = !m->can_swap; type < NR_LRU_TYPES; type++)
		for (uint64_t seq = m->min_seq[type]; seq <= m->max_seq; seq++)
			for (int zone = 0; zone < MAX_NR_ZONES; zone++)
				total += m->nr_pages[gen_from_seq(seq)][type][zone];
	return total;
}

static uint64_t seq_pages(const struct mglru *m, uint64_t seq, int from_type)
{
	uint64_t n = 0;

	for (int type = from_type; type < NR_LRU_TYPES; type++) {
		if (seq < m->min_seq[type])
			continue;
		for (int zone = 0; zone < MAX_NR_ZONES; zone++)
			n += m->nr_pages[gen_from_seq(seq)][type][zone];
	}
	return n;
}

/* should_run_aging(): true when a new generation is due. */
static bool should_run_aging(const struct mglru *m, uint64_t *nr_to_scan)
{
	int first = !m->can_swap;
	uint64_t total, young, old;

	if (m->min_seq[first] + MIN_NR_GENS > m->max_seq) {
		*nr_to_scan = 0;
		return true;
	}
	total = evictable_pages(m);
	young = seq_pages(m, m->max_seq, first);
	old = m->max_seq >= MIN_NR_GENS ?
	      seq_pages(m, m->max_seq - MIN_NR_GENS, first) : 0;
	*nr_to_scan = total;
	if (m->min_seq[first] + MIN_NR_GENS < m->max_seq)
		return false;
	return young * MIN_NR_GENS > total || old * (MIN_NR_GENS + 2) < total;
}

/* get_nr_to_scan(): the pass's budget; -1 after aging instead. */
static int64_t get_nr_to_scan(struct lruvec *lruvec,
			      const struct scan_control *sc)
{
	uint64_t nr_to_scan;
	bool due = should_run_aging(mglru_of(lruvec), &nr_to_scan);

	if (!due || sc->priority == DEF_PRIORITY)
		return (int64_t)(nr_to_scan >> sc->priority);
	inc_max_seq(lruvec);
	return -1;
}

/* ---- eviction ---- */

/* Starts the write-back of a dirty page reclaim met (flusher.h). */
static void start_writeback(struct lruvec *lruvec, uint32_t pfn,
			    struct scan_control *sc)
{
	flusher_start(&mglru_of(lruvec)->flusher, lruvec, pfn);
	sc->nr_io_ns += lruvec->sim->cfg->writeback_cost_ns;
}

/* sort_folio(): true if the page was moved instead of isolated. */
static bool sort_folio(struct lruvec *lruvec, uint32_t pfn,
		       struct scan_control *sc, int tier_idx)
{
	struct mglru *m = mglru_of(lruvec);
	struct page *map = lruvec->sim->mem_map;
	struct page *page = &map[pfn];
	int type = page_lru_type(page);
	unsigned refs = folio_lru_refs(page), tier = lru_tier_from_refs(refs);

	if (page->gen != gen_from_seq(m->min_seq[type])) {	/* promoted */
		list_move_to(m, map, pfn, page->gen, false);
		return true;
	}
	if ((int)tier > tier_idx || refs == LRU_REFS_SATURATED) { /* protected */
		list_move_to(m, map, pfn, folio_inc_gen(m, page, false), true);
		m->protected_pages[type][tier - 1]++;
		return true;
	}
	if (page->zone > sc->reclaim_idx) {			/* ineligible */
		list_move_to(m, map, pfn, folio_inc_gen(m, page, false), true);
		return true;
	}
	if ((page->flags & PG_writeback) ||
	    (type == LRU_FILE && (page->flags & PG_dirty))) {	/* writeback */
		if (!(page->flags & PG_writeback))
			start_writeback(lruvec, pfn, sc);
		list_move_to(m, map, pfn, folio_inc_gen(m, page, true), false);
		return true;
	}
	return false;
}

/* isolate_folio(). */
static void isolate_folio(struct mglru *m, struct page *map, uint32_t pfn)
{
	struct page *page = &map[pfn];

	if (!(page->flags & PG_referenced))
		clear_refs(page);
	page->flags &= ~(PG_reclaim | PG_referenced);
	gen_del(m, map, pfn);
}

struct scan_stat {
	uint64_t scanned, sorted, isolated;
	unsigned remaining;
};

/* One zone's list of the oldest generation; true when the batch is full. */
static bool scan_zone(struct lruvec *lruvec, struct scan_control *sc,
		      struct page_list *head, int tier, struct page_list *list,
		      struct scan_stat *st)
{
	struct mglru *m = mglru_of(lruvec);
	struct page *map = lruvec->sim->mem_map;

	while (!page_list_empty(head)) {
		uint32_t pfn = head->tail;

		st->scanned++;
		if (sort_folio(lruvec, pfn, sc, tier)) {
			st->sorted++;
		} else {
			isolate_folio(m, map, pfn);
			page_list_add_head(map, list, pfn);
			st->isolated++;
		}
		if (!--st->remaining || st->isolated >= MIN_LRU_BATCH)
			return true;
	}
	return false;
}

/* scan_folios(): sort and isolate from the oldest generation of type. */
static uint64_t scan_folios(struct lruvec *lruvec, struct scan_control *sc,
			    int type, int tier, struct page_list *list)
{
	struct mglru *m = mglru_of(lruvec);
	struct scan_stat st = { .remaining = MAX_LRU_BATCH };
	unsigned gen = gen_from_seq(m->min_seq[type]);

	if (nr_gens(m, type) == MIN_NR_GENS)
		return 0;
	for (int i = MAX_NR_ZONES; i > 0; i--) {
		int zone = (sc->reclaim_idx + i) % MAX_NR_ZONES;

		if (scan_zone(lruvec, sc, &m->folios[gen][type][zone], tier,
			      list, &st))
			break;
	}
	count_vm_events(lruvec->sim, VM_pgrefill, st.sorted);
	sc->nr_scanned[type] += st.isolated;	/* pgscan_* */
	return st.isolated || !st.remaining ? st.scanned : 0;
}

/* isolate_folios(): the obvious type first, else the PID controller's. */
static uint64_t isolate_folios(struct lruvec *lruvec, struct scan_control *sc,
			       unsigned swappiness, int *type_scanned,
			       struct page_list *list)
{
	struct mglru *m = mglru_of(lruvec);
	int type, tier = -1;
	uint64_t scanned = 0;

	if (!swappiness)
		type = LRU_FILE;
	else if (m->min_seq[LRU_ANON] < m->min_seq[LRU_FILE])
		type = LRU_ANON;
	else if (swappiness == 1)
		type = LRU_FILE;
	else if (swappiness == MAX_SWAPPINESS)
		type = LRU_ANON;
	else
		type = get_type_to_scan(m, swappiness, &tier);
	for (int i = !swappiness; i < NR_LRU_TYPES; i++) {
		if (tier < 0)
			tier = get_tier_idx(m, type);
		scanned = scan_folios(lruvec, sc, type, tier, list);
		if (scanned)
			break;
		type = !type;
		tier = -1;
	}
	*type_scanned = type;
	return scanned;
}

/* lru_gen_eviction(): what the shadow remembers, and the evicted count. */
static void lru_gen_eviction(struct lruvec *lruvec, struct page *page)
{
	struct mglru *m = mglru_of(lruvec);
	unsigned refs = folio_lru_refs(page);
	int type = page_lru_type(page);
	uint32_t id = page->mapping;

	if (id >= m->nr_shadow_refs) {
		uint32_t n = pagemap_id_limit(lruvec->sim->pm);

		n = n > 2 * m->nr_shadow_refs ? n : 2 * m->nr_shadow_refs;
		m->shadow_refs = xrealloc(m->shadow_refs, n);
		memset(m->shadow_refs + m->nr_shadow_refs, 0,
		       n - m->nr_shadow_refs);
		m->nr_shadow_refs = n;
	}
	m->shadow_refs[id] = (uint8_t)refs;
	m->evicted[type][lru_tier_from_refs(refs)]++;
	/* The engine counts a restore for a recent refault with this bit. */
	if (type == LRU_ANON || refs >= LRU_REFS_SATURATED - 1)
		page->flags |= PG_workingset;
	else
		page->flags &= ~PG_workingset;
}

struct evict_stat {
	uint64_t reclaimed, activated, ref_keep;
};

/* shrink_folio_list() for one isolated page; false if it survives. */
static bool evict_folio(struct lruvec *lruvec, uint32_t pfn,
			struct scan_control *sc, struct evict_stat *st)
{
	struct page *page = &lruvec->sim->mem_map[pfn];
	bool young = page->flags & PG_young;

	/* folio_check_references(): a young PTE activates. */
	page->flags &= ~(PG_young | PG_referenced);
	if (young) {
		st->activated++;
		return false;
	}
	if (page_lru_type(page) == LRU_ANON && !sc->may_writepage) {
		st->ref_keep++;
		return false;
	}
	lru_gen_eviction(lruvec, page);
	if (!lruvec_reclaim_folio(lruvec, pfn, sc)) {
		st->activated++;	/* anon without swap: add_to_swap() fails */
		return false;
	}
	st->reclaimed++;
	return true;
}

static void emit_evict(struct lruvec *lruvec, const struct scan_control *sc,
		       int type, uint64_t scanned, const struct evict_stat *st)
{
	struct emit_shrink_inactive e = {
		.nid = lruvec->nid, .nr_scanned = scanned,
		.nr_reclaimed = st->reclaimed,
		.nr_activate_anon = type == LRU_ANON ? st->activated : 0,
		.nr_activate_file = type == LRU_FILE ? st->activated : 0,
		.nr_ref_keep = st->ref_keep, .priority = sc->priority,
		.file = type == LRU_FILE, .kswapd = sc->kswapd,
	};

	emit_shrink_inactive(lruvec->sim->log, lruvec->sim->now_ns, &e);
}

/* evict_folios(): returns the pages scanned (0: nothing could be done). */
static uint64_t evict_folios(struct lruvec *lruvec, struct scan_control *sc,
			     unsigned swappiness)
{
	struct mglru *m = mglru_of(lruvec);
	struct page *map = lruvec->sim->mem_map;
	struct page_list list, ret;
	struct evict_stat st = { 0 };
	uint64_t scanned, nr_active = 0;
	int type;

	page_list_init(&list);
	page_list_init(&ret);
	scanned = isolate_folios(lruvec, sc, swappiness, &type, &list);
	scanned += try_to_inc_min_seq(lruvec);
	if (nr_gens(m, swappiness ? LRU_ANON : LRU_FILE) == MIN_NR_GENS)
		scanned = 0;
	if (page_list_empty(&list))
		return scanned;
	while (!page_list_empty(&list)) {
		uint32_t pfn = list.tail;

		page_list_del(map, &list, pfn);
		if (!evict_folio(lruvec, pfn, sc, &st))
			page_list_add_head(map, &ret, pfn);
	}
	count_vm_events(lruvec->sim, VM_pgactivate, st.activated);
	emit_evict(lruvec, sc, type, scanned, &st);
	/* Rejected pages go to the youngest generation, refs cleared. */
	while (!page_list_empty(&ret)) {
		uint32_t pfn = ret.tail;

		page_list_del(map, &ret, pfn);
		clear_refs(&map[pfn]);
		map[pfn].flags |= PG_active;
		lru_gen_add_folio(m, map, pfn, false);
		nr_active++;
	}
	lruvec_age_nonresident(lruvec, nr_active);	/* move_folios_to_lru() */
	return scanned;
}

/* should_abort_scan(): enough reclaimed, or kswapd's zones are safe. */
static bool should_abort_scan(struct lruvec *lruvec,
			      const struct scan_control *sc)
{
	const struct pglist_data *pgdat = &lruvec->sim->nodes[lruvec->nid];
	uint64_t gap = 2ull << sc->order;	/* compact_gap() */

	if (sc->nr_reclaimed >= (sc->nr_to_reclaim > gap ? sc->nr_to_reclaim :
							    gap))
		return true;
	if (!sc->kswapd || sc->order)
		return false;
	for (int i = 0; i <= sc->reclaim_idx && i < (int)pgdat->nr_zones; i++) {
		const struct zone *z = &pgdat->zones[i];

		if (z->managed_pages &&
		    !zone_watermark_ok(z, 0, wmark_pages(z, WMARK_HIGH) +
					     MIN_LRU_BATCH, sc->reclaim_idx, 0,
				       (int64_t)z->free_pages))
			return false;
	}
	return true;
}

/* try_to_shrink_lruvec(). */
static void try_to_shrink_lruvec(struct lruvec *lruvec, struct scan_control *sc)
{
	/* get_swappiness(): 0 when anon cannot be evicted. */
	unsigned swappiness = mglru_of(lruvec)->can_swap && sc->may_swap ?
			      sc->swappiness : 0;
	uint64_t scanned = 0;

	for (;;) {
		int64_t nr_to_scan = get_nr_to_scan(lruvec, sc);
		uint64_t delta;

		if (nr_to_scan <= 0)
			break;
		delta = evict_folios(lruvec, sc, swappiness);
		if (!delta)
			break;
		scanned += delta;
		if (scanned >= (uint64_t)nr_to_scan ||
		    should_abort_scan(lruvec, sc))
			break;
	}
}

/* lruvec_is_reclaimable() for min_ttl_ms (lru_gen_age_node()). */
static bool lruvec_is_reclaimable(struct lruvec *lruvec,
				  const struct scan_control *sc)
{
	const struct mglru *m = mglru_of(lruvec);
	uint64_t birth = m->birth_ns[gen_from_seq(m->min_seq[LRU_FILE])];

	if (birth + m->min_ttl_ns > lruvec->sim->now_ns)
		return false;
	return evictable_pages(m) >> sc->priority;	/* lruvec_is_sizable() */
}

/* ---- the ops ---- */

static void mglru_end_writeback(struct lruvec *lruvec, uint32_t pfn)
{
	struct mglru *m = mglru_of(lruvec);
	struct page *map = lruvec->sim->mem_map;
	struct page *page = &map[pfn];

	if (!(page->flags & PG_reclaim))
		return;
	page->flags &= ~PG_reclaim;
	if (page->flags & (PG_dirty | PG_unevictable))
		return;
	gen_del(m, map, pfn);		/* lru_move_tail() */
	page->flags &= ~PG_active;
	lru_gen_add_folio(m, map, pfn, true);
	count_vm_events(lruvec->sim, VM_pgrotated, 1);
}

static void mglru_flush(struct lruvec *lruvec)
{
	struct flusher *f = &mglru_of(lruvec)->flusher;

	if (flusher_due(f, lruvec->sim->now_ns))
		flusher_run(f, lruvec, mglru_end_writeback);
}

/* Remembers a page whose young bit was just set, for the next walk. */
static void note_young(struct mglru *m, struct page *map, uint32_t pfn)
{
	if (!m->can_swap || (map[pfn].flags & PG_young))
		return;
	map[pfn].flags |= PG_young;
	if (m->nr_young == m->cap_young) {
		uint64_t kept = 0;

		/* Drop entries that went stale before growing. */
		for (uint64_t i = 0; i < m->nr_young; i++)
			if (map[m->young[i]].flags & PG_young)
				m->young[kept++] = m->young[i];
		m->nr_young = kept;
		if (kept * 2 >= m->cap_young) {
			m->cap_young = m->cap_young ? 2 * m->cap_young : 1024;
			m->young = xrealloc(m->young, m->cap_young *
						      sizeof(*m->young));
		}
	}
	m->young[m->nr_young++] = pfn;
}

static void set_young(struct mglru *m, struct page *map, uint32_t pfn)
{
	if (m->can_swap)
		note_young(m, map, pfn);
	else
		map[pfn].flags |= PG_young;
}

/* folio_inc_refs(): an access through a file descriptor. */
static void folio_inc_refs(struct page *page)
{
	if (!(page->flags & PG_referenced))
		page->flags |= PG_referenced;
	else if (!(page->flags & PG_workingset))
		page->flags |= PG_workingset;
	else if (page->refs < LRU_REFS_MAX)
		page->refs++;
}

/* lru_gen_refault(): feed the controller, restore saturated refs. */
static void lru_gen_refault(struct mglru *m, struct page *page,
			    const struct fault_info *fi)
{
	int type = fi->type == PAGE_FILE ? LRU_FILE : LRU_ANON;
	unsigned refs;

	if (!fi->refault || !fi->activate)
		return;
	refs = page->mapping < m->nr_shadow_refs ?
	       m->shadow_refs[page->mapping] : 0;
	m->refaulted[type][lru_tier_from_refs(refs)]++;
	if (fi->workingset) {
		page->refs = LRU_REFS_MAX;
		page->flags |= PG_workingset;
	}
}

static void mglru_add_folio(struct lruvec *lruvec, uint32_t pfn,
			    const struct fault_info *fi)
{
	struct mglru *m = mglru_of(lruvec);
	struct page *map = lruvec->sim->mem_map;
	struct page *page = &map[pfn];

	mglru_flush(lruvec);
	page->flags &= ~(PG_active | PG_referenced | PG_young | PG_workingset |
			 PG_reclaim | PG_writeback);
	page->refs = 0;
	lru_gen_refault(m, page, fi);
	if (fi->type == PAGE_ANON) {
		page->flags |= PG_active;	/* folio_add_lru() in the fault */
		set_young(m, map, pfn);
	}
	lru_gen_add_folio(m, map, pfn, false);
	if (fi->type == PAGE_FILE)
		folio_inc_refs(page);		/* filemap_read() */
}

static void mglru_mark_accessed(struct lruvec *lruvec, uint32_t pfn,
				const struct access_info *ai)
{
	struct mglru *m = mglru_of(lruvec);
	struct page *map = lruvec->sim->mem_map;

	mglru_flush(lruvec);
	if (ai->type == PAGE_ANON)
		set_young(m, map, pfn);
	else
		folio_inc_refs(&map[pfn]);
}

static void mglru_del_folio(struct lruvec *lruvec, uint32_t pfn)
{
	gen_del(mglru_of(lruvec), lruvec->sim->mem_map, pfn);
}

static void mglru_move_folio(struct lruvec *lruvec, uint32_t old_pfn,
			     uint32_t new_pfn)
{
	struct mglru *m = mglru_of(lruvec);
	struct page *map = lruvec->sim->mem_map;
	struct page *old = &map[old_pfn], *new_page = &map[new_pfn];
	int type = page_lru_type(old);

	page_list_replace(map, &m->folios[old->lru][type][old->zone], old_pfn,
			  new_pfn);
	if (new_page->zone != old->zone) {	/* one list per zone */
		page_list_del(map, &m->folios[old->lru][type][old->zone],
			      new_pfn);
		page_list_add_head(map, &m->folios[old->lru][type][new_page->zone],
				   new_pfn);
	}
	m->nr_pages[old->gen][type][old->zone]--;
	m->nr_pages[old->gen][type][new_page->zone]++;
	new_page->gen = old->gen;
	new_page->lru = old->lru;
	new_page->refs = old->refs;
	new_page->priv = old->priv;
	if (m->can_swap && (new_page->flags & PG_young)) {
		new_page->flags &= ~PG_young;
		note_young(m, map, new_pfn);
	}
}

static void mglru_shrink(struct lruvec *lruvec, struct scan_control *sc)
{
	struct mglru *m = mglru_of(lruvec);

	mglru_flush(lruvec);
	/* lru_gen_age_node(): kswapd, order 0, below DEF_PRIORITY. */
	if (sc->kswapd && m->min_ttl_ns && !sc->order &&
	    sc->priority != DEF_PRIORITY && !lruvec_is_reclaimable(lruvec, sc))
		sc->oom_wanted = true;
	if (!sc->may_writepage)
		return;
	try_to_shrink_lruvec(lruvec, sc);
}

/* Recent iff evicted since min_seq[type] last moved (see the essay). */
static uint64_t mglru_workingset_size(struct lruvec *lruvec,
				      enum page_type type, bool swap)
{
	const struct mglru *m = mglru_of(lruvec);
	uint64_t since = m->min_seq_age[type == PAGE_FILE ? LRU_FILE : LRU_ANON];

	(void)swap;
	return lruvec->nonresident_age > since ?
	       lruvec->nonresident_age - since - 1 : 0;
}

static int mglru_init(struct lruvec *lruvec, const struct config *cfg)
{
	struct mglru *m = xcalloc(1, sizeof(*m));

	m->max_seq = MIN_NR_GENS + 1;
	for (int g = 0; g < MAX_NR_GENS; g++)
		for (int t = 0; t < NR_LRU_TYPES; t++)
			for (int z = 0; z < MAX_NR_ZONES; z++)
				page_list_init(&m->folios[g][t][z]);
	m->can_swap = cfg->swap && cfg->swappiness > 0;
	m->min_ttl_ns = cfg->mglru_min_ttl_ns;
	flusher_init(&m->flusher, cfg->writeback_delay_ns);
	lruvec->priv = m;
	return 0;
}

static void mglru_destroy(struct lruvec *lruvec)
{
	struct mglru *m = mglru_of(lruvec);

	flusher_destroy(&m->flusher);
	free(m->shadow_refs);
	free(m->young);
	free(m);
	lruvec->priv = NULL;
}

/* ---- checks and report ---- */

static bool check_fail(const char *what, uint64_t a, uint64_t b)
{
	fprintf(stderr, "mmsim: check: mglru: %s (%llu, %llu)\n", what,
		(unsigned long long)a, (unsigned long long)b);
	return false;
}

/* The live sequence number of slot gen for type, or UINT64_MAX. */
static uint64_t seq_of_gen(const struct mglru *m, int type, unsigned gen)
{
	for (uint64_t seq = m->min_seq[type]; seq <= m->max_seq; seq++)
		if (gen_from_seq(seq) == gen)
			return seq;
	return UINT64_MAX;
}

static bool check_page(const struct mglru *m, const struct page *page,
		       int type, int zone, unsigned gen)
{
	uint64_t list_seq = seq_of_gen(m, type, gen);
	uint64_t page_seq = seq_of_gen(m, type, page->gen);

	if (!(page->flags & PG_lru) || page->lru != gen ||
	    (int)page_lru_type(page) != type || page->zone != zone)
		return check_fail("page on the wrong list", gen, page->lru);
	if (list_seq == UINT64_MAX || page_seq == UINT64_MAX ||
	    page_seq < list_seq)
		return check_fail("page generation", page->gen, gen);
	return true;
}

static bool check_seqs(const struct mglru *m)
{
	if (nr_gens(m, LRU_FILE) < MIN_NR_GENS ||
	    nr_gens(m, LRU_FILE) > nr_gens(m, LRU_ANON) ||
	    nr_gens(m, LRU_ANON) > MAX_NR_GENS)
		return check_fail("generations", nr_gens(m, LRU_ANON),
				  nr_gens(m, LRU_FILE));
	return true;
}

static bool mglru_check(struct lruvec *lruvec)
{
	const struct mglru *m = mglru_of(lruvec);
	const struct page *map = lruvec->sim->mem_map;
	uint64_t count[MAX_NR_GENS][NR_LRU_TYPES][MAX_NR_ZONES] = { 0 };
	uint64_t by_type[NR_LRU_TYPES] = { 0 };

	if (!check_seqs(m))
		return false;
	for (unsigned g = 0; g < MAX_NR_GENS; g++)
		for (int t = 0; t < NR_LRU_TYPES; t++)
			for (int z = 0; z < MAX_NR_ZONES; z++) {
				const struct page_list *l = &m->folios[g][t][z];
				uint64_t n = 0;

				for (uint32_t p = l->head; p != PFN_NONE;
				     p = map[p].next, n++) {
					if (!check_page(m, &map[p], t, z, g))
						return false;
					count[map[p].gen][t][z]++;
				}
				if (n != l->nr)
					return check_fail("list count", n, l->nr);
				by_type[t] += n;
			}
	if (memcmp(count, m->nr_pages, sizeof(count)))
		return check_fail("generation sizes", 0, 0);
	for (int t = 0; t < NR_LRU_TYPES; t++)
		if (by_type[t] != lruvec->nr_pages[t])
			return check_fail("pages of a type", by_type[t],
					  lruvec->nr_pages[t]);
	return true;
}

/* The kernel's compatibility counters: the two youngest count as active. */
static void mglru_report(struct lruvec *lruvec, void *json_object)
{
	static const char *const names[2][NR_LRU_TYPES] = {
		{ "nr_inactive_anon", "nr_inactive_file" },
		{ "nr_active_anon", "nr_active_file" },
	};
	const struct mglru *m = mglru_of(lruvec);
	uint64_t n[2][NR_LRU_TYPES] = { { 0 } };

	for (int t = 0; t < NR_LRU_TYPES; t++)
		for (uint64_t seq = m->min_seq[t]; seq <= m->max_seq; seq++)
			for (int z = 0; z < MAX_NR_ZONES; z++)
				n[seq + 1 >= m->max_seq][t] +=
					m->nr_pages[gen_from_seq(seq)][t][z];
	for (int a = 0; a < 2; a++)
		for (int t = 0; t < NR_LRU_TYPES; t++)
			json_object_set_new(json_object, names[a][t],
					    json_integer((json_int_t)n[a][t]));
	json_object_set_new(json_object, "lru_gen_max_seq",
			    json_integer((json_int_t)m->max_seq));
}

const struct reclaim_ops reclaim_mglru_ops = {
	.name = "mglru",
	.summary = "the multi-generational LRU with tiers and the refault "
		   "PID controller (mm/vmscan.c lru_gen_*, 6.12)",
	.init = mglru_init,
	.destroy = mglru_destroy,
	.add_folio = mglru_add_folio,
	.mark_accessed = mglru_mark_accessed,
	.del_folio = mglru_del_folio,
	.move_folio = mglru_move_folio,
	.shrink = mglru_shrink,
	.workingset_size = mglru_workingset_size,
	.check = mglru_check,
	.report = mglru_report,
};
