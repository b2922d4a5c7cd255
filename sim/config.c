/*
 * config.c - the configuration: one key table and everything it drives.
 *
 * A configuration is the plain struct config of config.h. It is built in
 * three layers: config_defaults() applies every key's built-in default, a
 * JSON file (config_load_file()) names only the keys it changes, and each
 * `--set key=value` (config_set()) changes one more. config_finalize() then
 * checks the rules that join several keys and derives the zone sizes.
 *
 * Every key is described once, in key_table[] below: its dotted path, its
 * type (bool, integer with a range, duration, string from a list, free-form
 * name, or "special" with its own small parser), where it lives in struct
 * config, its default as JSON text, its unit and what it models in the
 * kernel. The table drives parsing, --set, range checks, the defaults
 * themselves (config_defaults() parses each default through the same code
 * as a file), the effective-config echo (config_to_json()) and the key
 * reference in configs/README.md (config_reference_markdown(); a test keeps
 * the two equal). A new key is one table line plus, if its value is not a
 * scalar, one parser and one writer.
 *
 * Merge rule: JSON objects that are sections ("memory", "reclaim", ...)
 * merge key by key; every key's value replaces the old one whole, arrays and
 * watermarks.zones included. So configs/default.json, which names every
 * key, resets everything, and a file of two lines changes two keys.
 *
 * Input errors name their origin (the file, or the whole --set argument),
 * the JSON path (memory.zones[1].share), what was found and what was
 * expected, and suggest close key names. A failed load or --set leaves the
 * config unchanged: both work on a copy and commit only on success.
 *
 * Zone sizes are derived, not given: zone i gets floor(share_i x
 * memory.pages) pages and the zone without a share (else the last zone)
 * gets the rest, so the sizes always sum to memory.pages, also after
 * `--set memory.pages=N` on a multi-zone config. The kernel sizes zones by
 * physical address (DMA below 16 MiB, DMA32 below 4 GiB); a share lets one
 * config describe any machine size.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bug.h"
#include "xalloc.h"

#define CFG_PATH_MAX	256	/* a JSON path in a message */
#define CFG_MSG_MAX	768	/* one message before the origin is added */
#define CFG_GOT_MAX	64	/* a found value quoted in a message */
#define SHARE_SLACK	1e-9	/* rounding allowed in a sum of shares */
#define PAGES_MAX	4294967294ull	/* pfns are 32 bits, 2^32-1 = PFN_NONE */
#define KBYTES_MAX	2147483647ll	/* vm.min_free_kbytes is an int */
#define RATIO_MAX	2147483647ull	/* vm.lowmem_reserve_ratio is an int */
#define COST_MAX_NS	3600000000000ull	/* one hour per page is absurd */
#define NAP_MAX_MS	60000ull
#define LOG_EVENTS_ALL	((uint32_t)((1u << NR_LOG_EVENTS) - 1))

_Static_assert(sizeof(unsigned) == sizeof(uint32_t), "unsigned is 32 bits");
_Static_assert(sizeof(enum wmark_mode) == sizeof(int), "enum is an int");
_Static_assert(NR_LOG_EVENTS < 32, "log.events fits a uint32_t mask");

static const char *const zone_names[MAX_NR_ZONES + 1] = {
	[ZONE_DMA] = "DMA", [ZONE_DMA32] = "DMA32",
	[ZONE_NORMAL] = "Normal", [ZONE_MOVABLE] = "Movable", NULL,
};

static const char *const log_event_names[NR_LOG_EVENTS + 1] = {
	[LOG_EV_WATERMARK] = "watermark",
	[LOG_EV_REFAULT] = "refault",
	[LOG_EV_KSWAPD] = "kswapd",
	[LOG_EV_DIRECT_RECLAIM] = "direct_reclaim",
	[LOG_EV_OOM] = "oom",
	[LOG_EV_SHRINK] = "shrink",
	[LOG_EV_ALLOC_FAIL] = "alloc_fail",
	[LOG_EV_EXTFRAG] = "extfrag",
	[LOG_EV_COMPACTION] = "compaction",
	[LOG_EV_FRAG] = "frag",
	[LOG_EV_PLACEMENT] = "placement",
	NULL,
};

/* Same order as enum placement_mode, placement_initial, thp_defrag. */
static const char *const placement_mode_names[] = {
	"simulate", "trace", NULL,
};

static const char *const placement_initial_names[] = {
	"free", "fill", "snapshot", NULL,
};

static const char *const thp_defrag_names[] = {
	"always", "defer", "defer+madvise", "madvise", "never", NULL,
};

/* Same order as enum wmark_mode. */
static const char *const wmark_mode_names[] = {
	"kernel", "explicit", "none", NULL,
};

static const char *const wmark_names[NR_WMARK + 1] = {
	[WMARK_MIN] = "min", [WMARK_LOW] = "low", [WMARK_HIGH] = "high", NULL,
};

static const char *const zone_object_keys[] = {
	"type", "share", "pages", NULL,
};

/* Where a value being applied came from, and where errors go. */
struct cfg_ctx {
	struct config *cfg;
	const char *origin;	/* file path, "--set K=V" or "built-in default" */
	const char *set_key;	/* --set key: a path equal to it is not repeated */
	bool from_set;		/* comma lists and bare strings allowed */
	char *err;
	size_t errlen;
};

enum key_type {
	KEY_BOOL,
	KEY_UINT,	/* integer in min..max */
	KEY_DURATION,	/* number of unit_ns in min..max, stored as ns */
	KEY_CHOICE,	/* one of choices[], stored as its index (an enum) */
	KEY_NAME,	/* 1..CONFIG_NAME_MAX-1 chars of [a-z0-9_-] */
	KEY_SPECIAL,	/* parse / to_json functions of its own */
};

struct config_key;
typedef int (*key_parse_fn)(struct cfg_ctx *c, json_t *v, const char *path);
typedef int (*key_set_sub_fn)(struct cfg_ctx *c, const char *sub, json_t *v,
			      const char *path);
typedef json_t *(*key_to_json_fn)(const struct config *cfg);

struct config_key {
	const char *path;	/* dotted: "reclaim.swappiness" */
	enum key_type type;
	size_t offset, size;	/* the field in struct config (not SPECIAL) */
	uint64_t min, max;	/* UINT, DURATION (in unit) */
	uint64_t unit_ns;	/* DURATION: ns per unit of the value */
	const char *const *choices;	/* CHOICE */
	const char *unit;	/* documentation: "pages", "ns", ... */
	const char *type_doc;	/* SPECIAL: type column of the reference */
	const char *range_doc;	/* SPECIAL: range column of the reference */
	const char *def;	/* default as JSON text; NULL for an alias */
	const char *doc;	/* what it is */
	const char *models;	/* the kernel file/function/sysctl it models */
	key_parse_fn parse;	/* SPECIAL */
	key_set_sub_fn set_sub;	/* --set PATH.SUB=V into an object value */
	key_to_json_fn to_json;	/* SPECIAL; NULL = not echoed (alias) */
};

#define FIELD(m) .offset = offsetof(struct config, m), \
		 .size = sizeof(((struct config *)0)->m)

static int parse_zones(struct cfg_ctx *c, json_t *v, const char *path);
static json_t *zones_to_json(const struct config *cfg);
static int parse_watermarks(struct cfg_ctx *c, json_t *v, const char *path);
static int parse_min_free_kbytes(struct cfg_ctx *c, json_t *v,
				 const char *path);
static json_t *min_free_kbytes_to_json(const struct config *cfg);
static int parse_lowmem_reserve_ratio(struct cfg_ctx *c, json_t *v,
				      const char *path);
static json_t *lowmem_reserve_ratio_to_json(const struct config *cfg);
static int parse_wmark_zones(struct cfg_ctx *c, json_t *v, const char *path);
static int set_sub_wmark_zones(struct cfg_ctx *c, const char *sub, json_t *v,
			       const char *path);
static json_t *wmark_zones_to_json(const struct config *cfg);
static int parse_log_events(struct cfg_ctx *c, json_t *v, const char *path);
static json_t *log_events_to_json(const struct config *cfg);
static json_t *duration_to_json(uint64_t ns, uint64_t unit_ns);
static int parse_compact_memory(struct cfg_ctx *c, json_t *v,
				const char *path);
static json_t *compact_memory_to_json(const struct config *cfg);
static int parse_pagetypeinfo(struct cfg_ctx *c, json_t *v, const char *path);
static json_t *pagetypeinfo_to_json(const struct config *cfg);
static int parse_buddyinfo(struct cfg_ctx *c, json_t *v, const char *path);
static json_t *buddyinfo_to_json(const struct config *cfg);

