/*
 * sim.h - the simulation context and the engine's public entry points.
 *
 * struct sim holds everything one replay owns: the clock, the event queue,
 * the nodes with their zones and lruvecs, the page array, the page map of
 * resident pages and shadow entries, per-process accounting, counters and
 * the log. There is no global mutable state: everything is reached from a
 * struct sim passed explicitly.
 *
 * The engine (sim.c) owns the sequence: trace row -> fault -> allocation fast
 * path -> wake kswapd -> direct reclaim -> OOM, as mm/page_alloc.c does; the
 * policies behind struct reclaim_ops only supply the steps.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "emit.h"
#include "eventq.h"
#include "mm/compaction.h"
#include "mm/frag.h"
#include "mm/fragstat.h"
#include "mm/gfp.h"
#include "mm/page.h"
#include "mm/pagemap.h"
#include "mm/zone.h"
#include "policy/reclaim.h"
#include "trace.h"
#include "vmstat.h"

#define MAX_NUMNODES 1		/* one node today; the structures are per node */
#define MAX_RECLAIM_RETRIES 16
#define MAX_KSWAPD_FAILURES 16

struct sim;

/* The LRU of one node (one memcg of one node, once memcgs exist). */
struct lruvec {
	struct sim *sim;
	int nid;
	uint16_t memcg;
	const struct reclaim_ops *ops;
	void *priv;			/* the policy's state */
	uint64_t nonresident_age;	/* workingset clock, pages (§5.1) */
	uint64_t nr_pages[NR_LRU_TYPES];	/* pages of each type on the LRU */
};

enum kswapd_state {
	KSWAPD_SLEEPING,	/* waits for wakeup_kswapd() */
	KSWAPD_RUNNING,		/* balance_pgdat() in progress */
	KSWAPD_NAPPING,		/* kswapd_try_to_sleep(): the short nap */
};

/* A node: pg_data_t. */
struct pglist_data {
	int node_id;
	unsigned nr_zones;
	struct zone zones[MAX_NR_ZONES];
	struct lruvec lruvec;
	uint64_t present_pages;
	/* kswapd */
	enum kswapd_state kswapd_state;
	unsigned kswapd_order;		/* highest order asked for since wake */
	int kswapd_highest_zoneidx;
	int kswapd_priority;		/* current balance_pgdat priority */
	unsigned kswapd_failures;	/* runs that reclaimed nothing */
	uint64_t kswapd_run_reclaimed;	/* pages reclaimed in this run */
	uint64_t kswapd_busy_until_ns;	/* end of the current batch */
	uint64_t kswapd_nap_start_ns;
	unsigned kswapd_alloc_order;	/* order kswapd was woken for (it may
					 * drop kswapd_order to 0 meanwhile) */
	/* compaction */
	const struct compact_ops *compact_ops;
	void *compact_priv;		/* the compaction policy's state */
	struct kcompactd kcompactd;
	/* fragmentation: in-use pages per pageblock, sampled metrics */
	struct pageblock_usage pb_usage[MAX_NR_ZONES];
	struct frag_mean frag[MAX_NR_ZONES];
	/* per-zone counters and watermark crossings */
	uint64_t zone_vm[MAX_NR_ZONES][NR_ZONE_VM_ITEMS];
	uint64_t nr_zone_lru[MAX_NR_ZONES][NR_LRU_TYPES];	/* LRU pages per zone */
	uint64_t crossings[MAX_NR_ZONES][NR_WMARK][2];	/* [zone][mark][up] */
};

/* sim_proc()'s direct-mapped cache of recent answers, by pid. */
#define SIM_PROC_HINTS 64u

/* Per-process accounting (the OOM killer's badness, stall time). */
struct sim_proc {
	uint32_t pid;
	uint64_t rss_anon;		/* resident anon pages */
	uint64_t swap_pages;		/* evicted anon pages with a shadow */
	uint64_t direct_reclaim_ns;	/* stall in direct reclaim */
	uint64_t major_fault_ns;	/* stall in major faults */
	uint64_t compact_ns;		/* stall in direct compaction */
	uint64_t allocstall;		/* direct reclaim entries */
	uint64_t oom_killed;		/* times chosen by the OOM killer */
};

struct sim_stats {
	uint64_t rows;			/* trace rows replayed */
	uint64_t rows_by_op[NR_TRACE_OPS];
	uint64_t first_t_ns, last_t_ns;
	uint64_t direct_reclaim_ns;	/* total stall in direct reclaim */
	uint64_t major_fault_ns;	/* total stall in major faults */
	uint64_t compact_ns;		/* total stall in direct compaction */
	uint64_t kswapd_busy_ns;	/* simulated time kswapd worked */
	uint64_t unmap_nonresident;	/* unmap of a page that was not resident */
	uint64_t shadows_dropped;	/* shadow entries pruned (too old to matter) */
	uint64_t shadow_sweeps;		/* walks of the page map to prune shadows */
	uint64_t evict_rows_ignored;	/* `evict` rows (the traced kernel's evictions) */
	uint64_t free_unknown;		/* `free` of a pfn never seen allocated */
	uint64_t alloc_dup;		/* `alloc` of a recorded pfn already in use */
	uint64_t access_dropped;	/* faults whose allocation failed */
	uint64_t alloc_ok_order[NR_PAGE_ORDERS];	/* `alloc` rows placed */
	uint64_t alloc_fail_order[NR_PAGE_ORDERS];	/* `alloc` rows failed */
	/* every allocation request (faults, THP, `alloc` rows) */
	uint64_t page_alloc_ok[NR_PAGE_ORDERS];
	uint64_t page_alloc_fail[NR_PAGE_ORDERS];
	/* trace placement (placement.mode trace) */
	uint64_t alloc_at_pfn;		/* placed on the recorded pfn */
	uint64_t alloc_elsewhere;	/* recorded pfn unusable: placed by the
					 * allocator instead */
	uint64_t free_pretrace;		/* pages in use since before the trace
					 * freed by `free` rows */
	uint64_t pretrace_pages;	/* in use before the first row */
	uint64_t pretrace_displaced;	/* of those, freed because a recorded
					 * allocation landed on them */
	uint64_t absent_pages;		/* not present in a snapshot's zones */
	/* compaction */
	uint64_t compact_runs[NR_COMPACT_TRIGGERS];	/* runs by trigger */
	uint64_t compact_results[NR_COMPACT_RESULTS];	/* runs by result */
	uint64_t kcompactd_busy_ns;	/* simulated time kcompactd worked */
	uint64_t manual_compact_ns;	/* compaction.compact_memory_ms runs */
	uint64_t thp_split;		/* THPs split (partial unmap) */
};

