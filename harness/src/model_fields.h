/* The tables of the result model: every enum name and every results.json
 * field is written here once. model.h expands them into the enums and
 * structs, model.c into the name/parse functions, model_json.c into
 * to_json, from_json and free, and tools/results_schema.c into
 * docs/results-schema.md.
 *
 * Enum tables: X(CONSTANT, "serialised name", "meaning").
 *
 * Record tables: X(KIND, member, "key", default, "meaning"), in the order the
 * keys are written. The default is what a loaded file without the key gives
 * (kinds STRQ, INT, LL, SIZE, LONG, BOOL; 0 for the others). KIND says how
 * the field is held, written, read and freed:
 *   STR      char *, string or null; freed
 *   STRQ     char *, string; "?" (the default) when absent; freed
 *   OSTR     char *, string, key written only when set; freed
 *   INT/LL/SIZE/LONG  int/long long/size_t/long, an integer
 *   BOOL     int, a boolean (0/1; early files wrote integers)
 *   NUM      double, a number; NaN is written as null and null reads as NaN
 *   FCLASS, GSTATUS, CSTATUS, VERDICT  the enums below, by name
 *   HOOK     hand-written: `member` names the hook, the struct members are
 *            declared by hand, and the default slot holds the type for the
 *            schema document. model_json.c defines lg_h_<member>_json (NULL:
 *            key omitted) and lg_h_<member>_from.
 *   WHOOK    a HOOK read elsewhere: by the STEP of the same name.
 *   STEP     no key: a loading step at this point of the list (a check, or a
 *            field read before or after its place in the file, where earlier
 *            versions read it). model_json.c defines lg_h_<member>_from.
 * The loader reads the fields in table order and keeps the first error, so
 * the order of the entries is also the order errors are found in. */
#ifndef LG_MODEL_FIELDS_H
#define LG_MODEL_FIELDS_H

/* ---- enums ------------------------------------------------------------ */

#define LG_VERDICTS(X)                                                         \
  X(LG_V_PASS, "PASS", "no defect found")                                      \
  X(LG_V_LEAK, "LEAK", "memory grew with the iterations, or a leak report")    \
  X(LG_V_ERROR, "ERROR",                                                       \
    "memory error (sanitizer or valgrind) or probe protocol error")            \
  X(LG_V_RACE, "RACE", "data race (ThreadSanitizer)")                          \
  X(LG_V_CRASH, "CRASH", "the scenario died of a signal or a fatal error")     \
  X(LG_V_TIMEOUT, "TIMEOUT", "the scenario did not finish in time")            \
  X(LG_V_RESOURCE, "RESOURCE", "threads, fds or handles not returned")         \
  X(LG_V_MISSED, "EXPECTED-LEAK-MISSED",                                       \
    "a negative control whose expected defect was not caught")                 \
  X(LG_V_INFRA, "INFRA",                                                       \
    "could not run: missing build or program, spawn failure")

#define LG_FCLASSES(X)                                                         \
  X(LG_F_INFO, "info", "listed, never fails (possibly lost, still reachable)") \
  X(LG_F_LEAK, "leak", "fails the run as LEAK")                                \
  X(LG_F_ERROR, "error", "fails the run as ERROR")                             \
  X(LG_F_RACE, "race", "fails the run as RACE")                                \
  X(LG_F_RESOURCE, "resource", "fails the run as RESOURCE")                    \
  X(LG_F_CRASH, "crash", "fails the run as CRASH")                             \
  X(LG_F_ONCE, "once",                                                         \
    "leaked once: an attributed leak whose size does not grow with the "       \
    "iterations (leakclass.h); LEAK or a warning per the manifest's \"once\" " \
    "policy")

/* Only LG_G_REGRESSION fails the gate; a run failing in the baseline and now
 * is LG_G_STILL_FAILING (its verdict fails the run, not the comparison). */
