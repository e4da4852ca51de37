/* Unit tests of release gating (gate.c) over result sets built in memory
 * (gate_fixtures.h): the verdict, finding, slope and peak rules, and the
 * slim baseline file. Their tolerances and one-sided rows: test_gate_rows.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "check.h"
#include "detect.h"
#include "gate.h"
#include "gate_fixtures.h"
#include "leakclass.h"
#include "manifest.h"
#include "model.h"
#include "runner.h"
#include "util.h"

/* ---- gate rules ---------------------------------------------------------- */

static void test_pass_to_fail_is_regression(void) {
  lg_results_t base = {0}, cur = {0};
  lg_mkrun(&base, "worker-poll.c", "asan", "pass", LG_V_PASS);
  lg_mkrun(&cur, "worker-poll.c", "asan", "pass", LG_V_LEAK);
  lg_gate_mem(&base, &cur);
  int ok = cur.gate_ok;
  size_t reg = lg_count(&cur, LG_G_REGRESSION, "verdict");
  lg_results_free(&base);
  lg_results_free(&cur);
  ASSERT_TRUE(!ok);
  ASSERT_EQ(reg, 1);
}

static void test_fail_to_fail_is_still_failing(void) {
  lg_results_t base = {0}, cur = {0};
  lg_mkrun(&base, "worker-poll.c", "asan", "pass", LG_V_LEAK);
  lg_mkrun(&cur, "worker-poll.c", "asan", "pass", LG_V_LEAK);
  lg_mkrun(&base, "raw-handoff.c", "asan", "pass", LG_V_ERROR);
  lg_mkrun(&cur, "raw-handoff.c", "asan", "pass", LG_V_CRASH);
  /* and the way back: failed in the baseline, passes now */
  lg_mkrun(&base, "slot-ring-wrap.c", "asan", "pass", LG_V_LEAK);
  lg_mkrun(&cur, "slot-ring-wrap.c", "asan", "pass", LG_V_PASS);
  lg_gate_mem(&base, &cur);
  int ok = cur.gate_ok;
  size_t still = lg_count(&cur, LG_G_STILL_FAILING, "verdict");
  size_t reg = lg_count(&cur, LG_G_REGRESSION, NULL);
  size_t imp = lg_count(&cur, LG_G_IMPROVEMENT, "verdict");
  int changed = strstr(cur.gate[1].note, "CRASH (baseline ERROR)") != NULL;
  lg_results_free(&base);
  lg_results_free(&cur);
  ASSERT_TRUE(ok);
  ASSERT_EQ(still, 2);
  ASSERT_EQ(reg, 0);
  ASSERT_EQ(imp, 1);
  ASSERT_TRUE(changed);
}

/* The false FAIL of issue 13: forgotten-unsubscribe.js (expect LEAK) leaked
 * faster than in the baseline, which is no regression. The same numbers on
 * a scenario expected to pass are one. */
static void test_negative_control_slope_not_compared(void) {
  for (int expect_pass = 0; expect_pass < 2; expect_pass++) {
    lg_results_t base = {0}, cur = {0};
    const char *exp = expect_pass ? "pass" : "LEAK";
    lg_run_t *b =
        lg_mkrun(&base, "forgotten-unsubscribe.js", "asan", exp, LG_V_PASS);
    lg_run_t *c =
        lg_mkrun(&cur, "forgotten-unsubscribe.js", "asan", exp, LG_V_PASS);
    lg_mkmetric(b, "heapUsed", 181.6, 64, 1e6);
    lg_mkmetric(c, "heapUsed", 877.8, 64, 1e6);
    b->metrics[0].exact = c->metrics[0].exact = 1;
    c->metrics[0].v[1] = c->metrics[0].v[2] = 1000 + 1e8; /* the peak grew
                                                             as well */
    /* and a new finding, also not the negative control's business */
    lg_mkfinding(c, "addon_subscribe", "/r/addon/src/addon.c", 40,
                 "/r/build/evstore.node");
    lg_gate_mem(&base, &cur);
    int ok = cur.gate_ok;
    size_t rows = cur.ngate;
    size_t slope = lg_count(&cur, LG_G_REGRESSION, "heapUsed slope /it");
    size_t peak = lg_count(&cur, LG_G_REGRESSION, "heapUsed peak growth");
    size_t finding = lg_count(&cur, LG_G_REGRESSION, "finding");
    lg_results_free(&base);
    lg_results_free(&cur);
    if (expect_pass) {
      ASSERT_TRUE(!ok);
      ASSERT_EQ(slope, 1);
      ASSERT_EQ(peak, 1);
      ASSERT_EQ(finding, 1);
    } else {
      ASSERT_TRUE(ok);
      ASSERT_EQ(rows, 1); /* the verdict alone */
    }
  }
}

