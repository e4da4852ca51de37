/* Baseline reduction and the comparison (see gate.h); the slim baseline
 * file is in gate_file.c. */
#include "gate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "leakclass.h"
#include "stats.h"
#include "util.h"

/* ---- reduction ---------------------------------------------------------- */

static int lg_complete(const lg_run_t *run) {
  return run->has_end && !run->probe_error && !run->timed_out &&
         !run->term_signal;
}

static void lg_bfinding_add(lg_brun_t *br, const lg_finding_t *f,
                            const char *root) {
  char *key = lg_finding_key(f, root);
  for (size_t i = 0; i < br->nfindings; i++) {
    lg_bfinding_t *x = &br->findings[i];
    if (strcmp(x->key, key) == 0) {
      x->records++;
      x->bytes = x->bytes < 0 || f->bytes < 0 ? -1 : x->bytes + f->bytes;
      x->blocks = x->blocks < 0 || f->blocks < 0 ? -1 : x->blocks + f->blocks;
      free(key);
      return;
    }
  }
  br->findings =
      lg_xrealloc(br->findings, (br->nfindings + 1) * sizeof *br->findings);
  lg_bfinding_t *x = &br->findings[br->nfindings++];
  x->key = key;
  x->cls = f->cls;
  x->records = 1;
  x->bytes = f->bytes;
  x->blocks = f->blocks;
}

/* The highest level a metric held, not its highest single sample: the
 * largest value present in two consecutive samples (NaNs skipped); NaN with
 * fewer than two. Samples are taken between iterations, asynchronously to
 * what the process releases on other threads: a thread the scenario has
 * joined stays listed in /proc/self/task until the kernel reaps it, so
 * under CPU load one sample in a hundred counted it (shutdown-join.c: 3 of
 * 10 runs under two CPU hogs). A level the process holds shows in the next
 * sample too. */
static double lg_held_peak(const lg_run_t *run, const lg_metric_t *m) {
  double peak = NAN, prev = NAN;
  for (size_t i = 0; i < run->nsamples; i++) {
    double v = m->v[i];
    if (isnan(v))
      continue;
    if (!isnan(prev) && (isnan(peak) || fmin(prev, v) > peak))
      peak = fmin(prev, v);
    prev = v;
  }
  return peak;
}

static void lg_brun_from_run(const lg_run_t *run, const char *root,
                             lg_brun_t *br) {
  memset(br, 0, sizeof *br);
  br->scenario = lg_xstrdup(run->scenario);
  br->variant = lg_xstrdup(run->variant);
  br->fault = lg_xstrdup(run->fault);
  br->lang = lg_xstrdup(run->lang);
  br->primary = lg_xstrdup(run->primary);
  br->expect_pass = !run->expected || strcmp(run->expected, "pass") == 0;
  br->verdict = run->verdict;
  br->ok = run->ok;
  br->wall_s = run->wall_s > 0 ? run->wall_s : NAN;
  /* A negative control is gated on its verdict alone. */
  if (!br->expect_pass)
    return;
  for (size_t i = 0; i < run->nfindings; i++) {
    const lg_finding_t *f = &run->findings[i];
    if (f->ours && f->cls != LG_F_INFO)
      lg_bfinding_add(br, f, root);
  }
  int complete = lg_complete(run);
  int is_c = run->lang && strcmp(run->lang, "c") == 0;
  for (size_t k = 0; k < run->nmetrics; k++) {
    const lg_metric_t *m = &run->metrics[k];
    /* Judged slopes only: a metric without a threshold, or a variant that
     * does not judge slopes for this language (a valgrind smoke of node),
     * gives a slope nobody decided anything on. */
    int slope = complete && run->slopes_judged && m->fitted &&
                isfinite(m->threshold) && isfinite(m->trend.slope);
    /* Peak growth where it is deterministic: the exact counters, and the
     * judged heap counters of a C process (mallocInUse, liveBytes: exact
     * byte counts). Node's heap and malloc peaks move with GC timing by far
     * more than any tolerance that would still mean something, and rss is
     * never deterministic: it moves in pages with the kernel's fault-around
     * and the allocator's trimming (reports/bench/design-measurements.md,
     * "Gate: no peak rule for rss"). Its ceiling is judged per run. */
    double held = lg_held_peak(run, m);
    int peak = complete &&
               (m->exact || (is_c && slope && strcmp(m->name, "rss") != 0)) &&
               isfinite(held) && isfinite(m->baseline);
    if (!slope && !peak)
      continue;
    br->metrics =
        lg_xrealloc(br->metrics, (br->nmetrics + 1) * sizeof *br->metrics);
    lg_bmetric_t *b = &br->metrics[br->nmetrics++];
    b->name = lg_xstrdup(m->name);
    b->slope_judged = slope;
    b->slope = slope ? m->trend.slope : NAN;
    b->slope_lo = slope ? m->trend.slope_lo : NAN;
    b->slope_hi = slope ? m->trend.slope_hi : NAN;
    b->min_detectable = slope ? m->min_detectable : NAN;
    b->peak_judged = peak;
    b->peak_growth = peak ? held - m->baseline : NAN;
    b->noise_sd = peak ? m->noise_sd : NAN;
  }
}

