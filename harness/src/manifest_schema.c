/* The manifest schema (version 1) as tables, one per object level
 * (manifest_schema.h). The order of a table is the order its keys are read
 * and listed in messages; manifest_rules.c has the readers and hooks the
 * tables name. */
#include "manifest_schema.h"

#include <math.h>
#include <stddef.h>

/* ---- the tables ------------------------------------------------------- */

#define LG_N(a) (sizeof(a) / sizeof((a)[0]))
#define LG_M(f) offsetof(lg_manifest_t, f)
#define LG_VA(f) offsetof(lg_variant_t, f)
#define LG_SC(f) offsetof(lg_scenario_t, f)
#define LG_DE(f) offsetof(lg_defect_t, f)
#define LG_DT(f) offsetof(lg_detector_t, f)

static const char *const lg_once_values[] = {"warn", "fail", NULL};
static const char *const lg_lang_values[] = {"js", "c", NULL};
static const char *const lg_parser_values[] = {"sanitizer", "valgrind", NULL};
static const char *const lg_batch_values[] = {"none", "js", NULL};

_Static_assert(sizeof(lg_once_t) == sizeof(int), "ENUM keys store an int");
_Static_assert(LG_ONCE_WARN == 0 && LG_ONCE_FAIL == 1, "once: min + index");
_Static_assert(LG_LANG_JS == 1 && LG_LANG_C == 2, "lang: min + index");
_Static_assert(LG_LANG_JS == 1, "batch: \"none\" 0, \"js\" LG_LANG_JS");

#define LG_ONCE_DOC "\"warn\" or \"fail\""
#define LG_IT_DOC "Iterations of the scenario's loop."
#define LG_WU_DOC "Iterations run before the first sample counts."
#define LG_SE_DOC "A sample every this many iterations."
#define LG_TO_DOC                                                              \
  "Seconds before a run is TIMEOUT (times the variant's "                      \
  "`timeout_multiplier`)."

/* The object form of a threshold: read by lg_mthreshold (the table gives
 * its keys to the unknown-key check and the doc). */
static const lg_mkey_t lg_mthreshold_keys[] = {
    {.key = "slope",
     .type = LG_MT_NUMBER,
     .flags = LG_MK_REQUIRED,
     .off = LG_MNONE,
     .min = 0,
     .max = INFINITY,
     .doc = "Growth per iteration above which the metric is a LEAK, in its "
            "units (bytes, blocks, ...)."},
    {.key = "peak",
     .type = LG_MT_CUSTOM,
     .off = LG_MNONE,
     .type_doc = "number > 0",
     .doc = "Ceiling on the peak sample minus the baseline, in the metric's "
            "units."},
    {.key = "measured",
     .type = LG_MT_CUSTOM,
     .off = LG_MNONE,
     .type_doc = "string (not a template)",
     .doc = "Free text: how the threshold was measured."},
    {.key = "variants",
     .type = LG_MT_CUSTOM,
     .off = LG_MNONE,
     .type_doc = "object: variant name → number or null",
     .doc = "The slope in those variants; null: the metric is not judged by "
            "slope there (rss under ASan or valgrind grows with their "
            "quarantines)."},
};
const lg_mlevel_t lg_mthreshold_level = {
    .name = "thresholds.METRIC",
    .doc = "A `thresholds` value: a slope (a number >= 0), or this object.",
    .keys = lg_mthreshold_keys,
    .nkeys = LG_N(lg_mthreshold_keys)};

#define LG_THRESHOLDS_KEY(base, f, nf, what)                                   \
  {                                                                            \
    .key = "thresholds", .type = LG_MT_CUSTOM, .off = base(f),                 \
    .count_off = base(nf), .sub = &lg_mthreshold_level,                        \
    .read = lg_mthresholds,                                                    \
    .type_doc = "object: metric → slope or `thresholds.METRIC`", .doc = what   \
  }

