/*
 * reclaim_fifo.c - first-in first-out replacement.
 *
 * A textbook baseline: references to resident pages change nothing; reclaim
 * evicts the page that was faulted in longest ago. Anon pages are only
 * evicted when there is swap, and with swappiness 0 only once no file page
 * is left.
 */
#include "policy/slist.h"

static void fifo_mark_accessed(struct lruvec *lruvec, uint32_t pfn,
			       const struct access_info *ai)
{
	(void)lruvec;
	(void)pfn;
	(void)ai;
}

const struct reclaim_ops reclaim_fifo_ops = {
	.name = "fifo",
	.summary = "first in, first out (textbook baseline)",
	.init = slist_init,
	.destroy = slist_destroy,
	.add_folio = slist_add,
	.mark_accessed = fifo_mark_accessed,
	.del_folio = slist_del,
	.move_folio = slist_move,
	.shrink = slist_shrink,
	.workingset_size = slist_workingset_size,
	.check = slist_check,
};
