/* The scenario manifest (scenarios/manifest.json): scenarios, variants as
 * data, defaults and the selftest matrix. The schema is a table
 * (manifest_schema.h), printed as docs/manifest-schema.md. Loading
 * validates everything up front so that a bad manifest is a one-line
 * configuration error (exit 2) naming the file, the key and what was
 * expected.
 *
 * A loaded lg_manifest_t owns every string and array it points to; the
 * look-ups below return pointers into it (borrowed: valid until
 * lg_manifest_free). Loading uses process-wide caches (template.h): one
 * thread at a time. The look-ups only read the manifest: any thread may
 * call them while no thread modifies it. */
#ifndef LG_MANIFEST_H
#define LG_MANIFEST_H

#include <stddef.h>

#include "template.h" /* lg_expand_t, lg_expand, lg_leakgate_dir */

/* Upper bounds that keep every derived figure far from overflow: any
 * iteration count, warm-up or sample interval (also after scaling), a scale
 * or timeout multiplier, a timeout in seconds. */
#define LG_ITER_MAX 1000000000000LL
#define LG_SCALE_MAX 1000.0
#define LG_TIMEOUT_MAX_S 1e6

#define LG_LANG_JS 1
#define LG_LANG_C 2

/* What an attributed leak that does not grow with the iterations (one-time,
 * at exit; see leakclass.h) does: "warn" lists it, "fail" makes it a LEAK.
 * Top-level "once" (default "warn"), overridden per scenario. */
typedef enum lg_once_e {
  LG_ONCE_INHERIT = -1, /* scenario without its own "once" */
  LG_ONCE_WARN = 0,
  LG_ONCE_FAIL = 1
} lg_once_t;

typedef struct lg_kv_s {
  char *key, *value;
} lg_kv_t;

typedef struct lg_vnum_s { /* a per-variant numeric override */
  char *variant;
  double value;
} lg_vnum_t;

typedef struct lg_detector_s {
  char *parser; /* "sanitizer" or "valgrind" */
  char **files; /* fnmatch patterns inside the run directory */
  size_t nfiles;
} lg_detector_t;

typedef struct lg_variant_s {
  char *name, *description;
  struct lg_supp_file_s *supps; /* suppression files it uses, checked */
  size_t nsupps;
  char *build; /* template */
  char **wrapper;
  size_t nwrapper;
  lg_kv_t *env, *env_js, *env_c;
  size_t nenv, nenv_js, nenv_c;
  double iteration_scale, timeout_multiplier;
  int langs;
  lg_detector_t *detectors;
  size_t ndetectors;
  int *exit_codes; /* detector exit codes and the verdict each maps to */
  int *exit_verdicts;
  size_t nexit;
  int is_default;
  int has_faults;      /* the build has fault points (EVS_FAULT works) */
  char **ignore_exact; /* exact checks that do not hold in this variant */
  size_t nignore_exact;
  char **slope_langs; /* languages whose slopes are judged here (none: all) */
  size_t nslope_langs;
  int batch; /* LG_LANG_JS: its JS runs share one process (runner_batch.c);
                0: every run in its own process */
} lg_variant_t;

typedef struct lg_threshold_s {
  char *metric;
  double slope;
  double peak; /* ceiling on peak - baseline sample, units; NaN: none */
  char *measured;
  lg_vnum_t *per_variant;
  size_t nper_variant;
} lg_threshold_t;

typedef struct lg_scenario_s {
  char *name, *description;
  int lang;
  char *program;
  char **args;
  size_t nargs;
  long long iterations;
  lg_vnum_t *iterations_per_variant;
  size_t niterations_per_variant;
  long long warmup, sample_every;
  double timeout_s;
  lg_threshold_t *thresholds;
  size_t nthresholds;
  char **exact;
  size_t nexact;
  char *expect; /* "pass" or a verdict name */
  char **variants;
  size_t nvariants; /* 0: every variant for its language */
  char *primary;
  lg_once_t once; /* LG_ONCE_INHERIT: the manifest's */
  int early_stop; /* its runs may stop early (default: defaults.early_stop) */
} lg_scenario_t;

typedef struct lg_cellspec_s {
  char *label; /* as written: "variant" or "variant:metric" */
  char *variant;
  char *metric; /* NULL: any failing verdict of the run */
} lg_cellspec_t;

typedef struct lg_defect_s {
  char *fault, *scenario, *description;
  lg_cellspec_t *cells;
  size_t ncells;
} lg_defect_t;

typedef struct lg_manifest_s {
  char *path, *root;
  char *dir; /* the manifest file's directory, absolute ({manifest_dir}; a
                relative build, js_dir, c_dir or probe_js resolves here) */
  int own;   /* the manifest is leakgate's own, {root}/scenarios/manifest.json
                (evstore's bench table and the cmake hints apply to it only) */
  char *node, *probe_js, *js_dir, *c_dir;
  char **ours;
  size_t nours;
  char **our_functions; /* fnmatch globs of our function names */
  size_t nour_functions;
  char **frame_skip; /* fnmatch patterns of allocator wrappers */
  size_t nframe_skip;
  char *control;
  lg_once_t once; /* top-level "once" policy, default LG_ONCE_WARN */
  double alpha;
  int early_stop; /* defaults.early_stop: runs may stop early (default 1) */
  /* defaults, and those of JS scenarios (defaults.js: a JS sample costs
   * two full garbage collections, so JS runs sample less often) */
  long long iterations, warmup, sample_every;
  double timeout_s;
  long long js_iterations, js_warmup, js_sample_every;
  double js_timeout_s;
  lg_threshold_t *thresholds;
  size_t nthresholds;
  char **exact;
  size_t nexact;
  lg_variant_t *variants;
  size_t nvariants;
  lg_scenario_t *scenarios;
  size_t nscenarios;
  lg_defect_t *defects;
  size_t ndefects;
} lg_manifest_t;