static const lg_mkey_t lg_mdefaults_js_keys[] = {
    {.key = "iterations",
     .type = LG_MT_INT,
     .off = LG_M(js_iterations),
     .min = 1,
     .max = LG_ITER_MAX,
     .def = "defaults'",
     .doc = LG_IT_DOC},
    {.key = "warmup",
     .type = LG_MT_INT,
     .off = LG_M(js_warmup),
     .min = 0,
     .max = LG_ITER_MAX,
     .def = "defaults'",
     .doc = LG_WU_DOC},
    {.key = "sample_every",
     .type = LG_MT_INT,
     .off = LG_M(js_sample_every),
     .min = 1,
     .max = LG_ITER_MAX,
     .def = "defaults'",
     .doc = LG_SE_DOC},
    {.key = "timeout_s",
     .type = LG_MT_NUMBER,
     .off = LG_M(js_timeout_s),
     .min = 0.001,
     .max = LG_TIMEOUT_MAX_S,
     .def = "defaults'",
     .doc = LG_TO_DOC},
};
static const lg_mlevel_t lg_mdefaults_js = {
    .name = "defaults.js",
    .doc = "The defaults of JS scenarios, each the same as `defaults` unless "
           "given here (a JS sample costs two full garbage collections, so JS "
           "runs sample less often).",
    .keys = lg_mdefaults_js_keys,
    .nkeys = LG_N(lg_mdefaults_js_keys),
    .init = lg_mdefaults_js_init};

static const lg_mkey_t lg_mdefaults_keys[] = {
    {.key = "iterations",
     .type = LG_MT_INT,
     .off = LG_M(iterations),
     .min = 1,
     .max = LG_ITER_MAX,
     .def = "1000",
     .doc = LG_IT_DOC},
    {.key = "warmup",
     .type = LG_MT_INT,
     .off = LG_M(warmup),
     .min = 0,
     .max = LG_ITER_MAX,
     .def = "100",
     .doc = LG_WU_DOC},
    {.key = "sample_every",
     .type = LG_MT_INT,
     .off = LG_M(sample_every),
     .min = 1,
     .max = LG_ITER_MAX,
     .def = "10",
     .doc = LG_SE_DOC},
    {.key = "timeout_s",
     .type = LG_MT_NUMBER,
     .off = LG_M(timeout_s),
     .min = 0.001,
     .max = LG_TIMEOUT_MAX_S,
     .def = "120",
     .doc = LG_TO_DOC},
    {.key = "alpha",
     .type = LG_MT_NUMBER,
     .off = LG_M(alpha),
     .min = 1e-9,
     .max = INFINITY,
     .def = "0.01",
     .doc = "Level of the one-sided Mann–Kendall trend test; below 0.5."},
    {.key = "early_stop",
     .type = LG_MT_BOOL,
     .off = LG_M(early_stop),
     .def = "true",
     .doc = "A run may end as soon as every thresholded metric has passed "
            "the early-stopping rule (harness/README.md, \"Early "
            "stopping\"); false: every run does all of its iterations. "
            "`run --no-early-stop` turns it off for one invocation."},
    LG_THRESHOLDS_KEY(LG_M, thresholds, nthresholds,
                      "Slope thresholds per metric, in units per iteration."),
    {.key = "exact",
     .type = LG_MT_STRINGS,
     .off = LG_M(exact),
     .count_off = LG_M(nexact),
     .doc = "Metrics that must be back to their baseline after teardown "
            "(`liveBlocks`, `threads`, `fds`, ...)."},
    {.key = "js",
     .type = LG_MT_OBJECT,
     .sub = &lg_mdefaults_js,
     .doc = "Overrides for JS scenarios (`defaults.js` below)."},
};
static const lg_mlevel_t lg_mdefaults = {
    .name = "defaults",
    .doc = "Per-scenario values a scenario does not give itself.",
    .keys = lg_mdefaults_keys,
    .nkeys = LG_N(lg_mdefaults_keys),
    .check = lg_mdefaults_check};

