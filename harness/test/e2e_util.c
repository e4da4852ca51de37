/* Helpers shared by the end-to-end test programs (e2e_util.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "e2e_util.h"
#include "util.h"

char lg_out[2048];
char lg_stderr_path[4096];

/* Runs leakgate with the test manifest; returns its exit code. The argument
 * list ends with NULL. Output goes to files under LG_TEST_OUT/<case>. */
int lg_run(const char *name, ...) {
  char *argv[64] = {(char *)LG_BIN, (char *)"--root", (char *)LG_ROOT_DIR,
                    (char *)"--manifest", (char *)LG_TEST_MANIFEST};
  va_list ap;
  va_start(ap, name);
  lg_argv_append(argv, 5, 62, ap);
  va_end(ap);
  snprintf(lg_out, sizeof lg_out, "%s/%s", LG_TEST_OUT, name);
  lg_mkdirs(lg_out);
  char outp[4200];
  snprintf(outp, sizeof outp, "%s.stdout", lg_out);
  snprintf(lg_stderr_path, sizeof lg_stderr_path, "%s.stderr", lg_out);
  return lg_wait_exit(lg_spawn(argv, outp, lg_stderr_path));
}

int lg_load(lg_results_t *r, const char *dir) {
  char path[4200];
  snprintf(path, sizeof path, "%s/results.json", dir);
  char *err = NULL;
  if (lg_results_load(path, r, &err) != 0) {
    fprintf(stderr, "cannot load results: %s\n", err);
    free(err);
    return -1;
  }
  return 0;
}

const lg_run_t *lg_find(const lg_results_t *r, const char *scenario,
                        const char *variant) {
  for (size_t i = 0; i < r->nruns; i++)
    if (strcmp(r->runs[i].scenario, scenario) == 0 &&
        strcmp(r->runs[i].variant, variant) == 0 && !r->runs[i].fault)
      return &r->runs[i];
  return NULL;
}

int lg_contains(const char *hay, const char *needle) {
  return hay && strstr(hay, needle) != NULL;
}

/* Runs one scenario alone (no control) and checks its verdict. */
void lg_expect_verdict(const char *scenario, const char *variant, int exit_code,
                       lg_verdict_t verdict, const char *evidence) {
  char glob[256];
  snprintf(glob, sizeof glob, "%s", scenario);
  char casename[300], dir[4400];
  snprintf(casename, sizeof casename, "%s-%s", scenario, variant);
  snprintf(dir, sizeof dir, "%s/%s", LG_TEST_OUT, casename);
  int rc = lg_run(casename, "run", "--scenario", glob, "--variant", variant,
                  "--out", dir, "--quiet", NULL);
  ASSERT_EQ(rc, exit_code);
  lg_results_t r;
  ASSERT_EQ(lg_load(&r, lg_out), 0);
  const lg_run_t *run = lg_find(&r, scenario, variant);
  if (!run) {
    lg_results_free(&r);
    ASSERT_TRUE(run != NULL);
  }
  lg_verdict_t got = run->verdict;
  int has_evidence = lg_contains(run->evidence, evidence);
  if (got != verdict || !has_evidence)
    fprintf(stderr, "got %s: %s\n", lg_verdict_name(got), run->evidence);
  lg_results_free(&r);
  ASSERT_STR_EQ(lg_verdict_name(got), lg_verdict_name(verdict));
  ASSERT_TRUE(has_evidence);
}
