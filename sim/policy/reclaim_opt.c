/*
 * reclaim_opt.c - Belady's MIN: evict the page referenced farthest in the
 * future (the optimal policy for fault counts, a lower bound for the rest).
 *
 * The next-use position of every page reference comes from the backward
 * pre-pass in nextuse.c, read here front to back in step with the replay
 * (the references' ref_index). Resident pages sit in two max-heaps, anon
 * and file, keyed by (next use, pfn); eviction takes the larger top (file
 * only when anon cannot be swapped, or with swappiness 0 while file pages
 * remain: swappiness 0 means no swapping while the page cache can give).
 * A page never referenced again has next use NEXTUSE_NEVER and goes
 * first; ties break on the higher pfn, so runs are deterministic.
 * Priority is ignored: a pass evicts exactly what it is asked.
 * Memory: 8 bytes per simulated page (next use) plus 4 per resident page in
 * the heaps; page->priv holds the page's heap position.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "bug.h"
#include "nextuse.h"
#include "sim.h"
#include "xalloc.h"

#define NU_BUF 8192

struct opt_heap {
	uint32_t *pfn;
	uint64_t len;
};

struct opt {
	struct opt_heap heap[NR_LRU_TYPES];
	uint64_t *next_use;		/* per pfn */
	int fd;
	uint64_t buf[NU_BUF];
	uint64_t buf_first;		/* ref index of buf[0] */
	size_t buf_len;
};

static struct opt *opt_of(struct lruvec *lruvec)
{
	return lruvec->priv;
}

static uint64_t opt_next_use(struct opt *o, uint64_t ref)
{
	while (ref >= o->buf_first + o->buf_len) {
		off_t off;
		ssize_t r;

		o->buf_first += o->buf_len;
		if (ref >= o->buf_first + NU_BUF)
			o->buf_first = ref;	/* skip whole buffers */
		off = (off_t)(o->buf_first * sizeof(uint64_t));
		do {
			r = pread(o->fd, o->buf, sizeof(o->buf), off);
		} while (r < 0 && errno == EINTR);
		o->buf_len = r > 0 ? (size_t)r / sizeof(uint64_t) : 0;
		/* References past the pre-pass (none in a consistent run). */
		SIM_BUG_ON(o->buf_len == 0);
	}
	return o->buf[ref - o->buf_first];
}

static bool heap_above(const struct opt *o, uint32_t a, uint32_t b)
{
	if (o->next_use[a] != o->next_use[b])
		return o->next_use[a] > o->next_use[b];
	return a > b;
}

static void heap_set(struct page *map, struct opt_heap *h, uint64_t i,
		     uint32_t pfn)
{
	h->pfn[i] = pfn;
	map[pfn].priv = (uint32_t)i;
}

