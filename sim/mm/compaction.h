/*
 * compaction.h - the engine's side of compaction: direct compaction for the
 * allocation slow path, the kcompactd thread, proactive and manual
 * compaction, and the per-node state they keep (mm/compaction.c,
 * mm/page_alloc.c; kernel-model.md §3.2, §3.3, §7).
 *
 * The policy behind struct compact_ops (policy/compact.h) decides how a
 * zone is compacted; the functions here decide when, and account for it.
 */
#ifndef SIM_MM_COMPACTION_H
#define SIM_MM_COMPACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/gfp.h"
#include "policy/compact.h"

struct sim;
struct pglist_data;

/* kcompactd of one node (pgdat->kcompactd_* and the thread's loop). */
struct kcompactd {
	bool running;			/* in kcompactd_do_work() or proactive work */
	bool proactive;			/* the current work is proactive */
	int max_order;			/* kcompactd_max_order (0: none asked) */
	int highest_zoneidx;		/* kcompactd_highest_zoneidx */
	int work_order;			/* cc.order of the current work */
	int work_zoneidx;		/* cc.highest_zoneidx of the current work */
	int next_zone;			/* next zone index to consider */
	bool run_active;		/* cc holds a run between steps */
	struct compact_control cc;
	unsigned prev_score;		/* proactive: node score at the start */
	uint64_t timeout_ns;		/* proactive check period (backs off) */
	uint64_t timer_seq;		/* the armed timer's event; older ones are stale */
	uint64_t busy_ns;		/* simulated time kcompactd worked */
};

/* A direct compaction request: the allocation's parameters. */
struct direct_compact_req {
	unsigned order;
	gfp_t gfp;
	unsigned alloc_flags;
	int migratetype;
	int highest_zoneidx;
	enum compact_priority prio;
	uint32_t pid;
};

/** Sets up cc for zone z (no isolated pages, capture_pfn -1). */
void compact_control_init(struct compact_control *cc, struct sim *s,
			  struct zone *z, enum compact_trigger trigger);
/** Frees cc's lists; nothing may be isolated any more. */
void compact_control_destroy(struct compact_control *cc);
/** A run begins: frag sample, mm_compaction_begin. */
void compaction_run_started(struct compact_control *cc);
/** A run ended at t_ns: counters, mm_compaction_end, frag sample. */
void compaction_run_ended(struct compact_control *cc,
			  enum compact_result result, uint64_t t_ns);
/** begin, every step, finish, in one go (direct and manual compaction). */
enum compact_result compact_zone_sync(struct compact_control *cc);
/**
 * try_to_compact_pages(): compacts the zonelist's zones until one says
 * COMPACT_SUCCESS; returns the highest result, the captured block (or -1)
 * and the simulated time spent.
 */
enum compact_result try_to_compact_pages(struct sim *s,
					 const struct direct_compact_req *req,
					 int64_t *capture, uint64_t *cost_ns);

/** Starts the node's compaction policy and kcompactd; -1 with a message. */
int compaction_node_init(struct sim *s, struct pglist_data *pgdat, char *err,
			 size_t errlen);
void compaction_node_destroy(struct pglist_data *pgdat);
/** gfp_compaction_allowed(): a policy that compacts, and __GFP_IO. */
bool compaction_allowed(const struct sim *s, gfp_t gfp);
/**
 * should_compact_retry() (§3.2 step 11): SKIPPED retries while reclaim
 * could make compaction suitable; SUCCESS a few times; otherwise raise the
 * priority once more.
 */
bool should_compact_retry(struct sim *s, unsigned order, int highest_zoneidx,
			  enum compact_result result,
			  enum compact_priority *prio, int *retries);
/** wakeup_kcompactd(): asks kcompactd for work at order (0 is ignored). */
void wakeup_kcompactd(struct sim *s, struct pglist_data *pgdat, int order,
		      int highest_zoneidx);
/** kswapd goes to sleep: the policy resets its skip hints. */
void compaction_kswapd_sleep(struct sim *s, struct pglist_data *pgdat);
/** Handles SIM_EV_KCOMPACTD (a step) and SIM_EV_KCOMPACTD_TIMER. */
void kcompactd_event(struct sim *s, uint32_t kind, uint32_t nid,
		     uint64_t data);
/** compact_nodes(): `echo 1 > /proc/sys/vm/compact_memory`, now. */
void compact_nodes(struct sim *s);
/** Queues the proactive timer and the manual compaction of the config. */
void compaction_start(struct sim *s, uint64_t t0_ns);

#endif
