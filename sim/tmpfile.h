/*
 * tmpfile.h - temporary files that leave nothing behind.
 */
#ifndef SIM_TMPFILE_H
#define SIM_TMPFILE_H

#include <stddef.h>

/**
 * Creates $TMPDIR/PREFIX-XXXXXX (/tmp without TMPDIR) and unlinks it at
 * once, so it vanishes with the fd even on a crash. Returns the fd, or -1
 * with a message naming the directory in err.
 */
int tmpfile_unlinked(const char *prefix, char *err, size_t errlen);

#endif
