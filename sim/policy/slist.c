/*
 * slist.c - see slist.h.
 */
#include "policy/slist.h"

#include <stdlib.h>

#include "mm/pagemap.h"
#include "xalloc.h"

static struct slist *slist_of(struct lruvec *lruvec)
{
	return lruvec->priv;
}

int slist_init(struct lruvec *lruvec, const struct config *cfg)
{
	struct slist *sl = xcalloc(1, sizeof(*sl));

	(void)cfg;
	for (int t = 0; t < NR_LRU_TYPES; t++)
		page_list_init(&sl->list[t]);
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

/* The type whose tail is older; -1 when nothing may be reclaimed. */
static int slist_victim_type(const struct slist *sl, const struct page *map,
			     bool may_swap)
{
	uint32_t a = sl->list[LRU_ANON].tail, f = sl->list[LRU_FILE].tail;

	if (!may_swap || a == PFN_NONE)
		return f == PFN_NONE ? -1 : LRU_FILE;
	if (f == PFN_NONE)
		return LRU_ANON;
	return (int32_t)(map[a].priv - map[f].priv) < 0 ? LRU_ANON : LRU_FILE;
}

/*
 * Hints for the list's next victims, a step ahead of reclaim: the tail's
 * page-map entry (reclaim turns it into a shadow), the struct pages of its
 * order-1 buddy (freeing an order-0 page looks at them whether or not it
 * merges: buddy_merge_likely(); the order-0 buddy shares the tail's cache
 * line) and the page before it (the tail after that). The tail's own
 * struct page is in cache: unlinking its successor wrote it.
 */
static void slist_prefetch_tail(struct lruvec *lruvec,
				const struct page_list *l)
{
	const struct page *map = lruvec->sim->mem_map;
	uint32_t tail = l->tail;

	if (tail == PFN_NONE)
		return;
	pagemap_prefetch_id(lruvec->sim->pm, map[tail].mapping);
	if ((tail ^ 2) < lruvec->sim->nr_pfns)
		__builtin_prefetch(&map[tail ^ 2]);
	if (map[tail].prev != PFN_NONE)
		__builtin_prefetch(&map[map[tail].prev]);
}

void slist_shrink(struct lruvec *lruvec, struct scan_control *sc)
{
	struct slist *sl = slist_of(lruvec);
	struct page *map = lruvec->sim->mem_map;

	while (sc->nr_reclaimed < sc->nr_to_reclaim) {
		int t = slist_victim_type(sl, map, sc->may_swap);
		uint32_t pfn;

		if (t < 0)
			return;
		pfn = sl->list[t].tail;
		page_list_del(map, &sl->list[t], pfn);
		slist_prefetch_tail(lruvec, &sl->list[t]);
		sc->nr_scanned[t]++;
		if (!lruvec_reclaim_folio(lruvec, pfn, sc)) {
			page_list_add_head(map, &sl->list[t], pfn);
			return;
		}
	}
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