#define LG_GATE_STATUSES(X)                                                    \
  X(LG_G_OK, "ok", "within the baseline's tolerance")                          \
  X(LG_G_REGRESSION, "regression", "worse than the baseline: fails the gate")  \
  X(LG_G_STILL_FAILING, "still failing",                                       \
    "failed in the baseline and now (the verdict fails the run)")              \
  X(LG_G_IMPROVEMENT, "improvement", "better than the baseline")               \
  X(LG_G_NEW, "new",                                                           \
    "a run not in the baseline that passes, or a new one-time leak")           \
  X(LG_G_MISSING, "missing", "in the baseline but not run")

/* Selftest cell statuses. LG_C_UNKNOWN comes first so that a zeroed cell is
 * never taken for caught. */
#define LG_CELL_STATUSES(X)                                                    \
  X(LG_C_UNKNOWN, "?",                                                         \
    "absent or unknown in the file read (counts as not caught)")               \
  X(LG_C_CAUGHT, "caught", "a designated detector caught the planted defect")  \
  X(LG_C_MISSED, "missed",                                                     \
    "a designated detector did not catch it, or the run is missing")           \
  X(LG_C_NA, "n/a", "not a designated detector; it did not catch it either")   \
  X(LG_C_NA_CAUGHT, "n/a (also caught)",                                       \
    "not a designated detector, and it caught the defect anyway")              \
  X(LG_C_INFRA, "infra", "the run could not be made (verdict INFRA)")

/* ---- records (one object of results.json each) ------------------------ */

/* A stack frame (findings[].stacks[].frames[]). */
#define LG_FRAME_FIELDS(X)                                                     \
  X(STR, fn, "fn", 0, "function name")                                         \
  X(STR, file, "file", 0, "source file")                                       \
  X(INT, line, "line", 0, "source line; 0 when unknown")                       \
  X(STR, obj, "obj", 0, "object: the executable or shared library")            \
  X(BOOL, ours, "ours", 0, "the frame belongs to our objects")

/* One stack of a finding (findings[].stacks[]). */
#define LG_STACK_FIELDS(X)                                                     \
  X(STR, title, "title", 0,                                                    \
    "e.g. \"allocated from\", \"Previous write by thread T1\"")                \
  X(HOOK, stack_frames, "frames", "array of frame objects",                    \
    "innermost frame first")

/* A detector's report attributed to the run (runs[].findings[]). */
#define LG_FINDING_FIELDS(X)                                                   \
  X(STRQ, detector, "detector", "?", "asan, lsan, ubsan, tsan or valgrind")    \
  X(STRQ, kind, "kind", "?",                                                   \
    "the report's kind: heap-use-after-free, Leak_DefinitelyLost, data race "  \
    "...")                                                                     \
  X(FCLASS, cls, "class", 0,                                                   \
    "which verdict the finding produces (a class this version does not "       \
    "know reads as info)")                                                     \
  X(STR, message, "message", 0, "the report's headline")                       \
  X(LL, bytes, "bytes", -1, "bytes leaked; -1 when not applicable")            \
  X(LL, blocks, "blocks", -1, "blocks leaked; -1 when not applicable")         \
  X(BOOL, ours, "ours", 0, "a frame belongs to our objects")                   \
  X(STR, first_our_frame, "first_our_frame", 0,                                \
    "\"fn file:line\" of the first such frame")                                \
  X(STR, source, "source", 0, "log file the finding was parsed from")          \
  X(HOOK, finding_stacks, "stacks", "array of stack objects",                  \
    "the report's stacks")

/* Trend fit of a metric (runs[].metrics[].trend; lg_trend_t, stats.h). */
#define LG_TREND_FIELDS(X)                                                     \
  X(SIZE, n, "n", 0, "samples used (NaN values skipped)")                      \
  X(NUM, x_first, "x_first", 0, "first iteration fitted")                      \
  X(NUM, x_last, "x_last", 0, "last iteration fitted")                         \
  X(NUM, slope, "slope", 0, "Theil-Sen slope, units per iteration")            \
  X(NUM, intercept, "intercept", 0, "median of value - slope x iteration")     \
  X(NUM, slope_lo, "slope_lo", 0,                                              \
    "Sen's ~95% confidence interval of the slope: low")                        \
  X(NUM, slope_hi, "slope_hi", 0, "the interval's high end")                   \
  X(NUM, mk_s, "mk_s", 0, "Mann-Kendall S statistic")                          \
  X(NUM, mk_z, "mk_z", 0, "normal score, continuity and tie corrected")        \
  X(NUM, mk_p, "mk_p", 0, "one-sided p-value for an increasing trend")         \
  X(NUM, resid_sd, "resid_sd", 0,                                              \
    "robust residual spread: 1.4826 x MAD(value - fit)")