/* Slopes the run did not judge: a variant that judges slopes only for C
 * (valgrind smoke of node), or a metric without a threshold. */
static void test_unjudged_slope_not_compared(void) {
  for (int judged = 0; judged < 2; judged++) {
    lg_results_t base = {0}, cur = {0};
    lg_run_t *b, *c;
    lg_mkpair(&base, &cur, "subscribe-churn.js", "valgrind", &b, &c);
    lg_mkmetric(b, "heapUsed", 100, 64, 0);
    lg_mkmetric(c, "heapUsed", 20500, 64, 0);
    lg_mkmetric(b, "rss", 10, NAN, 0);   /* never thresholded */
    lg_mkmetric(c, "rss", 9000, NAN, 0); /* primary, yet not judged */
    c->slopes_judged = judged;
    b->slopes_judged = judged;
    lg_gate_mem(&base, &cur);
    int ok = cur.gate_ok;
    size_t heap = lg_count(&cur, LG_G_REGRESSION, "heapUsed slope /it");
    size_t rss = 0;
    for (size_t i = 0; i < cur.ngate; i++)
      rss += strncmp(cur.gate[i].what, "rss", 3) == 0;
    lg_results_free(&base);
    lg_results_free(&cur);
    ASSERT_EQ(rss, 0);
    ASSERT_EQ(heap, (size_t)judged);
    ASSERT_EQ(ok, !judged);
  }
  /* One side judged only (the baseline came from a variant that did not):
   * not compared either. */
  lg_results_t base = {0}, cur = {0};
  lg_run_t *b, *c;
  lg_mkpair(&base, &cur, "x.c", "valgrind", &b, &c);
  lg_mkmetric(b, "mallocInUse", 0, 16, 0);
  lg_mkmetric(c, "mallocInUse", 15, 16, 0);
  b->slopes_judged = 0;
  c->has_end = 0; /* an incomplete run judged nothing */
  lg_gate_mem(&base, &cur);
  size_t n = lg_count(&cur, LG_G_REGRESSION, "mallocInUse slope /it");
  lg_results_free(&base);
  lg_results_free(&cur);
  ASSERT_EQ(n, 0);
}

/* rss peaks are never compared, even where rss is judged in a C process:
 * page-granular growth differs from run to run (a false FAIL seen on a
 * fresh clone: control-noop.c/release 4 KiB in the baseline, 68 KiB now).
 * mallocInUse peaks of the same run still are. */
static void test_rss_peak_not_compared(void) {
  lg_results_t base = {0}, cur = {0};
  lg_run_t *b, *c;
  lg_mkpair(&base, &cur, "control-noop.c", "release", &b, &c);
  lg_mkmetric(b, "rss", 0, 8192, 4096);
  lg_mkmetric(c, "rss", 0, 8192, 69632);
  lg_mkmetric(b, "mallocInUse", 0, 16, 1000);
  lg_mkmetric(c, "mallocInUse", 0, 16, 900000);
  lg_gate_mem(&base, &cur);
  size_t rss = lg_count(&cur, LG_G_REGRESSION, "rss peak growth");
  size_t heap = lg_count(&cur, LG_G_REGRESSION, "mallocInUse peak growth");
  lg_results_free(&base);
  lg_results_free(&cur);
  ASSERT_EQ(rss, 0);
  ASSERT_EQ(heap, 1);
}

/* Series for the two tests below: 100 window samples. */
static double lg_one(size_t k) {
  (void)k;
  return 1;
}
static double lg_blip(size_t k) {
  return k == 60 ? 2 : 1;
}
static double lg_held(size_t k) {
  return k == 60 || k == 61 ? 2 : 1;
}
static double lg_flat2(size_t k) {
  return 1000 + 2.0 * 20 * (double)k;
}
static double lg_step(size_t k) {
  return k < 50 ? 1000 : 60000;
}
static double lg_ramp(size_t k) {
  return 1000 + 40.0 * 20 * (double)k + (double)(k % 3);
}

/* What the gate made of a pair of passing runs of scenario/release whose
 * metric (threshold as lg_mkseries's; exact: an exact counter) followed
 * f_base in the baseline and f_cur now. */
