/*
 * slist.c - see slist.h.
 *
 * Reclaim walks a list from its tail, one struct page after the other, and
 * each victim's page-map entry and buddy lines are cold: a chain of cache
 * misses that the work per victim is too short to hide. So the walk is
 * done ahead of time, a step per fault (faults are what make reclaim
 * run): slist_add() prefetches the next few dozen victims' lines from each
 * tail, and every reclaim pass restarts that walk from the new tails.
 * These are hints only; a page that moves meanwhile makes a useless one.
 */
#include "policy/slist.h"

#include <stdlib.h>

#include "mm/pagemap.h"
#include "xalloc.h"

/* Victims warmed on each list: a reclaim pass takes SWAP_CLUSTER_MAX (32). */
#define SLIST_WARM_PAGES 32u

static struct slist *slist_of(struct lruvec *lruvec)
{
	return lruvec->priv;
}

/* Prefetches what reclaiming pfn touches; returns the page before it. */
static uint32_t slist_prefetch_victim(struct lruvec *lruvec, uint32_t pfn)
{
	const struct page *map = lruvec->sim->mem_map;
	uint32_t prev = map[pfn].prev;

	pagemap_prefetch_id(lruvec->sim->pm, map[pfn].mapping);
	/* buddy_merge_likely() reads the order-1 buddy; the order-0 buddy
	 * shares pfn's cache line. */
	if ((pfn ^ 2) < lruvec->sim->nr_pfns)
		__builtin_prefetch(&map[pfn ^ 2]);
	if (prev < lruvec->sim->nr_pfns)
		__builtin_prefetch(&map[prev]);
	return prev;
}

/* Restarts the warming walk from the tails. */
static void slist_warm_reset(struct slist *sl)
{
	for (int t = 0; t < NR_LRU_TYPES; t++) {
		sl->warm_pfn[t] = sl->list[t].tail;
		sl->warm_pages[t] = 0;
	}
}

/* One step of the walk on each list; the step before fetched its page. */
static void slist_warm_step(struct lruvec *lruvec, struct slist *sl)
{
	for (int t = 0; t < NR_LRU_TYPES; t++) {
		uint32_t pfn = sl->warm_pfn[t];

		if (pfn >= lruvec->sim->nr_pfns ||
		    sl->warm_pages[t] >= SLIST_WARM_PAGES)
			continue;
		sl->warm_pfn[t] = slist_prefetch_victim(lruvec, pfn);
		sl->warm_pages[t]++;
	}
}

int slist_init(struct lruvec *lruvec, const struct config *cfg)
{
	struct slist *sl = xcalloc(1, sizeof(*sl));

	(void)cfg;
	for (int t = 0; t < NR_LRU_TYPES; t++)
		page_list_init(&sl->list[t]);
	slist_warm_reset(sl);
	lruvec->priv = sl;
	return 0;
}

void slist_destroy(struct lruvec *lruvec)
{
	free(lruvec->priv);
	lruvec->priv = NULL;
}

void slist_add(struct lruvec *lruvec, uint32_t pfn,
	       const struct fault_info *fi)
{
	struct slist *sl = slist_of(lruvec);
	struct page *map = lruvec->sim->mem_map;

	(void)fi;
	map[pfn].priv = sl->clock++;
	page_list_add_head(map, &sl->list[page_lru_type(&map[pfn])], pfn);
	slist_warm_step(lruvec, sl);
}

void slist_touch(struct lruvec *lruvec, uint32_t pfn,
		 const struct access_info *ai)
{
	struct slist *sl = slist_of(lruvec);
	struct page *map = lruvec->sim->mem_map;
	struct page_list *l = &sl->list[page_lru_type(&map[pfn])];

	(void)ai;
	map[pfn].priv = sl->clock++;
	if (l->head == pfn)
		return;
	page_list_del(map, l, pfn);
	page_list_add_head(map, l, pfn);
}

void slist_del(struct lruvec *lruvec, uint32_t pfn)
{
	struct page *map = lruvec->sim->mem_map;

	page_list_del(map, &slist_of(lruvec)->list[page_lru_type(&map[pfn])],
		      pfn);
}

void slist_move(struct lruvec *lruvec, uint32_t old_pfn, uint32_t new_pfn)
{
	struct page *map = lruvec->sim->mem_map;
	struct page_list *l =
		&slist_of(lruvec)->list[page_lru_type(&map[old_pfn])];

	map[new_pfn].priv = map[old_pfn].priv;
	page_list_replace(map, l, old_pfn, new_pfn);
}

/*
 * The type whose tail is older; -1 when nothing may be reclaimed. Anon
 * needs swap, and with swappiness 0 it waits until no file page is left.
 */
int slist_victim_type(const struct slist *sl, const struct page *map,
		      const struct scan_control *sc)
{
	uint32_t a = sl->list[LRU_ANON].tail, f = sl->list[LRU_FILE].tail;
	bool anon_ok = sc->may_swap && a != PFN_NONE &&
		       (sc->swappiness || f == PFN_NONE);

	if (!anon_ok)
		return f == PFN_NONE ? -1 : LRU_FILE;
	if (f == PFN_NONE)
		return LRU_ANON;
	return (int32_t)(map[a].priv - map[f].priv) < 0 ? LRU_ANON : LRU_FILE;
}

void slist_shrink(struct lruvec *lruvec, struct scan_control *sc)
{
	struct slist *sl = slist_of(lruvec);
	struct page *map = lruvec->sim->mem_map;

	while (sc->nr_reclaimed < sc->nr_to_reclaim) {
		int t = slist_victim_type(sl, map, sc);
		uint32_t pfn;

		if (t < 0)
			break;
		pfn = sl->list[t].tail;
		page_list_del(map, &sl->list[t], pfn);
		if (sl->list[t].tail != PFN_NONE)	/* the next victim */
			slist_prefetch_victim(lruvec, sl->list[t].tail);
		sc->nr_scanned[t]++;
		if (!lruvec_reclaim_folio(lruvec, pfn, sc)) {
			page_list_add_head(map, &sl->list[t], pfn);
			break;
		}
	}
	slist_warm_reset(sl);
}

uint64_t slist_workingset_size(struct lruvec *lruvec, enum page_type type,
			       bool swap)
{
	(void)type;
	(void)swap;
	return lruvec->nr_pages[LRU_ANON] + lruvec->nr_pages[LRU_FILE];
}

bool slist_check(struct lruvec *lruvec)
{
	struct slist *sl = slist_of(lruvec);
	struct page *map = lruvec->sim->mem_map;

	for (int t = 0; t < NR_LRU_TYPES; t++) {
		uint64_t n = 0;
		uint32_t prev = PFN_NONE;

		for (uint32_t p = sl->list[t].head; p != PFN_NONE;
		     prev = p, p = map[p].next, n++) {
			if (map[p].prev != prev || !(map[p].flags & PG_lru) ||
			    (int)page_lru_type(&map[p]) != t) {
				fprintf(stderr, "mmsim: check: slist %d broken "
					"at pfn %u\n", t, p);
				return false;
			}
		}
		if (n != sl->list[t].nr || n != lruvec->nr_pages[t]) {
			fprintf(stderr, "mmsim: check: slist %d has %llu pages,"
				" counted %llu\n", t,
				(unsigned long long)lruvec->nr_pages[t],
				(unsigned long long)n);
			return false;
		}
	}
	return true;
}
