#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void oom(size_t size)
{
	fprintf(stderr, "mmsim: out of memory allocating %zu bytes\n", size);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		oom(size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > SIZE_MAX / size)
		oom(SIZE_MAX);
	p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		oom(nmemb * size);
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		oom(size);
	return p;
}

#define CACHE_LINE_BYTES 64
#define HUGE_PAGE_BYTES (2u << 20)

/*
 * Arrays of 2 MiB and more are also aligned to 2 MiB and offered to the
 * host's transparent huge pages (MADV_HUGEPAGE; a no-op where THP is
 * off): they are read at random, and with 4 KiB pages most such reads
 * would miss the TLB as well as the cache.
 */
void *xmalloc_lines(size_t size)
{
	size_t align = size >= HUGE_PAGE_BYTES ? HUGE_PAGE_BYTES :
						 CACHE_LINE_BYTES;
	void *p = NULL;

	if (size > SIZE_MAX - HUGE_PAGE_BYTES)
		oom(size);
	/* Rounded up to whole lines (or huge pages): the last record owns
	 * its line too. */
	size = (size + align - 1) & ~(size_t)(align - 1);
	if (posix_memalign(&p, align, size ? size : align))
		oom(size);
	if (align == HUGE_PAGE_BYTES)
		(void)madvise(p, size, MADV_HUGEPAGE);
	return p;
}

void *xcalloc_lines(size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > SIZE_MAX / size)
		oom(SIZE_MAX);
	p = xmalloc_lines(nmemb * size);
	memset(p, 0, nmemb * size);
	return p;
}

void *xrealloc_lines(void *ptr, size_t old_size, size_t new_size)
{
	void *p = xmalloc_lines(new_size);

	if (ptr)
		memcpy(p, ptr, old_size < new_size ? old_size : new_size);
	free(ptr);
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}
