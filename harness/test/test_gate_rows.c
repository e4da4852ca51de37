/* Unit tests of release gating (gate.c): the tolerances of the slope and
 * peak rows, and the rows of runs present on one side only, over result
 * sets built in memory (gate_fixtures.h). The other rules are in
 * test_gate.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "check.h"
#include "gate.h"
#include "gate_fixtures.h"
#include "model.h"
#include "util.h"

/* ---- tolerances and the rows of runs on one side only ------------------- */

static void lg_results_fini(void *r) {
  lg_results_free(r);
}

/* Two result sets (base, cur) released after the test, pass or fail. */
static lg_results_t *lg_new_results(void) {
  return check_alloc(sizeof(lg_results_t), lg_results_fini);
}

/* Gates cur against the reduction of base with the tolerance object `tol`
 * (JSON text; NULL: the defaults). */
static void lg_gate_tol(const lg_results_t *base, lg_results_t *cur,
                        const char *tol) {
  lg_baseline_t b;
  lg_baseline_from_results(base, &b);
  if (tol)
    b.tolerance = json_loads(tol, 0, NULL);
  lg_gate(&b, "base", cur);
  lg_baseline_free(&b);
}

/* The gate row `what` of cur, or NULL. */
static const lg_gate_row_t *lg_row_of(const lg_results_t *cur,
                                      const char *what) {
  for (size_t i = 0; i < cur->ngate; i++)
    if (strcmp(cur->gate[i].what, what) == 0)
      return &cur->gate[i];
  return NULL;
}

/* One C run on each side with a judged mallocInUse (threshold, and so
 * smallest detectable leak, 16 B/it): slopes bs -> cs and held peak growths
 * bg -> cg. Returns the status of row `what`, -1 without one; *tol_out is
 * the row's tolerance. */
static int lg_gate_metric_status(double bs, double cs, double bg, double cg,
                                 const char *tol, const char *what,
                                 double *tol_out) {
  lg_results_t *base = lg_new_results(), *cur = lg_new_results();
  lg_mkmetric(lg_mkrun(base, "x.c", "asan", "pass", LG_V_PASS), "mallocInUse",
              bs, 16, bg);
  lg_mkmetric(lg_mkrun(cur, "x.c", "asan", "pass", LG_V_PASS), "mallocInUse",
              cs, 16, cg);
  lg_gate_tol(base, cur, tol);
  const lg_gate_row_t *g = lg_row_of(cur, what);
  if (tol_out)
    *tol_out = g ? g->tolerance : NAN;
  int st = g ? (int)g->status : -1;
  /* gate_ok follows the rows: false exactly when one is a regression */
  if (cur->gate_ok != (lg_count(cur, LG_G_REGRESSION, NULL) == 0))
    return -2;
  return st;
}

#define LG_SLOPE "mallocInUse slope /it"
#define LG_PEAK "mallocInUse peak growth"

/* One case of a metric's gate rule: lg_gate_metric_status's arguments, the
 * status row `what` must have and its tolerance (NAN: not checked). */
typedef struct lg_metric_case_s {
  double bs, cs, bg, cg;
  const char *tol, *what;
  int status;
  double tolerance;
} lg_metric_case_t;

#define LG_SLOPE_REL "{\"slope_rel\": 0.1}"
#define LG_SLOPE_ABS                                                           \
  "{\"slope_abs\": 1000, \"metrics\": {\"mallocInUse\": {\"slope_abs\": "      \
  "100}}}"
#define LG_PEAK_ABS                                                            \
  "{\"peak_rel\": 0, \"metrics\": {\"mallocInUse\": {\"peak_abs\": 10}}}"

/* The slope rule's cases (rows LG_SLOPE), then the peak rule's (LG_PEAK). */
static const lg_metric_case_t lg_metric_cases[] = {
    /* baseline 100 B/it: tolerance max(50, 16) = 50 */
    {100, 149, 0, 0, NULL, LG_SLOPE, LG_G_OK, 50},
    {100, 151, 0, 0, NULL, LG_SLOPE, LG_G_REGRESSION, NAN},
    {100, 51, 0, 0, NULL, LG_SLOPE, LG_G_OK, NAN},
    {100, 49, 0, 0, NULL, LG_SLOPE, LG_G_IMPROVEMENT, NAN},
    /* baseline 10 B/it: tolerance is the smallest detectable leak, 16 */
    {10, 25, 0, 0, NULL, LG_SLOPE, LG_G_OK, 16},
    {10, 27, 0, 0, NULL, LG_SLOPE, LG_G_REGRESSION, NAN},
    /* a fall is an improvement only from a baseline above the tolerance */
    {10, -10, 0, 0, NULL, LG_SLOPE, LG_G_OK, NAN},
    {20, 3, 0, 0, NULL, LG_SLOPE, LG_G_IMPROVEMENT, NAN},
    /* slope_rel 0.1: max(10, 16) = 16 */
    {100, 115, 0, 0, LG_SLOPE_REL, LG_SLOPE, LG_G_OK, 16},
    {100, 117, 0, 0, LG_SLOPE_REL, LG_SLOPE, LG_G_REGRESSION, NAN},
    /* slope_abs for this metric (before the global one): max(50, 100) */
    {100, 199, 0, 0, LG_SLOPE_ABS, LG_SLOPE, LG_G_OK, 100},
    {100, 201, 0, 0, LG_SLOPE_ABS, LG_SLOPE, LG_G_REGRESSION, NAN},
    /* the global one when the metric has none */
    {100, 1099, 0, 0, "{\"slope_abs\": 1000}", LG_SLOPE, LG_G_OK, 1000},
    /* peak: default tolerance 0.25 x 1000 + 4 x 0 = 250 */
    {0, 0, 1000, 1249, NULL, LG_PEAK, LG_G_OK, 250},
    {0, 0, 1000, 1251, NULL, LG_PEAK, LG_G_REGRESSION, NAN},
    {0, 0, 1000, 751, NULL, LG_PEAK, LG_G_OK, NAN},
    {0, 0, 1000, 749, NULL, LG_PEAK, LG_G_IMPROVEMENT, NAN},
    {0, 0, 1000, 1009, LG_PEAK_ABS, LG_PEAK, LG_G_OK, 10},
    {0, 0, 1000, 1011, LG_PEAK_ABS, LG_PEAK, LG_G_REGRESSION, NAN},
};

