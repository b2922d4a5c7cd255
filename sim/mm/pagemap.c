/*
 * pagemap.c - resident pages and shadow entries, keyed by (object, index).
 *
 * Two open-addressing hash tables with linear probing:
 *  - objects: (type, pid) or (type, dev, ino) -> object id (struct pm_obj);
 *  - entries: (object id, page index) -> entry id in a pool of pm_entry.
 * Tables hold 32-bit ids and a hash tag (8-byte slots, see SLOT_TAG); the
 * keys live in the pools. Deletion shifts later members of the probe run
 * back (no tombstones), so lookups never slow down as entries come and go.
 * The object table stays at most half full, the entry table at most 3/4:
 * it is as large as the machine, and the tags keep its longer probe runs
 * cheap while half the table means fewer cache and TLB misses per lookup
 * (L2 misses of a 500k-row thrashing replay: -18%). A table doubles when
 * it reaches its limit. Pool slots are recycled through a free
 * list threaded through obj_next. A small direct-mapped cache in front of
 * the object table answers most pagemap_obj() calls (see pagemap.h).
 *
 * Invariants: every live entry is in the entry table exactly once and on its
 * object's list; nr_entries of an object equals the length of its list;
 * the object cache names only objects in the object table, under their key.
 */
#include "mm/pagemap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bug.h"
#include "mm/page.h"
#include "xalloc.h"

/*
 * A slot holds an id in its low 32 bits and the high 32 bits of the key's
 * hash above it, so most probes that miss are rejected without touching the
 * pool (a cache miss per probe otherwise). SLOT_EMPTY has id PM_NONE.
 */
#define SLOT_EMPTY UINT64_MAX
#define SLOT_ID(x) ((uint32_t)(x))
#define SLOT_TAG(h) ((h) & 0xffffffff00000000ull)

struct id_table {
	uint64_t *slot;		/* tag | id, SLOT_EMPTY = empty */
	uint64_t mask;		/* capacity - 1 (power of two) */
	uint64_t used;
};

struct pagemap {
	struct pagemap_front front;	/* first: pagemap.h reads it inline */
	struct id_table etab;
	struct pm_entry *entries;
	uint32_t nr_entries_alloc;	/* pool high-water mark */
	uint32_t cap_entries;
	uint32_t free_entry;		/* free list head, PM_NONE if empty */
	uint64_t count;
	struct id_table otab;
	struct pm_obj *objs;
	uint32_t nr_objs_alloc, cap_objs;
	uint32_t free_obj;
	uint64_t obj_releases;		/* pagemap_obj_release() + _retire() */
	uint32_t check_cursor;		/* pagemap_check()'s next entry id */
};

static uint64_t obj_hash(enum page_type type, uint32_t pid, uint64_t dev,
			 uint64_t ino)
{
	if (type == PAGE_ANON)
		return pagemap_mix64(pid);
	return pagemap_mix64(pagemap_mix64(dev + 0x100000000ULL) ^ ino);
}

static void id_table_init(struct id_table *t, uint64_t cap)
{
	t->slot = xmalloc_lines(cap * sizeof(*t->slot));
	memset(t->slot, 0xff, cap * sizeof(*t->slot));	/* SLOT_EMPTY */
	t->mask = cap - 1;
	t->used = 0;
}

static uint64_t etab_hash_of(const struct pagemap *pm, uint32_t id)
{
	return pagemap_hash(pm->entries[id].obj, pm->entries[id].index);
}

static uint64_t otab_hash_of(const struct pagemap *pm, uint32_t id)
{
	const struct pm_obj *o = &pm->objs[id];

	return obj_hash(o->type, o->pid, o->dev, o->ino);
}

typedef uint64_t (*hash_of_fn)(const struct pagemap *pm, uint32_t id);

static void id_table_put(struct id_table *t, uint64_t h, uint32_t id)
{
	uint64_t i = h & t->mask;

	while (t->slot[i] != SLOT_EMPTY)
		i = (i + 1) & t->mask;
	t->slot[i] = SLOT_TAG(h) | id;
	t->used++;
}

static void id_table_grow(const struct pagemap *pm, struct id_table *t,
			  hash_of_fn hash_of)
{
	struct id_table old = *t;

	id_table_init(t, (old.mask + 1) * 2);
	for (uint64_t i = 0; i <= old.mask; i++)
		if (old.slot[i] != SLOT_EMPTY)
			id_table_put(t, hash_of(pm, SLOT_ID(old.slot[i])),
				     SLOT_ID(old.slot[i]));
	free(old.slot);
}

