/* Job selection: which scenario x variant (x planted fault) runs a
 * `leakgate run` performs, from its --variant, --scenario, --fault and
 * --shard options and the manifest, and the checks of those options
 * against the manifest. Pure functions of their arguments (no I/O): any
 * thread, as long as the manifest is not being changed. */
#ifndef LG_PLAN_H
#define LG_PLAN_H

#include <stddef.h>

#include "manifest.h"
#include "runner.h"

/* The selection a `run` command line asks for. Everything is borrowed. */
typedef struct lg_plan_sel_s {
  char **variants; /* variant names; none: the manifest's default variants */
  size_t nvariants;
  char **scenarios; /* fnmatch globs; none: every scenario */
  size_t nscenarios;
  const char *fault; /* planted in every run but the controls, or NULL */
  int shard_i;       /* slice shard_i (1-based) of shard_n; */
  int shard_n;       /* shard_n 0: no sharding */
} lg_plan_sel_t;

/* Parses a decimal integer in [min, max] with nothing before or after it
 * (no sign '+', no space). Returns 0 with *out set, or -1 (also on
 * overflow) with *out unchanged. */
int lg_parse_int(const char *s, long long min, long long max, long long *out);

/* Parses "I/N" with 1 <= I <= N <= INT_MAX. Returns 1 with *i and *n set,
 * or 0 with both unchanged. */
int lg_parse_shard(const char *s, int *i, int *n);

/* True when `name` is a planted defect (a fault name) of the manifest's
 * selftest section. */
int lg_plan_has_defect(const lg_manifest_t *m, const char *name);

/* Checks a `run` selection against the manifest, in this order: every
 * variant exists, every run's iterations stay in range under `scale`
 * (lg_manifest_check_scale), every scenario glob matches a scenario, the
 * fault is a planted defect. Returns NULL, or the first problem as one
 * line without the "leakgate: " prefix (the caller frees it). */
char *lg_plan_check_run(const lg_manifest_t *m, const lg_plan_sel_t *sel,
                        double scale);

/* The same for `selftest`: the manifest has defects, every variant exists,
 * the iterations stay in range under `scale`, every defect name is one of
 * the manifest's. Returns NULL or the problem (the caller frees it). */
char *lg_plan_check_selftest(const lg_manifest_t *m, char **variants,
                             size_t nvariants, char **defects, size_t ndefects,
                             double scale);

/* The jobs of a `run`: scenario x variant pairs in manifest order
 * (scenarios outer), keeping a scenario when a glob matches it (or no glob
 * is given; the control scenarios also without a match unless sharded, for
 * their noise floor), a variant when named (or, with none named, when it
 * is a default variant), and only pairs where the scenario runs in the
 * variant and, with a fault, the variant's build has fault points. With a
 * shard, the k-th of those pairs (0-based) is kept when k % N == I - 1: the
 * shards partition the list and their sizes differ by at most one. Each
 * job gets sc, va, and fault (NULL for a control); its other fields are 0.
 * Returns a new array the caller frees (never NULL, even with *n == 0);
 * the jobs borrow from m and sel->fault. Does not check sel (see
 * lg_plan_check_run). */
lg_job_t *lg_plan_jobs(const lg_manifest_t *m, const lg_plan_sel_t *sel,
                       size_t *n);

#endif
