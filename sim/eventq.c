/*
 * eventq.c - binary min-heap keyed by (time_ns, seq). See eventq.h.
 *
 * Invariant: heap[i] <= heap[2i+1] and heap[i] <= heap[2i+2] under
 * item_before(). The queue only ever holds a handful of events in mmsim (the
 * next trace row, kswapd and kcompactd steps per node, timers), so the heap
 * is small; it grows by doubling.
 */
#include "eventq.h"

#include <stdlib.h>

#include "xalloc.h"

struct eventq {
	struct eventq_item *heap;
	size_t len;
	size_t cap;
	uint64_t next_seq;
};

static bool item_before(const struct eventq_item *a,
			const struct eventq_item *b)
{
	if (a->time_ns != b->time_ns)
		return a->time_ns < b->time_ns;
	return a->seq < b->seq;
}

static void swap_items(struct eventq_item *a, struct eventq_item *b)
{
	struct eventq_item t = *a;

	*a = *b;
	*b = t;
}

struct eventq *eventq_create(void)
{
	struct eventq *q = xcalloc(1, sizeof(*q));

	q->cap = 16;
	q->heap = xcalloc(q->cap, sizeof(*q->heap));
	return q;
}

void eventq_destroy(struct eventq *q)
{
	if (!q)
		return;
	free(q->heap);
	free(q);
}

void eventq_push(struct eventq *q, uint64_t time_ns, uint32_t kind,
		 uint32_t arg, uint64_t data)
{
	size_t i;

	if (q->len == q->cap) {
		q->cap *= 2;
		q->heap = xrealloc(q->heap, q->cap * sizeof(*q->heap));
	}
	i = q->len++;
	q->heap[i] = (struct eventq_item){ time_ns, q->next_seq++, kind, arg,
					   data };
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!item_before(&q->heap[i], &q->heap[parent]))
			break;
		swap_items(&q->heap[i], &q->heap[parent]);
		i = parent;
	}
}

static void sift_down(struct eventq *q, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < q->len && item_before(&q->heap[l], &q->heap[m]))
			m = l;
		if (r < q->len && item_before(&q->heap[r], &q->heap[m]))
			m = r;
		if (m == i)
			return;
		swap_items(&q->heap[i], &q->heap[m]);
		i = m;
	}
}

bool eventq_pop(struct eventq *q, struct eventq_item *out)
{
	if (q->len == 0)
		return false;
	*out = q->heap[0];
	q->heap[0] = q->heap[--q->len];
	sift_down(q, 0);
	return true;
}

bool eventq_peek(const struct eventq *q, struct eventq_item *out)
{
	if (q->len == 0)
		return false;
	*out = q->heap[0];
	return true;
}

uint64_t eventq_reserve_seq(struct eventq *q)
{
	return q->next_seq++;
}

bool eventq_item_before(const struct eventq_item *a, uint64_t time_ns,
			uint64_t seq)
{
	struct eventq_item b = { .time_ns = time_ns, .seq = seq };

	return item_before(a, &b);
}

size_t eventq_len(const struct eventq *q)
{
	return q->len;
}
