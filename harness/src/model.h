/* The one in-memory result model of a leakgate run. The runner and analysis
 * fill it; results.json is its serialised form (lg_results_save/load); every
 * report writer only renders it and never recomputes anything. */
#ifndef LG_MODEL_H
#define LG_MODEL_H

#include <jansson.h>
#include <stddef.h>

#include "stats.h"

/* Version of the results.json schema; bump on incompatible changes. */
#define LG_SCHEMA_VERSION 1
#define LG_TOOL_VERSION "0.1.0"

typedef enum lg_verdict_e {
  LG_V_PASS,
  LG_V_LEAK,
  LG_V_ERROR, /* memory error (sanitizer/valgrind) or protocol error */
  LG_V_RACE,
  LG_V_CRASH,
  LG_V_TIMEOUT,
  LG_V_RESOURCE, /* threads/fds/handles not returned */
  LG_V_MISSED,   /* negative control whose expected defect was not caught */
  LG_V_INFRA,    /* could not run: missing build/program, spawn failure */
  LG_V__COUNT
} lg_verdict_t;

const char *lg_verdict_name(lg_verdict_t v);
/* Returns 0 and sets *v, or -1 for an unknown name. */
int lg_verdict_parse(const char *name, lg_verdict_t *v);

/* Finding classes: which verdict an attributed finding produces. */
typedef enum lg_fclass_e {
  LG_F_INFO, /* listed, never fails (possibly lost, still reachable) */
  LG_F_LEAK,
  LG_F_ERROR,
  LG_F_RACE,
  LG_F_RESOURCE,
  LG_F_CRASH,
  LG_F_ONCE /* leaked once: an attributed leak whose size does not grow with
               the iterations (leakclass.h); LEAK or a warning per the
               manifest's "once" policy */
} lg_fclass_t;

const char *lg_fclass_name(lg_fclass_t c);
int lg_fclass_parse(const char *name, lg_fclass_t *c);

typedef struct lg_frame_s {
  char *fn;   /* may be NULL */
  char *file; /* source file, may be NULL */
  int line;   /* 0 when unknown */
  char *obj;  /* object (executable or shared library), may be NULL */
  int ours;
} lg_frame_t;

typedef struct lg_stack_s {
  char *title; /* e.g. "allocated from", "Previous write by thread T1" */
  lg_frame_t *frames;
  size_t nframes;
} lg_stack_t;

typedef struct lg_finding_s {
  char *detector; /* asan, lsan, ubsan, tsan, valgrind */
  char *kind;     /* heap-use-after-free, Leak_DefinitelyLost, data race ... */
  lg_fclass_t cls;
  char *message;           /* the report's headline */
  long long bytes, blocks; /* -1 when not applicable */
  lg_stack_t *stacks;
  size_t nstacks;
  int ours;              /* a frame belongs to our objects */
  char *first_our_frame; /* "fn file:line" of the first such frame */
  char *source;          /* log file it was parsed from */
} lg_finding_t;

typedef struct lg_metric_s {
  char *name;
  double *v;        /* one value per sample; NaN when the sample lacks it */
  int fitted;       /* trend holds a fit over the post-warm-up samples */
  lg_trend_t trend; /* units per iteration */
  double threshold; /* slope threshold, units/iteration; NaN when none */
  char *measured;   /* free-text note from the manifest */
  int exact;        /* exact end-of-run check requested */
  double baseline;  /* value in the baseline sample (NaN if absent) */
  double final;     /* value in the final (after teardown) sample */
  double peak;      /* maximum over all samples */
  double noise_sd;  /* residual noise, units (from the control or self) */
  char *noise_source;
  double min_detectable; /* smallest leak, units/iteration, this run */
  int flagged;           /* this metric produced a LEAK/RESOURCE reason */
  char *not_judged;      /* why the slope was not judged against a threshold
                            (e.g. "valgrind judges slopes only for c"), NULL when
                            it was judged or the analysis gave no reason; the
                            writers derive a reason when NULL (report.h,
                            lg_metric_not_judged) */
} lg_metric_t;

/* One group of JS heap objects that grew between the two heap snapshots of
 * a JS heap attribution (heapsnap.h), as heapdiff.js reported it. */
