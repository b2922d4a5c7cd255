/*
 * compare.c - `mmsim compare`: one trace, several configs, one table.
 *
 *   mmsim compare TRACE [--config FILE]... [--set KEY=VALUE]...
 *                 [--vary KEY=V1,V2,...]... [-j N] [--format FMT]
 *                 [-o FILE] [--all] [--skip-bad-rows] [--quiet]
 *   mmsim compare --from COMPARE.json [--format FMT] [-o FILE] [--all]
 *
 * Columns. Each --config FILE is one column (none: the built-in defaults).
 * Each --vary KEY=V1,V2,... multiplies the columns by its values: with two
 * configs and --vary reclaim.swappiness=0,100 there are four columns, in
 * the order a.json/0, a.json/100, b.json/0, b.json/100 (configs outermost,
 * then each --vary in the order given). A config is built as `mmsim run`
 * builds it - defaults, the file, every --set in order - and then the
 * column's --vary assignments, so a --vary wins over a --set of the same
 * key. Values are split at commas outside JSON brackets and quotes, so
 * `--vary 'log.events="watermark,refault","all"'` has two values. A column
 * is named after its config file (the base name, or the path as given when
 * two base names are equal; "defaults" without --config) followed by its
 * --vary assignments with the key's last component ("swappiness=0", or the
 * whole key when two --vary keys end alike); with a single config (or none)
 * and --vary, the config is the same in every column and only the --vary
 * part names it. Equal names get "#2", "#3".
 * The first column is the baseline of the percent changes.
 *
 * Workers. Configs are loaded and checked in this process first, so a bad
 * file or value is reported by name without starting anything; the trace's
 * format is checked once the same way. Every good column is then replayed
 * by a forked worker process, at most -j at a time (default: the number of
 * online CPUs). A worker opens the trace itself; a trace read from stdin
 * ("-") is first copied to an unlinked temporary file ($TMPDIR or /tmp)
 * that every worker reads by its /proc/self/fd path. A worker writes one
 * JSON object, {"summary": ...} or {"error": "..."}, to its own unlinked
 * temporary file, read back when it exits; so a worker that crashes, or a
 * trace row that is bad for every config, costs that column only, and the
 * table keeps the order the columns were given, not the order workers end.
 *
 * While workers run, a progress line (done, running, elapsed seconds) goes
 * to stderr when it is a terminal, unless --quiet.
 *
 * SIGINT or SIGTERM stops every running worker early (their summaries say
 * "complete": false), starts no new ones, and prints what there is.
 *
 * Exit status: 0 every column replayed; 1 the output could not be written;
 * 2 bad command line, trace or at least one failed column (the others are
 * still printed); 130 interrupted.
 */
#include "compare.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compare_table.h"
#include "config.h"
#include "nextuse.h"
#include "replay.h"
#include "tmpfile.h"
#include "trace.h"
#include "xalloc.h"

#define ERRLEN 8192
#define MAX_COLUMNS 4096	/* a product of --vary lists beyond this is a typo */
#define MAX_VARY 32		/* --vary options */

/* The one piece of mutable state a signal handler can reach. */
static volatile int compare_stop;

static void on_signal(int sig)
{
	(void)sig;
	compare_stop = 1;
}

struct vary {
	const char *arg;	/* the --vary argument as given */
	char *key;
	char **values;
	size_t nr_values;
	const char *label;	/* key as shown in column names */
};

struct cmp_opts {
	const char *trace;
	const char *from;		/* --from: render a saved document */
	const char **configs;
	size_t nr_configs;
	const char **sets;
	size_t nr_sets;
	struct vary *vary;
	size_t nr_vary;
	long jobs;
	const char *output;		/* -o, NULL = stdout */
	struct compare_out out;
	bool skip_bad_rows;
	bool quiet;
};

