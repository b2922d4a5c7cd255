/*
 * reclaim_lru.c - exact least-recently-used replacement.
 *
 * A textbook baseline, not a kernel model: every reference moves the page to
 * the young end, reclaim evicts the page referenced longest ago. Priority
 * and the scan budget are ignored; a pass evicts exactly what it is asked
 * for (so with configs/ideal.json it is the classic LRU cache). Anon pages
 * are only evicted when there is swap, and with swappiness 0 only once no
 * file page is left.
 */
#include "policy/slist.h"

const struct reclaim_ops reclaim_lru_ops = {
	.name = "lru",
	.summary = "exact LRU over all pages (textbook baseline)",
	.init = slist_init,
	.destroy = slist_destroy,
	.add_folio = slist_add,
	.mark_accessed = slist_touch,
	.del_folio = slist_del,
	.move_folio = slist_move,
	.shrink = slist_shrink,
	.workingset_size = slist_workingset_size,
	.check = slist_check,
};
