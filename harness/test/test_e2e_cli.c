/* End-to-end tests of the leakgate command line over the test scenarios:
 * manifests it refuses, paths, usage errors, listing, re-rendered reports,
 * the gate, shards and merge, jobs and the self-test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "e2e_util.h"
#include "util.h"

/* A manifest leakgate must refuse with exit 2, and what stderr must say. */
static void lg_bad_manifest(const char *name, const char *json,
                            const char *say1, const char *say2) {
  char path[4200], errp[4300];
  snprintf(path, sizeof path, "%s/%s.json", LG_TEST_OUT, name);
  snprintf(errp, sizeof errp, "%s.stderr", path);
  lg_mkdirs(LG_TEST_OUT);
  ASSERT_EQ(lg_write_file(path, json, strlen(json)), 0);
  char *argv[] = {(char *)LG_BIN,
                  (char *)"--root",
                  (char *)LG_ROOT_DIR,
                  (char *)"--manifest",
                  path,
                  (char *)"list",
                  NULL};
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    if (!freopen(errp, "w", stderr) || !freopen("/dev/null", "w", stdout))
      _exit(126);
    execv(argv[0], argv);
    _exit(127);
  }
  int st;
  waitpid(pid, &st, 0);
  ASSERT_EQ(WEXITSTATUS(st), 2);
  ASSERT_TRUE(lg_file_contains(errp, path));
  ASSERT_TRUE(lg_file_contains(errp, say1));
  ASSERT_TRUE(lg_file_contains(errp, say2));
}

#define LG_MANIFEST_HEAD                                                       \
  "{\"version\":1,\"variants\":[{\"name\":\"x\",\"build\":\"/tmp\"}],"

static void test_bad_manifest(void) {
  lg_bad_manifest("bad_manifest",
                  LG_MANIFEST_HEAD "\"scenarios\":[{\"name\":\"a\",\"lang\":"
                                   "\"rust\",\"program\":\"p\"}]}",
                  "scenarios[0].lang", "expected \"js\" or \"c\"");
  /* Unknown keys are errors, with the closest known key. */
  lg_bad_manifest("misspelt_key",
                  "{\"version\":1,\"variants\":[{\"name\":\"x\",\"build\":"
                  "\"/tmp\",\"detector\":[]}],\"scenarios\":[]}",
                  "unknown key 'variants[0].detector'",
                  "did you mean 'detectors'?");
  lg_bad_manifest("unknown_key",
                  LG_MANIFEST_HEAD "\"scenarios\":[],\"frobnicate\":1}",
                  "unknown key 'frobnicate'", "keys known here: version");
  lg_bad_manifest("unknown_preset",
                  "{\"version\":1,\"variants\":[{\"preset\":\"asann\"}],"
                  "\"scenarios\":[]}",
                  "variants[0].preset",
                  "one of the presets (release, asan, valgrind), not 'asann'");
  /* An unset {env:X} names the variable instead of becoming "". */
  unsetenv("LG_TEST_SURELY_UNSET");
  lg_bad_manifest("unset_env",
                  "{\"version\":1,\"variants\":[{\"name\":\"x\",\"build\":"
                  "\"{env:LG_TEST_SURELY_UNSET}/b\"}],\"scenarios\":[]}",
                  "variants[0].build",
                  "environment variable LG_TEST_SURELY_UNSET is not set");
}

/* Relative paths in a manifest resolve against its own directory, never
 * against a run directory (a relative js_dir once made every run ERROR),
 * and {manifest_dir} names that directory. Run from another directory. */
/* The release preset preloads liblgheap.so, which an ASan-built program
 * refuses ("ASan runtime does not come first"): in an ASan build the C
 * scenario runs without it (env_c overrides the preset's env). */
#ifdef LG_TEST_ASAN
#define LG_ENV_C ",\"env_c\":{\"LD_PRELOAD\":\"\"}"
#else
#define LG_ENV_C ""
#endif

