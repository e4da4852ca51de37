/* Theil–Sen, Mann–Kendall and the leak decision (see stats.h). Every step is
 * O(n log n): Mann–Kendall S from a merge-sort inversion count, the slope from
 * all pairs up to LG_TREND_EXACT_MAX points and from a fixed number of
 * PRNG-drawn pairs above, medians by sorting. */
#include "stats.h"

#include <math.h>
#include <stdint.h>
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

/* splitmix64: a tiny, well-mixed PRNG; seeded from the point count so the
 * sampled slope is a deterministic function of the input. */
static uint64_t lg_splitmix64(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Sorts v[0..n) ascending using tmp (n elements) and returns the number of
 * strict inversions (pairs i < j with v[i] > v[j]) of the original order.
 * Equal values are not inversions: the left one is taken first. */
static double lg_inversions(double *v, double *tmp, size_t n) {
  if (n < 2)
    return 0;
  size_t h = n / 2;
  double inv = lg_inversions(v, tmp, h) + lg_inversions(v + h, tmp, n - h);
  size_t i = 0, j = h, k = 0;
  while (i < h && j < n) {
    if (v[i] <= v[j]) {
      tmp[k++] = v[i++];
    } else {
      tmp[k++] = v[j++];
      inv += (double)(h - i);
    }
  }
  while (i < h)
    tmp[k++] = v[i++];
  while (j < n)
    tmp[k++] = v[j++];
  memcpy(v, tmp, n * sizeof *v);
  return inv;
}

/* The value at fraction q (0..1) of sorted v (n > 0), linearly
 * interpolated. */
static double lg_quantile_sorted(const double *v, size_t n, double q) {
  double pos = q * (double)(n - 1);
  size_t lo = (size_t)floor(pos);
  if (lo + 1 >= n)
    return v[n - 1];
  double f = pos - (double)lo;
  return v[lo] + f * (v[lo + 1] - v[lo]);
}

/* Reorders v[0..n) so that v[k] is the k-th smallest, smaller ones before it
 * and larger after (Hoare's selection, median-of-three pivot: O(n)
 * expected, and the slopes of a fit are not adversarial). */
static void lg_select(double *v, size_t n, size_t k) {
  size_t lo = 0, hi = n - 1;
  while (hi > lo) {
    size_t mid = lo + (hi - lo) / 2;
    double a = v[lo], b = v[mid], c = v[hi];
    double pivot = a < b ? (b < c   ? b
                            : a < c ? c
                                    : a)
                         : (a < c   ? a
                            : b < c ? c
                                    : b);
    size_t i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot)
        i++;
      while (v[j] > pivot)
        j--;
      if (i <= j) {
        double t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        if (j == 0)
          break;
        j--;
      }
    }
    if (k <= j)
      hi = j;
    else if (k >= i)
      lo = i;
    else
      return;
  }
}

/* The value at fraction q of v's sorted order, interpolated as
 * lg_quantile_sorted would, in O(n) expected; reorders v. */
static double lg_quantile_select(double *v, size_t n, double q) {
  double pos = q * (double)(n - 1);
  size_t lo = (size_t)floor(pos);
  if (lo + 1 >= n) {
    lg_select(v, n, n - 1);
    return v[n - 1];
  }
  lg_select(v, n, lo);
  double f = pos - (double)lo, next = v[lo + 1];
  for (size_t i = lo + 2; i < n; i++)
    if (v[i] < next)
      next = v[i];
  return v[lo] + f * (next - v[lo]);
}

