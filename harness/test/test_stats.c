/* Unit tests: Theil–Sen, Mann–Kendall and the leak rule on known series. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "stats.h"

/* Deterministic noise: a 64-bit LCG mapped to [-1, 1). */
static double lg_noise(uint64_t *s) {
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*s >> 11) / (double)(1ULL << 52) - 1.0;
}

/* The harness's leak rule (analyze.c): slope above threshold AND a
 * significant increasing Mann–Kendall trend at alpha 0.01. */
static int lg_leak_rule(const lg_trend_t *t, double threshold) {
  return t->slope > threshold && lg_trend_increasing(t, 0.01);
}

static void test_exact_line(void) {
  double x[50], y[50];
  for (int i = 0; i < 50; i++) {
    x[i] = i * 10;
    y[i] = 3 * x[i] + 5;
  }
  lg_trend_t t;
  ASSERT_EQ(lg_trend_fit(x, y, 50, &t), 0);
  ASSERT_DBL_NEAR(t.slope, 3.0, 1e-12);
  ASSERT_DBL_NEAR(t.intercept, 5.0, 1e-9);
  ASSERT_DBL_NEAR(t.slope_lo, 3.0, 1e-12);
  ASSERT_DBL_NEAR(t.slope_hi, 3.0, 1e-12);
  ASSERT_DBL_NEAR(t.resid_sd, 0.0, 1e-9);
  ASSERT_TRUE(t.mk_p < 1e-10);
  ASSERT_TRUE(lg_leak_rule(&t, 2.9));
  ASSERT_TRUE(!lg_leak_rule(&t, 3.0));
}

static void test_mann_kendall_known_value(void) {
  /* n = 10 strictly increasing: S = 45, var = 10*9*25/18 = 125,
   * z = (45 - 1) / sqrt(125) = 3.9355. */
  double x[10], y[10];
  for (int i = 0; i < 10; i++) {
    x[i] = i;
    y[i] = i * i; /* monotone, not linear: ranks are what count */
  }
  lg_trend_t t;
  ASSERT_EQ(lg_trend_fit(x, y, 10, &t), 0);
  ASSERT_DBL_NEAR(t.mk_s, 45, 0);
  ASSERT_DBL_NEAR(t.mk_z, 44.0 / sqrt(125.0), 1e-9);
  ASSERT_DBL_NEAR(t.mk_p, 4.15e-5, 0.05e-5);
}

static void test_constant_series_is_flat(void) {
  double x[40], y[40];
  for (int i = 0; i < 40; i++) {
    x[i] = i;
    y[i] = 123456;
  }
  lg_trend_t t;
  ASSERT_EQ(lg_trend_fit(x, y, 40, &t), 0);
  ASSERT_DBL_NEAR(t.slope, 0, 0);
  ASSERT_DBL_NEAR(t.mk_p, 1, 0); /* all ties: no variance, no trend */
  ASSERT_TRUE(!lg_leak_rule(&t, 0));
}

static void test_noisy_flat_series_pass(void) {
  /* 50 seeds of +-1000 noise, 100 samples over 1000 iterations: the slope
   * stays far below a 16/iteration threshold and no seed is flagged. */
  double x[100], y[100];
  int flagged = 0;
  double worst = 0;
  for (uint64_t seed = 1; seed <= 50; seed++) {
    uint64_t s = seed;
    for (int i = 0; i < 100; i++) {
      x[i] = 100 + i * 10;
      y[i] = 1e6 + 1000 * lg_noise(&s);
    }
    lg_trend_t t;
    ASSERT_EQ(lg_trend_fit(x, y, 100, &t), 0);
    worst = fmax(worst, fabs(t.slope));
    flagged += lg_leak_rule(&t, 16);
  }
  ASSERT_EQ(flagged, 0);
  ASSERT_TRUE(worst < 2.0);
}

