/* Hardening tests (issue 14): numbers that overflow, long argument lists,
 * many shards to merge, a missing manifest and probe records that only look
 * like an end record (confine_util.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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

static void test_cli_numbers(void) {
  const char *bad[][2] = {{"--shard", "1/99999999999"},
                          {"--shard", "99999999999/99999999999"},
                          {"--shard", "1/2x"},
                          {"--shard", "-1/2"},
                          {"--jobs", "99999999999999999999"},
                          {"--jobs", "4294967297"},
                          {"--jobs", ""},
                          {"--iterations-scale", "1e400"},
                          {"--iterations-scale", "nan"},
                          {"--iterations-scale", "2000"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int rc = lg_run_m("cli-numbers", LG_TEST_MANIFEST, "run", bad[i][0],
                      bad[i][1], "--quiet", NULL);
    if (rc != 2)
      fprintf(stderr, "%s %s: exit %d\n", bad[i][0], bad[i][1], rc);
    ASSERT_EQ(rc, 2);
    ASSERT_TRUE(lg_file_contains(lg_stderr_path, bad[i][0]));
  }
}

/* Iteration counts near 2^63, and counts that only overflow once scaled,
 * are refused at load (exit 2) with the key or scenario named. */
static void test_manifest_numbers(void) {
  const char *base = lg_scratch("manifest-numbers");
  struct {
    const char *scenario, *needle;
  } cases[] = {
      {"{\"name\":\"s\",\"lang\":\"c\",\"program\":\"lgt_clean\","
       "\"iterations\":9223372036854775807}",
       "scenarios[0].iterations"},
      {"{\"name\":\"s\",\"lang\":\"c\",\"program\":\"lgt_clean\","
       "\"iterations\":{\"default\":10,\"v\":9223372036854775000}}",
       "scenarios[0].iterations.v"},
      {"{\"name\":\"s\",\"lang\":\"c\",\"program\":\"lgt_clean\","
       "\"sample_every\":9223372036854775807}",
       "scenarios[0].sample_every"},
      {"{\"name\":\"s\",\"lang\":\"c\",\"program\":\"lgt_clean\","
       "\"timeout_s\":1e300}",
       "scenarios[0].timeout_s"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *sc = lg_fmt("[%s]", cases[i].scenario);
    char *m = lg_manifest(base, "[" LG_VARIANT("v") "]", sc, NULL);
    free(sc);
    int rc = lg_run_m("manifest-numbers", m, "list", NULL);
    free(m);
    ASSERT_EQ(rc, 2);
    ASSERT_TRUE(lg_file_contains(lg_stderr_path, cases[i].needle));
  }
  /* In range alone, out of range once scaled by the variant. */
  char *m = lg_manifest(base,
                        "[{\"name\":\"v\",\"build\":\"{env:LG_TEST_BUILD}\","
                        "\"iteration_scale\":1000}]",
                        "[{\"name\":\"s\",\"lang\":\"c\",\"program\":"
                        "\"lgt_clean\",\"iterations\":1000000000000}]",
                        NULL);
  ASSERT_EQ(lg_run_m("manifest-numbers", m, "list", NULL), 2);
  ASSERT_TRUE(lg_file_contains(lg_stderr_path, "scenario 's' in variant 'v'"));
  free(m);
  /* ... or by --iterations-scale. */
  m = lg_manifest(base, "[" LG_VARIANT("v") "]",
                  "[{\"name\":\"s\",\"lang\":\"c\",\"program\":\"lgt_clean\","
                  "\"iterations\":100000000000}]",
                  NULL);
  ASSERT_EQ(lg_run_m("manifest-numbers", m, "run", "--iterations-scale", "100",
                     "--out", base, "--quiet", NULL),
            2);
  ASSERT_TRUE(lg_file_contains(lg_stderr_path, "--iterations-scale 100"));
  free(m);
}

/* Puts `flag value` 64 times in args from args[n] on, then `flag last`;
 * returns the new count. */
static int lg_put_64(char **args, int n, const char *flag, const char *value,
                     const char *last) {
  for (int i = 0; i < 64; i++) {
    args[n++] = (char *)flag;
    args[n++] = (char *)value;
  }
  args[n++] = (char *)flag;
  args[n++] = (char *)last;
  return n;
}

/* The 65th --scenario or --variant counts like the first. */
static void test_many_args(void) {
  char *args[200] = {(char *)"--root", (char *)LG_ROOT_DIR,
                     (char *)"--manifest", (char *)LG_TEST_MANIFEST,
                     (char *)"run"};
  int n = lg_put_64(args, 5, "--scenario", "clean", "zzz-no-such");
  args[n++] = (char *)"--out";
  args[n++] = (char *)LG_TEST_OUT "/many-args";
  args[n++] = (char *)"--quiet";
  args[n] = NULL;
  ASSERT_EQ(lg_runv("many-args", args), 2);
  ASSERT_TRUE(lg_file_contains(lg_stderr_path, "zzz-no-such"));
  n = lg_put_64(args, 5, "--variant", "plain", "no-such-variant");
  args[n++] = (char *)"--quiet";
  args[n] = NULL;
  ASSERT_EQ(lg_runv("many-args-2", args), 2);
  ASSERT_TRUE(lg_file_contains(lg_stderr_path, "no-such-variant"));
}

/* merge counts every input: a failing 257th shard fails the merge. */
static void test_merge_many(void) {
  const char *base = lg_scratch("merge-many");
  char failing[4300], out[4300];
  snprintf(failing, sizeof failing, "%s/failing", base);
  snprintf(out, sizeof out, "%s/merged", base);
  ASSERT_EQ(lg_run_m("merge-many-leak", LG_TEST_MANIFEST, "run", "--scenario",
                     "leak", "--variant", "plain", "--shard", "1/1", "--out",
                     failing, "--quiet", NULL),
            1);
  lg_results_t empty;
  memset(&empty, 0, sizeof empty);
  empty.schema = LG_SCHEMA_VERSION;
  empty.tool_version = (char *)LG_TOOL_VERSION;
  empty.created = (char *)"2026-01-01T00:00:00Z";
  empty.manifest = (char *)"m.json";
  empty.root = (char *)"/";
  empty.command = (char *)"test";
  char *args[300];
  int n = 0;
  args[n++] = (char *)"merge";
  for (int i = 0; i < 256; i++) {
    char name[32];
    snprintf(name, sizeof name, "e%03d", i);
    char *d = lg_path_join(base, name);
    lg_mkdirs(d);
    char *p = lg_path_join(d, "results.json");
    ASSERT_EQ(lg_results_save(&empty, p), 0);
    free(p);
    args[n++] = d;
  }
  args[n++] = failing;
  args[n++] = (char *)"--out";
  args[n++] = out;
  args[n] = NULL;
  int rc = lg_runv("merge-many", args);
  for (int i = 1; i <= 256; i++)
    free(args[i]);
  ASSERT_EQ(rc, 1);
  ASSERT_TRUE(lg_file_contains(lg_stdout_path, "from 257 inputs"));
}

static void test_missing_manifest(void) {
  ASSERT_EQ(
      lg_run_m("missing-manifest", "/nonexistent-dir/m.json", "list", NULL), 2);
  ASSERT_TRUE(lg_file_contains(
      lg_stderr_path,
      "manifest /nonexistent-dir/m.json: No such file or directory"));
  ASSERT_TRUE(!lg_file_contains(lg_stderr_path, "line -1"));
}

/* A record with a nested {"type":"end"} is not an end record: the stuck
 * run times out (TIMEOUT at 12 s), rather than being taken for a process
 * that ended and then would not exit (RESOURCE after the 10 s grace). */
static void test_nested_end(void) {
  char *outc = lg_scratch_dir("nested-end");
  ASSERT_EQ(lg_run_one("nested-end", "nested-end", "plain", outc), 1);
  ASSERT_TRUE(lg_verdict_is(outc, "nested-end", LG_V_TIMEOUT, NULL));
}

static const check_case_t cases[] = {
    {"cli_numbers", test_cli_numbers},
    {"manifest_numbers", test_manifest_numbers},
    {"many_args", test_many_args},
    {"merge_many", test_merge_many},
    {"missing_manifest", test_missing_manifest},
    {"nested_end", test_nested_end},
    {NULL, NULL}};

CHECK_MAIN(cases)
