/* summary.md: a verdict table fit for a CI step summary, then failures,
 * findings, noise floors, the selftest matrix, the gate and bench figures. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "heapsnap.h"
#include "report.h"
#include "text.h"
#include "util.h"

/* Every string from the model goes through lg_text_md: it may come from
 * scenario output, and GitHub renders raw HTML and table syntax in it. */
#define M(b, s, max) lg_text_md((b), (s), (max))

static void lg_md_value(lg_buf_t *b, double v, const char *unit) {
  char *s = lg_fmt_value(v, unit);
  lg_buf_add(b, s);
  free(s);
}

static void lg_md_run_row(lg_buf_t *b, const lg_run_t *run) {
  lg_metric_t *pm = run->primary ? lg_run_metric(run, run->primary) : NULL;
  char *label = lg_run_label(run), *slope = lg_fmt_slope(pm);
  char *nj = lg_metric_not_judged(run, pm);
  const char *u = pm ? lg_metric_unit(pm->name) : "";
  lg_buf_addf(b, "| %s | ", run->ok ? "✅" : "❌");
  M(b, label, 80);
  lg_buf_add(b, " | ");
  M(b, run->variant, 40);
  lg_buf_addf(b, " | **%s** | ", lg_run_status(run));
  M(b, run->expected ? run->expected : "pass", 40);
  lg_buf_add(b, " | ");
  M(b, pm ? pm->name : "-", 60);
  lg_buf_addf(b, " | %s", slope);
  if (pm && nj) {
    lg_buf_add(b, " (not judged: ");
    M(b, nj, 80);
    lg_buf_add(b, ")");
  }
  lg_buf_add(b, " | ");
  if (pm && isfinite(pm->threshold))
    lg_buf_addf(b, "%g %s/it", pm->threshold, *u ? u : "units");
  else
    lg_buf_add(b, "-");
  lg_buf_add(b, " | ");
  if (isfinite(run->min_detectable))
    lg_buf_addf(b, "%.3g %s/it", run->min_detectable, *u ? u : "units");
  else
    lg_buf_add(b, "-");
  lg_buf_addf(b, " | %.1fs | ", isfinite(run->wall_s) ? run->wall_s : 0);
  M(b, run->evidence, 160);
  lg_buf_add(b, " |\n");
  free(label);
  free(slope);
  free(nj);
}

static const char lg_md_run_head[] =
    "| | scenario | variant | verdict | expected | primary metric | slope | "
    "threshold | min detectable | time | evidence |\n"
    "|---|---|---|---|---|---|---|---|---|---:|---|\n";