static void test_gc_sawtooth_pass(void) {
  /* A garbage-collected heap: periodic growth and collection, no trend. */
  double x[120], y[120];
  for (int i = 0; i < 120; i++) {
    x[i] = i * 50;
    y[i] = 4e6 + (i % 7) * 65536.0;
  }
  lg_trend_t t;
  ASSERT_EQ(lg_trend_fit(x, y, 120, &t), 0);
  ASSERT_TRUE(fabs(t.slope) < 64);
  ASSERT_TRUE(!lg_leak_rule(&t, 64));
}

static void test_small_leak_in_noise_detected(void) {
  /* 16 B/iteration under +-2000 B noise, 200 samples over 20000 iterations
   * (the design's native sensitivity target). */
  double x[200], y[200];
  uint64_t s = 42;
  for (int i = 0; i < 200; i++) {
    x[i] = 100 + i * 100.0;
    y[i] = 5e6 + 16 * x[i] + 2000 * lg_noise(&s);
  }
  lg_trend_t t;
  ASSERT_EQ(lg_trend_fit(x, y, 200, &t), 0);
  ASSERT_DBL_NEAR(t.slope, 16, 1.0);
  ASSERT_TRUE(t.slope_lo <= 16 && t.slope_hi >= 16);
  ASSERT_TRUE(lg_leak_rule(&t, 8));
  ASSERT_TRUE(!lg_leak_rule(&t, 20));
}

static void test_outliers_do_not_move_slope(void) {
  /* 10% huge spikes (GC, page faults) leave the median slope alone. */
  double x[100], y[100];
  for (int i = 0; i < 100; i++) {
    x[i] = i;
    y[i] = 10 * i + (i % 10 == 3 ? 1e6 : 0);
  }
  lg_trend_t t;
  ASSERT_EQ(lg_trend_fit(x, y, 100, &t), 0);
  ASSERT_DBL_NEAR(t.slope, 10, 0.5);
}

static void test_single_step_is_not_a_leak(void) {
  /* A one-time 4 KiB cache fill half-way is not a per-iteration leak. */
  double x[100], y[100];
  for (int i = 0; i < 100; i++) {
    x[i] = 10 + i * 10;
    y[i] = 1e6 + (i >= 50 ? 4096 : 0);
  }
  lg_trend_t t;
  ASSERT_EQ(lg_trend_fit(x, y, 100, &t), 0);
  ASSERT_TRUE(t.slope < 16);
  ASSERT_TRUE(!lg_leak_rule(&t, 16));
}

static void test_staircase_is_a_leak(void) {
  /* 64 KiB every 100 iterations (a leak in chunks) = 655 B/iteration. */
  double x[100], y[100];
  for (int i = 0; i < 100; i++) {
    x[i] = 10 + i * 10;
    y[i] = 1e6 + 65536.0 * floor(x[i] / 100);
  }
  lg_trend_t t;
  ASSERT_EQ(lg_trend_fit(x, y, 100, &t), 0);
  ASSERT_DBL_NEAR(t.slope, 655.36, 66);
  ASSERT_TRUE(lg_leak_rule(&t, 16));
}

static void test_decreasing_is_not_a_leak(void) {
  double x[30], y[30];
  for (int i = 0; i < 30; i++) {
    x[i] = i;
    y[i] = 1000 - 5 * i;
  }
  lg_trend_t t;
  ASSERT_EQ(lg_trend_fit(x, y, 30, &t), 0);
  ASSERT_DBL_NEAR(t.slope, -5, 1e-12);
  ASSERT_TRUE(t.mk_p > 0.99);
  ASSERT_TRUE(!lg_leak_rule(&t, 0));
}

