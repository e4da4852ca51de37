/* Hardening tests (issue 14): runs interrupted by SIGINT keep a partial
 * results.json, a stderr flood under `ulimit -v` and progress that stops are
 * bounded, and a crash keeps its verdict and text (confine_util.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
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

/* Processes whose environment has a LEAKGATE_PROBE under dir: what runs
 * writing there left alive (other worktrees' tests are not counted). */
static int lg_marked_processes(const char *dir) {
  char *real = lg_realpath(dir);
  char *key = lg_fmt("LEAKGATE_PROBE=%s/", real ? real : dir);
  free(real);
  char **names;
  size_t n = lg_list_dir("/proc", "[0-9]*", &names);
  int count = 0;
  for (size_t i = 0; i < n; i++) {
    char path[300];
    snprintf(path, sizeof path, "/proc/%s/environ", names[i]);
    size_t len = 0;
    char *env = lg_read_capped(path, 1 << 18, 0, &len, NULL);
    for (size_t k = 0; env && k < len; k += strlen(env + k) + 1)
      if (strncmp(env + k, key, strlen(key)) == 0) {
        fprintf(stderr, "left: pid %s\n", names[i]);
        count++;
        break;
      }
    free(env);
  }
  lg_strv_free(names, n);
  free(key);
  return count;
}

/* results.json is rewritten after every finished run with "complete":
 * false; SIGINT keeps the finished runs (exit 3, still incomplete); a run
 * that ends normally writes "complete": true. */
static void test_results_partial_sigint(void) {
  char *outc = lg_scratch_dir("partial");
  char res[4400];
  snprintf(res, sizeof res, "%s/results.json", outc);
  char *args[LG_ONE_RUN_NARGS];
  lg_one_run_args(args, "hang", "plain", outc);
  pid_t pid = lg_startv("partial", args);
  ASSERT_TRUE(pid > 0);
  /* The control (clean) runs first; hang then stops at iteration 10 and
   * would time out at 2 s: interrupt it before. */
  int seen = 0;
  for (int tries = 0; tries < 400 && !seen; tries++) {
    lg_results_t r;
    char *err = NULL;
    if (lg_is_file(res) && lg_results_load(res, &r, &err) == 0) {
      seen = r.incomplete && r.nruns == 1 &&
             strcmp(r.runs[0].scenario, "clean") == 0 &&
             r.runs[0].verdict == LG_V_PASS;
      lg_results_free(&r);
    }
    free(err);
    if (!seen)
      usleep(5000);
  }
  kill(pid, SIGINT);
  int st = 0;
  waitpid(pid, &st, 0);
  ASSERT_TRUE(seen);
  ASSERT_TRUE(WIFEXITED(st));
  ASSERT_EQ(WEXITSTATUS(st), 3);
  lg_results_t r;
  char *err = NULL;
  ASSERT_EQ(lg_results_load(res, &r, &err), 0);
  int incomplete = r.incomplete, n = (int)r.nruns, clean_pass = 0,
      hang_interrupted = 0;
  for (size_t i = 0; i < r.nruns; i++) {
    clean_pass |= strcmp(r.runs[i].scenario, "clean") == 0 &&
                  r.runs[i].verdict == LG_V_PASS;
    hang_interrupted |= strcmp(r.runs[i].scenario, "hang") == 0 &&
                        r.runs[i].verdict == LG_V_INFRA && r.runs[i].evidence &&
                        strstr(r.runs[i].evidence, "interrupted");
  }
  lg_results_free(&r);
  ASSERT_TRUE(incomplete);
  ASSERT_EQ(n, 2);
  ASSERT_TRUE(clean_pass);
  ASSERT_TRUE(hang_interrupted);
  ASSERT_TRUE(lg_file_contains(res, "\"complete\": false"));
  ASSERT_EQ(lg_marked_processes(outc), 0); /* hang and its child are gone */
  /* A run that finishes is complete. */
  ASSERT_EQ(lg_run_one("partial-2", "clean", "plain", outc), 0);
  ASSERT_EQ(lg_results_load(res, &r, &err), 0);
  incomplete = r.incomplete;
  lg_results_free(&r);
  ASSERT_TRUE(!incomplete);
  ASSERT_TRUE(lg_file_contains(res, "\"complete\": true"));
}

/* 200 MiB of stderr with a sanitizer report at its very end, leakgate
 * under a 200 MB address-space limit: before, stderr.log was read whole
 * (exit 3, out of memory); now head and tail are read, the report is
 * found and the evidence says what was skipped. */
