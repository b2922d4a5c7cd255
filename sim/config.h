/*
 * config.h - the simulation's configuration as a plain struct.
 *
 * Configuration is data with defaults: config_defaults() fills the built-in
 * defaults (equal to configs/default.json), config_load_file() applies a JSON
 * file on top, config_set() applies one `--set key=value`, and
 * config_finalize() validates cross-key rules and derives computed values.
 * Every key is described once, in the key table of config.c, which drives
 * parsing, --set, range checks, the effective-config echo (config_to_json)
 * and configs/README.md.
 *
 * Errors are bad input: they name the file and JSON path (or the --set
 * argument), what was found and what was expected; the caller exits 2.
 */
#ifndef SIM_CONFIG_H
#define SIM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mm/zone.h"

#define CONFIG_NAME_MAX 32

enum placement_mode {
	PLACEMENT_SIMULATE,	/* the buddy allocator places `alloc` rows */
	PLACEMENT_TRACE,	/* `alloc` rows land on their recorded pfn */
};

enum placement_initial {
	PLACEMENT_INITIAL_FREE,		/* every page free, as after boot */
	PLACEMENT_INITIAL_FILL,		/* placement.fill_percent in use */
	PLACEMENT_INITIAL_SNAPSHOT,	/* from pagetypeinfo/buddyinfo files */
};

enum thp_defrag {	/* /sys/kernel/mm/transparent_hugepage/defrag */
	THP_DEFRAG_ALWAYS,
	THP_DEFRAG_DEFER,
	THP_DEFRAG_DEFER_MADVISE,
	THP_DEFRAG_MADVISE,
	THP_DEFRAG_NEVER,
};

#define CONFIG_PATH_MAX 1024

enum wmark_mode {
	WMARK_MODE_KERNEL,	/* computed from min_free_kbytes, scale factor */
	WMARK_MODE_EXPLICIT,	/* given per zone in watermarks.zones */
	WMARK_MODE_NONE,	/* every mark 0: allocate until nothing is free */
};

struct zone_config {
	enum zone_type type;	/* DMA, DMA32, Normal, Movable */
	double share;		/* fraction of memory.pages; < 0 = the remainder */
	uint64_t pages;		/* derived by config_finalize() */
	uint64_t wmark[NR_WMARK];	/* explicit marks, pages (mode explicit) */
};

/* Log event kinds, the bits of log.events. Names in config.c and emit.c. */
enum log_event {
	LOG_EV_WATERMARK,
	LOG_EV_REFAULT,
	LOG_EV_KSWAPD,		/* mm_vmscan_kswapd_wake / _sleep */
	LOG_EV_DIRECT_RECLAIM,	/* mm_vmscan_direct_reclaim_begin / _end */
	LOG_EV_OOM,
	LOG_EV_SHRINK,		/* mm_vmscan_lru_shrink_inactive / _active */
	LOG_EV_ALLOC_FAIL,	/* an allocation that could not be satisfied */
	LOG_EV_EXTFRAG,		/* mm_page_alloc_extfrag */
	LOG_EV_COMPACTION,	/* mm_compaction_begin / _end, kcompactd */
	LOG_EV_FRAG,		/* periodic fragmentation snapshot */
	LOG_EV_PLACEMENT,	/* trace alloc/free not applied as recorded */
	NR_LOG_EVENTS
};

struct config {
	/* memory */
	uint64_t memory_pages;		/* total pages of the machine */
	unsigned nr_zones;		/* 1..MAX_NR_ZONES */
	struct zone_config zones[MAX_NR_ZONES];	/* ascending zone type */
	unsigned pageblock_order;	/* default 9 */

	/* watermarks */
	enum wmark_mode wmark_mode;
	int64_t min_free_kbytes;	/* -1 = computed at boot (auto) */
	unsigned watermark_scale_factor;	/* 1..3000, default 10 */
	unsigned watermark_boost_factor;	/* 0..., default 15000 */
	unsigned lowmem_reserve_ratio[MAX_NR_ZONES];	/* 256 256 32 0 */