static const lg_mkey_t lg_mdetector_keys[] = {
    {.key = "parser",
     .type = LG_MT_STRING,
     .flags = LG_MK_REQUIRED,
     .off = LG_DT(parser),
     .values = lg_parser_values,
     .expect = "\"sanitizer\" or \"valgrind\"",
     .doc = "How the detector's reports are read."},
    {.key = "files",
     .type = LG_MT_STRINGS,
     .flags = LG_MK_REQUIRED | LG_MK_NONEMPTY,
     .off = LG_DT(files),
     .expect = "a non-empty array of strings (required: a detector without "
               "files reads nothing)",
     .count_off = LG_DT(nfiles),
     .doc = "fnmatch patterns of its report files inside the run directory "
            "(`asan.*`)."},
};
static const lg_mlevel_t lg_mdetector = {
    .name = "variants[].detectors[]",
    .doc = "A detector whose reports a run of the variant leaves.",
    .keys = lg_mdetector_keys,
    .nkeys = LG_N(lg_mdetector_keys),
    .size = sizeof(lg_detector_t),
    .expect = "{\"parser\": \"sanitizer\"|\"valgrind\", \"files\": [...]}"};

static const lg_mkey_t lg_mvariant_keys[] = {
    {.key = "preset",
     .type = LG_MT_CUSTOM,
     .flags = LG_MK_PREPARED,
     .off = LG_MNONE,
     .type_doc = "string",
     .doc = "Start from the preset of this name in `{leakgate}/presets.json` "
            "(`release`, `asan`, `valgrind`); every key given here replaces "
            "the preset's, and `env`, `env_js`, `env_c` merge key by key."},
    {.key = "name",
     .type = LG_MT_STRING,
     .flags = LG_MK_REQUIRED | LG_MK_NAME,
     .off = LG_VA(name),
     .doc = "Unique; a run directory component."},
    {.key = "description",
     .type = LG_MT_STRING,
     .off = LG_VA(description),
     .doc = "Free text."},
    {.key = "build",
     .type = LG_MT_STRING,
     .flags = LG_MK_REQUIRED,
     .off = LG_VA(build),
     .doc = "The variant's build directory (`{build}`); must exist, else "
            "INFRA."},
    {.key = "wrapper",
     .type = LG_MT_STRINGS,
     .off = LG_VA(wrapper),
     .count_off = LG_VA(nwrapper),
     .doc = "Command line the program runs under (`valgrind`, ...)."},
    {.key = "env",
     .type = LG_MT_ENV,
     .off = LG_VA(env),
     .count_off = LG_VA(nenv),
     .doc = "Environment of every run."},
    {.key = "env_js",
     .type = LG_MT_ENV,
     .off = LG_VA(env_js),
     .count_off = LG_VA(nenv_js),
     .doc = "Environment of JS runs only."},
    {.key = "env_c",
     .type = LG_MT_ENV,
     .off = LG_VA(env_c),
     .count_off = LG_VA(nenv_c),
     .doc = "Environment of C runs only."},
    {.key = "iteration_scale",
     .type = LG_MT_NUMBER,
     .off = LG_VA(iteration_scale),
     .min = 1e-6,
     .max = LG_SCALE_MAX,
     .def = "1",
     .doc = "Multiplies every scenario's default iterations."},
    {.key = "langs",
     .type = LG_MT_CUSTOM,
     .off = LG_VA(langs),
     .read = lg_mlangs,
     .type_doc = "non-empty array of \"js\" / \"c\"",
     .def = "both",
     .doc = "The languages of the scenarios it runs."},
    {.key = "timeout_multiplier",
     .type = LG_MT_NUMBER,
     .off = LG_VA(timeout_multiplier),
     .min = 1e-6,
     .max = LG_SCALE_MAX,
     .def = "1",
     .doc = "Multiplies every `timeout_s`."},
    {.key = "ignore_exact",
     .type = LG_MT_STRINGS,
     .off = LG_VA(ignore_exact),
     .count_off = LG_VA(nignore_exact),
     .doc = "Exact checks that do not hold here (TSan's runtime adds a "
            "background thread)."},
    {.key = "slope_langs",
     .type = LG_MT_STRINGS,
     .off = LG_VA(slope_langs),
     .count_off = LG_VA(nslope_langs),
     .values = lg_lang_values,
     .expect = "an array of \"js\" / \"c\"",
     .def = "all",
     .doc = "Languages whose slopes are judged here; the others sample at "
            "most 8 times in their iterate phase (a valgrind smoke of node "
            "runs too few iterations for a slope)."},
    {.key = "batch",
     .type = LG_MT_ENUM,
     .flags = LG_MK_PLAIN,
     .off = LG_VA(batch),
     .values = lg_batch_values,
     .min = 0,
     .expect = "\"js\" or \"none\"",
     .def = "none",
     .doc = "\"js\": the selected JS runs of a `run` go through one node "
            "process under the wrapper, one scenario after another, each "
            "with its own environment, run directory and stream; any "
            "finding, failure or incomplete stream and they all run again "
            "one by one, and those runs are reported. Only where JS slopes "
            "are not judged (`slope_langs` without \"js\"): a valgrind "
            "smoke of node pays node's start under memcheck once. \"none\": "
            "every run in a process of its own (to turn off a preset's "
            "batch)."},
    {.key = "default",
     .type = LG_MT_BOOL,
     .off = LG_VA(is_default),
     .def = "true",
     .doc = "Runs without `--variant`."},
    {.key = "faults",
     .type = LG_MT_BOOL,
     .off = LG_VA(has_faults),
     .def = "true",
     .doc = "The build has fault points; false: skipped by `run --fault`."},
    {.key = "detectors",
     .type = LG_MT_ARRAY,
     .off = LG_VA(detectors),
     .count_off = LG_VA(ndetectors),
     .sub = &lg_mdetector,
     .expect = "an array of {parser, files}",
     .doc = "The detectors whose reports a run leaves."},
    {.key = "exit_codes",
     .type = LG_MT_CUSTOM,
     .off = LG_MNONE,
     .read = lg_mexit_codes,
     .type_doc = "object: exit code 1..255 → verdict name",
     .doc = "Detector exit codes and the verdict each maps to "
            "(`{\"86\": \"ERROR\"}`)."},
};
static const lg_mlevel_t lg_mvariant = {
    .name = "variants[]",
    .doc = "A build and the way it is run; variants are data.",
    .keys = lg_mvariant_keys,
    .nkeys = LG_N(lg_mvariant_keys),
    .size = sizeof(lg_variant_t),
    .expect = "an object",
    .prepare = lg_mpreset,
    .init = lg_mvariant_init,
    .check = lg_mvariant_check};

