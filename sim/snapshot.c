/*
 * snapshot.c - reads copies of /proc/pagetypeinfo and /proc/buddyinfo
 * (mm/vmstat.c: pagetypeinfo_show(), frag_show()).
 *
 * pagetypeinfo, as 6.x prints it:
 *
 *   Page block order: 9
 *   Pages per block:  512
 *
 *   Free pages count per migrate type at order       0      1 ...     10
 *   Node    0, zone      DMA, type    Unmovable      0      0 ...      0
 *   ...
 *   Number of blocks type     Unmovable      Movable  Reclaimable ...
 *   Node 0, zone      DMA            1            7            0 ...
 *
 * optionally followed by "Number of mixed blocks" (with page_owner), which
 * is read past. A free count above 100000 prints as ">100000"; buddyinfo
 * ("Node 0, zone   Normal  421 357 ...") has the exact per-order totals
 * over all types, from which snapshot_resolve() recovers such a count.
 * Isolate and CMA are not modelled: their counts join Movable, the type
 * they return to.
 *
 * The reader works on lines cut into blank-separated words with trailing
 * commas dropped; every line must be one of the shapes above or blank.
 */
#include "snapshot.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define SNAP_MAX_WORDS 32
#define SNAP_LINE_MAX 1024

enum ptype_section { SEC_NONE, SEC_FREE, SEC_BLOCKS, SEC_MIXED };

struct words {
	char *w[SNAP_MAX_WORDS];
	size_t n;
};

struct parse_ctx {
	struct snapshot *snap;
	const char *name;
	unsigned line;
	char *err;
	size_t errlen;
	enum ptype_section sec;
	int block_cols[MIGRATE_TYPES + 4];	/* type of each blocks column */
	size_t nr_block_cols;
	unsigned nr_orders;		/* columns of the free counts */
};

void snapshot_init(struct snapshot *snap)
{
	memset(snap, 0, sizeof(*snap));
}

__attribute__((format(printf, 2, 3)))
static int fail(struct parse_ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s:%u: %s", c->name, c->line, msg);
	return -1;
}

static void split_words(char *line, struct words *ws)
{
	ws->n = 0;
	for (char *tok = strtok(line, " \t\r"); tok && ws->n < SNAP_MAX_WORDS;
	     tok = strtok(NULL, " \t\r")) {
		size_t len = strlen(tok);

		if (len > 1 && tok[len - 1] == ',')
			tok[len - 1] = '\0';
		ws->w[ws->n++] = tok;
	}
}

/* A migratetype column name; Isolate and CMA count as Movable. */
static int type_from_name(const char *s)
{
	static const struct { const char *name; int mt; } types[] = {
		{ "Unmovable", MIGRATE_UNMOVABLE },
		{ "Movable", MIGRATE_MOVABLE },
		{ "Reclaimable", MIGRATE_RECLAIMABLE },
		{ "HighAtomic", MIGRATE_HIGHATOMIC },
		{ "CMA", MIGRATE_MOVABLE },
		{ "Isolate", MIGRATE_MOVABLE },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].name, s) == 0)
			return types[i].mt;
	return -1;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return !errno && !*end;
}

/* A count, or ">100000" (capped). */
static int parse_count(struct parse_ctx *c, const char *s, uint64_t *out,
		       bool *capped)
{
	*capped = false;
	if (*s == '>') {
		*capped = true;
		s++;
	}
	if (!parse_u64(s, out))
		return fail(c, "got \"%s\", expected a count", s);
	return 0;
}

static struct snapshot_zone *zone_get(struct parse_ctx *c, int nid,
				      const char *name)
{
	struct snapshot *snap = c->snap;
	struct snapshot_zone *z;

	for (unsigned i = 0; i < snap->nr_zones; i++)
		if (snap->zones[i].nid == nid && !strcmp(snap->zones[i].name, name))
			return &snap->zones[i];
	if (snap->nr_zones == SNAPSHOT_MAX_ZONES || strlen(name) >= 16) {
		fail(c, "got zone \"%s\", expected at most %d zones with short "
		     "names", name, SNAPSHOT_MAX_ZONES);
		return NULL;
	}
	z = &snap->zones[snap->nr_zones++];
	z->nid = nid;
	snprintf(z->name, sizeof(z->name), "%s", name);
	return z;
}

/* "Node N, zone NAME, ..." -> the zone; *next is the first word after. */
static struct snapshot_zone *line_zone(struct parse_ctx *c,
				       const struct words *ws, size_t *next)
{
	uint64_t nid;

	if (ws->n < 4 || strcmp(ws->w[0], "Node") || strcmp(ws->w[2], "zone") ||
	    !parse_u64(ws->w[1], &nid) || nid > 1023) {
		fail(c, "got \"%s ...\", expected \"Node N, zone NAME ...\"",
		     ws->w[0]);
		return NULL;
	}
	*next = 4;
	return zone_get(c, (int)nid, ws->w[3]);
}