static const struct config_key key_table[] = {
	{ .path = "memory.pages", .type = KEY_UINT, FIELD(memory_pages),
	  .min = 1, .max = PAGES_MAX, .unit = "pages", .def = "262144",
	  .doc = "Total pages of the simulated machine, 4 KiB each; "
		 "262144 = 1 GiB. The zones share them (memory.zones).",
	  .models = "the node's present pages "
		    "(include/linux/mmzone.h: node_present_pages)" },
	{ .path = "memory.zones", .type = KEY_SPECIAL,
	  .type_doc = "array of {type, share}",
	  .range_doc = "1..4 zones in ascending type (DMA, DMA32, Normal, "
		       "Movable); share in (0, 1]; shares sum to 1, or to at "
		       "most 1 with one zone without share taking the rest",
	  .unit = "fraction of memory.pages",
	  .def = "[{\"type\": \"Normal\"}]",
	  .doc = "The node's zones. Zone i gets floor(share x memory.pages) "
		 "pages, the zone without share (else the last zone) the "
		 "rest, so sizes always sum to memory.pages; each needs at "
		 "least one page (a zone may end in a partial pageblock). The effective-config echo adds the "
		 "derived \"pages\", which is ignored when read back.",
	  .models = "include/linux/mmzone.h: enum zone_type, struct zone",
	  .parse = parse_zones, .to_json = zones_to_json },
	{ .path = "memory.pageblock_order", .type = KEY_UINT,
	  FIELD(pageblock_order), .min = 1, .max = MAX_PAGE_ORDER,
	  .unit = "order", .def = "9",
	  .doc = "Order of a pageblock, the unit of migratetype tagging and "
		 "of fallback claims; 9 = 2 MiB as on x86-64.",
	  .models = "include/linux/pageblock-flags.h: pageblock_order" },
	{ .path = "watermarks", .type = KEY_SPECIAL,
	  .type_doc = "string or object",
	  .range_doc = "kernel, explicit, none, or an object of the "
		       "watermarks.* keys",
	  .unit = "", .def = NULL,
	  .doc = "Shorthand: a string sets watermarks.mode (\"watermarks\": "
		 "\"none\"); an object sets the watermarks.* keys it names. "
		 "Not echoed itself: the echo shows watermarks.*.",
	  .models = "-",
	  .parse = parse_watermarks },
	{ .path = "watermarks.mode", .type = KEY_CHOICE,
	  FIELD(wmark_mode), .choices = wmark_mode_names,
	  .unit = "", .def = "\"kernel\"",
	  .doc = "How zone marks are set. kernel: from min_free_kbytes and "
		 "watermark_scale_factor; explicit: the pages in "
		 "watermarks.zones; none: every mark 0, so nothing wakes "
		 "kswapd or reclaims before a zone is empty (ideal cache).",
	  .models = "mm/page_alloc.c: __setup_per_zone_wmarks()" },
	{ .path = "watermarks.min_free_kbytes", .type = KEY_SPECIAL,
	  .type_doc = "integer or \"auto\"",
	  .range_doc = "128..2147483647, or auto", .unit = "KiB",
	  .def = "\"auto\"",
	  .doc = "Reserve behind WMARK_MIN: pages_min = min_free_kbytes / 4, "
		 "spread over the zones by managed pages. auto: computed at "
		 "boot, isqrt(lowmem_kbytes x 16) clamped to 128..262144 "
		 "(1 GiB gives 4096). Copy the traced machine's value to "
		 "match it (THP raises it there).",
	  .models = "vm.min_free_kbytes; "
		    "mm/page_alloc.c: calculate_min_free_kbytes()",
	  .parse = parse_min_free_kbytes, .to_json = min_free_kbytes_to_json },
	{ .path = "watermarks.watermark_scale_factor", .type = KEY_UINT,
	  FIELD(watermark_scale_factor), .min = 1, .max = 3000,
	  .unit = "1/10000 of the zone", .def = "10",
	  .doc = "Gap between MIN, LOW and HIGH: max(zone's share of "
		 "pages_min / 4, managed x factor / 10000) pages.",
	  .models = "vm.watermark_scale_factor; "
		    "mm/page_alloc.c: __setup_per_zone_wmarks()" },
	{ .path = "watermarks.watermark_boost_factor", .type = KEY_UINT,
	  FIELD(watermark_boost_factor), .min = 0, .max = 1000000,
	  .unit = "1/10000 of HIGH", .def = "15000",
	  .doc = "Largest watermark boost after a fallback that fragments a "
		 "pageblock: max(512, HIGH x factor / 10000) pages; 0 turns "
		 "boosting off.",
	  .models = "vm.watermark_boost_factor; "
		    "mm/page_alloc.c: boost_watermark()" },
	{ .path = "watermarks.lowmem_reserve_ratio", .type = KEY_SPECIAL,
	  .type_doc = "array of 4 integers",
	  .range_doc = "each 0..2147483647, for DMA, DMA32, Normal, Movable; "
		       "0 = no reserve",
	  .unit = "divisor", .def = "[256, 256, 32, 0]",
	  .doc = "Indexed by the lower zone's type: zone i keeps (managed "
		 "pages of the zones above i that an allocation may use) / "
		 "ratio[i] pages out of that allocation's reach.",
	  .models = "vm.lowmem_reserve_ratio; "
		    "mm/page_alloc.c: setup_per_zone_lowmem_reserve()",
	  .parse = parse_lowmem_reserve_ratio,
	  .to_json = lowmem_reserve_ratio_to_json },
	{ .path = "watermarks.zones", .type = KEY_SPECIAL,
	  .type_doc = "object: zone type -> {min, low, high}",
	  .range_doc = "each mark 0..4294967294; min <= low <= high <= the "
		       "zone's pages",
	  .unit = "pages", .def = "{}",
	  .doc = "Explicit marks per zone, used when watermarks.mode is "
		 "explicit (then required for every zone of memory.zones), "
		 "e.g. from the traced machine's /proc/zoneinfo. Replaced "
		 "whole; --set watermarks.zones.Normal.high=N sets one mark.",
	  .models = "/proc/zoneinfo min, low, high",
	  .parse = parse_wmark_zones, .set_sub = set_sub_wmark_zones,
	  .to_json = wmark_zones_to_json },
	{ .path = "reclaim.policy", .type = KEY_NAME, FIELD(reclaim_policy),
	  .unit = "", .def = "\"classic\"",
	  .doc = "Reclaim policy by registry name (mmsim --list-policies); "
		 "the engine rejects a name it does not know.",
	  .models = "mm/vmscan.c (each policy cites its own)" },
	{ .path = "reclaim.swappiness", .type = KEY_UINT, FIELD(swappiness),
	  .min = 0, .max = 200, .unit = "", .def = "60",
	  .doc = "Relative cost of reclaiming anon vs file pages: anon is "
		 "weighted swappiness, file 200 - swappiness.",
	  .models = "vm.swappiness; mm/vmscan.c: get_scan_count()" },
	{ .path = "reclaim.swap", .type = KEY_BOOL, FIELD(swap),
	  .unit = "", .def = "true",
	  .doc = "Whether the machine has swap space; without it anon pages "
		 "are never scanned or reclaimed.",
	  .models = "total_swap_pages; mm/vmscan.c: can_reclaim_anon_pages()" },
	{ .path = "reclaim.nr_to_reclaim", .type = KEY_UINT,
	  FIELD(nr_to_reclaim), .min = 1, .max = 1024, .unit = "pages",
	  .def = "32",
	  .doc = "Pages one direct reclaim pass tries to free before "
		 "returning to the allocator; 1 = evict exactly one page "
		 "per allocation that finds none free.",
	  .models = "SWAP_CLUSTER_MAX; mm/vmscan.c: try_to_free_pages()" },
	{ .path = "reclaim.writeback_delay_ms", .type = KEY_DURATION,
	  FIELD(writeback_delay_ns), .min = 0, .max = NAP_MAX_MS,
	  .unit_ns = 1000000, .unit = "ms", .def = "10",
	  .doc = "classic and mglru: simulated time from reclaim meeting a "
		 "dirty file page (which it marks PG_reclaim and leaves to the "
		 "flusher) to the end of its write-back, when the clean page "
		 "is rotated to the tail of the inactive list (oldest "
		 "generation) and counted in pgrotated. A model parameter, "
		 "not a kernel tunable; fractions allowed.",
	  .models = "mm/vmscan.c: shrink_folio_list(), "
		    "mm/swap.c: folio_rotate_reclaimable()" },
	{ .path = "reclaim.mglru.min_ttl_ms", .type = KEY_DURATION,
	  FIELD(mglru_min_ttl_ns), .min = 0, .max = NAP_MAX_MS,
	  .unit_ns = 1000000, .unit = "ms", .def = "0",
	  .doc = "mglru: thrashing protection. When kswapd runs and the "
		 "oldest generation is younger than this, it invokes the OOM "
		 "killer instead of evicting the working set of the last "
		 "min_ttl_ms; 0 turns it off (the kernel's default).",
	  .models = "/sys/kernel/mm/lru_gen/min_ttl_ms; "
		    "mm/vmscan.c: lru_gen_age_node()" },
	{ .path = "kswapd.enabled", .type = KEY_BOOL, FIELD(kswapd_enabled),
	  .unit = "", .def = "true",
	  .doc = "Whether kswapd runs; without it all reclaim is direct "
		 "reclaim by the allocating task.",
	  .models = "mm/vmscan.c: kswapd(), wakeup_kswapd()" },
	{ .path = "kswapd.nap_ms", .type = KEY_DURATION, FIELD(kswapd_nap_ns),
	  .min = 0, .max = NAP_MAX_MS, .unit_ns = 1000000, .unit = "ms",
	  .def = "100",
	  .doc = "Simulated time kswapd naps once balanced before it checks "
		 "again and sleeps for good; fractions allowed.",
	  .models = "mm/vmscan.c: kswapd_try_to_sleep(), HZ/10" },
	{ .path = "cost.scan_ns", .type = KEY_DURATION, FIELD(scan_cost_ns),
	  .min = 0, .max = COST_MAX_NS, .unit_ns = 1, .unit = "ns",
	  .def = "100",
	  .doc = "Simulated CPU time per page scanned by reclaim. "
		 "Assumption, to be calibrated.",
	  .models = "mm/vmscan.c: shrink_folio_list() per folio" },
	{ .path = "cost.swapout_ns", .type = KEY_DURATION,
	  FIELD(swapout_cost_ns), .min = 0, .max = COST_MAX_NS, .unit_ns = 1,
	  .unit = "ns", .def = "20000",
	  .doc = "Simulated time per anon page written to swap: a 4 KiB SSD "
		 "write. Assumption, to be calibrated.",
	  .models = "mm/vmscan.c: pageout(), mm/page_io.c: swap_writepage()" },
	{ .path = "cost.writeback_ns", .type = KEY_DURATION,
	  FIELD(writeback_cost_ns), .min = 0, .max = COST_MAX_NS,
	  .unit_ns = 1, .unit = "ns", .def = "20000",
	  .doc = "Simulated time per dirty file page written back: a 4 KiB "
		 "SSD write. Assumption, to be calibrated.",
	  .models = "mm/vmscan.c: pageout(), filemap writeback" },
	{ .path = "cost.major_fault_ns", .type = KEY_DURATION,
	  FIELD(major_fault_cost_ns), .min = 0, .max = COST_MAX_NS,
	  .unit_ns = 1, .unit = "ns", .def = "50000",
	  .doc = "Simulated stall per major fault (file read-in or swap-in): "
		 "a 4 KiB SSD random read plus fault handling. Assumption, "
		 "to be calibrated.",
	  .models = "mm/filemap.c: filemap_fault(), "
		    "mm/memory.c: do_swap_page()" },
	{ .path = "cost.migrate_ns", .type = KEY_DURATION,
	  FIELD(migrate_cost_ns), .min = 0, .max = COST_MAX_NS,
	  .unit_ns = 1, .unit = "ns", .def = "5000",
	  .doc = "Simulated time per page compaction migrates: unmap, TLB "
		 "flush, 4 KiB copy, remap. Assumption, to be calibrated.",
	  .models = "mm/migrate.c: migrate_pages()" },
	{ .path = "cost.compact_scan_ns", .type = KEY_DURATION,
	  FIELD(compact_scan_cost_ns), .min = 0, .max = COST_MAX_NS,
	  .unit_ns = 1, .unit = "ns", .def = "20",
	  .doc = "Simulated time per page a compaction scanner looks at "
		 "(compact_migrate_scanned + compact_free_scanned). "
		 "Assumption, to be calibrated.",
	  .models = "mm/compaction.c: isolate_migratepages_block(), "
		    "isolate_freepages_block()" },
	{ .path = "compaction.policy", .type = KEY_NAME,
	  FIELD(compaction_policy), .unit = "", .def = "\"kernel\"",
	  .doc = "Compaction policy by registry name (mmsim policies): "
		 "kernel (two scanners, deferral, kcompactd, proactive) or "
		 "none (a kernel without CONFIG_COMPACTION).",
	  .models = "mm/compaction.c (each policy cites its own)" },
	{ .path = "compaction.proactiveness", .type = KEY_UINT,
	  FIELD(compaction_proactiveness), .min = 0, .max = 100, .unit = "",
	  .def = "20",
	  .doc = "How hard kcompactd compacts in the background: it starts "
		 "when the node's fragmentation score exceeds "
		 "max(100 - proactiveness, 5) + 10 and stops each zone at "
		 "max(100 - proactiveness, 5); 0 turns it off.",
	  .models = "vm.compaction_proactiveness; "
		    "mm/compaction.c: should_proactive_compact_node()" },
	{ .path = "compaction.extfrag_threshold", .type = KEY_UINT,
	  FIELD(extfrag_threshold), .min = 0, .max = 1000, .unit = "1/1000",
	  .def = "500",
	  .doc = "Costly orders (> 3) are not compacted while the "
		 "fragmentation index is in 0..threshold: the failure is "
		 "then for lack of memory, which reclaim must fix.",
	  .models = "vm.extfrag_threshold; "
		    "mm/compaction.c: compaction_suitable()" },
	{ .path = "compaction.compact_memory_ms", .type = KEY_SPECIAL,
	  .type_doc = "number or \"none\"", .range_doc = ">= 0, or none",
	  .unit = "ms of trace time", .def = "\"none\"",
	  .doc = "Runs `echo 1 > /proc/sys/vm/compact_memory` (every zone, "
		 "whole zone, sync) this long after the first row; none: "
		 "never.",
	  .models = "vm.compact_memory; mm/compaction.c: compact_node()",
	  .parse = parse_compact_memory, .to_json = compact_memory_to_json },
	{ .path = "kcompactd.enabled", .type = KEY_BOOL,
	  FIELD(kcompactd_enabled), .unit = "", .def = "true",
	  .doc = "Whether kcompactd runs (woken by kswapd, and for proactive "
		 "compaction); without it only direct compaction compacts.",
	  .models = "mm/compaction.c: kcompactd(), wakeup_kcompactd()" },
	{ .path = "kcompactd.interval_ms", .type = KEY_DURATION,
	  FIELD(kcompactd_interval_ns), .min = 1, .max = NAP_MAX_MS,
	  .unit_ns = 1000000, .unit = "ms", .def = "500",
	  .doc = "How often kcompactd checks the fragmentation score for "
		 "proactive compaction (64 times that after a run that did "
		 "not lower it).",
	  .models = "mm/compaction.c: HPAGE_FRAG_CHECK_INTERVAL_MSEC" },
	{ .path = "placement.mode", .type = KEY_CHOICE,
	  FIELD(placement_mode), .choices = placement_mode_names, .unit = "",
	  .def = "\"simulate\"",
	  .doc = "Where `alloc` rows land. simulate: mmsim's buddy allocator "
		 "places them (the recorded pfn only tells which allocation "
		 "a free releases); trace: on the recorded pfn, when free.",
	  .models = "kmem:mm_page_alloc / mm_page_free replay" },
	{ .path = "placement.initial", .type = KEY_CHOICE,
	  FIELD(placement_initial), .choices = placement_initial_names,
	  .unit = "", .def = "\"free\"",
	  .doc = "Memory before the first row. free: all free, as after "
		 "boot; fill: placement.fill_percent of each zone in use as "
		 "single movable pages at random pfns; snapshot: free blocks "
		 "and pageblock types from placement.pagetypeinfo / "
		 "placement.buddyinfo, the rest in use.",
	  .models = "/proc/buddyinfo, /proc/pagetypeinfo" },
	{ .path = "placement.fill_percent", .type = KEY_UINT,
	  FIELD(fill_percent), .min = 0, .max = 100, .unit = "percent",
	  .def = "50",
	  .doc = "placement.initial fill: share of each zone's pages in use "
		 "before the trace, one movable page at a time at pfns "
		 "drawn by a fixed-seed generator (scattered free memory).",
	  .models = "-" },
	{ .path = "placement.pagetypeinfo", .type = KEY_SPECIAL,
	  .type_doc = "path or \"none\"", .range_doc = "a readable file",
	  .unit = "", .def = "\"none\"",
	  .doc = "A copy of /proc/pagetypeinfo taken before the trace "
		 "(capture.sh writes NAME.pagetypeinfo.before), for "
		 "placement.initial snapshot: free blocks per order and "
		 "type, pageblocks per type.",
	  .models = "mm/vmstat.c: pagetypeinfo_show()",
	  .parse = parse_pagetypeinfo, .to_json = pagetypeinfo_to_json },
	{ .path = "placement.buddyinfo", .type = KEY_SPECIAL,
	  .type_doc = "path or \"none\"", .range_doc = "a readable file",
	  .unit = "", .def = "\"none\"",
	  .doc = "A copy of /proc/buddyinfo taken before the trace, for "
		 "placement.initial snapshot: alone, free blocks per order "
		 "(all movable); with pagetypeinfo, the exact totals where "
		 "pagetypeinfo printed >100000.",
	  .models = "mm/vmstat.c: frag_show()",
	  .parse = parse_buddyinfo, .to_json = buddyinfo_to_json },
	{ .path = "thp.enabled", .type = KEY_BOOL, FIELD(thp_enabled),
	  .unit = "", .def = "false",
	  .doc = "Anonymous faults in a 2 MiB region with nothing mapped yet "
		 "try an order-9 transparent huge page first, and fall back "
		 "to a base page (thp_fault_alloc, thp_fault_fallback).",
	  .models = "mm/huge_memory.c: do_huge_pmd_anonymous_page()" },
	{ .path = "thp.defrag", .type = KEY_CHOICE, FIELD(thp_defrag),
	  .choices = thp_defrag_names, .unit = "", .def = "\"madvise\"",
	  .doc = "How hard a THP fault tries, for a region madvise()d "
		 "MADV_HUGEPAGE: always and madvise reclaim and compact "
		 "directly, defer only wakes kswapd/kcompactd, never does "
		 "neither.",
	  .models = "/sys/kernel/mm/transparent_hugepage/defrag; "
		    "mm/huge_memory.c: vma_thp_gfp_mask()" },
	{ .path = "log.events", .type = KEY_SPECIAL,
	  .type_doc = "\"all\" or array of names",
	  .range_doc = "watermark, refault, kswapd, direct_reclaim, oom, "
		       "shrink, alloc_fail, extfrag, compaction, frag, "
		       "placement; [] or \"none\" for none",
	  .unit = "", .def = "\"all\"",
	  .doc = "Event kinds written to the JSON Lines log. --set takes a "
		 "comma list: --set log.events=watermark,refault.",
	  .models = "the vmscan, compaction and kmem tracepoints named in "
		    "each event",
	  .parse = parse_log_events, .to_json = log_events_to_json },
	{ .path = "log.frag_interval_ms", .type = KEY_DURATION,
	  FIELD(frag_interval_ns), .min = 0, .max = NAP_MAX_MS,
	  .unit_ns = 1000000, .unit = "ms", .def = "100",
	  .doc = "Period of the fragmentation samples (frag events, and the "
		 "summary's time-weighted means), in trace time; 0: only at "
		 "the begin and end of compaction runs.",
	  .models = "/sys/kernel/debug/extfrag/{unusable,extfrag}_index" },
};