static void test_nan_and_short_series(void) {
  double x[6] = {0, 1, 2, 3, 4, 5};
  double y[6] = {NAN, 1, NAN, NAN, 2, NAN};
  lg_trend_t t;
  ASSERT_EQ(lg_trend_fit(x, y, 6, &t), -1);
  ASSERT_EQ(t.n, 2);
  ASSERT_TRUE(isnan(t.slope));
  double y2[6] = {0, 2, NAN, 6, 8, 10};
  ASSERT_EQ(lg_trend_fit(x, y2, 6, &t), 0);
  ASSERT_EQ(t.n, 5);
  ASSERT_DBL_NEAR(t.slope, 2, 1e-12);
  ASSERT_EQ(lg_trend_fit(x, y, 0, &t), -1);
}

/* Brute-force Mann–Kendall S, the O(n^2) definition. */
static double lg_mk_s_brute(const double *y, size_t n) {
  double s = 0;
  for (size_t i = 0; i + 1 < n; i++)
    for (size_t j = i + 1; j < n; j++)
      s += (y[j] > y[i]) - (y[j] < y[i]);
  return s;
}

static void test_mk_s_matches_definition(void) {
  /* The merge-sort count equals the pairwise definition, ties included
   * (values quantised to 8 levels so that most pairs tie). */
  static double x[300], y[300];
  for (uint64_t seed = 1; seed <= 20; seed++) {
    uint64_t s = seed;
    size_t n = 3 + (size_t)(seed * 13 % 297);
    for (size_t i = 0; i < n; i++) {
      x[i] = (double)i;
      y[i] = seed % 2 ? floor(4 * lg_noise(&s)) : lg_noise(&s) + 0.01 * i;
    }
    lg_trend_t t;
    ASSERT_EQ(lg_trend_fit(x, y, n, &t), 0);
    ASSERT_DBL_NEAR(t.mk_s, lg_mk_s_brute(y, n), 0);
  }
}

static int lg_cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void test_slope_matches_definition(void) {
  /* The selected median and Sen quantiles equal those of the sorted list
   * of all pairwise slopes (many equal slopes: quantised values). */
  static double x[200], y[200], sl[200 * 199 / 2];
  for (uint64_t seed = 1; seed <= 30; seed++) {
    uint64_t s = seed;
    size_t n = 3 + (size_t)(seed * 37 % 198), k = 0;
    for (size_t i = 0; i < n; i++) {
      x[i] = (double)(i / 2 * 2); /* pairs of equal x are skipped */
      y[i] = floor(3 * lg_noise(&s)) + (seed % 3) * 0.1 * (double)i;
    }
    for (size_t i = 0; i + 1 < n; i++)
      for (size_t j = i + 1; j < n; j++)
        if (x[j] != x[i])
          sl[k++] = (y[j] - y[i]) / (x[j] - x[i]);
    qsort(sl, k, sizeof *sl, lg_cmp);
    double med = k % 2 ? sl[k / 2] : (sl[k / 2 - 1] + sl[k / 2]) / 2;
    lg_trend_t t;
    ASSERT_EQ(lg_trend_fit(x, y, n, &t), 0);
    ASSERT_DBL_NEAR(t.slope, med, 1e-12);
    ASSERT_TRUE(t.slope_lo >= sl[0] && t.slope_lo <= t.slope);
    ASSERT_TRUE(t.slope_hi <= sl[k - 1] && t.slope_hi >= t.slope);
  }
}

static void test_sampled_slope_large_n(void) {
  /* Above LG_TREND_EXACT_MAX points the slope comes from sampled pairs:
   * deterministic, and close to the true slope; 100 000 points fit fast
   * (the old all-pairs fit needed 40 GB for this). */
  size_t n = 100000;
  double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
  ASSERT_TRUE(x && y);
  uint64_t s = 7;
  for (size_t i = 0; i < n; i++) {
    x[i] = 1000 + 10.0 * (double)i;
    y[i] = 1e6 + 3 * x[i] + 5000 * lg_noise(&s);
  }
  lg_trend_t a, b;
  int ra = lg_trend_fit(x, y, n, &a), rb = lg_trend_fit(x, y, n, &b);
  free(x);
  free(y);
  ASSERT_EQ(ra, 0);
  ASSERT_EQ(rb, 0);
  ASSERT_DBL_NEAR(a.slope, 3, 0.01);
  ASSERT_TRUE(a.slope == b.slope && a.slope_lo == b.slope_lo);
  ASSERT_TRUE(a.slope_lo <= 3 && a.slope_hi >= 3);
  ASSERT_TRUE(a.mk_p < 1e-12);
}

