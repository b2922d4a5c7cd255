/*
 * slist.c - see slist.h.
 *
 * slist_add() warms the next victims of both lists (policy/lru_warm.h),
 * and every reclaim pass restarts that walk from the new tails.
 */
#include "policy/slist.h"

#include <stdlib.h>

#include "policy/lru_warm.h"
#include "xalloc.h"

static struct slist *slist_of(struct lruvec *lruvec)
{
	return lruvec->priv;
}

/* Restarts the warming walks from the tails. */
static void slist_warm_reset(struct slist *sl)
{
	for (int t = 0; t < NR_LRU_TYPES; t++)
		lru_warm_reset(&sl->warm[t], sl->list[t].tail);
}

/*
 * One step of warming, on the walk whose next page is older: reclaim takes
 * the victims oldest first across both lists (slist_victim_type()), so
 * this warms them in the order they go, one a fault, as they are used.
 */
static void slist_warm_step(const struct sim *s, struct slist *sl)
{
	struct lru_warm *a = &sl->warm[LRU_ANON], *f = &sl->warm[LRU_FILE];
	bool a_ok = lru_warm_going(s, a), f_ok = lru_warm_going(s, f);

	if (a_ok && (!f_ok || (int32_t)(s->mem_map[a->pfn].priv -
					s->mem_map[f->pfn].priv) < 0))
		lru_warm_step(s, a);
	else if (f_ok)
		lru_warm_step(s, f);
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
	slist_warm_step(lruvec->sim, sl);
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
			lru_prefetch_victim(lruvec->sim, sl->list[t].tail);
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