static void test_relative_paths(void) {
  /* (and its variant comes from a preset) */
  char dir[4200], path[4300], link[4300];
  snprintf(dir, sizeof dir, "%s/relative", LG_TEST_OUT);
  lg_mkdirs(dir);
  const char *links[][2] = {{"bld", LG_TEST_BUILD},
                            {"scen", LG_TEST_SCEN_DIR},
                            {"js", LG_ROOT_DIR "/harness/test/js"}};
  for (size_t i = 0; i < 3; i++) {
    snprintf(link, sizeof link, "%s/%s", dir, links[i][0]);
    unlink(link);
    ASSERT_EQ(symlink(links[i][1], link), 0);
  }
  const char *json =
      "{\"version\":1,\"c_dir\":\"scen\",\"js_dir\":\"{manifest_dir}/js\","
      "\"defaults\":{\"iterations\":200,\"warmup\":20,\"sample_every\":4,"
      "\"js\":{\"iterations\":400,\"warmup\":40,\"sample_every\":8}},"
      "\"variants\":[{\"preset\":\"release\",\"name\":\"plain\","
      "\"build\":\"bld\",\"env\":{\"LG_EXTRA\":\"1\"}" LG_ENV_C "}],"
      "\"scenarios\":[{\"name\":\"clean\",\"lang\":\"c\",\"program\":"
      "\"lgt_clean\"},{\"name\":\"js-clean\",\"lang\":\"js\",\"program\":"
      "\"clean.js\"}]}";
  snprintf(path, sizeof path, "%s/manifest.json", dir);
  ASSERT_EQ(lg_write_file(path, json, strlen(json)), 0);
  char out[4300];
  snprintf(out, sizeof out, "%s/relative-out", LG_TEST_OUT);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir("/") != 0 || !freopen("/dev/null", "w", stdout))
      _exit(126);
    execl(LG_BIN, LG_BIN, "--root", LG_ROOT_DIR, "--manifest", path, "run",
          "--quiet", "--out", out, (char *)NULL);
    _exit(127);
  }
  int st;
  waitpid(pid, &st, 0);
  lg_results_t r;
  ASSERT_EQ(lg_load(&r, out), 0);
  const lg_run_t *c = lg_find(&r, "clean", "plain");
  const lg_run_t *js = lg_find(&r, "js-clean", "plain");
  int ok = c && js && c->verdict == LG_V_PASS && js->verdict == LG_V_PASS;
  /* The variant is the release preset with its env merged key by key: the
   * preset's LD_PRELOAD of {leakgate}/liblgheap.so and our LG_EXTRA. */
  int merged = c && strstr(c->command, "LG_EXTRA=1") &&
               strstr(c->command, "/lib/leakgate/liblgheap.so") &&
               strstr(c->command, "GLIBC_TUNABLES=");
  if (!ok)
    for (size_t i = 0; i < r.nruns; i++)
      fprintf(stderr, "%s: %s %s\n", r.runs[i].scenario,
              lg_verdict_name(r.runs[i].verdict), r.runs[i].evidence);
  lg_results_free(&r);
  ASSERT_TRUE(ok);
  ASSERT_TRUE(merged);
  ASSERT_EQ(WEXITSTATUS(st), 0);
}

/* Longest first: with no history the runs' time budgets tie and the
 * manifest order stands (clean, then js-clean); the second run in the same
 * report directory starts the run that took longer last time (js-clean,
 * ~0.7 s against ~0.05 s). One job, so the finishing order printed is the
 * starting order. */
static void test_longest_first(void) {
  const char *first[2] = {" clean ", "js-clean "};
  unlink(LG_TEST_OUT "/longest_first/results.json"); /* no history yet */
  for (int k = 0; k < 2; k++) {
    int rc = lg_run("longest_first", "run", "--scenario", "clean", "--scenario",
                    "js-clean", "--variant", "plain", "--jobs", "1", "--out",
                    LG_TEST_OUT "/longest_first", NULL);
    ASSERT_EQ(rc, 0);
    char outp[4200];
    snprintf(outp, sizeof outp, "%s.stdout", lg_out);
    char *text = lg_read_file(outp, NULL);
    char *line1 = text ? strstr(text, "[ 1/2]") : NULL;
    char *nl = line1 ? strchr(line1, '\n') : NULL;
    if (nl)
      *nl = '\0';
    int ok = line1 && strstr(line1, first[k]) != NULL;
    if (!ok)
      fprintf(stderr, "run %d started first: %s\n", k + 1,
              line1 ? line1 : "(no line)");
    free(text);
    ASSERT_TRUE(ok);
  }
}

