/* JUnit XML: one testsuite per variant, one testcase per scenario x variant
 * (plus the selftest cells and the gate when present). */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "leakclass.h"
#include "report.h"
#include "text.h"
#include "util.h"

static void lg_attr(lg_buf_t *b, const char *name, const char *value) {
  lg_buf_addf(b, " %s=\"", name);
  lg_text_xml(b, value ? value : "");
  lg_buf_addc(b, '"');
}

static void lg_findings_text(lg_buf_t *b, const lg_run_t *run) {
  for (size_t i = 0; i < run->nfindings; i++) {
    const lg_finding_t *f = &run->findings[i];
    lg_buf_addf(b, "\n%s finding: %s %s", f->ours ? "OUR" : "third-party",
                f->detector, f->kind);
    if (f->bytes >= 0)
      lg_buf_addf(b, " (%lld bytes, %lld blocks)", f->bytes, f->blocks);
    if (f->message)
      lg_buf_addf(b, ": %s", f->message);
    for (size_t s = 0; s < f->nstacks && s < 3; s++) {
      lg_buf_addf(b,
                  "\n  %s:", f->stacks[s].title ? f->stacks[s].title : "stack");
      for (size_t k = 0; k < f->stacks[s].nframes && k < 16; k++) {
        const lg_frame_t *fr = &f->stacks[s].frames[k];
        char *file = lg_path_shown(fr->file);
        lg_buf_addf(b, "\n    #%zu %s %s:%d%s%s%s%s", k, fr->fn ? fr->fn : "??",
                    file, fr->line, fr->obj ? " (" : "", fr->obj ? fr->obj : "",
                    fr->obj ? ")" : "", fr->ours ? "  <-- ours" : "");
        free(file);
      }
    }
  }
}

static void lg_testcase(lg_buf_t *b, const lg_run_t *run, const char *suite) {
  char *label = lg_run_label(run);
  lg_buf_add(b, "    <testcase");
  lg_attr(b, "classname", suite);
  lg_attr(b, "name", label);
  lg_buf_addf(b, " time=\"%.3f\">\n",
              isfinite(run->wall_s) ? run->wall_s : 0.0);
  if (!run->ok) {
    const char *tag = run->verdict == LG_V_INFRA ? "error" : "failure";
    char *msg = lg_fmt("%s: %s", lg_verdict_name(run->verdict),
                       run->evidence ? run->evidence : "");
    lg_buf_addf(b, "      <%s", tag);
    lg_attr(b, "message", msg);
    lg_attr(b, "type", lg_verdict_name(run->verdict));
    lg_buf_add(b, ">");
    lg_buf_t t = {0};
    lg_buf_add(&t, msg);
    if (run->command)
      lg_buf_addf(&t, "\ncommand: %s", run->command);
    if (run->run_dir)
      lg_buf_addf(&t, "\nrun directory: %s", run->run_dir);
    lg_findings_text(&t, run);
    lg_text_xml(b, t.s);
    lg_buf_free(&t);
    lg_buf_addf(b, "</%s>\n", tag);
    free(msg);
  }
  lg_buf_add(b, "      <system-out>");
  char *out = lg_fmt(
      "verdict %s (detected %s, expected %s)\n%s\nrun directory: "
      "%s\n",
      lg_verdict_name(run->verdict), lg_verdict_name(run->detected),
      run->expected ? run->expected : "pass",
      run->evidence ? run->evidence : "", run->run_dir ? run->run_dir : "");
  lg_text_xml(b, out);
  free(out);
  lg_buf_add(b, "</system-out>\n    </testcase>\n");
  free(label);
}

