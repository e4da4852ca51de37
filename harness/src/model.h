/* The one in-memory result model of a leakgate run. The runner and analysis
 * fill it; results.json is its serialised form (lg_results_save/load); every
 * report writer only renders it and never recomputes anything. */
#ifndef LG_MODEL_H
#define LG_MODEL_H

#include <jansson.h>
#include <stddef.h>

#include "model_fields.h"
#include "stats.h"

/* The "schema" of results.json and its version; bump the version on
 * incompatible changes. */
#define LG_RESULTS_SCHEMA "leakgate-results"
#define LG_SCHEMA_VERSION 1
#define LG_TOOL_VERSION "0.1.0"

typedef enum lg_verdict_e {
  LG_VERDICTS(LG_ENUM_CONST) LG_V__COUNT
} lg_verdict_t;
typedef enum lg_fclass_e { LG_FCLASSES(LG_ENUM_CONST) LG_F__COUNT } lg_fclass_t;
typedef enum lg_gate_status_e {
  LG_GATE_STATUSES(LG_ENUM_CONST) LG_G__COUNT
} lg_gate_status_t;
typedef enum lg_cell_status_e {
  LG_CELL_STATUSES(LG_ENUM_CONST) LG_C__COUNT
} lg_cell_status_t;

/* Name of an enum value as serialised (a static string, never freed), or
 * "?" for a value outside the enum. The parse functions return 0 and set
 * *out, or return -1 (*out unchanged) for NULL or an unknown name. Any
 * thread. */
const char *lg_verdict_name(lg_verdict_t v);
int lg_verdict_parse(const char *name, lg_verdict_t *v);
const char *lg_fclass_name(lg_fclass_t c);
int lg_fclass_parse(const char *name, lg_fclass_t *c);
const char *lg_gate_status_name(lg_gate_status_t s);
int lg_gate_status_parse(const char *name, lg_gate_status_t *s);
const char *lg_cell_status_name(lg_cell_status_t s);
int lg_cell_status_parse(const char *name, lg_cell_status_t *s);

/* The records below hold their table's fields (model_fields.h, where each
 * is documented) and, after them, the members of the table's hooks. Every
 * string and array is owned by its record. */

typedef struct lg_frame_s {
  LG_FRAME_FIELDS(LG_MEMBER)
} lg_frame_t;

typedef struct lg_stack_s {
  LG_STACK_FIELDS(LG_MEMBER)
  lg_frame_t *frames;
  size_t nframes;
} lg_stack_t;

typedef struct lg_finding_s {
  LG_FINDING_FIELDS(LG_MEMBER)
  lg_stack_t *stacks;
  size_t nstacks;
} lg_finding_t;

typedef struct lg_metric_s {
  LG_METRIC_FIELDS(LG_MEMBER)
  double *v;        /* values: one per sample of the run; NaN when missing */
  lg_trend_t trend; /* valid when fitted; units per iteration */
} lg_metric_t;

typedef struct lg_grower_s {
  LG_GROWER_FIELDS(LG_MEMBER)
  char **retainers;
  size_t nretainers;
} lg_grower_t;

typedef struct lg_heapattr_s {
  LG_HEAPATTR_FIELDS(LG_MEMBER)
  lg_grower_t *growers;
  size_t ngrowers;
} lg_heapattr_t;

/* Frees h and everything it owns; NULL is a no-op. */
void lg_heapattr_free(lg_heapattr_t *h);

typedef struct lg_run_s {
  LG_RUN_FIELDS(LG_MEMBER)
  /* samples, column-wise */
  size_t nsamples;
  long long *si; /* iteration index */
  double *st;    /* t_ms */
  char **sphase; /* baseline, setup, iterate, teardown */
  lg_metric_t *metrics;
  size_t nmetrics;
  lg_finding_t *findings;
  size_t nfindings;
  char **supp_used; /* suppression entries that matched in this run */
  size_t nsupp_used;
  lg_heapattr_t *heap; /* JS heap attribution (heapsnap.h); NULL when none
                          was attempted. Owned; lg_run_free frees it. */
} lg_run_t;

