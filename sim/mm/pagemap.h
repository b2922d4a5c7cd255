/*
 * pagemap.h - which virtual pages are resident, and shadow entries for the
 * ones that were evicted (the page tables, page cache and swap cache at once).
 *
 * A page is identified by an object and a page index: an anon page by (pid,
 * addr >> 12), a file page by ((dev, ino), offset >> 12), shared by every
 * process that touches it. Objects are interned to 32-bit ids. Each entry is
 * either resident (pfn set) or a shadow (pfn == PFN_NONE, shadow value set:
 * what mm/workingset.c packs into the page-cache slot of an evicted page).
 * Every object keeps a list of its entries, so exit() frees a process's pages
 * without scanning the whole map.
 *
 * Memory: entries are bounded by resident pages plus shadows; the engine
 * prunes shadows too old to ever count as recent, which keeps the map
 * proportional to simulated RAM, not to trace length (see sim.c).
 */
#ifndef SIM_MM_PAGEMAP_H
#define SIM_MM_PAGEMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "trace.h"

#define PM_NONE UINT32_MAX

struct pm_entry {
	uint64_t index;		/* page index within the object */
	uint64_t shadow;	/* shadow value when not resident */
	uint32_t obj;		/* object id; PM_NONE marks a free slot */
	uint32_t pfn;		/* resident frame, or PFN_NONE for a shadow */
	uint32_t obj_next;	/* next entry of the same object */
	uint32_t obj_prev;	/* previous entry of the same object */
};

struct pm_obj {
	enum page_type type;
	uint32_t pid;		/* anon: the process */
	uint64_t dev, ino;	/* file: the inode */
	uint32_t head;		/* first entry id, PM_NONE if none */
	uint64_t nr_entries;
	bool live;
};

struct pagemap;

/*
 * Recently named objects, direct-mapped by a cheap mix of the key, in
 * front of the object table: a replay names each row's object a few times
 * per row, nearly always one of a few objects. pagemap_obj() reads the
 * cache inline, because the call cost more than the lookup; only
 * pagemap.c writes it, and it holds only objects that are in the table.
 */
#define PM_OBJ_CACHE_SLOTS 64u

struct pm_obj_cache_slot {
	uint64_t dev, ino;	/* the key as struct pm_obj holds it */
	uint32_t pid;
	uint32_t id;		/* PM_NONE: empty */
	enum page_type type;
};

/* The first member of struct pagemap: the part inline code reads. */
struct pagemap_front {
	struct pm_obj_cache_slot obj_cache[PM_OBJ_CACHE_SLOTS];
	uint64_t removals;	/* pagemap_remove() calls so far */
	uint64_t inserts;	/* pagemap_insert() calls so far */
};

/* The 64-bit finalizer of MurmurHash3: every input bit moves every output bit. */
static inline uint64_t pagemap_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/*
 * The hash of an entry key. A row's key is hashed once, when it is read,
 * and the hash goes with it to the prefetches and the lookup.
 */
static inline uint64_t pagemap_hash(uint32_t obj, uint64_t index)
{
	return pagemap_mix64(index * 0x9e3779b97f4a7c15ULL + obj);
}

/*
 * Entries removed so far: while it does not change, every lookup answer a
 * caller holds is still right (an insert never changes an existing key's
 * answer, and ids never move).
 */
static inline uint64_t pagemap_removals(const struct pagemap *pm)
{
	return ((const struct pagemap_front *)(const void *)pm)->removals;
}

/*
 * Entries inserted so far: while neither this nor pagemap_removals()
 * changes, a lookup that found no entry still finds none.
 */
static inline uint64_t pagemap_inserts(const struct pagemap *pm)
{
	return ((const struct pagemap_front *)(const void *)pm)->inserts;
}

/** Creates an empty map. */
struct pagemap *pagemap_create(void);
void pagemap_destroy(struct pagemap *pm);
/** pagemap_obj() when the cache has no answer (normalized key). */
uint32_t pagemap_obj_uncached(struct pagemap *pm, enum page_type type,
			      uint32_t pid, uint64_t dev, uint64_t ino,
			      bool create);

