/* report.html: one self-contained page (inline CSS and SVG, no script, no
 * network): the headline, the at-a-glance grid, the verdict table, noise
 * floors, selftest matrix, gate, then every run's section
 * (report_html_run.c), suppressions and bench figures. */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_html.h"
#include "report_table.h"
#include "text.h"
#include "util.h"

#define H(b, s) lg_text_xml((b), (s))

static const char lg_css[] =
    "body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;"
    "margin:24px;color:#1b1f24;background:#fff}"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;"
    "border-bottom:1px solid #d0d7de;padding-bottom:4px}"
    "h3{font-size:15px;margin:18px 0 6px}"
    "table{border-collapse:collapse;margin:6px 0 12px}"
    "th,td{border:1px solid #d0d7de;padding:3px 7px;text-align:left;"
    "vertical-align:top}th{background:#f6f8fa}td.num{text-align:right;"
    "font-variant-numeric:tabular-nums}"
    ".PASS{background:#dafbe1;color:#116329;font-weight:600}"
    ".FAIL{background:#ffebe9;color:#a40e26;font-weight:600}"
    ".INFRA{background:#fff8c5;color:#7d4e00;font-weight:600}"
    ".muted{color:#57606a}.ev{max-width:640px}"
    ".run{border:1px solid #d0d7de;border-radius:6px;padding:8px 14px;"
    "margin:12px 0}.charts{display:flex;flex-wrap:wrap;gap:10px}"
    ".chart{border:1px solid #eaeef2;border-radius:4px}"
    "pre{background:#f6f8fa;padding:6px 8px;overflow-x:auto;font-size:12px}"
    ".ours{color:#a40e26;font-weight:600}"
    ".caught{background:#dafbe1}.missed{background:#ffebe9}"
    ".na{color:#8c959f}.flag{color:#a40e26;font-weight:600}";

