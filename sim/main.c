/*
 * main.c - the mmsim command line.
 *
 *   mmsim run TRACE [--config FILE] [--set KEY=VALUE]... [--log FILE]
 *                   [--summary FILE] [--skip-bad-rows] [--quiet]
 *   mmsim policies
 *
 * Exit status: 0 success; 1 an output could not be written; 2 bad input
 * (trace, config, command line); 130 interrupted (outputs are complete
 * records, the summary says "complete": false).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "emit.h"
#include "nextuse.h"
#include "sim.h"
#include "summary.h"
#include "trace.h"

#define EXIT_BAD_INPUT 2
#define EXIT_INTERRUPTED 130
#define ERRLEN 8192

static volatile int stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct run_opts {
	const char *trace;
	const char *config;
	const char **sets;
	int nr_sets;
	const char *log;
	const char *summary;
	bool skip_bad_rows;
	bool quiet;
};

struct progress {
	struct timespec start, last;
};

static struct progress progress_state;

static double seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	       (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void show_progress(struct sim *s, struct trace_reader *tr)
{
	double since_last = seconds_since(&progress_state.last);

	(void)tr;
	if (since_last < 1.0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &progress_state.last);
	fprintf(stderr, "\rmmsim: %llu rows, trace time %.3f s, %.2f M rows/s ",
		(unsigned long long)s->stats.rows,
		(double)s->stats.last_t_ns / 1e9,
		(double)s->stats.rows / 1e6 /
			seconds_since(&progress_state.start));
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: mmsim run TRACE [options]     replay TRACE (a file, or - for stdin)\n"
"       mmsim policies                list the reclaim policies\n"
"       mmsim --help | --version\n"
"\n"
"run options:\n"
"  --config FILE       JSON config applied on top of the built-in defaults\n"
"                      (which equal configs/default.json)\n"
"  --set KEY=VALUE     override one config key by its dotted path, e.g.\n"
"                      --set reclaim.policy=fifo --set memory.pages=65536\n"
"  --log FILE          write the JSON Lines event log (- for stdout)\n"
"  --summary FILE      write the JSON summary (- for stdout); without it a\n"
"                      readable table is printed\n"
"  --skip-bad-rows     count and skip malformed trace rows instead of failing\n"
"  --quiet             no progress line on stderr\n"
"\n"
"Trace formats: mmsim CSV v1 (traces/FORMAT.md), detected from the header.\n"
"Exit status: 0 ok, 1 output error, 2 bad input, 130 interrupted.\n");
}

static int parse_run_args(int argc, char **argv, struct run_opts *o)
{
	o->sets = calloc((size_t)argc, sizeof(*o->sets));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;

		if (!strcmp(a, "--config") && has_val)
			o->config = argv[++i];
		else if (!strcmp(a, "--set") && has_val)
			o->sets[o->nr_sets++] = argv[++i];
		else if (!strcmp(a, "--log") && has_val)
			o->log = argv[++i];
		else if (!strcmp(a, "--summary") && has_val)
			o->summary = argv[++i];
		else if (!strcmp(a, "--skip-bad-rows"))
			o->skip_bad_rows = true;
		else if (!strcmp(a, "--quiet"))
			o->quiet = true;
		else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		} else if (a[0] == '-' && a[1] == '-') {
			fprintf(stderr, "mmsim: run: unknown option or missing "
				"value: %s\n", a);
			return -1;
		} else if (!o->trace) {
			o->trace = a;
		} else {
			fprintf(stderr, "mmsim: run: more than one trace given "
				"(%s and %s)\n", o->trace, a);
			return -1;
		}
	}
	if (!o->trace) {
		fprintf(stderr, "mmsim: run: no trace given (a file, or - for "
			"stdin)\n");
		return -1;
	}
	return 0;
}

static int load_config(const struct run_opts *o, struct config *cfg,
		       char *err)
{
	config_defaults(cfg);
	if (o->config && config_load_file(cfg, o->config, err, ERRLEN))
		return -1;
	for (int i = 0; i < o->nr_sets; i++)
		if (config_set(cfg, o->sets[i], err, ERRLEN))
			return -1;
	return config_finalize(cfg, err, ERRLEN);
}

/* Writes text to path atomically (path.part, then rename), or to stdout. */
static int write_atomic(const char *path, const char *text, char *err)
{
	char part[4096];
	FILE *f;

	struct stat st;

	if (!strcmp(path, "-")) {
		fputs(text, stdout);
		return fflush(stdout) == 0 ? 0 : -1;
	}
	/* /dev/null, a FIFO or a terminal is written in place, never renamed. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		f = fopen(path, "w");
		if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
			snprintf(err, ERRLEN, "writing %s: %s", path,
				 strerror(errno));
			return -1;
		}
		return 0;
	}
	snprintf(part, sizeof(part), "%s.part", path);
	f = fopen(part, "w");
	if (!f) {
		snprintf(err, ERRLEN, "cannot create %s: %s", part,
			 strerror(errno));
		return -1;
	}
	if (fputs(text, f) < 0 || fclose(f) != 0) {
		snprintf(err, ERRLEN, "writing %s: %s", part, strerror(errno));
		remove(part);
		return -1;
	}
	if (rename(part, path) != 0) {
		snprintf(err, ERRLEN, "renaming %s to %s: %s", part, path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int open_nextuse(const struct run_opts *o, const char **trace_path,
			char *spool_path, const struct trace_open_opts *topts,
			char *err)
{
	uint64_t refs;

	if (!strcmp(*trace_path, "-")) {
		if (nextuse_spool_stdin(spool_path, 64, err, ERRLEN) < 0)
			return -1;
		*trace_path = spool_path;
	}
	if (!o->quiet && isatty(2))
		fprintf(stderr, "mmsim: opt: next-use pre-pass over %s\n",
			*trace_path);
	return nextuse_build(*trace_path, topts, &refs, err, ERRLEN);
}

static int write_outputs(struct sim *s, struct emit *log,
			 struct trace_reader *tr, const struct run_opts *o,
			 bool complete, char *err)
{
	struct summary_info info = {
		.complete = complete,
		.stop_reason = "interrupted",
		.trace_format = trace_format_name(tr),
		.bad_rows_skipped = trace_bad_rows(tr),
		.first_bad_row = trace_first_bad_row(tr),
	};
	json_t *sum = summary_json(s, &info);
	int rc = 0;

	if (emit_close(log, err, ERRLEN) != 0)
		rc = -1;
	if (rc == 0 && o->summary) {
		char *text = json_dumps(sum, JSON_INDENT(2) | JSON_SORT_KEYS);
		size_t n = strlen(text);

		text = realloc(text, n + 2);
		strcpy(text + n, "\n");
		rc = write_atomic(o->summary, text, err);
		free(text);
	} else if (rc == 0) {
		summary_print_table(stdout, sum);
	}
	json_decref(sum);
	return rc;
}

static int cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct config cfg;
	char err[ERRLEN] = "", spool[64];
	struct trace_open_opts topts;
	struct trace_reader *tr = NULL;
	struct emit *log = NULL;
	struct sim *s = NULL;
	const char *trace_path;
	int nextuse_fd = -1, status = EXIT_BAD_INPUT;
	json_t *hdr;

	if (parse_run_args(argc, argv, &o) || load_config(&o, &cfg, err)) {
		if (err[0])
			fprintf(stderr, "mmsim: %s\n", err);
		free(o.sets);
		return EXIT_BAD_INPUT;
	}
	topts = (struct trace_open_opts){ .skip_bad_rows = o.skip_bad_rows };
	trace_path = o.trace;
	if (!strcmp(cfg.reclaim_policy, "opt")) {
		nextuse_fd = open_nextuse(&o, &trace_path, spool, &topts, err);
		if (nextuse_fd < 0)
			goto fail;
	}
	tr = trace_open(trace_path, &topts, err, ERRLEN);
	if (!tr)
		goto fail;
	if (o.log) {
		log = emit_open(o.log, cfg.log_events, err, ERRLEN);
		if (!log) {
			status = 1;
			goto fail;
		}
	}
	s = sim_create(&cfg, log, nextuse_fd, err, ERRLEN);
	if (!s)
		goto fail;
	hdr = config_to_json(&cfg);
	json_object_set_new(hdr, "machine", summary_machine_json(s));
	emit_header(log, hdr, trace_format_name(tr));
	json_decref(hdr);
	s->stop = &stop_requested;
	if (!o.quiet && isatty(2)) {
		clock_gettime(CLOCK_MONOTONIC, &progress_state.start);
		progress_state.last = progress_state.start;
		s->progress = show_progress;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (sim_run(s, tr, err, ERRLEN) != 0)
		goto fail;
	if (s->progress)
		fprintf(stderr, "\r\033[K");
	if (trace_bad_rows(tr))
		fprintf(stderr, "mmsim: warning: skipped %llu malformed rows; "
			"the first: %s\n",
			(unsigned long long)trace_bad_rows(tr),
			trace_first_bad_row(tr));
	if (stop_requested)
		fprintf(stderr, "mmsim: interrupted after %llu rows (trace "
			"time %llu ns, line %llu); outputs are marked "
			"incomplete\n", (unsigned long long)s->stats.rows,
			(unsigned long long)s->stats.last_t_ns,
			(unsigned long long)trace_lines(tr));
	status = write_outputs(s, log, tr, &o, !stop_requested, err);
	log = NULL;
	if (status != 0) {
		fprintf(stderr, "mmsim: %s\n", err);
		status = 1;
	} else if (stop_requested) {
		status = EXIT_INTERRUPTED;
	}
	goto out;
fail:
	fprintf(stderr, "mmsim: %s\n", err);
	emit_abort(log);
out:
	sim_destroy(s);
	if (tr)
		trace_close(tr);
	if (nextuse_fd >= 0)
		close(nextuse_fd);
	free(o.sets);
	return status;
}

static int cmd_policies(void)
{
	for (const struct reclaim_ops *const *p = reclaim_policy_list(); *p;
	     p++)
		printf("%-10s %s\n", (*p)->name, (*p)->summary);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_BAD_INPUT;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "policies") || !strcmp(argv[1], "--list-policies"))
		return cmd_policies();
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("mmsim %s\n", MMSIM_VERSION);
		return 0;
	}
	fprintf(stderr, "mmsim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_BAD_INPUT;
}