char *lg_render_junit(const lg_results_t *r) {
  lg_buf_t b = {0};
  size_t tests = r->nruns, failures = 0, errors = 0;
  double total = 0;
  for (size_t i = 0; i < r->nruns; i++) {
    if (!r->runs[i].ok)
      r->runs[i].verdict == LG_V_INFRA ? errors++ : failures++;
    if (isfinite(r->runs[i].wall_s))
      total += r->runs[i].wall_s;
  }
  size_t designated = 0, missed = 0;
  for (size_t i = 0; i < r->ncells; i++) {
    designated += r->cells[i].designated;
    missed += r->cells[i].designated && r->cells[i].status != LG_C_CAUGHT;
  }
  if (r->has_selftest) {
    tests += designated;
    failures += missed;
  }
  if (r->has_gate) {
    tests++;
    failures += !r->gate_ok;
  }
  lg_buf_add(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  lg_buf_addf(&b,
              "<testsuites name=\"leakgate\" tests=\"%zu\" failures=\"%zu\" "
              "errors=\"%zu\" time=\"%.3f\">\n",
              tests, failures, errors, total);

  /* Variants in order of first appearance (a hash set: linear in runs;
   * each suite then scans the runs once, and variants are few). */
  json_t *seen = json_object();
  for (size_t i = 0; i < r->nruns; i++) {
    const char *v = r->runs[i].variant;
    if (json_object_get(seen, v))
      continue;
    json_object_set_new_nocheck(seen, v, json_true());
    size_t t = 0, f = 0, e = 0;
    double tm = 0;
    for (size_t k = i; k < r->nruns; k++) {
      if (strcmp(r->runs[k].variant, v) != 0)
        continue;
      t++;
      if (!r->runs[k].ok)
        r->runs[k].verdict == LG_V_INFRA ? e++ : f++;
      if (isfinite(r->runs[k].wall_s))
        tm += r->runs[k].wall_s;
    }
    char *suite = lg_fmt("leakgate.%s", v);
    lg_buf_add(&b, "  <testsuite");
    lg_attr(&b, "name", suite);
    lg_buf_addf(&b,
                " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
                "skipped=\"0\" time=\"%.3f\"",
                t, f, e, tm);
    lg_attr(&b, "timestamp", r->created);
    lg_buf_add(&b, ">\n    <properties>\n      <property name=\"variant\"");
    lg_attr(&b, "value", v);
    lg_buf_add(&b, "/>\n    </properties>\n");
    for (size_t k = i; k < r->nruns; k++)
      if (strcmp(r->runs[k].variant, v) == 0)
        lg_testcase(&b, &r->runs[k], suite);
    lg_buf_add(&b, "  </testsuite>\n");
    free(suite);
  }
  json_decref(seen);

  if (r->has_selftest) {
    lg_buf_addf(&b,
                "  <testsuite name=\"leakgate.selftest\" tests=\"%zu\" "
                "failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"0\">\n",
                designated, missed);
    for (size_t i = 0; i < r->ncells; i++) {
      const lg_cell_t *c = &r->cells[i];
      if (!c->designated)
        continue;
      char *name = lg_fmt("%s caught by %s", c->defect, c->column);
      lg_buf_add(&b, "    <testcase classname=\"leakgate.selftest\"");
      lg_attr(&b, "name", name);
      lg_buf_addf(&b, " time=\"%.3f\">", isfinite(c->seconds) ? c->seconds : 0);
      if (c->status != LG_C_CAUGHT) {
        lg_buf_add(&b, "<failure");
        lg_attr(&b, "message", c->evidence);
        lg_attr(&b, "type", lg_cell_status_name(c->status));
        lg_buf_add(&b, "/>");
      }
      lg_buf_add(&b, "</testcase>\n");
      free(name);
    }
    lg_buf_add(&b, "  </testsuite>\n");
  }
  if (r->has_gate) {
    lg_buf_addf(
        &b,
        "  <testsuite name=\"leakgate.gate\" tests=\"1\" failures=\"%d\" "
        "errors=\"0\" skipped=\"0\" time=\"0\">\n    <testcase "
        "classname=\"leakgate.gate\"",
        !r->gate_ok);
    lg_attr(&b, "name", r->gate_baseline ? r->gate_baseline : "baseline");
    lg_buf_add(&b, " time=\"0\">");
    if (!r->gate_ok) {
      lg_buf_t t = {0};
      for (size_t i = 0; i < r->ngate; i++)
        if (r->gate[i].status == LG_G_REGRESSION)
          lg_buf_addf(&t, "%s/%s %s: %s\n", r->gate[i].scenario,
                      r->gate[i].variant, r->gate[i].what,
                      r->gate[i].note ? r->gate[i].note : "");
      lg_buf_add(&b, "<failure message=\"regressions against the baseline\" "
                     "type=\"GATE\">");
      lg_text_xml(&b, t.s);
      lg_buf_add(&b, "</failure>");
      lg_buf_free(&t);
    }
    lg_buf_add(&b, "</testcase>\n  </testsuite>\n");
  }
  lg_buf_add(&b, "</testsuites>\n");
  return lg_buf_take(&b);
}
