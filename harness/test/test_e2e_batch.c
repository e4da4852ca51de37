/* End-to-end tests of batched runs (runner_batch.c; harness/README.md,
 * "Batched runs"): variant "jsbatch" of the test manifest runs its JS
 * scenarios in one node process, "jsone" is the same variant without the
 * batch. A clean batch gives each scenario its own PASS run, directory and
 * stream; anything not clean falls back to runs of their own whose
 * verdicts are exactly jsone's; filters and shards select as without it. */
#include <jansson.h>
#include <stdbool.h>
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
  /* The first line only: the loader stops after the first JSON value. */
  json_t *meta = json_load_file(path, JSON_DISABLE_EOF_CHECK, NULL);
  json_t *pid = json_object_get(meta, "pid");
  long long v = json_is_integer(pid) ? json_integer_value(pid) : -1;
  json_decref(meta);
  return v;
}

/* Two runs of the same four scenarios: as one batch (variant jsbatch) and
 * one process each (jsone, the same variant without the batch). */
typedef struct lg_pair_s {
  lg_results_t batch, one;
  char batch_out[2200]; /* the batch run's output directory */
  const char *const *names;
} lg_pair_t;

static void lg_pair_fini(void *p) {
  lg_results_free(&((lg_pair_t *)p)->batch);
  lg_results_free(&((lg_pair_t *)p)->one);
}

/* Runs `names` (four scenarios) as a batch into LG_TEST_OUT/<name> and one
 * process each into LG_TEST_OUT/<name>_one; both runs must exit with
 * want_rc and load four runs. Returns the pair, released after the test, or
 * NULL with the difference printed. */
static lg_pair_t *lg_run_pair(const char *name, const char *const names[4],
                              int want_rc) {
  static const char *const variants[] = {"jsbatch", "jsone"};
  lg_pair_t *pair = check_alloc(sizeof *pair, lg_pair_fini);
  pair->names = names;
  for (int k = 0; k < 2; k++) {
    lg_results_t *r = k == 0 ? &pair->batch : &pair->one;
    char case_name[200], dir[2200];
    snprintf(case_name, sizeof case_name, "%s%s", name, k ? "_one" : "");
    snprintf(dir, sizeof dir, "%s/%s", LG_TEST_OUT, case_name);
    int rc =
        lg_run(case_name, "run", "--variant", variants[k], "--quiet", "--out",
               dir, "--scenario", names[0], "--scenario", names[1],
               "--scenario", names[2], "--scenario", names[3], NULL);
    if (k == 0)
      snprintf(pair->batch_out, sizeof pair->batch_out, "%s", lg_out);
    if (lg_load(r, lg_out) != 0 || rc != want_rc || r->nruns != 4) {
      fprintf(stderr, "%s: exit %d (want %d), %zu runs\n", case_name, rc,
              want_rc, r->nruns);
      return NULL;
    }
  }
  return pair;
}

/* Scenario i of the pair: its batched run *rb and its run alone *ro, both
 * with verdict `want` and the same finding count. Returns false (printing
 * both evidences) otherwise. */
static bool lg_pair_at(const lg_pair_t *pair, size_t i, lg_verdict_t want,
                       const lg_run_t **rb, const lg_run_t **ro) {
  *rb = lg_find(&pair->batch, pair->names[i], "jsbatch");
  *ro = lg_find(&pair->one, pair->names[i], "jsone");
  bool ok = *rb && *ro && (*rb)->verdict == want && (*ro)->verdict == want &&
            (*rb)->detected == (*ro)->detected;
  if (!ok)
    fprintf(stderr, "%s: batch %s / alone %s\n", pair->names[i],
            *rb ? (*rb)->evidence : "(missing)",
            *ro ? (*ro)->evidence : "(missing)");
  return ok;
}

/* A clean batch: one process ran the four scenarios (same pid in each
 * stream), each has its own PASS run, run directory, stream and wall time,
 * each saw its own environment (env.js checks), and the verdicts are
 * jsone's. */
static void test_batch_clean(void) {
  static const char *const names[] = {"js-clean", "js-async", "js-env-a",
                                      "js-env-b"};
  const lg_pair_t *pair = lg_run_pair("batch_clean", names, 0);
  ASSERT_TRUE(pair != NULL);
  long long pid0 = -1, pid_one0 = -1;
  for (size_t i = 0; i < 4; i++) {
    const lg_run_t *rb, *ro;
    ASSERT_TRUE(lg_pair_at(pair, i, LG_V_PASS, &rb, &ro));
    char want_dir[200];
    snprintf(want_dir, sizeof want_dir, "runs/jsbatch/%s", names[i]);
    ASSERT_TRUE(rb->has_end && rb->wall_s > 0);
    ASSERT_EQ(rb->iterations_done, ro->iterations_done);
    ASSERT_STR_EQ(rb->run_dir, want_dir);
    ASSERT_TRUE(lg_contains(rb->evidence, "run in one process with the "
                                          "batch's 3 other JS runs "
                                          "(batches/jsbatch/js)"));
    ASSERT_TRUE(!lg_contains(ro->evidence, "batch"));
    long long pid = lg_stream_pid(pair->batch_out, rb);
    long long pid_one = lg_stream_pid(LG_TEST_OUT "/batch_clean_one", ro);
    if (i == 0) {
      pid0 = pid;
      pid_one0 = pid_one;
    }
    ASSERT_TRUE(pid > 0 && pid == pid0 && pid_one > 0);
    ASSERT_TRUE(i == 0 || pid_one != pid_one0);
  }
  char p[4400];
  snprintf(p, sizeof p, "%s/batches/jsbatch/js/batch.jsonl", pair->batch_out);
  ASSERT_TRUE(lg_file_contains(p, "\"type\":\"scenario_end\",\"index\":3"));
  ASSERT_TRUE(lg_file_contains(p, "\"type\":\"end\",\"status\":\"ok\""));
}