static const lg_mkey_t lg_mscenario_keys[] = {
    {.key = "name",
     .type = LG_MT_STRING,
     .flags = LG_MK_REQUIRED | LG_MK_NAME,
     .off = LG_SC(name),
     .doc = "Unique; a run directory component."},
    {.key = "description",
     .type = LG_MT_STRING,
     .off = LG_SC(description),
     .doc = "Free text."},
    {.key = "once",
     .type = LG_MT_ENUM,
     .flags = LG_MK_PLAIN,
     .off = LG_SC(once),
     .values = lg_once_values,
     .min = LG_ONCE_WARN,
     .expect = LG_ONCE_DOC,
     .def = "the top level's",
     .doc = "Overrides the top-level `once`."},
    {.key = "lang",
     .type = LG_MT_ENUM,
     .flags = LG_MK_REQUIRED,
     .off = LG_SC(lang),
     .values = lg_lang_values,
     .min = LG_LANG_JS,
     .expect = "\"js\" or \"c\"",
     .doc = "The program's language."},
    {.key = "program",
     .type = LG_MT_STRING,
     .flags = LG_MK_REQUIRED,
     .off = LG_SC(program),
     .doc = "`<js_dir>/<program>` or `<c_dir>/<program>`."},
    {.key = "args",
     .type = LG_MT_STRINGS,
     .off = LG_SC(args),
     .count_off = LG_SC(nargs),
     .doc = "Its arguments."},
    {.key = "iterations",
     .type = LG_MT_CUSTOM,
     .off = LG_MNONE,
     .read = lg_miterations,
     .type_doc = "integer 1..10^12, or object: \"default\" or variant → "
                 "integer",
     .def = "defaults'",
     .doc = "Per variant when an object."},
    {.key = "warmup",
     .type = LG_MT_INT,
     .off = LG_SC(warmup),
     .min = 0,
     .max = LG_ITER_MAX,
     .def = "defaults'",
     .doc = LG_WU_DOC " Fewer than the iterations."},
    {.key = "sample_every",
     .type = LG_MT_INT,
     .off = LG_SC(sample_every),
     .min = 1,
     .max = LG_ITER_MAX,
     .def = "defaults'",
     .doc = LG_SE_DOC " At most the iterations."},
    {.key = "timeout_s",
     .type = LG_MT_NUMBER,
     .off = LG_SC(timeout_s),
     .min = 0.001,
     .max = LG_TIMEOUT_MAX_S,
     .def = "defaults'",
     .doc = LG_TO_DOC},
    LG_THRESHOLDS_KEY(LG_SC, thresholds, nthresholds,
                      "Override the defaults' metric by metric."),
    {.key = "exact",
     .type = LG_MT_STRINGS,
     .off = LG_SC(exact),
     .count_off = LG_SC(nexact),
     .def = "defaults'",
     .doc = "Replaces the defaults' list."},
    {.key = "variants",
     .type = LG_MT_STRINGS,
     .off = LG_SC(variants),
     .count_off = LG_SC(nvariants),
     .def = "all of its lang",
     .doc = "Names of the variants it runs in."},
    {.key = "primary",
     .type = LG_MT_STRING,
     .off = LG_SC(primary),
     .doc = "The metric shown first."},
    {.key = "expect",
     .type = LG_MT_CUSTOM,
     .off = LG_MNONE,
     .read = lg_mexpect,
     .type_doc = LG_EXPECT_DOC,
     .def = "\"pass\"",
     .doc = "The verdict the scenario is written to give (a planted "
            "defect)."},
    {.key = "early_stop",
     .type = LG_MT_BOOL,
     .off = LG_SC(early_stop),
     .def = "defaults'",
     .doc = "false: its runs never stop early (a scenario that needs all of "
            "its iterations to reach a state)."},
};
static const lg_mlevel_t lg_mscenario = {
    .name = "scenarios[]",
    .doc = "A program run in a loop while its metrics are sampled.",
    .keys = lg_mscenario_keys,
    .nkeys = LG_N(lg_mscenario_keys),
    .size = sizeof(lg_scenario_t),
    .expect = "an object",
    .init = lg_mscenario_init,
    .check = lg_mscenario_check};

