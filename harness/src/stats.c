/* Theil–Sen and Mann–Kendall (see stats.h). Quadratic in the number of
 * samples, which the probe keeps in the hundreds. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int lg_cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double lg_median_inplace(double *v, size_t n) {
  qsort(v, n, sizeof *v, lg_cmp_dbl);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

double lg_norm_sf(double z) {
  return 0.5 * erfc(z / sqrt(2.0));
}

int lg_trend_increasing(const lg_trend_t *t, double alpha) {
  return t->n >= 3 && t->mk_s > 0 && t->mk_p < alpha;
}

int lg_trend_fit(const double *x, const double *y, size_t n, lg_trend_t *out) {
  memset(out, 0, sizeof *out);
  out->slope = out->intercept = out->slope_lo = out->slope_hi = NAN;
  out->mk_z = 0;
  out->mk_p = 1;
  out->resid_sd = NAN;
  out->x_first = out->x_last = NAN;

  double *xs = lg_xmalloc(n * sizeof *xs), *ys = lg_xmalloc(n * sizeof *ys);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(y[i]) || isnan(x[i]))
      continue;
    xs[m] = x[i];
    ys[m] = y[i];
    m++;
  }
  out->n = m;
  if (m < 3) {
    free(xs);
    free(ys);
    return -1;
  }
  out->x_first = xs[0];
  out->x_last = xs[m - 1];

  size_t npairs = m * (m - 1) / 2, k = 0;
  double *slopes = lg_xmalloc(npairs * sizeof *slopes);
  double s = 0;
  for (size_t i = 0; i + 1 < m; i++) {
    for (size_t j = i + 1; j < m; j++) {
      double dy = ys[j] - ys[i], dx = xs[j] - xs[i];
      s += (dy > 0) - (dy < 0);
      if (dx != 0)
        slopes[k++] = dy / dx;
    }
  }
  /* Sorts slopes, which Sen's interval below relies on. */
  out->slope = k > 0 ? lg_median_inplace(slopes, k) : 0;

  /* Mann–Kendall variance with the tie correction. */
  double *sorted = lg_xmalloc(m * sizeof *sorted);
  memcpy(sorted, ys, m * sizeof *sorted);
  qsort(sorted, m, sizeof *sorted, lg_cmp_dbl);
  double dm = (double)m;
  double var = dm * (dm - 1) * (2 * dm + 5);
  for (size_t i = 0; i < m;) {
    size_t j = i;
    while (j < m && sorted[j] == sorted[i])
      j++;
    double t = (double)(j - i);
    if (t > 1)
      var -= t * (t - 1) * (2 * t + 5);
    i = j;
  }
  var /= 18.0;
  free(sorted);
  out->mk_s = s;
  if (var > 0) {
    double z = s > 0 ? (s - 1) / sqrt(var) : s < 0 ? (s + 1) / sqrt(var) : 0;
    out->mk_z = z;
    out->mk_p = lg_norm_sf(z);
  }

  if (k > 0) {
    /* Sen's interval: ranks (N - C)/2 and (N + C)/2 of the sorted slopes. */
    double cval = 1.959964 * sqrt(var > 0 ? var : 0);
    double lo = ((double)k - cval) / 2.0, hi = ((double)k + cval) / 2.0;
    long ilo = (long)floor(lo), ihi = (long)ceil(hi);
    if (ilo < 0)
      ilo = 0;
    if (ihi > (long)k - 1)
      ihi = (long)k - 1;
    out->slope_lo = slopes[ilo];
    out->slope_hi = slopes[ihi];
  } else {
    out->slope_lo = out->slope_hi = 0;
  }
  free(slopes);

  double *r = lg_xmalloc(m * sizeof *r);
  for (size_t i = 0; i < m; i++)
    r[i] = ys[i] - out->slope * xs[i];
  out->intercept = lg_median_inplace(r, m);
  for (size_t i = 0; i < m; i++)
    r[i] = ys[i] - (out->intercept + out->slope * xs[i]);
  for (size_t i = 0; i < m; i++)
    r[i] = fabs(r[i]);
  out->resid_sd = 1.4826 * lg_median_inplace(r, m);
  free(r);
  free(xs);
  free(ys);
  return 0;
}
