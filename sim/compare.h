/*
 * compare.h - `mmsim compare`: one trace replayed under several configs in
 * parallel worker processes, then the side-by-side table of compare_table.h.
 * compare.c's opening comment describes the columns (--config, --vary), the
 * workers, stdin and the exit statuses.
 */
#ifndef SIM_COMPARE_H
#define SIM_COMPARE_H

#define COMPARE_EXIT_OUTPUT 1		/* the output could not be written */
#define COMPARE_EXIT_BAD 2		/* bad command line, or a config failed */
#define COMPARE_EXIT_INTERRUPTED 130	/* SIGINT/SIGTERM: partial results */

/**
 * The `mmsim compare` command. argv holds the arguments after "compare"
 * (argc of them), as cmd_run() gets them. Returns the exit status: 0 when
 * every config replayed to the end, else one of COMPARE_EXIT_*; a config
 * that fails is reported by name and the others are still shown.
 */
int compare_main(int argc, char **argv);

#endif
