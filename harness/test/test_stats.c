/* Unit tests: Theil–Sen, Mann–Kendall and the leak rule on known series. */
#include <math.h>
#include <stdint.h>

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

static void test_median(void) {
  double a[] = {5, 1, 4, 2, 3};
  ASSERT_DBL_NEAR(lg_median_inplace(a, 5), 3, 0);
  double b[] = {4, 1, 3, 2};
  ASSERT_DBL_NEAR(lg_median_inplace(b, 4), 2.5, 0);
  ASSERT_DBL_NEAR(lg_norm_sf(0), 0.5, 1e-12);
  ASSERT_DBL_NEAR(lg_norm_sf(2.326348), 0.01, 1e-6);
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
    {NULL, NULL}};

CHECK_MAIN(cases)
