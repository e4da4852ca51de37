/* Helpers shared by the end-to-end test programs (test_e2e.c,
 * test_e2e_cli.c, test_e2e_js.c): run the leakgate binary with the test
 * manifest and read back its results. Single-threaded test code. */
#ifndef LG_TEST_E2E_UTIL_H
#define LG_TEST_E2E_UTIL_H

#include "model.h"
#include "spawn_util.h" /* lg_file_contains */

/* The output directory of the last lg_run (LG_TEST_OUT/<name>) and the file
 * that holds its stderr. */
extern char lg_out[2048];
extern char lg_stderr_path[4096];

/* Runs leakgate with the test manifest; returns its exit code. The argument
 * list ends with NULL. Output goes to files under LG_TEST_OUT/<case>. */
int lg_run(const char *name, ...);

/* Loads dir/results.json into *r (caller frees with lg_results_free);
 * returns 0, or -1 with the error printed. */
int lg_load(lg_results_t *r, const char *dir);

/* The run of scenario in variant (not a fault run) in r, or NULL; borrowed
 * from r. */
const lg_run_t *lg_find(const lg_results_t *r, const char *scenario,
                        const char *variant);

/* hay (may be NULL) contains needle. */
int lg_contains(const char *hay, const char *needle);

/* Runs one scenario alone (no control) and checks its verdict, exit code
 * and evidence; a failing check fails the calling test (check.h). */
void lg_expect_verdict(const char *scenario, const char *variant, int exit_code,
                       lg_verdict_t verdict, const char *evidence);

/* Defines test_NAME, a test whose whole body is one lg_expect_verdict with
 * these arguments: one row of a test file's table of verdict cases. */
#define LG_VERDICT_TEST(name, scenario, variant, exit_code, verdict, evidence) \
  static void test_##name(void) {                                              \
    lg_expect_verdict(scenario, variant, exit_code, verdict, evidence);        \
  }

#endif