typedef struct lg_supp_use_s {
  LG_SUPP_USE_FIELDS(LG_MEMBER)
} lg_supp_use_t;

/* One benchmark's median figures from reports/bench/latest.json (derived by
 * lg_results_set_bench, never serialised). */
typedef struct lg_bench_row_s {
  char *suite; /* "core" (Google Benchmark) or "js" (addon/bench) */
  char *name;
  double items_per_s, bytes_per_s; /* NAN when not reported */
} lg_bench_row_t;

typedef struct lg_noise_s {
  LG_NOISE_FIELDS(LG_MEMBER)
} lg_noise_t;

typedef struct lg_cell_s {
  LG_CELL_FIELDS(LG_MEMBER)
} lg_cell_t;

typedef struct lg_gate_row_s {
  LG_GATE_ROW_FIELDS(LG_MEMBER)
} lg_gate_row_t;

typedef struct lg_results_s {
  LG_RESULTS_FIELDS(LG_MEMBER)
  int schema;
  int exit_code;
  int incomplete; /* written while runs were still going, or interrupted:
                     results.json "complete": false (0, the default: true) */
  lg_run_t *runs;
  size_t nruns;
  lg_noise_t *noise;
  size_t nnoise;
  lg_supp_use_t *supp_uses; /* every suppression entry of the variants run,
                               with its matches (0: never matched) */
  size_t nsupp_uses;
  int has_selftest; /* the "selftest" object is present */
  LG_SELFTEST_FIELDS(LG_MEMBER)
  lg_cell_t *cells;
  size_t ncells;
  int has_gate; /* the "gate" object is present */
  LG_GATE_FIELDS(LG_MEMBER)
  lg_gate_row_t *gate;
  size_t ngate;
  json_t *bench; /* reports/bench/latest.json as found (kept in results) */
  lg_bench_row_t *bench_rows; /* its medians, derived once by
                                 lg_results_set_bench */
  size_t nbench_rows;
  json_t *extra; /* top-level keys of the loaded results.json this version
                    does not know (e.g. a baseline's "tolerance"), written
                    back unchanged by lg_results_to_json; NULL when none */
} lg_results_t;

/* Ownership and threads. An lg_results_t owns everything reachable from it
 * (strings, arrays, runs, json_t references); a zeroed lg_results_t is an
 * empty, valid model, and lg_results_free frees it all and zeroes it again.
 * Nothing here is thread-safe per model: one thread at a time per r (the
 * runner fills distinct runs from one thread). Allocation failure aborts
 * (util.h, lg_xmalloc), so no function here reports running out of memory. */

/* Appends a zeroed run (min_detectable, alpha, iterate_ms, sample_ms NaN)
 * and returns it. The pointer is borrowed from r->runs: the next
 * lg_results_add_run may move it. */
lg_run_t *lg_results_add_run(lg_results_t *r);

/* Adds `uses` to the entry (variant, file, name), creating it at 0 first.
 * The strings are copied. */
void lg_results_supp_use(lg_results_t *r, const char *variant, const char *file,
                         const char *name, long uses);

/* Takes ownership of `bench` (reports/bench/latest.json, may be NULL) and
 * derives its median rows: Google Benchmark's "median" aggregates under
 * "core", and "js.benchmarks" (scripts/bench). Replaces any earlier bench. */
void lg_results_set_bench(lg_results_t *r, json_t *bench);

/* Free what the record owns and zero it (lg_finding_free frees only what f
 * owns, not f). r, run and f themselves are the caller's. */
void lg_results_free(lg_results_t *r);
void lg_run_free(lg_run_t *run);
void lg_finding_free(lg_finding_t *f);

/* Free r's noise[] (lg_results_clear_noise) or gate rows[]
 * (lg_results_clear_gate) and leave the array NULL with count 0; the rest
 * of r is untouched. */
void lg_results_clear_noise(lg_results_t *r);
void lg_results_clear_gate(lg_results_t *r);

