/*
 * gfp.h - the allocation-flag bits mmsim models.
 *
 * A subset of include/linux/gfp_types.h, renumbered: only the bits that change
 * what the allocator does in the model. Composite masks follow the kernel's
 * definitions (GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS, ...).
 */
#ifndef SIM_MM_GFP_H
#define SIM_MM_GFP_H

#include <stdint.h>

typedef uint32_t gfp_t;

#define __GFP_DMA		(1u << 0)
#define __GFP_HIGHMEM		(1u << 1)
#define __GFP_DMA32		(1u << 2)
#define __GFP_MOVABLE		(1u << 3)
#define __GFP_RECLAIMABLE	(1u << 4)
#define __GFP_HIGH		(1u << 5)
#define __GFP_IO		(1u << 6)
#define __GFP_FS		(1u << 7)
#define __GFP_DIRECT_RECLAIM	(1u << 8)
#define __GFP_KSWAPD_RECLAIM	(1u << 9)
#define __GFP_NORETRY		(1u << 10)
#define __GFP_RETRY_MAYFAIL	(1u << 11)
#define __GFP_NOFAIL		(1u << 12)
#define __GFP_COMP		(1u << 13)
#define __GFP_ZERO		(1u << 14)
#define __GFP_NOMEMALLOC	(1u << 15)
#define __GFP_THISNODE		(1u << 16)
#define __GFP_ACCOUNT		(1u << 17)
#define __GFP_NOWARN		(1u << 18)
#define __GFP_HARDWALL		(1u << 19)

#define __GFP_RECLAIM		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define GFP_ATOMIC		(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_NOWAIT		(__GFP_KSWAPD_RECLAIM)
#define GFP_NOIO		(__GFP_RECLAIM)
#define GFP_NOFS		(__GFP_RECLAIM | __GFP_IO)
#define GFP_USER		(__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_DMA			__GFP_DMA
#define GFP_DMA32		__GFP_DMA32
#define GFP_HIGHUSER		(GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE	(GFP_HIGHUSER | __GFP_MOVABLE)
#define GFP_TRANSHUGE_LIGHT	((GFP_HIGHUSER_MOVABLE | __GFP_COMP | \
				  __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM)
#define GFP_TRANSHUGE		(GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM)

#include <stddef.h>

/**
 * Parses the kernel's printed form ("GFP_KERNEL|__GFP_ZERO", "0x0", "none").
 * Returns 0, or -1 with *bad_off at the first unknown name.
 */
int gfp_parse(const char *s, size_t len, gfp_t *out, size_t *bad_off);
/** gfp_migratetype(): movable -> 1, reclaimable -> 2, else unmovable 0. */
int gfp_migratetype(gfp_t gfp);
/** Formats gfp as the kernel's trace does ("GFP_HIGHUSER_MOVABLE|__GFP_ZERO"). */
size_t gfp_format(gfp_t gfp, char *buf, size_t len);

#endif