/* Removes the id at slot i, shifting back later members of its run. */
static void id_table_del_at(const struct pagemap *pm, struct id_table *t,
			    uint64_t i, hash_of_fn hash_of)
{
	uint64_t j = i;

	t->slot[i] = SLOT_EMPTY;
	t->used--;
	for (;;) {
		uint64_t home;

		j = (j + 1) & t->mask;
		if (t->slot[j] == SLOT_EMPTY)
			return;
		home = hash_of(pm, SLOT_ID(t->slot[j])) & t->mask;
		/* Move slot j back to i unless its home lies in (i, j]. */
		if ((i <= j) ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		t->slot[i] = t->slot[j];
		t->slot[j] = SLOT_EMPTY;
		i = j;
	}
}

/* The object leaves lookup: its cache slot must not name it any more. */
static void obj_cache_forget(struct pagemap *pm, uint32_t obj)
{
	const struct pm_obj *o = &pm->objs[obj];
	struct pm_obj_cache_slot *c =
		pagemap_obj_cache_slot(pm, o->type, o->pid, o->dev, o->ino);

	if (c->id == obj)
		c->id = PM_NONE;
}

struct pagemap *pagemap_create(void)
{
	struct pagemap *pm = xcalloc(1, sizeof(*pm));

	for (unsigned i = 0; i < PM_OBJ_CACHE_SLOTS; i++)
		pm->front.obj_cache[i].id = PM_NONE;

	id_table_init(&pm->etab, 1024);
	id_table_init(&pm->otab, 64);
	pm->cap_entries = 512;
	pm->entries = xcalloc_lines(pm->cap_entries, sizeof(*pm->entries));
	pm->free_entry = PM_NONE;
	pm->cap_objs = 32;
	pm->objs = xmalloc(pm->cap_objs * sizeof(*pm->objs));
	pm->free_obj = PM_NONE;
	return pm;
}

void pagemap_destroy(struct pagemap *pm)
{
	if (!pm)
		return;
	free(pm->etab.slot);
	free(pm->otab.slot);
	free(pm->entries);
	free(pm->objs);
	free(pm);
}

static bool obj_matches(const struct pm_obj *o, enum page_type type,
			uint32_t pid, uint64_t dev, uint64_t ino)
{
	if (o->type != type)
		return false;
	if (type == PAGE_ANON)
		return o->pid == pid;
	return o->dev == dev && o->ino == ino;
}

static uint32_t obj_alloc(struct pagemap *pm)
{
	uint32_t id = pm->free_obj;

	if (id != PM_NONE) {
		pm->free_obj = pm->objs[id].head;
		return id;
	}
	if (pm->nr_objs_alloc == pm->cap_objs) {
		SIM_BUG_ON(pm->cap_objs >= UINT32_MAX / 2);
		pm->cap_objs *= 2;
		pm->objs = xrealloc(pm->objs, pm->cap_objs * sizeof(*pm->objs));
	}
	return pm->nr_objs_alloc++;
}

/* The object table's answer for a normalized key, or PM_NONE. */
static uint32_t obj_find(const struct pagemap *pm, uint64_t h,
			 enum page_type type, uint32_t pid, uint64_t dev,
			 uint64_t ino)
{
	for (uint64_t i = h & pm->otab.mask; pm->otab.slot[i] != SLOT_EMPTY;
	     i = (i + 1) & pm->otab.mask) {
		uint32_t id = SLOT_ID(pm->otab.slot[i]);

		if ((pm->otab.slot[i] & 0xffffffff00000000ull) == SLOT_TAG(h) &&
		    obj_matches(&pm->objs[id], type, pid, dev, ino))
			return id;
	}
	return PM_NONE;
}

static uint32_t obj_create(struct pagemap *pm, uint64_t h,
			   enum page_type type, uint32_t pid, uint64_t dev,
			   uint64_t ino)
{
	uint32_t id = obj_alloc(pm);

	pm->objs[id] = (struct pm_obj){ .type = type, .pid = pid, .dev = dev,
					.ino = ino, .head = PM_NONE,
					.live = true };
	if ((pm->otab.used + 1) * 2 > pm->otab.mask + 1)
		id_table_grow(pm, &pm->otab, otab_hash_of);
	id_table_put(&pm->otab, h, id);
	return id;
}

uint32_t pagemap_obj_uncached(struct pagemap *pm, enum page_type type,
			      uint32_t pid, uint64_t dev, uint64_t ino,
			      bool create)
{
	uint64_t h = obj_hash(type, pid, dev, ino);
	uint32_t id = obj_find(pm, h, type, pid, dev, ino);

	if (id == PM_NONE && !create)
		return PM_NONE;
	if (id == PM_NONE)
		id = obj_create(pm, h, type, pid, dev, ino);
	*pagemap_obj_cache_slot(pm, type, pid, dev, ino) =
		(struct pm_obj_cache_slot){ dev, ino, pid, id, type };
	return id;
}

struct pm_obj *pagemap_obj_get(struct pagemap *pm, uint32_t obj)
{
	return &pm->objs[obj];
}

void pagemap_obj_release(struct pagemap *pm, uint32_t obj)
{
	struct pm_obj *o = &pm->objs[obj];
	uint64_t i = otab_hash_of(pm, obj) & pm->otab.mask;

	SIM_BUG_ON(o->nr_entries != 0 || !o->live);
	while (pm->otab.slot[i] == SLOT_EMPTY ||
	       SLOT_ID(pm->otab.slot[i]) != obj) {
		SIM_BUG_ON(pm->otab.slot[i] == SLOT_EMPTY);
		i = (i + 1) & pm->otab.mask;
	}
	id_table_del_at(pm, &pm->otab, i, otab_hash_of);
	obj_cache_forget(pm, obj);
	pm->obj_releases++;
	o->live = false;
	o->head = pm->free_obj;
	pm->free_obj = obj;
}

void pagemap_obj_retire(struct pagemap *pm, uint32_t obj)
{
	uint64_t i = otab_hash_of(pm, obj) & pm->otab.mask;

	while (pm->otab.slot[i] == SLOT_EMPTY ||
	       SLOT_ID(pm->otab.slot[i]) != obj) {
		SIM_BUG_ON(pm->otab.slot[i] == SLOT_EMPTY);
		i = (i + 1) & pm->otab.mask;
	}
	id_table_del_at(pm, &pm->otab, i, otab_hash_of);
	obj_cache_forget(pm, obj);
	pm->obj_releases++;
	pm->objs[obj].live = false;
}

uint64_t pagemap_obj_releases(const struct pagemap *pm)
{
	return pm->obj_releases;
}

uint32_t pagemap_lookup(const struct pagemap *pm, uint32_t obj, uint64_t index)
{
	return pagemap_lookup_hashed(pm, obj, index, pagemap_hash(obj, index));
}

uint32_t pagemap_lookup_hashed(const struct pagemap *pm, uint32_t obj,
			       uint64_t index, uint64_t h)
{
	uint64_t tag = SLOT_TAG(h);

	for (uint64_t i = h & pm->etab.mask; pm->etab.slot[i] != SLOT_EMPTY;
	     i = (i + 1) & pm->etab.mask) {
		const struct pm_entry *e;

		if ((pm->etab.slot[i] & 0xffffffff00000000ull) != tag)
			continue;
		e = &pm->entries[SLOT_ID(pm->etab.slot[i])];
		if (e->index == index && e->obj == obj)
			return SLOT_ID(pm->etab.slot[i]);
	}
	return PM_NONE;
}

void pagemap_prefetch_slot(const struct pagemap *pm, uint64_t h)
{
	__builtin_prefetch(&pm->etab.slot[h & pm->etab.mask]);
}

/*
 * The slots were prefetched rows ago: walking the probe run to the first
 * tag match is cheap, and at 3/4 load the key is often not in its home
 * slot.
 */
void pagemap_prefetch_entry(const struct pagemap *pm, uint64_t h)
{
	uint64_t tag = SLOT_TAG(h);

	for (uint64_t i = h & pm->etab.mask; pm->etab.slot[i] != SLOT_EMPTY;
	     i = (i + 1) & pm->etab.mask) {
		if ((pm->etab.slot[i] & 0xffffffff00000000ull) == tag) {
			__builtin_prefetch(&pm->entries[SLOT_ID(pm->etab.slot[i])]);
			return;
		}
	}
}

void pagemap_prefetch_id(const struct pagemap *pm, uint32_t id)
{
	if (id < pm->nr_entries_alloc)
		__builtin_prefetch(&pm->entries[id]);
}

static uint32_t entry_alloc(struct pagemap *pm)
{
	uint32_t id = pm->free_entry;

	if (id != PM_NONE) {
		pm->free_entry = pm->entries[id].obj_next;
		return id;
	}
	if (pm->nr_entries_alloc == pm->cap_entries) {
		SIM_BUG_ON(pm->cap_entries >= UINT32_MAX / 2);
		pm->entries = xrealloc_lines(pm->entries,
				pm->cap_entries * sizeof(*pm->entries),
				2 * pm->cap_entries * sizeof(*pm->entries));
		pm->cap_entries *= 2;
	}
	return pm->nr_entries_alloc++;
}

uint32_t pagemap_insert(struct pagemap *pm, uint32_t obj, uint64_t index)
{
	return pagemap_insert_hashed(pm, obj, index, pagemap_hash(obj, index));
}

uint32_t pagemap_insert_hashed(struct pagemap *pm, uint32_t obj,
			       uint64_t index, uint64_t h)
{
	uint32_t id = entry_alloc(pm);
	struct pm_obj *o = &pm->objs[obj];
	struct pm_entry *e = &pm->entries[id];

	*e = (struct pm_entry){ .index = index, .obj = obj, .pfn = PFN_NONE,
				.obj_next = o->head, .obj_prev = PM_NONE };
	if (o->head != PM_NONE)
		pm->entries[o->head].obj_prev = id;
	o->head = id;
	o->nr_entries++;
	if ((pm->etab.used + 1) * 4 > (pm->etab.mask + 1) * 3)	/* 3/4 */
		id_table_grow(pm, &pm->etab, etab_hash_of);
	id_table_put(&pm->etab, h, id);
	pm->count++;
	pm->front.inserts++;
	return id;
}

struct pm_entry *pagemap_entry(struct pagemap *pm, uint32_t id)
{
	return &pm->entries[id];
}

void pagemap_remove(struct pagemap *pm, uint32_t id)
{
	struct pm_entry *e = &pm->entries[id];
	struct pm_obj *o = &pm->objs[e->obj];
	uint64_t i = pagemap_hash(e->obj, e->index) & pm->etab.mask;

	while (pm->etab.slot[i] == SLOT_EMPTY ||
	       SLOT_ID(pm->etab.slot[i]) != id) {
		SIM_BUG_ON(pm->etab.slot[i] == SLOT_EMPTY);
		i = (i + 1) & pm->etab.mask;
	}
	id_table_del_at(pm, &pm->etab, i, etab_hash_of);
	if (e->obj_prev != PM_NONE)
		pm->entries[e->obj_prev].obj_next = e->obj_next;
	else
		o->head = e->obj_next;
	if (e->obj_next != PM_NONE)
		pm->entries[e->obj_next].obj_prev = e->obj_prev;
	o->nr_entries--;
	e->obj = PM_NONE;
	e->obj_next = pm->free_entry;
	pm->free_entry = id;
	pm->count--;
	pm->front.removals++;
}

bool pagemap_check(struct pagemap *pm, uint32_t budget)
{
	if (pm->count != pm->etab.used) {
		fprintf(stderr, "pagemap: %llu entries but %llu in the table\n",
			(unsigned long long)pm->count,
			(unsigned long long)pm->etab.used);
		return false;
	}
	if (budget > pm->nr_entries_alloc)
		budget = pm->nr_entries_alloc;	/* one pass at most */
	for (; budget > 0; budget--, pm->check_cursor++) {
		uint32_t id;
		const struct pm_entry *e;

		if (pm->check_cursor >= pm->nr_entries_alloc)
			pm->check_cursor = 0;
		id = pm->check_cursor;
		e = &pm->entries[id];
		if (e->obj != PM_NONE &&
		    pagemap_lookup(pm, e->obj, e->index) != id) {
			fprintf(stderr, "pagemap: entry %u (object %u, index "
				"%llu) is not found under its key\n", id,
				e->obj, (unsigned long long)e->index);
			return false;
		}
	}
	return true;
}

uint64_t pagemap_count(const struct pagemap *pm)
{
	return pm->count;
}

uint32_t pagemap_id_limit(const struct pagemap *pm)
{
	return pm->nr_entries_alloc;
}