static void test_stderr_flood_ulimit(void) {
  char *outc = lg_scratch_dir("stderr-flood");
  setenv("LG_FLOOD_MB", "200", 1);
  char *argv[4 + LG_ONE_RUN_NARGS] = {
      (char *)"/bin/bash", (char *)"-c",
      (char *)"ulimit -v 200000 && exec \"$0\" \"$@\"", (char *)LG_BIN};
  lg_one_run_args(argv + 4, "stderr-flood", "plain", outc);
  int rc = lg_execv("stderr-flood", argv);
  unsetenv("LG_FLOOD_MB");
  lg_verdict_t v = LG_V_PASS;
  char *ev = NULL;
  int loaded = lg_verdict_of(outc, "stderr-flood", &v, &ev) == 0;
  char rd[4400];
  snprintf(rd, sizeof rd, "%s/runs", outc);
  lg_rmtree(rd); /* 200 MiB: do not keep it */
  int ok = loaded && v == LG_V_ERROR && ev &&
           strstr(ev, "heap-use-after-free") &&
           strstr(ev, "stderr.log 210 MB") && strstr(ev, "not read");
  if (!ok)
    fprintf(stderr, "exit %d, got %s: %s\n", rc, lg_verdict_name(v), ev);
  free(ev);
  ASSERT_EQ(rc, 1);
  ASSERT_TRUE(ok);
}

/* On a terminal, the live progress line reads the probe stream
 * incrementally (bounded per tick): a 128 MiB stream does not delay the
 * 3 s timeout. Before, every tick re-read and re-parsed the whole file. */
static void test_progress_timeout(void) {
  char *outc = lg_scratch_dir("probe-flood");
  setenv("LG_TEST_SCEN_DIR", LG_TEST_SCEN_DIR, 1);
  setenv("LG_TEST_BUILD", LG_TEST_BUILD, 1);
  setenv("LG_FLOOD_MB", "128", 1);
  fflush(NULL);
  int master;
  pid_t pid = forkpty(&master, NULL, NULL, NULL);
  if (pid == 0) {
    execl(LG_BIN, LG_BIN, "--root", LG_ROOT_DIR, "--manifest", LG_TEST_MANIFEST,
          "run", "--scenario", "probe-flood", "--variant", "plain", "--out",
          outc, (char *)NULL);
    _exit(127);
  }
  unsetenv("LG_FLOOD_MB");
  ASSERT_TRUE(pid > 0);
  /* Drain the terminal (else leakgate blocks writing to it). */
  char buf[4096];
  size_t progress_lines = 0;
  for (;;) {
    ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0)
      break; /* EIO once the child side is closed */
    for (ssize_t i = 0; i + 3 < n; i++)
      progress_lines += memcmp(buf + i, "... ", 4) == 0;
  }
  close(master);
  int st = 0;
  waitpid(pid, &st, 0);
  char res[4400];
  snprintf(res, sizeof res, "%s/results.json", outc);
  lg_results_t r;
  char *err = NULL;
  int loaded = lg_results_load(res, &r, &err) == 0;
  free(err);
  double wall = -1, timeout = 0;
  lg_verdict_t v = LG_V_PASS;
  for (size_t i = 0; loaded && i < r.nruns; i++)
    if (strcmp(r.runs[i].scenario, "probe-flood") == 0) {
      wall = r.runs[i].wall_s;
      timeout = r.runs[i].timeout_s;
      v = r.runs[i].verdict;
    }
  if (loaded)
    lg_results_free(&r);
  char rd[4400];
  snprintf(rd, sizeof rd, "%s/runs", outc);
  lg_rmtree(rd);
  fprintf(stderr,
          "probe-flood: %s after %.2f s (timeout %.1f s), %zu live "
          "lines\n",
          lg_verdict_name(v), wall, timeout, progress_lines);
  ASSERT_TRUE(loaded);
  ASSERT_EQ(v, LG_V_TIMEOUT);
  ASSERT_TRUE(progress_lines > 0); /* the live line was really drawn */
  ASSERT_TRUE(timeout > 0 && wall > 0);
  ASSERT_TRUE(wall < timeout + 1.0);
}

/* Issue 13: the LSan crash text printed by a scenario in a variant without
 * LSan is only text - the real LEAK stands (was: re-run, then INFRA). */
static void test_crash_text_no_lsan(void) {
  char *outc = lg_scratch_dir("lsan-text");
  ASSERT_EQ(lg_run_one("lsan-text", "lsan-text-leak", "nosan", outc), 1);
  ASSERT_TRUE(lg_verdict_is(outc, "lsan-text-leak", LG_V_LEAK, "!LeakSanitizer",
                            "!re-run", NULL));
}

/* Where LSan runs and crashes at exit on both attempts, a real LEAK is
 * kept, the crash noted (was: INFRA, the LEAK discarded). */
static void test_crash_keeps_verdict(void) {
  char *outc = lg_scratch_dir("lsan-crash");
  ASSERT_EQ(lg_run_one("lsan-crash", "lsan-crash-leak", "plain", outc), 1);
  ASSERT_TRUE(lg_verdict_is(
      outc, "lsan-crash-leak", LG_V_LEAK,
      "LeakSanitizer itself crashed at exit on both attempts", NULL));
}

static const check_case_t cases[] = {
    {"results_partial_sigint", test_results_partial_sigint},
    {"stderr_flood_ulimit", test_stderr_flood_ulimit},
    {"progress_timeout", test_progress_timeout},
    {"crash_text_no_lsan", test_crash_text_no_lsan},
    {"crash_keeps_verdict", test_crash_keeps_verdict},
    {NULL, NULL}};

CHECK_MAIN(cases)