/* Checks every case of lg_metric_cases on row `what`; *ran counts them. */
static void lg_check_metric_cases(const char *what, size_t *ran) {
  *ran = 0;
  size_t n = sizeof lg_metric_cases / sizeof lg_metric_cases[0];
  for (size_t i = 0; i < n; i++) {
    const lg_metric_case_t *k = &lg_metric_cases[i];
    if (strcmp(k->what, what) != 0)
      continue;
    double t = NAN;
    int st =
        lg_gate_metric_status(k->bs, k->cs, k->bg, k->cg, k->tol, k->what, &t);
    if (st != k->status || (!isnan(k->tolerance) && t != k->tolerance))
      fprintf(stderr, "case %zu: %s %g -> %g, peak %g -> %g, tolerance %s\n", i,
              k->what, k->bs, k->cs, k->bg, k->cg, k->tol ? k->tol : "-");
    ASSERT_EQ(st, k->status);
    if (!isnan(k->tolerance))
      ASSERT_DBL_NEAR(t, k->tolerance, 1e-9);
    (*ran)++;
  }
}

/* Slope rule: regression above baseline + tolerance, improvement below
 * baseline - tolerance (only when the baseline slope exceeds the
 * tolerance), otherwise ok. Default tolerance max(0.5 x |baseline|, the
 * baseline's smallest detectable leak); the baseline's "tolerance" object
 * sets slope_rel and slope_abs, per metric before global. */
static void test_slope_tolerance(void) {
  size_t ran = 0;
  lg_check_metric_cases(LG_SLOPE, &ran);
  CHECK_RETURN_IF_FAILED();
  ASSERT_EQ(ran, 13);
}

/* Peak rule: regression above baseline + tolerance, improvement below
 * baseline - tolerance, otherwise ok. Default tolerance 0.25 x |baseline
 * growth| + 4 x its noise sd (0 here); peak_rel and peak_abs override. */
static void test_peak_tolerance(void) {
  size_t ran = 0;
  lg_check_metric_cases(LG_PEAK, &ran);
  CHECK_RETURN_IF_FAILED();
  ASSERT_EQ(ran, 6);
}

/* Runs on one side only: new and passing -> new; new and failing ->
 * regression; in the baseline but not run -> missing (not a regression).
 * A new one-time leak is listed as new, any other new finding is a
 * regression. */
static void test_one_sided_rows(void) {
  lg_results_t *base = lg_new_results(), *cur = lg_new_results();
  lg_mkrun(base, "gone.c", "asan", "pass", LG_V_PASS);
  lg_mkrun(cur, "new-pass.c", "asan", "pass", LG_V_PASS);
  lg_gate_tol(base, cur, NULL);
  ASSERT_TRUE(cur->gate_ok);
  ASSERT_EQ(cur->ngate, 2);
  ASSERT_EQ(lg_count(cur, LG_G_NEW, "verdict"), 1);
  ASSERT_EQ(lg_count(cur, LG_G_MISSING, "verdict"), 1);
  ASSERT_STR_EQ(cur->gate[1].scenario, "gone.c");
  lg_mkrun(cur, "new-fail.c", "asan", "pass", LG_V_CRASH);
  lg_gate_tol(base, cur, NULL);
  ASSERT_TRUE(!cur->gate_ok);
  ASSERT_EQ(lg_count(cur, LG_G_REGRESSION, "verdict"), 1);
  ASSERT_EQ(lg_count(cur, LG_G_NEW, "verdict"), 1);

  for (int once = 0; once < 2; once++) {
    lg_results_t *b = lg_new_results(), *c = lg_new_results();
    lg_mkrun(b, "x.c", "asan", "pass", LG_V_PASS);
    lg_run_t *run = lg_mkrun(c, "x.c", "asan", "pass", LG_V_PASS);
    lg_mkfinding(run, "addon_open", "/r/addon/src/addon.c", 12, "x.node");
    run->findings[0].cls = once ? LG_F_ONCE : LG_F_LEAK;
    lg_gate_tol(b, c, NULL);
    ASSERT_EQ(c->gate_ok, once);
    ASSERT_EQ(lg_count(c, once ? LG_G_NEW : LG_G_REGRESSION, "finding"), 1);
  }
}

static const check_case_t cases[] = {{"slope_tolerance", test_slope_tolerance},
                                     {"peak_tolerance", test_peak_tolerance},
                                     {"one_sided_rows", test_one_sided_rows},
                                     {NULL, NULL}};

CHECK_MAIN(cases)