static int free_counts_line(struct parse_ctx *c, const struct words *ws)
{
	size_t i;
	struct snapshot_zone *z = line_zone(c, ws, &i);
	int mt;

	if (!z)
		return -1;
	if (ws->n < i + 2 || strcmp(ws->w[i], "type"))
		return fail(c, "got %zu words, expected \"... type NAME\" and "
			    "counts", ws->n);
	mt = type_from_name(ws->w[i + 1]);
	if (mt < 0)
		return fail(c, "got type \"%s\", expected Unmovable, Movable, "
			    "Reclaimable, HighAtomic, CMA or Isolate",
			    ws->w[i + 1]);
	if (ws->n - i - 2 != c->nr_orders)
		return fail(c, "got %zu counts, expected %u (one per order)",
			    ws->n - i - 2, c->nr_orders);
	for (unsigned o = 0; o < c->nr_orders; o++) {
		uint64_t v = 0;	/* set by parse_count(); LTO can't tell */
		bool capped = false;

		if (parse_count(c, ws->w[i + 2 + o], &v, &capped) < 0)
			return -1;
		z->nr_free[o][mt] += v;
		z->capped[o][mt] |= capped;
	}
	z->has_types = true;
	return 0;
}

static int blocks_header(struct parse_ctx *c, const struct words *ws)
{
	size_t first = ws->n > 3 && !strcmp(ws->w[3], "type") ? 4 : 3;

	c->nr_block_cols = 0;
	for (size_t i = first; i < ws->n; i++) {
		int mt = type_from_name(ws->w[i]);

		if (mt < 0 || c->nr_block_cols == sizeof(c->block_cols) /
					      sizeof(c->block_cols[0]))
			return fail(c, "got column \"%s\", expected a "
				    "migratetype name", ws->w[i]);
		c->block_cols[c->nr_block_cols++] = mt;
	}
	return 0;
}

static int blocks_line(struct parse_ctx *c, const struct words *ws)
{
	size_t i;
	struct snapshot_zone *z = line_zone(c, ws, &i);

	if (!z)
		return -1;
	if (ws->n - i != c->nr_block_cols)
		return fail(c, "got %zu block counts, expected %zu (one per "
			    "column)", ws->n - i, c->nr_block_cols);
	for (size_t k = 0; k < c->nr_block_cols; k++) {
		uint64_t v;

		if (!parse_u64(ws->w[i + k], &v))
			return fail(c, "got \"%s\", expected a block count",
				    ws->w[i + k]);
		z->blocks[c->block_cols[k]] += v;
	}
	z->has_blocks = true;
	return 0;
}

static bool starts(const struct words *ws, const char *a, const char *b)
{
	return ws->n >= 2 && !strcmp(ws->w[0], a) && !strcmp(ws->w[1], b);
}

static int pagetypeinfo_line(struct parse_ctx *c, struct words *ws)
{
	uint64_t v;

	if (ws->n == 0)
		return 0;
	if (starts(ws, "Page", "block")) {
		if (ws->n != 4 || !parse_u64(ws->w[3], &v) || v > MAX_PAGE_ORDER)
			return fail(c, "got \"%s\", expected \"Page block "
				    "order: N\"", ws->w[ws->n - 1]);
		c->snap->pageblock_order = (unsigned)v;
		return 0;
	}
	if (starts(ws, "Pages", "per"))
		return 0;
	if (starts(ws, "Free", "pages")) {
		c->sec = SEC_FREE;
		c->nr_orders = 0;
		for (size_t i = 0; i < ws->n; i++)
			c->nr_orders += parse_u64(ws->w[i], &v);
		if (c->nr_orders == 0 || c->nr_orders > NR_PAGE_ORDERS)
			return fail(c, "got %u order columns, expected 1..%d",
				    c->nr_orders, NR_PAGE_ORDERS);
		return 0;
	}
	if (starts(ws, "Number", "of") && ws->n >= 3 &&
	    !strcmp(ws->w[2], "mixed")) {
		c->sec = SEC_MIXED;
		return 0;
	}
	if (starts(ws, "Number", "of")) {
		c->sec = SEC_BLOCKS;
		return blocks_header(c, ws);
	}
	if (c->sec == SEC_FREE)
		return free_counts_line(c, ws);
	if (c->sec == SEC_BLOCKS)
		return blocks_line(c, ws);
	if (c->sec == SEC_MIXED)
		return 0;
	return fail(c, "got \"%s\", expected a /proc/pagetypeinfo line",
		    ws->w[0]);
}

typedef int (*line_fn)(struct parse_ctx *c, struct words *ws);

