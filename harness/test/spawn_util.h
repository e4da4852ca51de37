/* What the programs that run the leakgate binary share (e2e_util.c,
 * confine_util.c): starting a child with its output in files, waiting for
 * it, and reading those files back. Single-threaded test code. */
#ifndef LG_TEST_SPAWN_UTIL_H
#define LG_TEST_SPAWN_UTIL_H

#include <stdarg.h>
#include <sys/types.h>

/* Sets the environment the test scenarios need (LG_TEST_SCEN_DIR,
 * LG_TEST_BUILD), then runs argv[0] (a path) with argv (NULL-terminated,
 * borrowed) in a child whose stdout and stderr go to the files out_path and
 * err_path (created or truncated). The child's pid, or -1 when fork fails;
 * a child that cannot open its files exits 126, one that cannot run argv[0]
 * exits 127. */
pid_t lg_spawn(char **argv, const char *out_path, const char *err_path);

/* Waits for the child pid: its exit code, 128 + the signal that ended it,
 * or -1 when pid < 0 or the wait fails. */
int lg_wait_exit(pid_t pid);

/* Appends the strings of ap, up to its NULL, to argv from argv[n] on while
 * fewer than max are in argv, then ends argv with NULL (argv holds max + 1
 * entries); returns the count, NULL not counted. The strings are
 * borrowed. */
int lg_argv_append(char **argv, int n, int max, va_list ap);

/* The file at path exists and contains needle. */
int lg_file_contains(const char *path, const char *needle);

#endif
