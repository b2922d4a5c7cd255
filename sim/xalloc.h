/*
 * xalloc.h - allocation that never returns NULL.
 *
 * Running out of host memory is not an input error mmsim can report usefully
 * per line, so these abort with the size that could not be had.
 */
#ifndef SIM_XALLOC_H
#define SIM_XALLOC_H

#include <stddef.h>

/** malloc() that aborts with the size on failure. */
void *xmalloc(size_t size);
/** calloc() that aborts with the size on failure; checks nmemb*size overflow. */
void *xcalloc(size_t nmemb, size_t size);
/** realloc() that aborts with the size on failure. */
void *xrealloc(void *ptr, size_t size);
/**
 * Zeroed memory aligned to a cache line (64 bytes), for arrays of 32-byte
 * records read at random (struct page, page-map entries): malloc()'s
 * 16-byte alignment puts every other record across two lines, which costs
 * a second cache miss and defeats a prefetch of the record. free() it.
 */
void *xcalloc_lines(size_t nmemb, size_t size);
/** The same, not zeroed. */
void *xmalloc_lines(size_t size);
/** Grows such an array from old_size to new_size bytes (new bytes unset). */
void *xrealloc_lines(void *ptr, size_t old_size, size_t new_size);
/** strdup() that aborts on failure. */
char *xstrdup(const char *s);

#endif
