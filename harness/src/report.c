/* Writes all report files (see report.h). */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "text.h"
#include "util.h"

const char *lg_run_status(const lg_run_t *run) {
  /* A negative control passes by being caught: say what was caught, so that
   * "forgotten-unsubscribe PASS" is not read as "no leak". */
  static const char *const caught[LG_V__COUNT] = {
      [LG_V_LEAK] = "PASS (LEAK expected)",
      [LG_V_ERROR] = "PASS (ERROR expected)",
      [LG_V_RACE] = "PASS (RACE expected)",
      [LG_V_CRASH] = "PASS (CRASH expected)",
      [LG_V_TIMEOUT] = "PASS (TIMEOUT expected)",
      [LG_V_RESOURCE] = "PASS (RESOURCE expected)",
  };
  if (run->verdict == LG_V_PASS && (unsigned)run->detected < LG_V__COUNT &&
      caught[run->detected])
    return caught[run->detected];
  return lg_verdict_name(run->verdict);
}

char *lg_run_label(const lg_run_t *run) {
  return run->fault ? lg_fmt("%s@%s", run->scenario, run->fault)
                    : lg_xstrdup(run->scenario);
}

char *lg_fmt_slope(const lg_metric_t *m) {
  if (!m || !m->fitted || !isfinite(m->trend.slope))
    return lg_xstrdup("n/a");
  const char *u = lg_metric_unit(m->name);
  return lg_fmt("%+.3g %s/it", m->trend.slope, *u ? u : "units");
}

void lg_selftest_matrix(const lg_results_t *r, lg_matrix_t *m) {
  /* Keys are set with _nocheck: a model built in memory may hold names that
   * are not valid UTF-8, which json_object_set would refuse. */
  memset(m, 0, sizeof *m);
  json_t *rowmap = json_object(), *colmap = json_object();
  size_t *rowof = lg_xcalloc(r->ncells + 1, sizeof *rowof);
  size_t *colof = lg_xcalloc(r->ncells + 1, sizeof *colof);
  m->rows = lg_xcalloc(r->ncells + 1, sizeof *m->rows);
  m->cols = lg_xcalloc(r->ncells + 1, sizeof *m->cols);
  for (size_t i = 0; i < r->ncells; i++) {
    const char *d = r->cells[i].defect ? r->cells[i].defect : "?";
    const char *c = r->cells[i].column ? r->cells[i].column : "?";
    json_t *k = json_object_get(rowmap, d);
    if (!k) {
      k = json_integer((json_int_t)m->nrows);
      json_object_set_new_nocheck(rowmap, d, k);
      m->rows[m->nrows++] = d;
    }
    rowof[i] = (size_t)json_integer_value(k);
    k = json_object_get(colmap, c);
    if (!k) {
      k = json_integer((json_int_t)m->ncols);
      json_object_set_new_nocheck(colmap, c, k);
      m->cols[m->ncols++] = c;
    }
    colof[i] = (size_t)json_integer_value(k);
  }
  m->cell = lg_xcalloc(m->nrows * m->ncols + 1, sizeof *m->cell);
  for (size_t i = 0; i < r->ncells; i++)
    m->cell[rowof[i] * m->ncols + colof[i]] = i + 1;
  free(rowof);
  free(colof);
  json_decref(rowmap);
  json_decref(colmap);
}

void lg_matrix_free(lg_matrix_t *m) {
  free(m->rows);
  free(m->cols);
  free(m->cell);
  memset(m, 0, sizeof *m);
}

int lg_write_reports(const lg_results_t *r, const char *dir, char **err) {
  if (lg_mkdirs(dir) != 0) {
    *err = lg_fmt("cannot create %s: %s", dir, strerror(errno));
    return -1;
  }
  char *path = lg_path_join(dir, "results.json");
  if (lg_results_save(r, path) != 0) {
    *err = lg_fmt("cannot write %s: %s", path, strerror(errno));
    free(path);
    return -1;
  }
  /* Render from results.json as written, so that 'leakgate report' later
   * produces byte-identical files and no writer sees more than the file. */
  lg_results_t saved;
  char *lerr = NULL;
  if (lg_results_load(path, &saved, &lerr) != 0) {
    *err = lerr;
    free(path);
    return -1;
  }
  free(path);
  int rc = lg_render_reports(&saved, dir, err);
  lg_results_free(&saved);
  return rc;
}