/* ---- messages ---------------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
static int cfg_fail(const struct cfg_ctx *c, const char *path,
		    const char *fmt, ...)
{
	char msg[CFG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!path || !*path || (c->set_key && strcmp(path, c->set_key) == 0))
		snprintf(c->err, c->errlen, "%s: %s", c->origin, msg);
	else
		snprintf(c->err, c->errlen, "%s: %s: %s", c->origin, path, msg);
	return -1;
}

/* A found value as compact JSON, cut to CFG_GOT_MAX characters. */
static void describe_json(const json_t *v, char *buf, size_t n)
{
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

	if (!s) {
		snprintf(buf, n, "an unprintable value");
		return;
	}
	if (strlen(s) >= CFG_GOT_MAX && n > CFG_GOT_MAX)
		snprintf(buf, n, "%.*s...", CFG_GOT_MAX - 4, s);
	else
		snprintf(buf, n, "%s", s);
	free(s);
}

/* "got <v>, expected <what>" */
__attribute__((format(printf, 4, 5)))
static int cfg_fail_got(const struct cfg_ctx *c, const char *path,
			const json_t *v, const char *fmt, ...)
{
	char got[CFG_GOT_MAX + 8], expected[CFG_MSG_MAX / 2];
	va_list ap;

	describe_json(v, got, sizeof(got));
	va_start(ap, fmt);
	vsnprintf(expected, sizeof(expected), fmt, ap);
	va_end(ap);
	return cfg_fail(c, path, "got %s, expected %s", got, expected);
}

/* Appends s to buf (n bytes, *used in use), cutting it to fit. */
static void str_append(char *buf, size_t n, size_t *used, const char *s)
{
	size_t len = strlen(s);

	if (*used + 1 >= n)
		return;
	if (len > n - 1 - *used)
		len = n - 1 - *used;
	memcpy(buf + *used, s, len);
	*used += len;
	buf[*used] = '\0';
}

