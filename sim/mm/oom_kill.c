/*
 * oom_kill.c - the OOM killer (mm/oom_kill.c).
 *
 * When the allocation slow path finds that neither reclaim nor retries can
 * help, out_of_memory() picks the process with the highest badness and
 * kills it. The kernel's badness (oom_badness()) is the task's rss (anon,
 * file and shmem pages mapped) plus swap entries plus page tables, adjusted
 * by oom_score_adj. mmsim charges file pages to no process (they are shared
 * page cache), so badness = resident anon pages + swapped-out anon pages;
 * ties go to the lowest pid, for determinism. The victim's anon pages and
 * swap are freed at once (the kernel's oom_reaper), the event is logged, and
 * the replay goes on: later rows of that pid fault its pages in afresh.
 */
#include "bug.h"
#include "mm/internal.h"

static struct sim_proc *select_bad_process(struct sim *s)
{
	struct sim_proc *victim = NULL;

	for (size_t i = 0; i < s->nr_procs; i++) {
		struct sim_proc *p = &s->procs[i];

		if (p->rss_anon == 0)
			continue;	/* killing it would free nothing */
		if (!victim || p->rss_anon + p->swap_pages >
				       victim->rss_anon + victim->swap_pages ||
		    (p->rss_anon + p->swap_pages ==
		     victim->rss_anon + victim->swap_pages &&
		     p->pid < victim->pid))
			victim = p;
	}
	return victim;
}

uint64_t sim_free_process(struct sim *s, uint32_t pid)
{
	uint32_t obj = pagemap_obj(s->pm, PAGE_ANON, pid, 0, 0, false);
	uint64_t freed = 0;
	uint32_t id;

	if (obj == PM_NONE)
		return 0;
	id = pagemap_obj_get(s->pm, obj)->head;
	while (id != PM_NONE) {
		struct pm_entry *e = pagemap_entry(s->pm, id);
		uint32_t next = e->obj_next;

		if (e->pfn != PFN_NONE) {
			sim_release_lru_page(s, e->pfn);
			freed++;
		} else {
			sim_drop_shadow(s, id);
		}
		id = next;
	}
	pagemap_obj_release(s->pm, obj);
	return freed;
}

bool out_of_memory(struct sim *s, unsigned order, uint32_t trigger_pid)
{
	struct sim_proc *victim = select_bad_process(s);
	struct emit_oom o;

	if (!victim)
		return false;
	o = (struct emit_oom){ .victim_pid = victim->pid,
			       .rss_pages = victim->rss_anon +
					    victim->swap_pages,
			       .trigger_pid = trigger_pid, .order = order };
	victim->oom_killed++;
	o.pages_freed = sim_free_process(s, o.victim_pid);
	count_vm_events(s, VM_oom_kill, 1);
	emit_oom(s->log, s->now_ns, &o);
	return o.pages_freed > 0;
}