void lg_baseline_from_results(const lg_results_t *r, lg_baseline_t *b) {
  memset(b, 0, sizeof *b);
  b->created = lg_xstrdup(r->created);
  b->runs = lg_xcalloc(r->nruns ? r->nruns : 1, sizeof *b->runs);
  b->nruns = r->nruns;
  for (size_t i = 0; i < r->nruns; i++)
    lg_brun_from_run(&r->runs[i], r->root, &b->runs[i]);
}

static void lg_brun_free(lg_brun_t *br) {
  LG_FREE_ALL(br->scenario, br->variant, br->fault, br->lang, br->primary);
  for (size_t i = 0; i < br->nfindings; i++)
    free(br->findings[i].key);
  free(br->findings);
  for (size_t i = 0; i < br->nmetrics; i++)
    free(br->metrics[i].name);
  free(br->metrics);
}

void lg_baseline_free(lg_baseline_t *b) {
  for (size_t i = 0; i < b->nruns; i++)
    lg_brun_free(&b->runs[i]);
  free(b->runs);
  free(b->created);
  json_decref(b->tolerance);
  memset(b, 0, sizeof *b);
}

/* ---- the comparison ----------------------------------------------------- */

static void lg_row(lg_results_t *r, const lg_brun_t *run, const char *what,
                   double b, double c, double tol, lg_gate_status_t status,
                   char *note) {
  r->gate = lg_xrealloc(r->gate, (r->ngate + 1) * sizeof *r->gate);
  lg_gate_row_t *g = &r->gate[r->ngate++];
  g->scenario = run->fault ? lg_fmt("%s@%s", run->scenario, run->fault)
                           : lg_xstrdup(run->scenario);
  g->variant = lg_xstrdup(run->variant);
  g->what = lg_xstrdup(what);
  g->baseline = b;
  g->current = c;
  g->tolerance = tol;
  g->status = status;
  g->note = note;
  if (status == LG_G_REGRESSION)
    r->gate_ok = 0;
}

static int lg_same_run(const lg_brun_t *a, const lg_brun_t *b) {
  return strcmp(a->scenario, b->scenario) == 0 &&
         strcmp(a->variant, b->variant) == 0 && !!a->fault == !!b->fault &&
         (!a->fault || strcmp(a->fault, b->fault) == 0);
}

static const lg_brun_t *lg_find(const lg_baseline_t *b, const lg_brun_t *like) {
  for (size_t i = 0; i < b->nruns; i++)
    if (lg_same_run(&b->runs[i], like))
      return &b->runs[i];
  return NULL;
}

static const lg_bfinding_t *lg_find_finding(const lg_brun_t *br,
                                            const char *key) {
  for (size_t i = 0; br && i < br->nfindings; i++)
    if (strcmp(br->findings[i].key, key) == 0)
      return &br->findings[i];
  return NULL;
}

static const lg_bmetric_t *lg_find_metric(const lg_brun_t *br,
                                          const char *name) {
  for (size_t i = 0; i < br->nmetrics; i++)
    if (strcmp(br->metrics[i].name, name) == 0)
      return &br->metrics[i];
  return NULL;
}

static double lg_tol_get(json_t *tol, const char *metric, const char *key,
                         double dflt) {
  json_t *v = json_object_get(
      json_object_get(json_object_get(tol, "metrics"), metric), key);
  if (!v)
    v = json_object_get(tol, key);
  return json_is_number(v) ? json_number_value(v) : dflt;
}

static char *lg_finding_note(const char *prefix, const lg_bfinding_t *f) {
  if (f->bytes >= 0 && f->records > 1)
    return lg_fmt("%s%s (%lld bytes in %lld blocks, %ld stack records)", prefix,
                  f->key, f->bytes, f->blocks, f->records);
  if (f->bytes >= 0)
    return lg_fmt("%s%s (%lld bytes in %lld blocks)", prefix, f->key, f->bytes,
                  f->blocks);
  if (f->records > 1)
    return lg_fmt("%s%s (%ld stack records)", prefix, f->key, f->records);
  return lg_fmt("%s%s", prefix, f->key);
}

