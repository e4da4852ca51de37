/* Report writers. Each renders the result model as it is (lg_results_t);
 * none of them recomputes a slope, a verdict or a noise figure. The tables
 * the documents and the terminal share are built once (report_table.h).
 *
 * Ownership and threads, for every function below: r and every other
 * pointer argument are borrowed (read, never kept or modified); a returned
 * char * is a new NUL-terminated string the caller frees with free(), unless
 * its comment says "static". Any thread may call them for a model no
 * thread modifies meanwhile; they keep no state. Allocation failure exits
 * the process (util.h). */
#ifndef LG_REPORT_H
#define LG_REPORT_H

#include <stdio.h>

#include "model.h"

/* junit.xml, summary.md and report.html as one string each (UTF-8, ends
 * with "\n"), rendered from r; every string from the model is escaped for
 * the format. Caller frees; never NULL. */
char *lg_render_junit(const lg_results_t *r);
char *lg_render_markdown(const lg_results_t *r);
char *lg_render_html(const lg_results_t *r);

/* Writes results.json, junit.xml, summary.md and report.html into dir
 * (created if needed), the last three rendered from results.json as written.
 * Returns 0, or -1 with *err set (caller frees); files written before the
 * failure stay. Main thread: it writes files. */
int lg_write_reports(const lg_results_t *r, const char *dir, char **err);

/* Writes only junit.xml, summary.md and report.html into dir (created if
 * needed), rendered from r as it is: for 'leakgate report', whose input
 * results.json must not be rewritten. r should come from lg_results_load so
 * the files match what lg_write_reports wrote. Returns 0, or -1 with *err
 * set (caller frees). Main thread: it writes files. */
int lg_render_reports(const lg_results_t *r, const char *dir, char **err);

/* The cause in one line, first in the terminal output, summary.md and
 * report.html: "FAIL: 1 gate regression — x/asan heapUsed slope: ...",
 * "FAIL: 2 runs LEAK — a/asan, b/release", "PASS — 77 runs, gate 0
 * regressions, selftest 12/12 caught". Causes in order: infrastructure
 * errors, gate regressions, failed runs by verdict (most severe first),
 * missed selftest cells; at most three names per cause, then "+N more".
 * The status word follows r->exit_code. Plain text, valid UTF-8 and free of
 * control characters (safe for a terminal); writers escape it for their
 * format. Caller frees; never NULL. */
char *lg_headline(const lg_results_t *r);

/* Where the time went: "Time in runs (summed; parallel runs overlap): 320
 * s over 77 runs - valgrind 211 s (26 runs, longest env-teardown.js 18.8
 * s), release 60 s (...), ...", the variants by their total wall time,
 * largest first (the runs' wall_s). One line, plain text as lg_headline's;
 * writers escape it. NULL when no run has a wall time. Caller frees. */
char *lg_time_line(const lg_results_t *r);
/* "Scenarios by time (summed over their runs): a.js 20.8 s (2 runs), ...,
 * N more scenarios": the LG_TIME_SCENARIOS scenarios whose runs took longest in
 * total, largest first. Plain text; NULL when no run has a wall time.
 * Caller frees. */
#define LG_TIME_SCENARIOS 8
char *lg_time_scenarios(const lg_results_t *r);

/* The control scenarios of r (r->control, "a.c,b.js") as a reader sees
 * them: "a.c, b.js"; "?" when the model names none. Plain text, not escaped.
 * Caller frees; never NULL. */
char *lg_control_names(const lg_results_t *r);

/* Why the slope of metric m of run was not judged against a threshold
 * ("no threshold", "not fitted: too few samples after warm-up", the
 * variant's language rule, or the model's m->not_judged), or NULL when it
 * was judged. Caller frees. */
char *lg_metric_not_judged(const lg_run_t *run, const lg_metric_t *m);

/* The selftest matrix: distinct defects (rows) and columns in order of
 * first appearance; cell[row * ncols + col] is the index + 1 of the last
 * cell with that pair, 0 for none. Built in linear time (hash maps). The
 * strings point into r (valid while r is); free the arrays with
 * lg_matrix_free, which leaves m zeroed. */
typedef struct lg_matrix_s {
  const char **rows, **cols;
  size_t nrows, ncols;
  size_t *cell;
} lg_matrix_t;
void lg_selftest_matrix(const lg_results_t *r, lg_matrix_t *m);
void lg_matrix_free(lg_matrix_t *m);

/* The terminal's tables, printed to out. lg_term_gate: the gate's rows
 * whose status is not ok (status, scenario, variant, what, baseline,
 * current, tolerance, note; the model's strings made terminal-safe), then
 * "gate vs BASELINE: PASS|FAIL (counts)". lg_term_selftest: "selftest
 * detection matrix:", one line per selftest cell and per clean run (no
 * fault), then "selftest: ..."; only the evidence is made terminal-safe
 * (the other strings come from the manifest). Main thread: they write to
 * out. */
void lg_term_gate(FILE *out, const lg_results_t *r);
void lg_term_selftest(FILE *out, const lg_results_t *r);

/* Helpers shared by the writers. */
/* The run's verdict as shown in reports: the verdict's name, or for a
 * negative control that caught its defect "PASS (LEAK expected)". Returns a
 * static string (never freed). */
const char *lg_run_status(const lg_run_t *run);
/* "scenario" or "scenario@fault". Caller frees; never NULL unless the run
 * has no scenario. */
char *lg_run_label(const lg_run_t *run);
/* "+1.2 B/it" style slope of a metric (m may be NULL), or "n/a" when it was
 * not fitted. Caller frees; never NULL. */
char *lg_fmt_slope(const lg_metric_t *m);

#endif
