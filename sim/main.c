/*
 * main.c - the mmsim command line.
 *
 *   mmsim run TRACE [--config FILE] [--set KEY=VALUE]... [--log FILE]
 *                   [--summary FILE] [--skip-bad-rows] [--quiet]
 *   mmsim compare TRACE --config A.json --config B.json... (see compare.c)
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

#include "compare.h"
#include "config.h"
#include "emit.h"
#include "import.h"
#include "replay.h"
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
	const char **sets;	/* --set arguments, in order */
	int nr_sets;
	const char *log;
	const char *summary;
	bool skip_bad_rows;
	bool quiet;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: mmsim run TRACE [options]     replay TRACE (a file, or - for stdin)\n"
"       mmsim import INPUT [-o OUT.csv] convert perf script / ftrace /\n"
"                                     trace-cmd text to trace format v1\n"
"       mmsim compare TRACE --config A.json --config B.json [...]\n"
"                                     replay TRACE under each config in\n"
"                                     parallel, print the figures side by\n"
"                                     side (mmsim compare --help)\n"
"       mmsim policies                list the reclaim and compaction policies\n"
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
"Trace formats, detected from the input: mmsim CSV v1 (traces/FORMAT.md),\n"
"perf script, ftrace and trace-cmd report text (traces/CAPTURE.md).\n"
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

static int write_summary(const struct run_opts *o, const json_t *sum,
			 char *err)
{
	char *text;
	size_t n;
	int rc;

	if (!o->summary) {
		summary_print_table(stdout, sum);
		return 0;
	}
	text = json_dumps(sum, JSON_INDENT(2) | JSON_SORT_KEYS);
	n = strlen(text);
	text = realloc(text, n + 2);
	strcpy(text + n, "\n");
	rc = write_atomic(o->summary, text, err);
	free(text);
	return rc;
}

static int cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct config cfg;
	struct replay_opts ropts;
	struct replay_result res;
	char err[ERRLEN] = "";
	int status;

	if (parse_run_args(argc, argv, &o) ||
	    replay_load_config(&cfg, o.config, o.sets, o.nr_sets, err,
			       ERRLEN)) {
		if (err[0])
			fprintf(stderr, "mmsim: %s\n", err);
		free(o.sets);
		return EXIT_BAD_INPUT;
	}
	ropts = (struct replay_opts){
		.trace = o.trace, .cfg = &cfg, .log = o.log,
		.skip_bad_rows = o.skip_bad_rows,
		.progress = !o.quiet && isatty(2), .stop = &stop_requested,
	};
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	status = replay_run(&ropts, &res, err, ERRLEN);
	free(o.sets);
	if (status != REPLAY_OK) {
		fprintf(stderr, "mmsim: %s\n", err);
		return status;
	}
	if (res.bad_rows)
		fprintf(stderr, "mmsim: warning: skipped %llu malformed rows; "
			"the first: %s\n", (unsigned long long)res.bad_rows,
			res.first_bad_row);
	if (!res.complete)
		fprintf(stderr, "mmsim: interrupted after %llu rows (trace "
			"time %llu ns, line %llu); outputs are marked "
			"incomplete\n", (unsigned long long)res.rows,
			(unsigned long long)res.last_t_ns,
			(unsigned long long)res.lines);
	status = write_summary(&o, res.summary, err);
	json_decref(res.summary);
	if (status != 0) {
		fprintf(stderr, "mmsim: %s\n", err);
		return 1;
	}
	return res.complete ? 0 : EXIT_INTERRUPTED;
}

static int cmd_policies(void)
{
	printf("reclaim.policy:\n");
	for (const struct reclaim_ops *const *p = reclaim_policy_list(); *p;
	     p++)
		printf("  %-10s %s\n", (*p)->name, (*p)->summary);
	printf("compaction.policy:\n");
	for (const struct compact_ops *const *p = compact_policy_list(); *p;
	     p++)
		printf("  %-10s %s\n", (*p)->name, (*p)->summary);
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
	if (!strcmp(argv[1], "import"))
		return import_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compare"))
		return compare_main(argc - 2, argv + 2);
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