static void lg_gate_findings(lg_results_t *cur, const lg_brun_t *run,
                             const lg_brun_t *brun) {
  for (size_t k = 0; k < run->nfindings; k++) {
    const lg_bfinding_t *f = &run->findings[k];
    if (lg_find_finding(brun, f->key))
      continue;
    /* A one-time leak fails the run or not by the "once" policy; the gate
     * lists it and leaves the verdict to decide. */
    if (f->cls == LG_F_ONCE)
      lg_row(cur, run, "finding", NAN, NAN, NAN, LG_G_NEW,
             lg_finding_note("new one-time leak: ", f));
    else
      lg_row(cur, run, "finding", NAN, NAN, NAN, LG_G_REGRESSION,
             lg_finding_note("new finding: ", f));
  }
  for (size_t k = 0; k < brun->nfindings; k++) {
    const lg_bfinding_t *f = &brun->findings[k];
    if (!lg_find_finding(run, f->key))
      lg_row(cur, run, "finding", NAN, NAN, NAN, LG_G_IMPROVEMENT,
             lg_finding_note("gone: ", f));
  }
}

/* The run's own step-robust decision (lg_leak_judge) over `src`'s judged
 * window of metric `name`, against `level` instead of the threshold: is the
 * rise above the baseline's slope plus tolerance significant and
 * persistent? LG_J_TOO_FEW when the file holds no usable window. */
static lg_judgement_t lg_gate_judge(const lg_run_t *src, const char *name,
                                    double level, lg_persist_t *p) {
  const lg_metric_t *mt = lg_run_metric(src, name);
  memset(p, 0, sizeof *p);
  if (!mt || !mt->v || src->nsamples == 0)
    return LG_J_TOO_FEW;
  double *x = lg_xmalloc(src->nsamples * sizeof *x);
  double *y = lg_xmalloc(src->nsamples * sizeof *y);
  size_t n = lg_run_window(src, mt, x, y);
  lg_trend_t tr;
  lg_judgement_t j = lg_leak_judge(
      x, y, n, level, isfinite(src->alpha) ? src->alpha : LG_DEFAULT_ALPHA, &tr,
      p);
  free(x);
  free(y);
  return j;
}

static void lg_gate_metric(lg_results_t *cur, const lg_run_t *src,
                           const lg_brun_t *run, const lg_bmetric_t *m,
                           const lg_bmetric_t *bm, json_t *tol) {
  int always = run->primary && strcmp(run->primary, m->name) == 0;
  const char *u = lg_metric_unit(m->name);
  if (m->slope_judged && bm->slope_judged) {
    double b = bm->slope, c = m->slope;
    double rel = lg_tol_get(tol, m->name, "slope_rel", 0.5);
    double abs_t =
        lg_tol_get(tol, m->name, "slope_abs",
                   isfinite(bm->min_detectable) ? bm->min_detectable : 0);
    double t = fmax(rel * fabs(b), abs_t);
    char *what = lg_fmt("%s slope /it", m->name);
    /* Beyond the tolerance, the rise must also pass the run's own rule
     * against baseline + tolerance: significant and persistent across the
     * window. A one-time step is never a slope regression, for the same
     * reason it is never a LEAK (under two CPU hogs, one value-ring-wrap.js
     * run in ten fitted mallocInUse at > 18 B/it over a step it judged not
     * persistent). Without a usable window in the file, the point slope
     * decides. */
    lg_persist_t p;
    lg_judgement_t j = c > b + t && src ? lg_gate_judge(src, m->name, b + t, &p)
                                        : LG_J_TOO_FEW;
    if (c > b + t && (j == LG_J_LEAK || j == LG_J_TOO_FEW))
      lg_row(cur, run, what, b, c, t, LG_G_REGRESSION,
             lg_fmt("%s slope rose by %.3g %s/it, beyond the tolerance "
                    "(95%% interval now %.3g..%.3g, baseline %.3g..%.3g)",
                    m->name, c - b, *u ? u : "units", m->slope_lo, m->slope_hi,
                    bm->slope_lo, bm->slope_hi));
    else if (c > b + t)
      lg_row(cur, run, what, b, c, t, LG_G_OK,
             j == LG_J_STEP
                 ? lg_fmt("%s slope %.3g %s/it over the window, beyond the "
                          "tolerance, but only %zu of %zu block slopes rose "
                          "above it%s: a one-time step, not a per-iteration "
                          "rise",
                          m->name, c, *u ? u : "units", p.rising, p.nblocks - 1,
                          p.last_rising ? "" : ", not the last")
                 : lg_fmt("%s slope %.3g %s/it over the window, beyond the "
                          "tolerance, but not a significant trend: noise, "
                          "not a per-iteration rise",
                          m->name, c, *u ? u : "units"));
    else if (c < b - t && b > t)
      lg_row(cur, run, what, b, c, t, LG_G_IMPROVEMENT,
             lg_fmt("%s slope fell by %.3g %s/it", m->name, b - c,
                    *u ? u : "units"));
    else if (always)
      lg_row(cur, run, what, b, c, t, LG_G_OK, NULL);
    free(what);
  }
  if (m->peak_judged && bm->peak_judged) {
    double bp = bm->peak_growth, cp = m->peak_growth;
    double prel = lg_tol_get(tol, m->name, "peak_rel", 0.25);
    double pabs = lg_tol_get(tol, m->name, "peak_abs",
                             isfinite(bm->noise_sd) ? 4 * bm->noise_sd : 0);
    double pt = prel * fabs(bp) + pabs;
    char *what = lg_fmt("%s peak growth", m->name);
    if (cp > bp + pt)
      lg_row(cur, run, what, bp, cp, pt, LG_G_REGRESSION,
             lg_fmt("%s peak growth exceeds the baseline's by more than the "
                    "tolerance",
                    m->name));
    else if (always || cp < bp - pt)
      lg_row(cur, run, what, bp, cp, pt,
             cp < bp - pt ? LG_G_IMPROVEMENT : LG_G_OK, NULL);
    free(what);
  }
}

