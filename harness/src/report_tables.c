/* The tables of the report, each built once from the result model for every
 * writer (report_table.h): which rows, which columns, what each cell says.
 * Where summary.md spells a figure differently from report.html (its unit
 * per iteration, a mark), the cell carries both spellings. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "report.h"
#include "report_table.h"

#define LG_NCOLS(a) (sizeof(a) / sizeof((a)[0]))

const char *lg_run_class(const lg_run_t *run) {
  return run->ok ? "PASS" : run->verdict == LG_V_INFRA ? "INFRA" : "FAIL";
}

char *lg_run_anchor(size_t idx) {
  return lg_fmt("run-%zu", idx);
}

static const lg_tcol_t lg_runs_cols[] = {
    {.head = "", .formats = LG_TF_MD},
    {.head = "scenario", .formats = LG_TF_DOCS, .md_max = 80},
    {.head = "variant", .formats = LG_TF_DOCS, .md_max = 40},
    {.head = "verdict", .formats = LG_TF_DOCS},
    {.head = "expected", .formats = LG_TF_DOCS, .md_max = 40},
    {.head = "primary metric", .formats = LG_TF_MD, .md_max = 60},
    {.head = "slope", .formats = LG_TF_MD, .md_note_max = 80},
    {.head = "primary slope",
     .formats = LG_TF_HTML,
     .cls = "num",
     .note_br = 1},
    {.head = "threshold", .formats = LG_TF_DOCS, .cls = "num"},
    {.head = "min detectable", .formats = LG_TF_DOCS, .cls = "num"},
    {.head = "time", .formats = LG_TF_DOCS, .cls = "num", .md_right = 1},
    {.head = "evidence", .formats = LG_TF_DOCS, .cls = "ev", .md_max = 160},
};

static void lg_runs_row(lg_table_t *t, const lg_run_t *run, size_t idx) {
  lg_metric_t *pm = run->primary ? lg_run_metric(run, run->primary) : NULL;
  char *slope = lg_fmt_slope(pm), *nj = lg_metric_not_judged(run, pm);
  const char *u = pm ? lg_metric_unit(pm->name) : "";
  const char *us = *u ? u : "units";
  lg_tcell_t *c = lg_table_row(t);
  c[0].text = lg_xstrdup(run->ok ? "✅" : "❌");
  c[1].text = lg_run_label(run);
  c[1].link = lg_run_anchor(idx);
  c[2].text = lg_xstrdup(run->variant);
  c[3].text = lg_xstrdup(lg_run_status(run));
  c[3].cls = lg_run_class(run);
  c[3].md = lg_fmt("**%s**", lg_run_status(run));
  c[4].text = lg_xstrdup(run->expected ? run->expected : "pass");
  c[5].text = lg_xstrdup(pm ? pm->name : "-");
  c[6].text = lg_xstrdup(slope);
  c[7].text = pm ? lg_fmt("%s %s", pm->name, slope) : lg_xstrdup(slope);
  if (pm && nj) {
    c[6].note = lg_xstrdup(nj);
    c[7].note = lg_xstrdup(nj);
  }
  if (pm && isfinite(pm->threshold)) {
    c[8].text = lg_fmt_value(pm->threshold, u);
    c[8].md = lg_fmt("%g %s/it", pm->threshold, us);
  } else {
    c[8].text = lg_xstrdup("-");
  }
  c[9].text = lg_fmt_value(run->min_detectable, u);
  c[9].md = isfinite(run->min_detectable)
                ? lg_fmt("%.3g %s/it", run->min_detectable, us)
                : lg_xstrdup("-");
  c[10].text = lg_fmt("%.1fs", isfinite(run->wall_s) ? run->wall_s : 0);
  c[11].text = lg_xstrdup(run->evidence);
  free(slope);
  free(nj);
}

static void lg_table_runs(lg_table_t *t, const lg_results_t *r, int failing) {
  lg_table_init(t, lg_runs_cols, LG_NCOLS(lg_runs_cols));
  t->note_pre = "not judged: ";
  for (size_t i = 0; i < r->nruns; i++)
    if ((r->runs[i].ok == 0) == failing)
      lg_runs_row(t, &r->runs[i], i);
}

void lg_table_failing(lg_table_t *t, const lg_results_t *r) {
  lg_table_runs(t, r, 1);
}

void lg_table_passing(lg_table_t *t, const lg_results_t *r) {
  lg_table_runs(t, r, 0);
}

/* Appends name to the first-appearance list of a hash map (a jansson
 * object: linear in the names) and returns its index. Keys are set with
 * _nocheck: a model built in memory may hold names that are not valid
 * UTF-8, which json_object_set would refuse. */
