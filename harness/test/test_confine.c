/* Hardening tests (issue 14): leakgate must survive hostile and broken
 * input. Here: names that would steer the recursive emptying of a run
 * directory out of --out, and links planted under --out. Processes a
 * scenario leaves behind: test_confine_proc.c; numbers that overflow, long
 * argument lists, a missing manifest and probe records that only look like
 * an end record: test_confine_input.c; interrupted, flooding, stalled and
 * crashing runs: test_confine_runs.c. Each case runs the real leakgate
 * binary (LG_BIN) on the tiny scenarios of test/scen (confine_util.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "confine_util.h"
#include "model.h"
#include "util.h"

static void test_names_unit(void) {
  const char *good[] = {"a",       "asan", "subscribe-churn",
                        "x.y_z+1", "..a",  "a.."};
  const char *bad[] = {"",    ".",   "..",  "../x", "/../../x",
                       "a/b", "a b", "a@b", "é",    "a\n"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    ASSERT_TRUE(lg_name_problem(good[i]) == NULL);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ASSERT_TRUE(lg_name_problem(bad[i]) != NULL);
  char longname[LG_NAME_MAX + 2];
  memset(longname, 'a', sizeof longname);
  longname[LG_NAME_MAX] = '\0';
  ASSERT_TRUE(lg_name_problem(longname) == NULL);
  longname[LG_NAME_MAX] = 'a';
  longname[LG_NAME_MAX + 1] = '\0';
  ASSERT_TRUE(lg_name_problem(longname) != NULL);
}

/* lg_read_capped: small files whole, large ones as head + note + tail. */
static void test_read_capped_unit(void) {
  const char *base = lg_scratch("read-capped");
  lg_put(base, "small", "0123456789abcdefghij");
  lg_put(base, "big", "HEAD-0123456789-middle-middle-middle-0123456789-TAIL");
  char *p = lg_path_join(base, "small");
  size_t len = 0;
  unsigned long long size = 0;
  char *d = lg_read_capped(p, 10, 10, &len, &size);
  free(p);
  ASSERT_TRUE(d != NULL);
  int whole = strcmp(d, "0123456789abcdefghij") == 0 && len == 20 && size == 20;
  free(d);
  ASSERT_TRUE(whole);
  p = lg_path_join(base, "big");
  d = lg_read_capped(p, 5, 5, &len, &size);
  free(p);
  ASSERT_TRUE(d != NULL);
  /* 52 bytes: 5 + 42 skipped + 5. */
  int cut = strcmp(d, "HEAD-\n[leakgate: 42 bytes not read]\n-TAIL") == 0 &&
            len == strlen(d) && size == 52;
  if (!cut)
    fprintf(stderr, "got '%s' (%zu, %llu)\n", d, len, size);
  free(d);
  ASSERT_TRUE(cut);
  p = lg_path_join(base, "absent");
  errno = 0;
  d = lg_read_capped(p, 5, 5, &len, &size);
  free(p);
  ASSERT_TRUE(d == NULL && errno == ENOENT);
}

/* lg_confined_fresh_dir: creates and empties under the base, refuses
 * names that climb and links anywhere on the way, deletes nothing then. */
static void test_confined_dir_unit(void) {
  const char *base = lg_scratch("confined-unit");
  char out[4300], outside[4300];
  snprintf(out, sizeof out, "%s/out", base);
  snprintf(outside, sizeof outside, "%s/outside", base);
  lg_mkdirs(out);
  lg_put(outside, "s/keep", "precious");
  char *err = NULL;
  char *d = lg_confined_fresh_dir(out, "runs/v/s", &err);
  ASSERT_TRUE(d != NULL);
  lg_put(d, "old.log", "x");
  free(d);
  d = lg_confined_fresh_dir(out, "runs/v/s", &err);
  ASSERT_TRUE(d != NULL);
  ASSERT_TRUE(!lg_exists(d, "old.log")); /* emptied */
  free(d);
  const char *bad[] = {"runs/../..", "runs/v/..", "runs/../../outside/s",
                       "/etc/x",     "runs//s",   "runs/v/s@..",
                       "runs@x/v/s", ""};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    err = NULL;
    d = lg_confined_fresh_dir(out, bad[i], &err);
    if (d || !err)
      fprintf(stderr, "accepted '%s'\n", bad[i]);
    ASSERT_TRUE(d == NULL);
    ASSERT_TRUE(err != NULL);
    free(err);
  }
  /* A link planted as an intermediate or as the final component. */
  char link[4400];
  snprintf(link, sizeof link, "%s/runs/w", out);
  ASSERT_EQ(symlink(outside, link), 0);
  err = NULL;
  ASSERT_TRUE(lg_confined_fresh_dir(out, "runs/w/s", &err) == NULL);
  ASSERT_TRUE(err && strstr(err, "symbolic link"));
  free(err);
  snprintf(link, sizeof link, "%s/runs/v/t", out);
  char target[4400];
  snprintf(target, sizeof target, "%s/s", outside);
  ASSERT_EQ(symlink(target, link), 0);
  err = NULL;
  ASSERT_TRUE(lg_confined_fresh_dir(out, "runs/v/t", &err) == NULL);
  free(err);
  ASSERT_TRUE(lg_exists(outside, "s/keep"));
}

