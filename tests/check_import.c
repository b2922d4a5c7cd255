/*
 * check_import.c - `mmsim import` end to end through import_main(): the
 * CSV it writes, its report, its exit statuses, OUT.part handling, stdin
 * and pipes. Run from the repository root (as `make unit` does).
 */
#include <check.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "import.h"

#define DATA(f) "tests/data/" f

struct run {
	int status;
	char *out;	/* what import wrote to stdout */
	char *err;	/* what import wrote to stderr */
};

static char *slurp_fd(int fd)
{
	size_t n = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t got;

	lseek(fd, 0, SEEK_SET);
	while ((got = read(fd, buf + n, cap - n - 1)) > 0) {
		n += (size_t)got;
		if (cap - n < 2)
			buf = realloc(buf, cap *= 2);
	}
	buf[n] = '\0';
	return buf;
}

static char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	char *s;

	ck_assert_msg(fd >= 0, "cannot open %s", path);
	s = slurp_fd(fd);
	close(fd);
	return s;
}

/* Runs import_main with stdout and stderr captured (and stdin if given). */
static struct run run_import(const char *stdin_path, int argc, ...)
{
	char *argv[32];
	struct run r;
	FILE *o = tmpfile(), *e = tmpfile();
	int so, se, si = -1, fi = -1;
	va_list ap;

