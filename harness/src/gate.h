/* Release gating: compares a result set with a baseline and stores the
 * comparison (rows, ok) in the current result model.
 *
 * Both sides are first reduced to what the gate compares (lg_baseline_t):
 * per scenario x variant (x fault) the verdict, the attributed findings by
 * key (leakclass.h: path-independent, one entry per key however many stack
 * records share it), and for scenarios expected to pass the metrics the run
 * judged: slopes (fitted, thresholded, in a variant judging slopes for the
 * run's language) with their 95% interval, and deterministic peak growths
 * (exact metrics, and judged metrics of C processes; the held peak, below).
 * That reduction is also the slim committed baseline file (`leakgate baseline
 * DIR --out FILE`, "schema": "leakgate-baseline"); a full results.json is
 * accepted as a baseline as well.
 *
 * Rules (one row each; only "regression" fails the gate):
 *   - verdict: passed in the baseline and fails now -> regression; failed in
 *     both -> still failing (the run's verdict fails the run, not the gate);
 *     failed and now passes -> improvement; absent from the baseline ->
 *     regression if it fails, new if it passes; in the baseline but not run
 *     -> missing.
 *   - negative controls (expect other than "pass") are gated on the verdict
 *     alone: how fast a planted leak grows is not a regression.
 *   - a finding key absent from the baseline -> regression (a one-time leak,
 *     LG_F_ONCE, -> new: its verdict follows the manifest's "once" policy);
 *     a baseline key gone -> improvement.
 *   - a judged slope above baseline + tolerance -> regression, when the
 *     run's own step-robust rule (lg_leak_judge over its judged window,
 *     against baseline + tolerance instead of the threshold) finds the rise
 *     significant and persistent; a one-time step or noise is an ok row that
 *     says so. A file without the window's samples: the point slope decides.
 *   - a judged peak growth above baseline + tolerance -> regression. The
 *     peak is the level held over two consecutive samples, not one sample's
 *     maximum: samples are asynchronous to what other threads release (a
 *     joined thread stays in /proc/self/task until the kernel reaps it).
 *   - both compared only where both runs judged them.
 * Tolerances: the baseline's optional "tolerance" object:
 *   {"slope_rel": 0.5, "peak_rel": 0.25,
 *    "metrics": {"mallocInUse": {"slope_abs": 8, "peak_abs": 65536}}}
 * Defaults: slope max(0.5 x |baseline|, the baseline's smallest detectable
 * leak); peak 0.25 x |baseline growth| + 4 x its noise sd.
 *
 * Nothing here is thread-safe; use one lg_baseline_t per thread. */
#ifndef LG_GATE_H
#define LG_GATE_H

#include <jansson.h>

#include "model.h"

#define LG_BASELINE_SCHEMA "leakgate-baseline"
#define LG_BASELINE_VERSION 1

typedef struct lg_bmetric_s {
  char *name;
  int slope_judged; /* slope, slope_lo/hi and min_detectable are valid */
  double slope, slope_lo, slope_hi, min_detectable; /* units/iteration */
  int peak_judged;              /* peak_growth and noise_sd are valid */
  double peak_growth, noise_sd; /* peak - baseline sample; units */
} lg_bmetric_t;

typedef struct lg_bfinding_s {
  char *key;               /* lg_finding_key */
  lg_fclass_t cls;         /* of the first record with this key */
  long records;            /* stack records sharing the key */
  long long bytes, blocks; /* summed; -1 when unknown */
} lg_bfinding_t;

typedef struct lg_brun_s {
  char *scenario, *variant, *fault; /* fault NULL outside the selftest */
  char *lang, *primary;             /* may be NULL */
  int expect_pass; /* expect "pass": findings and metrics are gated too */
  lg_verdict_t verdict;
  int ok;
  lg_bfinding_t *findings;
  size_t nfindings;
  lg_bmetric_t *metrics;
  size_t nmetrics;
  double wall_s; /* the run's wall time then (NaN: unknown); orders a fresh
                    checkout's runs, longest first (lg_jobs_estimate) */
} lg_brun_t;

typedef struct lg_baseline_s {
  char *created;     /* when the results it summarises were made; may be NULL */
  json_t *tolerance; /* owned reference, or NULL */
  lg_brun_t *runs;
  size_t nruns;
} lg_baseline_t;

/* Reduces a result set (keys relative to r->root). b is overwritten and
 * owns copies; free with lg_baseline_free. tolerance starts NULL. */
void lg_baseline_from_results(const lg_results_t *r, lg_baseline_t *b);

/* The slim file's JSON (new reference), tolerance included when set. */
json_t *lg_baseline_to_json(const lg_baseline_t *b);

/* Reads a slim baseline object. Returns 0, or -1 with *err (caller frees)
 * naming the key that is wrong; b is then empty. */
int lg_baseline_from_json(json_t *o, lg_baseline_t *b, char **err);

/* Loads either a slim baseline or a full results.json (told apart by its
 * "schema"), with its optional "tolerance". Returns 0, or -1 with *err. */
int lg_baseline_load(const char *path, lg_baseline_t *b, char **err);

/* Writes the slim file (indented, one run per few lines). Returns 0, or -1
 * with *err. */
int lg_baseline_save(const lg_baseline_t *b, const char *path, char **err);

void lg_baseline_free(lg_baseline_t *b);

/* Replaces cur's gate rows with the comparison of cur against base (rules
 * above) and sets cur->gate_ok. baseline_name is recorded for the reports. */
void lg_gate(const lg_baseline_t *base, const char *baseline_name,
             lg_results_t *cur);

/* lg_baseline_load + lg_gate. Returns 0, or -1 with *err (the baseline
 * could not be read; cur is unchanged). */
int lg_gate_apply(lg_results_t *cur, const char *baseline_path, char **err);

#endif