static size_t lg_index_of(json_t *map, const char *name, size_t *n) {
  json_t *k = json_object_get(map, name);
  if (k)
    return (size_t)json_integer_value(k);
  json_object_set_new_nocheck(map, name, json_integer((json_int_t)*n));
  return (*n)++;
}

void lg_table_glance(lg_table_t *t, const lg_results_t *r) {
  json_t *rowmap = json_object(), *colmap = json_object();
  char **rows = lg_xcalloc(r->nruns + 1, sizeof *rows);
  lg_tcol_t *cols = lg_xcalloc(r->nruns + 2, sizeof *cols);
  size_t *rowof = lg_xcalloc(r->nruns + 1, sizeof *rowof);
  size_t *colof = lg_xcalloc(r->nruns + 1, sizeof *colof);
  size_t nrows = 0, ncols = 0;
  for (size_t i = 0; i < r->nruns; i++) {
    char *label = lg_run_label(&r->runs[i]);
    size_t n = nrows;
    rowof[i] = lg_index_of(rowmap, label, &nrows);
    if (nrows > n)
      rows[n] = label;
    else
      free(label);
    n = ncols;
    colof[i] = lg_index_of(colmap, r->runs[i].variant, &ncols);
    if (ncols > n)
      cols[n + 1] = (lg_tcol_t){.head = lg_xstrdup(r->runs[i].variant),
                                .own_head = 1,
                                .formats = LG_TF_HTML};
  }
  cols[0] = (lg_tcol_t){.head = "scenario", .formats = LG_TF_HTML};
  lg_table_init(t, cols, ncols + 1);
  /* run index + 1 per cell, 0 for none; the first run of a cell wins. */
  size_t *cell = lg_xcalloc(nrows * ncols + 1, sizeof *cell);
  for (size_t i = r->nruns; i-- > 0;)
    cell[rowof[i] * ncols + colof[i]] = i + 1;
  for (size_t k = 0; k < nrows; k++) {
    lg_tcell_t *c = lg_table_row(t);
    c[0].text = rows[k];
    for (size_t v = 0; v < ncols; v++) {
      size_t i = cell[k * ncols + v];
      if (i == 0) {
        c[v + 1].text = lg_xstrdup("-");
        c[v + 1].cls = "muted";
        continue;
      }
      i--;
      c[v + 1].text = lg_xstrdup(lg_run_status(&r->runs[i]));
      c[v + 1].cls = lg_run_class(&r->runs[i]);
      c[v + 1].link = lg_run_anchor(i);
    }
  }
  free(rows);
  free(cols);
  free(rowof);
  free(colof);
  free(cell);
  json_decref(rowmap);
  json_decref(colmap);
}

static const lg_tcol_t lg_noise_cols[] = {
    {.head = "variant", .formats = LG_TF_DOCS, .md_max = 40},
    {.head = "lang", .formats = LG_TF_DOCS, .md_max = 10},
    {.head = "metric", .formats = LG_TF_DOCS, .md_max = 60},
    {.head = "noise sd",
     .md_head = "noise (robust sd)",
     .formats = LG_TF_DOCS,
     .cls = "num",
     .md_right = 1},
    {.head = "slope 95% bound /it",
     .md_head = "slope 95% bound",
     .formats = LG_TF_DOCS,
     .cls = "num",
     .md_right = 1},
};

void lg_table_noise(lg_table_t *t, const lg_results_t *r) {
  lg_table_init(t, lg_noise_cols, LG_NCOLS(lg_noise_cols));
  for (size_t i = 0; i < r->nnoise; i++) {
    const lg_noise_t *n = &r->noise[i];
    const char *u = lg_metric_unit(n->metric);
    lg_tcell_t *c = lg_table_row(t);
    c[0].text = lg_xstrdup(n->variant);
    c[1].text = lg_xstrdup(n->lang ? n->lang : "");
    c[2].text = lg_xstrdup(n->metric);
    c[3].text = lg_fmt_value(n->sd, u);
    c[4].text = lg_fmt_value(n->slope, u);
    c[4].md = lg_fmt("%.3g %s/it", n->slope, *u ? u : "units");
  }
}