static void test_usage_errors(void) {
  ASSERT_EQ(lg_run("usage1", "run", "--bogus", NULL), 2);
  ASSERT_TRUE(lg_file_contains(lg_stderr_path, "unknown option"));
  ASSERT_EQ(lg_run("usage2", "frobnicate", NULL), 2);
  ASSERT_EQ(lg_run("usage3", "run", "--variant", "nope", NULL), 2);
  ASSERT_EQ(lg_run("usage4", "run", "--scenario", "zzz*", NULL), 2);
  ASSERT_EQ(lg_run("usage5", "run", "--shard", "3/2", NULL), 2);
  ASSERT_EQ(lg_run("usage6", "run", "--jobs", "0", NULL), 2);
  ASSERT_EQ(lg_run("usage7", "report", "/nonexistent-dir", NULL), 2);
  ASSERT_EQ(lg_run("usage8", "gate", "/nonexistent-dir", NULL), 2);
  ASSERT_EQ(lg_run("usage9", "run", "--help", NULL), 0);
  ASSERT_EQ(lg_run("usage10", "selftest", "--defect", "nope", NULL), 2);
  ASSERT_EQ(lg_run("usage11", "run", "--defect", "leak", NULL), 2);
  ASSERT_TRUE(lg_file_contains(lg_stderr_path, "--defect needs --selftest"));
  ASSERT_EQ(lg_run("usage12", "run", "--selftest", "--fault", "leak", NULL), 2);
  ASSERT_EQ(lg_run("usage13", "run", "--selftest", "--shard", "1/2", NULL), 2);
  ASSERT_EQ(lg_run("usage14", "run", "--selftest", "--defect", "nope", NULL),
            2);
  ASSERT_EQ(lg_run("usage15", "selftest", "--selftest", NULL), 2);
}

static void test_list(void) {
  ASSERT_EQ(lg_run("list", "list", NULL), 0);
  char p[4200];
  snprintf(p, sizeof p, "%s.stdout", lg_out);
  ASSERT_TRUE(lg_file_contains(p, "js-leak"));
  ASSERT_TRUE(lg_file_contains(p, "selftest defects"));
}

static void test_report_rerender(void) {
  ASSERT_EQ(lg_run("rerender", "run", "--scenario", "leak", "--variant",
                   "plain", "--quiet", "--out", LG_TEST_OUT "/rerender", NULL),
            1);
  const char *files[] = {"junit.xml", "summary.md", "report.html",
                         "results.json"};
  char *before[4];
  for (int i = 0; i < 4; i++) {
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", lg_out, files[i]);
    before[i] = lg_read_file(p, NULL);
    ASSERT_TRUE(before[i] != NULL);
    if (i < 3) /* results.json stays: it is the input */
      unlink(p);
  }
  char dir[sizeof lg_out];
  memcpy(dir, lg_out, sizeof dir);
  ASSERT_EQ(lg_run("rerender-2", "report", dir, NULL), 0);
  for (int i = 0; i < 4; i++) {
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, files[i]);
    char *after = lg_read_file(p, NULL);
    int same = after && strcmp(after, before[i]) == 0;
    free(after);
    free(before[i]);
    ASSERT_TRUE(same);
  }
}

/* `leakgate gate --baseline baseline dir` (the run called name): its exit
 * code. */
static int lg_gate_run(const char *name, const char *baseline,
                       const char *dir) {
  return lg_run(name, "gate", "--baseline", baseline, dir, NULL);
}