static void path_join(char *buf, size_t n, const char *parent, const char *key)
{
	size_t used = 0;

	buf[0] = '\0';
	if (parent && *parent) {
		str_append(buf, n, &used, parent);
		str_append(buf, n, &used, ".");
	}
	str_append(buf, n, &used, key);
}

static void path_index(char *buf, size_t n, const char *parent, size_t i)
{
	snprintf(buf, n, "%s[%zu]", parent, i);
}

/* "a, b, c" of a NULL-terminated list, optionally quoted. */
static void list_join(char *buf, size_t n, const char *const *names,
		      bool quoted)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; names[i] && used < n; i++) {
		int w = snprintf(buf + used, n - used, "%s%s%s%s",
				 i ? ", " : "", quoted ? "\"" : "", names[i],
				 quoted ? "\"" : "");
		if (w < 0)
			return;
		used += (size_t)w;
	}
}

/* ---- suggestions for misspelt names ------------------------------------ */

#define SUGGEST_MAX 3
#define NAME_CMP_MAX 64

struct suggest {
	char names[SUGGEST_MAX][CFG_PATH_MAX];
	size_t n;
};

/* Optimal string alignment distance, case-insensitive, on short names. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t rows[3][NAME_CMP_MAX + 1];

	if (la > NAME_CMP_MAX || lb > NAME_CMP_MAX)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		rows[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t *cur = rows[i % 3], *prev = rows[(i - 1) % 3];
		size_t *prev2 = rows[(i + 1) % 3];

		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t best = prev[j - 1] + (ca != cb);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    cb == tolower((unsigned char)a[i - 2]) &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
	}
	return rows[la % 3][lb];
}

static bool name_is_close(const char *typed, const char *known)
{
	size_t len = strlen(typed);
	size_t limit = len >= 6 ? 2 : 1;

	if (len >= 3 && strncmp(known, typed, len) == 0)
		return true;	/* a prefix: "nap" for nap_ms */
	return edit_distance(typed, known) <= limit;
}

static void suggest_add(struct suggest *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return;
	if (s->n < SUGGEST_MAX)
		snprintf(s->names[s->n++], CFG_PATH_MAX, "%s", name);
}

static void suggest_from_list(struct suggest *s, const char *typed,
			      const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		if (name_is_close(typed, names[i]))
			suggest_add(s, names[i]);
}

/*
 * "; did you mean a, b or c?" or "". A hint too long for buf is cut: the
 * names are config keys and policy names, far shorter than buf.
 */
static void suggest_format(const struct suggest *s, char *buf, size_t n)
{
	int len = 0;

	buf[0] = '\0';
	if (s->n == 1)
		len = snprintf(buf, n, "; did you mean %s?", s->names[0]);
	else if (s->n == 2)
		len = snprintf(buf, n, "; did you mean %s or %s?",
			       s->names[0], s->names[1]);
	else if (s->n >= 3)
		len = snprintf(buf, n, "; did you mean %s, %s or %s?",
			       s->names[0], s->names[1], s->names[2]);
	SIM_BUG_ON(len < 0);
}

/* "got X, expected one of a, b; did you mean a?" for a name list. */
static int cfg_fail_choice(const struct cfg_ctx *c, const char *path,
			   const json_t *v, const char *const *names,
			   const char *extra)
{
	char list[CFG_MSG_MAX / 2], hint[3 * CFG_PATH_MAX];
	struct suggest s = { .n = 0 };

	list_join(list, sizeof(list), names, true);
	if (json_is_string(v))
		suggest_from_list(&s, json_string_value(v), names);
	suggest_format(&s, hint, sizeof(hint));
	return cfg_fail_got(c, path, v, "one of %s%s%s", list,
			    extra ? extra : "", hint);
}

/* ---- the key table as a tree of dotted paths ---------------------------- */

static const struct config_key *key_find(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(key_table); i++)
		if (strcmp(key_table[i].path, path) == 0)
			return &key_table[i];
	return NULL;
}

/* Does some key live under "prefix."? ("" is the root.) */
static bool is_section(const char *prefix)
{
	size_t n = strlen(prefix);

	if (!n)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(key_table); i++)
		if (strncmp(key_table[i].path, prefix, n) == 0 &&
		    key_table[i].path[n] == '.')
			return true;
	return false;
}

/*
 * The names one level below prefix, in table order, without repeats:
 * children of "reclaim" are policy, swappiness, swap, nr_to_reclaim,
 * writeback_delay_ms, mglru.
 */
static size_t section_children(const char *prefix, const char **out,
			       size_t cap, size_t *lens)
{
	size_t n = strlen(prefix), nr = 0;

	for (size_t i = 0; i < ARRAY_SIZE(key_table); i++) {
		const char *p = key_table[i].path, *child, *dot;
		size_t len;
		bool seen = false;

		if (n && (strncmp(p, prefix, n) != 0 || p[n] != '.'))
			continue;
		child = n ? p + n + 1 : p;
		dot = strchr(child, '.');
		len = dot ? (size_t)(dot - child) : strlen(child);
		for (size_t j = 0; j < nr; j++)
			seen |= lens[j] == len && !strncmp(out[j], child, len);
		if (!seen && nr < cap) {
			out[nr] = child;
			lens[nr++] = len;
		}
	}
	return nr;
}

static void section_children_list(const char *prefix, char *buf, size_t n)
{
	const char *names[ARRAY_SIZE(key_table)];
	size_t lens[ARRAY_SIZE(key_table)], used = 0;
	size_t nr = section_children(prefix, names, ARRAY_SIZE(names), lens);

	buf[0] = '\0';
	for (size_t i = 0; i < nr && used < n; i++) {
		int w = snprintf(buf + used, n - used, "%s%.*s", i ? ", " : "",
				 (int)lens[i], names[i]);
		if (w < 0)
			return;
		used += (size_t)w;
	}
}

/* Close siblings of leaf under prefix, and same-named keys elsewhere. */
static void suggest_keys(struct suggest *s, const char *prefix,
			 const char *leaf)
{
	const char *names[ARRAY_SIZE(key_table)];
	size_t lens[ARRAY_SIZE(key_table)];
	size_t nr = section_children(prefix, names, ARRAY_SIZE(names), lens);
	char name[CFG_PATH_MAX], full[CFG_PATH_MAX];

	for (size_t i = 0; i < nr; i++) {
		snprintf(name, sizeof(name), "%.*s", (int)lens[i], names[i]);
		path_join(full, sizeof(full), prefix, name);
		if (name_is_close(leaf, name))
			suggest_add(s, full);
	}
	for (size_t i = 0; i < ARRAY_SIZE(key_table); i++) {
		const char *p = key_table[i].path, *dot = strrchr(p, '.');

		if (strcasecmp(dot ? dot + 1 : p, leaf) == 0)
			suggest_add(s, p);
	}
}

/*
 * path names nothing in the table. Report its first component that is
 * not a section, with the keys known at that level and close names.
 */
static int fail_unknown_key(const struct cfg_ctx *c, const char *path)
{
	char prefix[CFG_PATH_MAX] = "", unknown[CFG_PATH_MAX];
	char known[CFG_MSG_MAX / 2], hint[3 * CFG_PATH_MAX + 32];
	const char *rest = path, *dot;
	struct suggest s = { .n = 0 };

	for (;;) {
		char comp[CFG_PATH_MAX];

		dot = strchr(rest, '.');
		snprintf(comp, sizeof(comp), "%.*s",
			 (int)(dot ? (size_t)(dot - rest) : strlen(rest)), rest);
		path_join(unknown, sizeof(unknown), prefix, comp);
		if (key_find(unknown) && !is_section(unknown))
			return cfg_fail(c, path, "unknown key (%s takes a "
					"value and has no keys under it)",
					unknown);
		if (!dot || !is_section(unknown))
			break;
		snprintf(prefix, sizeof(prefix), "%s", unknown);
		rest = dot + 1;
	}
	section_children_list(prefix, known, sizeof(known));
	suggest_keys(&s, prefix, strrchr(unknown, '.') ?
		     strrchr(unknown, '.') + 1 : unknown);
	suggest_format(&s, hint, sizeof(hint));
	if (*prefix)
		return cfg_fail(c, unknown, "unknown key (known keys under "
				"%s: %s)%s", prefix, known, hint);
	return cfg_fail(c, unknown, "unknown key (known top-level keys: %s)%s",
			known, hint);
}

/* Unknown key inside a special key's object (a zone, a zone's marks). */
static int fail_unknown_member(const struct cfg_ctx *c, const char *path,
			       const char *key, const char *what,
			       const char *const *names)
{
	char list[CFG_MSG_MAX / 2], hint[3 * CFG_PATH_MAX], full[CFG_PATH_MAX];
	struct suggest s = { .n = 0 };

	list_join(list, sizeof(list), names, false);
	suggest_from_list(&s, key, names);
	suggest_format(&s, hint, sizeof(hint));
	path_join(full, sizeof(full), path, key);
	return cfg_fail(c, full, "unknown key (known keys %s: %s)%s", what,
			list, hint);
}

/* ---- scalar values ------------------------------------------------------ */

/* An integer in min..max; integral reals (1e6) count as integers. */
static bool json_to_uint(const json_t *v, uint64_t min, uint64_t max,
			 uint64_t *out)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
			return false;
		*out = (uint64_t)i;
		return true;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);

		if (d != floor(d) || d < (double)min || d > (double)max)
			return false;
		*out = (uint64_t)d;
		return true;
	}
	return false;
}

static int get_uint(const struct cfg_ctx *c, const json_t *v,
		    const char *path, uint64_t min, uint64_t max,
		    uint64_t *out)
{
	if (!json_to_uint(v, min, max, out))
		return cfg_fail_got(c, path, v, "an integer in %llu..%llu",
				    (unsigned long long)min,
				    (unsigned long long)max);
	return 0;
}

static void *field(struct config *cfg, const struct config_key *k)
{
	return (char *)cfg + k->offset;
}

static const void *cfield(const struct config *cfg, const struct config_key *k)
{
	return (const char *)cfg + k->offset;
}

