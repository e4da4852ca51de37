/* Robust trend statistics for leak detection: the Theil–Sen slope (median of
 * pairwise slopes, insensitive to GC spikes and outliers) with Sen's
 * confidence interval, and the Mann–Kendall trend test (rank-based, so a
 * noisy flat series is not a trend however large its variance). */
#ifndef LG_STATS_H
#define LG_STATS_H

#include <stddef.h>

typedef struct lg_trend_s {
  size_t n;       /* points used (NaN values skipped) */
  double x_first; /* first and last x used: the fitted span */
  double x_last;
  double slope;     /* Theil–Sen slope, units of y per unit of x */
  double intercept; /* median of y - slope * x */
  double slope_lo;  /* Sen's ~95% confidence interval of the slope */
  double slope_hi;
  double mk_s;     /* Mann–Kendall S */
  double mk_z;     /* normal score, continuity corrected, tie corrected */
  double mk_p;     /* one-sided p-value for an increasing trend */
  double resid_sd; /* robust residual spread: 1.4826 * MAD(y - fit) */
} lg_trend_t;

/* Fits x/y (n points; points whose y is NaN are skipped). Returns 0, or -1
 * when fewer than 3 usable points remain (out is then zeroed with NaNs). */
int lg_trend_fit(const double *x, const double *y, size_t n, lg_trend_t *out);

/* Median of v (n > 0); reorders v. */
double lg_median_inplace(double *v, size_t n);

/* Upper tail of the standard normal distribution, P(Z > z). */
double lg_norm_sf(double z);

/* True when the trend is an increasing one at one-sided level alpha. */
int lg_trend_increasing(const lg_trend_t *t, double alpha);

#endif