typedef struct lg_series_gate_s {
  double slope;      /* the current run's fitted slope */
  size_t reg;        /* regression rows on the row named `what` */
  size_t step_notes; /* ok rows whose note says "one-time step" */
  int ok;            /* the gate passed */
} lg_series_gate_t;

static lg_series_gate_t lg_gate_series(const char *scenario, const char *metric,
                                       double threshold, int exact,
                                       double (*f_base)(size_t),
                                       double (*f_cur)(size_t),
                                       const char *what) {
  lg_results_t base = {0}, cur = {0};
  lg_run_t *b, *c;
  lg_mkpair(&base, &cur, scenario, "release", &b, &c);
  lg_mkseries(b, metric, threshold, 100, f_base, NAN)->exact = exact;
  lg_metric_t *m = lg_mkseries(c, metric, threshold, 100, f_cur, NAN);
  m->exact = exact;
  lg_series_gate_t g = {.slope = m->trend.slope};
  lg_gate_mem(&base, &cur);
  g.reg = lg_count(&cur, LG_G_REGRESSION, what);
  for (size_t i = 0; i < cur.ngate; i++)
    g.step_notes += cur.gate[i].status == LG_G_OK && cur.gate[i].note &&
                    strstr(cur.gate[i].note, "one-time step") != NULL;
  g.ok = cur.gate_ok;
  lg_results_free(&base);
  lg_results_free(&cur);
  return g;
}

/* An exact counter's peak is the level it held, not one sample: a joined
 * thread still listed in /proc/self/task for one sample under load (seen
 * on shutdown-join.c/release, 3 of 10 runs under two CPU hogs) is no
 * regression; a thread held over two samples is. */
static void test_transient_peak_not_regression(void) {
  double (*const series[])(size_t) = {lg_blip, lg_held};
  for (int held = 0; held < 2; held++) {
    lg_series_gate_t g =
        lg_gate_series("shutdown-join.c", "threads", NAN, 1, lg_one,
                       series[held], "threads peak growth");
    ASSERT_EQ(g.reg, (size_t)held);
    ASSERT_EQ(g.ok, !held);
  }
}

/* A slope beyond baseline + tolerance is a regression only when the run's
 * own step-robust rule, judged against baseline + tolerance, finds a
 * significant, persistent rise: one step in the window (seen on
 * value-ring-wrap.js/release under load, mallocInUse fitted > 18 B/it
 * against 2.1 + 16) is shown as ok with the reason; steady growth is a
 * regression. */
static void test_step_slope_not_regression(void) {
  double (*const series[])(size_t) = {lg_step, lg_ramp};
  for (int ramp = 0; ramp < 2; ramp++) {
    lg_series_gate_t g =
        lg_gate_series("value-ring-wrap.js", "mallocInUse", 16, 0, lg_flat2,
                       series[ramp], "mallocInUse slope /it");
    /* Fitted beyond 2 + 16 either way: the step at mid-window gives a
     * Theil-Sen slope of about 30 B/it, the ramp 40. */
    ASSERT_TRUE(g.slope > 18);
    ASSERT_EQ(g.reg, (size_t)ramp);
    ASSERT_EQ(g.step_notes, (size_t)!ramp);
    ASSERT_EQ(g.ok, !ramp);
  }
}