struct column {
	char *name;
	const char *file;	/* --config, NULL = built-in defaults */
	const char **sets;	/* the --set list, then this column's --vary */
	size_t nr_sets;
	struct config cfg;
	char *error;		/* why it has no summary; NULL if it has one */
	json_t *summary;
	pid_t pid;		/* running worker, 0 if none */
	int fd;			/* the worker's result file */
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: mmsim compare TRACE [--config FILE]... [options]\n"
"       mmsim compare --from COMPARE.json [--format FMT] [-o FILE]\n"
"\n"
"Replays TRACE (a file, or - for stdin: copied once to an unlinked temporary\n"
"file that every worker reads) under each config in parallel worker\n"
"processes and prints the figures side by side, each with its change\n"
"against the first column in percent.\n"
"\n"
"  --config FILE        one column per config file (none: the built-in\n"
"                       defaults); named by the file's base name\n"
"  --set KEY=VALUE      applied to every column, after its config file\n"
"  --vary KEY=V1,V2,..  one column per value for every config (several\n"
"                       --vary multiply); applied after --set; a value with\n"
"                       a comma is written as JSON: 'log.events=\"a,b\",\"all\"'\n"
"  -j N                 at most N replays at once (default: online CPUs)\n"
"  --format FMT         text (default), markdown, csv, or json:\n"
"                       {\"configs\": [{\"name\", \"summary\"}...]}, each summary\n"
"                       the object `mmsim run --summary` writes (failed\n"
"                       configs as {\"name\", \"error\"})\n"
"  -o FILE              write there instead of stdout\n"
"  --all                add a row for every vmstat counter\n"
"  --from FILE          render a saved --format json document again\n"
"  --skip-bad-rows      count and skip malformed trace rows\n"
"  --quiet              no progress line on stderr\n"
"\n"
"A config that fails (bad file, bad value, bad trace row) is reported by\n"
"name and the others are still shown. Figures a summary does not have\n"
"(e.g. compaction before it is modelled) are shown as -.\n"
"Exit status: 0 ok, 1 output error, 2 bad input or a config failed,\n"
"130 interrupted.\n");
}

/* ---- the command line -------------------------------------------------- */

static char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* Splits s at commas outside [], {} and JSON strings. */
static char **split_values(const char *s, size_t *n)
{
	char **out = xcalloc(strlen(s) + 2, sizeof(*out));
	const char *start = s;
	int depth = 0;
	bool quoted = false;

	*n = 0;
	for (const char *p = s;; p++) {
		if (quoted && *p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && (*p == '[' || *p == '{'))
			depth++;
		else if (!quoted && (*p == ']' || *p == '}'))
			depth--;
		if (*p && (quoted || depth > 0 || *p != ','))
			continue;
		out[(*n)++] = xstrndup(start, (size_t)(p - start));
		if (!*p)
			break;
		start = p + 1;
	}
	return out;
}

static int parse_vary(const char *arg, struct vary *v)
{
	const char *eq = strchr(arg, '=');

	memset(v, 0, sizeof(*v));
	v->arg = arg;
	if (!eq || eq == arg || !eq[1]) {
		fprintf(stderr, "mmsim: compare: --vary %s: expected "
			"KEY=V1,V2,..., e.g. reclaim.swappiness=0,60,100\n", arg);
		return -1;
	}
	v->key = xstrndup(arg, (size_t)(eq - arg));
	v->values = split_values(eq + 1, &v->nr_values);
	for (size_t i = 0; i < v->nr_values; i++)
		if (!v->values[i][0]) {
			fprintf(stderr, "mmsim: compare: --vary %s: value %zu "
				"is empty\n", arg, i + 1);
			return -1;
		}
	return 0;
}

static int parse_jobs(const char *s, long *jobs)
{
	char *end;

	errno = 0;
	*jobs = strtol(s, &end, 10);
	if (errno || end == s || *end || *jobs < 1 || *jobs > 1024) {
		fprintf(stderr, "mmsim: compare: -j %s: expected a number of "
			"processes from 1 to 1024\n", s);
		return -1;
	}
	return 0;
}