int lg_render_reports(const lg_results_t *r, const char *dir, char **err) {
  if (lg_mkdirs(dir) != 0) {
    *err = lg_fmt("cannot create %s: %s", dir, strerror(errno));
    return -1;
  }
  struct {
    const char *name;
    char *(*render)(const lg_results_t *);
  } w[] = {{"junit.xml", lg_render_junit},
           {"summary.md", lg_render_markdown},
           {"report.html", lg_render_html}};
  for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
    char *text = w[i].render(r);
    char *path = lg_path_join(dir, w[i].name);
    int rc = lg_write_file(path, text, strlen(text));
    free(text);
    if (rc != 0) {
      *err = lg_fmt("cannot write %s: %s", path, strerror(errno));
      free(path);
      return -1;
    }
    free(path);
  }
  return 0;
}

char *lg_metric_not_judged(const lg_run_t *run, const lg_metric_t *m) {
  if (!m)
    return NULL;
  if (m->not_judged)
    return lg_xstrdup(m->not_judged);
  if (!run->slopes_judged)
    return lg_fmt("this variant judges no slopes for %s runs",
                  run->lang ? run->lang : "these");
  if (!m->fitted)
    return lg_xstrdup("not fitted: too few samples after warm-up");
  if (!isfinite(m->threshold))
    return lg_xstrdup("no threshold");
  return NULL;
}

/* Appends ", " between list items and at most `shown` items, then the
 * count of the rest. */
static void lg_list_item(lg_buf_t *b, size_t idx, size_t total, size_t shown,
                         const char *item) {
  if (idx >= shown) {
    if (idx == shown)
      lg_buf_addf(b, ", +%zu more", total - shown);
    return;
  }
  if (idx)
    lg_buf_add(b, ", ");
  lg_text_trunc(b, item, 80);
}

/* The timed runs of r grouped by variant (by_scenario 0) or scenario: each
 * group's name (borrowed from r), summed wall time, run count, longest run
 * and first run, largest total first (ties: first appearance). Sorting, not
 * a search per run: a results file may hold tens of thousands of runs and
 * scenarios. */
typedef struct lg_time_group_s {
  const char *name;
  double total;
  size_t count, longest, first;
} lg_time_group_t;

typedef struct lg_time_key_s {
  const char *name;
  size_t run;
} lg_time_key_t;

static int lg_cmp_time_key(const void *a, const void *b) {
  const lg_time_key_t *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  return c ? c : (x->run > y->run) - (x->run < y->run);
}

static int lg_cmp_time_group(const void *a, const void *b) {
  const lg_time_group_t *x = a, *y = b;
  if (x->total != y->total)
    return x->total < y->total ? 1 : -1;
  return (x->first > y->first) - (x->first < y->first);
}

static size_t lg_time_groups(const lg_results_t *r, int by_scenario,
                             lg_time_group_t **out, double *all) {
  lg_time_key_t *keys = lg_xcalloc(r->nruns + 1, sizeof *keys);
  size_t nk = 0;
  for (size_t i = 0; i < r->nruns; i++) {
    const lg_run_t *run = &r->runs[i];
    const char *key = by_scenario ? run->scenario : run->variant;
    if (key && isfinite(run->wall_s) && run->wall_s >= 0)
      keys[nk++] = (lg_time_key_t){key, i};
  }
  qsort(keys, nk, sizeof *keys, lg_cmp_time_key);
  lg_time_group_t *g = lg_xcalloc(nk + 1, sizeof *g);
  size_t ng = 0;
  *all = 0;
  for (size_t k = 0; k < nk; k++) {
    size_t i = keys[k].run;
    double w = r->runs[i].wall_s;
    if (k == 0 || strcmp(keys[k - 1].name, keys[k].name) != 0)
      g[ng++] =
          (lg_time_group_t){.name = keys[k].name, .longest = i, .first = i};
    lg_time_group_t *cur = &g[ng - 1];
    cur->total += w;
    cur->count++;
    if (w > r->runs[cur->longest].wall_s)
      cur->longest = i;
    *all += w;
  }
  free(keys);
  qsort(g, ng, sizeof *g, lg_cmp_time_group);
  *out = g;
  return ng;
}