static void test_new_finding_keyed_path_independently(void) {
  lg_results_t base = {0}, cur = {0};
  base.root = lg_xstrdup("/work/main");
  cur.root = lg_xstrdup("/builds/ci/leakgate/");
  lg_run_t *b, *c;
  lg_mkpair(&base, &cur, "worker-poll.c", "asan", &b, &c);
  /* same site, different checkouts */
  lg_mkfinding(b, "evs_worker_poll", "/work/main/core/src/worker.c", 88,
               "/work/main/build/asan/core/libevstore.so");
  lg_mkfinding(c, "evs_worker_poll", "/builds/ci/leakgate/core/src/worker.c",
               88, "/builds/ci/leakgate/build/asan/core/libevstore.so");
  /* a module without line information, installed elsewhere */
  lg_mkfinding(b, "addon_open", NULL, 0, "/work/main/build/asan/evstore.node");
  lg_mkfinding(c, "addon_open", NULL, 0,
               "/usr/lib/node_modules/evstore/build/Release/evstore.node");
  /* same basename, another directory: a different site */
  lg_mkfinding(c, "evs_worker_poll", "/builds/ci/leakgate/addon/src/worker.c",
               88, "/x/evstore.node");
  lg_gate_mem(&base, &cur);
  int ok = cur.gate_ok;
  size_t reg = lg_count(&cur, LG_G_REGRESSION, "finding");
  size_t gone = lg_count(&cur, LG_G_IMPROVEMENT, "finding");
  char *note = reg ? lg_xstrdup(cur.gate[cur.ngate - 1].note) : NULL;
  char *k1 = lg_finding_key(&c->findings[0], cur.root);
  char *k2 = lg_finding_key(&c->findings[1], cur.root);
  /* The relocatable build's paths (CMakeLists.txt, "Compiler cache"):
   * as compiled in build/asan (sanitizers), and joined with the mapped
   * compile directory (valgrind), key the same site. */
  const char *rel[] = {
      "../../core/src/worker.c", "./build/valgrind/../../core/src/worker.c",
      "core/./src/x/../worker.c", "../../../core/src/worker.c"};
  int same = 0;
  for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
    free(c->findings[0].stacks[0].frames[1].file);
    c->findings[0].stacks[0].frames[1].file = lg_xstrdup(rel[i]);
    char *k = lg_finding_key(&c->findings[0], cur.root);
    same += strcmp(k, k1) == 0;
    free(k);
  }
  lg_results_free(&base);
  lg_results_free(&cur);
  ASSERT_STR_EQ(k1, "lsan direct-leak at evs_worker_poll core/src/worker.c:88");
  ASSERT_STR_EQ(k2, "lsan direct-leak at addon_open (evstore.node)");
  ASSERT_EQ(same, 4);
  free(k1);
  free(k2);
  ASSERT_TRUE(!ok);
  ASSERT_EQ(reg, 1);
  ASSERT_EQ(gone, 0);
  ASSERT_TRUE(note && strstr(note, "addon/src/worker.c:88"));
  free(note);
}

/* A site LSan prints as 21 records (the same allocation reached through 21
 * call paths) is one gate row, with the counts summed. */
static void test_duplicate_stacks_one_row(void) {
  lg_results_t base = {0}, cur = {0};
  lg_mkrun(&base, "subscribe-churn.c", "asan", "pass", LG_V_PASS);
  lg_run_t *c = lg_mkrun(&cur, "subscribe-churn.c", "asan", "pass", LG_V_LEAK);
  for (int i = 0; i < 21; i++) {
    lg_finding_t *f = lg_mkfinding(c, "evs__sub_new", "/r/core/src/sub.c", 31,
                                   "/r/build/libevstore.so");
    /* different callers further up */
    lg_stack_t *s = &f->stacks[0];
    s->frames = lg_xrealloc(s->frames, 3 * sizeof *s->frames);
    memset(&s->frames[2], 0, sizeof s->frames[2]);
    s->frames[2].fn = lg_fmt("scn_caller_%d", i);
    s->nframes = 3;
  }
  lg_gate_mem(&base, &cur);
  size_t rows = lg_count(&cur, LG_G_REGRESSION, "finding");
  int summed = 0;
  for (size_t i = 0; i < cur.ngate; i++)
    summed |= strcmp(cur.gate[i].what, "finding") == 0 &&
              strstr(cur.gate[i].note,
                     "(1344 bytes in 21 blocks, 21 stack records)") != NULL;
  lg_results_free(&base);
  lg_results_free(&cur);
  ASSERT_EQ(rows, 1);
  ASSERT_TRUE(summed);
}