/* One metric of a run (runs[].metrics[]); metric names are unique in a run
 * (a repeated name keeps its first entry). */
#define LG_METRIC_FIELDS(X)                                                    \
  X(STR, name, "name", 0, "metric name (required): rss, heapUsed, ...")        \
  X(STEP, metric_values, 0, 0, 0)                                              \
  X(BOOL, fitted, "fitted", 0,                                                 \
    "trend holds a fit over the post-warm-up samples")                         \
  X(HOOK, metric_trend, "trend", "trend object or null",                       \
    "the fit, units per iteration; null when not fitted")                      \
  X(NUM, threshold, "threshold", 0,                                            \
    "slope threshold, units per iteration; null when none")                    \
  X(STR, measured, "measured", 0, "free-text note from the manifest")          \
  X(OSTR, not_judged, "not_judged", 0,                                         \
    "why the slope was not judged against a threshold (e.g. \"valgrind "       \
    "judges slopes only for c\"); absent when it was judged or the analysis "  \
    "gave no reason, and the writers then derive one (report.h, "              \
    "lg_metric_not_judged)")                                                   \
  X(BOOL, exact, "exact", 0, "exact end-of-run check requested")               \
  X(NUM, baseline, "baseline", 0, "value in the baseline sample")              \
  X(NUM, final, "final", 0, "value in the final (after teardown) sample")      \
  X(NUM, peak, "peak", 0, "maximum over all samples")                          \
  X(NUM, noise_sd, "noise_sd", 0,                                              \
    "residual noise, units (from the control or the run itself)")              \
  X(STR, noise_source, "noise_source", 0, "where noise_sd comes from")         \
  X(NUM, min_detectable, "min_detectable", 0,                                  \
    "smallest leak detectable in this run, units per iteration")               \
  X(BOOL, flagged, "flagged", 0,                                               \
    "this metric produced a LEAK/RESOURCE reason")                             \
  X(WHOOK, metric_values, "values", "array of numbers or null",                \
    "one value per sample; null when the sample lacks it")

/* One group of JS heap objects that grew between the two heap snapshots of a
 * JS heap attribution (heapsnap.h), as heapdiff.js reported it
 * (runs[].heap_attribution.growers[]). */
#define LG_GROWER_FIELDS(X)                                                    \
  X(STRQ, kind, "kind", "?",                                                   \
    "V8 node type: object, closure, string, array, ...")                       \
  X(STRQ, name, "name", "?", "constructor name, or \"(closure)\", ...")        \
  X(STR, function, "function", 0,                                              \
    "closures: the function's name (\"\" when anonymous)")                     \
  X(STR, location, "location", 0, "closures: \"script.js:LINE\"")              \
  X(NUM, count, "count", 0, "objects more in the second snapshot")             \
  X(NUM, size, "size", 0, "their self size, bytes more")                       \
  X(WHOOK, grower_retainers, "retainers", "array of strings",                  \
    "one retainer path, outermost holder first, ending at one new object of "  \
    "the group (\"Store._active\", \"Set\", ..., \"Subscription\"); may be "   \
    "empty")                                                                   \
  X(BOOL, truncated, "retainers_truncated", 0,                                 \
    "the path goes on beyond its first retainer shown")                        \
  X(STEP, grower_retainers, 0, 0, 0)

/* JS heap attribution of a run (runs[].heap_attribution, heapsnap.h): what
 * grew in the JS heap between iterations `from` and `to` of a short re-run. */