static void store_uint(struct config *cfg, const struct config_key *k,
		       uint64_t v)
{
	if (k->size == sizeof(uint64_t)) {
		memcpy(field(cfg, k), &v, sizeof(v));
	} else {
		uint32_t v32 = (uint32_t)v;

		SIM_BUG_ON(k->size != sizeof(uint32_t) || v > UINT32_MAX);
		memcpy(field(cfg, k), &v32, sizeof(v32));
	}
}

static uint64_t load_uint(const struct config *cfg, const struct config_key *k)
{
	uint64_t v = 0;
	uint32_t v32 = 0;

	if (k->size == sizeof(uint64_t)) {
		memcpy(&v, cfield(cfg, k), sizeof(v));
		return v;
	}
	SIM_BUG_ON(k->size != sizeof(uint32_t));
	memcpy(&v32, cfield(cfg, k), sizeof(v32));
	return v32;
}

static int apply_bool(struct cfg_ctx *c, const struct config_key *k,
		      const json_t *v, const char *path)
{
	bool b;

	if (!json_is_boolean(v))
		return cfg_fail_got(c, path, v, "true or false");
	b = json_is_true(v);
	SIM_BUG_ON(k->size != sizeof(bool));
	memcpy(field(c->cfg, k), &b, sizeof(b));
	return 0;
}

static int apply_uint(struct cfg_ctx *c, const struct config_key *k,
		      const json_t *v, const char *path)
{
	uint64_t x = 0;

	if (get_uint(c, v, path, k->min, k->max, &x) < 0)
		return -1;
	store_uint(c->cfg, k, x);
	return 0;
}

/* A duration: a number of k->unit (fractions of ms allowed), kept in ns. */
static int apply_duration(struct cfg_ctx *c, const struct config_key *k,
			  const json_t *v, const char *path)
{
	double d;

	if (k->unit_ns == 1)
		return apply_uint(c, k, v, path);
	d = json_number_value(v);
	if (!json_is_number(v) || d < (double)k->min || d > (double)k->max)
		return cfg_fail_got(c, path, v, "a number of %s in %llu..%llu",
				    k->unit, (unsigned long long)k->min,
				    (unsigned long long)k->max);
	store_uint(c->cfg, k, (uint64_t)llround(d * (double)k->unit_ns));
	return 0;
}

static int choice_index(const char *const *names, const char *s)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int apply_choice(struct cfg_ctx *c, const struct config_key *k,
			const json_t *v, const char *path)
{
	int i = json_is_string(v) ?
		choice_index(k->choices, json_string_value(v)) : -1;

	if (i < 0)
		return cfg_fail_choice(c, path, v, k->choices, NULL);
	SIM_BUG_ON(k->size != sizeof(int));
	memcpy(field(c->cfg, k), &i, sizeof(i));
	return 0;
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CONFIG_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

static int apply_name(struct cfg_ctx *c, const struct config_key *k,
		      const json_t *v, const char *path)
{
	if (!json_is_string(v) || !name_ok(json_string_value(v)))
		return cfg_fail_got(c, path, v, "a name of 1..%d characters "
				    "from a-z, 0-9, _ and -",
				    CONFIG_NAME_MAX - 1);
	SIM_BUG_ON(k->size != CONFIG_NAME_MAX);
	snprintf(field(c->cfg, k), CONFIG_NAME_MAX, "%s",
		 json_string_value(v));
	return 0;
}

static int key_apply(struct cfg_ctx *c, const struct config_key *k,
		     json_t *v, const char *path)
{
	switch (k->type) {
	case KEY_BOOL:
		return apply_bool(c, k, v, path);
	case KEY_UINT:
		return apply_uint(c, k, v, path);
	case KEY_DURATION:
		return apply_duration(c, k, v, path);
	case KEY_CHOICE:
		return apply_choice(c, k, v, path);
	case KEY_NAME:
		return apply_name(c, k, v, path);
	case KEY_SPECIAL:
		return k->parse(c, v, path);
	}
	SIM_BUG_ON(1);
	return -1;
}

/* ---- walking a JSON document over the key tree -------------------------- */

static int apply_path(struct cfg_ctx *c, const char *path, json_t *v);

static int walk_section(struct cfg_ctx *c, const char *prefix, json_t *obj)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		char path[CFG_PATH_MAX];

		path_join(path, sizeof(path), prefix, key);
		if (apply_path(c, path, v) < 0)
			return -1;
	}
	return 0;
}

static int apply_path(struct cfg_ctx *c, const char *path, json_t *v)
{
	const struct config_key *k = key_find(path);
	char known[CFG_MSG_MAX / 2];

	if (k)
		return key_apply(c, k, v, path);
	if (!is_section(path))
		return fail_unknown_key(c, path);
	if (!json_is_object(v)) {
		section_children_list(path, known, sizeof(known));
		return cfg_fail_got(c, path, v, "an object with keys %s",
				    known);
	}
	return walk_section(c, path, v);
}

/* ---- memory.zones ------------------------------------------------------- */

static int zone_type_from_name(const char *s)
{
	return choice_index(zone_names, s);
}

static int parse_zone_type(const struct cfg_ctx *c, const json_t *zone,
			   const char *path, enum zone_type *out)
{
	char tpath[CFG_PATH_MAX];
	json_t *t = json_object_get(zone, "type");
	int type;

	if (!t)
		return cfg_fail(c, path, "missing \"type\", expected one of "
				"\"DMA\", \"DMA32\", \"Normal\", \"Movable\"");
	path_join(tpath, sizeof(tpath), path, "type");
	type = json_is_string(t) ? zone_type_from_name(json_string_value(t)) : -1;
	if (type < 0)
		return cfg_fail_choice(c, tpath, t, zone_names, NULL);
	*out = (enum zone_type)type;
	return 0;
}

static int parse_zone_share(const struct cfg_ctx *c, const json_t *zone,
			    const char *path, double *out)
{
	char spath[CFG_PATH_MAX];
	json_t *s = json_object_get(zone, "share");
	double d;

	*out = -1.0;	/* the remainder zone */
	if (!s)
		return 0;
	path_join(spath, sizeof(spath), path, "share");
	d = json_number_value(s);
	if (!json_is_number(s) || !(d > 0.0 && d <= 1.0))
		return cfg_fail_got(c, spath, s, "a fraction in (0, 1]");
	*out = d;
	return 0;
}

/* One element of memory.zones: {"type": T, "share": S, "pages": derived}. */
static int parse_zone(const struct cfg_ctx *c, json_t *zone, const char *path,
		      struct zone_config *out)
{
	const char *key;
	json_t *v;
	uint64_t ignored;
	char ppath[CFG_PATH_MAX];

	if (!json_is_object(zone))
		return cfg_fail_got(c, path, zone, "an object {\"type\": "
				    "\"Normal\", \"share\": 0.5}");
	json_object_foreach(zone, key, v)
		if (choice_index(zone_object_keys, key) < 0)
			return fail_unknown_member(c, path, key, "in a zone",
						   zone_object_keys);
	if (parse_zone_type(c, zone, path, &out->type) < 0 ||
	    parse_zone_share(c, zone, path, &out->share) < 0)
		return -1;
	v = json_object_get(zone, "pages");
	path_join(ppath, sizeof(ppath), path, "pages");
	if (v && get_uint(c, v, ppath, 0, PAGES_MAX, &ignored) < 0)
		return -1;
	return 0;
}

/* Zone i's type is above zone i-1's; at most one zone has no share. */
static int check_zone_order(const struct cfg_ctx *c, const char *path,
			    const struct zone_config *zones, size_t i,
			    int *remainder)
{
	char epath[CFG_PATH_MAX], rpath[CFG_PATH_MAX];

	path_index(epath, sizeof(epath), path, i);
	if (i > 0 && zones[i].type <= zones[i - 1].type)
		return cfg_fail(c, epath, "got type \"%s\" after \"%s\", "
				"expected zone types in ascending order (DMA, "
				"DMA32, Normal, Movable), each at most once",
				zone_names[zones[i].type],
				zone_names[zones[i - 1].type]);
	if (zones[i].share >= 0)
		return 0;
	if (*remainder >= 0) {
		path_index(rpath, sizeof(rpath), path, (size_t)*remainder);
		return cfg_fail(c, epath, "got a second zone without \"share\" "
				"(%s has none), expected at most one zone "
				"taking the remainder", rpath);
	}
	*remainder = (int)i;
	return 0;
}

static int check_share_sum(const struct cfg_ctx *c, const char *path,
			   double sum, bool has_remainder)
{
	if (has_remainder && sum > 1.0 + SHARE_SLACK)
		return cfg_fail(c, path, "got shares summing to %.10g, expected "
				"at most 1 (one zone takes the remainder)", sum);
	if (!has_remainder && fabs(sum - 1.0) > SHARE_SLACK)
		return cfg_fail(c, path, "got shares summing to %.10g, expected "
				"1 (or leave out one zone's share to give it "
				"the remainder)", sum);
	return 0;
}

static int parse_zones(struct cfg_ctx *c, json_t *v, const char *path)
{
	struct zone_config zones[MAX_NR_ZONES];
	size_t n = json_array_size(v);
	int remainder = -1;
	double sum = 0;

	if (!json_is_array(v) || n == 0 || n > MAX_NR_ZONES)
		return cfg_fail_got(c, path, v, "an array of 1..%d zones, "
				    "e.g. [{\"type\": \"DMA32\", \"share\": "
				    "0.25}, {\"type\": \"Normal\"}]",
				    MAX_NR_ZONES);
	memset(zones, 0, sizeof(zones));
	for (size_t i = 0; i < n; i++) {
		char epath[CFG_PATH_MAX];

		path_index(epath, sizeof(epath), path, i);
		if (parse_zone(c, json_array_get(v, i), epath, &zones[i]) < 0 ||
		    check_zone_order(c, path, zones, i, &remainder) < 0)
			return -1;
		if (zones[i].share > 0)
			sum += zones[i].share;
	}
	if (check_share_sum(c, path, sum, remainder >= 0) < 0)
		return -1;
	c->cfg->nr_zones = (unsigned)n;
	memcpy(c->cfg->zones, zones, sizeof(zones));
	return 0;
}

/*
 * Zone sizes from shares: floor(share x memory.pages), and the remainder
 * zone (else the last zone) gets what is left, so they sum to
 * memory.pages. Pure; config_finalize() checks the result.
 */
