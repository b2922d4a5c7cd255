/*
 * import.h - `mmsim import`: kernel tracing text to trace format v1 CSV.
 */
#ifndef SIM_IMPORT_H
#define SIM_IMPORT_H

/**
 * Runs `mmsim import INPUT [-o OUT.csv] [--pid N]... [--comm NAME]...
 * [--skip-bad-rows] [--format auto|perf|ftrace|trace-cmd]`. argv[0] is the
 * subcommand's name and is not read. Returns the exit status: 0, 1 when
 * the output cannot be written, 2 on bad input or a bad command line.
 */
int import_main(int argc, char **argv);

#endif
