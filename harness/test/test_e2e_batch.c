/* End-to-end tests of batched runs (runner_batch.c; harness/README.md,
 * "Batched runs"): variant "jsbatch" of the test manifest runs its JS
 * scenarios in one node process, "jsone" is the same variant without the
 * batch. A clean batch gives each scenario its own PASS run, directory and
 * stream; anything not clean falls back to runs of their own whose
 * verdicts are exactly jsone's; filters and shards select as without it. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "e2e_util.h"
#include "util.h"

/* The pid in the meta record of a run's probe stream, or -1. */
static long long lg_stream_pid(const char *out, const lg_run_t *run) {
  char path[4400];
  snprintf(path, sizeof path, "%s/%s/probe.jsonl", out, run->run_dir);
  char *s = lg_read_file(path, NULL);
  char *nl = s ? strchr(s, '\n') : NULL;
  long long pid = -1;
  if (nl) {
    json_error_t je;
    json_t *o = json_loadb(s, (size_t)(nl - s), 0, &je);
    json_t *p = json_object_get(o, "pid");
    if (json_is_integer(p))
      pid = json_integer_value(p);
    json_decref(o);
  }
  free(s);
  return pid;
}

/* Runs the scenario globs in variant into LG_TEST_OUT/<name>; returns the
 * exit code and loads the results into *r. */
static int lg_run_sel(const char *name, const char *variant, const char *g1,
                      const char *g2, const char *g3, const char *g4,
                      lg_results_t *r) {
  char dir[2200];
  snprintf(dir, sizeof dir, "%s/%s", LG_TEST_OUT, name);
  int rc = lg_run(name, "run", "--variant", variant, "--quiet", "--out", dir,
                  "--scenario", g1, "--scenario", g2, "--scenario", g3,
                  "--scenario", g4, NULL);
  if (lg_load(r, lg_out) != 0)
    return -1;
  return rc;
}

/* A clean batch: one process ran the four scenarios (same pid in each
 * stream), each has its own PASS run, run directory, stream and wall time,
 * each saw its own environment (env.js checks), and the verdicts are
 * jsone's. */
static void test_batch_clean(void) {
  lg_results_t b, one;
  ASSERT_EQ(lg_run_sel("batch_clean", "jsbatch", "js-clean", "js-async",
                       "js-env-a", "js-env-b", &b),
            0);
  char bout[2200];
  snprintf(bout, sizeof bout, "%s", lg_out);
  ASSERT_EQ(lg_run_sel("batch_clean_one", "jsone", "js-clean", "js-async",
                       "js-env-a", "js-env-b", &one),
            0);
  static const char *const names[] = {"js-clean", "js-async", "js-env-a",
                                      "js-env-b"};
  int ok = b.nruns == 4 && one.nruns == 4;
  long long pid0 = -1, pid_one0 = -1;
  int distinct_one = 1;
  for (size_t i = 0; ok && i < 4; i++) {
    const lg_run_t *rb = lg_find(&b, names[i], "jsbatch");
    const lg_run_t *ro = lg_find(&one, names[i], "jsone");
    char want_dir[200];
    snprintf(want_dir, sizeof want_dir, "runs/jsbatch/%s", names[i]);
    ok = rb && ro && rb->verdict == LG_V_PASS && ro->verdict == LG_V_PASS &&
         rb->detected == ro->detected && rb->has_end && rb->wall_s > 0 &&
         rb->iterations_done == ro->iterations_done &&
         strcmp(rb->run_dir, want_dir) == 0 &&
         lg_contains(rb->evidence, "run in one process with the batch's 3 "
                                   "other JS runs (batches/jsbatch/js)") &&
         !lg_contains(ro->evidence, "batch");
    if (!ok) {
      fprintf(stderr, "%s: batch %s / alone %s\n", names[i],
              rb ? rb->evidence : "(missing)", ro ? ro->evidence : "(missing)");
      break;
    }
    long long pid = lg_stream_pid(bout, rb);
    long long pid_one = lg_stream_pid(LG_TEST_OUT "/batch_clean_one", ro);
    if (i == 0) {
      pid0 = pid;
      pid_one0 = pid_one;
    }
    ok = pid > 0 && pid == pid0 && pid_one > 0;
    distinct_one &= i == 0 || pid_one != pid_one0;
  }
  lg_results_free(&b);
  lg_results_free(&one);
  ASSERT_TRUE(ok);
  ASSERT_TRUE(distinct_one);
  char p[4400];
  snprintf(p, sizeof p, "%s/batches/jsbatch/js/batch.jsonl", bout);
  ASSERT_TRUE(lg_file_contains(p, "\"type\":\"scenario_end\",\"index\":3"));
  ASSERT_TRUE(lg_file_contains(p, "\"type\":\"end\",\"status\":\"ok\""));
}

