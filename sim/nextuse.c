/*
 * nextuse.c - see nextuse.h.
 */
#include "nextuse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mm/pagemap.h"
#include "mm/zone.h"
#include "sim.h"
#include "tmpfile.h"
#include "xalloc.h"

#define KEY_ACCESS 0u
#define KEY_KILL 1u
#define CHUNK 65536

struct key_rec {
	uint32_t obj;
	uint32_t kind;		/* KEY_ACCESS or KEY_KILL */
	uint64_t index;
};

static int write_all(int fd, const void *buf, size_t n, off_t off)
{
	const char *p = buf;

	while (n) {
		ssize_t w = pwrite(fd, p, n, off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t n, off_t off)
{
	char *p = buf;

	while (n) {
		ssize_t r = pread(fd, p, n, off);

		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
		off += r;
	}
	return 0;
}

/* Pass 1: one key record per page reference, kill records for frees. */
static int write_keys(struct trace_reader *tr, struct pagemap *pm, int fd,
		      uint64_t *nr_recs, uint64_t *nr_refs, char *err,
		      size_t errlen)
{
	struct key_rec *buf = xmalloc(CHUNK * sizeof(*buf));
	size_t n = 0;
	off_t off = 0;
	struct trace_row row;
	int rc;

	*nr_recs = *nr_refs = 0;
	while ((rc = trace_next(tr, &row)) == TRACE_ROW) {
		uint32_t obj;
		unsigned pages = 1;
		uint32_t kind = KEY_ACCESS;

		if (row.op == TRACE_OP_EXIT) {
			obj = pagemap_obj(pm, PAGE_ANON, row.pid, 0, 0, false);
			if (obj != PM_NONE)
				pagemap_obj_retire(pm, obj);
			continue;
		}
		if (row.op != TRACE_OP_ACCESS && row.op != TRACE_OP_UNMAP)
			continue;
		if (row.op == TRACE_OP_UNMAP)
			kind = KEY_KILL;
		else
			pages = access_nr_pages(&row);
		obj = pagemap_obj(pm, row.type, row.pid, row.dev, row.ino, true);
		for (unsigned i = 0; i < pages; i++) {
			buf[n++] = (struct key_rec){ obj, kind,
				(row.addr >> PAGE_SHIFT) + i };
			*nr_refs += kind == KEY_ACCESS;
			if (n == CHUNK) {
				if (write_all(fd, buf, n * sizeof(*buf), off))
					goto io_error;
				off += (off_t)(n * sizeof(*buf));
				*nr_recs += n;
				n = 0;
			}
		}
	}
	if (rc == TRACE_ERR) {
		snprintf(err, errlen, "%s", trace_error(tr));
		free(buf);
		return -1;
	}
	if (n && write_all(fd, buf, n * sizeof(*buf), off))
		goto io_error;
	*nr_recs += n;
	free(buf);
	return 0;
io_error:
	snprintf(err, errlen, "opt pre-pass: writing the key file: %s",
		 strerror(errno));
	free(buf);
	return -1;
}

/* Pass 2: backwards over the keys, next use of every reference. */
static int write_nextuse(struct pagemap *pm, int kfd, int nfd,
			 uint64_t nr_recs, uint64_t nr_refs)
{
	struct key_rec *keys = xmalloc(CHUNK * sizeof(*keys));
	uint64_t *out = xmalloc(CHUNK * sizeof(*out));
	uint64_t rec = nr_recs, pos = nr_refs;
	int ret = 0;

	while (rec > 0 && ret == 0) {
		uint64_t first = rec > CHUNK ? rec - CHUNK : 0;
		size_t n = (size_t)(rec - first), nout = 0;

		if (read_all(kfd, keys, n * sizeof(*keys),
			     (off_t)(first * sizeof(*keys)))) {
			ret = -1;
			break;
		}
		for (size_t i = n; i-- > 0;) {
			uint32_t id = pagemap_lookup(pm, keys[i].obj,
						     keys[i].index);

			if (keys[i].kind == KEY_KILL) {
				if (id != PM_NONE)
					pagemap_remove(pm, id);
				continue;
			}
			if (id == PM_NONE) {
				id = pagemap_insert(pm, keys[i].obj,
						    keys[i].index);
				pagemap_entry(pm, id)->shadow = NEXTUSE_NEVER;
			}
			out[CHUNK - 1 - nout++] =
				pagemap_entry(pm, id)->shadow;
			pagemap_entry(pm, id)->shadow = --pos;
		}
		if (nout && write_all(nfd, out + CHUNK - nout,
				      nout * sizeof(*out),
				      (off_t)(pos * sizeof(*out))))
			ret = -1;
		rec = first;
	}
	free(keys);
	free(out);
	return ret;
}

int nextuse_build(const char *path, const struct trace_open_opts *opts,
		  uint64_t *nr_refs, char *err, size_t errlen)
{
	struct trace_reader *tr = trace_open(path, opts, err, errlen);
	struct pagemap *pm;
	uint64_t nr_recs = 0;
	int kfd, nfd;

	if (!tr)
		return -1;
	kfd = tmpfile_unlinked("mmsim", err, errlen);
	nfd = kfd < 0 ? -1 : tmpfile_unlinked("mmsim", err, errlen);
	if (nfd < 0) {
		if (kfd >= 0)
			close(kfd);
		trace_close(tr);
		return -1;
	}
	pm = pagemap_create();
	if (write_keys(tr, pm, kfd, &nr_recs, nr_refs, err, errlen) != 0)
		goto fail;
	if (write_nextuse(pm, kfd, nfd, nr_recs, *nr_refs) != 0) {
		snprintf(err, errlen, "opt pre-pass: temporary file I/O: %s",
			 strerror(errno));
		goto fail;
	}
	pagemap_destroy(pm);
	trace_close(tr);
	close(kfd);
	return nfd;
fail:
	pagemap_destroy(pm);
	trace_close(tr);
	close(kfd);
	close(nfd);
	return -1;
}

int nextuse_spool_stdin(char *path_out, size_t len, char *err, size_t errlen)
{
	char buf[65536];
	off_t off = 0;
	size_t n;
	int fd = tmpfile_unlinked("mmsim", err, errlen);

	if (fd < 0)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0) {
		if (write_all(fd, buf, n, off)) {
			snprintf(err, errlen, "spooling stdin: %s",
				 strerror(errno));
			close(fd);
			return -1;
		}
		off += (off_t)n;
	}
	snprintf(path_out, len, "/proc/self/fd/%d", fd);
	return fd;
}
