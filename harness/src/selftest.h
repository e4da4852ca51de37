/* The planted-defect matrix: each manifest defect runs with EVS_FAULT=<name>
 * under each designated detector (variant, optionally one metric), plus the
 * clean run of each scenario x variant involved. A cell is caught when the
 * run failed (or, for "variant:metric", that metric was flagged). */
#ifndef LG_SELFTEST_H
#define LG_SELFTEST_H

#include "manifest.h"
#include "model.h"
#include "runner.h"

/* Runs the matrix into r (runs + cells). variants/defects filter (NULL or
 * empty: all). Returns 0, or -1 if interrupted. */
int lg_selftest_run(const lg_manifest_t *m, const lg_run_opts_t *o,
                    char **variants, size_t nvariants, char **defects,
                    size_t ndefects, lg_results_t *r);

#endif