/* Loads and validates the manifest at path; root is the {root} of its
 * templates. Returns 0 with *m filled (release it with lg_manifest_free),
 * or -1 with *err set to a one-line message ("FILE: key 'K': expected
 * ...") for the caller to print and free. On -1 nothing the load allocated
 * is left: *m is all zero (lg_manifest_free on it is a harmless no-op). */
int lg_manifest_load(const char *path, const char *root, lg_manifest_t *m,
                     char **err);

/* lg_manifest_load_ex flag: load without side effects beyond reading files
 * under `root` (the fuzz target's mode, fuzz/README.md): {gcc-file:NAME} and
 * {clang-file:NAME}, which run the compiler through popen, are not resolved
 * (a suppression path using them is skipped as if it named a per-run file),
 * and a suppression file is read only when its resolved path lies under
 * root. (A variant with "preset" also reads leakgate's own presets.json in
 * {leakgate}, lg_leakgate_dir.) Every other check is the same as
 * lg_manifest_load's. */
#define LG_MANIFEST_SANDBOX 1u
/* lg_manifest_load with LG_MANIFEST_* flags (0: the same as it). */
int lg_manifest_load_ex(const char *path, const char *root, unsigned flags,
                        lg_manifest_t *m, char **err);
/* Frees everything *m owns and zeroes it. m zeroed (a failed load, or
 * freed before): nothing to do. */
void lg_manifest_free(lg_manifest_t *m);

/* The variant named name, or NULL. Borrowed from m. */
const lg_variant_t *lg_manifest_variant(const lg_manifest_t *m,
                                        const char *name);

/* An expanded path as the manifest means it: absolute as is, relative
 * against the manifest's directory (never against a run directory, the
 * working directory of the scenario). Returns a new string the caller
 * frees. */
char *lg_manifest_path(const lg_manifest_t *m, const char *expanded);
/* The scenario named name, or NULL. Borrowed from m. */
const lg_scenario_t *lg_manifest_scenario(const lg_manifest_t *m,
                                          const char *name);
/* Whether scenario sc runs in variant va (language and the scenario's list). */
int lg_scenario_in_variant(const lg_scenario_t *sc, const lg_variant_t *va);

/* Whether variant va judges slopes for runs in language lang ("c", "js"):
 * its slope_langs names it, or it has none (all). va NULL: yes. */
int lg_variant_judges_slopes(const lg_variant_t *va, const char *lang);

/* Samples in the iterate phase of a run whose variant judges no slopes for
 * its language: a few keep the exact checks and the peaks, and each JS
 * sample costs two forced GCs, slow under valgrind
 * (reports/bench/design-measurements.md, "Harness: few samples where slopes
 * are not judged"). */
#define LG_UNJUDGED_SAMPLES 8

/* Effective iteration count of sc in va after the variant and CLI scales:
 * the per-variant value if given, else the scenario's x iteration_scale;
 * then x cli_scale, rounded and clamped to 1..LG_ITER_MAX. */
long long lg_scenario_iterations(const lg_scenario_t *sc,
                                 const lg_variant_t *va, double cli_scale);
/* The same before rounding and clamping (may exceed LG_ITER_MAX). */
double lg_scenario_iterations_raw(const lg_scenario_t *sc,
                                  const lg_variant_t *va, double cli_scale);
/* NULL when every scenario x variant stays within LG_ITER_MAX iterations
 * under cli_scale; else a one-line error naming the manifest, scenario and
 * variant (caller frees). Loading checks scale 1; `run` and `selftest`
 * check their --iterations-scale. */
char *lg_manifest_check_scale(const lg_manifest_t *m, double cli_scale);
/* Effective slope threshold for a metric (scenario, then defaults); NaN if
 * none; *measured gets the note (borrowed) when non-NULL. */
double lg_scenario_threshold(const lg_manifest_t *m, const lg_scenario_t *sc,
                             const char *variant, const char *metric,
                             const char **measured);
/* Peak-growth ceiling for a metric (the entry lg_scenario_threshold uses);
 * NaN when none, or when that entry's per-variant slope is null (the
 * metric is not judged in that variant). */
double lg_scenario_peak_ceiling(const lg_manifest_t *m, const lg_scenario_t *sc,
                                const char *variant, const char *metric);
/* Exact-check metric list (scenario's, else the defaults): *list and *n
 * are borrowed from m (or sc); the caller frees nothing. */
void lg_scenario_exact(const lg_manifest_t *m, const lg_scenario_t *sc,
                       char ***list, size_t *n);

#endif