/* Writes a manifest with the variants and scenarios arrays (JSON text) and
 * the selftest section (or NULL) in base and runs it: `run`, the arguments
 * after selftest (ended by NULL, at most 8), `--out base/out --quiet`.
 * Returns leakgate's exit code. */
static int lg_run_manifest(const char *name, const char *base,
                           const char *variants, const char *scenarios,
                           const char *selftest, ...) {
  char *m = check_defer_free(lg_manifest(base, variants, scenarios, selftest));
  char *out = check_defer_free(lg_path_join(base, "out"));
  char *args[20] = {(char *)"--root", (char *)LG_ROOT_DIR, (char *)"--manifest",
                    m, (char *)"run"};
  va_list ap;
  va_start(ap, selftest);
  int n = lg_argv_append(args, 5, 13, ap);
  va_end(ap);
  args[n++] = (char *)"--out";
  args[n++] = out;
  args[n++] = (char *)"--quiet";
  args[n] = NULL;
  return lg_runv(name, args);
}

/* lg_run_manifest with no self-test and no more arguments must be refused
 * at load (exit 2), naming needle on stderr, with base/keep left alone. */
static void lg_expect_refused(const char *name, const char *base,
                              const char *variants, const char *scenarios,
                              const char *needle, const char *keep) {
  ASSERT_EQ(lg_run_manifest(name, base, variants, scenarios, NULL, NULL), 2);
  ASSERT_TRUE(lg_file_contains(lg_stderr_path, needle));
  ASSERT_TRUE(lg_exists(base, keep));
}

/* A variant and a scenario both named ".." put the run directory at
 * <out>/runs/../.. = the parent of --out; emptying it deleted the files
 * beside --out. Now: refused at load (exit 2), nothing deleted. */
static void test_dotdot_names(void) {
  const char *base = lg_scratch("dotdot");
  lg_put(base, "victim", "precious");
  lg_expect_refused("dotdot", base, "[" LG_VARIANT("..") "]",
                    "[" LG_SCENARIO("..") "]", "variants[0].name", "victim");
  CHECK_RETURN_IF_FAILED();
  ASSERT_TRUE(lg_file_contains(lg_stderr_path, "m.json"));
  /* The scenario alone is refused too. */
  lg_expect_refused("dotdot-2", base, "[" LG_VARIANT("v") "]",
                    "[" LG_SCENARIO("..") "]", "scenarios[0].name", "victim");
}

/* Variant "../../victim": <out>/runs/../../victim/<scenario> was emptied. */
static void test_victim_variant(void) {
  const char *base = lg_scratch("victim-variant");
  lg_put(base, "victim/s/keep", "precious");
  lg_expect_refused("victim-variant", base, "[" LG_VARIANT("../../victim") "]",
                    "[" LG_SCENARIO("s") "]", "variants[0].name",
                    "victim/s/keep");
}

/* A self-test fault "/../../x" with run --fault: the run directory
 * <out>/runs/v/s@/../../x climbed out of --out. */
