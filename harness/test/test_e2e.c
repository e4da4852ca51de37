/* End-to-end tests: run the leakgate binary over the tiny scenario programs
 * of test/scen and test/js (manifest: test/manifest.json) and check verdicts,
 * evidence, exit codes and the report files. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "heapsnap.h"
#include "model.h"
#include "util.h"

static char lg_out[2048];
static char lg_stderr_path[4096];

/* Runs leakgate with the test manifest; returns its exit code. The argument
 * list ends with NULL. Output goes to files under LG_TEST_OUT/<case>. */
static int lg_run(const char *name, ...) {
  char *argv[64];
  int argc = 0;
  argv[argc++] = (char *)LG_BIN;
  argv[argc++] = (char *)"--root";
  argv[argc++] = (char *)LG_ROOT_DIR;
  argv[argc++] = (char *)"--manifest";
  argv[argc++] = (char *)LG_TEST_MANIFEST;
  va_list ap;
  va_start(ap, name);
  const char *a;
  while ((a = va_arg(ap, const char *)) != NULL && argc < 62)
    argv[argc++] = (char *)a;
  va_end(ap);
  argv[argc] = NULL;
  snprintf(lg_out, sizeof lg_out, "%s/%s", LG_TEST_OUT, name);
  lg_mkdirs(lg_out);
  char outp[4200];
  snprintf(outp, sizeof outp, "%s.stdout", lg_out);
  snprintf(lg_stderr_path, sizeof lg_stderr_path, "%s.stderr", lg_out);
  setenv("LG_TEST_SCEN_DIR", LG_TEST_SCEN_DIR, 1);
  setenv("LG_TEST_BUILD", LG_TEST_BUILD, 1);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    if (!freopen(outp, "w", stdout) || !freopen(lg_stderr_path, "w", stderr))
      _exit(126);
    execv(argv[0], argv);
    _exit(127);
  }
  int st = 0;
  if (pid < 0 || waitpid(pid, &st, 0) != pid)
    return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int lg_load(lg_results_t *r, const char *dir) {
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

static const lg_run_t *lg_find(const lg_results_t *r, const char *scenario,
                               const char *variant) {
  for (size_t i = 0; i < r->nruns; i++)
    if (strcmp(r->runs[i].scenario, scenario) == 0 &&
        strcmp(r->runs[i].variant, variant) == 0 && !r->runs[i].fault)
      return &r->runs[i];
  return NULL;
}

static int lg_contains(const char *hay, const char *needle) {
  return hay && strstr(hay, needle) != NULL;
}

static int lg_file_contains(const char *path, const char *needle) {
  char *s = lg_read_file(path, NULL);
  int found = s && strstr(s, needle) != NULL;
  free(s);
  return found;
}

/* Runs one scenario alone (no control) and checks its verdict. */
static void lg_expect_verdict(const char *scenario, const char *variant,
                              int exit_code, lg_verdict_t verdict,
                              const char *evidence) {
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

static void test_c_clean(void) {
  int rc = lg_run("c_clean", "run", "--scenario", "clean", "--variant", "plain",
                  "--out", LG_TEST_OUT "/c_clean", NULL);
  ASSERT_EQ(rc, 0);
  lg_results_t r;
  ASSERT_EQ(lg_load(&r, lg_out), 0);
  const lg_run_t *run = lg_find(&r, "clean", "plain");
  ASSERT_TRUE(run != NULL);
  ASSERT_EQ(run->verdict, LG_V_PASS);
  ASSERT_TRUE(run->has_end);
  /* baseline + setup + 400/8 iterate samples + teardown */
  ASSERT_EQ(run->nsamples, 53);
  ASSERT_TRUE(lg_run_metric(run, "mallocInUse") != NULL);
  ASSERT_TRUE(lg_run_metric(run, "threads") != NULL);
  ASSERT_TRUE(r.nnoise > 0); /* clean is the test manifest's control */
  /* The reproduce command is complete: run from a shell with none of the
   * protocol variables set, it writes the whole probe stream again. */
  char *cmd = lg_fmt("env -u LEAKGATE_BUILD -u LEAKGATE_PROBE sh -c '%s' "
                     ">/dev/null 2>&1",
                     run->command);
  ASSERT_TRUE(strstr(run->command, "LEAKGATE_BUILD=") != NULL);
  ASSERT_TRUE(strchr(run->command, '\'') == NULL); /* quoted as above */
  lg_results_free(&r);
  char probe[4200];
  snprintf(probe, sizeof probe, "%s/runs/plain/clean/probe.jsonl", lg_out);
  ASSERT_EQ(unlink(probe), 0);
  int st = system(cmd);
  free(cmd);
  ASSERT_EQ(st, 0);
  ASSERT_TRUE(lg_file_contains(probe, "\"type\":\"end\""));
  const char *files[] = {"results.json", "junit.xml", "summary.md",
                         "report.html"};
  for (int i = 0; i < 4; i++) {
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", lg_out, files[i]);
    ASSERT_TRUE(lg_is_file(p));
  }
  char p[4200];
  snprintf(p, sizeof p, "%s/runs/plain/clean/probe.jsonl", lg_out);
  ASSERT_TRUE(lg_file_contains(p, "\"type\":\"end\""));
}

static void test_c_leak(void) {
  lg_expect_verdict("leak", "plain", 1, LG_V_LEAK, "mallocInUse");
}

static void test_c_expected_leak_caught(void) {
  lg_expect_verdict("leak-expected", "plain", 0, LG_V_PASS,
                    "expected LEAK caught");
}

static void test_c_expected_leak_missed(void) {
  lg_expect_verdict("clean-expect-leak", "plain", 1, LG_V_MISSED,
                    "expected LEAK was not detected");
}

static void test_c_crash(void) {
#ifdef LG_TEST_UBSAN
  /* UBSan reports the null store before the fault happens. */
  lg_expect_verdict("crash", "plain", 1, LG_V_ERROR,
                    "ubsan store to null pointer");
#else
  /* SIGSEGV, or the SEGV report of TSan's deadly-signal handler. */
  lg_expect_verdict("crash", "plain", 1, LG_V_CRASH, "SEGV");
#endif
}

/* Processes whose argv[0] is `path` (exactly), from /proc. */
static int lg_count_procs(const char *path) {
  DIR *d = opendir("/proc");
  int n = 0;
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9')
      continue;
    char f[300], arg0[4096];
    snprintf(f, sizeof f, "/proc/%s/cmdline", e->d_name);
    FILE *fp = fopen(f, "r");
    if (!fp)
      continue;
    size_t len = fread(arg0, 1, sizeof arg0 - 1, fp);
    fclose(fp);
    arg0[len] = '\0'; /* argv[0] ends at its own NUL */
    n += len > 0 && strcmp(arg0, path) == 0;
  }
  if (d)
    closedir(d);
  return n;
}

static void test_c_hang(void) {
  double t0 = lg_now_ms();
  lg_expect_verdict("hang", "plain", 1, LG_V_TIMEOUT, "timeout");
  CHECK_RETURN_IF_FAILED();
  ASSERT_LT(lg_now_ms() - t0, 30000);
  /* The whole group was killed: the forked child is gone too. Only this
   * build's program counts (another checkout may run the same test). */
  ASSERT_EQ(lg_count_procs(LG_TEST_SCEN_DIR "/lgt_hang"), 0);
}

static void test_c_garbage(void) {
  lg_expect_verdict("garbage", "plain", 1, LG_V_ERROR, "probe protocol error");
}

static void test_c_early_exit(void) {
  lg_expect_verdict("early-exit", "plain", 1, LG_V_CRASH, "exited early");
}

static void test_c_fdleak(void) {
  lg_expect_verdict("fdleak", "plain", 1, LG_V_RESOURCE,
                    "fds not back to baseline");
}

static void test_c_fail(void) {
  lg_expect_verdict("fail", "plain", 1, LG_V_ERROR, "iterate returned -5");
}

/* A detector that crashes at exit is re-run once; if it keeps crashing the
 * run is an infrastructure error (exit 3), never a verdict on the code. */
static void test_detector_crash_retried(void) {
  char mark[4200];
  snprintf(mark, sizeof mark, "%s/lsan-flake.mark", LG_TEST_OUT);
  lg_mkdirs(LG_TEST_OUT);
  unlink(mark);
  setenv("LG_FLAKE_MARK", mark, 1);
  lg_expect_verdict("lsan-flake", "plain", 0, LG_V_PASS, "re-run once");
  CHECK_RETURN_IF_FAILED();
  ASSERT_EQ(access(mark, F_OK), 0); /* the first attempt really crashed */
  lg_expect_verdict("lsan-broken", "plain", 3, LG_V_INFRA,
                    "LeakSanitizer itself crashed at exit on both attempts");
}

/* A process that writes its end record and then never exits is holding on
 * to something: RESOURCE after the grace period, not a long TIMEOUT. */
static void test_linger_after_end(void) {
  lg_expect_verdict("linger", "plain", 1, LG_V_RESOURCE,
                    "did not exit within 10 s of its end record");
}

/* `run --fault NAME` plants the fault in the selected runs (not in the
 * control) and the run fails with that defect's verdict; unknown names are
 * a usage error. */
static void test_run_with_fault(void) {
  char dir[4400];
  snprintf(dir, sizeof dir, "%s/run-fault", LG_TEST_OUT);
  int rc = lg_run("run-fault", "run", "--scenario", "faulty", "--variant",
                  "plain", "--fault", "leak", "--quiet", "--out", dir, NULL);
  ASSERT_EQ(rc, 1);
  lg_results_t r;
  ASSERT_EQ(lg_load(&r, dir), 0);
  int faulty_leak = 0, control_clean = 0;
  for (size_t i = 0; i < r.nruns; i++) {
    const lg_run_t *run = &r.runs[i];
    if (strcmp(run->scenario, "faulty") == 0 && run->fault &&
        strcmp(run->fault, "leak") == 0 && run->verdict == LG_V_LEAK)
      faulty_leak = 1;
    if (strcmp(run->scenario, "clean") == 0 && !run->fault &&
        run->verdict == LG_V_PASS)
      control_clean = 1;
  }
  lg_results_free(&r);
  ASSERT_TRUE(faulty_leak);
  ASSERT_TRUE(control_clean);
  ASSERT_EQ(lg_run("run-fault-bad", "run", "--scenario", "faulty", "--fault",
                   "no-such-fault", "--quiet", NULL),
            2);
  ASSERT_TRUE(lg_file_contains(lg_stderr_path, "not a planted defect"));
}

static void test_missing_program(void) {
  lg_expect_verdict("missing", "plain", 3, LG_V_INFRA, "not found");
}

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
  ASSERT_EQ(lg_run("gate-1", "gate", "--baseline", base,
                   LG_TEST_OUT "/gate-same", NULL),
            0);
  ASSERT_EQ(lg_run("gate-2", "gate", "--baseline", base,
                   LG_TEST_OUT "/gate-worse", NULL),
            1);
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
  ASSERT_EQ(lg_run("gate-3", "gate", "--baseline",
                   LG_TEST_OUT "/gate-worse/results.json",
                   LG_TEST_OUT "/gate-same", NULL),
            0);
  ASSERT_TRUE(
      lg_file_contains(LG_TEST_OUT "/gate-same/summary.md", "improvement"));
  /* The slim baseline of the same run gates the same way. */
  const char *slim = LG_TEST_OUT "/gate-slim.json";
  ASSERT_EQ(lg_run("gate-4", "baseline", LG_TEST_OUT "/gate-base", "--out",
                   slim, NULL),
            0);
  ASSERT_TRUE(lg_file_contains(slim, "\"schema\": \"leakgate-baseline\""));
  ASSERT_EQ(lg_run("gate-5", "gate", "--baseline", slim,
                   LG_TEST_OUT "/gate-same", NULL),
            0);
  ASSERT_EQ(lg_run("gate-6", "gate", "--baseline", slim,
                   LG_TEST_OUT "/gate-worse", NULL),
            1);
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

static void test_js_clean(void) {
  lg_expect_verdict("js-clean", "plain", 0, LG_V_PASS, "heapUsed");
}

static void test_js_leak(void) {
  lg_expect_verdict("js-leak", "plain", 1, LG_V_LEAK, "heapUsed grows");
}

static void test_js_async(void) {
  lg_expect_verdict("js-async", "plain", 0, LG_V_PASS, "heapUsed");
}

static void test_js_throws(void) {
  lg_expect_verdict("js-throws", "plain", 1, LG_V_ERROR, "planted failure");
}

/* Warm baseline: the threadpool and a kept descriptor, both started
 * lazily in the first iterations, are started by the probe's prewarm and
 * the scenario's prewarm() hook before the baseline sample. */
static void test_js_lazy(void) {
  lg_expect_verdict("js-lazy", "plain", 0, LG_V_PASS,
                    "back to baseline after teardown: threads, fds");
}

static void test_vg_clean(void) {
  lg_expect_verdict("clean", "vg", 0, LG_V_PASS, "back to baseline");
}

static void test_vg_leak(void) {
  /* Only valgrind runs this scenario here: its XML finding decides. */
  lg_expect_verdict("leak", "vg", 1, LG_V_LEAK, "valgrind Leak_DefinitelyLost");
}

/* The number of files in dir matching an fnmatch pattern. */
static size_t lg_count_files(const char *dir, const char *pattern) {
  char **names;
  size_t n = lg_list_dir(dir, pattern, &names);
  lg_strv_free(names, n);
  return n;
}

/* A scenario that plants a link and a FIFO where heapdiff's output goes
 * (heap-hostile.js): the run ends (no hang), nothing is written through the
 * link, and the attribution is still made. */
static void test_js_heap_hostile(void) {
  const char *dir = LG_TEST_OUT "/js_heap_hostile";
  ASSERT_EQ(lg_run("js_heap_hostile", "run", "--scenario", "js-heap-hostile",
                   "--variant", "plain", "--quiet", "--out", dir, NULL),
            1);
  char p[4200];
  snprintf(p, sizeof p, "%s/runs/plain/js-heap-hostile/victim.txt", dir);
  size_t len = 0;
  char *victim = lg_read_file(p, &len);
  ASSERT_TRUE(victim != NULL);
  int untouched = strcmp(victim, "victim\n") == 0;
  free(victim);
  ASSERT_TRUE(untouched);
  lg_results_t r;
  ASSERT_EQ(lg_load(&r, lg_out), 0);
  const lg_run_t *run = lg_find(&r, "js-heap-hostile", "plain");
  int ok = run && run->verdict == LG_V_LEAK && run->heap &&
           lg_contains(run->evidence, "JS heap over iterations 200..400: ");
  if (!ok && run)
    fprintf(stderr, "evidence: %s\n", run->evidence);
  lg_results_free(&r);
  ASSERT_TRUE(ok);
}

/* JS heap attribution (heapsnap.h): a JS run judged LEAK on heapUsed is
 * re-run with two heap snapshots; the evidence names what grew and how it
 * is held, results.json/summary.md/report.html carry it, the verdict stays
 * and the snapshots are deleted. */
static void test_js_heap_attribution(void) {
  const char *dir = LG_TEST_OUT "/js_heap_attribution";
  ASSERT_EQ(lg_run("js_heap_attribution", "run", "--scenario", "js-heap-growth",
                   "--variant", "plain", "--quiet", "--out", dir, NULL),
            1);
  lg_results_t r;
  ASSERT_EQ(lg_load(&r, lg_out), 0);
  const lg_run_t *run = lg_find(&r, "js-heap-growth", "plain");
  ASSERT_TRUE(run != NULL);
  if (!run->heap || !lg_contains(run->evidence, "JS heap over iterations"))
    fprintf(stderr, "evidence: %s\n", run->evidence);
  ASSERT_EQ(run->verdict, LG_V_LEAK);
  ASSERT_TRUE(run->heap != NULL);
  /* first judged sample (warm-up 200, one sample every 40) .. +200 */
  ASSERT_EQ(run->heap->from, 200);
  ASSERT_EQ(run->heap->to, 400);
  ASSERT_TRUE(run->heap->note == NULL);
  ASSERT_STR_EQ(run->heap->dir, "runs/plain/js-heap-growth/heapsnap");
  ASSERT_TRUE(lg_contains(run->evidence, "JS heap over iterations 200..400: "));
  ASSERT_TRUE(lg_contains(run->evidence, "+1 Planted ("));
  ASSERT_TRUE(lg_contains(run->evidence, " per iteration; retained by "));
  /* One Planted, one closure of line 34 per iteration, each with a path. */
  int planted = 0, closure = 0;
  for (size_t i = 0; i < run->heap->ngrowers; i++) {
    const lg_grower_t *g = &run->heap->growers[i];
    char *path = lg_grower_path(g, 0);
    if (strcmp(g->name, "Planted") == 0) {
      planted = g->count == 200 && g->size > 0 &&
                lg_contains(path, "Registry.items -> Array -> Planted");
      if (!planted)
        fprintf(stderr, "Planted %+g (%s)\n", g->count, path);
    }
    if (strcmp(g->kind, "closure") == 0 && g->location &&
        strcmp(g->location, "heap-growth.js:34") == 0) {
      closure = g->count == 200 && lg_contains(path, "Registry.listeners");
      if (!closure)
        fprintf(stderr, "closure %+g (%s)\n", g->count, path);
    }
    free(path);
  }
  lg_results_free(&r);
  ASSERT_TRUE(planted);
  ASSERT_TRUE(closure);
  char p[4200];
  snprintf(p, sizeof p, "%s/summary.md", dir);
  ASSERT_TRUE(lg_file_contains(p, "## JS heap attribution"));
  ASSERT_TRUE(lg_file_contains(p, "heap-growth.js:34"));
  snprintf(p, sizeof p, "%s/report.html", dir);
  ASSERT_TRUE(lg_file_contains(p, "<h3>JS heap attribution</h3>"));
  ASSERT_TRUE(lg_file_contains(p, "Registry.items"));
  snprintf(p, sizeof p, "%s/runs/plain/js-heap-growth/heapsnap", dir);
  ASSERT_EQ(lg_count_files(p, "*.heapsnapshot"), 0);
  ASSERT_EQ(lg_count_files(p, "heapdiff.json"), 1);
}

/* --heapsnap off changes nothing but the attribution; --keep-heapsnap keeps
 * the two snapshots; a clean JS run gets none; bad option values are usage
 * errors, and selftest does not take the options. */
static void test_js_heap_options(void) {
  const char *dir = LG_TEST_OUT "/js_heap_off";
  ASSERT_EQ(lg_run("js_heap_off", "run", "--scenario", "js-heap-growth",
                   "--variant", "plain", "--quiet", "--heapsnap", "off",
                   "--out", dir, NULL),
            1);
  lg_results_t r;
  ASSERT_EQ(lg_load(&r, lg_out), 0);
  const lg_run_t *run = lg_find(&r, "js-heap-growth", "plain");
  ASSERT_TRUE(run != NULL);
  int off_ok = run->verdict == LG_V_LEAK && run->heap == NULL &&
               !lg_contains(run->evidence, "JS heap");
  lg_results_free(&r);
  ASSERT_TRUE(off_ok);
  char p[4200];
  snprintf(p, sizeof p, "%s/runs/plain/js-heap-growth/heapsnap", dir);
  ASSERT_TRUE(!lg_is_dir(p));

  dir = LG_TEST_OUT "/js_heap_keep";
  ASSERT_EQ(lg_run("js_heap_keep", "run", "--scenario", "js-heap-growth",
                   "--scenario", "js-clean", "--variant", "plain", "--quiet",
                   "--keep-heapsnap", "--out", dir, NULL),
            1);
  snprintf(p, sizeof p, "%s/runs/plain/js-heap-growth/heapsnap", dir);
  ASSERT_EQ(lg_count_files(p, "heap-200.heapsnapshot"), 1);
  ASSERT_EQ(lg_count_files(p, "heap-400.heapsnapshot"), 1);
  ASSERT_EQ(lg_load(&r, lg_out), 0);
  const lg_run_t *leak = lg_find(&r, "js-heap-growth", "plain");
  const lg_run_t *clean = lg_find(&r, "js-clean", "plain");
  int keep_ok = leak && leak->heap && leak->heap->ngrowers > 0 && clean &&
                clean->verdict == LG_V_PASS && clean->heap == NULL;
  lg_results_free(&r);
  ASSERT_TRUE(keep_ok);
  snprintf(p, sizeof p, "%s/runs/plain/js-clean/heapsnap", dir);
  ASSERT_TRUE(!lg_is_dir(p));

  ASSERT_EQ(lg_run("heapsnap-usage1", "run", "--heapsnap", "always", NULL), 2);
  ASSERT_TRUE(lg_file_contains(lg_stderr_path, "expected auto, leak or off"));
  ASSERT_EQ(lg_run("heapsnap-usage2", "selftest", "--heapsnap", "auto", NULL),
            2);
}

static const check_case_t cases[] = {
    {"c_clean", test_c_clean},
    {"c_leak", test_c_leak},
    {"c_expected_leak_caught", test_c_expected_leak_caught},
    {"c_expected_leak_missed", test_c_expected_leak_missed},
    {"c_crash", test_c_crash},
    {"c_hang", test_c_hang},
    {"c_garbage", test_c_garbage},
    {"c_early_exit", test_c_early_exit},
    {"c_fdleak", test_c_fdleak},
    {"c_fail", test_c_fail},
    {"detector_crash_retried", test_detector_crash_retried},
    {"linger_after_end", test_linger_after_end},
    {"run_with_fault", test_run_with_fault},
    {"missing_program", test_missing_program},
    {"bad_manifest", test_bad_manifest},
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
    {"js_clean", test_js_clean},
    {"js_leak", test_js_leak},
    {"js_async", test_js_async},
    {"js_throws", test_js_throws},
    {"js_lazy", test_js_lazy},
    {"js_heap_attribution", test_js_heap_attribution},
    {"js_heap_hostile", test_js_heap_hostile},
    {"js_heap_options", test_js_heap_options},
    {"vg_clean", test_vg_clean},
    {"vg_leak", test_vg_leak},
    {NULL, NULL}};

CHECK_MAIN(cases)