static void zone_pages_derive(const struct config *cfg,
			      uint64_t pages[MAX_NR_ZONES])
{
	uint64_t used = 0;
	unsigned rest = cfg->nr_zones - 1;

	SIM_BUG_ON(cfg->nr_zones == 0 || cfg->nr_zones > MAX_NR_ZONES);
	for (unsigned i = 0; i < cfg->nr_zones; i++) {
		double share = cfg->zones[i].share;

		pages[i] = 0;
		if (share < 0)
			rest = i;
		else
			pages[i] = (uint64_t)floor(share *
						   (double)cfg->memory_pages);
	}
	for (unsigned i = 0; i < cfg->nr_zones; i++)
		if (i != rest)
			used += pages[i];
	pages[rest] = used < cfg->memory_pages ? cfg->memory_pages - used : 0;
}

static json_t *zones_to_json(const struct config *cfg)
{
	uint64_t pages[MAX_NR_ZONES];
	json_t *a = json_array();

	zone_pages_derive(cfg, pages);
	for (unsigned i = 0; i < cfg->nr_zones; i++) {
		json_t *z = json_object();

		json_object_set_new(z, "type",
				    json_string(zone_names[cfg->zones[i].type]));
		if (cfg->zones[i].share >= 0)
			json_object_set_new(z, "share",
					    json_real(cfg->zones[i].share));
		json_object_set_new(z, "pages", json_integer((json_int_t)pages[i]));
		json_array_append_new(a, z);
	}
	return a;
}

/* ---- watermarks --------------------------------------------------------- */

static int parse_watermarks(struct cfg_ctx *c, json_t *v, const char *path)
{
	int mode;

	if (json_is_object(v))
		return walk_section(c, path, v);
	mode = json_is_string(v) ?
	       choice_index(wmark_mode_names, json_string_value(v)) : -1;
	if (mode >= 0) {
		c->cfg->wmark_mode = (enum wmark_mode)mode;
		return 0;
	}
	return cfg_fail_choice(c, path, v, wmark_mode_names,
			       ", or an object of mode, min_free_kbytes, "
			       "watermark_scale_factor, watermark_boost_factor, "
			       "lowmem_reserve_ratio, zones");
}

static int parse_min_free_kbytes(struct cfg_ctx *c, json_t *v,
				 const char *path)
{
	uint64_t kb;

	if (json_is_string(v) && strcmp(json_string_value(v), "auto") == 0) {
		c->cfg->min_free_kbytes = -1;
		return 0;
	}
	if (!json_to_uint(v, 128, KBYTES_MAX, &kb))
		return cfg_fail_got(c, path, v, "an integer in 128..%lld or "
				    "\"auto\"", KBYTES_MAX);
	c->cfg->min_free_kbytes = (int64_t)kb;
	return 0;
}

static json_t *min_free_kbytes_to_json(const struct config *cfg)
{
	if (cfg->min_free_kbytes < 0)
		return json_string("auto");
	return json_integer((json_int_t)cfg->min_free_kbytes);
}

static int parse_lowmem_reserve_ratio(struct cfg_ctx *c, json_t *v,
				      const char *path)
{
	unsigned ratio[MAX_NR_ZONES];

	if (!json_is_array(v) || json_array_size(v) != MAX_NR_ZONES)
		return cfg_fail_got(c, path, v, "an array of %d integers (DMA, "
				    "DMA32, Normal, Movable)", MAX_NR_ZONES);
	for (size_t i = 0; i < MAX_NR_ZONES; i++) {
		char epath[CFG_PATH_MAX];
		uint64_t r = 0;	/* set by get_uint(); -O3 can't tell */

		path_index(epath, sizeof(epath), path, i);
		if (get_uint(c, json_array_get(v, i), epath, 0, RATIO_MAX,
			     &r) < 0)
			return -1;
		ratio[i] = (unsigned)r;
	}
	memcpy(c->cfg->lowmem_reserve_ratio, ratio, sizeof(ratio));
	return 0;
}

static json_t *lowmem_reserve_ratio_to_json(const struct config *cfg)
{
	json_t *a = json_array();

	for (size_t i = 0; i < MAX_NR_ZONES; i++)
		json_array_append_new(a,
			json_integer(cfg->lowmem_reserve_ratio[i]));
	return a;
}

/* One mark of one zone type: watermarks.zones.Normal.high. */
static int parse_one_mark(struct cfg_ctx *c, enum zone_type t,
			  enum zone_watermarks w, json_t *v, const char *path)
{
	uint64_t pages = 0;	/* set by get_uint(); -O3 can't tell */

	if (get_uint(c, v, path, 0, PAGES_MAX, &pages) < 0)
		return -1;
	c->cfg->explicit_wmark[t][w] = pages;
	c->cfg->explicit_wmark_mask[t] |= (uint8_t)(1u << w);
	return 0;
}

/* {"min": n, "low": n, "high": n}, replacing zone type t's marks. */
static int parse_zone_marks(struct cfg_ctx *c, enum zone_type t, json_t *v,
			    const char *path)
{
	const char *key;
	json_t *m;

	if (!json_is_object(v))
		return cfg_fail_got(c, path, v, "an object {\"min\": pages, "
				    "\"low\": pages, \"high\": pages}");
	c->cfg->explicit_wmark_mask[t] = 0;
	memset(c->cfg->explicit_wmark[t], 0, sizeof(c->cfg->explicit_wmark[t]));
	json_object_foreach(v, key, m) {
		char mpath[CFG_PATH_MAX];
		int w = choice_index(wmark_names, key);

		if (w < 0)
			return fail_unknown_member(c, path, key, "of a zone's "
						   "marks", wmark_names);
		path_join(mpath, sizeof(mpath), path, key);
		if (parse_one_mark(c, t, (enum zone_watermarks)w, m, mpath) < 0)
			return -1;
	}
	return 0;
}

static int wmark_zone_type(const struct cfg_ctx *c, const char *name,
			   const char *path, enum zone_type *out)
{
	char full[CFG_PATH_MAX], list[CFG_PATH_MAX], hint[3 * CFG_PATH_MAX];
	struct suggest s = { .n = 0 };
	int t = zone_type_from_name(name);

	if (t >= 0) {
		*out = (enum zone_type)t;
		return 0;
	}
	path_join(full, sizeof(full), path, name);
	list_join(list, sizeof(list), zone_names, false);
	suggest_from_list(&s, name, zone_names);
	suggest_format(&s, hint, sizeof(hint));
	return cfg_fail(c, full, "unknown zone type (known: %s)%s", list, hint);
}

static int parse_wmark_zones(struct cfg_ctx *c, json_t *v, const char *path)
{
	const char *key;
	json_t *marks;

	if (!json_is_object(v))
		return cfg_fail_got(c, path, v, "an object {\"Normal\": "
				    "{\"min\": pages, \"low\": pages, "
				    "\"high\": pages}, ...}");
	memset(c->cfg->explicit_wmark, 0, sizeof(c->cfg->explicit_wmark));
	memset(c->cfg->explicit_wmark_mask, 0,
	       sizeof(c->cfg->explicit_wmark_mask));
	json_object_foreach(v, key, marks) {
		char zpath[CFG_PATH_MAX];
		enum zone_type t;

		path_join(zpath, sizeof(zpath), path, key);
		if (wmark_zone_type(c, key, path, &t) < 0 ||
		    parse_zone_marks(c, t, marks, zpath) < 0)
			return -1;
	}
	return 0;
}

/* --set watermarks.zones.ZONE={...} or watermarks.zones.ZONE.MARK=n */
static int set_sub_wmark_zones(struct cfg_ctx *c, const char *sub, json_t *v,
			       const char *path)
{
	char zone[CFG_PATH_MAX], prefix[CFG_PATH_MAX];
	const char *dot = strchr(sub, '.');
	enum zone_type t;
	int w;

	snprintf(zone, sizeof(zone), "%.*s",
		 (int)(dot ? (size_t)(dot - sub) : strlen(sub)), sub);
	snprintf(prefix, sizeof(prefix), "%.*s",
		 (int)(strlen(path) - strlen(sub) - 1), path);
	if (wmark_zone_type(c, zone, prefix, &t) < 0)
		return -1;
	if (!dot)
		return parse_zone_marks(c, t, v, path);
	w = choice_index(wmark_names, dot + 1);
	if (w < 0) {
		char zpath[CFG_PATH_MAX];

		path_join(zpath, sizeof(zpath), prefix, zone);
		return fail_unknown_member(c, zpath, dot + 1,
					   "of a zone's marks", wmark_names);
	}
	return parse_one_mark(c, t, (enum zone_watermarks)w, v, path);
}

static json_t *wmark_zones_to_json(const struct config *cfg)
{
	json_t *o = json_object();

	for (int t = 0; t < MAX_NR_ZONES; t++) {
		json_t *marks;

		if (!cfg->explicit_wmark_mask[t])
			continue;
		marks = json_object();
		for (int w = 0; w < NR_WMARK; w++)
			if (cfg->explicit_wmark_mask[t] & (1u << w))
				json_object_set_new(marks, wmark_names[w],
					json_integer((json_int_t)
						cfg->explicit_wmark[t][w]));
		json_object_set_new(o, zone_names[t], marks);
	}
	return o;
}

/* ---- log.events --------------------------------------------------------- */

static int log_event_bit(const struct cfg_ctx *c, json_t *name,
			 const char *path, uint32_t *mask)
{
	int ev = json_is_string(name) ?
		 choice_index(log_event_names, json_string_value(name)) : -1;

	if (ev < 0)
		return cfg_fail_choice(c, path, name, log_event_names, NULL);
	*mask |= 1u << ev;
	return 0;
}

static int log_events_from_array(const struct cfg_ctx *c, json_t *v,
				 const char *path, uint32_t *mask)
{
	size_t i;
	json_t *name;

	json_array_foreach(v, i, name) {
		char epath[CFG_PATH_MAX];

		path_index(epath, sizeof(epath), path, i);
		if (log_event_bit(c, name, epath, mask) < 0)
			return -1;
	}
	return 0;
}

/* --set log.events=watermark,refault: the list as a JSON array. */
static json_t *comma_list(const char *s)
{
	json_t *a = json_array();
	char *copy = xstrdup(s), *save = NULL;

	for (char *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*tok))
			tok++;
		for (char *e = tok + strlen(tok);
		     e > tok && isspace((unsigned char)e[-1]); e--)
			e[-1] = '\0';
		json_array_append_new(a, json_string(tok));
	}
	free(copy);
	return a;
}

