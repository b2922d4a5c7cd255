/*
 * sim.c - the simulation context and the replay loop.
 *
 * sim_create() lays out one node's zones back to back from pfn 0, sets up
 * the buddy lists and the watermarks (kernel formulas, explicit, or none) and
 * starts the configured reclaim policy on the node's lruvec. sim_run()
 * drives everything through one event queue: the next trace row is an event
 * at its recorded time, pulled lazily from the reader when the previous row
 * is applied, and kswapd batches and naps are events too. Replay is
 * open-loop: rows keep their recorded times, and stalls (direct reclaim,
 * major faults) are accounted as durations, never by moving later rows.
 *
 * Rows (traces/FORMAT.md):
 *  - access: the page (pid, addr >> 12), or the file page (dev, ino,
 *    addr >> 12), is referenced. Resident: the policy's mark_accessed().
 *    Not resident: pgfault, and if a shadow entry is found a refault
 *    (workingset.c); a file page or a swapped-out anon page is a major fault
 *    (pgmajfault, cost.major_fault_ns of stall). A movable order-0 page is
 *    allocated through the full allocation path and joins the LRU. An access
 *    row with an order covers the 2^order pages of that folio.
 *  - unmap: frees that page (or drops its shadow); exit: frees every anon
 *    page and swap shadow of pid.
 *  - alloc / free: kernel allocations of 2^order pages outside the LRU,
 *    placed by mmsim's allocator or on their recorded pfn (placement.c).
 *  - THP (thp.enabled): an anon fault in a 2 MiB region where nothing is
 *    mapped or swapped yet first tries an order-9 allocation
 *    (GFP_TRANSHUGE* per thp.defrag), as do_huge_pmd_anonymous_page()
 *    does, and falls back to a base page (thp_fault_alloc /
 *    thp_fault_fallback). Simplification: the reclaim policies count one
 *    LRU entry per page, so the 512 pages join the LRU as base pages (the
 *    kernel keeps one folio and ages it as a unit). While all 512 are
 *    mapped they carry PG_thp and compaction treats the aligned block as
 *    the large folio it is (never moved, pageblock skipped); the first
 *    page reclaimed or unmapped breaks it into base pages, as the kernel's
 *    split would, and reclaim then frees the pages one by one where the
 *    kernel would swap the THP out whole.
 *  - evict: the traced kernel's eviction of a file page; counted, not
 *    replayed (mmsim makes its own eviction decisions).
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

#include "bug.h"
#include "mm/buddy.h"
#include "mm/internal.h"
#include "placement.h"
#include "xalloc.h"

#define THP_ORDER COMPACTION_HPAGE_ORDER	/* HPAGE_PMD_ORDER */

/* ---- per-process records ---- */

/*
 * Records live in an append-only array (so their order is the order pids
 * first appeared, deterministic); an open-addressing table maps pid to
 * index. Pointers into the array stay valid until the next new pid.
 */
static void proc_index_put(struct sim *s, uint32_t pid, uint32_t idx)
{
	size_t i = (pid * 0x9e3779b1u) & (s->cap_proc_index - 1);

	while (s->proc_index[i] != UINT32_MAX)
		i = (i + 1) & (s->cap_proc_index - 1);
	s->proc_index[i] = idx;
}

static void proc_index_grow(struct sim *s)
{
	free(s->proc_index);
	s->cap_proc_index = s->cap_proc_index ? 2 * s->cap_proc_index : 128;
	s->proc_index = xmalloc(s->cap_proc_index * sizeof(*s->proc_index));
	memset(s->proc_index, 0xff, s->cap_proc_index * sizeof(*s->proc_index));
	for (size_t i = 0; i < s->nr_procs; i++)
		proc_index_put(s, s->procs[i].pid, (uint32_t)i);
}

/*
 * A fault asks for its process's record several times, and for the
 * record of each page it reclaims: recent answers are cached by pid, as
 * indexes, which stay valid when the array moves (records are never
 * removed). sim_proc() in sim.h reads that cache inline.
 */
struct sim_proc *sim_proc_lookup(struct sim *s, uint32_t pid)
{
	uint32_t *hint = &s->proc_hint[pid % SIM_PROC_HINTS];
	size_t i;

