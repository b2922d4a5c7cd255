/*
 * flusher.h - the simple dirty-page model of kernel-model.md §4.10, shared
 * by the kernel-like policies (classic, mglru).
 *
 * In the kernel, reclaim does not write dirty page-cache pages itself (only
 * kswapd may, and only pages it has already seen twice): shrink_folio_list()
 * marks a dirty file folio PG_reclaim and puts it back, and the flusher
 * threads (mm/page-writeback.c, fs/fs-writeback.c) write it out. When the
 * write completes, folio_end_writeback() sees PG_reclaim and calls
 * folio_rotate_reclaimable() (mm/swap.c), which moves the now clean folio to
 * the tail of the inactive list (MGLRU: the oldest generation), counting
 * pgrotated, so the next scan reclaims it.
 *
 * The model: a policy that meets a dirty file page hands it to
 * flusher_start(), which clears PG_dirty and sets PG_writeback (the kernel's
 * folio_clear_dirty_for_io() + folio_start_writeback()) and queues the page;
 * its write completes writeback_delay_ns later (reclaim.writeback_delay_ms).
 * Completions are applied by flusher_run(), which the policy calls at each of
 * its entry points: a completion takes effect at the first policy step at or
 * after its due time, which is exactly when anything could observe it.
 * The flusher writes only pages reclaim met; dirty pages that reclaim never
 * reaches stay dirty (no periodic dirty_expire writeback), because nothing in
 * the simulation depends on them before reclaim reaches them.
 *
 * Invariants: the queue is in due-time order (one fixed delay, FIFO). A
 * queued page carries its ticket in page->priv while PG_writeback is set;
 * a page that was freed, reused or re-queued meanwhile no longer matches its
 * old ticket, and the stale entry is dropped. Entries name the page by its
 * pagemap entry id, which survives migration (the entry's pfn follows the
 * page). Cost: O(1) per queued page.
 */
#ifndef SIM_POLICY_FLUSHER_H
#define SIM_POLICY_FLUSHER_H

#include <stdbool.h>
#include <stdint.h>

#include "sim.h"

struct flusher_io {
	uint64_t due_ns;	/* simulated time the write completes */
	uint32_t id;		/* pagemap entry id of the page */
	uint32_t ticket;	/* equals page->priv while still this write */
};

struct flusher {
	struct flusher_io *ring;	/* FIFO of writes in flight */
	uint64_t head, len, cap;	/* ring position, entries, capacity */
	uint32_t next_ticket;
	uint64_t delay_ns;		/* write latency */
};

/** Called when a write completes on a page that is still on the LRU. */
typedef void (*flusher_end_fn)(struct lruvec *lruvec, uint32_t pfn);

void flusher_init(struct flusher *f, uint64_t delay_ns);
void flusher_destroy(struct flusher *f);
/**
 * Starts writeback of the dirty page pfn: PG_dirty -> PG_writeback, queued
 * to complete delay_ns from now. The caller owns PG_reclaim.
 */
void flusher_start(struct flusher *f, struct lruvec *lruvec, uint32_t pfn);
/**
 * Completes every write due by now: clears PG_writeback and, for a page
 * still on the LRU, calls end(lruvec, pfn) (folio_end_writeback()).
 */
void flusher_run(struct flusher *f, struct lruvec *lruvec, flusher_end_fn end);

/** True if a write is due by now_ns (the common case, false, stays cheap). */
static inline bool flusher_due(const struct flusher *f, uint64_t now_ns)
{
	return f->len && f->ring[f->head].due_ns <= now_ns;
}

#endif
