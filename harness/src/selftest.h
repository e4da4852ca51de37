/* The planted-defect matrix: each manifest defect runs with EVS_FAULT=<name>
 * under each designated detector (variant, optionally one metric), plus the
 * clean run of each scenario x variant involved. A cell is caught when the
 * run failed (or, for "variant:metric", that metric was flagged). */
#ifndef LG_SELFTEST_H
#define LG_SELFTEST_H

#include "manifest.h"
#include "model.h"
#include "runner.h"

/* The matrix's jobs: each selected defect's scenario in each designated
 * cell's variant, with the fault and without it (each scenario x variant x
 * fault once). Adds one run per job to r, which must hold no other runs;
 * the jobs point at them, so add nothing to r until they ran. variants and
 * defects filter (NULL or empty: all); both and m are borrowed and must
 * outlive the jobs. Returns the jobs (*n of them; the caller frees the
 * array, never NULL). */
lg_job_t *lg_selftest_plan(const lg_manifest_t *m, char **variants,
                           size_t nvariants, char **defects, size_t ndefects,
                           lg_results_t *r, size_t *n);

/* After lg_selftest_plan's jobs ran (lg_runner_run), with the same filters:
 * adds the cells to r, sets has_selftest and selftest_ok, and marks each
 * planted run ok when every designated cell using it caught the defect. */
void lg_selftest_judge(const lg_manifest_t *m, char **variants,
                       size_t nvariants, char **defects, size_t ndefects,
                       lg_results_t *r);

/* Plans, runs and judges the matrix into r (runs + cells), which must be
 * empty of runs. variants/defects filter (NULL or empty: all). Returns 0,
 * or -1 if interrupted. */
int lg_selftest_run(const lg_manifest_t *m, const lg_run_opts_t *o,
                    char **variants, size_t nvariants, char **defects,
                    size_t ndefects, lg_results_t *r);

#endif