char *lg_render_markdown(const lg_results_t *r) {
  lg_buf_t b = {0};
  size_t failed = lg_results_failed(r), infra = lg_results_infra(r);
  /* The first line says why (GitHub shows it as the step summary's title). */
  char *head = lg_headline(r);
  lg_buf_add(&b, "# leakgate ");
  M(&b, head, 0);
  lg_buf_add(&b, "\n\n");
  free(head);
  lg_buf_addf(&b, "%zu runs, %zu failed, %zu infrastructure errors. Created ",
              r->nruns, failed, infra);
  M(&b, r->created ? r->created : "?", 40);
  if (r->shard) {
    lg_buf_add(&b, ", shard ");
    M(&b, r->shard, 20);
  }
  lg_buf_addf(&b, ". Exit code %d.\n\n", r->exit_code);
  char *times = lg_time_line(r);
  if (times) {
    M(&b, times, 0);
    lg_buf_add(&b, ".\n\n");
    free(times);
  }
  if (r->nruns) {
    /* Failing rows first; passing rows fold away. */
    size_t npass = 0;
    if (failed + infra) {
      lg_buf_add(&b, lg_md_run_head);
      for (size_t i = 0; i < r->nruns; i++)
        if (!r->runs[i].ok)
          lg_md_run_row(&b, &r->runs[i]);
      lg_buf_add(&b, "\n");
    }
    for (size_t i = 0; i < r->nruns; i++)
      npass += r->runs[i].ok;
    if (npass) {
      lg_buf_addf(&b, "<details><summary>%zu passing run%s</summary>\n\n%s",
                  npass, npass == 1 ? "" : "s", lg_md_run_head);
      for (size_t i = 0; i < r->nruns; i++)
        if (r->runs[i].ok)
          lg_md_run_row(&b, &r->runs[i]);
      lg_buf_add(&b, "\n</details>\n\n");
    }
  }

  int any = 0;
  for (size_t i = 0; i < r->nruns; i++) {
    const lg_run_t *run = &r->runs[i];
    if (run->ok)
      continue;
    if (!any++)
      lg_buf_add(&b, "## Failures\n\n");
    char *label = lg_run_label(run);
    lg_buf_add(&b, "### ");
    M(&b, label, 120);
    lg_buf_add(&b, " / ");
    M(&b, run->variant, 40);
    lg_buf_addf(&b, ": %s\n\n", lg_run_status(run));
    M(&b, run->evidence, 0);
    lg_buf_add(&b, "\n\n");
    if (run->command) {
      /* In a code block (the fence cannot be closed by the text), with the
       * run directory as a cd line: nothing of it is rendered as Markdown. */
      char *code =
          lg_fmt("cd %s\n%s", run->run_dir ? run->run_dir : ".", run->command);
      lg_buf_add(&b, "Reproduce:\n\n");
      lg_text_md_code(&b, code);
      lg_buf_add(&b, "\n");
      free(code);
    }
    free(label);
  }

  any = 0;
  size_t theirs = 0;
  for (size_t i = 0; i < r->nruns; i++) {
    const lg_run_t *run = &r->runs[i];
    for (size_t k = 0; k < run->nfindings; k++) {
      const lg_finding_t *f = &run->findings[k];
      if (!f->ours) {
        theirs++;
        continue;
      }
      if (!any++)
        lg_buf_add(&b, "## Findings in our code\n\n| scenario | variant | "
                       "detector | kind | bytes | blocks | first frame of ours "
                       "|\n|---|---|---|---|---:|---:|---|\n");
      char *label = lg_run_label(run);
      lg_buf_add(&b, "| ");
      M(&b, label, 80);
      lg_buf_add(&b, " | ");
      M(&b, run->variant, 40);
      lg_buf_add(&b, " | ");
      M(&b, f->detector, 40);
      lg_buf_add(&b, " | ");
      M(&b, f->kind, 60);
      lg_buf_add(&b, " | ");
      if (f->bytes >= 0)
        lg_buf_addf(&b, "%lld | %lld", f->bytes, f->blocks);
      else
        lg_buf_add(&b, "- | -");
      lg_buf_add(&b, " | ");
      M(&b, f->first_our_frame ? f->first_our_frame : "?", 100);
      lg_buf_add(&b, " |\n");
      free(label);
    }
  }
  if (any)
    lg_buf_add(&b, "\n");
  if (theirs)
    lg_buf_addf(&b,
                "%zu finding(s) outside our code (node, libc, third-party) are "
                "listed in report.html and do not fail.\n\n",
                theirs);

  /* The JS heap attributions (heapsnap.h): the table above cuts the
   * evidence, so each line is here in full, with the largest growers. */
  any = 0;
  for (size_t i = 0; i < r->nruns; i++) {
    const lg_run_t *run = &r->runs[i];
    if (!run->heap)
      continue;
    if (!any++)
      lg_buf_add(&b, "## JS heap attribution\n\n");
    const lg_heapattr_t *h = run->heap;
    double span = (double)(h->to - h->from);
    char *label = lg_run_label(run), *line = lg_heapattr_line(h);
    lg_buf_add(&b, "**");
    M(&b, label, 120);
    lg_buf_add(&b, " / ");
    M(&b, run->variant, 40);
    lg_buf_add(&b, "**: ");
    M(&b, line, 0);
    lg_buf_add(&b, "\n\n");
    free(label);
    free(line);
    if (!h->ngrowers || !(span > 0))
      continue;
    lg_buf_add(&b, "| grew | objects /it | self size /it | one retainer path "
                   "|\n|---|---:|---:|---|\n");
    for (size_t k = 0; k < h->ngrowers && k < LG_HEAPATTR_LINE_GROWERS + 2;
         k++) {
      const lg_grower_t *g = &h->growers[k];
      char *gl = lg_grower_label(g),
           *size = lg_heapsnap_bytes(g->size / span, 1),
           *path = lg_grower_path(g, LG_HEAPATTR_LINE_HOPS);
      lg_buf_add(&b, "| ");
      M(&b, gl, 160);
      lg_buf_addf(&b, " | %+.3g | ", g->count / span);
      M(&b, size, 40);
      lg_buf_add(&b, " | ");
      M(&b, *path ? path : "-", 0);
      lg_buf_add(&b, " |\n");
      free(gl);
      free(size);
      free(path);
    }
    lg_buf_add(&b, "\n");
  }

  if (r->nnoise) {
    lg_buf_add(&b, "## Noise floor (control: ");
    M(&b, r->control ? r->control : "?", 80);
    lg_buf_add(&b, ")\n\n| variant | lang | metric | noise (robust sd) | "
                   "slope 95% bound |\n|---|---|---|---:|---:|\n");
    for (size_t i = 0; i < r->nnoise; i++) {
      const char *u = lg_metric_unit(r->noise[i].metric);
      lg_buf_add(&b, "| ");
      M(&b, r->noise[i].variant, 40);
      lg_buf_add(&b, " | ");
      M(&b, r->noise[i].lang, 10);
      lg_buf_add(&b, " | ");
      M(&b, r->noise[i].metric, 60);
      lg_buf_add(&b, " | ");
      lg_md_value(&b, r->noise[i].sd, u);
      lg_buf_addf(&b, " | %.3g %s/it |\n", r->noise[i].slope, *u ? u : "units");
    }
    lg_buf_add(&b, "\n");
  }

  if (r->has_selftest) {
    lg_buf_addf(&b, "## Selftest: planted-defect matrix (%s)\n\n",
                r->selftest_ok ? "every designated detector caught its defect"
                               : "SOME DESIGNATED DETECTORS MISSED");
    lg_matrix_t mx;
    lg_selftest_matrix(r, &mx);
    const char **cols = mx.cols, **rows = mx.rows;
    size_t nc = mx.ncols, nr = mx.nrows;
    lg_buf_add(&b, "| planted defect |");
    for (size_t c = 0; c < nc; c++) {
      lg_buf_add(&b, " ");
      M(&b, cols[c], 40);
      lg_buf_add(&b, " |");
    }
    lg_buf_add(&b, "\n|---|");
    for (size_t c = 0; c < nc; c++)
      lg_buf_add(&b, "---|");
    lg_buf_add(&b, "\n");
    for (size_t w = 0; w < nr; w++) {
      lg_buf_add(&b, "| ");
      M(&b, rows[w], 60);
      lg_buf_add(&b, " |");
      for (size_t c = 0; c < nc; c++) {
        size_t ci = mx.cell[w * nc + c];
        const lg_cell_t *cell = ci ? &r->cells[ci - 1] : NULL;
        if (!cell)
          lg_buf_add(&b, " n/a |");
        else if (cell->status == LG_C_CAUGHT)
          lg_buf_addf(&b, " ✅ caught (%.1fs) |", cell->seconds);
        else if (cell->status == LG_C_MISSED)
          lg_buf_addf(&b, " ❌ missed (%.1fs) |", cell->seconds);
        else {
          lg_buf_add(&b, " ");
          M(&b, lg_cell_status_name(cell->status), 40);
          lg_buf_add(&b, " |");
        }
      }
      lg_buf_add(&b, "\n");
    }
    lg_buf_add(&b, "\n");
    for (size_t i = 0; i < r->ncells; i++) {
      if (!r->cells[i].designated)
        continue;
      lg_buf_add(&b, "- ");
      M(&b, r->cells[i].defect, 60);
      lg_buf_add(&b, " / ");
      M(&b, r->cells[i].column, 40);
      lg_buf_add(&b, ": ");
      M(&b, lg_cell_status_name(r->cells[i].status), 40);
      lg_buf_add(&b, " — ");
      M(&b, r->cells[i].evidence, 240);
      lg_buf_add(&b, "\n");
    }
    lg_buf_add(&b, "\n");
    lg_matrix_free(&mx);
  }

  if (r->has_gate) {
    lg_buf_add(&b, "## Gate vs baseline ");
    M(&b, r->gate_baseline ? r->gate_baseline : "?", 200);
    lg_buf_addf(&b, ": %s\n\n", r->gate_ok ? "PASS" : "FAIL");
    lg_buf_add(&b, "| scenario | variant | what | baseline | current | "
                   "tolerance | status | note |\n|---|---|---|---:|---:|---:|"
                   "---|---|\n");
    for (size_t i = 0; i < r->ngate; i++) {
      const lg_gate_row_t *g = &r->gate[i];
      const char *u = g->what ? lg_metric_unit(g->what) : "";
      lg_buf_add(&b, "| ");
      M(&b, g->scenario, 80);
      lg_buf_add(&b, " | ");
      M(&b, g->variant, 40);
      lg_buf_add(&b, " | ");
      M(&b, g->what, 60);
      lg_buf_add(&b, " | ");
      lg_md_value(&b, g->baseline, u);
      lg_buf_add(&b, " | ");
      lg_md_value(&b, g->current, u);
      lg_buf_add(&b, " | ");
      lg_md_value(&b, g->tolerance, u);
      lg_buf_addf(&b, " | %s%s | ", g->status == LG_G_REGRESSION ? "❌ " : "",
                  lg_gate_status_name(g->status));
      M(&b, g->note, 160);
      lg_buf_add(&b, " |\n");
    }
    lg_buf_add(&b, "\n");
  }

  if (r->nsupp_uses) {
    lg_buf_add(&b, "## Suppressions\n\n| variant | file | entry | matches |\n"
                   "|---|---|---|---:|\n");
    for (size_t i = 0; i < r->nsupp_uses; i++) {
      const lg_supp_use_t *u = &r->supp_uses[i];
      lg_buf_add(&b, "| ");
      M(&b, u->variant, 40);
      lg_buf_add(&b, " | ");
      M(&b, u->file, 120);
      lg_buf_add(&b, " | ");
      M(&b, u->name, 120);
      lg_buf_addf(&b, " | %ld%s |\n", u->uses,
                  u->uses ? "" : " (never matched in this run)");
    }
    lg_buf_add(&b, "\n");
  }

  if (r->nbench_rows) {
    lg_buf_add(&b, "## Latest benchmark figures (medians, "
                   "reports/bench/latest.json)\n\n| suite | benchmark | "
                   "items/s | bytes/s |\n|---|---|---:|---:|\n");
    for (size_t i = 0; i < r->nbench_rows; i++) {
      const lg_bench_row_t *row = &r->bench_rows[i];
      lg_buf_add(&b, "| ");
      M(&b, row->suite, 20);
      lg_buf_add(&b, " | ");
      M(&b, row->name, 120);
      lg_buf_add(&b, " | ");
      lg_md_value(&b, row->items_per_s, "");
      lg_buf_add(&b, " | ");
      lg_md_value(&b, row->bytes_per_s, "B");
      lg_buf_add(&b, " |\n");
    }
    lg_buf_add(&b, "\n");
  }
  return lg_buf_take(&b);
}
