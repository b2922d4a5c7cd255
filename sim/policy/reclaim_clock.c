/*
 * reclaim_clock.c - CLOCK, the second-chance approximation of LRU.
 *
 * A textbook baseline, not a kernel model (the kernel's ancestor of it is
 * the 2.4-era page aging; today's LRU is reclaim_classic.c). Pages sit on a
 * clock in the order they arrived; every reference sets the page's
 * reference bit (page->refs), without moving it. Reclaim advances the hand
 * from the oldest position: a page with its bit set has the bit cleared and
 * is passed over (it moves to the young end: the second chance), a page
 * with the bit clear is evicted. A newly faulted page starts with the bit
 * clear, so CLOCK is FIFO for pages referenced once and keeps pages that
 * were referenced again since the hand last passed them.
 *
 * The clock is kept as the two stamp-ordered lists of slist.h (anon, file):
 * the hand is always at the older of the two tails, so together they are
 * one clock over all pages, and when there is no swap the hand sweeps the
 * file pages only (anon pages are not passed over, so their bits stand);
 * with swappiness 0 likewise while there are file pages.
 * Priority, the scan budget and zones are ignored, as in lru and fifo: a
 * pass evicts exactly sc->nr_to_reclaim pages, whatever their zone (every
 * page the hand looks at counts in pgscan).
 * It terminates: each page is passed over at most once before the hand
 * finds bits it cleared itself. Cost: O(1) per access, amortized O(1) per
 * page scanned.
 */
#include "policy/slist.h"

static void clock_add(struct lruvec *lruvec, uint32_t pfn,
		      const struct fault_info *fi)
{
	slist_add(lruvec, pfn, fi);
	lruvec->sim->mem_map[pfn].refs = 0;
}

static void clock_mark_accessed(struct lruvec *lruvec, uint32_t pfn,
				const struct access_info *ai)
{
	(void)ai;
	lruvec->sim->mem_map[pfn].refs = 1;
}

static void clock_move(struct lruvec *lruvec, uint32_t old_pfn,
		       uint32_t new_pfn)
{
	struct page *map = lruvec->sim->mem_map;

	slist_move(lruvec, old_pfn, new_pfn);
	map[new_pfn].refs = map[old_pfn].refs;
}

static void clock_shrink(struct lruvec *lruvec, struct scan_control *sc)
{
	struct slist *sl = lruvec->priv;
	struct page *map = lruvec->sim->mem_map;

	while (sc->nr_reclaimed < sc->nr_to_reclaim) {
		int t = slist_victim_type(sl, map, sc);
		uint32_t pfn;

		if (t < 0)
			return;
		pfn = sl->list[t].tail;
		page_list_del(map, &sl->list[t], pfn);
		sc->nr_scanned[t]++;
		if (map[pfn].refs) {
			map[pfn].refs = 0;	/* second chance */
			map[pfn].priv = sl->clock++;
			page_list_add_head(map, &sl->list[t], pfn);
			continue;
		}
		if (!lruvec_reclaim_folio(lruvec, pfn, sc)) {
			page_list_add_head(map, &sl->list[t], pfn);
			return;
		}
	}
}

const struct reclaim_ops reclaim_clock_ops = {
	.name = "clock",
	.summary = "CLOCK / second chance over all pages (textbook baseline)",
	.init = slist_init,
	.destroy = slist_destroy,
	.add_folio = clock_add,
	.mark_accessed = clock_mark_accessed,
	.del_folio = slist_del,
	.move_folio = clock_move,
	.shrink = clock_shrink,
	.workingset_size = slist_workingset_size,
	.check = slist_check,
};
