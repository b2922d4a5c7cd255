/*
 * bug.h - broken invariants are bugs, not input errors.
 *
 * mmsim knows three kinds of failure (see README "Errors"): bad input travels
 * back to main() and exits 2 with a message naming file/line/JSON path; out of
 * memory aborts with the size (xalloc.h); a broken invariant is a bug in mmsim
 * and aborts here with the file, line and condition.
 *
 * SIM_DEBUG_CHECKS (set by `make debug` and the ASan test build) turns on the
 * expensive checks: whole free-list and LRU walks after every event.
 */
#ifndef SIM_BUG_H
#define SIM_BUG_H

#include <stdio.h>
#include <stdlib.h>

#ifndef SIM_DEBUG_CHECKS
#define SIM_DEBUG_CHECKS 0
#endif

#define SIM_BUG_ON(cond)                                                      \
	do {                                                                  \
		if (cond) {                                                   \
			fprintf(stderr, "mmsim: BUG at %s:%d: %s\n", __FILE__,  \
				__LINE__, #cond);                             \
			abort();                                              \
		}                                                             \
	} while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