struct sim {
	const struct config *cfg;
	uint64_t now_ns;		/* simulated time, ns */
	struct eventq *q;
	struct page *mem_map;		/* one struct page per pfn */
	uint64_t nr_pfns;
	unsigned nr_nodes;
	struct pglist_data nodes[MAX_NUMNODES];
	struct pagemap *pm;		/* resident pages and shadow entries */
	struct sim_proc *procs;		/* in order of first appearance */
	size_t nr_procs, cap_procs;
	uint32_t *proc_index;		/* pid -> index in procs (hash) */
	size_t cap_proc_index;
	uint32_t proc_hint[SIM_PROC_HINTS];	/* pid's slot: an index+1 in procs, 0 = none */
	struct emit *log;
	uint64_t vm[NR_VM_EVENT_ITEMS];	/* /proc/vmstat event counters */
	struct sim_stats stats;
	uint64_t ref_index;		/* access rows seen so far */
	uint64_t min_free_kbytes;	/* effective value (computed or configured) */
	uint64_t nr_shadows;		/* shadow entries in pm */
	uint64_t shadow_prune_at;	/* next shadow sweep at this many */
	uint32_t kernel_obj;		/* pagemap object of `alloc` row blocks */
	uint64_t rng;			/* xorshift state (placement.initial fill) */
	int nextuse_fd;			/* opt policy: next-use file (nextuse.c), or -1 */
	volatile int *stop;		/* set asynchronously (SIGINT) to stop */
	void (*progress)(struct sim *s, struct trace_reader *tr); /* every 64 Ki rows */
};

/**
 * Builds the machine described by cfg (already finalized): zones, buddy
 * free lists, watermarks, lruvecs with the configured policy. nextuse_fd is
 * the opt policy's pre-pass file (nextuse.c) or -1. Returns NULL
 * with a message in err if the policy is unknown or cannot start.
 */
struct sim *sim_create(const struct config *cfg, struct emit *log,
		       int nextuse_fd, char *err, size_t errlen);
void sim_destroy(struct sim *s);
/**
 * Replays the trace to its end (or until *s->stop). Returns 0, or -1 with
 * the reader's error in err (bad input). The simulation state stays valid
 * for the summary either way.
 */
int sim_run(struct sim *s, struct trace_reader *tr, char *err, size_t errlen);
/** Applies one trace row at s->now_ns (also used by unit tests). */
void sim_apply_row(struct sim *s, const struct trace_row *row);
/**
 * Starts the clocks at the first row's time t0_ns: the periodic
 * fragmentation sample, kcompactd's proactive timer, a configured manual
 * compaction. sim_run() calls it; tests driving sim_apply_row() may.
 */
void sim_start(struct sim *s, uint64_t t0_ns);
/** Runs queued internal events (kswapd ...) up to and including t_ns. */
void sim_advance(struct sim *s, uint64_t t_ns);

/** Total free pages of the node. */
uint64_t node_free_pages(const struct pglist_data *pgdat);
/** The zone that owns pfn. */
struct zone *sim_pfn_zone(struct sim *s, uint64_t pfn);
/** The process record for pid, created on first use. */
struct sim_proc *sim_proc_lookup(struct sim *s, uint32_t pid);
static inline struct sim_proc *sim_proc(struct sim *s, uint32_t pid)
{
	uint32_t hint = s->proc_hint[pid % SIM_PROC_HINTS];

	if (hint && s->procs[hint - 1].pid == pid)
		return &s->procs[hint - 1];
	return sim_proc_lookup(s, pid);
}

/*
 * For policies: reclaim pfn, already taken off the policy's lists. Leaves a
 * shadow entry (workingset_eviction), unmaps and frees the page, counts
 * pgsteal and swap-out, and adds write cost to sc->nr_io_ns. Returns false
 * (page untouched) if it cannot be reclaimed: anon without swap.
 */
bool lruvec_reclaim_folio(struct lruvec *lruvec, uint32_t pfn,
			  struct scan_control *sc);
/** Advances the workingset clock by nr pages (activations, §5.1). */
void lruvec_age_nonresident(struct lruvec *lruvec, uint64_t nr);
/** Counts a vmstat event. */
static inline void count_vm_events(struct sim *s, enum vm_event_item item,
				   uint64_t n)
{
	s->vm[item] += n;
}
/** Pages an access row covers: its folio's 2^order, else 1. */
static inline unsigned access_nr_pages(const struct trace_row *row)
{
	return (row->has & TRACE_HAS_ORDER) ? 1u << row->order : 1u;
}
/** The page type of an LRU page. */
static inline enum lru_type page_lru_type(const struct page *p)
{
	return (p->flags & PG_swapbacked) ? LRU_ANON : LRU_FILE;
}

/** Runs every model invariant check; false and a message if one fails. */
bool sim_check(struct sim *s);

#endif