	if (s->cap_proc_index) {
		i = (pid * 0x9e3779b1u) & (s->cap_proc_index - 1);
		for (; s->proc_index[i] != UINT32_MAX;
		     i = (i + 1) & (s->cap_proc_index - 1))
			if (s->procs[s->proc_index[i]].pid == pid) {
				*hint = s->proc_index[i] + 1;
				return &s->procs[s->proc_index[i]];
			}
	}
	if (s->nr_procs == s->cap_procs) {
		s->cap_procs = s->cap_procs ? 2 * s->cap_procs : 64;
		s->procs = xrealloc(s->procs, s->cap_procs * sizeof(*s->procs));
	}
	s->procs[s->nr_procs] = (struct sim_proc){ .pid = pid };
	s->nr_procs++;
	if (2 * s->nr_procs > s->cap_proc_index)
		proc_index_grow(s);
	else
		proc_index_put(s, pid, (uint32_t)(s->nr_procs - 1));
	*hint = (uint32_t)s->nr_procs;
	return &s->procs[s->nr_procs - 1];
}

/* ---- machine set-up ---- */

struct zone *sim_pfn_zone(struct sim *s, uint64_t pfn)
{
	return &s->nodes[0].zones[s->mem_map[pfn].zone];
}

uint64_t node_free_pages(const struct pglist_data *pgdat)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < pgdat->nr_zones; i++)
		n += pgdat->zones[i].free_pages;
	return n;
}

static void setup_watermarks(struct sim *s, struct pglist_data *pgdat)
{
	const struct config *cfg = s->cfg;
	uint64_t lowmem_kbytes = 0;

	for (unsigned i = 0; i < pgdat->nr_zones; i++)
		if (pgdat->zones[i].type != ZONE_MOVABLE)
			lowmem_kbytes += pgdat->zones[i].managed_pages *
					 (PAGE_SIZE / 1024);
	switch (cfg->wmark_mode) {
	case WMARK_MODE_KERNEL:
		s->min_free_kbytes = cfg->min_free_kbytes >= 0 ?
			(uint64_t)cfg->min_free_kbytes :
			calculate_min_free_kbytes(lowmem_kbytes);
		setup_per_zone_wmarks(pgdat->zones, pgdat->nr_zones,
				      s->min_free_kbytes,
				      cfg->watermark_scale_factor);
		setup_per_zone_lowmem_reserve(pgdat->zones, pgdat->nr_zones,
					      cfg->lowmem_reserve_ratio);
		break;
	case WMARK_MODE_EXPLICIT:
		for (unsigned i = 0; i < pgdat->nr_zones; i++)
			for (int w = 0; w < NR_WMARK; w++)
				pgdat->zones[i]._watermark[w] =
					cfg->zones[i].wmark[w];
		setup_per_zone_lowmem_reserve(pgdat->zones, pgdat->nr_zones,
					      cfg->lowmem_reserve_ratio);
		break;
	case WMARK_MODE_NONE:
		break;	/* all marks and reserves stay 0 */
	}
	for (unsigned i = 0; i < pgdat->nr_zones; i++) {
		struct zone *z = &pgdat->zones[i];

		z->wmark_level = zone_wmark_level(z, z->free_pages);
	}
}

static void setup_zones(struct sim *s, struct pglist_data *pgdat)
{
	uint64_t pfn = 0;

	pgdat->nr_zones = s->cfg->nr_zones;
	for (unsigned i = 0; i < pgdat->nr_zones; i++) {
		struct zone *z = &pgdat->zones[i];
		uint64_t pages = s->cfg->zones[i].pages;

		buddy_zone_init(z, s->mem_map, pfn, pages,
				s->cfg->pageblock_order);
		snprintf(z->name, sizeof(z->name), "%s",
			 zone_type_name(s->cfg->zones[i].type));
		z->type = s->cfg->zones[i].type;
		z->zone_idx = (int)i;
		z->nid = pgdat->node_id;
		for (uint64_t p = pfn; p < pfn + pages; p++) {
			s->mem_map[p].zone = (uint8_t)i;
			s->mem_map[p].nid = (uint8_t)pgdat->node_id;
			s->mem_map[p].mapping = PM_NONE;
		}
		pgdat->present_pages += pages;
		pageblock_usage_init(&pgdat->pb_usage[i], z);
		pfn += pages;
	}
}