static lg_judgement_t lg_judge_series(double (*f)(double, uint64_t *), size_t n,
                                      double thr, uint64_t seed) {
  double x[500], y[500];
  uint64_t s = seed;
  for (size_t i = 0; i < n; i++) {
    x[i] = 200 + (double)i * 1800.0 / (double)n;
    y[i] = f(x[i], &s);
  }
  lg_trend_t t;
  lg_persist_t p;
  return lg_leak_judge(x, y, n, thr, 0.01, &t, &p);
}

/* Levels in B over iterations 200..2000, threshold 16 B/it (28.8 KB over
 * the window), noise +-300 B. */
static double lg_f_step_huge(double x, uint64_t *s) {
  return 1e6 + (x > 1300 ? 232e3 : 0) + 300 * lg_noise(s);
}
static double lg_f_step_early(double x, uint64_t *s) {
  return 1e6 + (x > 300 ? 1e6 : 0) + 300 * lg_noise(s);
}
static double lg_f_step_late(double x, uint64_t *s) {
  return 1e6 + (x > 1950 ? 1e6 : 0) + 300 * lg_noise(s);
}
static double lg_f_plateau(double x, uint64_t *s) {
  return 1e6 + 200 * fmin(x - 200, 700) + 300 * lg_noise(s);
}
static double lg_f_leak_2x(double x, uint64_t *s) {
  return 1e6 + 32 * x + 300 * lg_noise(s);
}
static double lg_f_staircase(double x, uint64_t *s) {
  return 1e6 + 4096 * floor(x / 100) + 300 * lg_noise(s);
}

static void test_judge_steps_are_not_leaks(void) {
  /* The reported case: one 232 KB rss step in a short clean run. And steps
   * of 1 MB early or in the last sample, a ramp that stops: never LEAK,
   * though the slope and Mann-Kendall alone would say so. */
  double (*fs[])(double, uint64_t *) = {lg_f_step_huge, lg_f_step_early,
                                        lg_f_step_late, lg_f_plateau};
  for (size_t f = 0; f < 4; f++)
    for (size_t n = 20; n <= 500; n *= 5)
      for (uint64_t seed = 1; seed <= 10; seed++)
        ASSERT_NE(lg_judge_series(fs[f], n, 16, seed), LG_J_LEAK);
  /* The old rule (slope and Mann-Kendall) flags a step that lands mid-way
   * in page-sized rss noise: pairs across the step outnumber the others. */
  double x[90], y[90];
  uint64_t s = 3;
  for (int i = 0; i < 90; i++) {
    x[i] = 200 + i * 20;
    y[i] = 1e6 + (i >= 44 ? 232e3 : 0) + 4096 * lg_noise(&s);
  }
  lg_trend_t t;
  ASSERT_EQ(lg_leak_judge(x, y, 90, 16, 0.01, &t, NULL), LG_J_STEP);
  ASSERT_TRUE(lg_leak_rule(&t, 16));
}

static void test_judge_persistent_growth_is_a_leak(void) {
  for (size_t n = 20; n <= 500; n *= 5)
    for (uint64_t seed = 1; seed <= 10; seed++) {
      ASSERT_EQ(lg_judge_series(lg_f_leak_2x, n, 16, seed), LG_J_LEAK);
      ASSERT_EQ(lg_judge_series(lg_f_staircase, n, 16, seed), LG_J_LEAK);
    }
}