static void test_fault_slash(void) {
  const char *base = lg_scratch("fault-slash");
  lg_put(base, "out/runs/x/keep", "precious");
  lg_put(base, "x/keep", "precious");
  ASSERT_EQ(lg_run_manifest("fault-slash", base, "[" LG_VARIANT("v") "]",
                            "[" LG_SCENARIO("s") "]",
                            "{\"defects\":[{\"fault\":\"/../../x\","
                            "\"scenario\":\"s\",\"caught_by\":[\"v\"]}]}",
                            "--fault", "/../../x", NULL),
            2);
  ASSERT_TRUE(lg_exists(base, "out/runs/x/keep"));
  ASSERT_TRUE(lg_exists(base, "x/keep"));
  ASSERT_TRUE(lg_file_contains(lg_stderr_path, "selftest.defects[0].fault") ||
              lg_file_contains(lg_stderr_path, "--fault"));
}

/* A scenario named "" has the run directory <out>/runs/<variant>/ - the
 * parent of its siblings' directories, emptied while they ran (--jobs 2). */
static void test_empty_name_jobs2(void) {
  const char *base = lg_scratch("empty-name");
  lg_put(base, "out/runs/v/a/keep", "sibling");
  const char *scenarios =
      "[" LG_SCENARIO("a") "," LG_SCENARIO("") "," LG_SCENARIO("b") "]";
  ASSERT_EQ(lg_run_manifest("empty-name", base, "[" LG_VARIANT("v") "]",
                            scenarios, NULL, "--jobs", "2", NULL),
            2);
  ASSERT_TRUE(lg_file_contains(lg_stderr_path, "scenarios[1].name"));
  ASSERT_TRUE(lg_exists(base, "out/runs/v/a/keep"));
}

/* A link planted under <out>/runs pointing outside: the run is INFRA with
 * the reason, and nothing behind the link is deleted. */
static void test_symlink_planted(void) {
  const char *base = lg_scratch("symlink");
  char out[4300], outside[4300], link[4400];
  snprintf(out, sizeof out, "%s/out", base);
  snprintf(outside, sizeof outside, "%s/outside", base);
  lg_put(outside, "clean/keep", "precious");
  lg_mkdirs(out);
  lg_mkdirs(out);
  snprintf(link, sizeof link, "%s/runs", out);
  lg_mkdirs(link);
  snprintf(link, sizeof link, "%s/runs/plain", out);
  ASSERT_EQ(symlink(outside, link), 0);
  ASSERT_EQ(lg_run_one("symlink", "clean", "plain", out), 3);
  ASSERT_TRUE(lg_exists(outside, "clean/keep"));
  char res[4400];
  snprintf(res, sizeof res, "%s/results.json", out);
  lg_results_t r;
  char *err = NULL;
  ASSERT_EQ(lg_results_load(res, &r, &err), 0);
  int infra = r.nruns == 1 && r.runs[0].verdict == LG_V_INFRA &&
              r.runs[0].evidence &&
              strstr(r.runs[0].evidence, "symbolic link") != NULL;
  if (!infra && r.nruns)
    fprintf(stderr, "got %s: %s\n", lg_verdict_name(r.runs[0].verdict),
            r.runs[0].evidence);
  lg_results_free(&r);
  ASSERT_TRUE(infra);
}

/* Names on the command line are checked like the manifest's. */
static void test_cli_names(void) {
  ASSERT_EQ(lg_run_m("cli-names-1", LG_TEST_MANIFEST, "run", "--variant",
                     "../x", NULL),
            2);
  ASSERT_TRUE(lg_file_contains(lg_stderr_path, "--variant: expected a name"));
  ASSERT_EQ(lg_run_m("cli-names-2", LG_TEST_MANIFEST, "run", "--fault",
                     "/../../x", NULL),
            2);
  ASSERT_TRUE(lg_file_contains(lg_stderr_path, "--fault: expected a name"));
  ASSERT_EQ(lg_run_m("cli-names-3", LG_TEST_MANIFEST, "selftest", "--defect",
                     "..", NULL),
            2);
  ASSERT_TRUE(lg_file_contains(lg_stderr_path, "--defect: expected a name"));
}

static const check_case_t cases[] = {
    {"names_unit", test_names_unit},
    {"confined_dir_unit", test_confined_dir_unit},
    {"read_capped_unit", test_read_capped_unit},
    {"dotdot_names", test_dotdot_names},
    {"victim_variant", test_victim_variant},
    {"fault_slash", test_fault_slash},
    {"empty_name_jobs2", test_empty_name_jobs2},
    {"symlink_planted", test_symlink_planted},
    {"cli_names", test_cli_names},
    {NULL, NULL}};

CHECK_MAIN(cases)