char *lg_time_line(const lg_results_t *r) {
  lg_time_group_t *g;
  double all;
  size_t ng = lg_time_groups(r, 0, &g, &all), timed = 0;
  for (size_t v = 0; v < ng; v++)
    timed += g[v].count;
  char *out = NULL;
  if (timed) {
    lg_buf_t b = {0};
    lg_buf_addf(
        &b,
        "Time in runs (summed; parallel runs overlap): %.0f s over %zu runs",
        all, timed);
    for (size_t v = 0; v < ng; v++) {
      char *label = lg_run_label(&r->runs[g[v].longest]);
      lg_buf_addf(&b, "%s %s %.0f s (%zu run%s, longest ", v ? "," : " -",
                  g[v].name, g[v].total, g[v].count,
                  g[v].count == 1 ? "" : "s");
      lg_text_trunc(&b, label, 60);
      lg_buf_addf(&b, " %.1f s)", r->runs[g[v].longest].wall_s);
      free(label);
    }
    out = lg_buf_take(&b);
  }
  free(g);
  return out;
}

char *lg_control_names(const lg_results_t *r) {
  const char *c = r->control && *r->control ? r->control : "?";
  lg_buf_t b = {0};
  for (; *c; c++) {
    if (*c == ',')
      lg_buf_add(&b, ", ");
    else
      lg_buf_addc(&b, *c);
  }
  return lg_buf_take(&b);
}

char *lg_time_scenarios(const lg_results_t *r) {
  lg_time_group_t *g;
  double all;
  size_t ng = lg_time_groups(r, 1, &g, &all);
  char *out = NULL;
  if (ng) {
    lg_buf_t b = {0};
    lg_buf_add(&b, "Scenarios by time (summed over their runs):");
    for (size_t v = 0; v < ng && v < LG_TIME_SCENARIOS; v++) {
      lg_buf_add(&b, v ? ", " : " ");
      lg_text_trunc(&b, g[v].name, 60);
      lg_buf_addf(&b, " %.1f s (%zu run%s)", g[v].total, g[v].count,
                  g[v].count == 1 ? "" : "s");
    }
    if (ng > LG_TIME_SCENARIOS)
      lg_buf_addf(&b, ", %zu more scenarios", ng - LG_TIME_SCENARIOS);
    out = lg_buf_take(&b);
  }
  free(g);
  return out;
}

