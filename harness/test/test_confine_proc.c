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
  const char *out = lg_scratch(scenario);
  char outc[4300];
  snprintf(outc, sizeof outc, "%s", out);
  pid_t stale = lg_stale_process(outc, scenario);
  ASSERT_TRUE(stale > 0);
  int rc = lg_run(scenario, "--root", LG_ROOT_DIR, "--manifest",
                  LG_TEST_MANIFEST, "run", "--scenario", scenario, "--variant",
                  "plain", "--out", outc, "--quiet", NULL);
  /* Not blamed on this run, not killed by it. */
  int stale_alive = kill(stale, 0) == 0;
  kill(stale, SIGKILL);
  waitpid(stale, NULL, 0);
  ASSERT_EQ(rc, 1);
  ASSERT_TRUE(stale_alive);
  lg_verdict_t v;
  char *ev = NULL;
  ASSERT_EQ(lg_verdict_of(outc, scenario, &v, &ev), 0);
  int ok = v == LG_V_RESOURCE && ev && strstr(ev, "left 1 process") &&
           strstr(ev, comm);
  if (!ok)
    fprintf(stderr, "got %s: %s\n", lg_verdict_name(v), ev);
  free(ev);
  ASSERT_TRUE(ok);
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
  const char *out = lg_scratch("proc-noenv-jobs2");
  char outc[4300];
  snprintf(outc, sizeof outc, "%s", out);
  ASSERT_EQ(lg_run("proc-noenv-jobs2", "--root", LG_ROOT_DIR, "--manifest",
                   LG_TEST_MANIFEST, "run", "--jobs", "2", "--scenario",
                   "proc-noenv", "--scenario", "hang", "--variant", "plain",
                   "--out", outc, "--quiet", NULL),
            1);
  char rd[4400];
  snprintf(rd, sizeof rd, "%s/runs/plain/proc-noenv", outc);
  size_t n;
  ASSERT_TRUE(lg_pids_gone(rd, &n));
  ASSERT_EQ(n, 1);
  ASSERT_TRUE(lg_file_contains(lg_stderr_path, "warning: killed 1 process"));
  lg_verdict_t v;
  char *ev = NULL;
  ASSERT_EQ(lg_verdict_of(outc, "hang", &v, &ev), 0);
  int ok = v == LG_V_TIMEOUT && ev && !strstr(ev, "left");
  free(ev);
  ASSERT_TRUE(ok);
}

/* With --jobs 2 the escaped process is blamed on its own run only. */
static void test_proc_jobs2(void) {
  const char *out = lg_scratch("proc-jobs2");
  char outc[4300];
  snprintf(outc, sizeof outc, "%s", out);
  ASSERT_EQ(lg_run("proc-jobs2", "--root", LG_ROOT_DIR, "--manifest",
                   LG_TEST_MANIFEST, "run", "--jobs", "2", "--scenario",
                   "proc-escape", "--scenario", "clean", "--scenario", "fdleak",
                   "--variant", "plain", "--out", outc, "--quiet", NULL),
            1);
  lg_verdict_t v;
  char *ev = NULL;
  ASSERT_EQ(lg_verdict_of(outc, "proc-escape", &v, &ev), 0);
  int ok = v == LG_V_RESOURCE && ev && strstr(ev, "left 1 process");
  free(ev);
  ASSERT_TRUE(ok);
  ASSERT_EQ(lg_verdict_of(outc, "clean", &v, &ev), 0);
  free(ev);
  ASSERT_EQ(v, LG_V_PASS);
  ASSERT_EQ(lg_verdict_of(outc, "fdleak", &v, &ev), 0);
  ok = v == LG_V_RESOURCE && ev && !strstr(ev, "left");
  free(ev);
  ASSERT_TRUE(ok);
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