char *lg_render_html(const lg_results_t *r) {
  lg_buf_t b = {0};
  size_t failed = lg_results_failed(r), infra = lg_results_infra(r);
  const char *cls = r->exit_code == 0   ? "PASS"
                    : r->exit_code == 3 ? "INFRA"
                                        : "FAIL";
  lg_buf_add(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
                 "charset=\"utf-8\"/><title>leakgate report</title><style>");
  lg_buf_add(&b, lg_css);
  /* The first thing on the page says why. */
  char *head = lg_headline(r);
  lg_buf_addf(&b, "</style></head><body><h1>leakgate <span class=\"%s\">", cls);
  H(&b, head);
  lg_buf_add(&b, "</span></h1><p class=\"muted\">");
  free(head);
  lg_buf_addf(&b, "%zu runs, %zu failed, %zu infrastructure errors · created ",
              r->nruns, failed, infra);
  H(&b, r->created ? r->created : "?");
  if (r->shard) {
    lg_buf_add(&b, " · shard ");
    H(&b, r->shard);
  }
  lg_buf_addf(&b, " · exit code %d · schema %d · leakgate ", r->exit_code,
              r->schema ? r->schema : LG_SCHEMA_VERSION);
  H(&b, r->tool_version);
  lg_buf_add(&b, "</p>");
  char *times[] = {lg_time_line(r), lg_time_scenarios(r)};
  for (size_t i = 0; i < 2; i++) {
    if (times[i])
      lg_text_xml_in(&b, "<p class=\"muted\">", times[i], "</p>");
    free(times[i]);
  }

  /* At a glance: one row per scenario, one column per variant, each cell
   * the run's verdict linking to its details. */
  lg_buf_add(&b, "<h2>At a glance</h2>");
  lg_table_emit(&b, r, lg_table_glance, LG_TF_HTML);

  /* Verdict table: failing runs first, passing runs folded away. */
  size_t npass = 0;
  for (size_t i = 0; i < r->nruns; i++)
    npass += r->runs[i].ok;
  lg_buf_add(&b, "<h2>Verdicts</h2>");
  if (npass < r->nruns) {
    lg_table_emit(&b, r, lg_table_failing, LG_TF_HTML);
  }
  if (npass) {
    lg_buf_addf(&b, "<details><summary>%zu passing run%s</summary>", npass,
                npass == 1 ? "" : "s");
    lg_table_emit(&b, r, lg_table_passing, LG_TF_HTML);
    lg_buf_add(&b, "</details>");
  }

  if (r->nnoise) {
    char *controls = lg_control_names(r);
    lg_buf_addf(&b,
                "<h2>Noise floor</h2><p class=\"muted\">From the control "
                "scenario%s <code>",
                strchr(controls, ',') ? "s" : "");
    H(&b, controls);
    free(controls);
    lg_buf_add(&b, "</code> in the same run. Smallest detectable leak of a "
                   "run = max(threshold, 3 × noise sd / fitted span).</p>");
    lg_table_emit(&b, r, lg_table_noise, LG_TF_HTML);
  }

  if (r->has_selftest) {
    lg_buf_addf(&b,
                "<h2>Selftest: planted-defect matrix</h2><p class=\"%s\">%s"
                "</p>",
                r->selftest_ok ? "PASS" : "FAIL",
                r->selftest_ok ? "Every designated detector caught its defect."
                               : "Some designated detectors missed.");
    lg_table_emit(&b, r, lg_table_matrix, LG_TF_HTML);
    lg_buf_add(&b, "<ul>");
    for (size_t i = 0; i < r->ncells; i++) {
      if (!r->cells[i].designated)
        continue;
      lg_text_xml_in(&b, "<li><b>", r->cells[i].defect, "</b> / ");
      H(&b, r->cells[i].column);
      lg_text_xml_in(&b, ": ", lg_cell_status_name(r->cells[i].status), " — ");
      H(&b, r->cells[i].evidence);
      lg_buf_add(&b, "</li>");
    }
    lg_buf_add(&b, "</ul>");
  }

  if (r->has_gate) {
    lg_buf_addf(&b, "<h2>Gate vs baseline</h2><p>Baseline <code>");
    H(&b, r->gate_baseline ? r->gate_baseline : "?");
    lg_buf_addf(&b, "</code>: <span class=\"%s\">%s</span></p>",
                r->gate_ok ? "PASS" : "FAIL", r->gate_ok ? "PASS" : "FAIL");
    lg_table_emit(&b, r, lg_table_gate, LG_TF_HTML);
  }

  /* Failing runs first; passing runs folded away. */
  lg_buf_add(&b, "<h2>Runs</h2>");
  for (size_t i = 0; i < r->nruns; i++)
    if (!r->runs[i].ok)
      lg_html_run_section(&b, &r->runs[i], i);
  if (npass) {
    lg_buf_addf(&b, "<details><summary>%zu passing run%s</summary>", npass,
                npass == 1 ? "" : "s");
    for (size_t i = 0; i < r->nruns; i++)
      if (r->runs[i].ok)
        lg_html_run_section(&b, &r->runs[i], i);
    lg_buf_add(&b, "</details>");
  }
  if (r->nsupp_uses) {
    lg_buf_add(&b, "<h2>Suppressions</h2><p class=\"muted\">Every entry of the "
                   "variants' suppression files and the runs it matched in; "
                   "entries that never match are candidates for removal. "
                   "Entries that could match our own code are rejected when "
                   "the manifest is loaded.</p>");
    lg_table_emit(&b, r, lg_table_supps, LG_TF_HTML);
  }

  if (r->nbench_rows) {
    lg_buf_add(&b, "<h2>Latest benchmark figures</h2><details><summary>"
                   "Medians from reports/bench/latest.json</summary>");
    lg_table_emit(&b, r, lg_table_bench, LG_TF_HTML);
    lg_buf_add(&b, "</details>");
  }

  lg_buf_add(&b, "</body></html>\n");
  return lg_buf_take(&b);
}