static void test_gate(void) {
  setenv("LG_TUNABLE_LEAK", "0", 1);
  ASSERT_EQ(lg_run("gate-base", "run", "--scenario", "tunable", "--variant",
                   "plain", "--quiet", "--out", LG_TEST_OUT "/gate-base", NULL),
            0);
  ASSERT_EQ(lg_run("gate-same", "run", "--scenario", "tunable", "--variant",
                   "plain", "--quiet", "--out", LG_TEST_OUT "/gate-same", NULL),
            0);
  setenv("LG_TUNABLE_LEAK", "200", 1);
  ASSERT_EQ(lg_run("gate-worse", "run", "--scenario", "tunable", "--variant",
                   "plain", "--quiet", "--out", LG_TEST_OUT "/gate-worse",
                   NULL),
            1);
  unsetenv("LG_TUNABLE_LEAK");
  const char *base = LG_TEST_OUT "/gate-base/results.json";
  ASSERT_EQ(lg_gate_run("gate-1", base, LG_TEST_OUT "/gate-same"), 0);
  ASSERT_EQ(lg_gate_run("gate-2", base, LG_TEST_OUT "/gate-worse"), 1);
  lg_results_t r;
  ASSERT_EQ(lg_load(&r, LG_TEST_OUT "/gate-worse"), 0);
  int slope_regression = 0, verdict_regression = 0;
  for (size_t i = 0; i < r.ngate; i++) {
    if (r.gate[i].status != LG_G_REGRESSION)
      continue;
    slope_regression |= strcmp(r.gate[i].what, "mallocInUse slope /it") == 0;
    verdict_regression |= strcmp(r.gate[i].what, "verdict") == 0;
  }
  int has_gate = r.has_gate, ok = r.gate_ok;
  lg_results_free(&r);
  ASSERT_TRUE(has_gate);
  ASSERT_TRUE(!ok);
  ASSERT_TRUE(slope_regression);
  ASSERT_TRUE(verdict_regression);
  ASSERT_TRUE(lg_file_contains(LG_TEST_OUT "/gate-worse/summary.md",
                               "## Gate vs baseline"));
  /* The improvement direction: the regressed run as baseline. */
  ASSERT_EQ(lg_gate_run("gate-3", LG_TEST_OUT "/gate-worse/results.json",
                        LG_TEST_OUT "/gate-same"),
            0);
  ASSERT_TRUE(
      lg_file_contains(LG_TEST_OUT "/gate-same/summary.md", "improvement"));
  /* The slim baseline of the same run gates the same way. */
  const char *slim = LG_TEST_OUT "/gate-slim.json";
  ASSERT_EQ(lg_run("gate-4", "baseline", LG_TEST_OUT "/gate-base", "--out",
                   slim, NULL),
            0);
  ASSERT_TRUE(lg_file_contains(slim, "\"schema\": \"leakgate-baseline\""));
  ASSERT_EQ(lg_gate_run("gate-5", slim, LG_TEST_OUT "/gate-same"), 0);
  ASSERT_EQ(lg_gate_run("gate-6", slim, LG_TEST_OUT "/gate-worse"), 1);
  ASSERT_EQ(lg_run("gate-7", "baseline", LG_TEST_OUT "/gate-base", NULL), 2);
}

