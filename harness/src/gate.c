/* Baseline comparison (see gate.h). */
#include "gate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "util.h"

static lg_gate_row_t *lg_row(lg_results_t *r, const lg_run_t *run,
                             const char *what, double b, double c, double tol,
                             const char *status, char *note) {
  r->gate = lg_xrealloc(r->gate, (r->ngate + 1) * sizeof *r->gate);
  lg_gate_row_t *g = &r->gate[r->ngate++];
  g->scenario = run->fault ? lg_fmt("%s@%s", run->scenario, run->fault)
                           : lg_xstrdup(run->scenario);
  g->variant = lg_xstrdup(run->variant);
  g->what = lg_xstrdup(what);
  g->baseline = b;
  g->current = c;
  g->tolerance = tol;
  g->status = lg_xstrdup(status);
  g->note = note;
  if (strcmp(status, "regression") == 0)
    r->gate_ok = 0;
  return g;
}

static const lg_run_t *lg_find_run(const lg_results_t *r,
                                   const lg_run_t *like) {
  for (size_t i = 0; i < r->nruns; i++) {
    const lg_run_t *x = &r->runs[i];
    if (strcmp(x->scenario, like->scenario) == 0 &&
        strcmp(x->variant, like->variant) == 0 &&
        ((!x->fault && !like->fault) ||
         (x->fault && like->fault && strcmp(x->fault, like->fault) == 0)))
      return x;
  }
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

static char *lg_finding_key(const lg_finding_t *f) {
  return lg_fmt("%s %s at %s", f->detector, f->kind,
                f->first_our_frame ? f->first_our_frame : "?");
}

static int lg_has_finding(const lg_run_t *run, const char *key) {
  for (size_t i = 0; run && i < run->nfindings; i++) {
    if (!run->findings[i].ours || run->findings[i].cls == LG_F_INFO)
      continue;
    char *k = lg_finding_key(&run->findings[i]);
    int eq = strcmp(k, key) == 0;
    free(k);
    if (eq)
      return 1;
  }
  return 0;
}

static void lg_gate_metric(lg_results_t *cur, const lg_run_t *run,
                           const lg_run_t *brun, const lg_metric_t *m,
                           json_t *tol, int always) {
  const lg_metric_t *bm = lg_run_metric(brun, m->name);
  if (!bm || !bm->fitted || !m->fitted)
    return;
  const char *u = lg_metric_unit(m->name);
  /* Slopes only where the run judged them (not, e.g., a valgrind smoke of
   * node, too short for a slope). */
  if (run->slopes_judged && brun->slopes_judged) {
    double b = bm->trend.slope, c = m->trend.slope;
    double rel = lg_tol_get(tol, m->name, "slope_rel", 0.5);
    double abs_t =
        lg_tol_get(tol, m->name, "slope_abs",
                   isfinite(bm->min_detectable) ? bm->min_detectable : 0);
    double t = fmax(rel * fabs(b), abs_t);
    char *what = lg_fmt("%s slope /it", m->name);
    if (c > b + t) {
      lg_row(cur, run, what, b, c, t, "regression",
             lg_fmt("%s slope rose by %.3g %s/it, beyond the tolerance",
                    m->name, c - b, *u ? u : "units"));
    } else if (c < b - t && b > t) {
      lg_row(cur, run, what, b, c, t, "improvement",
             lg_fmt("%s slope fell by %.3g %s/it", m->name, b - c,
                    *u ? u : "units"));
    } else if (always) {
      lg_row(cur, run, what, b, c, t, "ok", NULL);
    }
    free(what);
  }
  /* Peak growth over the baseline sample, where it is deterministic: the
   * exact counters, and every metric of a C process (mallocInUse is exact
   * with glibc's tcache off). Node's heap and malloc peaks move with GC
   * timing by far more than any tolerance that would still mean something;
   * their growth is judged by the slope test instead. */
  int stable = m->exact || (run->lang && strcmp(run->lang, "c") == 0);
  if (stable && isfinite(bm->peak) && isfinite(bm->baseline) &&
      isfinite(m->peak) && isfinite(m->baseline)) {
    double bp = bm->peak - bm->baseline, cp = m->peak - m->baseline;
    double prel = lg_tol_get(tol, m->name, "peak_rel", 0.25);
    double pabs = lg_tol_get(tol, m->name, "peak_abs",
                             isfinite(bm->noise_sd) ? 4 * bm->noise_sd : 0);
    double pt = prel * fabs(bp) + pabs;
    char *what = lg_fmt("%s peak growth", m->name);
    if (cp > bp + pt)
      lg_row(cur, run, what, bp, cp, pt, "regression",
             lg_fmt("%s peak growth exceeds the baseline's by more than the "
                    "tolerance",
                    m->name));
    else if (always)
      lg_row(cur, run, what, bp, cp, pt, cp < bp - pt ? "improvement" : "ok",
             NULL);
    free(what);
  }
}

void lg_gate(const lg_results_t *base, json_t *tol, const char *baseline_name,
             lg_results_t *cur) {
  for (size_t i = 0; i < cur->ngate; i++) {
    free(cur->gate[i].scenario);
    free(cur->gate[i].variant);
    free(cur->gate[i].what);
    free(cur->gate[i].status);
    free(cur->gate[i].note);
  }
  free(cur->gate);
  cur->gate = NULL;
  cur->ngate = 0;
  free(cur->gate_baseline);
  cur->gate_baseline = lg_xstrdup(baseline_name);
  cur->has_gate = 1;
  cur->gate_ok = 1;

  for (size_t i = 0; i < cur->nruns; i++) {
    const lg_run_t *run = &cur->runs[i];
    const lg_run_t *brun = lg_find_run(base, run);
    if (!brun) {
      lg_row(cur, run, "verdict", NAN, NAN, NAN, run->ok ? "new" : "regression",
             lg_fmt("not in the baseline; verdict %s",
                    lg_verdict_name(run->verdict)));
      continue;
    }
    if (brun->ok && !run->ok)
      lg_row(cur, run, "verdict", NAN, NAN, NAN, "regression",
             lg_fmt("%s in the baseline, now %s",
                    lg_verdict_name(brun->verdict),
                    lg_verdict_name(run->verdict)));
    else if (!brun->ok && run->ok)
      lg_row(cur, run, "verdict", NAN, NAN, NAN, "improvement",
             lg_fmt("%s in the baseline, now %s",
                    lg_verdict_name(brun->verdict),
                    lg_verdict_name(run->verdict)));
    else
      lg_row(cur, run, "verdict", NAN, NAN, NAN, run->ok ? "ok" : "regression",
             lg_fmt("%s (baseline %s)", lg_verdict_name(run->verdict),
                    lg_verdict_name(brun->verdict)));

    for (size_t k = 0; k < run->nfindings; k++) {
      const lg_finding_t *f = &run->findings[k];
      if (!f->ours || f->cls == LG_F_INFO)
        continue;
      char *key = lg_finding_key(f);
      if (!lg_has_finding(brun, key))
        lg_row(cur, run, "finding", NAN, NAN, NAN, "regression",
               lg_fmt("new finding: %s", key));
      free(key);
    }
    for (size_t k = 0; k < brun->nfindings; k++) {
      const lg_finding_t *f = &brun->findings[k];
      if (!f->ours || f->cls == LG_F_INFO)
        continue;
      char *key = lg_finding_key(f);
      if (!lg_has_finding(run, key))
        lg_row(cur, run, "finding", NAN, NAN, NAN, "improvement",
               lg_fmt("gone: %s", key));
      free(key);
    }
    for (size_t k = 0; k < run->nmetrics; k++) {
      const lg_metric_t *m = &run->metrics[k];
      int primary = run->primary && strcmp(run->primary, m->name) == 0;
      if (primary || isfinite(m->threshold))
        lg_gate_metric(cur, run, brun, m, tol, primary);
    }
  }
  for (size_t i = 0; i < base->nruns; i++)
    if (!lg_find_run(cur, &base->runs[i]))
      lg_row(cur, &base->runs[i], "verdict", NAN, NAN, NAN, "missing",
             lg_xstrdup("in the baseline but not in this run (filtered?)"));
}
