/*
 * placement.c - the state before the first row (placement.initial) and the
 * replay of kernel allocations (`alloc` / `free` rows, placement.mode).
 *
 * A capture starts on a machine that has been running: most memory is in
 * use, free memory is scattered. Three starting points:
 *
 * - free: every page free, as right after boot. Simple and exact about
 *   what the trace itself does; frees of pages allocated before the trace
 *   find nothing (counted as free_unknown_pfn).
 * - fill: placement.fill_percent of every zone in use as single movable
 *   pages at pfns drawn by a fixed-seed xorshift generator, pageblocks
 *   MOVABLE: scattered free memory that compaction can defragment.
 * - snapshot: the copies of /proc/pagetypeinfo and /proc/buddyinfo taken
 *   right before the capture. The counts do not say where the blocks
 *   were, so the layout is a documented guess that reproduces every count
 *   exactly (the frag event at t0 equals the files):
 *     * the pageblocks counted in "Number of blocks type" are the zone's
 *       first ones; the pageblocks beyond are absent (not managed: a hole,
 *       or memory the kernel had not initialised yet - the sample
 *       machine's deferred_init=lazy Normal zone has 2112 of 10752);
 *     * free blocks of pageblock order or more sit at the top of the
 *       present range, each with its buddy kept partly in use so it cannot
 *       merge (unless it is MAX_PAGE_ORDER);
 *     * the other pageblocks are "partial", their types spread evenly;
 *       each smaller free block goes to a partial pageblock of its list's
 *       type, round robin, with one page of its buddy kept in use so the
 *       buddy allocator does not merge it away;
 *     * every other present page is in use since before the trace: a
 *       single page of its pageblock's type (PG_pretrace, no page map
 *       entry), which compaction may move when that type is MOVABLE.
 *
 * placement.mode simulate: mmsim's allocator places every `alloc` row; the
 * recorded pfn (or the row number when there is none) only names the
 * allocation for a later `free`. placement.mode trace: the block lands on
 * the recorded pfn when it is free; when pages in use since before the
 * trace are in the way, the trace proves they were free by then: they are
 * released first (counted as pretrace_displaced) and the block lands; when
 * the replay's own pages are in the way (a free missing from the trace, or
 * pages mmsim placed differently), the allocator places it instead and the
 * row is logged. A `free` of a pfn no `alloc` named releases, in trace
 * mode, the pre-trace pages at that pfn; otherwise it is counted and
 * logged. Both modes keep the allocation's identity through compaction.
 *
 * An `alloc` row without gfp is GFP_KERNEL, GFP_HIGHUSER_MOVABLE when its
 * migratetype is movable: it may reclaim and compact.
 */
#include "placement.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bug.h"
#include "mm/buddy.h"
#include "mm/internal.h"
#include "xalloc.h"

#define PB_BITMAP_WORDS ((1u << MAX_PAGE_ORDER) / 64)

/* ---- small helpers ---- */