static void test_shard_merge(void) {
  int rc1 = lg_run("shard1", "run", "--scenario", "leak-expected", "--scenario",
                   "fdleak", "--scenario", "clean", "--shard", "1/2", "--quiet",
                   "--out", LG_TEST_OUT "/shard1", NULL);
  int rc2 = lg_run("shard2", "run", "--scenario", "leak-expected", "--scenario",
                   "fdleak", "--scenario", "clean", "--shard", "2/2", "--quiet",
                   "--out", LG_TEST_OUT "/shard2", NULL);
  ASSERT_TRUE(rc1 == 0 || rc1 == 1);
  ASSERT_TRUE(rc2 == 0 || rc2 == 1);
  ASSERT_EQ(rc1 + rc2, 1); /* fdleak fails in exactly one shard */
  lg_results_t a, b;
  ASSERT_EQ(lg_load(&a, LG_TEST_OUT "/shard1"), 0);
  ASSERT_EQ(lg_load(&b, LG_TEST_OUT "/shard2"), 0);
  size_t na = a.nruns, nb = b.nruns;
  lg_results_free(&a);
  lg_results_free(&b);
  ASSERT_EQ(na + nb, 3);
  ASSERT_TRUE(na >= 1 && nb >= 1);
  ASSERT_EQ(lg_run("merge", "merge", LG_TEST_OUT "/shard1",
                   LG_TEST_OUT "/shard2", "--out", LG_TEST_OUT "/merged", NULL),
            1);
  lg_results_t m;
  ASSERT_EQ(lg_load(&m, LG_TEST_OUT "/merged"), 0);
  size_t n = m.nruns, nnoise = m.nnoise;
  int all = lg_find(&m, "clean", "plain") && lg_find(&m, "fdleak", "plain") &&
            lg_find(&m, "leak-expected", "plain");
  lg_results_free(&m);
  ASSERT_EQ(n, 3);
  ASSERT_TRUE(all);
  ASSERT_TRUE(nnoise > 0);
  /* Merging a shard with itself is a conflict. */
  ASSERT_EQ(lg_run("merge-dup", "merge", LG_TEST_OUT "/shard1",
                   LG_TEST_OUT "/shard1", "--out", LG_TEST_OUT "/merged-dup",
                   NULL),
            2);
}

static void test_jobs_all(void) {
  /* Everything at once, two in parallel: verdicts as when run alone. */
  int rc =
      lg_run("jobs", "run", "--jobs", "2", "--quiet", "--scenario", "c*",
             "--scenario", "leak*", "--scenario", "f*", "--scenario", "garbage",
             "--scenario", "early-exit", "--out", LG_TEST_OUT "/jobs", NULL);
  ASSERT_EQ(rc, 1);
  lg_results_t r;
  ASSERT_EQ(lg_load(&r, LG_TEST_OUT "/jobs"), 0);
  struct {
    const char *sc;
    lg_verdict_t v;
  } want[] = {{"clean", LG_V_PASS},         {"leak", LG_V_LEAK},
              {"leak-expected", LG_V_PASS}, {"clean-expect-leak", LG_V_MISSED},
#ifdef LG_TEST_UBSAN
              {"crash", LG_V_ERROR},
#else
              {"crash", LG_V_CRASH},
#endif
              {"garbage", LG_V_ERROR},      {"early-exit", LG_V_CRASH},
              {"fdleak", LG_V_RESOURCE},    {"fail", LG_V_ERROR},
              {"faulty", LG_V_PASS}};
  int bad = 0;
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    const lg_run_t *run = lg_find(&r, want[i].sc, "plain");
    if (!run || run->verdict != want[i].v) {
      fprintf(stderr, "%s: got %s\n", want[i].sc,
              run ? lg_verdict_name(run->verdict) : "(missing)");
      bad++;
    }
  }
  lg_results_free(&r);
  ASSERT_EQ(bad, 0);
}

static void test_selftest_caught(void) {
  int rc = lg_run("selftest", "selftest", "--defect", "leak", "--defect", "fd",
                  "--quiet", "--out", LG_TEST_OUT "/selftest", NULL);
  ASSERT_EQ(rc, 0);
  lg_results_t r;
  ASSERT_EQ(lg_load(&r, LG_TEST_OUT "/selftest"), 0);
  size_t caught = 0, designated = 0;
  for (size_t i = 0; i < r.ncells; i++) {
    designated += r.cells[i].designated;
    caught += r.cells[i].designated && r.cells[i].status == LG_C_CAUGHT;
  }
  int ok = r.has_selftest && r.selftest_ok;
  lg_results_free(&r);
  ASSERT_TRUE(ok);
  ASSERT_EQ(designated, 4);
  ASSERT_EQ(caught, 4);
  ASSERT_TRUE(lg_file_contains(LG_TEST_OUT "/selftest/report.html",
                               "planted-defect matrix"));
}

