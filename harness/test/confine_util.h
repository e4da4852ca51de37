/* Helpers shared by the hardening test programs (test_confine.c,
 * test_confine_proc.c, test_confine_input.c, test_confine_runs.c): run the
 * real leakgate binary (LG_BIN) on the tiny scenarios of test/scen, in
 * scratch directories under LG_TEST_OUT. Single-threaded test code. */
#ifndef LG_TEST_CONFINE_UTIL_H
#define LG_TEST_CONFINE_UTIL_H

#include <sys/types.h>

#include "model.h"
#include "spawn_util.h" /* lg_file_contains */

/* The stdout and stderr files of the last lg_execv (LG_TEST_OUT/<name>). */
extern char lg_stdout_path[4200], lg_stderr_path[4200];

/* Starts leakgate in the background with args (NULL-terminated, after the
 * binary; borrowed) and the environment the test scenarios need; its pid,
 * or -1. Output goes to LG_TEST_OUT/<name>.stdout/.stderr (lg_spawn). */
pid_t lg_startv(const char *name, char **args);

/* lg_startv, then waits: leakgate's exit code (lg_wait_exit). */
int lg_runv(const char *name, char **args);

/* Runs argv[0] (a path) with argv, output as lg_startv's; returns its exit
 * code. */
int lg_execv(const char *name, char **argv);

/* lg_runv with "--root LG_ROOT_DIR --manifest manifest" and then the
 * arguments after manifest, ended by NULL (at most 59 of them). */
int lg_run_m(const char *name, const char *manifest, ...);

/* Fills args[0..LG_ONE_RUN_NARGS) with leakgate's arguments (after the
 * binary; NULL-terminated; the strings borrowed) that run one scenario of
 * the test manifest in variant, results in out, quietly. */
#define LG_ONE_RUN_NARGS 13
void lg_one_run_args(char **args, const char *scenario, const char *variant,
                     const char *out);

/* Runs one scenario of the test manifest in one variant, results in out,
 * quietly; returns leakgate's exit code. */
int lg_run_one(const char *name, const char *scenario, const char *variant,
               const char *out);

/* A fresh scratch directory LG_TEST_OUT/<name>; returns its path (static
 * storage, overwritten by the next call). */
const char *lg_scratch(const char *name);

/* lg_scratch, but the path is a copy freed after the test (check.h). */
char *lg_scratch_dir(const char *name);

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

/* 1 when out/results.json has a run of scenario with the given verdict
 * and, for each string of the NULL-terminated list after it, an evidence
 * text that contains it ("!text": that does not contain text); else 0, with
 * what it got on stderr. */
int lg_verdict_is(const char *out, const char *scenario, lg_verdict_t verdict,
                  ...);

#define LG_VARIANT(name)                                                       \
  "{\"name\":\"" name "\",\"build\":\"{env:LG_TEST_BUILD}\"}"
#define LG_SCENARIO(name)                                                      \
  "{\"name\":\"" name "\",\"lang\":\"c\",\"program\":\"lgt_clean\"}"

#endif
