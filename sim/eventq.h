/*
 * eventq.h - a discrete-event queue that knows nothing about memory.
 *
 * A binary min-heap ordered by (time_ns, seq). seq is an insertion counter,
 * so events with equal times pop in the order they were pushed (FIFO), which
 * makes every run deterministic (the same idea as git's prio-queue.c).
 *
 * An event is a kind (an integer the caller defines), a small argument and a
 * 64-bit payload; the queue never interprets them.
 */
#ifndef SIM_EVENTQ_H
#define SIM_EVENTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct eventq_item {
	uint64_t time_ns;	/* simulated time the event fires, ns */
	uint64_t seq;		/* insertion counter: FIFO among equal times */
	uint32_t kind;		/* caller-defined event kind */
	uint32_t arg;		/* caller-defined small argument (e.g. node id) */
	uint64_t data;		/* caller-defined payload */
};

struct eventq;

/** Creates an empty queue. */
struct eventq *eventq_create(void);
/** Frees the queue and every event still in it. */
void eventq_destroy(struct eventq *q);
/** Adds an event; equal times keep insertion order. */
void eventq_push(struct eventq *q, uint64_t time_ns, uint32_t kind,
		 uint32_t arg, uint64_t data);
/** Removes the earliest event into *out; false when the queue is empty. */
bool eventq_pop(struct eventq *q, struct eventq_item *out);
/** Copies the earliest event into *out without removing it; false if empty. */
bool eventq_peek(const struct eventq *q, struct eventq_item *out);
/**
 * Takes the next sequence number without queueing anything, for an event
 * the caller holds outside the queue (the next trace row) but orders among
 * the queued ones exactly as if it had been pushed now.
 */
uint64_t eventq_reserve_seq(struct eventq *q);
/** True if the queued item a comes before an event at (time_ns, seq). */
bool eventq_item_before(const struct eventq_item *a, uint64_t time_ns,
			uint64_t seq);
/** Number of queued events. */
size_t eventq_len(const struct eventq *q);

#endif