static void test_slim_baseline_round_trip(void) {
  lg_results_t base = {0};
  base.root = lg_xstrdup("/work/main");
  base.created = lg_xstrdup("2026-12-02T00:00:00Z");
  base.schema = LG_SCHEMA_VERSION;
  base.tool_version = lg_xstrdup(LG_TOOL_VERSION);
  lg_run_t *b = lg_mkrun(&base, "worker-poll.c", "asan", "pass", LG_V_PASS);
  lg_mkmetric(b, "mallocInUse", 1.5, 32, 4096);
  lg_mkmetric(b, "liveBlocks", 0, 0.001, 3);
  b->metrics[1].exact = 1;
  lg_mkmetric(b, "rss", 100, NAN, 0); /* unjudged: not in the slim file */
  lg_mkfinding(b, "evs_worker_poll", "/work/main/core/src/worker.c", 88,
               "libevstore.so");
  b->findings[0].cls = LG_F_ONCE;
  lg_mkrun(&base, "forgotten-unsubscribe.js", "asan", "LEAK", LG_V_PASS);
  lg_run_t *crun = lg_mkrun(&base, "crashy.c", "tsan", "pass", LG_V_CRASH);
  crun->fault = lg_xstrdup("no-thread-join");
  base.runs[0].wall_s = 12.5; /* kept: it orders a fresh checkout's runs */
  base.runs[2].wall_s = 0;    /* unknown: not written */

  lg_baseline_t s1, s2;
  lg_baseline_from_results(&base, &s1);
  s1.tolerance = json_pack("{s:f}", "slope_rel", 0.75);
  json_t *j1 = lg_baseline_to_json(&s1);
  char *err = NULL;
  int rc = lg_baseline_from_json(j1, &s2, &err);
  json_t *j2 = rc == 0 ? lg_baseline_to_json(&s2) : NULL;
  int equal = j2 && json_equal(j1, j2);
  /* what it holds */
  int nmetrics = rc == 0 ? (int)s2.runs[0].nmetrics : -1;
  int nneg =
      rc == 0 ? (int)s2.runs[1].nmetrics + (int)s2.runs[1].nfindings : -1;
  double wall0 = rc == 0 ? s2.runs[0].wall_s : -1;
  int wall2_unknown =
      rc == 0 && isnan(s2.runs[2].wall_s) &&
      !json_object_get(json_array_get(json_object_get(j1, "runs"), 2),
                       "wall_s");
  /* a fresh checkout's runs take these times, where they have none */
  lg_scenario_t sc0 = {.name = "worker-poll.c"}, sc2 = {.name = "crashy.c"};
  lg_variant_t va0 = {.name = "asan"}, va2 = {.name = "tsan"};
  lg_job_t jobs[3] = {{.sc = &sc0, .va = &va0},
                      {.sc = &sc2, .va = &va2, .fault = "no-thread-join"},
                      {.sc = &sc0, .va = &va0, .est_s = 3}};
  if (rc == 0)
    lg_jobs_estimate_baseline(jobs, 3, &s2);
  /* through files: the slim file and the full results gate identically */
  lg_mkdirs(LG_TEST_TMP);
  char *slim = check_defer_free(lg_fmt("%s/slim.json", LG_TEST_TMP));
  char *full = check_defer_free(lg_fmt("%s/results.json", LG_TEST_TMP));
  check_defer_remove(slim);
  check_defer_remove(full);
  int saved = lg_baseline_save(&s1, slim, &err) == 0 &&
              lg_results_save(&base, full) == 0;
  lg_results_t cur = {0};
  cur.root = lg_xstrdup("/elsewhere");
  lg_run_t *c = lg_mkrun(&cur, "worker-poll.c", "asan", "pass", LG_V_PASS);
  lg_mkmetric(c, "mallocInUse", 200, 32, 4096);
  lg_mkmetric(c, "liveBlocks", 0, 0.001, 3);
  c->metrics[1].exact = 1;
  lg_mkfinding(c, "evs_worker_poll", "/elsewhere/core/src/worker.c", 88,
               "libevstore.so");
  c->findings[0].cls = LG_F_ONCE;
  char *rows[2] = {NULL, NULL};
  for (int k = 0; k < 2 && saved; k++) {
    if (lg_gate_apply(&cur, k ? full : slim, &err) != 0)
      break;
    lg_buf_t t = {0};
    for (size_t i = 0; i < cur.ngate; i++)
      lg_buf_addf(&t, "%s|%s|%s|%s\n", cur.gate[i].scenario, cur.gate[i].what,
                  lg_gate_status_name(cur.gate[i].status),
                  cur.gate[i].note ? cur.gate[i].note : "");
    rows[k] = check_defer_free(lg_buf_take(&t));
  }
  int gate_ok = cur.gate_ok;
  lg_baseline_t s3;
  int bad = lg_baseline_load("/nonexistent/b.json", &s3, &err) != 0;
  free(err);
  err = NULL;
  json_t *wrong = json_pack("{s:s,s:i,s:[{s:s}]}", "schema", LG_BASELINE_SCHEMA,
                            "schema_version", 1, "runs", "scenario", "x");
  int bad2 = lg_baseline_from_json(wrong, &s3, &err) != 0 && err &&
             strstr(err, "runs[0]") != NULL;
  free(err);
  json_decref(wrong);
  json_decref(j1);
  json_decref(j2);
  lg_baseline_free(&s1);
  if (rc == 0)
    lg_baseline_free(&s2);
  lg_results_free(&base);
  lg_results_free(&cur);
  ASSERT_EQ(rc, 0);
  ASSERT_TRUE(equal);
  ASSERT_EQ(nmetrics, 2);
  ASSERT_EQ(nneg, 0);
  ASSERT_DBL_NEAR(wall0, 12.5, 1e-9);
  ASSERT_TRUE(wall2_unknown);
  ASSERT_DBL_NEAR(jobs[0].est_s, 12.5, 1e-9);
  ASSERT_DBL_NEAR(jobs[1].est_s, 0, 0); /* no recorded time: budget */
  ASSERT_DBL_NEAR(jobs[2].est_s, 3, 0); /* the last run's time wins */
  ASSERT_TRUE(saved);
  ASSERT_TRUE(rows[0] && rows[1]);
  int same = strcmp(rows[0], rows[1]) == 0;
  int slope_reg = strstr(rows[0], "mallocInUse slope /it|regression") != NULL;
  int missing =
      strstr(rows[0], "crashy.c@no-thread-join|verdict|missing") != NULL;
  int finding_rows = strstr(rows[0], "|finding|") != NULL;
  ASSERT_TRUE(same);
  ASSERT_TRUE(slope_reg);
  ASSERT_TRUE(missing);
  ASSERT_TRUE(!finding_rows); /* the once-leak kept its key across roots */
  ASSERT_TRUE(!gate_ok);
  ASSERT_TRUE(bad);
  ASSERT_TRUE(bad2);
}