	ck_assert(argc < 31);
	va_start(ap, argc);
	argv[0] = "import";
	for (int i = 1; i <= argc; i++)
		argv[i] = va_arg(ap, char *);
	argv[argc + 1] = NULL;
	va_end(ap);
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	dup2(fileno(o), 1);
	dup2(fileno(e), 2);
	if (stdin_path) {
		fi = open(stdin_path, O_RDONLY);
		ck_assert(fi >= 0);
		si = dup(0);
		dup2(fi, 0);
		clearerr(stdin);
	}
	r.status = import_main(argc + 1, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	if (stdin_path) {
		dup2(si, 0);
		close(si);
		close(fi);
		clearerr(stdin);
	}
	r.out = slurp_fd(fileno(o));
	r.err = slurp_fd(fileno(e));
	fclose(o);
	fclose(e);
	return r;
}

static void free_run(struct run *r)
{
	free(r->out);
	free(r->err);
}

static char tmpdir[64];

static void make_tmpdir(void)
{
	strcpy(tmpdir, "/tmp/check_import.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *tmp(const char *name)
{
	static char path[4][128];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", tmpdir, name);
	return path[k];
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* text_perf.txt as trace format v1, written out by hand. */
static const char perf_csv[] =
	"time_ns,op,pid,addr,type,dev,ino,write,order,migratetype,pfn,gfp\n"
	"0,access,16023,0x7f0b6c5e8b70,anon,,,0,,,,\n"
	"40000,access,2201,0x7f0b6c5e9000,anon,,,1,,,,\n"
	"140000,alloc,118,,,,,,0,1,1082584,GFP_HIGHUSER_MOVABLE|__GFP_ZERO\n"
	"240000,access,16022,0x2000,file,266338304,345579,0,2,,,\n"
	"340000,evict,97,0x100000,file,271581186,1720071,,0,,,\n"
	"440000,free,300,,,,,,9,,2784256,\n"
	"540000,free,5120,,,,,,0,,1307297,\n"
	"840000,alloc,77,,,,,,1,0,1084632,GFP_KERNEL|__GFP_NORETRY|"
	"__GFP_NOWARN\n"
	"940000,free,77,,,,,,1,,1084632,\n"
	"1040000,access,8120,0x1000,file,8388609,1720071,0,,,,\n";

START_TEST(test_import_to_file)
{
	struct run r;
	char *csv;

	make_tmpdir();
	r = run_import(NULL, 3, DATA("text_perf.txt"), "-o", tmp("out.csv"));
	ck_assert_msg(r.status == 0, "stderr: %s", r.err);
	csv = slurp(tmp("out.csv"));
	ck_assert_str_eq(csv, perf_csv);
	ck_assert(!exists(tmp("out.csv.part")));
	ck_assert_str_eq(r.out, "");
	ck_assert_ptr_nonnull(strstr(r.err, "format perf (detected), 13 lines, "
				     "12 event lines"));
	ck_assert_ptr_nonnull(strstr(r.err, "10 rows written to"));
	ck_assert_ptr_nonnull(strstr(r.err, "access 4 (file 2), evict 1, "
				     "alloc 2, free 3"));
	ck_assert_ptr_nonnull(strstr(r.err, "1 events skipped"));
	ck_assert_ptr_nonnull(strstr(r.err, "kmem:mm_page_alloc_extfrag"));
	ck_assert_ptr_nonnull(strstr(r.err, "1 failed allocations skipped"));
	ck_assert_ptr_nonnull(strstr(r.err, "0 bad rows skipped"));
	free(csv);
	free_run(&r);
	remove_tmpdir();
}
END_TEST

START_TEST(test_import_stdout_and_stdin)
{
	struct run r = run_import(DATA("text_perf.txt"), 1, "-");

	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, perf_csv);
	ck_assert_ptr_nonnull(strstr(r.err, "<stdin>: format perf"));
	free_run(&r);
	r = run_import(NULL, 3, DATA("text_perf.txt"), "--output", "-");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, perf_csv);
	free_run(&r);
}
END_TEST

static size_t count_substr(const char *s, const char *pat)
{
	size_t n = 0;

	for (; (s = strstr(s, pat)); s++)
		n++;
	return n;
}

/* A compressed capture through a pipe, as `xzcat x.txt.xz | mmsim import -`. */
START_TEST(test_import_xz_pipe)
{
	static const char sample[] =
		"traces/samples/alloc-sort-216MB.head5000.txt.xz";
	char cmd[256], *csv, *raw;
	struct run r;
	FILE *w;

	make_tmpdir();
	snprintf(cmd, sizeof(cmd), "xzcat %s > %s", sample, tmp("raw.txt"));
	ck_assert_int_eq(system(cmd), 0);
	raw = slurp(tmp("raw.txt"));
	ck_assert_int_eq(mkfifo(tmp("fifo.txt"), 0600), 0);
	snprintf(cmd, sizeof(cmd), "xzcat %s > %s", sample, tmp("fifo.txt"));
	/* the writer blocks on the FIFO until import opens it as stdin */
	w = popen(cmd, "r");
	ck_assert_ptr_nonnull(w);
	r = run_import(tmp("fifo.txt"), 3, "-", "-o", tmp("a.csv"));
	ck_assert_int_eq(pclose(w), 0);
	ck_assert_msg(r.status == 0, "stderr: %s", r.err);
	csv = slurp(tmp("a.csv"));
	ck_assert_uint_eq(count_substr(csv, ",alloc,"),
			  count_substr(raw, " kmem:mm_page_alloc: "));
	ck_assert_uint_eq(count_substr(csv, ",free,"),
			  count_substr(raw, " kmem:mm_page_free: "));
	ck_assert_uint_eq(count_substr(csv, "\n"),
			  1 + count_substr(raw, " kmem:mm_page_alloc: ") +
			  count_substr(raw, " kmem:mm_page_free: "));
	free(raw);
	free(csv);
	free_run(&r);
	remove_tmpdir();
}
END_TEST

START_TEST(test_import_filters_and_format)
{
	struct run r = run_import(NULL, 6, DATA("text_perf.txt"), "--pid",
				  "2230", "--comm=oldkernel", "--format",
				  "perf");

	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out,
		"time_ns,op,pid,addr,type,dev,ino,write,order,migratetype,pfn,gfp\n"
		"0,access,2201,0x7f0b6c5e9000,anon,,,1,,,,\n"
		"800000,alloc,77,,,,,,1,0,1084632,GFP_KERNEL|__GFP_NORETRY|"
		"__GFP_NOWARN\n"
		"900000,free,77,,,,,,1,,1084632,\n");
	ck_assert_ptr_nonnull(strstr(r.err, "format perf (--format)"));
	ck_assert_ptr_nonnull(strstr(r.err, "9 event lines filtered out"));
	free_run(&r);
}
END_TEST

/* A bad line: exit 2 with FILE:LINE, and no OUT (nor OUT.part) left. */
START_TEST(test_import_bad_row)
{
	FILE *f;
	struct run r;

	make_tmpdir();
	f = fopen(tmp("bad.txt"), "w");
	fputs("  w 9/9 [000] 1.5: kmem:mm_page_free: pfn=0x1 order=0\n"
	      "  w 9/9 [000] 1.6: kmem:mm_page_free: pfn=0x2\n"
	      "  w 9/9 [000] 1.7: kmem:mm_page_free: pfn=0x3 order=1\n", f);
	fclose(f);
	r = run_import(NULL, 3, tmp("bad.txt"), "-o", tmp("o.csv"));
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "bad.txt:2: kmem:mm_page_free: "
				     "order= missing, expected 0..31"));
	ck_assert(!exists(tmp("o.csv")));
	ck_assert(!exists(tmp("o.csv.part")));
	free_run(&r);
	r = run_import(NULL, 4, tmp("bad.txt"), "-o", tmp("o.csv"),
		       "--skip-bad-rows");
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.err, "1 bad rows skipped; first: "));
	ck_assert_ptr_nonnull(strstr(r.err, "bad.txt:2: kmem:mm_page_free"));
	free_run(&r);
	r = run_import(NULL, 3, tmp("bad.txt"), "--format", "ftrace");
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "bad.txt:1: got '"));
	free_run(&r);
	remove_tmpdir();
}
END_TEST