static int parse_log_events(struct cfg_ctx *c, json_t *v, const char *path)
{
	const char *s = json_string_value(v);
	uint32_t mask = 0;
	int rc;

	if (s && strcmp(s, "all") == 0)
		mask = LOG_EVENTS_ALL;
	else if (s && (strcmp(s, "none") == 0 || (c->from_set && !*s)))
		mask = 0;
	else if (s && c->from_set) {
		json_t *list = comma_list(s);

		rc = log_events_from_array(c, list, path, &mask);
		json_decref(list);
		if (rc < 0)
			return -1;
	} else if (json_is_array(v)) {
		if (log_events_from_array(c, v, path, &mask) < 0)
			return -1;
	} else {
		return cfg_fail_got(c, path, v, "\"all\", \"none\" or an array "
				    "of event names");
	}
	c->cfg->log_events = mask;
	return 0;
}

static json_t *log_events_to_json(const struct config *cfg)
{
	json_t *a;

	if ((cfg->log_events & LOG_EVENTS_ALL) == LOG_EVENTS_ALL)
		return json_string("all");
	a = json_array();
	for (int ev = 0; ev < NR_LOG_EVENTS; ev++)
		if (cfg->log_events & (1u << ev))
			json_array_append_new(a,
					      json_string(log_event_names[ev]));
	return a;
}

/* ---- compaction.compact_memory_ms, placement.* paths ----------------- */

static int parse_compact_memory(struct cfg_ctx *c, json_t *v, const char *path)
{
	const char *s = json_string_value(v);
	double d = json_number_value(v);

	if (s && strcmp(s, "none") == 0) {
		c->cfg->compact_memory_ns = -1;
		return 0;
	}
	if (!json_is_number(v) || d < 0 || d > 1e12)
		return cfg_fail_got(c, path, v, "a number of ms >= 0, or "
				    "\"none\"");
	c->cfg->compact_memory_ns = (int64_t)llround(d * 1e6);
	return 0;
}

static json_t *compact_memory_to_json(const struct config *cfg)
{
	if (cfg->compact_memory_ns < 0)
		return json_string("none");
	return duration_to_json((uint64_t)cfg->compact_memory_ns, 1000000);
}

/* "none" or a path; a file is only opened when the machine is built. */
static int parse_path(struct cfg_ctx *c, json_t *v, const char *path,
		      char out[CONFIG_PATH_MAX])
{
	const char *s = json_string_value(v);

	if (!s || !*s || strlen(s) >= CONFIG_PATH_MAX)
		return cfg_fail_got(c, path, v, "a file path of 1..%d "
				    "characters, or \"none\"",
				    CONFIG_PATH_MAX - 1);
	snprintf(out, CONFIG_PATH_MAX, "%s", strcmp(s, "none") ? s : "");
	return 0;
}

static int parse_pagetypeinfo(struct cfg_ctx *c, json_t *v, const char *path)
{
	return parse_path(c, v, path, c->cfg->pagetypeinfo_path);
}

static json_t *pagetypeinfo_to_json(const struct config *cfg)
{
	return json_string(*cfg->pagetypeinfo_path ? cfg->pagetypeinfo_path :
			   "none");
}

static int parse_buddyinfo(struct cfg_ctx *c, json_t *v, const char *path)
{
	return parse_path(c, v, path, c->cfg->buddyinfo_path);
}

static json_t *buddyinfo_to_json(const struct config *cfg)
{
	return json_string(*cfg->buddyinfo_path ? cfg->buddyinfo_path : "none");
}

/* ---- public: defaults, file, --set -------------------------------------- */

static void apply_default(struct config *cfg, const struct config_key *k)
{
	char err[CFG_MSG_MAX + CFG_PATH_MAX];
	struct cfg_ctx c = { .cfg = cfg, .origin = "built-in default",
			     .err = err, .errlen = sizeof(err) };
	json_error_t jerr;
	json_t *v = json_loads(k->def, JSON_DECODE_ANY, &jerr);

	SIM_BUG_ON(!v);
	if (key_apply(&c, k, v, k->path) < 0) {
		fprintf(stderr, "mmsim: %s\n", err);
		SIM_BUG_ON(!"a built-in default is valid");
	}
	json_decref(v);
}

void config_defaults(struct config *cfg)
{
	char err[CFG_MSG_MAX];

	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < ARRAY_SIZE(key_table); i++)
		if (key_table[i].def)
			apply_default(cfg, &key_table[i]);
	if (config_finalize(cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "mmsim: built-in defaults: %s\n", err);
		SIM_BUG_ON(!"the built-in defaults are consistent");
	}
}

int config_load_file(struct config *cfg, const char *path, char *err,
		     size_t errlen)
{
	struct config tmp = *cfg;
	struct cfg_ctx c = { .cfg = &tmp, .origin = path, .err = err,
			     .errlen = errlen };
	json_error_t jerr;
	json_t *root;
	FILE *f = fopen(path, "r");
	int rc, read_errno;

	if (!f) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror(errno));
		return -1;
	}
	errno = 0;
	root = json_loadf(f, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	read_errno = ferror(f) ? errno : 0;
	fclose(f);
	if (!root && read_errno) {	/* a directory, an I/O error */
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror(read_errno));
		return -1;
	}
	if (!root) {
		snprintf(err, errlen, "%s:%d:%d: invalid JSON: %s", path,
			 jerr.line, jerr.column, jerr.text);
		return -1;
	}
	if (!json_is_object(root))
		rc = cfg_fail_got(&c, NULL, root, "an object at the top level");
	else
		rc = walk_section(&c, "", root);
	json_decref(root);
	if (rc == 0)
		*cfg = tmp;
	return rc;
}

/*
 * The value of --set K=V: JSON when it parses as JSON, else the bare
 * string; a key that takes a string gets the text itself (so
 * reclaim.policy=2 names a policy "2"). NULL with a message if V looks like
 * JSON ({, [ or ") but does not parse.
 */
static json_t *set_value(const struct cfg_ctx *c, const struct config_key *k,
			 const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
			       &jerr);

	if (v && k && (k->type == KEY_NAME || k->type == KEY_CHOICE) &&
	    !json_is_string(v) && !json_is_object(v) && !json_is_array(v)) {
		json_decref(v);
		v = NULL;
	}
	if (v)
		return v;
	if (*text == '{' || *text == '[' || *text == '"') {
		cfg_fail(c, NULL, "invalid JSON value at column %d: %s",
			 jerr.column, jerr.text);
		return NULL;
	}
	return json_string(text);
}

/* A key below an object-valued key: watermarks.zones.Normal.high. */
static const struct config_key *key_find_parent(const char *path,
						 const char **sub)
{
	for (size_t i = 0; i < ARRAY_SIZE(key_table); i++) {
		const struct config_key *k = &key_table[i];
		size_t n = strlen(k->path);

		if (k->set_sub && strncmp(path, k->path, n) == 0 &&
		    path[n] == '.' && path[n + 1]) {
			*sub = path + n + 1;
			return k;
		}
	}
	return NULL;
}

static int set_apply(struct cfg_ctx *c, const char *key, const char *text)
{
	const struct config_key *k = key_find(key), *parent = NULL;
	const char *sub = NULL;
	json_t *v;
	int rc;

	if (!k && !is_section(key))
		parent = key_find_parent(key, &sub);
	if (!k && !parent && !is_section(key))
		return fail_unknown_key(c, key);
	v = set_value(c, k, text);
	if (!v)
		return -1;
	if (parent)
		rc = parent->set_sub(c, sub, v, key);
	else
		rc = apply_path(c, key, v);
	json_decref(v);
	return rc;
}

int config_set(struct config *cfg, const char *assignment, char *err,
	       size_t errlen)
{
	struct config tmp = *cfg;
	char origin[CFG_MSG_MAX], key[CFG_PATH_MAX];
	const char *eq = strchr(assignment, '=');
	struct cfg_ctx c = { .cfg = &tmp, .origin = origin, .set_key = key,
			     .from_set = true, .err = err, .errlen = errlen };

	snprintf(origin, sizeof(origin), "--set %s", assignment);
	if (!eq || eq == assignment) {
		snprintf(err, errlen, "%s: expected KEY=VALUE, e.g. "
			 "reclaim.swappiness=100", origin);
		return -1;
	}
	if ((size_t)(eq - assignment) >= sizeof(key)) {
		snprintf(err, errlen, "%s: key too long", origin);
		return -1;
	}
	snprintf(key, sizeof(key), "%.*s", (int)(eq - assignment), assignment);
	if (set_apply(&c, key, eq + 1) < 0)
		return -1;
	*cfg = tmp;
	return 0;
}

/* ---- finalize: rules across keys, derived sizes ------------------------- */

static int check_zone_sizes(const struct config *cfg,
			    const uint64_t pages[MAX_NR_ZONES], char *err,
			    size_t errlen)
{
	for (unsigned i = 0; i < cfg->nr_zones; i++) {
		const struct zone_config *z = &cfg->zones[i];
		char how[96];

		if (pages[i] >= 1)
			continue;
		if (z->share >= 0)
			snprintf(how, sizeof(how), "share %g of memory.pages %llu",
				 z->share, (unsigned long long)cfg->memory_pages);
		else
			snprintf(how, sizeof(how), "the remainder of "
				 "memory.pages %llu",
				 (unsigned long long)cfg->memory_pages);
		snprintf(err, errlen, "memory.zones[%u] (%s): got %llu pages "
			 "(%s), expected at least 1 page", i,
			 zone_names[z->type], (unsigned long long)pages[i], how);
		return -1;
	}
	return 0;
}

static bool zone_configured(const struct config *cfg, int t)
{
	for (unsigned i = 0; i < cfg->nr_zones; i++)
		if ((int)cfg->zones[i].type == t)
			return true;
	return false;
}

static void configured_zone_list(const struct config *cfg, char *buf,
				 size_t n)
{
	const char *names[MAX_NR_ZONES + 1];

	for (unsigned i = 0; i < cfg->nr_zones; i++)
		names[i] = zone_names[cfg->zones[i].type];
	names[cfg->nr_zones] = NULL;
	list_join(buf, n, names, false);
}

