/*
 * vmstat.h - event counters named as in /proc/vmstat (mm/vmstat.c).
 *
 * One X-macro list gives the enum and the names, so the summary's "vmstat"
 * object prints exactly these names. Per-zone counters (allocstall_<zone>,
 * pgalloc_<zone>, pgskip_<zone>) live in struct zone_vmstat. Counters the
 * kernel does not have carry a name that says so in the README
 * (kswapd_wake, alloc_fail, ...).
 */
#ifndef SIM_VMSTAT_H
#define SIM_VMSTAT_H

#include <stdint.h>

#define VMSTAT_ITEMS(X)                \
	X(pgfault)                     \
	X(pgmajfault)                  \
	X(pgfree)                      \
	X(pgactivate)                  \
	X(pgdeactivate)                \
	X(pgrefill)                    \
	X(pgrotated)                   \
	X(nr_vmscan_immediate_reclaim) \
	X(pgscan_kswapd)               \
	X(pgscan_direct)               \
	X(pgscan_anon)                 \
	X(pgscan_file)                 \
	X(pgsteal_kswapd)              \
	X(pgsteal_direct)              \
	X(pgsteal_anon)                \
	X(pgsteal_file)                \
	X(pswpin)                      \
	X(pswpout)                     \
	X(workingset_refault_anon)     \
	X(workingset_refault_file)     \
	X(workingset_activate_anon)    \
	X(workingset_activate_file)    \
	X(workingset_restore_anon)     \
	X(workingset_restore_file)     \
	X(workingset_nodereclaim)      \
	X(pageoutrun)                  \
	X(kswapd_wake)                 \
	X(kswapd_low_wmark_hit_quickly) \
	X(kswapd_high_wmark_hit_quickly) \
	X(oom_kill)                    \
	X(alloc_fail)                  \
	X(compact_stall)               \
	X(compact_fail)                \
	X(compact_success)             \
	X(compact_migrate_scanned)     \
	X(compact_free_scanned)        \
	X(compact_isolated)            \
	X(compact_daemon_wake)         \
	X(compact_daemon_migrate_scanned) \
	X(compact_daemon_free_scanned) \
	X(pgmigrate_success)           \
	X(pgmigrate_fail)              \
	X(thp_fault_alloc)             \
	X(thp_fault_fallback)

enum vm_event_item {
#define VMSTAT_ENUM(name) VM_##name,
	VMSTAT_ITEMS(VMSTAT_ENUM)
#undef VMSTAT_ENUM
	NR_VM_EVENT_ITEMS
};

/* Per zone, printed as NAME_<zone> ("allocstall_normal"). */
#define ZONE_VMSTAT_ITEMS(X) \
	X(allocstall)        \
	X(pgalloc)           \
	X(pgskip)

enum zone_vm_item {
#define ZVMSTAT_ENUM(name) ZVM_##name,
	ZONE_VMSTAT_ITEMS(ZVMSTAT_ENUM)
#undef ZVMSTAT_ENUM
	NR_ZONE_VM_ITEMS
};

/** The /proc/vmstat name of a counter. */
const char *vmstat_name(enum vm_event_item item);
/** The per-zone counter's prefix ("allocstall"). */
const char *zone_vmstat_name(enum zone_vm_item item);

#endif