/* One option with a value; returns 1 if a consumed, 0 if not its, -1 bad. */
static int parse_valued(struct cmp_opts *o, const char *a, const char *v)
{
	if (!strcmp(a, "--config"))
		o->configs[o->nr_configs++] = v;
	else if (!strcmp(a, "--set"))
		o->sets[o->nr_sets++] = v;
	else if (!strcmp(a, "--vary"))
		return parse_vary(v, &o->vary[o->nr_vary++]) ? -1 : 1;
	else if (!strcmp(a, "-j") || !strcmp(a, "--jobs"))
		return parse_jobs(v, &o->jobs) ? -1 : 1;
	else if (!strcmp(a, "-o") || !strcmp(a, "--output"))
		o->output = v;
	else if (!strcmp(a, "--from"))
		o->from = v;
	else if (!strcmp(a, "--format")) {
		if (compare_format_parse(v, &o->out.format) == 0)
			return 1;
		fprintf(stderr, "mmsim: compare: --format %s: expected text, "
			"markdown, csv or json\n", v);
		return -1;
	} else
		return 0;
	return 1;
}

static int parse_flag(struct cmp_opts *o, const char *a)
{
	if (!strcmp(a, "--skip-bad-rows"))
		o->skip_bad_rows = true;
	else if (!strcmp(a, "--quiet"))
		o->quiet = true;
	else if (!strcmp(a, "--all"))
		o->out.all_vmstat = true;
	else if (a[0] == '-' && a[1])
		return -1;
	else if (!o->trace)
		o->trace = a;
	else {
		fprintf(stderr, "mmsim: compare: more than one trace given "
			"(%s and %s)\n", o->trace, a);
		return -2;
	}
	return 0;
}

/* Returns 0, 1 after --help, or -1. */
static int parse_args(int argc, char **argv, struct cmp_opts *o)
{
	o->configs = xcalloc((size_t)argc + 1, sizeof(*o->configs));
	o->sets = xcalloc((size_t)argc + 1, sizeof(*o->sets));
	o->vary = xcalloc((size_t)argc + 1, sizeof(*o->vary));
	for (int i = 0; i < argc; i++) {
		int rc = i + 1 < argc ? parse_valued(o, argv[i], argv[i + 1]) : 0;

		if (rc < 0)
			return -1;
		if (rc > 0) {
			i++;
			continue;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 1;
		}
		rc = parse_flag(o, argv[i]);
		if (rc == -1)
			fprintf(stderr, "mmsim: compare: unknown option or "
				"missing value: %s\n", argv[i]);
		if (rc < 0)
			return -1;
	}
	if (!o->trace == !o->from) {
		fprintf(stderr, "mmsim: compare: %s\n", o->from ?
			"--from renders a saved document; give no trace" :
			"no trace given (a file, or - for stdin)");
		return -1;
	}
	return 0;
}

static void opts_free(struct cmp_opts *o)
{
	for (size_t i = 0; i < o->nr_vary; i++) {
		for (size_t j = 0; j < o->vary[i].nr_values; j++)
			free(o->vary[i].values[j]);
		free(o->vary[i].values);
		free(o->vary[i].key);
	}
	free(o->vary);
	free(o->configs);
	free(o->sets);
}

/* ---- columns ----------------------------------------------------------- */

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Labels: a --vary key's last component unless another ends alike. */
static int label_vary(struct cmp_opts *o)
{
	if (o->nr_vary > MAX_VARY) {
		fprintf(stderr, "mmsim: compare: more than %d --vary\n",
			MAX_VARY);
		return -1;
	}
	for (size_t i = 0; i < o->nr_vary; i++) {
		const char *dot = strrchr(o->vary[i].key, '.');

		o->vary[i].label = dot ? dot + 1 : o->vary[i].key;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(o->vary[i].key, o->vary[j].key)) {
				fprintf(stderr, "mmsim: compare: --vary %s "
					"given twice\n", o->vary[i].key);
				return -1;
			}
	}
	for (size_t i = 0; i < o->nr_vary; i++)
		for (size_t j = 0; j < o->nr_vary; j++)
			if (i != j && !strcmp(o->vary[i].label, o->vary[j].label))
				o->vary[i].label = o->vary[i].key;
	return 0;
}

static const char *config_label(const struct cmp_opts *o, size_t i)
{
	if (o->nr_configs <= 1 && o->nr_vary)
		return NULL;	/* the same for every column: say it once */
	if (!o->nr_configs)
		return "defaults";
	for (size_t j = 0; j < o->nr_configs; j++)
		if (strcmp(o->configs[j], o->configs[i]) &&
		    !strcmp(base_name(o->configs[j]), base_name(o->configs[i])))
			return o->configs[i];
	return base_name(o->configs[i]);
}

