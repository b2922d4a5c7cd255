/*
 * gfp.c - gfp flag names as the kernel's tracepoints print them
 * (include/trace/events/mmflags.h: composite names first, then leftover
 * __GFP_* bits, joined by '|'), parsed and formatted. Unknown names are
 * reported to the caller, which decides whether that is an error.
 */
#include "mm/gfp.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bug.h"

struct gfp_name {
	const char *name;
	gfp_t mask;
};

/* Composite masks first, largest first, as the kernel prints them. */
static const struct gfp_name gfp_names[] = {
	{ "GFP_TRANSHUGE", GFP_TRANSHUGE },
	{ "GFP_TRANSHUGE_LIGHT", GFP_TRANSHUGE_LIGHT },
	{ "GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE },
	{ "GFP_HIGHUSER", GFP_HIGHUSER },
	{ "GFP_USER", GFP_USER },
	{ "GFP_KERNEL_ACCOUNT", GFP_KERNEL_ACCOUNT },
	{ "GFP_KERNEL", GFP_KERNEL },
	{ "GFP_NOFS", GFP_NOFS },
	{ "GFP_ATOMIC", GFP_ATOMIC },
	{ "GFP_NOIO", GFP_NOIO },
	{ "GFP_NOWAIT", GFP_NOWAIT },
	{ "GFP_DMA32", GFP_DMA32 },
	{ "GFP_DMA", GFP_DMA },
	{ "__GFP_DMA", __GFP_DMA },
	{ "__GFP_HIGHMEM", __GFP_HIGHMEM },
	{ "__GFP_DMA32", __GFP_DMA32 },
	{ "__GFP_MOVABLE", __GFP_MOVABLE },
	{ "__GFP_RECLAIMABLE", __GFP_RECLAIMABLE },
	{ "__GFP_HIGH", __GFP_HIGH },
	{ "__GFP_IO", __GFP_IO },
	{ "__GFP_FS", __GFP_FS },
	{ "__GFP_RECLAIM", __GFP_RECLAIM },
	{ "__GFP_DIRECT_RECLAIM", __GFP_DIRECT_RECLAIM },
	{ "__GFP_KSWAPD_RECLAIM", __GFP_KSWAPD_RECLAIM },
	{ "__GFP_NORETRY", __GFP_NORETRY },
	{ "__GFP_RETRY_MAYFAIL", __GFP_RETRY_MAYFAIL },
	{ "__GFP_NOFAIL", __GFP_NOFAIL },
	{ "__GFP_COMP", __GFP_COMP },
	{ "__GFP_ZERO", __GFP_ZERO },
	{ "__GFP_NOMEMALLOC", __GFP_NOMEMALLOC },
	{ "__GFP_THISNODE", __GFP_THISNODE },
	{ "__GFP_ACCOUNT", __GFP_ACCOUNT },
	{ "__GFP_NOWARN", __GFP_NOWARN },
	{ "__GFP_HARDWALL", __GFP_HARDWALL },
};

/* Bits the kernel prints that do not change the model's behaviour. */
static const char *const gfp_ignored[] = {
	"__GFP_NOLOCKDEP", "__GFP_WRITE", "__GFP_NO_OBJ_EXT", "__GFP_SKIP_ZERO",
	"__GFP_SKIP_KASAN", "__GFP_NOTRACK", "__GFP_OTHER_NODE",
	"__GFP_MEMALLOC", "__GFP_UNMAPPED", "__GFP_ZEROTAGS", "GFP_NOWAIT",
};

static bool gfp_name_lookup(const char *name, size_t len, gfp_t *mask)
{
	for (size_t i = 0; i < ARRAY_SIZE(gfp_names); i++) {
		if (strlen(gfp_names[i].name) == len &&
		    memcmp(gfp_names[i].name, name, len) == 0) {
			*mask = gfp_names[i].mask;
			return true;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(gfp_ignored); i++) {
		if (strlen(gfp_ignored[i]) == len &&
		    memcmp(gfp_ignored[i], name, len) == 0) {
			*mask = 0;
			return true;
		}
	}
	return false;
}

int gfp_parse(const char *s, size_t len, gfp_t *out, size_t *bad_off)
{
	gfp_t gfp = 0;
	size_t i = 0;

	if (len == 4 && memcmp(s, "0x0", 3) == 0 && s[3] == '0')
		len = 3;
	if ((len == 1 && s[0] == '0') || (len == 3 && !memcmp(s, "0x0", 3)) ||
	    (len == 4 && !memcmp(s, "none", 4))) {
		*out = 0;
		return 0;
	}
	while (i < len) {
		size_t j = i;
		gfp_t mask;

		while (j < len && s[j] != '|')
			j++;
		if (!gfp_name_lookup(s + i, j - i, &mask)) {
			if (bad_off)
				*bad_off = i;
			return -1;
		}
		gfp |= mask;
		i = j + 1;
	}
	*out = gfp;
	return 0;
}

int gfp_migratetype(gfp_t gfp)
{
	if (gfp & __GFP_MOVABLE)
		return 1;	/* MIGRATE_MOVABLE */
	if (gfp & __GFP_RECLAIMABLE)
		return 2;	/* MIGRATE_RECLAIMABLE */
	return 0;		/* MIGRATE_UNMOVABLE */
}

size_t gfp_format(gfp_t gfp, char *buf, size_t len)
{
	size_t n = 0;
	gfp_t left = gfp;

	SIM_BUG_ON(len == 0);
	buf[0] = '\0';
	if (gfp == 0)
		return (size_t)snprintf(buf, len, "none");
	for (size_t i = 0; i < ARRAY_SIZE(gfp_names) && left; i++) {
		gfp_t m = gfp_names[i].mask;
		int w;

		if (m == 0 || (left & m) != m || (m & ~gfp))
			continue;
		w = snprintf(buf + n, n < len ? len - n : 0, "%s%s",
			     n ? "|" : "", gfp_names[i].name);
		n += (size_t)w;
		left &= ~m;
	}
	return n;
}
