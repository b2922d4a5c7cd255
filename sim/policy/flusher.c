/*
 * flusher.c - see flusher.h.
 */
#include "policy/flusher.h"

#include <stdlib.h>

#include "xalloc.h"

void flusher_init(struct flusher *f, uint64_t delay_ns)
{
	*f = (struct flusher){ .delay_ns = delay_ns };
}

void flusher_destroy(struct flusher *f)
{
	free(f->ring);
	f->ring = NULL;
}

static void flusher_grow(struct flusher *f)
{
	uint64_t cap = f->cap ? 2 * f->cap : 256;
	struct flusher_io *ring = xcalloc(cap, sizeof(*ring));

	for (uint64_t i = 0; i < f->len; i++)
		ring[i] = f->ring[(f->head + i) % f->cap];
	free(f->ring);
	f->ring = ring;
	f->cap = cap;
	f->head = 0;
}

void flusher_start(struct flusher *f, struct lruvec *lruvec, uint32_t pfn)
{
	struct sim *s = lruvec->sim;
	struct page *page = &s->mem_map[pfn];

	if (f->len == f->cap)
		flusher_grow(f);
	page->flags &= ~PG_dirty;
	page->flags |= PG_writeback;
	page->priv = f->next_ticket;
	f->ring[(f->head + f->len) % f->cap] = (struct flusher_io){
		.due_ns = s->now_ns + f->delay_ns,
		.id = page->mapping,
		.ticket = f->next_ticket++,
	};
	f->len++;
}

/* The page an entry still describes, or PFN_NONE if it moved on. */
static uint32_t flusher_io_pfn(struct sim *s, const struct flusher_io *io)
{
	struct pm_entry *e;
	struct page *page;

	if (io->id >= pagemap_id_limit(s->pm))
		return PFN_NONE;
	e = pagemap_entry(s->pm, io->id);
	if (e->obj == PM_NONE || e->pfn == PFN_NONE)
		return PFN_NONE;
	page = &s->mem_map[e->pfn];
	if (page->mapping != io->id || !(page->flags & PG_writeback) ||
	    page->priv != io->ticket)
		return PFN_NONE;
	return e->pfn;
}

void flusher_run(struct flusher *f, struct lruvec *lruvec, flusher_end_fn end)
{
	struct sim *s = lruvec->sim;

	while (f->len && f->ring[f->head].due_ns <= s->now_ns) {
		struct flusher_io io = f->ring[f->head];
		uint32_t pfn = flusher_io_pfn(s, &io);

		f->head = (f->head + 1) % f->cap;
		f->len--;
		if (pfn == PFN_NONE)
			continue;
		s->mem_map[pfn].flags &= ~PG_writeback;
		if (s->mem_map[pfn].flags & PG_lru)
			end(lruvec, pfn);
	}
}