static size_t nr_columns(const struct cmp_opts *o)
{
	size_t n = o->nr_configs ? o->nr_configs : 1;

	for (size_t i = 0; i < o->nr_vary && n <= MAX_COLUMNS; i++)
		n *= o->vary[i].nr_values;
	return n;
}

/* Column k of the product: config outermost, then each --vary in order. */
static void column_fill(const struct cmp_opts *o, size_t k, struct column *c)
{
	size_t idx[MAX_VARY] = { 0 }, rest = k, len = 0;
	char name[1024] = "";
	const char *cl;

	for (size_t i = o->nr_vary; i-- > 0;) {
		idx[i] = rest % o->vary[i].nr_values;
		rest /= o->vary[i].nr_values;
	}
	c->file = o->nr_configs ? o->configs[rest] : NULL;
	cl = config_label(o, rest);
	if (cl)
		len += (size_t)snprintf(name, sizeof(name), "%s", cl);
	c->sets = xcalloc(o->nr_sets + o->nr_vary + 1, sizeof(*c->sets));
	memcpy(c->sets, o->sets, o->nr_sets * sizeof(*c->sets));
	c->nr_sets = o->nr_sets;
	for (size_t i = 0; i < o->nr_vary; i++) {
		const char *val = o->vary[i].values[idx[i]];
		size_t n = strlen(o->vary[i].key) + strlen(val) + 2;
		char *as = xmalloc(n);

		snprintf(as, n, "%s=%s", o->vary[i].key, val);
		c->sets[c->nr_sets++] = as;
		if (len < sizeof(name))
			len += (size_t)snprintf(name + len, sizeof(name) - len,
						"%s%s=%s", len ? " " : "",
						o->vary[i].label, val);
	}
	c->name = xstrdup(name);
}

/* Equal names (the same file twice) become "NAME #2", "NAME #3". */
static void dedupe_names(struct column *cols, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		unsigned same = 1;

		for (size_t j = 0; j < i; j++)
			same += !strcmp(cols[i].name, cols[j].name);
		if (same > 1) {
			size_t len = strlen(cols[i].name) + 16;
			char *nn = xmalloc(len);

			snprintf(nn, len, "%s #%u", cols[i].name, same);
			free(cols[i].name);
			cols[i].name = nn;
		}
	}
}

static struct column *columns_build(const struct cmp_opts *o, size_t *n)
{
	struct column *cols;

	*n = nr_columns(o);
	if (*n > MAX_COLUMNS) {
		fprintf(stderr, "mmsim: compare: more than %d columns; fewer "
			"--vary values?\n", MAX_COLUMNS);
		return NULL;
	}
	cols = xcalloc(*n, sizeof(*cols));
	for (size_t k = 0; k < *n; k++) {
		cols[k].fd = -1;
		column_fill(o, k, &cols[k]);
	}
	dedupe_names(cols, *n);
	return cols;
}

static void columns_free(const struct cmp_opts *o, struct column *cols,
			 size_t n)
{
	for (size_t k = 0; k < n; k++) {
		for (size_t i = o->nr_sets; i < cols[k].nr_sets; i++)
			free((char *)cols[k].sets[i]);
		free(cols[k].sets);
		free(cols[k].name);
		free(cols[k].error);
		json_decref(cols[k].summary);
		if (cols[k].fd >= 0)
			close(cols[k].fd);
	}
	free(cols);
}

/* Replaces every occurrence of from (not empty) in s by to; a new string. */
static char *replace_all(const char *s, const char *from, const char *to)
{
	size_t nf = strlen(from), nt = strlen(to), n = 0, hits = 0;
	char *out;

	for (const char *p = s; (p = strstr(p, from)) != NULL; p += nf)
		hits++;
	out = xmalloc(strlen(s) + hits * nt + 1);
	while (*s) {
		if (!strncmp(s, from, nf)) {
			memcpy(out + n, to, nt);
			n += nt;
			s += nf;
		} else
			out[n++] = *s++;
	}
	out[n] = '\0';
	return out;
}

static void column_fail(struct column *c, const char *err, const char *spool)
{
	free(c->error);
	c->error = spool && *spool ? replace_all(err, spool, "<stdin>")
				   : xstrdup(err);
}