static uint64_t xorshift64(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

static struct zone *pfn_zone_or_null(struct sim *s, uint64_t pfn)
{
	if (pfn >= s->nr_pfns || (s->mem_map[pfn].flags & PG_reserved))
		return NULL;
	return sim_pfn_zone(s, pfn);
}

static void log_placement(struct sim *s, const struct trace_row *row,
			  const char *op, const char *reason,
			  const char *action)
{
	struct emit_placement p = { .op = op, .pid = row->pid,
				    .pfn = row->pfn, .order = row->order,
				    .reason = reason, .action = action };

	emit_placement(s->log, s->now_ns, &p);
}

/* ---- placement.initial fill ---- */

static void fill_zone(struct sim *s, struct zone *z)
{
	uint64_t end = z->zone_start_pfn + z->spanned_pages;

	for (uint64_t pfn = z->zone_start_pfn; pfn < end; pfn++) {
		if (xorshift64(&s->rng) % 100 >= s->cfg->fill_percent)
			continue;
		if (!sim_take_block(s, z, pfn, 0, MIGRATE_MOVABLE))
			SIM_BUG_ON(1);
		s->mem_map[pfn].flags |= PG_pretrace;
		s->stats.pretrace_pages++;
	}
}

/* ---- placement.initial snapshot: the plan ---- */

enum pb_role { PB_FREE_PART, PB_PARTIAL, PB_WHOLE_FREE };

struct layout {
	size_t nr;			/* present pageblocks */
	size_t base_pb;			/* absolute index of pageblock 0 */
	unsigned pb_order;
	uint8_t *role;			/* enum pb_role; FREE_PART: unassigned */
	uint8_t *tag;
	uint64_t (*bits)[PB_BITMAP_WORDS];	/* pages taken in a partial block */
	uint64_t (*used)[PB_BITMAP_WORDS];	/* of those, kept in use */
	struct { size_t pb; unsigned off, order; } *free;
	size_t nr_free, cap_free;
};

struct layout_ctx {
	const char *name;
	const char *zone;
	char *err;
	size_t errlen;
};

static void layout_add_free(struct layout *l, size_t pb, unsigned off,
			    unsigned order)
{
	if (l->nr_free == l->cap_free) {
		l->cap_free = l->cap_free ? 2 * l->cap_free : 256;
		l->free = xrealloc(l->free, l->cap_free * sizeof(*l->free));
	}
	l->free[l->nr_free].pb = pb;
	l->free[l->nr_free].off = off;
	l->free[l->nr_free].order = order;
	l->nr_free++;
}

static bool bit_test(const uint64_t *b, unsigned i)
{
	return (b[i / 64] >> (i % 64)) & 1;
}

static void bit_set(uint64_t *b, unsigned i)
{
	b[i / 64] |= 1ull << (i % 64);
}

/*
 * A whole-free block of order o >= pageblock order: 2^(o - pb) pageblocks,
 * aligned in absolute pfns, from the top down. Below MAX_PAGE_ORDER its
 * buddy, when present, must keep a partial pageblock, reserved as such.
 */
static bool place_whole(struct layout *l, unsigned o, int mt)
{
	size_t size = (size_t)1 << (o - l->pb_order);

	for (size_t pos = l->nr; pos-- > 0;) {
		size_t abs = l->base_pb + pos, bud, keep = SIZE_MAX;
		bool ok = abs % size == 0 && pos + size <= l->nr;

		for (size_t i = pos; ok && i < pos + size; i++)
			ok = l->role[i] == PB_FREE_PART;
		if (!ok)
			continue;
		bud = (abs ^ size) - l->base_pb;	/* wraps when below */
		if (o < MAX_PAGE_ORDER && (abs ^ size) >= l->base_pb &&
		    bud < l->nr) {
			for (size_t i = bud; i < bud + size && i < l->nr &&
			     keep == SIZE_MAX; i++)
				if (l->role[i] != PB_WHOLE_FREE)
					keep = i;
			if (keep == SIZE_MAX)
				continue;
			l->role[keep] = PB_PARTIAL;
		}
		for (size_t i = pos; i < pos + size; i++) {
			l->role[i] = PB_WHOLE_FREE;
			l->tag[i] = (uint8_t)mt;
		}
		layout_add_free(l, pos, 0, o);
		return true;
	}
	return false;
}

/*
 * Tags the partial pageblocks: counts[mt] of each type (they sum to the
 * number of partial pageblocks), each non-movable type spread evenly over
 * them, Movable taking the rest.
 */
static void tag_partials(struct layout *l, const uint64_t counts[MIGRATE_TYPES])
{
	size_t *slots = xmalloc((l->nr ? l->nr : 1) * sizeof(*slots)), n = 0;
	const uint8_t unset = 0xff;

	for (size_t i = 0; i < l->nr; i++)
		if (l->role[i] != PB_WHOLE_FREE) {
			l->role[i] = PB_PARTIAL;
			l->tag[i] = unset;
			slots[n++] = i;
		}
	for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
		if (mt == MIGRATE_MOVABLE)
			continue;
		for (uint64_t j = 0; j < counts[mt]; j++) {
			size_t pos = (size_t)((2 * j + 1) * n / (2 * counts[mt]));

			while (l->tag[slots[pos]] != unset)
				pos = (pos + 1) % n;
			l->tag[slots[pos]] = (uint8_t)mt;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (l->tag[slots[i]] == unset)
			l->tag[slots[i]] = MIGRATE_MOVABLE;
	free(slots);
}

/* Can a free block of order k sit at off in partial pageblock pb? */
static bool small_fits(struct layout *l, size_t pb, unsigned off, unsigned k)
{
	unsigned n = 1u << k, buddy = off ^ n;

	for (unsigned i = off; i < off + n; i++)
		if (bit_test(l->bits[pb], i))
			return false;
	for (unsigned i = buddy; i < buddy + n; i++)
		if (!bit_test(l->bits[pb], i) || bit_test(l->used[pb], i))
			return true;	/* a page of the buddy stays in use */
	return false;
}

static void small_take(struct layout *l, size_t pb, unsigned off, unsigned k)
{
	unsigned n = 1u << k, buddy = off ^ n;
	bool kept = false;

	for (unsigned i = off; i < off + n; i++)
		bit_set(l->bits[pb], i);
	for (unsigned i = buddy; i < buddy + n && !kept; i++)
		kept = bit_test(l->used[pb], i);
	for (unsigned i = buddy; i < buddy + n && !kept; i++)
		if (!bit_test(l->bits[pb], i)) {
			bit_set(l->bits[pb], i);
			bit_set(l->used[pb], i);
			kept = true;
		}
	layout_add_free(l, pb, off, k);
}

static bool place_small(struct layout *l, unsigned k, int mt, size_t *rr)
{
	unsigned per_pb = 1u << l->pb_order;

	for (size_t tried = 0; tried < l->nr; tried++) {
		size_t pb = (*rr + tried) % l->nr;

		if (l->role[pb] != PB_PARTIAL || l->tag[pb] != mt)
			continue;
		for (unsigned off = 0; off < per_pb; off += 1u << k)
			if (small_fits(l, pb, off, k)) {
				small_take(l, pb, off, k);
				*rr = pb + 1;
				return true;
			}
	}
	return false;
}

__attribute__((format(printf, 2, 3)))
static int layout_fail(const struct layout_ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s: zone %s: %s", c->name, c->zone, msg);
	return -1;
}

static int plan_whole(struct layout *l, const struct snapshot_zone *sz,
		      const struct layout_ctx *c)
{
	static const char *const names[MIGRATE_TYPES] = {
		"Unmovable", "Movable", "Reclaimable", "HighAtomic" };

	for (int o = MAX_PAGE_ORDER; o >= (int)l->pb_order; o--)
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			for (uint64_t n = 0; n < sz->nr_free[o][mt]; n++)
				if (!place_whole(l, (unsigned)o, mt))
					return layout_fail(c, "got %llu free "
						"order-%d %s blocks, expected "
						"them to fit in %zu pageblocks",
						(unsigned long long)
						sz->nr_free[o][mt], o, names[mt],
						l->nr);
	return 0;
}

static int plan_partials(struct layout *l, const struct snapshot_zone *sz,
			 const struct layout_ctx *c)
{
	uint64_t partial[MIGRATE_TYPES];
	size_t rr = 0;

	for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
		uint64_t whole = 0;

		for (size_t i = 0; i < l->nr; i++)
			whole += l->role[i] == PB_WHOLE_FREE && l->tag[i] == mt;
		if (whole > sz->blocks[mt])
			return layout_fail(c, "got %llu free pageblocks of type "
				"%d, expected at most the %llu pageblocks of "
				"that type", (unsigned long long)whole, mt,
				(unsigned long long)sz->blocks[mt]);
		partial[mt] = sz->blocks[mt] - whole;
	}
	tag_partials(l, partial);
	for (int k = (int)l->pb_order - 1; k >= 0; k--)
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			for (uint64_t n = 0; n < sz->nr_free[k][mt]; n++)
				if (!place_small(l, (unsigned)k, mt, &rr))
					return layout_fail(c, "got %llu free "
						"order-%d blocks of type %d, "
						"expected them to fit in its "
						"%llu partly used pageblocks",
						(unsigned long long)
						sz->nr_free[k][mt], k, mt,
						(unsigned long long)partial[mt]);
	return 0;
}

static void layout_init(struct layout *l, size_t nr, unsigned pb_order,
			size_t base_pb)
{
	memset(l, 0, sizeof(*l));
	l->nr = nr;
	l->base_pb = base_pb;
	l->pb_order = pb_order;
	l->role = xcalloc(nr ? nr : 1, 1);
	l->tag = xcalloc(nr ? nr : 1, 1);
	l->bits = xcalloc(nr ? nr : 1, sizeof(*l->bits));
	l->used = xcalloc(nr ? nr : 1, sizeof(*l->used));
}

static void layout_destroy(struct layout *l)
{
	free(l->role);
	free(l->tag);
	free(l->bits);
	free(l->used);
	free(l->free);
}

/* ---- placement.initial snapshot: building the zone ---- */

/* Every page of z out of the free lists. */
static void take_everything(struct zone *z)
{
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			while (z->free_area[o].head[mt] != PFN_NONE)
				if (!buddy_alloc_at(z, z->free_area[o].head[mt], o))
					SIM_BUG_ON(1);
}

static void mark_pages(struct sim *s, struct zone *z, const struct layout *l,
		       uint64_t present_end)
{
	uint64_t end = z->zone_start_pfn + z->spanned_pages;

	for (uint64_t pfn = z->zone_start_pfn; pfn < end; pfn++) {
		struct page *p = &s->mem_map[pfn];
		size_t pb = (size_t)((pfn - z->zone_start_pfn) >> l->pb_order);

		p->order = 0;
		p->next = p->prev = PFN_NONE;
		if (pfn >= present_end) {
			p->flags = PG_reserved;
			p->migratetype = MIGRATE_MOVABLE;
			s->stats.absent_pages++;
			continue;
		}
		p->flags = PG_head | PG_pretrace;
		p->migratetype = l->tag[pb];
	}
	for (size_t i = 0; i < l->nr; i++)
		z->pageblock_mt[i] = l->tag[i];
}

static void free_planned(struct sim *s, struct zone *z, const struct layout *l)
{
	for (size_t i = 0; i < l->nr_free; i++) {
		uint64_t pfn = z->zone_start_pfn +
			       ((uint64_t)l->free[i].pb << l->pb_order) +
			       l->free[i].off;
		unsigned order = l->free[i].order;

		for (uint64_t k = 0; k < (1ull << order); k++)
			s->mem_map[pfn + k].flags = k ? PG_tail : PG_head;
		buddy_free(z, pfn, order);
	}
}

static void count_pretrace(struct sim *s, struct zone *z)
{
	struct pageblock_usage *u = &s->nodes[z->nid].pb_usage[z->zone_idx];
	uint64_t end = z->zone_start_pfn + z->spanned_pages;

	pageblock_usage_destroy(u);
	pageblock_usage_init(u, z);
	for (uint64_t pfn = z->zone_start_pfn; pfn < end; pfn++) {
		const struct page *p = &s->mem_map[pfn];

		if (p->flags & PG_pretrace) {
			pageblock_usage_add(u, pfn, 0, p->migratetype, +1);
			s->stats.pretrace_pages++;
		}
	}
}

static bool counts_match(const struct zone *z, const struct snapshot_zone *sz)
{
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			if (z->free_area[o].nr_free_mt[mt] != sz->nr_free[o][mt])
				return false;
	return true;
}

/* buddyinfo alone counts no pageblocks: the whole zone, all Movable. */
static void blocks_default(struct snapshot_zone *sz, size_t full)
{
	if (sz->has_blocks)
		return;
	memset(sz->blocks, 0, sizeof(sz->blocks));
	sz->blocks[MIGRATE_MOVABLE] = full;
}

int placement_apply_snapshot_zone(struct sim *s, struct zone *z,
				  const struct snapshot_zone *given,
				  const char *name, char *err, size_t errlen)
{
	struct layout_ctx c = { name, z->name, err, errlen };
	struct snapshot_zone sz = *given;
	uint64_t pb_pages = 1ull << z->pageblock_order, present_end;
	size_t full = (size_t)(z->spanned_pages / pb_pages), nb = 0;
	struct layout l;
	int rc;

	if (z->zone_start_pfn % pb_pages)
		return layout_fail(&c, "got a zone starting at pfn %llu, "
			"expected a multiple of the pageblock (%llu pages) to "
			"lay a snapshot out", (unsigned long long)
			z->zone_start_pfn, (unsigned long long)pb_pages);
	blocks_default(&sz, full);
	for (int mt = 0; mt < MIGRATE_TYPES; mt++)
		nb += (size_t)sz.blocks[mt];
	if (nb > full)
		return layout_fail(&c, "got %zu pageblocks (%llu pages), "
			"expected at most the configured zone's %zu whole "
			"pageblocks: adjust memory.pages and memory.zones", nb,
			(unsigned long long)(nb * pb_pages), full);
	layout_init(&l, nb, z->pageblock_order,
		    (size_t)(z->zone_start_pfn >> z->pageblock_order));
	rc = plan_whole(&l, &sz, &c);
	if (rc == 0)
		rc = plan_partials(&l, &sz, &c);
	if (rc == 0) {
		present_end = z->zone_start_pfn + nb * pb_pages;
		take_everything(z);
		mark_pages(s, z, &l, present_end);
		free_planned(s, z, &l);
		SIM_BUG_ON(!counts_match(z, &sz));
		count_pretrace(s, z);
		s->nodes[z->nid].pb_usage[z->zone_idx].nr_present = nb;
		z->present_pages = z->managed_pages = present_end -
						      z->zone_start_pfn;
	}
	layout_destroy(&l);
	return rc;
}

static int apply_snapshot(struct sim *s, char *err, size_t errlen)
{
	const struct config *cfg = s->cfg;
	const char *name = *cfg->pagetypeinfo_path ? cfg->pagetypeinfo_path :
						       cfg->buddyinfo_path;
	struct pglist_data *pgdat = &s->nodes[0];
	struct snapshot snap;

	snapshot_init(&snap);
	if ((*cfg->pagetypeinfo_path &&
	     snapshot_read_file(&snap, cfg->pagetypeinfo_path, true, err,
				errlen) < 0) ||
	    (*cfg->buddyinfo_path &&
	     snapshot_read_file(&snap, cfg->buddyinfo_path, false, err,
				errlen) < 0) ||
	    snapshot_resolve(&snap, name, err, errlen) < 0)
		return -1;
	if (snap.pageblock_order && snap.pageblock_order != cfg->pageblock_order) {
		snprintf(err, errlen, "%s: got pageblock order %u, expected "
			 "memory.pageblock_order (%u)", name,
			 snap.pageblock_order, cfg->pageblock_order);
		return -1;
	}
	pgdat->present_pages = 0;
	for (unsigned i = 0; i < pgdat->nr_zones; i++) {
		struct zone *z = &pgdat->zones[i];
		const struct snapshot_zone *sz = snapshot_zone(&snap, 0, z->name);

		if (!sz || !sz->has_types) {
			snprintf(err, errlen, "%s: got no counts for zone %s, "
				 "expected one line per zone of memory.zones",
				 name, z->name);
			return -1;
		}
		if (placement_apply_snapshot_zone(s, z, sz, name, err,
						  errlen) < 0)
			return -1;
		pgdat->present_pages += z->present_pages;
	}
	return 0;
}

int placement_initial(struct sim *s, char *err, size_t errlen)
{
	struct pglist_data *pgdat = &s->nodes[0];

	switch (s->cfg->placement_initial) {
	case PLACEMENT_INITIAL_FREE:
		return 0;
	case PLACEMENT_INITIAL_FILL:
		for (unsigned i = 0; i < pgdat->nr_zones; i++)
			fill_zone(s, &pgdat->zones[i]);
		return 0;
	case PLACEMENT_INITIAL_SNAPSHOT:
		return apply_snapshot(s, err, errlen);
	}
	SIM_BUG_ON(1);
	return -1;
}

/* ---- `alloc` and `free` rows ---- */

static gfp_t alloc_row_gfp(const struct trace_row *row)
{
	if (row->has & TRACE_HAS_GFP)
		return row->gfp;
	if (row->migratetype == MIGRATE_MOVABLE)
		return GFP_HIGHUSER_MOVABLE;
	return GFP_KERNEL;
}

/* Records the allocation under key, the block at pfn of order. */
static void own_block(struct sim *s, uint64_t key, uint64_t pfn,
		      unsigned order)
{
	uint32_t id = pagemap_insert(s->pm, s->kernel_obj, key);

	s->mem_map[pfn].flags |= PG_kernel;
	pagemap_entry(s->pm, id)->pfn = (uint32_t)pfn;
	pagemap_entry(s->pm, id)->shadow = order;
	s->mem_map[pfn].mapping = id;
}

/*
 * Pages in use since before the trace in [pfn, pfn + 2^order) are freed
 * when nothing else is in the way. True if the range is then free.
 */
static bool displace_pretrace(struct sim *s, uint64_t pfn, unsigned order)
{
	uint64_t end = pfn + (1ull << order);

	for (uint64_t p = pfn; p < end; p++) {
		const struct page *pg = &s->mem_map[p];

		if (!(pg->flags & (PG_buddy | PG_pretrace)) &&
		    !buddy_pfn_is_free(sim_pfn_zone(s, p), p))
			return false;
	}
	for (uint64_t p = pfn; p < end; p++)
		if (s->mem_map[p].flags & PG_pretrace) {
			s->mem_map[p].flags &= ~PG_pretrace;
			__sim_free_pages(s, p, 0);
			s->stats.pretrace_displaced++;
		}
	return true;
}

/* placement.mode trace: the block at its recorded pfn, if it can be. */
static bool alloc_at_recorded_pfn(struct sim *s, const struct trace_row *row,
				  int mt)
{
	uint64_t pfn = row->pfn, end = pfn + (1ull << row->order);
	struct zone *z = pfn_zone_or_null(s, pfn);

	if (!z || end > z->zone_start_pfn + z->spanned_pages ||
	    (pfn & ((1ull << row->order) - 1)) ||
	    pfn_zone_or_null(s, end - 1) != z)
		return false;
	if (!sim_take_block(s, z, pfn, row->order, mt)) {
		if (!displace_pretrace(s, pfn, row->order) ||
		    !sim_take_block(s, z, pfn, row->order, mt))
			return false;
	}
	s->nodes[z->nid].zone_vm[z->zone_idx][ZVM_pgalloc] += 1ull << row->order;
	zone_note_free(s, z);
	/* The fast path would have woken kswapd below the LOW mark. */
	if (!zone_watermark_ok(z, row->order, wmark_pages(z, WMARK_LOW),
			       z->zone_idx, 0, (int64_t)z->free_pages))
		wakeup_kswapd(s, &s->nodes[z->nid], row->order, z->zone_idx,
			      alloc_row_gfp(row));
	s->stats.page_alloc_ok[row->order]++;
	return true;
}

void placement_alloc(struct sim *s, const struct trace_row *row)
{
	gfp_t gfp = alloc_row_gfp(row);
	int mt = row->migratetype >= 0 ? row->migratetype :
					 gfp_migratetype(gfp);
	bool has_pfn = row->has & TRACE_HAS_PFN;
	uint64_t key = has_pfn ? row->pfn : UINT64_MAX - s->stats.rows;
	int64_t pfn;

	if (pagemap_lookup(s->pm, s->kernel_obj, key) != PM_NONE) {
		s->stats.alloc_dup++;	/* the free was not in the trace */
		log_placement(s, row, "alloc", "key_in_use", "dropped");
		return;
	}
	if (s->cfg->placement_mode == PLACEMENT_TRACE && has_pfn) {
		if (alloc_at_recorded_pfn(s, row, mt)) {
			s->stats.alloc_at_pfn++;
			s->stats.alloc_ok_order[row->order]++;
			own_block(s, key, row->pfn, row->order);
			return;
		}
		s->stats.alloc_elsewhere++;
		log_placement(s, row, "alloc", "pfn_in_use",
			      "placed_by_allocator");
	}
	pfn = sim_alloc_pages(s, row->order, gfp, mt, row->pid);
	if (pfn < 0) {
		s->stats.alloc_fail_order[row->order]++;
		return;
	}
	s->stats.alloc_ok_order[row->order]++;
	own_block(s, key, (uint64_t)pfn, row->order);
}

/* placement.mode trace: frees the pre-trace pages at the recorded pfns. */
static bool free_pretrace(struct sim *s, const struct trace_row *row)
{
	uint64_t end = row->pfn + (1ull << row->order);
	bool any = false;

	if (end > s->nr_pfns)
		return false;
	for (uint64_t p = row->pfn; p < end; p++)
		if (s->mem_map[p].flags & PG_pretrace) {
			s->mem_map[p].flags &= ~PG_pretrace;
			sim_free_pages(s, p, 0);
			s->stats.free_pretrace++;
			any = true;
		}
	return any;
}

void placement_free(struct sim *s, const struct trace_row *row)
{
	uint32_t id = pagemap_lookup(s->pm, s->kernel_obj, row->pfn);
	struct pm_entry *e;
	uint32_t pfn;
	unsigned order;

	if (id == PM_NONE) {
		if (s->cfg->placement_mode == PLACEMENT_TRACE &&
		    free_pretrace(s, row))
			return;
		s->stats.free_unknown++;
		log_placement(s, row, "free", "not_allocated", "ignored");
		return;
	}
	e = pagemap_entry(s->pm, id);
	pfn = e->pfn;
	order = (unsigned)e->shadow;
	pagemap_remove(s->pm, id);
	s->mem_map[pfn].flags &= ~PG_kernel;
	s->mem_map[pfn].mapping = PM_NONE;
	sim_free_pages(s, pfn, order);
}
