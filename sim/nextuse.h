/*
 * nextuse.h - the backward pre-pass that Belady's MIN (policy opt) needs.
 *
 * OPT evicts the page whose next reference lies farthest in the future, so
 * it must know, at every reference, when that page is referenced next.
 * nextuse_build() reads the whole trace once (through the same readers as
 * the replay), writes one 16-byte key record per page reference to a
 * temporary file, then walks that file backwards keeping the last position
 * seen per page and writes the next-use position of every reference (8
 * bytes each) to a second temporary file, which the opt policy then reads
 * front to back during the replay.
 *
 * Cost: two extra passes over the trace's references, 24 bytes of temporary
 * disk per page reference (a 10 M-reference trace needs 240 MB in $TMPDIR),
 * and memory for one entry per distinct page (not per reference). A page
 * that is unmapped, or whose process exits, before its next reference is
 * treated as never referenced again. The temporary files are unlinked as
 * soon as they are open, so nothing is left behind even on a crash.
 */
#ifndef SIM_NEXTUSE_H
#define SIM_NEXTUSE_H

#include <stddef.h>
#include <stdint.h>

#include "trace.h"

#define NEXTUSE_NEVER UINT64_MAX

/**
 * Builds the next-use file for the trace at path (a regular file; "-" must
 * be spooled by the caller first). Returns an fd positioned at the start of
 * the file, or -1 with a message in err. nr_refs receives the number of
 * references.
 */
int nextuse_build(const char *path, const struct trace_open_opts *opts,
		  uint64_t *nr_refs, char *err, size_t errlen);
/** Copies stdin to an unlinked temporary file; returns its /proc/self/fd path. */
int nextuse_spool_stdin(char *path_out, size_t len, char *err, size_t errlen);

#endif
