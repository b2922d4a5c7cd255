/*
 * workingset.c - shadow entries and refault detection (mm/workingset.c).
 *
 * The kernel's insight (see the essay at the top of mm/workingset.c): the
 * number of evictions and activations between a page's eviction and its
 * refault is a lower bound on how many more inactive-list slots it would have
 * needed to stay resident. Each lruvec keeps a clock, nonresident_age,
 * advanced on every eviction and every activation (kernel-model.md §5.1);
 * an evicted page leaves a shadow entry with the clock's value and whether
 * the page was in the workingset (PG_workingset). On refault the distance is
 * the clock's advance since then; the refault is "recent" when the distance
 * is within the workingset size the policy reports (§5.3: active file, plus
 * anon when there is swap, ...), and then the page is activated.
 *
 * Shadow lifetime (§5.5): the kernel trims xarray nodes that hold only
 * shadows with a shrinker whose budget is one node per 8 LRU pages; a node
 * holds 64 slots, so densely packed shadows (a file read sequentially) can
 * number up to 8 per page of memory. mmsim keeps that budget: once shadows
 * outnumber 8 x the machine's pages it drops every file shadow whose
 * distance exceeds 4 x the machine's pages, the oldest first in effect, as
 * the shrinker's LRU of nodes does. (Such a distance exceeds any workingset
 * size, so these refaults could never have activated.) That keeps the page
 * map proportional to simulated RAM, never to trace length. A page whose
 * shadow was dropped faults as a plain fault, not a refault
 * (summary: sim.shadows_dropped). Anon shadows stand for swapped-out data
 * and are kept until the page is freed or its process exits.
 */
#include "bug.h"
#include "mm/internal.h"

#define SHADOW_WORKINGSET 1ull
#define SHADOW_BUDGET_FACTOR 8	/* shadows per page before pruning */
#define SHADOW_KEEP_FACTOR 4	/* prune those older than 4 x pages */

uint64_t workingset_eviction(struct lruvec *lruvec, const struct page *page)
{
	lruvec->nonresident_age++;
	return (lruvec->nonresident_age << 1) |
	       ((page->flags & PG_workingset) ? SHADOW_WORKINGSET : 0);
}

void lruvec_age_nonresident(struct lruvec *lruvec, uint64_t nr)
{
	lruvec->nonresident_age += nr;
}

void workingset_refault(struct sim *s, struct lruvec *lruvec, uint64_t shadow,
			const struct emit_page_id *id, struct fault_info *fi)
{
	bool file = id->type == PAGE_FILE;
	uint64_t eviction = shadow >> 1;
	struct emit_refault r = { .page = *id };

	r.distance = lruvec->nonresident_age - eviction;
	r.workingset_size = lruvec->ops->workingset_size(lruvec, id->type,
							 s->cfg->swap);
	r.activate = r.distance <= r.workingset_size;
	r.restore = r.activate && (shadow & SHADOW_WORKINGSET);
	count_vm_events(s, file ? VM_workingset_refault_file :
				  VM_workingset_refault_anon, 1);
	if (r.activate) {
		lruvec_age_nonresident(lruvec, 1);
		count_vm_events(s, file ? VM_workingset_activate_file :
					  VM_workingset_activate_anon, 1);
	}
	if (r.restore)
		count_vm_events(s, file ? VM_workingset_restore_file :
					  VM_workingset_restore_anon, 1);
	fi->refault = true;
	fi->activate = r.activate;
	fi->workingset = r.restore;
	emit_refault(s->log, s->now_ns, &r);
}

void workingset_prune_shadows(struct sim *s)
{
	struct lruvec *lruvec = &s->nodes[0].lruvec;
	uint64_t limit = SHADOW_KEEP_FACTOR * s->nr_pfns;
	uint64_t budget = SHADOW_BUDGET_FACTOR * s->nr_pfns + 4096;
	uint32_t n;

	if (s->nr_shadows <= budget || s->nr_shadows < s->shadow_prune_at)
		return;
	n = pagemap_id_limit(s->pm);
	s->stats.shadow_sweeps++;
	for (uint32_t id = 0; id < n; id++) {
		struct pm_entry *e = pagemap_entry(s->pm, id);

		if (e->obj == PM_NONE || e->pfn != PFN_NONE)
			continue;
		if (pagemap_obj_get(s->pm, e->obj)->type != PAGE_FILE)
			continue;
		if (lruvec->nonresident_age - (e->shadow >> 1) > limit) {
			sim_drop_shadow(s, id);
			s->stats.shadows_dropped++;
		}
	}
	/*
	 * Anon shadows (swapped-out pages) are never dropped, so they alone
	 * may exceed the budget: sweep again only once the count has doubled,
	 * which keeps the sweeps' cost amortized O(1) per row.
	 */
	s->shadow_prune_at = 2 * s->nr_shadows;
}