/* A batch with a failing (js-throws: ERROR) and a dying (js-crash: SIGKILL,
 * CRASH) scenario falls back: every scenario runs in a process of its own,
 * the verdicts are exactly jsone's, and each run says why it ran alone. */
static void test_batch_fallback(void) {
  lg_results_t b, one;
  ASSERT_EQ(lg_run_sel("batch_fallback", "jsbatch", "js-clean", "js-throws",
                       "js-crash", "js-env-a", &b),
            1);
  char bout[2200];
  snprintf(bout, sizeof bout, "%s", lg_out);
  ASSERT_EQ(lg_run_sel("batch_fallback_one", "jsone", "js-clean", "js-throws",
                       "js-crash", "js-env-a", &one),
            1);
  static const char *const names[] = {"js-clean", "js-throws", "js-crash",
                                      "js-env-a"};
  static const lg_verdict_t want[] = {LG_V_PASS, LG_V_ERROR, LG_V_CRASH,
                                      LG_V_PASS};
  int ok = b.nruns == 4 && one.nruns == 4;
  long long pids[4] = {0};
  for (size_t i = 0; ok && i < 4; i++) {
    const lg_run_t *rb = lg_find(&b, names[i], "jsbatch");
    const lg_run_t *ro = lg_find(&one, names[i], "jsone");
    ok = rb && ro && rb->verdict == want[i] && ro->verdict == want[i] &&
         rb->detected == ro->detected &&
         lg_contains(rb->evidence, "run on its own: its batch "
                                   "(batches/jsbatch/js) ") &&
         lg_contains(rb->evidence, "js-throws");
    if (!ok)
      fprintf(stderr, "%s: batch %s / alone %s\n", names[i],
              rb ? rb->evidence : "(missing)", ro ? ro->evidence : "(missing)");
    if (ok)
      pids[i] = lg_stream_pid(bout, rb);
  }
  lg_results_free(&b);
  lg_results_free(&one);
  ASSERT_TRUE(ok);
  /* js-clean and js-env-a ran in processes of their own. */
  ASSERT_TRUE(pids[0] > 0 && pids[3] > 0 && pids[0] != pids[3]);
}

/* --scenario and --shard select the same runs with a batch: shard 1/2 of
 * (js-clean, js-env-a, js-env-b) is js-clean and js-env-b, batched; shard
 * 2/2 is js-env-a alone, a batch of one: a run of its own. */
static void test_batch_select(void) {
  char dir[2200];
  snprintf(dir, sizeof dir, "%s/batch_shard1", LG_TEST_OUT);
  ASSERT_EQ(lg_run("batch_shard1", "run", "--variant", "jsbatch", "--quiet",
                   "--out", dir, "--scenario", "js-env-*", "--scenario",
                   "js-clean", "--shard", "1/2", NULL),
            0);
  lg_results_t r;
  ASSERT_EQ(lg_load(&r, lg_out), 0);
  const lg_run_t *c = lg_find(&r, "js-clean", "jsbatch");
  const lg_run_t *eb = lg_find(&r, "js-env-b", "jsbatch");
  int ok = r.nruns == 2 && c && eb && c->verdict == LG_V_PASS &&
           eb->verdict == LG_V_PASS && !lg_find(&r, "js-env-a", "jsbatch") &&
           lg_stream_pid(dir, c) == lg_stream_pid(dir, eb) &&
           lg_contains(eb->evidence, "batch's 1 other JS run");
  if (!ok && eb)
    fprintf(stderr, "shard 1/2: %zu runs; %s\n", r.nruns, eb->evidence);
  lg_results_free(&r);
  ASSERT_TRUE(ok);
  char p[4400];
  snprintf(p, sizeof p, "%s/batches/jsbatch/js/batch.json", dir);
  char *plan = lg_read_file(p, NULL);
  ASSERT_TRUE(plan != NULL);
  int two = lg_contains(plan, "\"scenario\":\"js-clean\"") &&
            lg_contains(plan, "\"scenario\":\"js-env-b\"") &&
            !lg_contains(plan, "js-env-a");
  free(plan);
  ASSERT_TRUE(two);

  snprintf(dir, sizeof dir, "%s/batch_shard2", LG_TEST_OUT);
  ASSERT_EQ(lg_run("batch_shard2", "run", "--variant", "jsbatch", "--quiet",
                   "--out", dir, "--scenario", "js-env-*", "--scenario",
                   "js-clean", "--shard", "2/2", NULL),
            0);
  ASSERT_EQ(lg_load(&r, lg_out), 0);
  const lg_run_t *ea = lg_find(&r, "js-env-a", "jsbatch");
  ok = r.nruns == 1 && ea && ea->verdict == LG_V_PASS &&
       !lg_contains(ea->evidence, "batch");
  lg_results_free(&r);
  ASSERT_TRUE(ok);
  snprintf(p, sizeof p, "%s/batches", dir);
  ASSERT_TRUE(!lg_is_dir(p));
}

