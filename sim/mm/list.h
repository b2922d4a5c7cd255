/*
 * list.h - intrusive doubly linked lists of pages, linked by pfn.
 *
 * A list head holds the pfns of its first and last page and a count; pages
 * link through struct page next/prev. "Head" is the young end (new pages are
 * added there, as list_add() does in the kernel's LRU); reclaim scans from
 * the tail. All functions are O(1).
 */
#ifndef SIM_MM_LIST_H
#define SIM_MM_LIST_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/page.h"

struct page_list {
	uint32_t head;		/* youngest page, PFN_NONE if empty */
	uint32_t tail;		/* oldest page, PFN_NONE if empty */
	uint64_t nr;		/* pages on the list */
};

static inline void page_list_init(struct page_list *l)
{
	l->head = l->tail = PFN_NONE;
	l->nr = 0;
}

static inline bool page_list_empty(const struct page_list *l)
{
	return l->nr == 0;
}

static inline void page_list_add_head(struct page *map, struct page_list *l,
				      uint32_t pfn)
{
	map[pfn].prev = PFN_NONE;
	map[pfn].next = l->head;
	if (l->head != PFN_NONE)
		map[l->head].prev = pfn;
	else
		l->tail = pfn;
	l->head = pfn;
	l->nr++;
}

static inline void page_list_add_tail(struct page *map, struct page_list *l,
				      uint32_t pfn)
{
	map[pfn].next = PFN_NONE;
	map[pfn].prev = l->tail;
	if (l->tail != PFN_NONE)
		map[l->tail].next = pfn;
	else
		l->head = pfn;
	l->tail = pfn;
	l->nr++;
}

static inline void page_list_del(struct page *map, struct page_list *l,
				 uint32_t pfn)
{
	uint32_t n = map[pfn].next, p = map[pfn].prev;

	if (p != PFN_NONE)
		map[p].next = n;
	else
		l->head = n;
	if (n != PFN_NONE)
		map[n].prev = p;
	else
		l->tail = p;
	map[pfn].next = map[pfn].prev = PFN_NONE;
	l->nr--;
}

/* Replaces page old by page new at the same list position (migration). */
static inline void page_list_replace(struct page *map, struct page_list *l,
				     uint32_t old, uint32_t new_pfn)
{
	uint32_t n = map[old].next, p = map[old].prev;

	map[new_pfn].next = n;
	map[new_pfn].prev = p;
	if (p != PFN_NONE)
		map[p].next = new_pfn;
	else
		l->head = new_pfn;
	if (n != PFN_NONE)
		map[n].prev = new_pfn;
	else
		l->tail = new_pfn;
	map[old].next = map[old].prev = PFN_NONE;
}

#endif