static void test_judge_too_few_samples(void) {
  double x[LG_TREND_MIN_SAMPLES], y[LG_TREND_MIN_SAMPLES];
  for (int i = 0; i < LG_TREND_MIN_SAMPLES; i++) {
    x[i] = i;
    y[i] = 1000.0 * i;
  }
  lg_trend_t t;
  ASSERT_EQ(lg_leak_judge(x, y, LG_TREND_MIN_SAMPLES - 1, 16, 0.01, &t, NULL),
            LG_J_TOO_FEW);
  ASSERT_EQ(lg_leak_judge(x, y, LG_TREND_MIN_SAMPLES, 16, 0.01, &t, NULL),
            LG_J_LEAK);
  y[3] = NAN; /* NaNs do not count */
  ASSERT_EQ(lg_leak_judge(x, y, LG_TREND_MIN_SAMPLES, 16, 0.01, &t, NULL),
            LG_J_TOO_FEW);
}

static void test_median(void) {
  double a[] = {5, 1, 4, 2, 3};
  ASSERT_DBL_NEAR(lg_median_inplace(a, 5), 3, 0);
  double b[] = {4, 1, 3, 2};
  ASSERT_DBL_NEAR(lg_median_inplace(b, 4), 2.5, 0);
  ASSERT_DBL_NEAR(lg_norm_sf(0), 0.5, 1e-12);
  ASSERT_DBL_NEAR(lg_norm_sf(2.326348), 0.01, 1e-6);
}

/* Early stopping (lg_early_step): a default C run's judged window, 90
 * samples at iterations 220..2000, threshold 16 units per iteration, noise
 * sd 500 (about 2% of the threshold's growth over the window). `leak` units
 * per iteration on top from iteration `from` on. */
#define LG_EW 90
static void lg_early_series(double *x, double *y, double leak, double from,
                            uint64_t seed) {
  uint64_t s = seed;
  for (int i = 0; i < LG_EW; i++) {
    x[i] = 220 + 20 * i;
    y[i] = 1e6 + 500 * lg_noise(&s) + (x[i] > from ? leak * (x[i] - from) : 0);
  }
}

/* Feeds the samples one by one, as a run's stream arrives; more samples
 * after a stop do not undo it (*sticky). */
static lg_early_t lg_early_feed(const double *x, const double *y, size_t n,
                                int *sticky) {
  lg_early_t st;
  lg_early_init(&st);
  *sticky = 1;
  for (size_t m = 1; m <= n; m++)
    if (lg_early_step(x, y, m, n, 16, 0.01, &st)) {
      *sticky = lg_early_step(x, y, n, n, 16, 0.01, &st);
      break;
    }
  return st;
}

static void test_early_flat_stops_at_60(void) {
  double x[LG_EW], y[LG_EW];
  lg_early_series(x, y, 0, 0, 7);
  int sticky;
  lg_early_t st = lg_early_feed(x, y, LG_EW, &sticky);
  ASSERT_TRUE(sticky);
  ASSERT_EQ(st.by, LG_EARLY_BY_M);
  ASSERT_EQ(st.look, 3); /* 50% and 60% held: stops at the 60% look */
  ASSERT_DBL_NEAR(lg_early_fraction(st.look), 0.6, 1e-12);
  ASSERT_EQ(lg_early_samples(st.look, LG_EW), 54);
  /* All samples at once decide the same. */
  lg_early_t all;
  lg_early_init(&all);
  ASSERT_TRUE(lg_early_step(x, y, LG_EW, LG_EW, 16, 0.01, &all));
  ASSERT_EQ(all.look, st.look);
  ASSERT_EQ(all.by, st.by);
  /* Before the 60% look's samples it cannot stop. */
  lg_early_t part;
  lg_early_init(&part);
  ASSERT_TRUE(!lg_early_step(x, y, 53, LG_EW, 16, 0.01, &part));
  ASSERT_EQ(part.next, 3);
}