	/* reclaim */
	char reclaim_policy[CONFIG_NAME_MAX];	/* registry name */
	unsigned swappiness;		/* 0..200, default 60 */
	bool swap;			/* is there swap space */
	unsigned nr_to_reclaim;		/* direct reclaim batch, SWAP_CLUSTER_MAX */
	uint64_t writeback_delay_ns;	/* dirty page met by reclaim -> clean, ns */
	uint64_t mglru_min_ttl_ns;	/* MGLRU thrashing protection, 0 = off */

	/* kswapd */
	bool kswapd_enabled;
	uint64_t kswapd_nap_ns;		/* HZ/10 nap before sleeping, ns */

	/* cost model, simulated ns */
	uint64_t scan_cost_ns;		/* per page scanned by reclaim */
	uint64_t swapout_cost_ns;	/* per anon page written to swap */
	uint64_t writeback_cost_ns;	/* per dirty file page written back */
	uint64_t major_fault_cost_ns;	/* per major fault (read-in, swap-in) */

	/* compaction */
	char compaction_policy[CONFIG_NAME_MAX];	/* registry name */
	unsigned compaction_proactiveness;	/* 0..100, default 20 */
	unsigned extfrag_threshold;	/* 0..1000, default 500 */
	bool kcompactd_enabled;
	uint64_t kcompactd_interval_ns;	/* proactive check period, 500 ms */
	int64_t compact_memory_ns;	/* manual compaction time, -1 = never */
	uint64_t migrate_cost_ns;	/* per page migrated */
	uint64_t compact_scan_cost_ns;	/* per page a compaction scanner visits */

	/* placement and the state before the trace */
	enum placement_mode placement_mode;
	enum placement_initial placement_initial;
	unsigned fill_percent;		/* placement.initial fill: 0..100 */
	char pagetypeinfo_path[CONFIG_PATH_MAX];	/* "" = none */
	char buddyinfo_path[CONFIG_PATH_MAX];	/* "" = none */

	/* transparent huge pages */
	bool thp_enabled;
	enum thp_defrag thp_defrag;

	/* log */
	uint32_t log_events;		/* 1 << enum log_event */
	uint64_t frag_interval_ns;	/* frag sample period; 0 = runs only */

	/* watermarks.zones as given, by zone type; copied into zones[].wmark
	 * by config_finalize() when wmark_mode is explicit */
	uint64_t explicit_wmark[MAX_NR_ZONES][NR_WMARK];	/* pages */
	uint8_t explicit_wmark_mask[MAX_NR_ZONES];	/* bit w: [t][w] given */
};

/** Fills the built-in defaults (the same as configs/default.json). */
void config_defaults(struct config *cfg);
/**
 * Applies the JSON file at path on top of cfg. On error returns -1 with
 * "PATH: JSON.PATH: got X, expected Y" in err.
 */
int config_load_file(struct config *cfg, const char *path, char *err,
		     size_t errlen);
/** Applies one "dotted.key=value" override; -1 with a message naming it. */
int config_set(struct config *cfg, const char *assignment, char *err,
	       size_t errlen);
/** Validates cross-key rules and derives zone sizes; -1 with a message. */
int config_finalize(struct config *cfg, char *err, size_t errlen);
/** The effective configuration as a new JSON object (keys sorted). */
json_t *config_to_json(const struct config *cfg);
/** Name of a log event kind as used in log.events ("watermark", ...). */
const char *config_log_event_name(enum log_event ev);
/** Number of keys in the key table (for documentation and tests). */
size_t config_nr_keys(void);
/** Dotted path of key i ("reclaim.swappiness"), 0 <= i < config_nr_keys(). */
const char *config_key_path(size_t i);
/**
 * The key reference as a markdown table generated from the key table (key,
 * type, default, range, unit, what it models); configs/README.md embeds it.
 * Returns a new string, free() it.
 */
char *config_reference_markdown(void);
/** Name of a zone type ("DMA", "DMA32", "Normal", "Movable"). */
const char *zone_type_name(enum zone_type t);

#endif
