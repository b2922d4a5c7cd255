/*
 * compact_none.c - no compaction, for comparison.
 *
 * Behaves as a kernel built without CONFIG_COMPACTION: the allocator never
 * compacts directly (gfp_compaction_allowed() is false, so costly orders
 * fail after one reclaim round and should_compact_retry() is never asked),
 * kcompactd never runs, and nothing is proactive or manual. Fragmentation
 * is left to reclaim and to frees.
 */
#include "policy/compact.h"

const struct compact_ops compact_none_ops = {
	.name = "none",
	.summary = "never compacts (a kernel without CONFIG_COMPACTION)",
};
