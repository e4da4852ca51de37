/* Helpers shared by the hardening test programs (test_confine.c,
 * test_confine_proc.c, test_confine_input.c, test_confine_runs.c): run the
 * real leakgate binary (LG_BIN) on the tiny scenarios of test/scen, in
 * scratch directories under LG_TEST_OUT. Single-threaded test code. */
#ifndef LG_TEST_CONFINE_UTIL_H
#define LG_TEST_CONFINE_UTIL_H

#include "model.h"

/* The stdout and stderr files of the last lg_execv (LG_TEST_OUT/<name>). */
extern char lg_stdout_path[4200], lg_stderr_path[4200];

/* Runs leakgate with args (NULL-terminated, after the binary) and the
 * environment the test scenarios need; returns its exit code. Output goes
 * to LG_TEST_OUT/<name>.stdout/.stderr. */
int lg_runv(const char *name, char **args);

/* Runs argv[0] (a path) with argv; returns its exit code. */
int lg_execv(const char *name, char **argv);

/* lg_runv with the arguments after name, ended by NULL. */
int lg_run(const char *name, ...);

/* The file at path exists and contains needle. */
int lg_file_contains(const char *path, const char *needle);

/* A fresh scratch directory LG_TEST_OUT/<name>; returns its path (static
 * storage, overwritten by the next call). */
const char *lg_scratch(const char *name);

/* Writes text to dir/file, creating the parent directories. */
void lg_put(const char *dir, const char *file, const char *text);

/* dir/file exists (lstat: a dangling link counts). */
int lg_exists(const char *dir, const char *file);

/* A manifest in `dir` with the given variants and scenarios arrays (JSON
 * text) and optional selftest section; returns its path (caller frees). */
char *lg_manifest(const char *dir, const char *variants, const char *scenarios,
                  const char *selftest);

/* Loads out/results.json and returns the run of scenario (static copy of
 * verdict and evidence through the out-parameters; caller frees
 * *evidence); returns 0, or -1 when not found or not loadable. */
int lg_verdict_of(const char *out, const char *scenario, lg_verdict_t *v,
                  char **evidence);

#define LG_VARIANT(name)                                                       \
  "{\"name\":\"" name "\",\"build\":\"{env:LG_TEST_BUILD}\"}"
#define LG_SCENARIO(name)                                                      \
  "{\"name\":\"" name "\",\"lang\":\"c\",\"program\":\"lgt_clean\"}"

#endif