int lg_trend_fit(const double *x, const double *y, size_t n, lg_trend_t *out) {
  int rc = -1;
  double *xs = NULL, *ys = NULL, *work = NULL, *tmp = NULL, *slopes = NULL;
  memset(out, 0, sizeof *out);
  out->slope = out->intercept = out->slope_lo = out->slope_hi = NAN;
  out->mk_z = 0;
  out->mk_p = 1;
  out->resid_sd = NAN;
  out->x_first = out->x_last = NAN;

  xs = lg_xmalloc((n + 1) * sizeof *xs);
  ys = lg_xmalloc((n + 1) * sizeof *ys);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(y[i]) || isnan(x[i]))
      continue;
    xs[m] = x[i];
    ys[m] = y[i];
    m++;
  }
  out->n = m;
  if (m < 3)
    goto fail;
  out->x_first = xs[0];
  out->x_last = xs[m - 1];

  /* Mann–Kendall S = concordant - discordant pairs in sample order:
   * discordant = strict inversions of y, ties = pairs of equal y, and
   * concordant = all pairs - discordant - ties. */
  work = lg_xmalloc(m * sizeof *work);
  tmp = lg_xmalloc(m * sizeof *tmp);
  memcpy(work, ys, m * sizeof *work);
  double dm = (double)m, all = dm * (dm - 1) / 2;
  double q = lg_inversions(work, tmp, m); /* work is now sorted */
  double ties = 0;
  double var = dm * (dm - 1) * (2 * dm + 5);
  for (size_t i = 0; i < m;) {
    size_t j = i;
    while (j < m && work[j] == work[i])
      j++;
    double t = (double)(j - i);
    if (t > 1) {
      var -= t * (t - 1) * (2 * t + 5);
      ties += t * (t - 1) / 2;
    }
    i = j;
  }
  var /= 18.0;
  double s = (all - q - ties) - q;
  out->mk_s = s;
  if (var > 0) {
    double z = s > 0 ? (s - 1) / sqrt(var) : s < 0 ? (s + 1) / sqrt(var) : 0;
    out->mk_z = z;
    out->mk_p = lg_norm_sf(z);
  }

  /* Theil–Sen: every pair up to LG_TREND_EXACT_MAX points, else a fixed
   * number of uniformly drawn pairs (the median of a large uniform sample
   * of the pairwise slopes estimates the median of all of them). */
  size_t k = 0;
  if (m <= LG_TREND_EXACT_MAX) {
    slopes = lg_xmalloc((m * (m - 1) / 2 + 1) * sizeof *slopes);
    for (size_t i = 0; i + 1 < m; i++)
      for (size_t j = i + 1; j < m; j++) {
        double dx = xs[j] - xs[i];
        if (dx != 0)
          slopes[k++] = (ys[j] - ys[i]) / dx;
      }
  } else {
    uint64_t seed = 0x6c65616b67617465ULL ^ (uint64_t)m;
    slopes = lg_xmalloc(LG_TREND_PAIRS * sizeof *slopes);
    for (size_t d = 0; d < LG_TREND_PAIRS; d++) {
      size_t i = (size_t)(lg_splitmix64(&seed) % m);
      size_t j = (size_t)(lg_splitmix64(&seed) % m);
      double dx = xs[j] - xs[i];
      if (i != j && dx != 0)
        slopes[k++] = (ys[j] - ys[i]) / dx;
    }
  }
  if (k > 0) {
    /* Sen's interval: ranks (N - C)/2 and (N + C)/2 of N sorted slopes,
     * taken as fractions so that they also apply to a sample of them.
     * Selection, not sorting: each quantile is O(k). */
    double cval = 1.959964 * sqrt(var > 0 ? var : 0);
    double flo = (all - cval) / (2 * all), fhi = (all + cval) / (2 * all);
    out->slope = lg_quantile_select(slopes, k, 0.5);
    out->slope_lo = lg_quantile_select(slopes, k, flo < 0 ? 0 : flo);
    out->slope_hi = lg_quantile_select(slopes, k, fhi > 1 ? 1 : fhi);
  } else {
    out->slope = out->slope_lo = out->slope_hi = 0;
  }

  for (size_t i = 0; i < m; i++)
    work[i] = ys[i] - out->slope * xs[i];
  out->intercept = lg_median_inplace(work, m);
  for (size_t i = 0; i < m; i++)
    work[i] = fabs(ys[i] - (out->intercept + out->slope * xs[i]));
  out->resid_sd = 1.4826 * lg_median_inplace(work, m);
  rc = 0;
fail:
  free(slopes);
  free(tmp);
  free(work);
  free(xs);
  free(ys);
  return rc;
}

