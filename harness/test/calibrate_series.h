/* The seeded synthetic series of the leak-decision calibration, shared by
 * lg_calibrate (calibrate.c) and lg_calibrate_early (calibrate_early.c):
 * trial t of pattern p, noise level r and sample count n is the same series
 * in both programs and in every run. Private to harness/test. */
#ifndef LG_CALIBRATE_SERIES_H
#define LG_CALIBRATE_SERIES_H

#include <stddef.h>
#include <stdint.h>

/* Every series lives in the judged window of a default C run: iterations
 * 200..2000, threshold 16 units per iteration. */
#define LG_CAL_W 200.0  /* warm-up: first judged iteration */
#define LG_CAL_L 1800.0 /* judged iterations */
#define LG_CAL_T 16.0   /* threshold, units per iteration */
#define LG_CAL_ALPHA 0.01

typedef enum { LG_EXPECT_FLAT, LG_EXPECT_LEAK, LG_EXPECT_NONE } lg_expect_t;

typedef struct lg_pattern_s {
  const char *name;
  const char *what;
  lg_expect_t expect; /* FLAT: any LEAK is a false positive; LEAK: must be
                         caught; NONE: reported only */
  size_t min_n;       /* the bound applies from this many samples on */
  /* Fills y[0..n) for iterations x (noise sd `sd` added by the pattern),
   * shaped by the pattern's `arg`. */
  void (*gen)(const double *x, double *y, size_t n, double sd, uint64_t *s,
              double arg);
  double arg;
  double leak;  /* a leak at this many times the threshold on top, or 0 */
  double onset; /* the leak on top starts at this fraction of the window */
} lg_pattern_t;

/* The calibration's patterns (reports/calibration.md), seeded by their index
 * in this table. */
extern const lg_pattern_t lg_cal_patterns[];
extern const size_t lg_cal_npatterns;

/* The patterns added for sequential early stopping
 * (reports/calibration-early-stopping.md), seeded as if they followed
 * lg_cal_patterns (index lg_cal_npatterns + i). */
extern const lg_pattern_t lg_cal_late_patterns[];
extern const size_t lg_cal_nlate;

/* Fills x[0..n) (n samples evenly spaced over the window, the last at its
 * end) and y[0..n) with trial t of pattern *pt, whose seed index is p, at
 * noise level index r and noise sd rho * T * L. Pure: the same arguments
 * give the same series. */
void lg_cal_series(const lg_pattern_t *pt, size_t p, size_t r, size_t n,
                   double rho, int t, double *x, double *y);

/* Reads `[--trials N] [--check]` into *trials (at least 1; unchanged when
 * absent) and *check (1 when given), and, when seed_base is not NULL,
 * `[--seed-base N]` into *seed_base (unchanged when absent): trial t is
 * then seeded as trial N + t, so that N >= the trials of another run gives
 * series disjoint from it. Returns 0, or 2 after printing the usage line to
 * stderr. */
int lg_cal_args(int argc, char **argv, int *trials, int *check, int *seed_base);

#endif
