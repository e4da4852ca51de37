/* Analysis of one finished run into a verdict with evidence, and of a whole
 * result set into noise floors and smallest detectable leaks.
 *
 * Verdict rules (in priority order when several apply): INFRA, TIMEOUT,
 * ERROR (attributed memory error, detector exit without a parsed report,
 * probe protocol error or a scenario error record), RACE, CRASH (signal,
 * abnormal exit, no end record), LEAK (attributed leak finding, persistent
 * growth above threshold by lg_leak_judge, or liveBytes/liveBlocks/
 * mallocInUse above baseline after teardown), RESOURCE (any other exact
 * metric above baseline after teardown, TSan thread leak), PASS. A run never
 * passes without evidence: an end status other than "ok", fewer iterations
 * done than asked, fewer judged samples than LG_TREND_MIN_SAMPLES, a
 * thresholded metric missing from the samples, or no baseline/final sample
 * for the exact checks is ERROR; a declared detector's output missing or
 * unparsable is INFRA (a note when the run was killed anyway). Then the
 * scenario's expectation: a negative control expecting X passes when X was
 * detected and becomes EXPECTED-LEAK-MISSED when nothing was. */
#ifndef LG_ANALYZE_H
#define LG_ANALYZE_H

#include "manifest.h"
#include "model.h"
#include "probe_read.h"
#include "text.h" /* lg_fmt_value, for the files that format with it */

/* run must already hold the process outcome, samples and attributed
 * findings; notes (may be NULL) are remarks to cite; detector_error (may be
 * NULL) says that a declared detector's output is missing, empty or
 * unparsable, which makes the run INFRA (only a note when the run was
 * killed, which explains a truncated log). Strings are borrowed. Sets
 * run->verdict, detected, evidence and the metrics' fits; not thread-safe on
 * one run. */
void lg_analyze_run(const lg_manifest_t *m, const lg_scenario_t *sc,
                    const lg_variant_t *va, const lg_probe_info_t *probe,
                    const char *notes, const char *detector_error,
                    lg_run_t *run);

/* Applies the expectation to run->detected/evidence (separate so that the
 * selftest can judge planted-defect runs as "must fail"). pass_evidence (may
 * be NULL: the run's own evidence) is borrowed and copied into the run. */
void lg_apply_expectation(lg_run_t *run, const char *pass_evidence);

/* Recomputes r->noise from the control runs and each metric's noise_sd and
 * min_detectable (also after merge, where the control may be in another
 * shard). Frees and replaces any earlier r->noise; r owns the new one. */
void lg_analyze_noise(lg_results_t *r);

/* The exit code for a result set: 3 if any run is INFRA, else 1 if any run
 * is not ok (or the selftest/gate failed), else 0. */
int lg_results_exit_code(const lg_results_t *r);

/* The judged window of metric `mt` of `run`: its samples for which
 * lg_sample_judged holds (model.h), NaNs skipped. Writes the iteration
 * indices to x and the values to y, which the caller owns and sizes for
 * run->nsamples points; returns how many were written. Reads only. */
size_t lg_run_window(const lg_run_t *run, const lg_metric_t *mt, double *x,
                     double *y);

/* True when `name` is one of the comma-separated control scenarios in
 * `list` (the manifest's "control"; NULL means none). */
int lg_is_control(const char *list, const char *name);

#endif
