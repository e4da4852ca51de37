/* summary.md: a verdict table fit for a CI step summary, then failures,
 * findings, noise floors, the selftest matrix, the gate and bench figures. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "heapsnap.h"
#include "report.h"
#include "report_table.h"
#include "text.h"
#include "util.h"

/* Every string from the model goes through lg_text_md: it may come from
 * scenario output, and GitHub renders raw HTML and table syntax in it. */
#define M(b, s, max) lg_text_md((b), (s), (max))

char *lg_render_markdown(const lg_results_t *r) {
  lg_buf_t b = {0};
  size_t failed = lg_results_failed(r), infra = lg_results_infra(r);
  /* The first line says why (GitHub shows it as the step summary's title). */
  char *head = lg_headline(r);
  lg_text_md_in(&b, "# leakgate ", head, 0, "\n\n");
  free(head);
  lg_buf_addf(&b, "%zu runs, %zu failed, %zu infrastructure errors. Created ",
              r->nruns, failed, infra);
  M(&b, r->created ? r->created : "?", 40);
  if (r->shard) {
    lg_buf_add(&b, ", shard ");
    M(&b, r->shard, 20);
  }
  lg_buf_addf(&b, ". Exit code %d.\n\n", r->exit_code);
  char *times[] = {lg_time_line(r), lg_time_scenarios(r)};
  for (size_t i = 0; i < 2; i++) {
    if (times[i]) {
      M(&b, times[i], 0);
      lg_buf_add(&b, ".\n\n");
    }
    free(times[i]);
  }
  if (r->nruns) {
    /* Failing rows first; passing rows fold away. */
    size_t npass = 0;
    if (failed + infra) {
      lg_table_emit(&b, r, lg_table_failing, LG_TF_MD);
      lg_buf_add(&b, "\n");
    }
    for (size_t i = 0; i < r->nruns; i++)
      npass += r->runs[i].ok;
    if (npass) {
      lg_buf_addf(&b, "<details><summary>%zu passing run%s</summary>\n\n",
                  npass, npass == 1 ? "" : "s");
      lg_table_emit(&b, r, lg_table_passing, LG_TF_MD);
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
    lg_text_md_in(&b, "### ", label, 120, " / ");
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
      lg_text_md_in(&b, "| ", label, 80, " | ");
      M(&b, run->variant, 40);
      lg_text_md_in(&b, " | ", f->detector, 40, " | ");
      M(&b, f->kind, 60);
      lg_buf_add(&b, " | ");
      if (f->bytes >= 0)
        lg_buf_addf(&b, "%lld | %lld", f->bytes, f->blocks);
      else
        lg_buf_add(&b, "- | -");
      lg_text_md_in(&b, " | ", f->first_our_frame ? f->first_our_frame : "?",
                    100, " |\n");
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
    lg_text_md_in(&b, "**", label, 120, " / ");
    M(&b, run->variant, 40);
    lg_text_md_in(&b, "**: ", line, 0, "\n\n");
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
      lg_text_md_in(&b, " | ", *path ? path : "-", 0, " |\n");
      free(gl);
      free(size);
      free(path);
    }
    lg_buf_add(&b, "\n");
  }

  if (r->nnoise) {
    char *controls = lg_control_names(r);
    lg_text_md_in(&b, "## Noise floor (control: ", controls, 80, ")\n\n");
    free(controls);
    lg_table_emit(&b, r, lg_table_noise, LG_TF_MD);
    lg_buf_add(&b, "\n");
  }

  if (r->has_selftest) {
    lg_buf_addf(&b, "## Selftest: planted-defect matrix (%s)\n\n",
                r->selftest_ok ? "every designated detector caught its defect"
                               : "SOME DESIGNATED DETECTORS MISSED");
    lg_table_emit(&b, r, lg_table_matrix, LG_TF_MD);
    lg_buf_add(&b, "\n");
    for (size_t i = 0; i < r->ncells; i++) {
      if (!r->cells[i].designated)
        continue;
      lg_text_md_in(&b, "- ", r->cells[i].defect, 60, " / ");
      M(&b, r->cells[i].column, 40);
      lg_text_md_in(&b, ": ", lg_cell_status_name(r->cells[i].status), 40,
                    " — ");
      M(&b, r->cells[i].evidence, 240);
      lg_buf_add(&b, "\n");
    }
    lg_buf_add(&b, "\n");
  }

  if (r->has_gate) {
    lg_buf_add(&b, "## Gate vs baseline ");
    M(&b, r->gate_baseline ? r->gate_baseline : "?", 200);
    lg_buf_addf(&b, ": %s\n\n", r->gate_ok ? "PASS" : "FAIL");
    lg_table_emit(&b, r, lg_table_gate, LG_TF_MD);
    lg_buf_add(&b, "\n");
  }

  if (r->nsupp_uses) {
    lg_buf_add(&b, "## Suppressions\n\n");
    lg_table_emit(&b, r, lg_table_supps, LG_TF_MD);
    lg_buf_add(&b, "\n");
  }

  if (r->nbench_rows) {
    lg_buf_add(&b, "## Latest benchmark figures (medians, "
                   "reports/bench/latest.json)\n\n");
    lg_table_emit(&b, r, lg_table_bench, LG_TF_MD);
    lg_buf_add(&b, "\n");
  }
  return lg_buf_take(&b);
}
