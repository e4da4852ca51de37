/* `leakgate merge`: joins the result sets of shards (each DIR/results.json)
 * into one. Main thread (reads files; no shared state of its own). */
#ifndef LG_MERGE_H
#define LG_MERGE_H

#include <stddef.h>

#include "model.h"

/* Loads dirs[0..ndirs) in order into *r: the header (schema, tool version,
 * created, manifest, root, control, benchmark table) is the first input's,
 * the command is "leakgate merge (N shards)", the runs are all inputs'
 * runs (deep copies) with their run directories and heap re-run
 * directories made absolute through their input directory (so their logs
 * are found where the shard wrote them), the suppression tallies are
 * summed, "incomplete" is set if any input is, and the noise floors are
 * recomputed (lg_analyze_noise). Every input counts: a shard left out
 * would hide its failures. Returns 0 with *r filled (the caller frees it
 * with lg_results_free; exit_code is not set), or -1 with *err set (one
 * line, the caller frees it) and *r empty (nothing to free) when an input
 * cannot be loaded or a scenario/variant/fault appears in two inputs.
 * Writes nothing. */
int lg_merge_results(char *const *dirs, size_t ndirs, lg_results_t *r,
                     char **err);

#endif
