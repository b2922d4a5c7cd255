/*
 * replay.c - see replay.h. The steps: the opt policy's next-use pre-pass
 * (spooling stdin to a temporary file first), open the trace, open the log,
 * build the machine, write the log header (effective config plus the
 * machine as built), run, close the log, build the summary.
 */
#include "replay.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emit.h"
#include "nextuse.h"
#include "sim.h"
#include "summary.h"
#include "trace.h"

int replay_load_config(struct config *cfg, const char *file,
		       const char *const *sets, int nr_sets, char *err,
		       size_t errlen)
{
	config_defaults(cfg);
	if (file && config_load_file(cfg, file, err, errlen))
		return -1;
	for (int i = 0; i < nr_sets; i++)
		if (config_set(cfg, sets[i], err, errlen))
			return -1;
	return config_finalize(cfg, err, errlen);
}

static struct timespec progress_start, progress_last;

static double seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	       (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void show_progress(struct sim *s, struct trace_reader *tr)
{
	(void)tr;
	if (seconds_since(&progress_last) < 1.0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &progress_last);
	fprintf(stderr, "\rmmsim: %llu rows, trace time %.3f s, %.2f M rows/s ",
		(unsigned long long)s->stats.rows,
		(double)s->stats.last_t_ns / 1e9,
		(double)s->stats.rows / 1e6 / seconds_since(&progress_start));
}

static int open_nextuse(const struct replay_opts *o, const char **trace_path,
			char *spool, size_t spool_len,
			const struct trace_open_opts *topts, char *err,
			size_t errlen)
{
	uint64_t refs;

	if (!strcmp(*trace_path, "-")) {
		if (nextuse_spool_stdin(spool, spool_len, err, errlen) < 0)
			return -1;
		*trace_path = spool;
	}
	if (o->progress)
		fprintf(stderr, "mmsim: opt: next-use pre-pass over the trace\n");
	return nextuse_build(*trace_path, topts, &refs, err, errlen);
}

static void fill_result(struct replay_result *res, struct sim *s,
			struct trace_reader *tr, bool complete)
{
	struct summary_info info = {
		.complete = complete,
		.stop_reason = "interrupted",
		.trace_format = trace_format_name(tr),
		.bad_rows_skipped = trace_bad_rows(tr),
		.first_bad_row = trace_first_bad_row(tr),
	};

	res->summary = summary_json(s, &info);
	res->complete = complete;
	res->rows = s->stats.rows;
	res->last_t_ns = s->stats.last_t_ns;
	res->lines = trace_lines(tr);
	res->bad_rows = trace_bad_rows(tr);
	snprintf(res->first_bad_row, sizeof(res->first_bad_row), "%s",
		 trace_first_bad_row(tr));
}

int replay_run(const struct replay_opts *o, struct replay_result *res,
	       char *err, size_t errlen)
{
	struct trace_open_opts topts = { .skip_bad_rows = o->skip_bad_rows };
	const char *trace_path = o->trace;
	struct trace_reader *tr = NULL;
	struct emit *log = NULL;
	struct sim *s = NULL;
	int nextuse_fd = -1, status = REPLAY_BAD_INPUT;
	char spool[64];
	json_t *hdr;

	memset(res, 0, sizeof(*res));
	if (!strcmp(o->cfg->reclaim_policy, "opt")) {
		nextuse_fd = open_nextuse(o, &trace_path, spool, sizeof(spool),
					  &topts, err, errlen);
		if (nextuse_fd < 0)
			goto out;
	}
	tr = trace_open(trace_path, &topts, err, errlen);
	if (!tr)
		goto out;
	if (o->log) {
		log = emit_open(o->log, o->cfg->log_events, err, errlen);
		if (!log) {
			status = REPLAY_OUTPUT_ERROR;
			goto out;
		}
	}
	s = sim_create(o->cfg, log, nextuse_fd, err, errlen);
	if (!s)
		goto out;
	hdr = config_to_json(o->cfg);
	json_object_set_new(hdr, "machine", summary_machine_json(s));
	emit_header(log, hdr, trace_format_name(tr));
	json_decref(hdr);
	s->stop = o->stop;
	if (o->progress) {
		clock_gettime(CLOCK_MONOTONIC, &progress_start);
		progress_last = progress_start;
		s->progress = show_progress;
	}
	if (sim_run(s, tr, err, errlen) != 0)
		goto out;
	if (o->progress)
		fprintf(stderr, "\r\033[K");
	status = REPLAY_OK;
	if (emit_close(log, err, errlen) != 0)
		status = REPLAY_OUTPUT_ERROR;
	log = NULL;
	if (status == REPLAY_OK)
		fill_result(res, s, tr, !(o->stop && *o->stop));
out:
	emit_abort(log);
	sim_destroy(s);
	if (tr)
		trace_close(tr);
	if (nextuse_fd >= 0)
		close(nextuse_fd);
	return status;
}