#define LG_HEAPATTR_FIELDS(X)                                                  \
  X(LL, from, "from", 0, "iteration of the first snapshot")                    \
  X(LL, to, "to", 0, "iteration of the second snapshot")                       \
  X(NUM, seconds, "seconds", 0, "wall time of the re-run and the diff")        \
  X(STR, note, "note", 0, "why there is no (complete) attribution")            \
  X(STR, dir, "dir", 0,                                                        \
    "the re-run's directory, relative to the report directory")                \
  X(HOOK, heapattr_growers, "growers", "array of grower objects",              \
    "largest self-size growth first")

/* One scenario x variant run (runs[]). */
#define LG_RUN_FIELDS(X)                                                       \
  X(STR, scenario, "scenario", 0, "scenario file name (required: a string)")   \
  X(STR, variant, "variant", 0, "build variant (required: a string)")          \
  X(STEP, run_ident, 0, 0, 0)                                                  \
  X(STR, lang, "lang", 0, "scenario language: c or js")                        \
  X(STR, fault, "fault", 0, "EVS_FAULT of a selftest run, else null")          \
  X(STR, expected, "expected", 0, "\"pass\" or the verdict expected")          \
  X(VERDICT, detected, "detected", 0,                                          \
    "what the analysis found (absent: the verdict)")                           \
  X(VERDICT, verdict, "verdict", 0,                                            \
    "after the expectation was applied (required)")                            \
  X(STEP, run_verdicts, 0, 0, 0)                                               \
  X(BOOL, ok, "ok", p->verdict == LG_V_PASS,                                   \
    "the verdict is acceptable (absent: the verdict is PASS)")                 \
  X(STR, evidence, "evidence", 0, "why the verdict")                           \
  X(STR, command, "command", 0, "the command line that ran the scenario")      \
  X(STR, run_dir, "run_dir", 0,                                                \
    "the run's directory, relative to the report directory")                   \
  X(INT, exit_status, "exit_status", 0,                                        \
    "exit status; -1 if killed by a signal")                                   \
  X(INT, term_signal, "term_signal", 0, "terminating signal; 0 if none")       \
  X(BOOL, timed_out, "timed_out", 0, "killed for exceeding its timeout")       \
  X(NUM, hung_after_end_s, "hung_after_end_s", 0,                              \
    "> 0: killed for not exiting within this many seconds of writing its "     \
    "end record")                                                              \
  X(BOOL, slopes_judged, "slopes_judged", 1,                                   \
    "the variant judged slopes for this run's language (absent: true)")        \
  X(NUM, wall_s, "wall_s", 0, "wall time, seconds")                            \
  X(NUM, timeout_s, "timeout_s", 0, "the timeout applied, seconds")            \
  X(LL, iterations, "iterations", 0, "iterations requested")                   \
  X(LL, iterations_done, "iterations_done", 0, "iterations the probe did")     \
  X(INT, stop_look, "stop_look", 0,                                            \
    "stopped early: the look (percent of the judged window, 60..90) at which " \
    "every thresholded metric had passed the early-stopping rule; 0: ran in "  \
    "full")                                                                    \
  X(STR, stop_reason, "stop_reason", 0,                                        \
    "stopped early: why, per test (\"no growth at two looks: mallocInUse, "    \
    "...\"); null when it ran in full")                                        \
  X(LL, warmup, "warmup", 0, "warm-up iterations not fitted")                  \
  X(LL, sample_every, "sample_every", 0, "iterations between samples")         \
  X(BOOL, has_end, "has_end", 0, "the probe wrote its end record")             \
  X(STR, probe_error, "probe_error", 0, "probe protocol error, or null")       \
  X(STR, primary, "primary", 0,                                                \
    "metric shown first and used for min_detectable")                          \
  X(NUM, min_detectable, "min_detectable", 0,                                  \
    "smallest leak detectable in the primary metric, units per iteration")     \
  X(NUM, alpha, "alpha", 0,                                                    \
    "significance level the trends were judged at (the manifest's "            \
    "defaults.alpha); null if unknown, and the gate then assumes "             \
    "LG_DEFAULT_ALPHA")                                                        \
  X(NUM, iterate_ms, "iterate_ms", 0,                                          \
    "time spent iterating, ms, from the probe's end record (sampling "         \
    "excluded); null if unknown")                                              \
  X(NUM, sample_ms, "sample_ms", 0,                                            \
    "time spent sampling, ms, from the probe's end record; null if unknown")   \
  X(HOOK, run_samples, "samples", "object of three arrays",                    \
    "the samples column-wise: \"i\" iteration index, \"t_ms\" time, "          \
    "\"phase\" baseline, setup, iterate or teardown (\"?\" when absent)")      \
  X(HOOK, run_metrics, "metrics", "array of metric objects",                   \
    "the metrics sampled")                                                     \
  X(WHOOK, run_findings, "findings", "array of finding objects",               \
    "detector reports attributed to the run")                                  \
  X(HOOK, run_supp_used, "suppressions_used", "array of strings",              \
    "suppression entries that matched in this run")                            \
  X(STEP, run_findings, 0, 0, 0)                                               \
  X(HOOK, run_heap, "heap_attribution", "heap attribution object",             \
    "JS heap attribution; absent when none was attempted")

