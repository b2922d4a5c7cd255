/*
 * fragstat.h - fragmentation over time: the frag log event and the
 * summary's time-weighted means (kernel-model.md §8).
 *
 * A sample computes, for one zone, everything frag_snapshot_fill() derives
 * from the free lists (O(orders²)) and, when the frag event is logged, the
 * pageblock counts (O(pageblocks) from struct pageblock_usage). Samples are
 * taken every log.frag_interval_ms of trace time (all zones) and at the
 * begin and end of every compaction run (the compacted zone), never per
 * access. Between samples a zone's metrics are taken to hold their last
 * value, so the means are exact for that step function.
 */
#ifndef SIM_MM_FRAGSTAT_H
#define SIM_MM_FRAGSTAT_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/frag.h"

struct sim;
struct zone;

enum frag_sample_why {
	FRAG_SAMPLE_TIMER,
	FRAG_SAMPLE_COMPACTION_BEGIN,
	FRAG_SAMPLE_COMPACTION_END,
	NR_FRAG_SAMPLE_WHY
};

/* One zone's sampled history, integrated over time. */
struct frag_mean {
	bool started;
	uint64_t first_t_ns;		/* first sample */
	uint64_t last_t_ns;		/* latest sample */
	uint64_t nr_samples;
	struct frag_snapshot last;	/* values at the latest sample */
	double sum_free_pages;		/* Σ value × ns until last_t_ns */
	double sum_score;
	double sum_unusable[NR_PAGE_ORDERS];	/* of the ×1000 index */
	double sum_extfrag[NR_PAGE_ORDERS];
};

/* Time-weighted means of one zone over [first sample, t]. */
struct frag_means {
	double free_pages;
	double score;			/* 0..100 */
	double unusable_index[NR_PAGE_ORDERS];	/* fractions 0..1 */
	double extfrag_index[NR_PAGE_ORDERS];	/* fractions; -1: succeeds */
	uint64_t span_ns;
	uint64_t nr_samples;
};

/** Samples zone z now: integrates, and logs a frag event if enabled. */
void fragstat_sample(struct sim *s, struct zone *z, enum frag_sample_why why);
/** Samples every zone at t0 and queues the periodic sample. */
void fragstat_start(struct sim *s, uint64_t t0_ns);
/** Handles SIM_EV_FRAG_TICK: samples every zone, queues the next. */
void fragstat_tick(struct sim *s);
/** The means of m up to t_ns (the last values held until then). */
void fragstat_means(const struct frag_mean *m, uint64_t t_ns,
		    struct frag_means *out);
/** Name of a sample's cause in the log ("timer", ...). */
const char *frag_sample_why_name(enum frag_sample_why why);

#endif