/* Loads every column's config here, so bad ones never start a worker. */
static void columns_load(struct column *cols, size_t n)
{
	char err[ERRLEN];

	for (size_t k = 0; k < n; k++) {
		err[0] = '\0';
		if (replay_load_config(&cols[k].cfg, cols[k].file,
				       cols[k].sets, (int)cols[k].nr_sets, err,
				       sizeof(err)))
			column_fail(&cols[k], err, NULL);
	}
}

/* ---- workers ----------------------------------------------------------- */

/* The worker process: replay, write the result, never return. */
static void worker_main(const struct column *c, const struct cmp_opts *o,
			const char *trace)
{
	struct replay_opts ro = {
		.trace = trace, .cfg = &c->cfg,
		.skip_bad_rows = o->skip_bad_rows, .stop = &compare_stop,
	};
	struct replay_result res;
	char err[ERRLEN] = "";
	json_t *msg = json_object();
	int rc;

	if (replay_run(&ro, &res, err, sizeof(err)) == REPLAY_OK)
		json_object_set_new(msg, "summary", res.summary);
	else
		json_object_set_new(msg, "error", json_string(err));
	rc = json_dumpfd(msg, c->fd, JSON_COMPACT);
	_exit(rc ? 1 : 0);
}

static int worker_start(struct column *c, const struct cmp_opts *o,
			const char *trace)
{
	char err[ERRLEN];
	pid_t pid;

	c->fd = tmpfile_unlinked("mmsim-compare", err, sizeof(err));
	if (c->fd < 0) {
		column_fail(c, err, NULL);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, sizeof(err), "cannot start a worker: %s",
			 strerror(errno));
		column_fail(c, err, NULL);
		return -1;
	}
	if (pid == 0)
		worker_main(c, o, trace);
	c->pid = pid;
	return 0;
}

/* Reads the worker's result after it exited with wait status st. */
static void worker_collect(struct column *c, int st, const char *spool)
{
	json_error_t jerr;
	json_t *msg = NULL;
	char why[256];

	c->pid = 0;
	if (lseek(c->fd, 0, SEEK_SET) == 0)
		msg = json_loadfd(c->fd, 0, &jerr);
	close(c->fd);
	c->fd = -1;
	if (json_is_object(json_object_get(msg, "summary"))) {
		c->summary = json_incref(json_object_get(msg, "summary"));
	} else if (json_is_string(json_object_get(msg, "error"))) {
		column_fail(c, json_string_value(json_object_get(msg, "error")),
			    spool);
	} else {
		if (WIFSIGNALED(st))
			snprintf(why, sizeof(why), "the worker was killed by "
				 "signal %d (%s)", WTERMSIG(st),
				 strsignal(WTERMSIG(st)));
		else
			snprintf(why, sizeof(why), "the worker exited with "
				 "status %d and no result", WEXITSTATUS(st));
		column_fail(c, why, NULL);
	}
	json_decref(msg);
}

struct pool {
	struct column *cols;
	size_t n, next, running, done;
	struct timespec start;
	bool progress;
	bool forwarded;		/* the stop signal was passed on */
};