static const lg_mkey_t lg_mdefect_keys[] = {
    {.key = "fault",
     .type = LG_MT_STRING,
     .flags = LG_MK_REQUIRED | LG_MK_NAME,
     .off = LG_DE(fault),
     .doc = "The `EVS_FAULT` value that plants it."},
    {.key = "scenario",
     .type = LG_MT_STRING,
     .flags = LG_MK_REQUIRED,
     .off = LG_DE(scenario),
     .doc = "The scenario that should catch it."},
    {.key = "description",
     .type = LG_MT_STRING,
     .off = LG_DE(description),
     .doc = "Free text."},
    {.key = "caught_by",
     .type = LG_MT_CUSTOM,
     .off = LG_MNONE,
     .read = lg_mcaught_by,
     .type_doc = "non-empty array of \"variant\" or \"variant:metric\"",
     .doc = "The cells that must fail with it: a variant (any failing "
            "verdict) or one metric of it; each variant runs the scenario's "
            "language."},
};
static const lg_mlevel_t lg_mdefect = {
    .name = "selftest.defects[]",
    .doc = "A planted defect the selftest matrix expects to be caught.",
    .keys = lg_mdefect_keys,
    .nkeys = LG_N(lg_mdefect_keys),
    .size = sizeof(lg_defect_t),
    .expect = "an object",
    .check = lg_mdefect_check};

static const lg_mkey_t lg_mselftest_keys[] = {
    {.key = "defects",
     .type = LG_MT_ARRAY,
     .flags = LG_MK_REQUIRED,
     .off = LG_M(defects),
     .count_off = LG_M(ndefects),
     .sub = &lg_mdefect,
     .expect = "an array",
     .doc = "The planted defects."},
};
static const lg_mlevel_t lg_mselftest = {
    .name = "selftest",
    .doc = "The selftest matrix (`leakgate selftest`).",
    .keys = lg_mselftest_keys,
    .nkeys = LG_N(lg_mselftest_keys)};

