/* Analysis of a whole result set (analyze.h): noise floors from the
 * control runs, each metric's smallest detectable leak, and the exit
 * code. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "util.h"

/* The noise of `metric` measured by a control of the same variant and
 * language (a C process and node have different noise). */
static lg_noise_t *lg_noise_find(lg_results_t *r, const char *variant,
                                 const char *lang, const char *metric) {
  for (size_t i = 0; i < r->nnoise; i++)
    if (strcmp(r->noise[i].variant, variant) == 0 &&
        strcmp(r->noise[i].metric, metric) == 0 &&
        (!r->noise[i].lang || !lang || strcmp(r->noise[i].lang, lang) == 0))
      return &r->noise[i];
  return NULL;
}

int lg_is_control(const char *list, const char *name) {
  size_t n = strlen(name);
  for (const char *p = list; p && *p;) {
    size_t len = strcspn(p, ",");
    if (len == n && strncmp(p, name, n) == 0)
      return 1;
    p += len + (p[len] == ',');
  }
  return 0;
}

void lg_analyze_noise(lg_results_t *r) {
  lg_results_clear_noise(r);
  for (size_t i = 0; r->control && i < r->nruns; i++) {
    lg_run_t *run = &r->runs[i];
    if (!lg_is_control(r->control, run->scenario) || run->fault ||
        !run->has_end)
      continue;
    for (size_t k = 0; k < run->nmetrics; k++) {
      lg_metric_t *mt = &run->metrics[k];
      if (!mt->fitted || lg_noise_find(r, run->variant, run->lang, mt->name))
        continue;
      r->noise = lg_xrealloc(r->noise, (r->nnoise + 1) * sizeof *r->noise);
      lg_noise_t *n = &r->noise[r->nnoise++];
      n->variant = lg_xstrdup(run->variant);
      n->lang = run->lang ? lg_xstrdup(run->lang) : NULL;
      n->metric = lg_xstrdup(mt->name);
      n->scenario = lg_xstrdup(run->scenario);
      n->sd = mt->trend.resid_sd;
      n->slope = fmax(fabs(mt->trend.slope_lo), fabs(mt->trend.slope_hi));
    }
  }
  for (size_t i = 0; i < r->nruns; i++) {
    lg_run_t *run = &r->runs[i];
    run->min_detectable = NAN;
    for (size_t k = 0; k < run->nmetrics; k++) {
      lg_metric_t *mt = &run->metrics[k];
      free(mt->noise_source);
      mt->noise_source = NULL;
      mt->noise_sd = mt->min_detectable = NAN;
      if (!mt->fitted)
        continue;
      /* The control's noise, or the run's own residual noise when larger
       * (a busy workload can be noisier than doing nothing). */
      lg_noise_t *n = lg_noise_find(r, run->variant, run->lang, mt->name);
      int own = !n || !(n->sd >= mt->trend.resid_sd);
      mt->noise_sd = own ? mt->trend.resid_sd : n->sd;
      mt->noise_source = lg_xstrdup(own ? "self" : n->scenario);
      double span = mt->trend.x_last - mt->trend.x_first;
      /* A leak must move the metric by 3 noise deviations across the fitted
       * span to stand out, and must exceed the configured threshold. */
      double md = span > 0 ? 3.0 * mt->noise_sd / span : NAN;
      if (isfinite(mt->threshold))
        md = isfinite(md) ? fmax(md, mt->threshold) : mt->threshold;
      mt->min_detectable = md;
      if (run->primary && strcmp(run->primary, mt->name) == 0)
        run->min_detectable = md;
    }
  }
}

int lg_results_exit_code(const lg_results_t *r) {
  if (lg_results_infra(r))
    return 3;
  if (lg_results_failed(r))
    return 1;
  if (r->has_selftest && !r->selftest_ok)
    return 1;
  if (r->has_gate && !r->gate_ok)
    return 1;
  return 0;
}
