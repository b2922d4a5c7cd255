/*
 * slist.h - two recency-stamped lists (anon, file), shared by the textbook
 * policies lru and fifo.
 *
 * Each list is ordered by a stamp kept in page->priv; eviction takes the
 * older of the two tails (the file tail only when anon cannot be swapped,
 * or with swappiness 0 while file pages remain),
 * so the two lists together behave as one exact LRU or FIFO queue while
 * still letting reclaim skip anon pages in O(1) when there is no swap.
 * Stamps are 32-bit and compared by signed difference: exact as long as
 * the two tails were stamped within 2^31 references of each other.
 */
#ifndef SIM_POLICY_SLIST_H
#define SIM_POLICY_SLIST_H

#include <stdbool.h>

#include "mm/list.h"
#include "policy/lru_warm.h"
#include "sim.h"

struct slist {
	struct page_list list[NR_LRU_TYPES];
	uint32_t clock;		/* next stamp */
	/* Warming the next reclaim's victims from each tail (lru_warm.h). */
	struct lru_warm warm[NR_LRU_TYPES];
};

int slist_init(struct lruvec *lruvec, const struct config *cfg);
void slist_destroy(struct lruvec *lruvec);
/** Adds pfn at the young end of its type's list. */
void slist_add(struct lruvec *lruvec, uint32_t pfn,
	       const struct fault_info *fi);
/** Moves pfn to the young end with a fresh stamp (an LRU hit). */
void slist_touch(struct lruvec *lruvec, uint32_t pfn,
		 const struct access_info *ai);
void slist_del(struct lruvec *lruvec, uint32_t pfn);
void slist_move(struct lruvec *lruvec, uint32_t old_pfn, uint32_t new_pfn);
/**
 * The type whose tail is older (LRU_ANON or LRU_FILE); -1 when nothing may
 * be reclaimed. Anon needs swap, and with swappiness 0 it waits until no
 * file page is left.
 */
int slist_victim_type(const struct slist *sl, const struct page *map,
		      const struct scan_control *sc);
/** Reclaims from the oldest end until sc->nr_to_reclaim (ignores priority). */
void slist_shrink(struct lruvec *lruvec, struct scan_control *sc);
/** Every resident page: the cache's capacity in use. */
uint64_t slist_workingset_size(struct lruvec *lruvec, enum page_type type,
			       bool swap);
bool slist_check(struct lruvec *lruvec);

#endif