static const lg_mkey_t lg_mtop_keys[] = {
    {.key = "version",
     .type = LG_MT_INT,
     .flags = LG_MK_REQUIRED | LG_MK_FIRST,
     .off = LG_MNONE,
     .min = 1,
     .max = 1,
     .expect = "1",
     .doc = "The schema version."},
    {.key = "node",
     .type = LG_MT_STRING,
     .off = LG_M(node),
     .def = "\"node\"",
     .doc = "Node.js; found on PATH unless it contains a `/`."},
    {.key = "probe_js",
     .type = LG_MT_STRING,
     .off = LG_M(probe_js),
     .def = "\"{leakgate}/probe.js\"",
     .doc = "The JS probe that runs a JS scenario."},
    {.key = "js_dir",
     .type = LG_MT_STRING,
     .off = LG_M(js_dir),
     .def = "\"{root}/scenarios/js\"",
     .doc = "JS programs are `<js_dir>/<program>`."},
    {.key = "c_dir",
     .type = LG_MT_STRING,
     .off = LG_M(c_dir),
     .def = "\"{build}/scenarios/c\"",
     .doc = "C programs are `<c_dir>/<program>`."},
    {.key = "control",
     .type = LG_MT_CUSTOM,
     .off = LG_MNONE,
     .read = lg_mcontrol,
     .type_doc = "string or array of strings",
     .doc = "The control scenario that gives the noise floor; an array: one "
            "per language."},
    {.key = "once",
     .type = LG_MT_ENUM,
     .flags = LG_MK_PLAIN,
     .off = LG_M(once),
     .values = lg_once_values,
     .min = LG_ONCE_WARN,
     .expect = LG_ONCE_DOC,
     .def = "\"warn\"",
     .doc = "A one-time leak at exit: \"warn\" lists it, \"fail\" makes it a "
            "LEAK."},
    {.key = "ours",
     .type = LG_MT_STRINGS,
     .off = LG_M(ours),
     .count_off = LG_M(nours),
     .doc = "Attribution substrings of our code (`libevstore`, "
            "`/core/src/`)."},
    {.key = "frame_skip",
     .type = LG_MT_STRINGS,
     .off = LG_M(frame_skip),
     .count_off = LG_M(nframe_skip),
     .doc = "fnmatch patterns of allocator wrappers, passed over in findings "
            "and allocation sites."},
    {.key = "our_functions",
     .type = LG_MT_STRINGS,
     .off = LG_M(our_functions),
     .count_off = LG_M(nour_functions),
     .doc = "fnmatch globs of our function names (`evs_*`)."},
    {.key = "defaults",
     .type = LG_MT_OBJECT,
     .sub = &lg_mdefaults,
     .doc = "Below."},
    {.key = "variants",
     .type = LG_MT_ARRAY,
     .flags = LG_MK_REQUIRED | LG_MK_NONEMPTY,
     .off = LG_M(variants),
     .count_off = LG_M(nvariants),
     .sub = &lg_mvariant,
     .expect = "a non-empty array",
     .doc = "Below."},
    {.key = "scenarios",
     .type = LG_MT_ARRAY,
     .flags = LG_MK_REQUIRED,
     .off = LG_M(scenarios),
     .count_off = LG_M(nscenarios),
     .sub = &lg_mscenario,
     .expect = "an array (may be empty)",
     .doc = "Below.",
     .then = lg_mcontrol_names},
    {.key = "selftest",
     .type = LG_MT_OBJECT,
     .sub = &lg_mselftest,
     .errkey = "selftest.defects",
     .expect = "an array",
     .doc = "Below."},
};
const lg_mlevel_t lg_manifest_schema = {
    .name = "top level",
    .doc = "The manifest file: one JSON object.",
    .keys = lg_mtop_keys,
    .nkeys = LG_N(lg_mtop_keys),
    .init = lg_mtop_init};