static void pool_progress(const struct pool *p)
{
	struct timespec now;

	if (!p->progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	fprintf(stderr, "\rmmsim: compare: %zu/%zu done, %zu running, %.0f s ",
		p->done, p->n, p->running,
		(double)(now.tv_sec - p->start.tv_sec) +
		(double)(now.tv_nsec - p->start.tv_nsec) / 1e9);
}

/* Passes SIGINT on to running workers once (a kill aimed at us alone). */
static void pool_forward_stop(struct pool *p)
{
	if (!compare_stop || p->forwarded)
		return;
	p->forwarded = true;
	for (size_t k = 0; k < p->n; k++)
		if (p->cols[k].pid > 0)
			kill(p->cols[k].pid, SIGINT);
}

static void pool_fill(struct pool *p, const struct cmp_opts *o,
		      const char *trace)
{
	while (p->running < (size_t)o->jobs && p->next < p->n && !compare_stop) {
		struct column *c = &p->cols[p->next++];

		if (c->error)
			p->done++;
		else if (worker_start(c, o, trace) == 0)
			p->running++;
		else
			p->done++;
	}
}

/*
 * Waits for a worker to end. With a progress line, polls every 100 ms so
 * the elapsed time keeps moving during long replays.
 */
static pid_t pool_wait(const struct pool *p, int *st)
{
	const struct timespec tick = { .tv_nsec = 100 * 1000 * 1000 };
	unsigned ticks = 0;
	pid_t pid;

	if (!p->progress)
		return waitpid(-1, st, 0);
	while ((pid = waitpid(-1, st, WNOHANG)) == 0) {
		if (nanosleep(&tick, NULL) != 0 && compare_stop)
			return -1;	/* EINTR: the caller passes the stop on */
		if (++ticks % 10 == 0)
			pool_progress(p);
	}
	return pid;
}

static void pool_reap(struct pool *p, const char *spool)
{
	int st;
	pid_t pid = pool_wait(p, &st);

	if (pid < 0) {
		if (errno == ECHILD)
			p->running = 0;
		return;
	}
	for (size_t k = 0; k < p->n; k++)
		if (p->cols[k].pid == pid) {
			worker_collect(&p->cols[k], st, spool);
			p->running--;
			p->done++;
			pool_progress(p);
		}
}

static void pool_run(struct column *cols, size_t n, const struct cmp_opts *o,
		     const char *trace, const char *spool)
{
	struct pool p = { .cols = cols, .n = n,
			  .progress = !o->quiet && isatty(2) };

	clock_gettime(CLOCK_MONOTONIC, &p.start);
	for (;;) {
		pool_fill(&p, o, trace);
		if (!p.running)
			break;
		pool_progress(&p);
		pool_reap(&p, spool);
		pool_forward_stop(&p);
	}
	for (size_t k = p.next; k < n; k++)
		if (!cols[k].error)
			column_fail(&cols[k], "not run: interrupted", NULL);
	if (p.progress)
		fprintf(stderr, "\r\033[K");
}

/* ---- output ------------------------------------------------------------ */

static json_t *columns_doc(const struct column *cols, size_t n)
{
	json_t *configs = json_array();

	for (size_t k = 0; k < n; k++) {
		json_t *c = json_object();

		json_object_set_new(c, "name", json_string(cols[k].name));
		if (cols[k].summary)
			json_object_set(c, "summary", cols[k].summary);
		else
			json_object_set_new(c, "error", json_string(cols[k].error));
		json_array_append_new(configs, c);
	}
	return json_pack("{s:o}", "configs", configs);
}

/* Writes text to path (FILE.part renamed over FILE; in place if not regular). */
static int write_output(const char *path, const char *text, size_t len)
{
	char part[4096];
	struct stat st;
	bool in_place = !path || (stat(path, &st) == 0 && !S_ISREG(st.st_mode));
	FILE *f;

	if (!path)
		f = stdout;
	else if (in_place)
		f = fopen(path, "w");
	else {
		snprintf(part, sizeof(part), "%s.part", path);
		f = fopen(part, "w");
	}
	if (!f || fwrite(text, 1, len, f) != len ||
	    (f == stdout ? fflush(f) : fclose(f)) != 0) {
		fprintf(stderr, "mmsim: compare: writing %s: %s\n",
			path ? path : "stdout", strerror(errno));
		if (path && !in_place)
			remove(part);
		return -1;
	}
	if (!in_place && rename(part, path) != 0) {
		fprintf(stderr, "mmsim: compare: renaming %s to %s: %s\n", part,
			path, strerror(errno));
		remove(part);
		return -1;
	}
	return 0;
}

static int render(const json_t *doc, const struct cmp_opts *o)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	int rc;

	if (!mem) {
		fprintf(stderr, "mmsim: compare: %s\n", strerror(errno));
		return -1;
	}
	rc = compare_table_write(mem, doc, &o->out);
	if (fclose(mem) != 0)
		rc = -1;
	if (rc == 0)
		rc = write_output(o->output, text, len);
	free(text);
	return rc;
}

