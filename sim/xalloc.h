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
/** strdup() that aborts on failure. */
char *xstrdup(const char *s);

#endif