static int check_zone_marks(const struct config *cfg, unsigned i, char *err,
			    size_t errlen)
{
	const struct zone_config *z = &cfg->zones[i];
	const uint64_t *m = cfg->explicit_wmark[z->type];
	const char *name = zone_names[z->type];

	for (int w = 0; w < NR_WMARK; w++)
		if (!(cfg->explicit_wmark_mask[z->type] & (1u << w))) {
			snprintf(err, errlen, "watermarks.zones.%s: missing "
				 "\"%s\", expected min, low and high for every "
				 "zone of memory.zones when watermarks.mode is "
				 "\"explicit\"", name, wmark_names[w]);
			return -1;
		}
	if (m[WMARK_MIN] > m[WMARK_LOW] || m[WMARK_LOW] > m[WMARK_HIGH]) {
		snprintf(err, errlen, "watermarks.zones.%s: got min %llu, low "
			 "%llu, high %llu, expected min <= low <= high", name,
			 (unsigned long long)m[WMARK_MIN],
			 (unsigned long long)m[WMARK_LOW],
			 (unsigned long long)m[WMARK_HIGH]);
		return -1;
	}
	if (m[WMARK_HIGH] > z->pages) {
		snprintf(err, errlen, "watermarks.zones.%s.high: got %llu, "
			 "expected at most the zone's %llu pages", name,
			 (unsigned long long)m[WMARK_HIGH],
			 (unsigned long long)z->pages);
		return -1;
	}
	return 0;
}

static int check_explicit_marks(const struct config *cfg, char *err,
				size_t errlen)
{
	char list[CFG_PATH_MAX];

	for (int t = 0; t < MAX_NR_ZONES; t++) {
		if (!cfg->explicit_wmark_mask[t] || zone_configured(cfg, t))
			continue;
		configured_zone_list(cfg, list, sizeof(list));
		snprintf(err, errlen, "watermarks.zones.%s: got marks for zone "
			 "%s, expected only zones of memory.zones (%s)",
			 zone_names[t], zone_names[t], list);
		return -1;
	}
	for (unsigned i = 0; i < cfg->nr_zones; i++) {
		if (!cfg->explicit_wmark_mask[cfg->zones[i].type]) {
			configured_zone_list(cfg, list, sizeof(list));
			snprintf(err, errlen, "watermarks.zones: no marks for "
				 "zone %s, expected {\"min\", \"low\", "
				 "\"high\"} for every zone of memory.zones (%s) "
				 "when watermarks.mode is \"explicit\"",
				 zone_names[cfg->zones[i].type], list);
			return -1;
		}
		if (check_zone_marks(cfg, i, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int check_min_free_kbytes(const struct config *cfg, char *err,
				 size_t errlen)
{
	uint64_t pages_min;

	if (cfg->wmark_mode != WMARK_MODE_KERNEL || cfg->min_free_kbytes < 0)
		return 0;
	pages_min = (uint64_t)cfg->min_free_kbytes / (PAGE_SIZE / 1024);
	if (pages_min < cfg->memory_pages)
		return 0;
	snprintf(err, errlen, "watermarks.min_free_kbytes: got %lld KiB (%llu "
		 "pages), expected less than memory.pages (%llu)",
		 (long long)cfg->min_free_kbytes,
		 (unsigned long long)pages_min,
		 (unsigned long long)cfg->memory_pages);
	return -1;
}

int config_finalize(struct config *cfg, char *err, size_t errlen)
{
	uint64_t pages[MAX_NR_ZONES];
	bool explicit_marks = cfg->wmark_mode == WMARK_MODE_EXPLICIT;

	zone_pages_derive(cfg, pages);
	if (check_zone_sizes(cfg, pages, err, errlen) < 0)
		return -1;
	for (unsigned i = 0; i < cfg->nr_zones; i++)
		cfg->zones[i].pages = pages[i];
	if (explicit_marks && check_explicit_marks(cfg, err, errlen) < 0)
		return -1;
	for (unsigned i = 0; i < cfg->nr_zones; i++) {
		struct zone_config *z = &cfg->zones[i];

		for (int w = 0; w < NR_WMARK; w++)
			z->wmark[w] = explicit_marks ?
				      cfg->explicit_wmark[z->type][w] : 0;
	}
	if (cfg->placement_initial == PLACEMENT_INITIAL_SNAPSHOT &&
	    !*cfg->pagetypeinfo_path && !*cfg->buddyinfo_path) {
		snprintf(err, errlen, "placement.initial: got \"snapshot\" "
			 "without a file, expected placement.pagetypeinfo or "
			 "placement.buddyinfo to name one");
		return -1;
	}
	return check_min_free_kbytes(cfg, err, errlen);
}

/* ---- the effective config as JSON --------------------------------------- */

/* root["a"]["b"]["c"] = value for path "a.b.c", creating the objects. */
static void json_set_path(json_t *root, const char *path, json_t *value)
{
	char buf[CFG_PATH_MAX], *save = NULL;
	char *comp, *next;
	json_t *obj = root;

	snprintf(buf, sizeof(buf), "%s", path);
	comp = strtok_r(buf, ".", &save);
	while ((next = strtok_r(NULL, ".", &save))) {
		json_t *child = json_object_get(obj, comp);

		if (!child) {
			child = json_object();
			json_object_set_new(obj, comp, child);
		}
		obj = child;
		comp = next;
	}
	json_object_set_new(obj, comp, value);
}

static json_t *duration_to_json(uint64_t ns, uint64_t unit_ns)
{
	if (ns % unit_ns == 0)
		return json_integer((json_int_t)(ns / unit_ns));
	return json_real((double)ns / (double)unit_ns);
}

static json_t *key_to_json(const struct config *cfg, const struct config_key *k)
{
	bool b;
	int i;

	switch (k->type) {
	case KEY_BOOL:
		memcpy(&b, cfield(cfg, k), sizeof(b));
		return json_boolean(b);
	case KEY_UINT:
		return json_integer((json_int_t)load_uint(cfg, k));
	case KEY_DURATION:
		return duration_to_json(load_uint(cfg, k), k->unit_ns);
	case KEY_CHOICE:
		memcpy(&i, cfield(cfg, k), sizeof(i));
		return json_string(k->choices[i]);
	case KEY_NAME:
		return json_string(cfield(cfg, k));
	case KEY_SPECIAL:
		return k->to_json ? k->to_json(cfg) : NULL;
	}
	SIM_BUG_ON(1);
	return NULL;
}

json_t *config_to_json(const struct config *cfg)
{
	json_t *root = json_object();

	for (size_t i = 0; i < ARRAY_SIZE(key_table); i++) {
		json_t *v = key_to_json(cfg, &key_table[i]);

		if (v)
			json_set_path(root, key_table[i].path, v);
	}
	return root;
}

/* ---- names and the key reference ---------------------------------------- */

const char *config_log_event_name(enum log_event ev)
{
	SIM_BUG_ON((unsigned)ev >= NR_LOG_EVENTS);
	return log_event_names[ev];
}

const char *zone_type_name(enum zone_type t)
{
	SIM_BUG_ON((unsigned)t >= MAX_NR_ZONES);
	return zone_names[t];
}

size_t config_nr_keys(void)
{
	return ARRAY_SIZE(key_table);
}

const char *config_key_path(size_t i)
{
	SIM_BUG_ON(i >= ARRAY_SIZE(key_table));
	return key_table[i].path;
}

struct strbuf {
	char *s;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	SIM_BUG_ON(n < 0);
	if (sb->len + (size_t)n + 1 > sb->cap) {
		sb->cap = 2 * (sb->len + (size_t)n + 1);
		sb->s = xrealloc(sb->s, sb->cap);
	}
	va_start(ap, fmt);
	vsnprintf(sb->s + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

/* A table cell: '|' would end the cell early. */
static void sb_cell(struct strbuf *sb, const char *s)
{
	sb_printf(sb, " ");
	for (; *s; s++)
		if (*s == '|')
			sb_printf(sb, "\\|");
		else
			sb_printf(sb, "%c", *s);
	sb_printf(sb, " |");
}

static const char *key_type_doc(const struct config_key *k)
{
	switch (k->type) {
	case KEY_BOOL:
		return "bool";
	case KEY_UINT:
		return "integer";
	case KEY_DURATION:
		return k->unit_ns == 1 ? "integer (duration)" : "number (duration)";
	case KEY_CHOICE:
		return "string";
	case KEY_NAME:
		return "name";
	case KEY_SPECIAL:
		return k->type_doc;
	}
	return "?";
}

static void key_range_doc(const struct config_key *k, char *buf, size_t n)
{
	switch (k->type) {
	case KEY_BOOL:
		snprintf(buf, n, "true, false");
		break;
	case KEY_UINT:
	case KEY_DURATION:
		snprintf(buf, n, "%llu..%llu", (unsigned long long)k->min,
			 (unsigned long long)k->max);
		break;
	case KEY_CHOICE:
		list_join(buf, n, k->choices, false);
		break;
	case KEY_NAME:
		snprintf(buf, n, "1..%d of a-z 0-9 _ -", CONFIG_NAME_MAX - 1);
		break;
	case KEY_SPECIAL:
		snprintf(buf, n, "%s", k->range_doc);
		break;
	}
}

char *config_reference_markdown(void)
{
	struct strbuf sb = { .s = NULL, .len = 0, .cap = 0 };

	sb_printf(&sb, "| Key | Type | Default | Range | Unit | What it is "
		  "| Models |\n|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < ARRAY_SIZE(key_table); i++) {
		const struct config_key *k = &key_table[i];
		char range[CFG_MSG_MAX], def[CFG_PATH_MAX];

		key_range_doc(k, range, sizeof(range));
		if (k->def)
			snprintf(def, sizeof(def), "`%s`", k->def);
		else
			snprintf(def, sizeof(def), "-");
		sb_printf(&sb, "| `%s` |", k->path);
		sb_cell(&sb, key_type_doc(k));
		sb_cell(&sb, def);
		sb_cell(&sb, range);
		sb_cell(&sb, *k->unit ? k->unit : "-");
		sb_cell(&sb, k->doc);
		sb_cell(&sb, k->models);
		sb_printf(&sb, "\n");
	}
	return sb.s;
}
