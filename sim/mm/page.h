/*
 * page.h - the simulated page descriptor (the kernel's struct page/folio).
 *
 * One struct page per simulated physical page frame, in one array indexed by
 * pfn (the mem_map). It is kept to 32 bytes: a 64 GiB machine is 16 M pages,
 * 512 MiB of descriptors.
 *
 * A page is either free (PG_buddy set on the first page of a free block, which
 * sits on a buddy free list) or in use. In-use pages of the LRU belong to the
 * reclaim policy's lists. Both kinds of list are intrusive, linked through
 * next/prev pfns, so a page is on at most one list at a time, as in the kernel.
 */
#ifndef SIM_MM_PAGE_H
#define SIM_MM_PAGE_H

#include <stdint.h>

#define PFN_NONE UINT32_MAX	/* end of an intrusive list / no page */

/* Page flags: the kernel's names where the meaning is the kernel's. */
#define PG_buddy	(1u << 0)	/* first page of a free buddy block */
#define PG_lru		(1u << 1)	/* on a reclaim policy's list */
#define PG_active	(1u << 2)
#define PG_referenced	(1u << 3)	/* folio_mark_accessed() state */
#define PG_young	(1u << 4)	/* accessed bit of the mapping PTE */
#define PG_workingset	(1u << 5)
#define PG_swapbacked	(1u << 6)	/* anon (or shmem) page */
#define PG_dirty	(1u << 7)
#define PG_writeback	(1u << 8)
#define PG_reclaim	(1u << 9)
#define PG_unevictable	(1u << 10)
#define PG_head		(1u << 11)	/* first page of an allocated block/folio */
#define PG_tail		(1u << 12)	/* a non-first page of an allocated block */
#define PG_kernel	(1u << 13)	/* allocated by an `alloc` trace row */
#define PG_poison	(1u << 14)	/* debug builds: freed page poison */
#define PG_pretrace	(1u << 15)	/* in use since before the trace began
					 * (placement.initial); no page map entry */
#define PG_reserved	(1u << 16)	/* absent from the zone (a hole, memory
					 * not yet initialised): never free */
#define PG_thp		(1u << 17)	/* a base page of a THP still mapped
					 * whole: its 512-aligned block moves
					 * and is skipped as one folio */

struct page {
	uint32_t next;		/* list link: pfn of next page, or PFN_NONE */
	uint32_t prev;		/* list link: pfn of previous page, or PFN_NONE */
	uint32_t flags;		/* PG_* bits */
	uint32_t mapping;	/* in use: pagemap entry id; PFN_NONE if none */
	uint32_t priv;		/* policy-private word (heap index, timestamp) */
	uint16_t memcg;		/* memory cgroup id, 0 = root */
	uint16_t mapcount;	/* number of mappings (0 for unmapped cache) */
	uint8_t order;		/* buddy order (PG_buddy) or block/folio order (PG_head) */
	uint8_t lru;		/* which policy list the page is on */
	uint8_t refs;		/* policy-private access count (tiers, clock) */
	uint8_t gen;		/* policy-private generation */
	uint8_t zone;		/* index of the zone in its node */
	uint8_t nid;		/* node id */
	uint8_t migratetype;	/* in use: migratetype it was allocated as */
	uint8_t pad;
};

_Static_assert(sizeof(struct page) == 32, "struct page must stay 32 bytes");

#endif