START_TEST(test_import_not_text)
{
	struct run r;

	make_tmpdir();
	FILE *f = fopen(tmp("t.csv"), "w");

	fputs("time_ns,op,pid,addr\n0,access,1,0x1000\n", f);
	fclose(f);
	r = run_import(NULL, 3, tmp("t.csv"), "-o", tmp("o.csv"));
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "not perf script, ftrace or "
				     "trace-cmd report text (first line: "
				     "'time_ns,op,pid,addr')"));
	ck_assert(!exists(tmp("o.csv")) && !exists(tmp("o.csv.part")));
	free_run(&r);
	f = fopen(tmp("empty"), "w");
	fclose(f);
	r = run_import(NULL, 1, tmp("empty"));
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "empty input"));
	free_run(&r);
	r = run_import(NULL, 1, tmp("missing.txt"));
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "missing.txt: No such file"));
	free_run(&r);
	r = run_import(NULL, 1, tmpdir);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "read error: Is a directory"));
	free_run(&r);
	remove_tmpdir();
}
END_TEST

START_TEST(test_import_bad_args)
{
	struct run r = run_import(NULL, 0);

	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "usage: mmsim import"));
	free_run(&r);
	r = run_import(NULL, 3, DATA("text_perf.txt"), "--pid", "12x");
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "mmsim import: --pid: got '12x', expected a "
			 "process id\n");
	free_run(&r);
	r = run_import(NULL, 2, DATA("text_perf.txt"), "--pid");
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "mmsim import: --pid: got 'nothing', "
			 "expected a value\n");
	free_run(&r);
	r = run_import(NULL, 3, DATA("text_perf.txt"), "--format", "csv");
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "--format: got 'csv'"));
	free_run(&r);
	r = run_import(NULL, 2, DATA("text_perf.txt"), "--frobnicate");
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "option: got '--frobnicate'"));
	free_run(&r);
	r = run_import(NULL, 2, DATA("text_perf.txt"), DATA("text_ftrace.txt"));
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "expected one input only"));
	free_run(&r);
	r = run_import(NULL, 3, DATA("text_perf.txt"), "--window-rows", "0");
	ck_assert_int_eq(r.status, 2);
	free_run(&r);
	r = run_import(NULL, 1, "--help");
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "usage: mmsim import"));
	free_run(&r);
}
END_TEST

/* An OUT that is not a regular file (a FIFO here) is written in place. */
START_TEST(test_import_special_output)
{
	char cmd[256], *got;
	struct run r;
	struct stat st;
	FILE *reader;

	make_tmpdir();
	ck_assert_int_eq(mkfifo(tmp("out.fifo"), 0600), 0);
	snprintf(cmd, sizeof(cmd), "cat '%s' > '%s'", tmp("out.fifo"),
		 tmp("copy.csv"));
	reader = popen(cmd, "r");
	ck_assert_ptr_nonnull(reader);
	r = run_import(NULL, 3, DATA("text_perf.txt"), "-o", tmp("out.fifo"));
	ck_assert_int_eq(pclose(reader), 0);
	ck_assert_msg(r.status == 0, "stderr: %s", r.err);
	ck_assert_int_eq(stat(tmp("out.fifo"), &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert(!exists(tmp("out.fifo.part")));
	got = slurp(tmp("copy.csv"));
	ck_assert_str_eq(got, perf_csv);
	free(got);
	free_run(&r);
	remove_tmpdir();
}
END_TEST

static Suite *import_suite(void)
{
	Suite *s = suite_create("import");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_import_to_file);
	tcase_add_test(tc, test_import_stdout_and_stdin);
	tcase_add_test(tc, test_import_xz_pipe);
	tcase_add_test(tc, test_import_filters_and_format);
	tcase_add_test(tc, test_import_bad_row);
	tcase_add_test(tc, test_import_not_text);
	tcase_add_test(tc, test_import_bad_args);
	tcase_add_test(tc, test_import_special_output);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(import_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