lg_judgement_t lg_leak_judge(const double *x, const double *y, size_t n,
                             double threshold, double alpha, lg_trend_t *trend,
                             lg_persist_t *p) {
  lg_persist_t local;
  if (!p)
    p = &local;
  memset(p, 0, sizeof *p);
  int fit = lg_trend_fit(x, y, n, trend);
  if (fit != 0 || trend->n < LG_TREND_MIN_SAMPLES)
    return LG_J_TOO_FEW;

  /* The usable points again, in order (the fit skipped NaNs the same way). */
  size_t m = 0, K = LG_PERSIST_BLOCKS;
  double *xs = lg_xmalloc(n * sizeof *xs), *ys = lg_xmalloc(n * sizeof *ys);
  for (size_t i = 0; i < n; i++)
    if (!isnan(x[i]) && !isnan(y[i])) {
      xs[m] = x[i];
      ys[m++] = y[i];
    }
  double *v = lg_xmalloc(m * sizeof *v);
  for (size_t b = 0; b < K; b++) {
    size_t lo = b * m / K, hi = (b + 1) * m / K;
    memcpy(v, ys + lo, (hi - lo) * sizeof *v);
    qsort(v, hi - lo, sizeof *v, lg_cmp_dbl);
    p->level[b] = lg_quantile_sorted(v, hi - lo, 0.5);
    memcpy(v, xs + lo, (hi - lo) * sizeof *v);
    p->x_mid[b] = lg_median_inplace(v, hi - lo);
  }
  p->nblocks = K;
  for (size_t b = 0; b + 1 < K; b++) {
    double dx = p->x_mid[b + 1] - p->x_mid[b];
    p->slope[b] = dx > 0 ? (p->level[b + 1] - p->level[b]) / dx : 0;
    if (p->slope[b] > threshold)
      p->rising++;
  }
  p->last_rising = p->slope[K - 2] > threshold;
  p->persistent = p->rising >= K - 2 && p->last_rising;
  free(v);
  free(xs);
  free(ys);

  if (!(trend->slope > threshold) || !lg_trend_increasing(trend, alpha))
    return LG_J_FLAT;
  return p->persistent ? LG_J_LEAK : LG_J_STEP;
}

void lg_early_init(lg_early_t *st) {
  memset(st, 0, sizeof *st);
  st->look = -1;
}

double lg_early_fraction(int look) {
  return 0.3 + 0.1 * (double)look;
}

size_t lg_early_samples(int look, size_t n) {
  return (size_t)floor(lg_early_fraction(look) * (double)n + 1e-9);
}

/* One look on the first m samples: updates the M and P run lengths. */
static void lg_early_look(const double *x, const double *y, size_t m,
                          double threshold, double alpha, lg_early_t *st) {
  int j = st->next;
  lg_trend_t tr;
  if (lg_trend_fit(x, y, m, &tr) != 0 || tr.n < LG_TREND_MIN_SAMPLES) {
    st->m_run = st->p_run = 0;
    return;
  }
  if (j >= LG_EARLY_M_FIRST)
    st->m_run = tr.mk_p >= LG_EARLY_RELAXED_ALPHA ? st->m_run + 1 : 0;
  if (j >= LG_EARLY_P_FIRST) {
    /* Sen's interval is Mann-Kendall inverted: its upper bound is below T
     * at level a exactly when y - T x decreases at level a. */
    double *d = lg_xmalloc((m + 1) * sizeof *d);
    for (size_t i = 0; i < m; i++)
      d[i] = y[i] - threshold * x[i];
    lg_trend_t td;
    double a = alpha / (double)(LG_EARLY_LOOKS - LG_EARLY_P_FIRST);
    int held = lg_trend_fit(x, d, m, &td) == 0 && td.mk_s < 0 &&
               lg_norm_sf(-td.mk_z) < a;
    free(d);
    st->p_run = held ? st->p_run + 1 : 0;
  }
}

int lg_early_step(const double *x, const double *y, size_t m, size_t n,
                  double threshold, double alpha, lg_early_t *st) {
  while (st->by == LG_EARLY_NOT && st->next < LG_EARLY_LOOKS &&
         lg_early_samples(st->next, n) <= m) {
    lg_early_look(x, y, lg_early_samples(st->next, n), threshold, alpha, st);
    if (st->m_run >= LG_EARLY_K || st->p_run >= LG_EARLY_K) {
      st->look = st->next;
      st->by = st->m_run >= LG_EARLY_K ? LG_EARLY_BY_M : LG_EARLY_BY_P;
    }
    st->next++;
  }
  return st->by != LG_EARLY_NOT;
}