/* Metric by name, or NULL; lg_run_metric_add creates it (values NaN) or
 * returns the existing one, copying name. The pointer is borrowed from
 * run->metrics: the next lg_run_metric_add may move it.
 * runs, metrics, samples and metric values are grown only by
 * lg_results_add_run, lg_run_metric_add and lg_run_sample_add (and the
 * loader): their capacity is implied by the count (model.c, lg__cap). */
lg_metric_t *lg_run_metric(const lg_run_t *run, const char *name);
lg_metric_t *lg_run_metric_add(lg_run_t *run, const char *name);
/* Sample i of run is in the judged window: an iterate-phase sample at or
 * after the warm-up and past iteration 0. The one definition in the harness
 * (docs/probe-protocol.md, "The judged window"; the probes apply the same
 * rule to what they report). */
int lg_sample_judged(const lg_run_t *run, size_t i);
/* The number of samples in the judged window of a run that does all of its
 * `iterations` (the same document: first at max(k, ceil(W / k) k), last at
 * floor(N / k) k); 0 when it is empty. Pure. */
size_t lg_window_samples(long long iterations, long long warmup,
                         long long sample_every);
/* Appends a sample row (phase copied; NULL: "iterate"); metric values
 * default to NaN. Returns its index. */
size_t lg_run_sample_add(lg_run_t *run, long long i, double t_ms,
                         const char *phase);

/* results.json, as docs/results-schema.md describes it (generated from
 * model_fields.h). Strings are written as valid UTF-8 (any invalid byte as
 * \xNN, see text.h), never dropped.
 *
 * lg_results_to_json returns a new reference (the caller json_decrefs it);
 * r is unchanged. lg_results_save writes it to path, indented, with a final
 * newline; returns 0, or -1 when the file cannot be written.
 *
 * lg_results_load overwrites *r (its old contents are not freed) and returns
 * 0 with *r owning the loaded model (free with lg_results_free); or returns
 * -1 with *err set (a string the caller frees: "PATH: key
 * 'runs[2](x/asan).wall_s': expected a number, found a string") and nothing
 * allocated: *r is zeroed. It reads files of older and newer versions of
 * the same schema_version and partial files: only 'schema',
 * 'schema_version', 'runs' and each run's 'scenario', 'variant' and
 * 'verdict' are required; null means absent; a present field of the wrong
 * type is an error. After a successful load these strings are never NULL:
 * finding detector/kind, cell defect/column, gate row scenario/variant/what
 * ("?" when absent) and every sample phase; an absent or unknown cell status
 * is LG_C_UNKNOWN, an unknown gate status LG_G_REGRESSION. Unknown top-level
 * keys are kept in r->extra. */
json_t *lg_results_to_json(const lg_results_t *r);
int lg_results_save(const lg_results_t *r, const char *path);
/* One run as it appears in results.json's "runs": a new string the caller
 * frees, or NULL when jansson ran out of memory. lg_results_save_texts
 * writes what lg_results_save would, r's runs replaced by the n texts
 * (borrowed; "runs" then comes last): a run is serialised once however
 * often the file is rewritten (the partial results.json). 0, or -1. */
char *lg_run_to_text(const lg_run_t *run);
int lg_results_save_texts(const lg_results_t *r, char *const *texts, size_t n,
                          const char *path);
int lg_results_load(const char *path, lg_results_t *r, char **err);

/* Parses the JSON file at path: a new reference (the caller json_decrefs
 * it), or NULL with *err set to "PATH: PROBLEM (line N)" (the caller frees
 * it). Any thread. */
json_t *lg_json_load(const char *path, char **err);
/* Copies src (deep) into *dst, overwriting it; free dst with lg_run_free. */
void lg_run_copy(lg_run_t *dst, const lg_run_t *src);

/* Display unit of a metric: "B" for byte metrics, "" for counts (a static
 * string). */
const char *lg_metric_unit(const char *name);

/* Overall status helpers shared by writers: runs failed (INFRA excluded),
 * and runs that could not be made (INFRA). */
size_t lg_results_failed(const lg_results_t *r);
size_t lg_results_infra(const lg_results_t *r);

#endif