/* A batch with a failing (js-throws: ERROR) and a dying (js-crash: SIGKILL,
 * CRASH) scenario falls back: every scenario runs in a process of its own,
 * the verdicts are exactly jsone's, and each run says why it ran alone. */
static void test_batch_fallback(void) {
  static const char *const names[] = {"js-clean", "js-throws", "js-crash",
                                      "js-env-a"};
  static const lg_verdict_t want[] = {LG_V_PASS, LG_V_ERROR, LG_V_CRASH,
                                      LG_V_PASS};
  const lg_pair_t *pair = lg_run_pair("batch_fallback", names, 1);
  ASSERT_TRUE(pair != NULL);
  long long pids[4] = {0};
  for (size_t i = 0; i < 4; i++) {
    const lg_run_t *rb, *ro;
    ASSERT_TRUE(lg_pair_at(pair, i, want[i], &rb, &ro));
    ASSERT_TRUE(lg_contains(rb->evidence, "run on its own: its batch "
                                          "(batches/jsbatch/js) "));
    ASSERT_TRUE(lg_contains(rb->evidence, "js-throws"));
    pids[i] = lg_stream_pid(pair->batch_out, rb);
  }
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
 * (exit 2) naming the key. The valgrind preset batches its JS runs (so it
 * is refused with JS slopes judged), and "batch": "none" turns that off. */
static void test_batch_refused(void) {
  static const struct {
    const char *variant, *msg; /* msg NULL: accepted (exit 0) */
  } cases[] = {
      {"{\"name\": \"x\", \"build\": \".\", \"batch\": \"js\"}",
       "key 'variants[0].batch': expected no \"batch\" where JS slopes are "
       "judged"},
      {"{\"name\": \"x\", \"build\": \".\", \"batch\": \"js\", \"langs\": "
       "[\"c\"], \"slope_langs\": [\"c\"]}",
       "key 'variants[0].batch': expected no \"batch\": the variant runs no JS "
       "scenarios"},
      {"{\"name\": \"x\", \"build\": \".\", \"batch\": \"c\", \"slope_langs\": "
       "[\"c\"]}",
       "key 'variants[0].batch': expected \"js\" or \"none\""},
      {"{\"preset\": \"valgrind\", \"slope_langs\": [\"c\", \"js\"]}",
       "key 'variants[0].batch': expected no \"batch\" where JS slopes are "
       "judged"},
      {"{\"preset\": \"valgrind\", \"slope_langs\": [\"c\", \"js\"], "
       "\"batch\": \"none\"}",
       NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char dir[2200], mf[2300], errp[2300];
    snprintf(dir, sizeof dir, "%s/batch_refused%zu", LG_TEST_OUT, i);
    lg_mkdirs(dir);
    snprintf(mf, sizeof mf, "%s/manifest.json", dir);
    snprintf(errp, sizeof errp, "%s/stderr", dir);
    char *doc = lg_fmt("{\"version\": 1, \"variants\": [%s], \"scenarios\": "
                       "[{\"name\": \"s\", \"lang\": \"js\", \"program\": "
                       "\"s.js\"}]}",
                       cases[i].variant);
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
    const char *msg = cases[i].msg;
    ASSERT_EQ(waitpid(pid, &st, 0), pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != (msg ? 2 : 0) ||
        (msg && !lg_file_contains(errp, msg))) {
      char *e = lg_read_file(errp, NULL);
      fprintf(stderr, "case %zu: want: %s\ngot:  %s\n", i, msg ? msg : "exit 0",
              e ? e : "");
      free(e);
    }
    ASSERT_TRUE(WIFEXITED(st));
    ASSERT_EQ(WEXITSTATUS(st), msg ? 2 : 0);
    ASSERT_TRUE(!msg || lg_file_contains(errp, msg));
  }
}

static const check_case_t cases[] = {{"batch_clean", test_batch_clean},
                                     {"batch_fallback", test_batch_fallback},
                                     {"batch_select", test_batch_select},
                                     {"batch_findings", test_batch_findings},
                                     {"batch_refused", test_batch_refused},
                                     {NULL, NULL}};

CHECK_MAIN(cases)
