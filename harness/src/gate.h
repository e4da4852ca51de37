/* Release gating: compares a result set with a baseline results file and
 * stores the comparison (rows, ok) in the current result model. */
#ifndef LG_GATE_H
#define LG_GATE_H

#include <jansson.h>

#include "model.h"

/* tolerance: the baseline file's optional "tolerance" object, or NULL:
 *   {"slope_rel": 0.5, "peak_rel": 0.25,
 *    "metrics": {"mallocInUse": {"slope_abs": 8, "peak_abs": 65536}}}
 * Defaults: slope_rel 0.5 and slope_abs = the baseline's smallest detectable
 * leak for that metric; peak_rel 0.25 and peak_abs = 4 x its noise sd. */
void lg_gate(const lg_results_t *base, json_t *tolerance,
             const char *baseline_name, lg_results_t *cur);

#endif