static void test_selftest_missed(void) {
  int rc = lg_run("selftest-missed", "selftest", "--defect", "silent",
                  "--quiet", "--out", LG_TEST_OUT "/selftest-missed", NULL);
  ASSERT_EQ(rc, 1);
  lg_results_t r;
  ASSERT_EQ(lg_load(&r, LG_TEST_OUT "/selftest-missed"), 0);
  int missed = r.ncells == 1 && r.cells[0].status == LG_C_MISSED;
  lg_results_free(&r);
  ASSERT_TRUE(missed);
}

/* run --selftest: the run's and the self-test's runs in one pool, each
 * result set in its own directory, the self-test at the manifest's
 * iterations whatever --iterations-scale says (clean and faulty both have
 * 400 in the test manifest). */
static void test_run_selftest(void) {
  int rc = lg_run("run-selftest", "run", "--scenario", "clean", "--variant",
                  "plain", "--selftest", "--defect", "leak", "--defect", "fd",
                  "--iterations-scale", "0.5", "--jobs", "2", "--quiet",
                  "--out", LG_TEST_OUT "/run-selftest", NULL);
  ASSERT_EQ(rc, 0);
  lg_results_t r, st;
  ASSERT_EQ(lg_load(&r, LG_TEST_OUT "/run-selftest"), 0);
  int run_ok = r.nruns == 1 && !r.has_selftest && r.ncells == 0 &&
               !r.runs[0].fault && r.runs[0].iterations == 200 &&
               r.runs[0].verdict == LG_V_PASS;
  lg_results_free(&r);
  ASSERT_TRUE(run_ok);
  ASSERT_EQ(lg_load(&st, LG_TEST_OUT "/run-selftest/selftest"), 0);
  size_t caught = 0, designated = 0, full = 0, dirs = 0;
  for (size_t i = 0; i < st.ncells; i++) {
    designated += st.cells[i].designated;
    caught += st.cells[i].designated && st.cells[i].status == LG_C_CAUGHT;
  }
  for (size_t i = 0; i < st.nruns; i++) {
    char p[4200];
    full += st.runs[i].iterations == 400;
    snprintf(p, sizeof p, "%s/run-selftest/selftest/%s/probe.jsonl",
             LG_TEST_OUT, st.runs[i].run_dir);
    dirs += access(p, R_OK) == 0;
  }
  int ok = st.has_selftest && st.selftest_ok && st.nruns == 3 &&
           full == st.nruns && dirs == st.nruns;
  lg_results_free(&st);
  ASSERT_TRUE(ok);
  ASSERT_EQ(designated, 4);
  ASSERT_EQ(caught, 4);
  ASSERT_TRUE(lg_file_contains(LG_TEST_OUT "/run-selftest/selftest/report.html",
                               "planted-defect matrix"));
  /* A missed defect fails the command though the run itself passed. */
  rc = lg_run("run-selftest-missed", "run", "--scenario", "clean", "--variant",
              "plain", "--selftest", "--defect", "silent", "--quiet", "--out",
              LG_TEST_OUT "/run-selftest-missed", NULL);
  ASSERT_EQ(rc, 1);
  ASSERT_EQ(lg_load(&r, LG_TEST_OUT "/run-selftest-missed"), 0);
  int passed = r.exit_code == 0;
  lg_results_free(&r);
  ASSERT_TRUE(passed);
}

static const check_case_t cases[] = {{"bad_manifest", test_bad_manifest},
                                     {"relative_paths", test_relative_paths},
                                     {"longest_first", test_longest_first},
                                     {"usage_errors", test_usage_errors},
                                     {"list", test_list},
                                     {"report_rerender", test_report_rerender},
                                     {"gate", test_gate},
                                     {"shard_merge", test_shard_merge},
                                     {"jobs_all", test_jobs_all},
                                     {"selftest_caught", test_selftest_caught},
                                     {"selftest_missed", test_selftest_missed},
                                     {"run_selftest", test_run_selftest},
                                     {NULL, NULL}};

CHECK_MAIN(cases)
