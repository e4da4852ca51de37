/* Robust trend statistics for leak detection: the Theil–Sen slope (median of
 * pairwise slopes, insensitive to GC spikes and outliers) with Sen's
 * confidence interval, the Mann–Kendall trend test (rank-based, so a noisy
 * flat series is not a trend however large its variance), and the leak
 * decision built on them plus a block-persistence test (lg_leak_judge), so
 * that a one-time step, a ramp that stops or a GC sawtooth is never a
 * per-iteration leak.
 *
 * Cost: O(n log n) time and O(n) memory in the number of points; every
 * function is pure (no global state) and safe to call from any thread. */
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

/* Up to this many points the Theil–Sen slope uses every pair (exact); above
 * it, LG_TREND_PAIRS pairs drawn with a fixed-seed PRNG (deterministic: the
 * same input always gives the same slope). 2^19 pairs put the sampled median
 * within about 0.2% of the pairs' spread of the exact one, well inside Sen's
 * interval. */
#define LG_TREND_EXACT_MAX 1024
#define LG_TREND_PAIRS (1u << 19)

/* Fits x/y (n points, in sample order; points whose x or y is NaN are
 * skipped). Returns 0, or -1 when fewer than 3 usable points remain (out is
 * then zeroed with NaNs). Mann–Kendall S is exact (merge-sort inversion
 * count, ties handled); the slope is exact up to LG_TREND_EXACT_MAX points. */
int lg_trend_fit(const double *x, const double *y, size_t n, lg_trend_t *out);

/* Median of v (n > 0); reorders v. */
double lg_median_inplace(double *v, size_t n);

/* Upper tail of the standard normal distribution, P(Z > z). */
double lg_norm_sf(double z);

/* The significance level when the manifest sets none (defaults.alpha), and
 * the one the gate assumes for a results file that does not record it. */
#define LG_DEFAULT_ALPHA 0.01

/* True when the trend is an increasing one at one-sided level alpha. */
int lg_trend_increasing(const lg_trend_t *t, double alpha);

/* Blocks of the persistence test. The judged window is cut into this many
 * consecutive blocks of (almost) equal sample counts, each summarised by its
 * median: a GC sawtooth with several cycles per block has a flat median
 * (its envelope, not its phase, decides), and fewer than half of a block's
 * samples as outliers, either way, cannot move it. */
#define LG_PERSIST_BLOCKS 5
/* Fewest points the leak decision accepts: 3 per block, so that one outlier
 * sample cannot set a block's level (the median of 3 ignores one; the
 * "median" of 1 or 2 values is one of them or their mean). Fewer points
 * prove nothing either way: the caller must report that rather than pass
 * (analyze.c: ERROR). */
#define LG_TREND_MIN_SAMPLES (3 * LG_PERSIST_BLOCKS)

typedef struct lg_persist_s {
  size_t nblocks;                      /* LG_PERSIST_BLOCKS, or 0 if not run */
  double level[LG_PERSIST_BLOCKS];     /* median of each block */
  double x_mid[LG_PERSIST_BLOCKS];     /* median x of each block */
  double slope[LG_PERSIST_BLOCKS - 1]; /* level change per unit x, block to
                                          next block */
  size_t rising;   /* block-to-block slopes above the threshold */
  int last_rising; /* the last one is above it (growth has not stopped) */
  int persistent;  /* rising >= nblocks - 2 and last_rising */
} lg_persist_t;

/* Outcome of lg_leak_judge. */
typedef enum lg_judgement_e {
  LG_J_FLAT = 0,    /* slope at or below threshold, or no significant trend */
  LG_J_LEAK = 1,    /* persistent growth above threshold */
  LG_J_STEP = 2,    /* slope and trend above threshold, but not persistent:
                       a step, a ramp that stopped, a sawtooth */
  LG_J_TOO_FEW = -1 /* fewer than LG_TREND_MIN_SAMPLES usable points */
} lg_judgement_t;