static void test_early_leak_from_25_never_stops(void) {
  for (uint64_t seed = 1; seed <= 20; seed++) {
    double x[LG_EW], y[LG_EW];
    lg_early_series(x, y, 32, 200 + 0.25 * 1800, seed);
    int sticky;
    lg_early_t st = lg_early_feed(x, y, LG_EW, &sticky);
    ASSERT_TRUE(sticky);
    ASSERT_EQ(st.by, LG_EARLY_NOT);
    ASSERT_EQ(st.look, -1);
    ASSERT_EQ(st.next, LG_EARLY_LOOKS); /* every look was made */
    lg_trend_t t;
    ASSERT_EQ(lg_leak_judge(x, y, LG_EW, 16, 0.01, &t, NULL), LG_J_LEAK);
  }
}

static void test_early_drift_below_threshold_stops_by_p(void) {
  double x[LG_EW], y[LG_EW];
  lg_early_series(x, y, 8, 200, 3); /* half the threshold, from the start */
  int sticky;
  lg_early_t st = lg_early_feed(x, y, LG_EW, &sticky);
  ASSERT_TRUE(sticky);
  ASSERT_EQ(st.by, LG_EARLY_BY_P);
  ASSERT_EQ(st.look, 5);  /* P from 70%, two looks: 80% */
  ASSERT_EQ(st.m_run, 0); /* the drift is an increasing trend */
}

static void test_early_short_and_missing(void) {
  /* n = 20: only the 80% and 90% looks have 15 samples. */
  double x[20], y[20];
  for (int i = 0; i < 20; i++) {
    x[i] = 290 + 90 * i;
    y[i] = 1000 + (i % 3);
  }
  lg_early_t st;
  lg_early_init(&st);
  ASSERT_TRUE(lg_early_step(x, y, 20, 20, 16, 0.01, &st));
  ASSERT_EQ(st.look, 6);
  /* A metric missing from samples has fewer usable points: a look with
   * fewer than LG_TREND_MIN_SAMPLES of them decides nothing. */
  y[1] = y[3] = NAN;
  lg_early_init(&st);
  ASSERT_TRUE(!lg_early_step(x, y, 20, 20, 16, 0.01, &st));
  ASSERT_EQ(st.next, LG_EARLY_LOOKS);
}

static const check_case_t cases[] = {
    {"exact_line", test_exact_line},
    {"mann_kendall_known_value", test_mann_kendall_known_value},
    {"constant_series_is_flat", test_constant_series_is_flat},
    {"noisy_flat_series_pass", test_noisy_flat_series_pass},
    {"gc_sawtooth_pass", test_gc_sawtooth_pass},
    {"small_leak_in_noise_detected", test_small_leak_in_noise_detected},
    {"outliers_do_not_move_slope", test_outliers_do_not_move_slope},
    {"single_step_is_not_a_leak", test_single_step_is_not_a_leak},
    {"staircase_is_a_leak", test_staircase_is_a_leak},
    {"decreasing_is_not_a_leak", test_decreasing_is_not_a_leak},
    {"nan_and_short_series", test_nan_and_short_series},
    {"median", test_median},
    {"mk_s_matches_definition", test_mk_s_matches_definition},
    {"slope_matches_definition", test_slope_matches_definition},
    {"sampled_slope_large_n", test_sampled_slope_large_n},
    {"judge_steps_are_not_leaks", test_judge_steps_are_not_leaks},
    {"judge_persistent_growth_is_a_leak",
     test_judge_persistent_growth_is_a_leak},
    {"judge_too_few_samples", test_judge_too_few_samples},
    {"early_flat_stops_at_60", test_early_flat_stops_at_60},
    {"early_leak_from_25_never_stops", test_early_leak_from_25_never_stops},
    {"early_drift_below_threshold_stops_by_p",
     test_early_drift_below_threshold_stops_by_p},
    {"early_short_and_missing", test_early_short_and_missing},
    {NULL, NULL}};

CHECK_MAIN(cases)