static void lg_gate_run(lg_results_t *cur, const lg_run_t *src,
                        const lg_brun_t *run, const lg_brun_t *brun,
                        json_t *tol) {
  const char *bv = lg_verdict_name(brun->verdict),
             *cv = lg_verdict_name(run->verdict);
  if (brun->ok && !run->ok)
    lg_row(cur, run, "verdict", NAN, NAN, NAN, LG_G_REGRESSION,
           lg_fmt("%s in the baseline, now %s", bv, cv));
  else if (!brun->ok && run->ok)
    lg_row(cur, run, "verdict", NAN, NAN, NAN, LG_G_IMPROVEMENT,
           lg_fmt("%s in the baseline, now %s", bv, cv));
  else if (!run->ok)
    lg_row(cur, run, "verdict", NAN, NAN, NAN, LG_G_STILL_FAILING,
           brun->verdict == run->verdict ? lg_fmt("%s, as in the baseline", cv)
                                         : lg_fmt("%s (baseline %s)", cv, bv));
  else
    lg_row(cur, run, "verdict", NAN, NAN, NAN, LG_G_OK,
           lg_fmt("%s (baseline %s)", cv, bv));
  /* Negative controls: their verdict says whether the planted defect was
   * caught; how fast it leaks is theirs to vary. */
  if (!run->expect_pass)
    return;
  lg_gate_findings(cur, run, brun);
  for (size_t k = 0; k < run->nmetrics; k++) {
    const lg_bmetric_t *bm = lg_find_metric(brun, run->metrics[k].name);
    if (bm)
      lg_gate_metric(cur, src, run, &run->metrics[k], bm, tol);
  }
}

void lg_gate(const lg_baseline_t *base, const char *baseline_name,
             lg_results_t *cur) {
  lg_results_clear_gate(cur);
  free(cur->gate_baseline);
  cur->gate_baseline = lg_xstrdup(baseline_name);
  cur->has_gate = 1;
  cur->gate_ok = 1;

  lg_baseline_t now;
  lg_baseline_from_results(cur, &now);
  for (size_t i = 0; i < now.nruns; i++) {
    const lg_brun_t *run = &now.runs[i];
    const lg_brun_t *brun = lg_find(base, run);
    if (!brun)
      lg_row(cur, run, "verdict", NAN, NAN, NAN,
             run->ok ? LG_G_NEW : LG_G_REGRESSION,
             lg_fmt("not in the baseline; verdict %s",
                    lg_verdict_name(run->verdict)));
    else
      lg_gate_run(cur, &cur->runs[i], run, brun, base->tolerance);
  }
  for (size_t i = 0; i < base->nruns; i++)
    if (!lg_find(&now, &base->runs[i]))
      lg_row(cur, &base->runs[i], "verdict", NAN, NAN, NAN, LG_G_MISSING,
             lg_xstrdup("in the baseline but not in this run (filtered?)"));
  lg_baseline_free(&now);
}

int lg_gate_apply(lg_results_t *cur, const char *baseline_path, char **err) {
  lg_baseline_t base;
  if (lg_baseline_load(baseline_path, &base, err) != 0)
    return -1;
  lg_gate(&base, baseline_path, cur);
  lg_baseline_free(&base);
  return 0;
}