/* Control-run noise of one variant x language x metric (noise[]). */
#define LG_NOISE_FIELDS(X)                                                     \
  X(STR, variant, "variant", 0, "build variant (required: a string)")          \
  X(STR, lang, "lang", 0, "scenario language")                                 \
  X(STR, metric, "metric", 0, "metric name (required)")                        \
  X(STR, scenario, "scenario", 0, "the control scenario measured")             \
  X(NUM, sd, "sd", 0, "residual noise, units")                                 \
  X(NUM, slope, "slope", 0, "largest |slope| in the control's 95% interval")   \
  X(STEP, noise_required, 0, 0, 0)

/* How often one suppression entry of a variant matched over the runs
 * (suppressions[]). Read leniently: an entry without its three strings is
 * skipped, and a repeated entry adds its uses to the first. */
#define LG_SUPP_USE_FIELDS(X)                                                  \
  X(STR, variant, "variant", 0, "build variant")                               \
  X(STR, file, "file", 0, "suppression file")                                  \
  X(STR, name, "name", 0, "the entry's name")                                  \
  X(LONG, uses, "uses", 0, "matches over the runs (0: never matched)")

/* One cell of the planted-defect matrix (selftest.cells[]). */
#define LG_CELL_FIELDS(X)                                                      \
  X(STRQ, defect, "defect", "?", "the planted fault (EVS_FAULT)")              \
  X(STRQ, column, "column", "?", "detector label: variant[:metric]")           \
  X(STR, variant, "variant", 0, "the column's variant")                        \
  X(STR, metric, "metric", 0, "the column's metric, or null")                  \
  X(BOOL, designated, "designated", 0,                                         \
    "the manifest designates this detector for the defect")                    \
  X(CSTATUS, status, "status", 0, "cell status")                               \
  X(STR, evidence, "evidence", 0, "why the status")                            \
  X(NUM, seconds, "seconds", 0, "wall time of the run behind the cell")

/* One row of the gate's comparison (gate.rows[]). */
#define LG_GATE_ROW_FIELDS(X)                                                  \
  X(STRQ, scenario, "scenario", "?", "scenario file name")                     \
  X(STRQ, variant, "variant", "?", "build variant")                            \
  X(STRQ, what, "what", "?", "metric name, \"verdict\" or \"finding\"")        \
  X(NUM, baseline, "baseline", 0, "the baseline's figure")                     \
  X(NUM, current, "current", 0, "this run's figure")                           \
  X(NUM, tolerance, "tolerance", 0, "the tolerance applied")                   \
  X(GSTATUS, status, "status", 0,                                              \
    "gate status (unknown or absent: regression, never a silent pass)")        \
  X(STR, note, "note", 0, "why the status")

/* The "selftest" object; its fields live in lg_results_t. */
#define LG_SELFTEST_FIELDS(X)                                                  \
  X(STEP, selftest_cells, 0, 0, 0)                                             \
  X(BOOL, selftest_ok, "ok", lg_cells_ok(p),                                   \
    "every designated cell caught its defect and every clean run passed "      \
    "(absent: no designated cell is other than caught)")                       \
  X(WHOOK, selftest_cells, "cells", "array of cell objects",                   \
    "the matrix, row by row")

