/* Planted-defect matrix (see selftest.h). */
#include "selftest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int lg_in(char **v, size_t n, const char *s) {
  if (n == 0)
    return 1;
  for (size_t i = 0; i < n; i++)
    if (strcmp(v[i], s) == 0)
      return 1;
  return 0;
}

typedef struct lg_pair_s {
  const lg_scenario_t *sc;
  const lg_variant_t *va;
  const char *fault;
} lg_pair_t;

static int lg_pair_add(lg_pair_t *p, size_t *n, const lg_scenario_t *sc,
                       const lg_variant_t *va, const char *fault) {
  for (size_t i = 0; i < *n; i++)
    if (p[i].sc == sc && p[i].va == va &&
        ((!p[i].fault && !fault) ||
         (p[i].fault && fault && strcmp(p[i].fault, fault) == 0)))
      return 0;
  p[*n].sc = sc;
  p[*n].va = va;
  p[*n].fault = fault;
  (*n)++;
  return 1;
}

static lg_run_t *lg_find(lg_results_t *r, const char *sc, const char *va,
                         const char *fault) {
  for (size_t i = 0; i < r->nruns; i++) {
    lg_run_t *x = &r->runs[i];
    if (strcmp(x->scenario, sc) == 0 && strcmp(x->variant, va) == 0 &&
        ((!x->fault && !fault) ||
         (x->fault && fault && strcmp(x->fault, fault) == 0)))
      return x;
  }
  return NULL;
}

static void lg_cell_judge(lg_cell_t *c, const lg_run_t *run) {
  c->seconds = run->wall_s;
  if (run->verdict == LG_V_INFRA) {
    c->status = LG_C_INFRA;
    c->evidence = lg_xstrdup(run->evidence);
    return;
  }
  int caught;
  if (c->metric) {
    const lg_metric_t *m = lg_run_metric(run, c->metric);
    caught = m && m->flagged;
    c->evidence =
        m ? lg_fmt("%s %s; run %s: %s", c->metric,
                   caught ? "flagged" : "not flagged",
                   lg_verdict_name(run->detected), run->evidence)
          : lg_fmt("metric %s not reported by the scenario; run %s: %s",
                   c->metric, lg_verdict_name(run->detected), run->evidence);
  } else {
    caught = run->detected != LG_V_PASS;
    c->evidence =
        lg_fmt("%s: %s", lg_verdict_name(run->detected), run->evidence);
  }
  c->status = c->designated ? (caught ? LG_C_CAUGHT : LG_C_MISSED)
                            : (caught ? LG_C_NA_CAUGHT : LG_C_NA);
}

lg_job_t *lg_selftest_plan(const lg_manifest_t *m, char **variants,
                           size_t nvariants, char **defects, size_t ndefects,
                           lg_results_t *r, size_t *n) {
  size_t cap = 1;
  for (size_t d = 0; d < m->ndefects; d++)
    cap += 2 * m->defects[d].ncells;
  lg_pair_t *pairs = lg_xcalloc(cap, sizeof *pairs);
  size_t npairs = 0;
  for (size_t d = 0; d < m->ndefects; d++) {
    const lg_defect_t *df = &m->defects[d];
    if (!lg_in(defects, ndefects, df->fault))
      continue;
    const lg_scenario_t *sc = lg_manifest_scenario(m, df->scenario);
    for (size_t c = 0; c < df->ncells; c++) {
      const lg_variant_t *va = lg_manifest_variant(m, df->cells[c].variant);
      if (!lg_in(variants, nvariants, va->name))
        continue;
      lg_pair_add(pairs, &npairs, sc, va, df->fault);
      lg_pair_add(pairs, &npairs, sc, va, NULL);
    }
  }
  size_t first = r->nruns;
  for (size_t i = 0; i < npairs; i++)
    lg_results_add_run(r);
  lg_job_t *jobs = lg_xcalloc(npairs ? npairs : 1, sizeof *jobs);
  for (size_t i = 0; i < npairs; i++) {
    jobs[i].sc = pairs[i].sc;
    jobs[i].va = pairs[i].va;
    jobs[i].fault = pairs[i].fault;
    jobs[i].expected_override = pairs[i].fault ? "planted" : "pass";
    jobs[i].run = &r->runs[first + i];
  }
  free(pairs);
  *n = npairs;
  return jobs;
}