/* The cache slot of a normalized key. */
static inline struct pm_obj_cache_slot *
pagemap_obj_cache_slot(struct pagemap *pm, enum page_type type, uint32_t pid,
		       uint64_t dev, uint64_t ino)
{
	struct pagemap_front *front = (struct pagemap_front *)(void *)pm;
	uint64_t k = pid ^ ino ^ (dev << 7) ^ ((uint64_t)type << 5);

	return &front->obj_cache[(k ^ k >> 6) & (PM_OBJ_CACHE_SLOTS - 1)];
}

/**
 * Interns an object: (type, pid) for anon, (type, dev, ino) for file.
 * Returns its id, or PM_NONE if absent and !create.
 */
static inline uint32_t pagemap_obj(struct pagemap *pm, enum page_type type,
				   uint32_t pid, uint64_t dev, uint64_t ino,
				   bool create)
{
	const struct pm_obj_cache_slot *c;

	if (type == PAGE_ANON)
		dev = ino = 0;
	else
		pid = 0;
	c = pagemap_obj_cache_slot(pm, type, pid, dev, ino);
	if (c->id != PM_NONE && c->pid == pid && c->ino == ino &&
	    c->dev == dev && c->type == type)
		return c->id;
	return pagemap_obj_uncached(pm, type, pid, dev, ino, create);
}

/** The object record for an id. */
struct pm_obj *pagemap_obj_get(struct pagemap *pm, uint32_t obj);
/** Forgets an object with no entries left (an exited process). */
void pagemap_obj_release(struct pagemap *pm, uint32_t obj);
/**
 * Removes an object from lookup without freeing its id, so a later
 * pagemap_obj() of the same key creates a new, distinct object.
 */
void pagemap_obj_retire(struct pagemap *pm, uint32_t obj);
/**
 * Objects released or retired so far: while it does not change, every
 * object id a caller holds still names its key.
 */
uint64_t pagemap_obj_releases(const struct pagemap *pm);
/** Entry id for (obj, index), or PM_NONE. */
uint32_t pagemap_lookup(const struct pagemap *pm, uint32_t obj, uint64_t index);
/** The same, given h = pagemap_hash(obj, index). */
uint32_t pagemap_lookup_hashed(const struct pagemap *pm, uint32_t obj,
			       uint64_t index, uint64_t h);
/**
 * Hints for a lookup of a key with hash h a few rows ahead: the first loads
 * the hash slot into cache, the second (once the slot is there) the entry.
 * They change nothing and may be called with stale hashes.
 */
void pagemap_prefetch_slot(const struct pagemap *pm, uint64_t h);
void pagemap_prefetch_entry(const struct pagemap *pm, uint64_t h);
/** Hint: the entry with this id will be used soon (any id is harmless). */
void pagemap_prefetch_id(const struct pagemap *pm, uint32_t id);
/** Adds an entry for (obj, index), which must not exist; returns its id. */
uint32_t pagemap_insert(struct pagemap *pm, uint32_t obj, uint64_t index);
/** The same, given h = pagemap_hash(obj, index). */
uint32_t pagemap_insert_hashed(struct pagemap *pm, uint32_t obj,
			       uint64_t index, uint64_t h);
/** The entry for an id. */
struct pm_entry *pagemap_entry(struct pagemap *pm, uint32_t id);
/** Removes an entry. */
void pagemap_remove(struct pagemap *pm, uint32_t id);
/**
 * The table holds every entry, and the next budget entry ids (in turn,
 * wrapping around, so that repeated calls cover the whole pool; at most
 * one pass a call) are each found under their key. Returns false and prints the first broken
 * invariant to stderr.
 */
bool pagemap_check(struct pagemap *pm, uint32_t budget);
/** Number of entries (resident + shadows). */
uint64_t pagemap_count(const struct pagemap *pm);
/** Highest entry id + 1, for iterating with pagemap_entry (skip obj == PM_NONE). */
uint32_t pagemap_id_limit(const struct pagemap *pm);

#endif