static void heap_sift_up(struct opt *o, struct page *map, struct opt_heap *h,
			 uint64_t i)
{
	uint32_t pfn = h->pfn[i];

	while (i > 0 && heap_above(o, pfn, h->pfn[(i - 1) / 2])) {
		heap_set(map, h, i, h->pfn[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(map, h, i, pfn);
}

static void heap_sift_down(struct opt *o, struct page *map,
			   struct opt_heap *h, uint64_t i)
{
	uint32_t pfn = h->pfn[i];

	for (;;) {
		uint64_t c = 2 * i + 1;

		if (c >= h->len)
			break;
		if (c + 1 < h->len && heap_above(o, h->pfn[c + 1], h->pfn[c]))
			c++;
		if (!heap_above(o, h->pfn[c], pfn))
			break;
		heap_set(map, h, i, h->pfn[c]);
		i = c;
	}
	heap_set(map, h, i, pfn);
}

static void heap_remove(struct opt *o, struct page *map, struct opt_heap *h,
			uint32_t pfn)
{
	uint64_t i = map[pfn].priv;
	uint32_t last;

	SIM_BUG_ON(i >= h->len || h->pfn[i] != pfn);
	last = h->pfn[--h->len];
	if (i == h->len)
		return;
	heap_set(map, h, i, last);
	heap_sift_up(o, map, h, i);
	heap_sift_down(o, map, h, map[last].priv);
}

static int opt_init(struct lruvec *lruvec, const struct config *cfg)
{
	struct sim *s = lruvec->sim;
	struct opt *o;

	(void)cfg;
	if (s->nextuse_fd < 0)
		return -EINVAL;	/* main.c runs the pre-pass for opt */
	o = xcalloc(1, sizeof(*o));
	o->fd = s->nextuse_fd;
	o->next_use = xcalloc(s->nr_pfns, sizeof(*o->next_use));
	for (int t = 0; t < NR_LRU_TYPES; t++)
		o->heap[t].pfn = xcalloc(s->nr_pfns, sizeof(uint32_t));
	lruvec->priv = o;
	return 0;
}

static void opt_destroy(struct lruvec *lruvec)
{
	struct opt *o = opt_of(lruvec);

	if (!o)
		return;
	for (int t = 0; t < NR_LRU_TYPES; t++)
		free(o->heap[t].pfn);
	free(o->next_use);
	free(o);
	lruvec->priv = NULL;
}

static struct opt_heap *opt_heap_of(struct lruvec *lruvec, uint32_t pfn)
{
	return &opt_of(lruvec)->heap[page_lru_type(&lruvec->sim->mem_map[pfn])];
}

static void opt_add(struct lruvec *lruvec, uint32_t pfn,
		    const struct fault_info *fi)
{
	struct opt *o = opt_of(lruvec);
	struct opt_heap *h = opt_heap_of(lruvec, pfn);

	o->next_use[pfn] = opt_next_use(o, fi->ref_index);
	h->pfn[h->len++] = pfn;
	heap_sift_up(o, lruvec->sim->mem_map, h, h->len - 1);
}

static void opt_access(struct lruvec *lruvec, uint32_t pfn,
		       const struct access_info *ai)
{
	struct opt *o = opt_of(lruvec);
	struct page *map = lruvec->sim->mem_map;
	struct opt_heap *h = opt_heap_of(lruvec, pfn);

	o->next_use[pfn] = opt_next_use(o, ai->ref_index);
	heap_sift_up(o, map, h, map[pfn].priv);
	heap_sift_down(o, map, h, map[pfn].priv);
}

static void opt_del(struct lruvec *lruvec, uint32_t pfn)
{
	heap_remove(opt_of(lruvec), lruvec->sim->mem_map,
		    opt_heap_of(lruvec, pfn), pfn);
}

static void opt_move(struct lruvec *lruvec, uint32_t old_pfn, uint32_t new_pfn)
{
	struct opt *o = opt_of(lruvec);
	struct page *map = lruvec->sim->mem_map;
	struct opt_heap *h = opt_heap_of(lruvec, old_pfn);

	o->next_use[new_pfn] = o->next_use[old_pfn];
	heap_set(map, h, map[old_pfn].priv, new_pfn);
	heap_sift_up(o, map, h, map[new_pfn].priv);
	heap_sift_down(o, map, h, map[new_pfn].priv);
}

static void opt_shrink(struct lruvec *lruvec, struct scan_control *sc)
{
	struct opt *o = opt_of(lruvec);
	struct page *map = lruvec->sim->mem_map;

	while (sc->nr_reclaimed < sc->nr_to_reclaim) {
		struct opt_heap *a = &o->heap[LRU_ANON], *f = &o->heap[LRU_FILE];
		int t;
		uint32_t pfn;

		bool anon_ok = sc->may_swap && a->len &&
			       (sc->swappiness || f->len == 0);

		if (f->len == 0 && !anon_ok)
			return;
		if (f->len == 0 || (anon_ok &&
				    heap_above(o, a->pfn[0], f->pfn[0])))
			t = LRU_ANON;
		else
			t = LRU_FILE;
		pfn = o->heap[t].pfn[0];
		heap_remove(o, map, &o->heap[t], pfn);
		sc->nr_scanned[t]++;
		if (!lruvec_reclaim_folio(lruvec, pfn, sc))
			return;
	}
}

static uint64_t opt_workingset_size(struct lruvec *lruvec, enum page_type type,
				    bool swap)
{
	(void)type;
	(void)swap;
	return lruvec->nr_pages[LRU_ANON] + lruvec->nr_pages[LRU_FILE];
}

static bool opt_check(struct lruvec *lruvec)
{
	struct opt *o = opt_of(lruvec);
	struct page *map = lruvec->sim->mem_map;

	for (int t = 0; t < NR_LRU_TYPES; t++) {
		struct opt_heap *h = &o->heap[t];

		if (h->len != lruvec->nr_pages[t])
			return false;
		for (uint64_t i = 0; i < h->len; i++) {
			if (map[h->pfn[i]].priv != i ||
			    (i > 0 && heap_above(o, h->pfn[i],
						 h->pfn[(i - 1) / 2]))) {
				fprintf(stderr, "mmsim: check: opt heap %d "
					"broken at %llu\n", t,
					(unsigned long long)i);
				return false;
			}
		}
	}
	return true;
}

const struct reclaim_ops reclaim_opt_ops = {
	.name = "opt",
	.summary = "Belady's MIN: evict the page used farthest in the future "
		   "(needs a pre-pass)",
	.init = opt_init,
	.destroy = opt_destroy,
	.add_folio = opt_add,
	.mark_accessed = opt_access,
	.del_folio = opt_del,
	.move_folio = opt_move,
	.shrink = opt_shrink,
	.workingset_size = opt_workingset_size,
	.check = opt_check,
};
