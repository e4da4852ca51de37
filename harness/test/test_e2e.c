/* End-to-end tests: run the leakgate binary over the tiny scenario programs
 * of test/scen (manifest: test/manifest.json) and check verdicts, evidence
 * and exit codes: the C scenarios, detectors and faults (the command line
 * and report files: test_e2e_cli.c; JS scenarios: test_e2e_js.c). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "e2e_util.h"
#include "util.h"

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

LG_VERDICT_TEST(c_leak, "leak", "plain", 1, LG_V_LEAK, "mallocInUse")

LG_VERDICT_TEST(c_expected_leak_caught, "leak-expected", "plain", 0, LG_V_PASS,
                "expected LEAK caught")

LG_VERDICT_TEST(c_expected_leak_missed, "clean-expect-leak", "plain", 1,
                LG_V_MISSED, "expected LEAK was not detected")

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

LG_VERDICT_TEST(c_garbage, "garbage", "plain", 1, LG_V_ERROR,
                "probe protocol error")

LG_VERDICT_TEST(c_early_exit, "early-exit", "plain", 1, LG_V_CRASH,
                "exited early")

LG_VERDICT_TEST(c_fdleak, "fdleak", "plain", 1, LG_V_RESOURCE,
                "fds not back to baseline")

LG_VERDICT_TEST(c_fail, "fail", "plain", 1, LG_V_ERROR, "iterate returned -5")

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
LG_VERDICT_TEST(linger_after_end, "linger", "plain", 1, LG_V_RESOURCE,
                "did not exit within 10 s of its end record")

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

LG_VERDICT_TEST(missing_program, "missing", "plain", 3, LG_V_INFRA, "not found")

LG_VERDICT_TEST(vg_clean, "clean", "vg", 0, LG_V_PASS, "back to baseline")

/* Only valgrind runs this scenario here: its XML finding decides. */
LG_VERDICT_TEST(vg_leak, "leak", "vg", 1, LG_V_LEAK,
                "valgrind Leak_DefinitelyLost")

/* Early stopping (harness/README.md, "Early stopping"): slow-clean sleeps
 * 4 ms per iteration (1000 of them, a sample every 10 after 100 of warm-up),
 * so the runner reads its samples while it runs and stops it once
 * mallocInUse, its one thresholded metric, has passed the rule; the end of
 * run still happens (teardown sample, exact checks). */
/* Runs `scenario` in plain into out dir `name`, with `flag` (or NULL), and
 * expects exit code want_rc; *r gets the results (freed by the caller) and
 * *run the scenario's run (NULL when an assertion failed). */
static void lg_early_run(const char *name, const char *scenario,
                         const char *flag, int want_rc, lg_results_t *r,
                         const lg_run_t **run) {
  char out[2048];
  snprintf(out, sizeof out, "%s/%s", LG_TEST_OUT, name);
  *run = NULL;
  memset(r, 0, sizeof *r);
  int rc = lg_run(name, "run", "--scenario", scenario, "--variant", "plain",
                  "--out", out, flag, NULL);
  ASSERT_EQ(rc, want_rc);
  ASSERT_EQ(lg_load(r, lg_out), 0);
  *run = lg_find(r, scenario, "plain");
}

/* A run that did all of its 1000 iterations and says nothing of a stop. */
static int lg_ran_in_full(const lg_run_t *run) {
  return run && run->iterations_done == 1000 && run->stop_look == 0 &&
         run->stop_reason == NULL && !lg_contains(run->evidence, "stopped");
}

static void test_early_stop_clean(void) {
  lg_results_t r;
  const lg_run_t *run;
  lg_early_run("early_stop_clean", "slow-clean", NULL, 0, &r, &run);
  ASSERT_TRUE(run != NULL);
  ASSERT_EQ(run->verdict, LG_V_PASS);
  ASSERT_EQ(run->iterations, 1000);
  /* Never before the 60% look: 100 + 10 * (floor(0.6 * 91) - 1) = 630. */
  ASSERT_TRUE(run->iterations_done >= 630);
  ASSERT_TRUE(run->iterations_done < 1000);
  ASSERT_TRUE(run->stop_look >= 60 && run->stop_look <= 90);
  ASSERT_TRUE(run->stop_reason && lg_contains(run->stop_reason, "mallocInUse"));
  ASSERT_TRUE(lg_contains(run->evidence, "stopped early at"));
  ASSERT_TRUE(lg_contains(run->evidence, "back to baseline after teardown"));
  /* The last sample is the final one, at the iterations done. */
  ASSERT_TRUE(run->nsamples > 0);
  ASSERT_TRUE(strcmp(run->sphase[run->nsamples - 1], "teardown") == 0);
  ASSERT_EQ(run->si[run->nsamples - 1], run->iterations_done);
  lg_results_free(&r);
  char p[4200];
  snprintf(p, sizeof p, "%s/summary.md", lg_out);
  ASSERT_TRUE(lg_file_contains(p, "stopped early at"));
  snprintf(p, sizeof p, "%s/report.html", lg_out);
  ASSERT_TRUE(lg_file_contains(p, "stopped early at"));
}

/* The same scenario leaking 64 B per iteration is never stopped: LEAK over
 * its full window. */
static void test_early_stop_leak_runs_full(void) {
  lg_results_t r;
  const lg_run_t *run;
  lg_early_run("early_stop_leak", "slow-leak", NULL, 1, &r, &run);
  ASSERT_TRUE(run != NULL);
  ASSERT_EQ(run->verdict, LG_V_LEAK);
  ASSERT_TRUE(lg_ran_in_full(run));
  lg_results_free(&r);
}

/* --no-early-stop: the clean run does all of its iterations, and no stop
 * file is made. (The test manifest's defaults.early_stop false keeps every
 * other run, the control included, in full.) */
static void test_early_stop_opt_out(void) {
  lg_results_t r;
  const lg_run_t *run;
  lg_early_run("early_stop_off", "slow-clean", "--no-early-stop", 0, &r, &run);
  ASSERT_TRUE(run != NULL);
  ASSERT_EQ(run->verdict, LG_V_PASS);
  ASSERT_TRUE(lg_ran_in_full(run));
  const lg_run_t *clean = lg_find(&r, "clean", "plain");
  ASSERT_TRUE(clean != NULL);
  ASSERT_EQ(clean->iterations_done, 400);
  lg_results_free(&r);
  char p[4200];
  snprintf(p, sizeof p, "%s/runs/plain/slow-clean/stop", lg_out);
  ASSERT_TRUE(!lg_is_file(p));
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
    {"vg_clean", test_vg_clean},
    {"vg_leak", test_vg_leak},
    {"early_stop_clean", test_early_stop_clean},
    {"early_stop_leak_runs_full", test_early_stop_leak_runs_full},
    {"early_stop_opt_out", test_early_stop_opt_out},
    {NULL, NULL}};

CHECK_MAIN(cases)