/* The "gate" object; its fields live in lg_results_t. */
#define LG_GATE_FIELDS(X)                                                      \
  X(STR, gate_baseline, "baseline", 0, "the baseline's name, for reports")     \
  X(STEP, gate_rows, 0, 0, 0)                                                  \
  X(BOOL, gate_ok, "ok", lg_gate_rows_ok(p),                                   \
    "no row is a regression (absent: computed from the rows)")                 \
  X(WHOOK, gate_rows, "rows", "array of gate row objects", "one per comparison")

/* The top level of results.json. Keys not listed here are kept verbatim
 * (lg_results_t.extra) and written back. */
#define LG_RESULTS_FIELDS(X)                                                   \
  X(HOOK, results_schema, "schema", "string",                                  \
    "always \"leakgate-results\" (required)")                                  \
  X(HOOK, results_version, "schema_version", "integer",                        \
    "LG_SCHEMA_VERSION (required; another version is refused)")                \
  X(STR, tool_version, "tool_version", 0, "leakgate version that wrote it")    \
  X(STR, created, "created", 0, "when, UTC, ISO 8601")                         \
  X(STR, manifest, "manifest", 0, "the manifest used")                         \
  X(STR, root, "root", 0, "the repository root the paths are relative to")     \
  X(STR, command, "command", 0, "the leakgate command line")                   \
  X(STR, shard, "shard", 0, "\"K/N\" when this is one shard of a run")         \
  X(STR, control, "control", 0, "control scenario name(s), comma-separated")   \
  X(HOOK, results_exit_code, "exit_code", "integer",                           \
    "leakgate's exit code for these results (absent: derived from them)")      \
  X(HOOK, results_complete, "complete", "boolean",                             \
    "false when written while runs were still going, or interrupted")          \
  X(HOOK, results_runs, "runs", "array of run objects", "the runs (required)") \
  X(WHOOK, results_noise, "noise", "array of noise objects",                   \
    "control-run noise per variant, language and metric")                      \
  X(HOOK, results_supps, "suppressions", "array of suppression objects",       \
    "every suppression entry of the variants run, with its matches")           \
  X(STEP, results_noise, 0, 0, 0)                                              \
  X(HOOK, results_selftest, "selftest", "selftest object",                     \
    "the planted-defect matrix; only in the results of `leakgate selftest` "   \
    "and in OUT/selftest/ of `leakgate run --selftest`")                       \
  X(HOOK, results_gate, "gate", "gate object",                                 \
    "the comparison with a baseline; absent when not gated")                   \
  X(STEP, results_derive_exit, 0, 0, 0)                                        \
  X(HOOK, results_bench, "bench", "object",                                    \
    "reports/bench/latest.json as found, kept verbatim")

/* ---- struct members by kind (model.h) --------------------------------- */

#define LG_MEMBER_STR(m) char *m;
#define LG_MEMBER_STRQ(m) char *m;
#define LG_MEMBER_OSTR(m) char *m;
#define LG_MEMBER_INT(m) int m;
#define LG_MEMBER_LL(m) long long m;
#define LG_MEMBER_SIZE(m) size_t m;
#define LG_MEMBER_LONG(m) long m;
#define LG_MEMBER_BOOL(m) int m;
#define LG_MEMBER_NUM(m) double m;
#define LG_MEMBER_FCLASS(m) lg_fclass_t m;
#define LG_MEMBER_GSTATUS(m) lg_gate_status_t m;
#define LG_MEMBER_CSTATUS(m) lg_cell_status_t m;
#define LG_MEMBER_VERDICT(m) lg_verdict_t m;
#define LG_MEMBER_HOOK(m)
#define LG_MEMBER_WHOOK(m)
#define LG_MEMBER_STEP(m)
/* Expands one record table entry into its struct member. */
#define LG_MEMBER(kind, m, key, dflt, doc) LG_MEMBER_##kind(m)

/* Enum tables into enum constants. */
#define LG_ENUM_CONST(c, name, doc) c,

#endif
