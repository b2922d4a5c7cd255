/*
 * reclaim.h - the reclaim policy ops table.
 *
 * The engine owns the sequence (allocation slow path, kswapd, direct reclaim,
 * the priority loop, shadow entries and refault detection, counters); a
 * policy supplies the steps: where a new page goes, what an access does, and
 * which pages a shrink pass scans and reclaims. One policy instance per
 * lruvec (per node, later per memcg per node). Each policy file exports
 * exactly one const struct reclaim_ops; policy/registry.c lists them.
 *
 * Contract for shrink(): scan at most what the priority allows (size >>
 * priority for kernel-like policies; simple policies may ignore priority),
 * count every page looked at in sc->nr_scanned[type], and reclaim a page by
 * taking it off its own list and calling lruvec_reclaim_folio(), which
 * leaves the shadow entry, frees the page and counts pgsteal. Stop once
 * sc->nr_reclaimed >= sc->nr_to_reclaim unless the policy's kernel model
 * says otherwise. Anon pages may only be reclaimed when sc->may_swap.
 */
#ifndef SIM_POLICY_RECLAIM_H
#define SIM_POLICY_RECLAIM_H

#include <stdbool.h>
#include <stdint.h>

#include "trace.h"

struct lruvec;
struct config;

#define SWAP_CLUSTER_MAX 32u
#define DEF_PRIORITY 12

enum lru_type { LRU_ANON, LRU_FILE, NR_LRU_TYPES };

struct scan_control {
	uint64_t nr_to_reclaim;	/* pages wanted by this pass */
	int priority;		/* DEF_PRIORITY .. 0: scan size >> priority */
	bool may_swap;		/* anon may be reclaimed (swap exists) */
	bool may_writepage;	/* dirty pages may be written */
	bool may_deactivate_force; /* retry with forced deactivation */
	int reclaim_idx;	/* highest eligible zone index */
	unsigned swappiness;	/* 0..200 */
	bool kswapd;		/* kswapd (pgscan_kswapd) or direct reclaim */
	unsigned order;		/* allocation order being reclaimed for */
	uint64_t nr_scanned[NR_LRU_TYPES];	/* out: inactive pages scanned */
	uint64_t nr_reclaimed;	/* out: pages freed (lruvec_reclaim_folio) */
	uint64_t nr_io_ns;	/* out: simulated write cost incurred, ns */
	bool oom_wanted;	/* out: kswapd should invoke the OOM killer
				 * (MGLRU min_ttl_ms thrashing protection) */
};

/* What the fault that brought a page in found out. */
struct fault_info {
	enum page_type type;
	bool write;
	bool refault;		/* a shadow entry was found */
	bool activate;		/* refault distance <= workingset size */
	bool workingset;	/* shadow had the workingset bit */
	uint64_t ref_index;	/* index of this reference among access rows */
};

/* An access to a resident page. */
struct access_info {
	enum page_type type;
	bool write;
	uint64_t ref_index;	/* index of this reference among access rows */
};

struct reclaim_ops {
	const char *name;	/* registry name: reclaim.policy */
	const char *summary;	/* one line for --list-policies */
	/** Allocates lruvec->priv. Returns 0 or a negative errno. */
	int (*init)(struct lruvec *lruvec, const struct config *cfg);
	void (*destroy)(struct lruvec *lruvec);
	/** A newly faulted page joins the LRU. */
	void (*add_folio)(struct lruvec *lruvec, uint32_t pfn,
			  const struct fault_info *fi);
	/** An access to a page already on the LRU. */
	void (*mark_accessed)(struct lruvec *lruvec, uint32_t pfn,
			      const struct access_info *ai);
	/** The page leaves the LRU without reclaim (unmap, exit, OOM kill). */
	void (*del_folio)(struct lruvec *lruvec, uint32_t pfn);
	/** Migration: new_pfn takes old_pfn's place and state on the lists. */
	void (*move_folio)(struct lruvec *lruvec, uint32_t old_pfn,
			   uint32_t new_pfn);
	/** One shrink_node() pass at sc->priority (see the contract above). */
	void (*shrink)(struct lruvec *lruvec, struct scan_control *sc);
	/** Workingset size a refault distance of this type is compared with. */
	uint64_t (*workingset_size)(struct lruvec *lruvec, enum page_type type,
				    bool swap);
	/**
	 * Optional: one reclaim invocation ended (the end of a
	 * try_to_free_pages(), of a kswapd balance_pgdat() run); the kernel
	 * takes snapshot_refaults() here.
	 */
	void (*reclaim_done)(struct lruvec *lruvec);
	/** Optional: walks the policy's lists; false and a message if broken. */
	bool (*check)(struct lruvec *lruvec);
	/** Optional: adds policy gauges to the summary (nr_active_file ...). */
	void (*report)(struct lruvec *lruvec, void *json_object);
};

/** The policy registered under name, or NULL. */
const struct reclaim_ops *reclaim_policy_find(const char *name);
/** NULL-terminated list of every registered reclaim policy. */
const struct reclaim_ops *const *reclaim_policy_list(void);

#endif
