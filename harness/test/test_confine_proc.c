/* Hardening tests (issue 14): processes a scenario leaves behind are found,
 * reported and stopped, alone and with --jobs 2 (confine_util.h). */
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

/* Every pid listed in dir/pids is gone (not even a zombie). */
static int lg_pids_gone(const char *dir, size_t *npids) {
  char *p = lg_path_join(dir, "pids");
  char *s = lg_read_file(p, NULL);
  free(p);
  *npids = 0;
  if (!s)
    return 0;
  int all_gone = 1;
  for (char *q = s; *q;) {
    char *end;
    long pid = strtol(q, &end, 10);
    if (end == q)
      break;
    (*npids)++;
    if (pid > 1 && (kill((pid_t)pid, 0) == 0 || errno != ESRCH)) {
      fprintf(stderr, "pid %ld still exists\n", pid);
      kill((pid_t)pid, SIGKILL); /* leave nothing behind either way */
      all_gone = 0;
    }
    q = end;
    while (*q == '\n')
      q++;
  }
  free(s);
  return all_gone;
}

/* A process that looks like the run's (same LEAKGATE_PROBE) but is not
 * leakgate's descendant: a stale leftover of an earlier leakgate. */
static pid_t lg_stale_process(const char *out, const char *scenario) {
  char *real = lg_realpath(out);
  char *env0 =
      lg_fmt("LEAKGATE_PROBE=%s/runs/plain/%s/probe.jsonl", real, scenario);
  free(real);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    char *envp[] = {env0, NULL};
    execle("/bin/sleep", "sleep", "60", (char *)NULL, envp);
    _exit(127);
  }
  free(env0);
  return pid;
}

static void lg_expect_leftover(const char *scenario, const char *comm) {
  char *outc = lg_scratch_dir(scenario);
  pid_t stale = lg_stale_process(outc, scenario);
  ASSERT_TRUE(stale > 0);
  int rc = lg_run_one(scenario, scenario, "plain", outc);
  /* Not blamed on this run, not killed by it. */
  int stale_alive = kill(stale, 0) == 0;
  kill(stale, SIGKILL);
  waitpid(stale, NULL, 0);
  ASSERT_EQ(rc, 1);
  ASSERT_TRUE(stale_alive);
  ASSERT_TRUE(lg_verdict_is(outc, scenario, LG_V_RESOURCE, "left 1 process",
                            comm, NULL));
  char rd[4400];
  snprintf(rd, sizeof rd, "%s/runs/plain/%s", outc, scenario);
  size_t n;
  ASSERT_TRUE(lg_pids_gone(rd, &n));
  ASSERT_EQ(n, 1);
}

/* A grandchild that called setsid() left the process group: before, it
 * outlived the run and leakgate, unreported. */
static void test_proc_escape(void) {
  lg_expect_leftover("proc-escape", "lgt_escape");
}

/* A child left in the group: before, killed silently. */
static void test_proc_group(void) {
  lg_expect_leftover("proc-group", "lgt_escape");
}

/* An escapee that also dropped its environment: with --jobs 1 it can
 * only be the finishing run's. */
static void test_proc_noenv(void) {
  lg_expect_leftover("proc-noenv", "sleep");
}

/* ... with --jobs 2 it cannot be attributed for certain: no run is blamed
 * (a documented limitation), but it is killed before leakgate exits and a
 * warning names it. */
static void test_proc_noenv_jobs2(void) {
  char *outc = lg_scratch_dir("proc-noenv-jobs2");
  ASSERT_EQ(lg_run_m("proc-noenv-jobs2", LG_TEST_MANIFEST, "run", "--jobs", "2",
                     "--scenario", "proc-noenv", "--scenario", "hang",
                     "--variant", "plain", "--out", outc, "--quiet", NULL),
            1);
  char rd[4400];
  snprintf(rd, sizeof rd, "%s/runs/plain/proc-noenv", outc);
  size_t n;
  ASSERT_TRUE(lg_pids_gone(rd, &n));
  ASSERT_EQ(n, 1);
  ASSERT_TRUE(lg_file_contains(lg_stderr_path, "warning: killed 1 process"));
  ASSERT_TRUE(lg_verdict_is(outc, "hang", LG_V_TIMEOUT, "!left", NULL));
}

/* With --jobs 2 the escaped process is blamed on its own run only. */
static void test_proc_jobs2(void) {
  char *outc = lg_scratch_dir("proc-jobs2");
  ASSERT_EQ(lg_run_m("proc-jobs2", LG_TEST_MANIFEST, "run", "--jobs", "2",
                     "--scenario", "proc-escape", "--scenario", "clean",
                     "--scenario", "fdleak", "--variant", "plain", "--out",
                     outc, "--quiet", NULL),
            1);
  ASSERT_TRUE(lg_verdict_is(outc, "proc-escape", LG_V_RESOURCE,
                            "left 1 process", NULL));
  ASSERT_TRUE(lg_verdict_is(outc, "clean", LG_V_PASS, NULL));
  ASSERT_TRUE(lg_verdict_is(outc, "fdleak", LG_V_RESOURCE, "!left", NULL));
  char rd[4400];
  snprintf(rd, sizeof rd, "%s/runs/plain/proc-escape", outc);
  size_t n;
  ASSERT_TRUE(lg_pids_gone(rd, &n));
  ASSERT_EQ(n, 1);
}

static const check_case_t cases[] = {
    {"proc_escape", test_proc_escape},
    {"proc_group", test_proc_group},
    {"proc_jobs2", test_proc_jobs2},
    {"proc_noenv", test_proc_noenv},
    {"proc_noenv_jobs2", test_proc_noenv_jobs2},
    {NULL, NULL}};

CHECK_MAIN(cases)