void lg_table_matrix(lg_table_t *t, const lg_results_t *r) {
  lg_matrix_t mx;
  lg_selftest_matrix(r, &mx);
  lg_tcol_t *cols = lg_xcalloc(mx.ncols + 1, sizeof *cols);
  cols[0] = (lg_tcol_t){.head = "planted defect (EVS_FAULT)",
                        .md_head = "planted defect",
                        .formats = LG_TF_DOCS,
                        .th = 1,
                        .md_max = 60};
  for (size_t k = 0; k < mx.ncols; k++)
    cols[k + 1] = (lg_tcol_t){.head = lg_xstrdup(mx.cols[k]),
                              .own_head = 1,
                              .formats = LG_TF_DOCS,
                              .md_max = 40};
  lg_table_init(t, cols, mx.ncols + 1);
  free(cols);
  for (size_t w = 0; w < mx.nrows; w++) {
    lg_tcell_t *c = lg_table_row(t);
    c[0].text = lg_xstrdup(mx.rows[w]);
    for (size_t k = 0; k < mx.ncols; k++) {
      size_t ci = mx.cell[w * mx.ncols + k];
      const lg_cell_t *cell = ci ? &r->cells[ci - 1] : NULL;
      lg_tcell_t *tc = &c[k + 1];
      if (!cell) {
        tc->text = lg_xstrdup("n/a");
        tc->cls = "na";
        continue;
      }
      int caught = cell->status == LG_C_CAUGHT;
      int missed = cell->status == LG_C_MISSED;
      tc->cls = caught ? "caught" : missed ? "missed" : "na";
      tc->title = lg_xstrdup(cell->evidence ? cell->evidence : "");
      tc->text = lg_xstrdup(lg_cell_status_name(cell->status));
      double secs = isfinite(cell->seconds) ? cell->seconds : 0;
      tc->note = lg_fmt("%.1fs", secs);
      if (caught || missed)
        tc->md = lg_fmt("%s %s (%.1fs)", caught ? "✅" : "❌",
                        lg_cell_status_name(cell->status), secs);
    }
  }
  lg_matrix_free(&mx);
}

/* Defect, column and scenario names come from the manifest: made safe for
 * the terminal like the evidence. */
static const lg_tcol_t lg_cells_cols[] = {
    {.formats = LG_TF_TERM, .term = "%-24s", .term_safe = 1},
    {.formats = LG_TF_TERM, .term = "%-24s", .term_safe = 1},
    {.formats = LG_TF_TERM, .term = "%-18s"},
    {.formats = LG_TF_TERM, .term = "%6.1fs", .term_num = 1},
    {.formats = LG_TF_TERM, .term = " %.160s", .term_safe = 1},
};

void lg_table_cells(lg_table_t *t, const lg_results_t *r) {
  lg_table_init(t, lg_cells_cols, LG_NCOLS(lg_cells_cols));
  for (size_t i = 0; i < r->ncells; i++) {
    const lg_cell_t *cell = &r->cells[i];
    lg_tcell_t *c = lg_table_row(t);
    c[0].text = lg_xstrdup(cell->defect);
    c[1].text = lg_xstrdup(cell->column);
    c[2].text = lg_xstrdup(lg_cell_status_name(cell->status));
    c[3].num = isfinite(cell->seconds) ? cell->seconds : 0.0;
    c[4].text = lg_xstrdup(cell->evidence);
  }
  for (size_t i = 0; i < r->nruns; i++) {
    const lg_run_t *run = &r->runs[i];
    if (run->fault)
      continue;
    lg_tcell_t *c = lg_table_row(t);
    c[0].text = lg_xstrdup(run->scenario);
    c[1].text = lg_xstrdup(run->variant);
    c[2].text = lg_xstrdup(run->ok ? "clean: pass" : "FALSE POSITIVE");
    c[3].num = isfinite(run->wall_s) ? run->wall_s : 0.0;
    c[4].text = lg_xstrdup(run->evidence);
  }
}

/* The gate's columns are in the terminal's lines too: text made safe for
 * it, figures in its own format. */
#define LG_GATE_TEXT(h, max, fmt)                                              \
  {                                                                            \
    .head = h, .formats = LG_TF_DOCS | LG_TF_TERM, .md_max = max, .term = fmt, \
    .term_safe = 1                                                             \
  }
#define LG_GATE_NUM(h, fmt)                                                    \
  {                                                                            \
    .head = h, .formats = LG_TF_DOCS | LG_TF_TERM, .cls = "num",               \
    .md_right = 1, .term = fmt, .term_num = 1                                  \
  }