static int parse_lines(struct parse_ctx *c, const char *text, line_fn fn)
{
	const char *p = text;

	c->line = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char buf[SNAP_LINE_MAX];
		struct words ws;

		c->line++;
		if (len >= sizeof(buf))
			return fail(c, "got a line of %zu bytes, expected at "
				    "most %d", len, SNAP_LINE_MAX - 1);
		memcpy(buf, p, len);
		buf[len] = '\0';
		split_words(buf, &ws);
		if (fn(c, &ws) < 0)
			return -1;
		p += len + (nl ? 1 : 0);
	}
	return 0;
}

int snapshot_parse_pagetypeinfo(struct snapshot *snap, const char *text,
				const char *name, char *err, size_t errlen)
{
	struct parse_ctx c = { .snap = snap, .name = name, .err = err,
			       .errlen = errlen };
	bool any = false;

	if (parse_lines(&c, text, pagetypeinfo_line) < 0)
		return -1;
	for (unsigned i = 0; i < snap->nr_zones; i++)
		any |= snap->zones[i].has_types;
	if (!any) {
		snprintf(err, errlen, "%s: got no \"Free pages count per "
			 "migrate type\" table, expected /proc/pagetypeinfo",
			 name);
		return -1;
	}
	return 0;
}

static int buddyinfo_line(struct parse_ctx *c, struct words *ws)
{
	struct snapshot_zone *z;
	size_t i;

	if (ws->n == 0)
		return 0;
	z = line_zone(c, ws, &i);
	if (!z)
		return -1;
	if (ws->n - i != NR_PAGE_ORDERS)
		return fail(c, "got %zu counts, expected %d (orders 0..%d)",
			    ws->n - i, NR_PAGE_ORDERS, MAX_PAGE_ORDER);
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
		if (!parse_u64(ws->w[i + o], &z->total[o]))
			return fail(c, "got \"%s\", expected a count",
				    ws->w[i + o]);
	z->has_total = true;
	return 0;
}

int snapshot_parse_buddyinfo(struct snapshot *snap, const char *text,
			     const char *name, char *err, size_t errlen)
{
	struct parse_ctx c = { .snap = snap, .name = name, .err = err,
			       .errlen = errlen };

	if (parse_lines(&c, text, buddyinfo_line) < 0)
		return -1;
	if (snap->nr_zones == 0) {
		snprintf(err, errlen, "%s: got no zone lines, expected "
			 "/proc/buddyinfo", name);
		return -1;
	}
	return 0;
}

int snapshot_read_file(struct snapshot *snap, const char *path,
		       bool pagetypeinfo, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	size_t cap = 65536, len = 0, n;
	char *text;
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror(errno));
		return -1;
	}
	text = xmalloc(cap);
	while ((n = fread(text + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap)
			text = xrealloc(text, cap *= 2);
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror(errno ? errno : EIO));
		fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	text[len] = '\0';
	rc = pagetypeinfo ?
	     snapshot_parse_pagetypeinfo(snap, text, path, err, errlen) :
	     snapshot_parse_buddyinfo(snap, text, path, err, errlen);
	free(text);
	return rc;
}

/* One zone: types from totals, or capped counts from the totals. */
static int resolve_zone(struct snapshot_zone *z, const char *name, char *err,
			size_t errlen)
{
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
		uint64_t known = 0;
		int capped = -1, nr_capped = 0;

		if (!z->has_types) {
			z->nr_free[o][MIGRATE_MOVABLE] = z->total[o];
			continue;
		}
		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			if (z->capped[o][mt]) {
				capped = mt;
				nr_capped++;
			} else {
				known += z->nr_free[o][mt];
			}
		}
		if (nr_capped == 0)
			continue;
		if (!z->has_total || nr_capped > 1 || z->total[o] < known) {
			snprintf(err, errlen, "%s: zone %s order %u: got a free "
				 "count printed as >%u, expected exact counts "
				 "(give the matching /proc/buddyinfo in "
				 "placement.buddyinfo)", name, z->name, o,
				 SNAPSHOT_CAPPED);
			return -1;
		}
		z->nr_free[o][capped] = z->total[o] - known;
	}
	return 0;
}

int snapshot_resolve(struct snapshot *snap, const char *name, char *err,
		     size_t errlen)
{
	for (unsigned i = 0; i < snap->nr_zones; i++) {
		struct snapshot_zone *z = &snap->zones[i];

		if (!z->has_types && !z->has_total)
			continue;	/* a blocks line only */
		if (resolve_zone(z, name, err, errlen) < 0)
			return -1;
		z->has_types = true;
	}
	return 0;
}

const struct snapshot_zone *snapshot_zone(const struct snapshot *snap,
					  int nid, const char *name)
{
	for (unsigned i = 0; i < snap->nr_zones; i++)
		if (snap->zones[i].nid == nid && !strcmp(snap->zones[i].name, name))
			return &snap->zones[i];
	return NULL;
}
