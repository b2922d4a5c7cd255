/*
 * lru_warm.h - fetching a reclaim walk's cache lines ahead of time.
 *
 * Reclaim walks a list from its tail, one struct page after the other, and
 * each victim's page-map entry and buddy lines are cold: a chain of cache
 * misses that the work per victim is too short to hide. So a policy does
 * the walk ahead of time, a step per fault (faults are what make reclaim
 * run), prefetching the next few dozen victims' lines from a tail, and
 * restarts it from the new tail once reclaim has used it up (each policy
 * decides when: slist after every pass, classic when isolation reaches the
 * walk's page or the walk ran off its list). These are hints
 * only: a page that moves meanwhile makes a useless prefetch, never a
 * wrong answer (every pfn is bounds-checked before use).
 */
#ifndef SIM_POLICY_LRU_WARM_H
#define SIM_POLICY_LRU_WARM_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/pagemap.h"
#include "sim.h"

/* Victims warmed on a list: a reclaim pass takes SWAP_CLUSTER_MAX (32). */
#define LRU_WARM_PAGES 32u

/* One walk: the page it goes on from, and how many it has warmed. */
struct lru_warm {
	uint32_t pfn;
	uint32_t pages;
};

/* Prefetches what reclaiming pfn touches; returns the page before it. */
static inline uint32_t lru_prefetch_victim(const struct sim *s, uint32_t pfn)
{
	const struct page *map = s->mem_map;
	uint32_t prev = map[pfn].prev;

	pagemap_prefetch_id(s->pm, map[pfn].mapping);
	/* buddy_merge_likely() reads the order-1 buddy; the order-0 buddy
	 * shares pfn's cache line. */
	if ((pfn ^ 2) < s->nr_pfns)
		__builtin_prefetch(&map[pfn ^ 2]);
	if (prev < s->nr_pfns)
		__builtin_prefetch(&map[prev]);
	return prev;
}

/* Restarts the walk from a list's tail. */
static inline void lru_warm_reset(struct lru_warm *w, uint32_t tail)
{
	w->pfn = tail;
	w->pages = 0;
}

/* Whether the walk can go on: it is at a page, short of its depth. */
static inline bool lru_warm_going(const struct sim *s,
				  const struct lru_warm *w)
{
	return w->pfn < s->nr_pfns && w->pages < LRU_WARM_PAGES;
}

/* One step of the walk; the step before fetched its page. */
static inline void lru_warm_step(const struct sim *s, struct lru_warm *w)
{
	if (!lru_warm_going(s, w))
		return;
	w->pfn = lru_prefetch_victim(s, w->pfn);
	w->pages++;
}

#endif
