/*
 * csvrun.c - see csvrun.h.
 */
#include "csvrun.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emit.h"
#include "nextuse.h"
#include "trace.h"
#include "xalloc.h"

static void csvbuf_append(struct csvbuf *c, const char *text, size_t n)
{
	if (c->len + n + 1 > c->cap) {
		while (c->len + n + 1 > c->cap)
			c->cap = c->cap ? 2 * c->cap : 1 << 16;
		c->buf = xrealloc(c->buf, c->cap);
	}
	memcpy(c->buf + c->len, text, n);
	c->len += n;
	c->buf[c->len] = '\0';
}

void csvbuf_init(struct csvbuf *c, const char *header, uint64_t step_ns)
{
	*c = (struct csvbuf){ .step_ns = step_ns };
	csvbuf_append(c, header, strlen(header));
	csvbuf_append(c, "\n", 1);
}

void csvbuf_row(struct csvbuf *c, const char *fmt, ...)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "%llu,",
			 (unsigned long long)c->t_ns);
	int m;
	va_list ap;

	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)(n + m) >= sizeof(line) - 1)
		ck_abort_msg("row too long: %s", line);
	line[n + m] = '\n';
	csvbuf_append(c, line, (size_t)(n + m + 1));
	c->t_ns += c->step_ns;
}

void csvbuf_free(struct csvbuf *c)
{
	free(c->buf);
	c->buf = NULL;
}

static void write_tmp(char *path, size_t len, const char *text)
{
	int fd;

	snprintf(path, len, "/tmp/check_replay-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void config_for(struct config *cfg, const char *base,
		       const char *const *sets)
{
	char err[1024] = "";

	config_defaults(cfg);
	if (base)
		ck_assert_msg(config_load_file(cfg, base, err, sizeof(err)) == 0,
			      "%s", err);
	for (; sets && *sets; sets++)
		ck_assert_msg(config_set(cfg, *sets, err, sizeof(err)) == 0,
			      "%s: %s", *sets, err);
	ck_assert_msg(config_finalize(cfg, err, sizeof(err)) == 0, "%s", err);
}

static struct emit *open_log(const struct config *cfg, const char *path)
{
	char err[1024] = "";
	struct emit *log;
	json_t *echo;

	if (!path)
		return NULL;
	log = emit_open(path, cfg->log_events, err, sizeof(err));
	ck_assert_msg(log != NULL, "%s", err);
	echo = config_to_json(cfg);
	emit_header(log, echo, "csv");
	json_decref(echo);
	return log;
}

/* Applies every row of the trace file at path. */
static void csvrun_rows(struct csvrun *r, const char *path, bool check_rows)
{
	char err[1024] = "";
	struct trace_open_opts opts = { 0 };
	struct trace_reader *tr = trace_open(path, &opts, err, sizeof(err));
	struct trace_row row;
	int rc;

	ck_assert_msg(tr != NULL, "%s", err);
	while ((rc = trace_next(tr, &row)) == TRACE_ROW) {
		sim_advance(r->s, row.time_ns);
		r->s->now_ns = row.time_ns;
		sim_apply_row(r->s, &row);
		r->s->stats.rows++;
		r->rows++;
		if (check_rows && !sim_check(r->s))	/* not ck_assert: per row */
			ck_abort_msg("sim_check failed after row %llu",
				     (unsigned long long)r->rows);
		if (r->after_row)
			r->after_row(r);
	}
	ck_assert_msg(rc == TRACE_EOF, "%s", trace_error(tr));
	ck_assert(sim_check(r->s));
	trace_close(tr);
}

void csvrun_replay(struct csvrun *r, const char *csv, const char *base,
		const char *const *sets, bool check_rows, const char *log_path)
{
	char err[1024] = "", path[64];
	struct trace_open_opts opts = { 0 };
	int fd = -1;
	uint64_t refs;

	write_tmp(path, sizeof(path), csv);
	config_for(&r->cfg, base, sets);
	if (!strcmp(r->cfg.reclaim_policy, "opt")) {
		fd = nextuse_build(path, &opts, &refs, err, sizeof(err));
		ck_assert_msg(fd >= 0, "%s", err);
	}
	r->log = open_log(&r->cfg, log_path);
	r->s = sim_create(&r->cfg, r->log, fd, err, sizeof(err));
	ck_assert_msg(r->s != NULL, "%s", err);
	r->rows = 0;
	csvrun_rows(r, path, check_rows);
	unlink(path);
	if (fd >= 0)
		close(fd);
}

void csvrun_more(struct csvrun *r, const char *csv, bool check_rows)
{
	char path[64];

	ck_assert(strcmp(r->cfg.reclaim_policy, "opt") != 0);
	write_tmp(path, sizeof(path), csv);
	csvrun_rows(r, path, check_rows);
	unlink(path);
}

void csvrun_done(struct csvrun *r)
{
	char err[256];

	sim_destroy(r->s);
	if (r->log)
		ck_assert_msg(emit_close(r->log, err, sizeof(err)) == 0, "%s",
			      err);
	r->s = NULL;
	r->log = NULL;
}

const struct page *csvrun_page(struct sim *s, enum page_type type,
			       uint32_t pid, uint64_t ino, uint64_t index)
{
	uint32_t obj = pagemap_obj(s->pm, type, type == PAGE_ANON ? pid : 0, 0,
				   type == PAGE_FILE ? ino : 0, false);
	uint32_t id = obj == PM_NONE ? PM_NONE :
		      pagemap_lookup(s->pm, obj, index);
	struct pm_entry *e = id == PM_NONE ? NULL : pagemap_entry(s->pm, id);

	return e && e->pfn != PFN_NONE ? &s->mem_map[e->pfn] : NULL;
}

uint32_t csvrun_page_flags(struct sim *s, enum page_type type, uint32_t pid,
			   uint64_t ino, uint64_t index, bool *resident)
{
	const struct page *p = csvrun_page(s, type, pid, ino, index);

	*resident = p != NULL;
	return p ? p->flags : 0;
}