/* The harness's leak decision for one metric (analyze.c calls it; so does
 * the calibration program, harness/test/calibrate.c). LEAK needs all of:
 * Theil–Sen slope > threshold, Mann–Kendall increasing at `alpha`, and
 * persistence: at least LG_PERSIST_BLOCKS - 2 of the block-to-block slopes of
 * the block medians above the threshold, the last one included. A one-time step
 * moves at most two block-to-block slopes (one when it falls between blocks,
 * two when inside one), so it cannot flag on its own, whatever its size;
 * a ramp that ends before the last block cannot either.
 * Fills *trend (required: the fit, as lg_trend_fit) and *p (may be NULL;
 * zeroed, nblocks 0, when the result is LG_J_TOO_FEW). The threshold must be
 * finite. Both outputs belong to the caller; nothing is retained. */
lg_judgement_t lg_leak_judge(const double *x, const double *y, size_t n,
                             double threshold, double alpha, lg_trend_t *trend,
                             lg_persist_t *p);

/* Sequential early stopping (issue 16; reports/calibration-early-stopping.md,
 * the rule "M 50% k=2 or P 70% k=2"). A run is looked at every 10% of its
 * judged window, at 30%, 40%, ..., 90% (LG_EARLY_LOOKS looks); look j at
 * fraction f = lg_early_fraction(j) judges the first floor(f * n) samples
 * of the window (n: the full window's sample count), and a look with fewer
 * than LG_TREND_MIN_SAMPLES usable points decides nothing. A metric
 * PASS-stops at the first look where either test has held at LG_EARLY_K
 * consecutive looks:
 *   M (from the 50% look): Mann-Kendall finds no increasing trend even at
 *     LG_EARLY_RELAXED_ALPHA (p >= 0.2);
 *   P (from the 70% look): Sen's upper confidence bound of the slope is
 *     below the threshold, i.e. Mann-Kendall finds y - threshold * x
 *     decreasing at alpha / 3 (Bonferroni over P's three looks).
 * The earliest stop is the 60% look. There is no LEAK stop: a look cannot
 * tell growth that continues from growth that stops before the window's
 * end (the report's "Stopping on LEAK cannot meet the bar"). */
#define LG_EARLY_LOOKS 7
#define LG_EARLY_M_FIRST 2 /* look index of 50% */
#define LG_EARLY_P_FIRST 4 /* look index of 70% */
#define LG_EARLY_K 2
#define LG_EARLY_RELAXED_ALPHA 0.2

/* Which test stopped a metric. */
typedef enum lg_early_by_e {
  LG_EARLY_NOT = 0,  /* not stopped */
  LG_EARLY_BY_M = 1, /* no increasing trend at two looks */
  LG_EARLY_BY_P = 2  /* slope's upper bound below the threshold at two looks */
} lg_early_by_t;

/* The look state of one metric; lg_early_init before the first step. Plain
 * data owned by the caller. */
typedef struct lg_early_s {
  int next;         /* next look to evaluate, 0..LG_EARLY_LOOKS */
  int m_run, p_run; /* consecutive looks at which M / P held */
  int look;         /* the look it stopped at, or -1 */
  lg_early_by_t by; /* what stopped it, LG_EARLY_NOT while running */
} lg_early_t;

void lg_early_init(lg_early_t *st);

/* The fraction of the judged window at look j (0.3 .. 0.9). */
double lg_early_fraction(int look);

/* The number of window samples look j judges, of a window of n. */
size_t lg_early_samples(int look, size_t n);

/* Advances the look state of one metric with the first m samples of its
 * judged window (x: iterations, y: values; NaN y = metric missing from that
 * sample, skipped as lg_trend_fit does), of a window that will have n
 * samples in full: evaluates, in order, every look not evaluated yet whose
 * sample count lg_early_samples(j, n) is at most m, on exactly those
 * samples, so that the result does not depend on how the samples arrive.
 * Stops at the first look that decides. Returns 1 when the metric has
 * PASS-stopped (now or before; st->look, st->by say where and why), 0
 * otherwise. threshold must be finite; alpha is the run's
 * (defaults.alpha). Pure apart from *st: thread-safe for distinct states;
 * allocates only temporarily (O(m) memory, O(m^2) time per look up to
 * LG_TREND_EXACT_MAX points, as lg_trend_fit). */
int lg_early_step(const double *x, const double *y, size_t m, size_t n,
                  double threshold, double alpha, lg_early_t *st);

#endif