char *lg_headline(const lg_results_t *r) {
  static const lg_verdict_t order[] = {
      LG_V_INFRA, LG_V_TIMEOUT,  LG_V_ERROR,  LG_V_RACE,
      LG_V_CRASH, LG_V_LEAK,     LG_V_RESOURCE, LG_V_MISSED,
      LG_V_PASS /* a run not ok with verdict PASS: only in a hand-made file */};
  lg_buf_t b = {0};
  const char *word = r->exit_code == 0   ? "PASS"
                     : r->exit_code == 3 ? "INFRA"
                     : r->exit_code == 2 ? "ERROR"
                                         : "FAIL";
  lg_buf_add(&b, word);
  size_t nfail = 0, first_fail = r->nruns;
  for (size_t i = 0; i < r->nruns; i++)
    if (!r->runs[i].ok && nfail++ == 0)
      first_fail = i;
  size_t nreg = 0;
  for (size_t i = 0; i < r->ngate; i++)
    nreg += r->gate[i].status == LG_G_REGRESSION;
  size_t designated = 0, missed = 0;
  for (size_t i = 0; i < r->ncells; i++) {
    designated += r->cells[i].designated;
    missed += r->cells[i].designated && r->cells[i].status != LG_C_CAUGHT;
  }
  int causes = 0;
  /* Gate regressions first: on CI the gate is what decides. */
  if (nreg) {
    lg_buf_addf(&b, "%s%zu gate regression%s — ", causes++ ? "; " : ": ", nreg,
                nreg == 1 ? "" : "s");
    size_t k = 0;
    for (size_t i = 0; i < r->ngate; i++) {
      const lg_gate_row_t *g = &r->gate[i];
      if (g->status != LG_G_REGRESSION)
        continue;
      char *item = nreg == 1 && g->note
                       ? lg_fmt("%s/%s %s: %s", g->scenario, g->variant,
                                g->what, g->note)
                       : lg_fmt("%s/%s %s", g->scenario, g->variant, g->what);
      lg_list_item(&b, k++, nreg, 3, item);
      free(item);
    }
  } else if (r->has_gate && !r->gate_ok) {
    lg_buf_addf(&b, "%sgate failed against %s", causes++ ? "; " : ": ",
                r->gate_baseline ? r->gate_baseline : "the baseline");
  }
  for (size_t o = 0; o < sizeof order / sizeof order[0]; o++) {
    size_t n = 0;
    for (size_t i = 0; i < r->nruns; i++)
      n += !r->runs[i].ok && r->runs[i].verdict == order[o];
    if (!n)
      continue;
    lg_buf_addf(&b, "%s%zu run%s %s — ", causes++ ? "; " : ": ", n,
                n == 1 ? "" : "s", lg_verdict_name(order[o]));
    size_t k = 0;
    for (size_t i = 0; i < r->nruns; i++) {
      const lg_run_t *run = &r->runs[i];
      if (run->ok || run->verdict != order[o])
        continue;
      char *label = lg_run_label(run);
      char *item = lg_fmt("%s/%s", label, run->variant);
      lg_list_item(&b, k++, n, 3, item);
      free(item);
      free(label);
    }
  }
  /* The one failing run's evidence says why, when it fits on the line. */
  if (nfail == 1 && r->runs[first_fail].evidence) {
    const char *ev = r->runs[first_fail].evidence;
    size_t len = strcspn(ev, "\n");
    char *first = lg_xstrndup(ev, len);
    lg_buf_add(&b, ": ");
    lg_text_trunc(&b, first, 160);
    free(first);
  }
  if (missed) {
    lg_buf_addf(&b, "%sselftest %zu/%zu designated cells missed — ",
                causes++ ? "; " : ": ", missed, designated);
    size_t k = 0;
    for (size_t i = 0; i < r->ncells; i++) {
      const lg_cell_t *c = &r->cells[i];
      if (!c->designated || c->status == LG_C_CAUGHT)
        continue;
      char *item = lg_fmt("%s/%s", c->defect, c->column);
      lg_list_item(&b, k++, missed, 3, item);
      free(item);
    }
  } else if (r->has_selftest && !r->selftest_ok && !nfail) {
    lg_buf_addf(&b, "%sselftest failed", causes++ ? "; " : ": ");
  }
  if (!causes) {
    /* Nothing in the model explains a failing exit code (or it passed):
     * the counts. */
    lg_buf_addf(&b, " — %zu run%s", r->nruns, r->nruns == 1 ? "" : "s");
    if (r->has_gate) {
      size_t imp = 0;
      for (size_t i = 0; i < r->ngate; i++)
        imp += r->gate[i].status == LG_G_IMPROVEMENT;
      lg_buf_addf(&b, ", gate 0 regressions");
      if (imp)
        lg_buf_addf(&b, " (%zu improvement%s)", imp, imp == 1 ? "" : "s");
    }
    if (r->has_selftest)
      lg_buf_addf(&b, ", selftest %zu/%zu caught", designated - missed,
                  designated);
  }
  char *raw = lg_buf_take(&b);
  char *safe = lg_text_terminal(raw, 0);
  free(raw);
  return safe;
}
