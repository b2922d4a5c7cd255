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
 * Shadow lifetime (§5.5): the kernel trims shadow nodes with a shrinker;
 * mmsim drops file shadows whose distance already exceeds every page of the
 * machine (they can never be recent again) once file shadows outnumber
 * twice the machine's pages. That keeps the page map proportional to
 * simulated RAM. Such a page's next fault is counted as a plain fault, not a
 * refault (summary: memory.shadows_dropped). Anon shadows stand for swapped
 * data and are kept until the page is freed or its process exits.
 */
#include "bug.h"
#include "mm/internal.h"

#define SHADOW_WORKINGSET 1ull

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
	uint64_t limit = s->nr_pfns;
	uint32_t n = pagemap_id_limit(s->pm);

	if (s->nr_shadows <= 2 * limit + 4096)
		return;
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
}