typedef struct lg_grower_s {
  char *kind;       /* V8 node type: object, closure, string, array, ... */
  char *name;       /* constructor name, or "(closure)", "(string)", ... */
  char *function;   /* closures: the function's name ("" when anonymous) */
  char *location;   /* closures: "script.js:LINE" (NULL when unknown) */
  double count;     /* objects more in the second snapshot */
  double size;      /* their self size, bytes more */
  char **retainers; /* one retainer path, outermost holder first, ending at
                       one new object of the group ("Store._active", "Set",
                       ..., "Subscription"); may be empty */
  size_t nretainers;
  int truncated; /* the path goes on beyond its first retainer shown */
} lg_grower_t;

/* JS heap attribution of a run (heapsnap.h): what grew in the JS heap
 * between iterations `from` and `to` of a short re-run. */
typedef struct lg_heapattr_s {
  long long from, to;   /* iterations of the two snapshots */
  double seconds;       /* wall time of the re-run and the diff */
  char *note;           /* why there is no (complete) attribution, or NULL */
  char *dir;            /* the re-run's directory, relative to the report
                           directory (like run_dir), or NULL */
  lg_grower_t *growers; /* largest self-size growth first */
  size_t ngrowers;
} lg_heapattr_t;

void lg_heapattr_free(lg_heapattr_t *h);