/* Detector findings (variant jsvg: its wrapper copies a valgrind XML
 * fixture in as the report): findings outside our code (node's own, as
 * under memcheck in every node process) leave the batch clean and are
 * noted; findings in our code make it fall back, and each run of its own
 * then reports them (ERROR), as it would without the batch. */
static void test_batch_findings(void) {
  static const struct {
    const char *fixture;
    lg_verdict_t verdict;
    const char *evidence;
    size_t nfindings;
  } cases[] = {
      {"vg_node.xml", LG_V_PASS,
       "run in one process with the batch's 1 other JS run (batches/jsvg/js: "
       "1 finding outside our code listed there, not failing)",
       0},
      {"vg_invalid.xml", LG_V_ERROR,
       "run on its own: its batch (batches/jsvg/js) had 2 findings in our code",
       2},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char name[64], dir[2200], xml[1024];
    snprintf(name, sizeof name, "batch_findings%zu", i);
    snprintf(dir, sizeof dir, "%s/%s", LG_TEST_OUT, name);
    snprintf(xml, sizeof xml, "%s/harness/test/fixtures/%s", LG_ROOT_DIR,
             cases[i].fixture);
    setenv("LG_VG_XML", xml, 1);
    int rc = lg_run(name, "run", "--variant", "jsvg", "--quiet", "--out", dir,
                    "--scenario", "js-clean", "--scenario", "js-env-a", NULL);
    unsetenv("LG_VG_XML");
    ASSERT_EQ(rc, cases[i].verdict == LG_V_PASS ? 0 : 1);
    lg_results_t r;
    ASSERT_EQ(lg_load(&r, lg_out), 0);
    int ok = r.nruns == 2;
    for (size_t k = 0; ok && k < r.nruns; k++) {
      const lg_run_t *run = &r.runs[k];
      ok = run->verdict == cases[i].verdict &&
           run->nfindings == cases[i].nfindings &&
           lg_contains(run->evidence, cases[i].evidence);
      if (!ok)
        fprintf(stderr, "%s: %s\n", run->scenario, run->evidence);
    }
    lg_results_free(&r);
    ASSERT_TRUE(ok);
  }
}

/* "batch" where JS slopes are judged (or no JS runs) is a manifest error
 * (exit 2) naming the key. */
static void test_batch_refused(void) {
  static const struct {
    const char *variant, *msg;
  } bad[] = {
      {"{\"name\": \"x\", \"build\": \".\", \"batch\": \"js\"}",
       "key 'variants[0].batch': expected no \"batch\" where JS slopes are "
       "judged"},
      {"{\"name\": \"x\", \"build\": \".\", \"batch\": \"js\", \"langs\": "
       "[\"c\"], \"slope_langs\": [\"c\"]}",
       "key 'variants[0].batch': expected no \"batch\": the variant runs no JS "
       "scenarios"},
      {"{\"name\": \"x\", \"build\": \".\", \"batch\": \"c\", \"slope_langs\": "
       "[\"c\"]}",
       "key 'variants[0].batch': expected \"js\""},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char dir[2200], mf[2300], errp[2300];
    snprintf(dir, sizeof dir, "%s/batch_refused%zu", LG_TEST_OUT, i);
    lg_mkdirs(dir);
    snprintf(mf, sizeof mf, "%s/manifest.json", dir);
    snprintf(errp, sizeof errp, "%s/stderr", dir);
    char *doc = lg_fmt("{\"version\": 1, \"variants\": [%s], \"scenarios\": "
                       "[{\"name\": \"s\", \"lang\": \"js\", \"program\": "
                       "\"s.js\"}]}",
                       bad[i].variant);
    ASSERT_EQ(lg_write_file(mf, doc, strlen(doc)), 0);
    free(doc);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
      if (!freopen("/dev/null", "w", stdout) || !freopen(errp, "w", stderr))
        _exit(126);
      execl(LG_BIN, LG_BIN, "--manifest", mf, "list", (char *)NULL);
      _exit(127);
    }
    int st = 0;
    ASSERT_EQ(waitpid(pid, &st, 0), pid);
    ASSERT_TRUE(WIFEXITED(st));
    ASSERT_EQ(WEXITSTATUS(st), 2);
    if (!lg_file_contains(errp, bad[i].msg)) {
      char *e = lg_read_file(errp, NULL);
      fprintf(stderr, "want: %s\ngot:  %s\n", bad[i].msg, e ? e : "");
      free(e);
    }
    ASSERT_TRUE(lg_file_contains(errp, bad[i].msg));
  }
}

static const check_case_t cases[] = {{"batch_clean", test_batch_clean},
                                     {"batch_fallback", test_batch_fallback},
                                     {"batch_select", test_batch_select},
                                     {"batch_findings", test_batch_findings},
                                     {"batch_refused", test_batch_refused},
                                     {NULL, NULL}};

CHECK_MAIN(cases)
