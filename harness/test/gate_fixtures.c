/* Result sets built in memory for the gate and leak-class unit tests
 * (gate_fixtures.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "detect.h"
#include "gate.h"
#include "gate_fixtures.h"
#include "leakclass.h"
#include "model.h"
#include "util.h"

lg_run_t *lg_mkrun(lg_results_t *r, const char *scenario, const char *variant,
                   const char *expected, lg_verdict_t verdict) {
  lg_run_t *run = lg_results_add_run(r);
  run->scenario = lg_xstrdup(scenario);
  run->variant = lg_xstrdup(variant);
  run->lang = lg_xstrdup(strstr(scenario, ".js") ? "js" : "c");
  run->expected = lg_xstrdup(expected);
  run->verdict = run->detected = verdict;
  run->ok = verdict == LG_V_PASS;
  run->has_end = 1;
  run->slopes_judged = 1;
  run->iterations = run->iterations_done = 2000;
  return run;
}

void lg_mkpair(lg_results_t *base, lg_results_t *cur, const char *scenario,
               const char *variant, lg_run_t **b, lg_run_t **c) {
  *b = lg_mkrun(base, scenario, variant, "pass", LG_V_PASS);
  *c = lg_mkrun(cur, scenario, variant, "pass", LG_V_PASS);
}

/* A fitted, thresholded metric with the given slope and peak growth. */
void lg_mkmetric(lg_run_t *run, const char *name, double slope,
                 double threshold, double growth) {
  if (run->nsamples == 0) {
    lg_run_sample_add(run, 0, 0, "baseline");
    lg_run_sample_add(run, 1000, 0, "iterate");
    lg_run_sample_add(run, 2000, 0, "iterate");
    lg_run_sample_add(run, 2000, 0, "teardown");
  }
  lg_metric_t *m = lg_run_metric_add(run, name);
  /* Held at its peak over two samples (the gate compares held peaks); two
   * window samples are too few for a window decision, so slopes are
   * compared on the point slope set below. */
  double v[] = {1000, 1000 + growth, 1000 + growth, 1000};
  for (size_t i = 0; i < run->nsamples && i < 4; i++)
    m->v[i] = v[i];
  m->fitted = 1;
  memset(&m->trend, 0, sizeof m->trend);
  m->trend.n = 41;
  m->trend.slope = slope;
  m->trend.slope_lo = slope * 0.9;
  m->trend.slope_hi = slope * 1.1;
  m->threshold = threshold;
  m->baseline = 1000;
  m->peak = 1000 + growth;
  m->final = 1000;
  m->noise_sd = 0;
  m->min_detectable = threshold;
  free(run->primary);
  run->primary = lg_xstrdup(name);
}

/* A metric over a full sampled run: a baseline sample, `n` iterate samples
 * every 20 iterations with values f(k) for k = 0..n-1, and a teardown
 * sample back at f(0). The run must have no samples yet. The trend is
 * fitted from the window; slope overrides the fitted point slope when
 * finite (the gate reads the stored slope and re-judges the samples). */
lg_metric_t *lg_mkseries(lg_run_t *run, const char *name, double threshold,
                         size_t n, double (*f)(size_t k), double slope) {
  lg_run_sample_add(run, 0, 0, "baseline");
  for (size_t k = 0; k < n; k++)
    lg_run_sample_add(run, (long long)(20 * (k + 1)), 0, "iterate");
  lg_run_sample_add(run, (long long)(20 * n), 0, "teardown");
  run->iterations = run->iterations_done = (long long)(20 * n);
  run->alpha = 0.01;
  lg_metric_t *m = lg_run_metric_add(run, name);
  m->v[0] = m->v[n + 1] = f(0);
  for (size_t k = 0; k < n; k++)
    m->v[k + 1] = f(k);
  double *x = lg_xmalloc(run->nsamples * sizeof *x);
  double *y = lg_xmalloc(run->nsamples * sizeof *y);
  size_t w = lg_run_window(run, m, x, y);
  m->fitted = lg_trend_fit(x, y, w, &m->trend) == 0;
  free(x);
  free(y);
  if (isfinite(slope))
    m->trend.slope = slope;
  m->threshold = threshold;
  m->min_detectable = threshold;
  m->baseline = m->final = f(0);
  m->noise_sd = 0;
  free(run->primary);
  run->primary = lg_xstrdup(name);
  return m;
}

lg_finding_t *lg_mkfinding(lg_run_t *run, const char *fn, const char *file,
                           int line, const char *obj) {
  run->findings =
      lg_xrealloc(run->findings, (run->nfindings + 1) * sizeof *run->findings);
  lg_finding_t *f = &run->findings[run->nfindings++];
  memset(f, 0, sizeof *f);
  f->detector = lg_xstrdup("lsan");
  f->kind = lg_xstrdup("direct-leak");
  f->cls = LG_F_LEAK;
  f->bytes = 64;
  f->blocks = 1;
  f->ours = 1;
  f->nstacks = 1;
  f->stacks = lg_xcalloc(1, sizeof *f->stacks);
  f->stacks[0].title = lg_xstrdup("allocated from");
  f->stacks[0].nframes = 2;
  f->stacks[0].frames = lg_xcalloc(2, sizeof(lg_frame_t));
  lg_frame_t *a = &f->stacks[0].frames[0], *b = &f->stacks[0].frames[1];
  a->fn = lg_xstrdup("malloc");
  a->obj = lg_xstrdup("/usr/lib/x86_64-linux-gnu/libasan.so.8");
  b->fn = lg_xstrdup(fn);
  b->file = lg_xstrdup(file);
  b->line = line;
  b->obj = lg_xstrdup(obj);
  b->ours = 1;
  f->first_our_frame = lg_frame_label(b);
  return f;
}

void lg_gate_mem(const lg_results_t *base, lg_results_t *cur) {
  lg_baseline_t b;
  lg_baseline_from_results(base, &b);
  lg_gate(&b, "base", cur);
  lg_baseline_free(&b);
}

size_t lg_count(const lg_results_t *r, lg_gate_status_t st, const char *what) {
  size_t n = 0;
  for (size_t i = 0; i < r->ngate; i++)
    n += r->gate[i].status == st &&
         (!what || strcmp(r->gate[i].what, what) == 0);
  return n;
}