static const lg_tcol_t lg_gate_cols[] = {
    {.formats = LG_TF_TERM, .term = "%-13s"},
    LG_GATE_TEXT("scenario", 80, "%-28s"),
    LG_GATE_TEXT("variant", 40, "%-9s"),
    LG_GATE_TEXT("what", 60, "%-24s"),
    LG_GATE_NUM("baseline", "base %-10.4g"),
    LG_GATE_NUM("current", "now %-10.4g"),
    LG_GATE_NUM("tolerance", "tol %-8.3g"),
    {.head = "status", .formats = LG_TF_DOCS},
    LG_GATE_TEXT("note", 160, "%s"),
};
#undef LG_GATE_TEXT
#undef LG_GATE_NUM

static void lg_table_gate_rows(lg_table_t *t, const lg_results_t *r,
                               int changed_only) {
  lg_table_init(t, lg_gate_cols, LG_NCOLS(lg_gate_cols));
  for (size_t i = 0; i < r->ngate; i++) {
    const lg_gate_row_t *g = &r->gate[i];
    if (changed_only && g->status == LG_G_OK)
      continue;
    const char *u = g->what ? lg_metric_unit(g->what) : "";
    const char *st = lg_gate_status_name(g->status);
    lg_tcell_t *c = lg_table_row(t);
    c[0].text = lg_xstrdup(st);
    c[1].text = lg_xstrdup(g->scenario);
    c[2].text = lg_xstrdup(g->variant);
    c[3].text = lg_xstrdup(g->what);
    c[4].text = lg_fmt_value(g->baseline, u);
    c[4].num = g->baseline;
    c[5].text = lg_fmt_value(g->current, u);
    c[5].num = g->current;
    c[6].text = lg_fmt_value(g->tolerance, u);
    c[6].num = g->tolerance;
    c[7].text = lg_xstrdup(st);
    c[7].cls = g->status == LG_G_REGRESSION || g->status == LG_G_STILL_FAILING
                   ? "FAIL"
               : g->status == LG_G_IMPROVEMENT ? "PASS"
                                               : "";
    c[7].md = lg_fmt("%s%s", g->status == LG_G_REGRESSION ? "❌ " : "", st);
    c[8].text = lg_xstrdup(g->note);
  }
}

void lg_table_gate(lg_table_t *t, const lg_results_t *r) {
  lg_table_gate_rows(t, r, 0);
}

void lg_table_gate_changes(lg_table_t *t, const lg_results_t *r) {
  lg_table_gate_rows(t, r, 1);
}

static const lg_tcol_t lg_supps_cols[] = {
    {.head = "variant", .formats = LG_TF_DOCS, .md_max = 40},
    {.head = "file", .formats = LG_TF_DOCS, .md_max = 120},
    {.head = "entry", .formats = LG_TF_DOCS, .md_max = 120},
    {.head = "matches", .formats = LG_TF_DOCS, .cls = "num", .md_right = 1},
};

void lg_table_supps(lg_table_t *t, const lg_results_t *r) {
  lg_table_init(t, lg_supps_cols, LG_NCOLS(lg_supps_cols));
  for (size_t i = 0; i < r->nsupp_uses; i++) {
    const lg_supp_use_t *s = &r->supp_uses[i];
    lg_tcell_t *c = lg_table_row(t);
    c[0].text = lg_xstrdup(s->variant);
    c[1].text = lg_xstrdup(s->file);
    c[2].text = lg_xstrdup(s->name);
    c[3].text = lg_fmt("%ld%s", s->uses, s->uses ? "" : " (never)");
    c[3].md =
        lg_fmt("%ld%s", s->uses, s->uses ? "" : " (never matched in this run)");
  }
}

static const lg_tcol_t lg_bench_cols[] = {
    {.head = "suite", .formats = LG_TF_DOCS, .md_max = 20},
    {.head = "benchmark", .formats = LG_TF_DOCS, .md_max = 120},
    {.head = "items/s", .formats = LG_TF_DOCS, .cls = "num", .md_right = 1},
    {.head = "bytes/s", .formats = LG_TF_DOCS, .cls = "num", .md_right = 1},
};

void lg_table_bench(lg_table_t *t, const lg_results_t *r) {
  lg_table_init(t, lg_bench_cols, LG_NCOLS(lg_bench_cols));
  for (size_t i = 0; i < r->nbench_rows; i++) {
    const lg_bench_row_t *row = &r->bench_rows[i];
    lg_tcell_t *c = lg_table_row(t);
    c[0].text = lg_xstrdup(row->suite);
    c[1].text = lg_xstrdup(row->name);
    c[2].text = lg_fmt_value(row->items_per_s, "");
    c[3].text = lg_fmt_value(row->bytes_per_s, "B");
  }
}