struct sim *sim_create(const struct config *cfg, struct emit *log,
		       int nextuse_fd, char *err, size_t errlen)
{
	const struct reclaim_ops *ops = reclaim_policy_find(cfg->reclaim_policy);
	struct sim *s;
	struct pglist_data *pgdat;

	if (!ops) {
		size_t n = (size_t)snprintf(err, errlen,
			"reclaim.policy: got \"%s\", expected one of:",
			cfg->reclaim_policy);
		for (const struct reclaim_ops *const *p = reclaim_policy_list();
		     *p && n < errlen; p++)
			n += (size_t)snprintf(err + n, errlen - n, " %s",
					      (*p)->name);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->cfg = cfg;
	s->log = log;
	s->q = eventq_create();
	s->nextuse_fd = nextuse_fd;
	s->nr_pfns = cfg->memory_pages;
	s->mem_map = xcalloc_lines(s->nr_pfns, sizeof(*s->mem_map));
	s->pm = pagemap_create();
	s->kernel_obj = pagemap_obj(s->pm, PAGE_FILE, 0, UINT64_MAX,
				    UINT64_MAX, true);
	s->nr_nodes = 1;
	s->rng = 0x9e3779b97f4a7c15ull;	/* fixed: runs are deterministic */
	pgdat = &s->nodes[0];
	pgdat->node_id = 0;
	setup_zones(s, pgdat);
	if (placement_initial(s, err, errlen) < 0 ||
	    compaction_node_init(s, pgdat, err, errlen) < 0) {
		sim_destroy(s);
		return NULL;
	}
	setup_watermarks(s, pgdat);
	pgdat->lruvec = (struct lruvec){ .sim = s, .nid = 0, .ops = ops };
	if (ops->init(&pgdat->lruvec, cfg) != 0) {
		snprintf(err, errlen, "reclaim.policy: %s: cannot start%s",
			 ops->name, nextuse_fd < 0 && !strcmp(ops->name, "opt") ?
			 " (it needs the next-use pre-pass that `mmsim run` "
			 "does)" : "");
		pgdat->lruvec.ops = NULL;
		sim_destroy(s);
		return NULL;
	}
	return s;
}

void sim_destroy(struct sim *s)
{
	if (!s)
		return;
	for (unsigned n = 0; n < s->nr_nodes; n++) {
		struct pglist_data *pgdat = &s->nodes[n];

		compaction_node_destroy(pgdat);
		if (pgdat->lruvec.ops)
			pgdat->lruvec.ops->destroy(&pgdat->lruvec);
		for (unsigned i = 0; i < pgdat->nr_zones; i++) {
			buddy_zone_destroy(&pgdat->zones[i]);
			pageblock_usage_destroy(&pgdat->pb_usage[i]);
		}
	}
	pagemap_destroy(s->pm);
	eventq_destroy(s->q);
	free(s->mem_map);
	free(s->procs);
	free(s->proc_index);
	free(s);
}

/* ---- LRU pages ---- */

void sim_drop_shadow(struct sim *s, uint32_t id)
{
	struct pm_entry *e = pagemap_entry(s->pm, id);
	struct pm_obj *o = pagemap_obj_get(s->pm, e->obj);

	SIM_BUG_ON(e->pfn != PFN_NONE);
	if (o->type == PAGE_ANON)
		sim_proc(s, o->pid)->swap_pages--;
	s->nr_shadows--;
	pagemap_remove(s->pm, id);
}

void thp_break(struct sim *s, uint32_t pfn)
{
	uint32_t base = pfn & ~((1u << THP_ORDER) - 1);

	for (uint32_t i = 0; i < (1u << THP_ORDER); i++)
		s->mem_map[base + i].flags &= ~PG_thp;
	s->stats.thp_split++;
}

void sim_release_lru_page(struct sim *s, uint32_t pfn)
{
	struct page *page = &s->mem_map[pfn];

	if (page->flags & PG_thp)
		thp_break(s, pfn);
	struct pglist_data *pgdat = &s->nodes[page->nid];
	struct lruvec *lruvec = &pgdat->lruvec;
	enum lru_type type = page_lru_type(page);
	struct pm_entry *e = pagemap_entry(s->pm, page->mapping);

	lruvec->ops->del_folio(lruvec, pfn);
	lruvec->nr_pages[type]--;
	pgdat->nr_zone_lru[page->zone][type]--;
	if (type == LRU_ANON)
		sim_proc(s, pagemap_obj_get(s->pm, e->obj)->pid)->rss_anon--;
	pagemap_remove(s->pm, page->mapping);
	page->flags = 0;
	page->mapping = PM_NONE;
	sim_free_pages(s, pfn, 0);
}

/*
 * Maps pfn at (obj, index), whose pagemap_hash() is h; id is the shadow
 * entry there, or PM_NONE.
 */
static void install_lru_page(struct sim *s, uint32_t obj, uint64_t index,
			     uint64_t h, uint32_t id, uint32_t pfn,
			     const struct fault_info *fi, uint32_t pid)
{
	struct page *page = &s->mem_map[pfn];
	struct pglist_data *pgdat = &s->nodes[page->nid];
	struct lruvec *lruvec = &pgdat->lruvec;
	enum lru_type type = fi->type == PAGE_ANON ? LRU_ANON : LRU_FILE;
	struct sim_proc *proc = type == LRU_ANON ? sim_proc(s, pid) : NULL;

	if (id == PM_NONE) {
		id = pagemap_insert_hashed(s->pm, obj, index, h);
	} else {
		s->nr_shadows--;	/* the shadow is consumed */
		if (proc)
			proc->swap_pages--;
	}
	pagemap_entry(s->pm, id)->pfn = pfn;
	page->mapping = id;
	page->flags = PG_lru | PG_head | (type == LRU_ANON ? PG_swapbacked : 0);
	page->mapcount = 1;
	page->memcg = 0;
	lruvec->nr_pages[type]++;
	pgdat->nr_zone_lru[page->zone][type]++;
	if (proc)
		proc->rss_anon++;
	lruvec->ops->add_folio(lruvec, pfn, fi);
}

/* ---- rows ---- */

static uint32_t row_obj(struct sim *s, const struct trace_row *row,
			bool create)
{
	return pagemap_obj(s->pm, row->type, row->pid, row->dev, row->ino,
			   create);
}

/* vma_thp_gfp_mask() for a region madvise()d MADV_HUGEPAGE. */
static gfp_t thp_gfp(const struct config *cfg)
{
	switch (cfg->thp_defrag) {
	case THP_DEFRAG_ALWAYS:
	case THP_DEFRAG_MADVISE:
	case THP_DEFRAG_DEFER_MADVISE:
		return GFP_TRANSHUGE;
	case THP_DEFRAG_DEFER:
		return GFP_TRANSHUGE_LIGHT | __GFP_KSWAPD_RECLAIM;
	case THP_DEFRAG_NEVER:
		return GFP_TRANSHUGE_LIGHT;
	}
	return GFP_TRANSHUGE_LIGHT;
}

/* No page of the 2 MiB region is mapped or swapped: the PMD is empty. */
static bool thp_region_empty(const struct sim *s, uint32_t obj,
			     uint64_t base)
{
	for (uint64_t i = 0; i < (1u << THP_ORDER); i++)
		if (pagemap_lookup(s->pm, obj, base + i) != PM_NONE)
			return false;
	return true;
}

/*
 * Maps the THP at pfn over [base, base + 512) of obj: 512 base pages on
 * the LRU, marked PG_thp while the huge page is whole.
 */
static void install_thp(struct sim *s, uint32_t obj, uint64_t base,
			uint32_t pfn, const struct fault_info *fi,
			uint32_t pid)
{
	for (uint32_t i = 0; i < (1u << THP_ORDER); i++) {
		struct page *p = &s->mem_map[pfn + i];

		p->flags = 0;
		p->order = 0;
		install_lru_page(s, obj, base + i,
				 pagemap_hash(obj, base + i), PM_NONE, pfn + i,
				 fi, pid);
		p->flags |= PG_thp;
	}
}

/*
 * do_huge_pmd_anonymous_page(): the frame now mapping index if a THP maps
 * its region; PFN_NONE to fall back to a base page.
 */
static uint32_t thp_fault(struct sim *s, const struct trace_row *row,
			  uint64_t index)
{
	uint64_t base = index & ~((1ull << THP_ORDER) - 1);
	struct fault_info fi = { .type = PAGE_ANON, .write = row->write,
				 .ref_index = s->ref_index };
	uint32_t obj;
	int64_t pfn;

	if (!s->cfg->thp_enabled || row->type != PAGE_ANON)
		return PFN_NONE;
	obj = row_obj(s, row, true);
	if (!thp_region_empty(s, obj, base))
		return PFN_NONE;
	pfn = sim_alloc_pages(s, THP_ORDER, thp_gfp(s->cfg), MIGRATE_MOVABLE,
			      row->pid);
	if (pfn < 0) {
		count_vm_events(s, VM_thp_fault_fallback, 1);
		return PFN_NONE;
	}
	count_vm_events(s, VM_thp_fault_alloc, 1);
	count_vm_events(s, VM_pgfault, 1);
	/* An OOM kill during the allocation may have removed the object. */
	install_thp(s, row_obj(s, row, true), base, (uint32_t)pfn, &fi,
		    row->pid);
	return (uint32_t)(pfn + (int64_t)(index - base));
}

/*
 * A row's page key, looked up once: its object, page index and
 * pagemap_hash(). sim_run() computes it when it reads the row ahead.
 */
struct row_key {
	uint32_t obj;
	uint32_t id;		/* the early lookup's answer, if stamped */
	uint64_t index;
	uint64_t h;
	uint64_t releases;	/* pagemap_obj_releases() when obj was found */
	uint64_t stamp;		/* at the early lookup (ring_lookup()):
				 * pagemap_removals(), or for no entry
				 * pagemap_inserts(); NO_STAMP if none */
};

/* No early lookup: no count of a replay's removals or inserts gets here. */
#define NO_STAMP UINT64_MAX

/* What can change the answer id of a lookup: removals, or for none inserts. */
static inline uint64_t lookup_stamp(const struct pagemap *pm, uint32_t id)
{
	return id != PM_NONE ? pagemap_removals(pm) : pagemap_inserts(pm);
}

/*
 * The id of the key's entry: the answer the ring's early lookup found, if
 * it still holds (no entry removed since; for "none", none inserted
 * either), else a fresh lookup.
 */
static uint32_t row_key_lookup(struct sim *s, const struct row_key *key)
{
	if (key->stamp == lookup_stamp(s->pm, key->id))
		return key->id;
	return pagemap_lookup_hashed(s->pm, key->obj, key->index, key->h);
}

/*
 * Faults in the page at key, where the lookup found id (PM_NONE, or a
 * shadow); returns the frame now mapped, or PFN_NONE if the access was
 * dropped.
 */
static uint32_t page_fault(struct sim *s, const struct trace_row *row,
			   const struct row_key *k, uint32_t id)
{
	struct row_key key = *k;
	struct lruvec *lruvec = &s->nodes[0].lruvec;
	struct fault_info fi = { .type = row->type, .write = row->write,
				 .ref_index = s->ref_index };
	bool major = row->type == PAGE_FILE;
	uint64_t releases = pagemap_obj_releases(s->pm);
	uint64_t stamp = lookup_stamp(s->pm, id);
	int64_t pfn;
	uint32_t thp_pfn = thp_fault(s, row, key.index);

	if (thp_pfn != PFN_NONE)
		return thp_pfn;
	count_vm_events(s, VM_pgfault, 1);
	/*
	 * As in the kernel, the new page is allocated first (which may
	 * reclaim and so advance the workingset clock), and only then is the
	 * shadow in its slot tested (workingset_refault()). Reclaim may have
	 * dropped that shadow, and an OOM kill removed the object: then look
	 * it up afresh.
	 */
	pfn = sim_alloc_pages(s, 0, GFP_HIGHUSER_MOVABLE, MIGRATE_MOVABLE,
			      row->pid);
	if (pfn < 0) {
		s->stats.access_dropped++;
		return PFN_NONE;
	}
	if (pagemap_obj_releases(s->pm) != releases) {
		key.obj = row_obj(s, row, true);
		key.h = pagemap_hash(key.obj, key.index);
		id = pagemap_lookup_hashed(s->pm, key.obj, key.index, key.h);
	} else if (lookup_stamp(s->pm, id) != stamp) {
		id = pagemap_lookup_hashed(s->pm, key.obj, key.index, key.h);
	}
	if (id != PM_NONE) {
		struct emit_page_id pid = { row->type, row->pid, row->dev,
					    row->ino, key.index };

		workingset_refault(s, lruvec, pagemap_entry(s->pm, id)->shadow,
				   &pid, &fi);
		if (row->type == PAGE_ANON) {
			major = true;
			count_vm_events(s, VM_pswpin, 1);
		}
	}
	if (major) {
		count_vm_events(s, VM_pgmajfault, 1);
		sim_proc(s, row->pid)->major_fault_ns +=
			s->cfg->major_fault_cost_ns;
		s->stats.major_fault_ns += s->cfg->major_fault_cost_ns;
	}
	install_lru_page(s, key.obj, key.index, key.h, id, (uint32_t)pfn, &fi,
			 row->pid);
	return (uint32_t)pfn;
}

static void access_page(struct sim *s, const struct trace_row *row,
			const struct row_key *key)
{
	uint32_t id = row_key_lookup(s, key);
	struct pm_entry *e = id != PM_NONE ? pagemap_entry(s->pm, id) : NULL;

	if (e && e->pfn != PFN_NONE) {
		struct lruvec *lruvec = &s->nodes[0].lruvec;
		struct access_info ai = { row->type, row->write, s->ref_index };

		if (row->write)
			s->mem_map[e->pfn].flags |= PG_dirty;
		lruvec->ops->mark_accessed(lruvec, e->pfn, &ai);
	} else {
		uint32_t pfn = page_fault(s, row, key, id);

		if (row->write && pfn != PFN_NONE)
			s->mem_map[pfn].flags |= PG_dirty;
	}
	s->ref_index++;
}

/* hint: the row's key as computed when it was read, or NULL. */
static void do_access(struct sim *s, const struct trace_row *row,
		      const struct row_key *hint)
{
	unsigned nr = access_nr_pages(row);
	uint64_t index = row->addr >> PAGE_SHIFT;

	for (unsigned i = 0; i < nr; i++) {
		const struct row_key *k = hint;
		struct row_key key;

		/* The object found ahead still names the key unless objects
		 * were released since. */
		if (!hint || i > 0 ||
		    hint->releases != pagemap_obj_releases(s->pm)) {
			key.obj = row_obj(s, row, true);
			key.index = index + i;
			key.h = pagemap_hash(key.obj, key.index);
			key.id = PM_NONE;
			key.stamp = NO_STAMP;
			k = &key;
		}
		access_page(s, row, k);
	}
}

static void do_unmap(struct sim *s, const struct trace_row *row)
{
	uint32_t obj = row_obj(s, row, false);
	uint32_t id = obj == PM_NONE ? PM_NONE :
		pagemap_lookup(s->pm, obj, row->addr >> PAGE_SHIFT);

	if (id == PM_NONE) {
		s->stats.unmap_nonresident++;
		return;
	}
	if (pagemap_entry(s->pm, id)->pfn != PFN_NONE)
		sim_release_lru_page(s, pagemap_entry(s->pm, id)->pfn);
	else
		sim_drop_shadow(s, id);
}

static void apply_row(struct sim *s, const struct trace_row *row,
		      const struct row_key *hint)
{
	s->stats.rows_by_op[row->op]++;
	switch (row->op) {
	case TRACE_OP_ACCESS:
		do_access(s, row, hint);
		break;
	case TRACE_OP_UNMAP:
		do_unmap(s, row);
		break;
	case TRACE_OP_EXIT:
		sim_free_process(s, row->pid);
		break;
	case TRACE_OP_ALLOC:
		placement_alloc(s, row);
		break;
	case TRACE_OP_FREE:
		placement_free(s, row);
		break;
	case TRACE_OP_EVICT:
		s->stats.evict_rows_ignored++;
		break;
	case NR_TRACE_OPS:
		SIM_BUG_ON(1);
	}
	workingset_prune_shadows(s);
}

void sim_apply_row(struct sim *s, const struct trace_row *row)
{
	apply_row(s, row, NULL);
}

/* ---- the loop ---- */

static void dispatch(struct sim *s, const struct eventq_item *ev)
{
	switch (ev->kind) {
	case SIM_EV_KSWAPD:
	case SIM_EV_KSWAPD_NAP:
		kswapd_event(s, ev->kind, ev->arg);
		break;
	case SIM_EV_KCOMPACTD:
	case SIM_EV_KCOMPACTD_TIMER:
		kcompactd_event(s, ev->kind, ev->arg, ev->data);
		break;
	case SIM_EV_FRAG_TICK:
		fragstat_tick(s);
		break;
	case SIM_EV_COMPACT_MEMORY:
		compact_nodes(s);
		break;
	default:
		SIM_BUG_ON(1);
	}
}

void sim_start(struct sim *s, uint64_t t0_ns)
{
	if (t0_ns > s->now_ns)
		s->now_ns = t0_ns;
	fragstat_start(s, t0_ns);
	compaction_start(s, t0_ns);
}

void sim_advance(struct sim *s, uint64_t t_ns)
{
	struct eventq_item ev;

	while (eventq_peek(s->q, &ev) && ev.time_ns <= t_ns) {
		eventq_pop(s->q, &ev);
		if (ev.time_ns > s->now_ns)
			s->now_ns = ev.time_ns;
		dispatch(s, &ev);
		if (SIM_DEBUG_CHECKS)
			SIM_BUG_ON(!sim_check(s));
	}
}

/*
 * Debug builds check every invariant after each row on machines of up to
 * 4096 pages, and proportionally less often on larger ones, so a checked
 * replay costs about 4096 page visits per row whatever the machine's size.
 */
static uint64_t debug_check_every(const struct sim *s)
{
	return s->nr_pfns > 4096 ? s->nr_pfns / 4096 : 1;
}

/*
 * Rows are read a few ahead of the one being applied, so the memory they
 * will need can be fetched early. A hit is three dependent cache misses in
 * tables as large as the machine: the hash slot, the entry it names, and
 * the struct page the entry maps. So the slot is prefetched when the row
 * is read (LOOKAHEAD rows ahead), the entry ENTRY_AHEAD rows ahead, and
 * LOOKUP_AHEAD rows ahead, the entry now at hand, the lookup itself is
 * done and the page prefetched; the row then reuses that answer unless the
 * map changed meanwhile (row_key_lookup()). Reading ahead changes nothing
 * else: rows are still applied one at a time, each when its event comes due.
 */
#define LOOKAHEAD 8u
#define ENTRY_AHEAD 4u
#define LOOKUP_AHEAD 2u

struct row_ring {
	struct trace_row r[LOOKAHEAD];
	struct row_key key[LOOKAHEAD];	/* each row's key when read, a hint */
	unsigned head, n;
	int rc;			/* the reader's status after the last row read */
};

static uint32_t row_obj_lookup(struct sim *s, const struct trace_row *row)
{
	if (row->op != TRACE_OP_ACCESS)
		return PM_NONE;
	return row_obj(s, row, false);
}

static void ring_fill(struct sim *s, struct trace_reader *tr,
		      struct row_ring *q)
{
	while (q->n < LOOKAHEAD && q->rc == TRACE_ROW) {
		unsigned i = (q->head + q->n) % LOOKAHEAD;
		struct trace_row *row = &q->r[i];

		q->rc = trace_next(tr, row);
		if (q->rc != TRACE_ROW)
			break;
		q->n++;
		q->key[i].obj = row_obj_lookup(s, row);
		if (q->key[i].obj != PM_NONE) {
			q->key[i].index = row->addr >> PAGE_SHIFT;
			q->key[i].h = pagemap_hash(q->key[i].obj,
						   q->key[i].index);
			q->key[i].releases = pagemap_obj_releases(s->pm);
			q->key[i].id = PM_NONE;
			q->key[i].stamp = NO_STAMP;
			pagemap_prefetch_slot(s->pm, q->key[i].h);
		}
	}
}

/* The object looked up when the row was read may be stale: a hint only. */
static void ring_prefetch_entry(struct sim *s, const struct row_ring *q)
{
	unsigned i = (q->head + ENTRY_AHEAD) % LOOKAHEAD;

	if (q->n > ENTRY_AHEAD && q->key[i].obj != PM_NONE)
		pagemap_prefetch_entry(s->pm, q->key[i].h);
}

/* The early lookup, LOOKUP_AHEAD rows ahead, and the page's prefetch. */
static void ring_lookup(struct sim *s, struct row_ring *q)
{
	struct row_key *key = &q->key[(q->head + LOOKUP_AHEAD) % LOOKAHEAD];
	uint32_t id;

	if (q->n <= LOOKUP_AHEAD || key->obj == PM_NONE ||
	    key->releases != pagemap_obj_releases(s->pm))
		return;
	id = pagemap_lookup_hashed(s->pm, key->obj, key->index, key->h);
	key->id = id;
	key->stamp = lookup_stamp(s->pm, id);
	if (id != PM_NONE) {
		uint32_t pfn = pagemap_entry(s->pm, id)->pfn;

		if (pfn < s->nr_pfns)
			__builtin_prefetch(&s->mem_map[pfn]);
	}
}

/*
 * The next row is an event of the queue's order, (its time, a sequence
 * number reserved when it was read), but it is held in the ring rather than
 * pushed and popped through the heap: each step runs whichever comes first,
 * the queue's earliest event or the row, exactly as if the row were queued.
 */
int sim_run(struct sim *s, struct trace_reader *tr, char *err, size_t errlen)
{
	struct row_ring q = { .rc = TRACE_ROW };
	struct eventq_item ev;
	uint64_t row_seq = 0;

	ring_fill(s, tr, &q);
	if (q.n) {
		s->stats.first_t_ns = q.r[q.head].time_ns;
		sim_start(s, q.r[q.head].time_ns);
		row_seq = eventq_reserve_seq(s->q);
	}
	while (q.n) {
		const struct trace_row *row = &q.r[q.head];

		if (eventq_peek(s->q, &ev) &&
		    eventq_item_before(&ev, row->time_ns, row_seq)) {
			eventq_pop(s->q, &ev);
			if (ev.time_ns > s->now_ns)
				s->now_ns = ev.time_ns;
			dispatch(s, &ev);
			continue;
		}
		if (row->time_ns > s->now_ns)
			s->now_ns = row->time_ns;
		ring_prefetch_entry(s, &q);
		ring_lookup(s, &q);
		apply_row(s, row, q.key[q.head].obj != PM_NONE ?
				  &q.key[q.head] : NULL);
		s->stats.rows++;
		s->stats.last_t_ns = row->time_ns;
		q.head = (q.head + 1) % LOOKAHEAD;
		q.n--;
		if (SIM_DEBUG_CHECKS && s->stats.rows % debug_check_every(s) == 0)
			SIM_BUG_ON(!sim_check(s));
		/* An interruption is noticed within 256 rows. */
		if ((s->stats.rows & 0xff) == 0) {
			if (s->stop && *s->stop)
				return 0;
			if (s->progress && (s->stats.rows & 0xffff) == 0)
				s->progress(s, tr);
		}
		ring_fill(s, tr, &q);
		if (q.n)
			row_seq = eventq_reserve_seq(s->q);
	}
	if (q.rc == TRACE_ERR) {
		snprintf(err, errlen, "%s", trace_error(tr));
		return -1;
	}
	/* Internal work due by the last row's time still happens. */
	sim_advance(s, s->stats.last_t_ns);
	return 0;
}

/* ---- invariants ---- */

/* Pages of the in-use block headed at p (0 if p heads none). */
static uint64_t used_block_pages(struct sim *s, const struct page *p)
{
	if (p->flags & PG_lru)
		return 1ull << p->order;
	if (p->flags & PG_kernel)
		return 1ull << pagemap_entry(s->pm, p->mapping)->shadow;
	if (p->flags & PG_pretrace)
		return 1;
	return 0;
}

static bool check_zone_pages(struct sim *s, const struct zone *z)
{
	uint64_t used = 0, free_pages = 0, absent = 0, end = z->zone_start_pfn +
							     z->spanned_pages;

	for (uint64_t pfn = z->zone_start_pfn; pfn < end;) {
		const struct page *p = &s->mem_map[pfn];
		uint64_t n = 1;

		if (p->flags & PG_buddy) {
			n = 1ull << p->order;
			free_pages += n;
		} else if (p->flags & PG_reserved) {
			absent++;
		} else if ((n = used_block_pages(s, p)) != 0) {
			used += n;
		} else {
			fprintf(stderr, "mmsim: check: pfn %llu neither free "
				"nor in use\n", (unsigned long long)pfn);
			return false;
		}
		pfn += n;
	}
	if (free_pages != z->free_pages || free_pages + used !=
					   z->managed_pages ||
	    absent + z->managed_pages != z->spanned_pages) {
		fprintf(stderr, "mmsim: check: zone %s free %llu (counted "
			"%llu) + used %llu != managed %llu (absent %llu)\n",
			z->name, (unsigned long long)z->free_pages,
			(unsigned long long)free_pages,
			(unsigned long long)used,
			(unsigned long long)z->managed_pages,
			(unsigned long long)absent);
		return false;
	}
	return true;
}

/* The pageblock counters agree with a walk over the pages. */
static bool check_pageblock_usage(struct sim *s, const struct zone *z)
{
	const struct pageblock_usage *u = &s->nodes[z->nid].pb_usage[z->zone_idx];
	struct pageblock_stats fast, slow;

	pageblock_stats_from_usage(u, z->pageblock_mt, &fast);
	pageblock_stats_scan(z, u->nr_present, &slow);
	if (memcmp(&fast, &slow, sizeof(fast)) == 0)
		return true;
	fprintf(stderr, "mmsim: check: zone %s pageblock counters disagree "
		"with the pages\n", z->name);
	return false;
}

bool sim_check(struct sim *s)
{
	for (unsigned n = 0; n < s->nr_nodes; n++) {
		struct pglist_data *pgdat = &s->nodes[n];
		struct lruvec *lruvec = &pgdat->lruvec;

		for (unsigned i = 0; i < pgdat->nr_zones; i++)
			if (!buddy_check(&pgdat->zones[i]) ||
			    !check_zone_pages(s, &pgdat->zones[i]) ||
			    !check_pageblock_usage(s, &pgdat->zones[i]))
				return false;
		if (lruvec->ops->check && !lruvec->ops->check(lruvec))
			return false;
	}
	/* A slice of the page map per call: a checked replay runs this every
	 * few rows, and a whole pass costs a lookup per entry. */
	return pagemap_check(s->pm, 256);
}