void lg_selftest_judge(const lg_manifest_t *m, char **variants,
                       size_t nvariants, char **defects, size_t ndefects,
                       lg_results_t *r) {
  size_t cap = 1;
  for (size_t d = 0; d < m->ndefects; d++)
    cap += m->defects[d].ncells;
  /* Columns: every designated label, in order of first appearance. */
  const lg_cellspec_t **cols = lg_xcalloc(cap, sizeof *cols);
  size_t ncols = 0;
  for (size_t d = 0; d < m->ndefects; d++)
    for (size_t c = 0; c < m->defects[d].ncells; c++) {
      const lg_cellspec_t *cs = &m->defects[d].cells[c];
      if (!lg_in(variants, nvariants, cs->variant) ||
          !lg_in(defects, ndefects, m->defects[d].fault))
        continue;
      size_t k;
      for (k = 0; k < ncols && strcmp(cols[k]->label, cs->label) != 0; k++)
        ;
      if (k == ncols)
        cols[ncols++] = cs;
    }
  r->has_selftest = 1;
  r->selftest_ok = 1;
  for (size_t d = 0; d < m->ndefects; d++) {
    const lg_defect_t *df = &m->defects[d];
    if (!lg_in(defects, ndefects, df->fault))
      continue;
    for (size_t k = 0; k < ncols; k++) {
      int designated = 0;
      for (size_t c = 0; c < df->ncells; c++)
        designated |= strcmp(df->cells[c].label, cols[k]->label) == 0;
      lg_run_t *run = lg_find(r, df->scenario, cols[k]->variant, df->fault);
      if (!designated && !run)
        continue;
      r->cells = lg_xrealloc(r->cells, (r->ncells + 1) * sizeof *r->cells);
      lg_cell_t *cell = &r->cells[r->ncells++];
      memset(cell, 0, sizeof *cell);
      cell->defect = lg_xstrdup(df->fault);
      cell->column = lg_xstrdup(cols[k]->label);
      cell->variant = lg_xstrdup(cols[k]->variant);
      cell->metric = lg_xstrdup(cols[k]->metric);
      cell->designated = designated;
      cell->seconds = NAN;
      if (run) {
        lg_cell_judge(cell, run);
      } else {
        cell->status = LG_C_MISSED;
        cell->evidence = lg_xstrdup("not run");
      }
      if (designated && cell->status != LG_C_CAUGHT)
        r->selftest_ok = 0;
    }
  }
  free(cols);
  /* A planted-defect run did its job when every designated cell using it
   * caught the defect; clean runs must pass as usual. */
  for (size_t i = 0; i < r->nruns; i++) {
    lg_run_t *run = &r->runs[i];
    if (!run->fault) {
      if (!run->ok)
        r->selftest_ok = 0;
      continue;
    }
    if (run->verdict == LG_V_INFRA)
      continue;
    int ok = 1;
    for (size_t c = 0; c < r->ncells; c++)
      if (r->cells[c].designated &&
          strcmp(r->cells[c].defect, run->fault) == 0 &&
          strcmp(r->cells[c].variant, run->variant) == 0)
        ok &= r->cells[c].status == LG_C_CAUGHT;
    run->ok = ok;
  }
}

int lg_selftest_run(const lg_manifest_t *m, const lg_run_opts_t *o,
                    char **variants, size_t nvariants, char **defects,
                    size_t ndefects, lg_results_t *r) {
  size_t n;
  lg_job_t *jobs =
      lg_selftest_plan(m, variants, nvariants, defects, ndefects, r, &n);
  int rc = lg_runner_run(m, jobs, n, o);
  free(jobs);
  lg_selftest_judge(m, variants, nvariants, defects, ndefects, r);
  return rc;
}