typedef struct lg_run_s {
  char *scenario, *variant, *lang;
  char *fault;           /* EVS_FAULT for a selftest run, else NULL */
  char *expected;        /* "pass" or a verdict name */
  lg_verdict_t detected; /* what the analysis found */
  lg_verdict_t verdict;  /* after the expectation was applied */
  int ok;                /* verdict acceptable */
  char *evidence;
  char *command;
  char *run_dir;   /* relative to the report directory */
  int exit_status; /* -1 if killed by a signal */
  int term_signal; /* 0 if none */
  int timed_out;
  int slopes_judged; /* the variant judged slopes for this run's language */
  double hung_after_end_s; /* > 0: killed for not exiting within this many
                              seconds of writing its end record */
  double wall_s, timeout_s;
  long long iterations, iterations_done, warmup, sample_every;
  int has_end;
  char *probe_error;
  char *primary; /* metric shown first and used for min_detectable */
  double min_detectable;
  double alpha; /* significance level the trends were judged at (the
                   manifest's defaults.alpha); NaN if unknown (older files),
                   and then the gate assumes LG_DEFAULT_ALPHA */
  double iterate_ms, sample_ms; /* probe's own timing; NaN if unknown */
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

/* How often one suppression entry of a variant matched over the runs. */
typedef struct lg_supp_use_s {
  char *variant, *file, *name;
  long uses;
} lg_supp_use_t;

/* One benchmark's median figures from reports/bench/latest.json. */
typedef struct lg_bench_row_s {
  char *suite; /* "core" (Google Benchmark) or "js" (addon/bench) */
  char *name;
  double items_per_s, bytes_per_s; /* NAN when not reported */
} lg_bench_row_t;

typedef struct lg_noise_s {
  char *variant, *lang, *metric, *scenario;
  double sd;    /* residual noise, units */
  double slope; /* largest |slope| in the control's 95% interval */
} lg_noise_t;

typedef struct lg_cell_s {
  char *defect, *column, *variant, *metric;
  int designated;
  char *status; /* caught, missed, n/a */
  char *evidence;
  double seconds;
} lg_cell_t;

/* Gate row statuses. Only LG_G_REGRESSION fails the gate; a run failing in
 * the baseline and now is LG_G_STILL_FAILING (its verdict fails the run, not
 * the comparison). Names, as serialised: ok, regression, still failing,
 * improvement, new, missing. */
typedef enum lg_gate_status_e {
  LG_G_OK,
  LG_G_REGRESSION,
  LG_G_STILL_FAILING,
  LG_G_IMPROVEMENT,
  LG_G_NEW, /* a run not in the baseline that passes, a new one-time leak */
  LG_G_MISSING,
  LG_G__COUNT
} lg_gate_status_t;

const char *lg_gate_status_name(lg_gate_status_t s);
/* Returns 0 and sets *s, or -1 for an unknown name. */
int lg_gate_status_parse(const char *name, lg_gate_status_t *s);

typedef struct lg_gate_row_s {
  char *scenario, *variant, *what; /* metric name, "verdict" or "finding" */
  double baseline, current, tolerance;
  lg_gate_status_t status;
  char *note;
} lg_gate_row_t;

typedef struct lg_results_s {
  int schema;
  char *tool_version, *created, *manifest, *root, *command, *shard;
  char *control; /* control scenario name(s), comma-separated */
  lg_run_t *runs;
  size_t nruns;
  lg_noise_t *noise;
  size_t nnoise;
  int has_selftest;
  lg_cell_t *cells;
  size_t ncells;
  int selftest_ok;
  int has_gate;
  char *gate_baseline;
  int gate_ok;
  lg_gate_row_t *gate;
  size_t ngate;
  json_t *bench; /* reports/bench/latest.json as found (kept in results) */
  lg_supp_use_t *supp_uses; /* every suppression entry of the variants run,
                               with its matches (0: never matched) */
  size_t nsupp_uses;
  lg_bench_row_t *bench_rows; /* its medians, derived once by
                                 lg_results_set_bench */
  size_t nbench_rows;
  int exit_code;
  int incomplete; /* written while runs were still going, or interrupted:
                     results.json "complete": false (0, the default: true) */
  json_t *extra;  /* top-level keys of the loaded results.json this version
                     does not know (e.g. a baseline's "tolerance"), written
                     back unchanged by lg_results_to_json; NULL when none */
} lg_results_t;

lg_run_t *lg_results_add_run(lg_results_t *r);

/* Adds `uses` to the entry (variant, file, name), creating it at 0 first. */
void lg_results_supp_use(lg_results_t *r, const char *variant, const char *file,
                         const char *name, long uses);

/* Takes ownership of `bench` (reports/bench/latest.json, may be NULL) and
 * derives its median rows: Google Benchmark's "median" aggregates under
 * "core", and "js.benchmarks" (scripts/bench). Replaces any earlier bench. */
void lg_results_set_bench(lg_results_t *r, json_t *bench);
void lg_results_free(lg_results_t *r);
void lg_run_free(lg_run_t *run);
void lg_finding_free(lg_finding_t *f);

/* Metric by name, or NULL; lg_run_metric_add creates it (values NaN).
 * runs, metrics, samples and metric values are grown only by
 * lg_results_add_run, lg_run_metric_add and lg_run_sample_add (and the
 * loader): their capacity is implied by the count (model.c, lg_cap). */
lg_metric_t *lg_run_metric(const lg_run_t *run, const char *name);
lg_metric_t *lg_run_metric_add(lg_run_t *run, const char *name);
/* Appends a sample row; metric values default to NaN. Returns its index. */
size_t lg_run_sample_add(lg_run_t *run, long long i, double t_ms,
                         const char *phase);

/* Serialises/loads results.json. Strings are written as valid UTF-8 (any
 * invalid byte as \xNN, see text.h), never dropped.
 *
 * lg_results_load fills *r (free with lg_results_free) and returns 0, or
 * returns -1 with *err set (caller frees: "PATH: key 'runs[2](x/asan).wall_s':
 * expected a number, found a string") and *r empty. It reads files of older
 * and newer versions of the same schema_version and partial files: only
 * 'schema', 'schema_version', 'runs' and each run's 'scenario', 'variant'
 * and 'verdict' are required; null means absent; a present field of the
 * wrong type is an error. After a successful load these strings are never
 * NULL: finding detector/kind, cell defect/column/status, gate row
 * scenario/variant/what/status ("?" when absent) and every sample phase.
 * Unknown top-level keys are kept in r->extra. Not thread-safe per r. */
json_t *lg_results_to_json(const lg_results_t *r);
int lg_results_save(const lg_results_t *r, const char *path);
int lg_results_load(const char *path, lg_results_t *r, char **err);
/* Copies a run (deep). */
void lg_run_copy(lg_run_t *dst, const lg_run_t *src);

/* Display unit of a metric: "B" for byte metrics, "" for counts. */
const char *lg_metric_unit(const char *name);

/* Overall status helpers shared by writers. */
size_t lg_results_failed(const lg_results_t *r);
size_t lg_results_infra(const lg_results_t *r);

#endif
