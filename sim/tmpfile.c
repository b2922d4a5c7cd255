/*
 * tmpfile.c - see tmpfile.h.
 */
#include "tmpfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tmpfile_unlinked(const char *prefix, char *err, size_t errlen)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(path, sizeof(path), "%s/%s-XXXXXX", dir, prefix);
	fd = mkstemp(path);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a temporary file in %s: %s",
			 dir, strerror(errno));
		return -1;
	}
	unlink(path);
	return fd;
}