static void test_gate_status_names(void) {
  for (int i = 0; i < LG_G__COUNT; i++) {
    lg_gate_status_t s;
    ASSERT_EQ(
        lg_gate_status_parse(lg_gate_status_name((lg_gate_status_t)i), &s), 0);
    ASSERT_EQ(s, i);
  }
  ASSERT_STR_EQ(lg_gate_status_name(LG_G_STILL_FAILING), "still failing");
  lg_gate_status_t s;
  ASSERT_EQ(lg_gate_status_parse("regressed", &s), -1);
  lg_fclass_t c;
  ASSERT_EQ(lg_fclass_parse("once", &c), 0);
  ASSERT_EQ(c, LG_F_ONCE);
  /* The other enums of the model (model_fields.h): every name parses back
   * to its value; unknown names and values are refused or shown as "?". */
  for (int i = 0; i < LG_F__COUNT; i++) {
    ASSERT_EQ(lg_fclass_parse(lg_fclass_name((lg_fclass_t)i), &c), 0);
    ASSERT_EQ(c, i);
  }
  for (int i = 0; i < LG_V__COUNT; i++) {
    lg_verdict_t v;
    ASSERT_EQ(lg_verdict_parse(lg_verdict_name((lg_verdict_t)i), &v), 0);
    ASSERT_EQ(v, i);
  }
  for (int i = 0; i < LG_C__COUNT; i++) {
    lg_cell_status_t cs;
    ASSERT_EQ(
        lg_cell_status_parse(lg_cell_status_name((lg_cell_status_t)i), &cs), 0);
    ASSERT_EQ(cs, i);
  }
  lg_cell_status_t cs = LG_C_CAUGHT;
  ASSERT_EQ(lg_cell_status_parse("n/a (also caught)", &cs), 0);
  ASSERT_EQ(cs, LG_C_NA_CAUGHT);
  ASSERT_EQ(lg_cell_status_parse(NULL, &cs), -1);
  ASSERT_EQ(cs, LG_C_NA_CAUGHT);
  ASSERT_STR_EQ(lg_cell_status_name(LG_C__COUNT), "?");
  ASSERT_STR_EQ(lg_verdict_name(LG_V_MISSED), "EXPECTED-LEAK-MISSED");
}

static const check_case_t cases[] = {
    {"pass_to_fail_is_regression", test_pass_to_fail_is_regression},
    {"fail_to_fail_is_still_failing", test_fail_to_fail_is_still_failing},
    {"negative_control_slope_not_compared",
     test_negative_control_slope_not_compared},
    {"unjudged_slope_not_compared", test_unjudged_slope_not_compared},
    {"rss_peak_not_compared", test_rss_peak_not_compared},
    {"transient_peak_not_regression", test_transient_peak_not_regression},
    {"step_slope_not_regression", test_step_slope_not_regression},
    {"new_finding_keyed_path_independently",
     test_new_finding_keyed_path_independently},
    {"duplicate_stacks_one_row", test_duplicate_stacks_one_row},
    {"slim_baseline_round_trip", test_slim_baseline_round_trip},
    {"gate_status_names", test_gate_status_names},
    {NULL, NULL}};

CHECK_MAIN(cases)
