/* Result sets built in memory for the unit tests of release gating
 * (test_gate.c) and of one-time vs growing leaks (test_leakclass.c). Every
 * object they add is owned by the run or result set it was added to (freed
 * with lg_results_free). Single-threaded test code. */
#ifndef LG_TEST_GATE_FIXTURES_H
#define LG_TEST_GATE_FIXTURES_H

#include <stddef.h>

#include "gate.h"
#include "model.h"

/* Adds a complete run (2000 iterations, slopes judged) with the given
 * expectation and verdict to r; returns it (owned by r). */
lg_run_t *lg_mkrun(lg_results_t *r, const char *scenario, const char *variant,
                   const char *expected, lg_verdict_t verdict);

/* Adds a passing run ("pass" expected) of scenario in variant to base and
 * another to cur; returns them in *b and *c (owned by base and cur: valid
 * until the next run is added there). */
void lg_mkpair(lg_results_t *base, lg_results_t *cur, const char *scenario,
               const char *variant, lg_run_t **b, lg_run_t **c);

/* A fitted, thresholded metric with the given slope and peak growth, held
 * over two samples; it becomes the run's primary metric. */
void lg_mkmetric(lg_run_t *run, const char *name, double slope,
                 double threshold, double growth);

/* A metric over a full sampled run: a baseline sample, `n` iterate samples
 * every 20 iterations with values f(k) for k = 0..n-1, and a teardown
 * sample back at f(0). The run must have no samples yet. The trend is
 * fitted from the window; slope overrides the fitted point slope when
 * finite. Returns the metric (owned by run). */
lg_metric_t *lg_mkseries(lg_run_t *run, const char *name, double threshold,
                         size_t n, double (*f)(size_t k), double slope);

/* Adds an attributed LSan direct leak (64 bytes, 1 block) allocated from
 * fn at file:line in obj; returns it (owned by run). */
lg_finding_t *lg_mkfinding(lg_run_t *run, const char *fn, const char *file,
                           int line, const char *obj);

/* Gates cur against the baseline reduced from base (no tolerance). */
void lg_gate_mem(const lg_results_t *base, lg_results_t *cur);

/* The number of cur's gate rows with status st (and, unless NULL, what). */
size_t lg_count(const lg_results_t *r, lg_gate_status_t st, const char *what);

#endif