static void report_columns(const struct column *cols, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const json_t *tr = json_object_get(cols[k].summary, "trace");
		json_int_t bad = json_integer_value(json_object_get(
			tr, "bad_rows_skipped"));

		if (cols[k].error)
			fprintf(stderr, "mmsim: compare: %s: %s\n",
				cols[k].name, cols[k].error);
		else if (bad)
			fprintf(stderr, "mmsim: compare: %s: skipped %lld "
				"malformed rows; the first: %s\n", cols[k].name,
				(long long)bad, json_string_value(
					json_object_get(tr, "first_bad_row")));
	}
}

/* ---- the command ------------------------------------------------------- */

static int compare_from(const struct cmp_opts *o)
{
	json_error_t jerr;
	json_t *doc = json_load_file(o->from, 0, &jerr);
	char err[ERRLEN];
	int rc;

	if (!doc) {
		fprintf(stderr, "mmsim: compare: %s:%d:%d: %s\n", o->from,
			jerr.line, jerr.column, jerr.text);
		return COMPARE_EXIT_BAD;
	}
	if (compare_doc_check(doc, err, sizeof(err))) {
		fprintf(stderr, "mmsim: compare: %s: %s\n", o->from, err);
		json_decref(doc);
		return COMPARE_EXIT_BAD;
	}
	rc = render(doc, o) ? COMPARE_EXIT_OUTPUT : 0;
	json_decref(doc);
	return rc;
}

/* Checks the trace opens and has a known format; spools stdin first. */
static int prepare_trace(const struct cmp_opts *o, char *spool, size_t len,
			 int *spool_fd)
{
	struct trace_open_opts topts = { .skip_bad_rows = o->skip_bad_rows };
	struct trace_reader *tr;
	char err[ERRLEN];
	const char *path = o->trace;

	*spool_fd = -1;
	if (!strcmp(path, "-")) {
		*spool_fd = nextuse_spool_stdin(spool, len, err, sizeof(err));
		if (*spool_fd < 0) {
			fprintf(stderr, "mmsim: compare: %s\n", err);
			return -1;
		}
		path = spool;
	}
	tr = trace_open(path, &topts, err, sizeof(err));
	if (!tr) {
		char *msg = *spool_fd >= 0 ? replace_all(err, spool, "<stdin>")
					   : xstrdup(err);

		fprintf(stderr, "mmsim: compare: %s\n", msg);
		free(msg);
		return -1;
	}
	trace_close(tr);
	return 0;
}

static int exit_status(const struct column *cols, size_t n, int out_rc,
		       bool interrupted)
{
	if (out_rc)
		return COMPARE_EXIT_OUTPUT;
	if (interrupted)
		return COMPARE_EXIT_INTERRUPTED;
	for (size_t k = 0; k < n; k++)
		if (cols[k].error)
			return COMPARE_EXIT_BAD;
	return 0;
}

static int compare_replay(struct cmp_opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	char spool[64] = "";
	struct column *cols;
	size_t n;
	int spool_fd, rc;
	json_t *doc;

	if (label_vary(o) || !(cols = columns_build(o, &n)))
		return COMPARE_EXIT_BAD;
	if (prepare_trace(o, spool, sizeof(spool), &spool_fd)) {
		columns_free(o, cols, n);
		return COMPARE_EXIT_BAD;
	}
	columns_load(cols, n);
	compare_stop = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	pool_run(cols, n, o, spool_fd >= 0 ? spool : o->trace,
		 spool_fd >= 0 ? spool : NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	report_columns(cols, n);
	o->out.trace = spool_fd >= 0 ? "<stdin>" : o->trace;
	doc = columns_doc(cols, n);
	rc = exit_status(cols, n, render(doc, o), compare_stop);
	json_decref(doc);
	columns_free(o, cols, n);
	if (spool_fd >= 0)
		close(spool_fd);
	return rc;
}

int compare_main(int argc, char **argv)
{
	struct cmp_opts o = { .out.format = COMPARE_TEXT };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int rc;

	o.jobs = cpus > 0 ? cpus : 1;
	rc = parse_args(argc, argv, &o);
	if (rc != 0) {
		opts_free(&o);
		return rc > 0 ? 0 : COMPARE_EXIT_BAD;
	}
	rc = o.from ? compare_from(&o) : compare_replay(&o);
	opts_free(&o);
	return rc;
}
