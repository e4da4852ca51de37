/* One run's section of report.html (report_html.h): its evidence and
 * parameters, the metric table, an inline SVG chart per metric with the
 * fitted slope and the threshold, the JS heap attribution and the findings
 * with their stacks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "heapsnap.h"
#include "leakclass.h"
#include "report.h"
#include "report_html.h"
#include "report_table.h"
#include "text.h"
#include "util.h"

#define H(b, s) lg_text_xml((b), (s))

static void lg_num(lg_buf_t *b, double v, const char *unit) {
  char *s = lg_fmt_value(v, unit);
  H(b, s);
  free(s);
}

/* An inline SVG chart of one metric over iterations. */
static void lg_chart(lg_buf_t *b, const lg_run_t *run, const lg_metric_t *m) {
  const double W = 420, Hh = 190, L = 64, R = 10, T = 22, B = 26;
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  size_t n = 0;
  for (size_t i = 0; i < run->nsamples; i++) {
    if (isnan(m->v[i]))
      continue;
    double x = (double)run->si[i];
    xmin = fmin(xmin, x);
    xmax = fmax(xmax, x);
    ymin = fmin(ymin, m->v[i]);
    ymax = fmax(ymax, m->v[i]);
    n++;
  }
  if (n == 0)
    return;
  int fit = m->fitted && isfinite(m->trend.slope);
  double fx0 = fit ? m->trend.x_first : 0, fx1 = fit ? m->trend.x_last : 0;
  double fy0 = fit ? m->trend.intercept + m->trend.slope * fx0 : 0;
  double fy1 = fit ? m->trend.intercept + m->trend.slope * fx1 : 0;
  double ty1 =
      fit && isfinite(m->threshold) ? fy0 + m->threshold * (fx1 - fx0) : NAN;
  if (fit) {
    ymin = fmin(ymin, fmin(fy0, fy1));
    ymax = fmax(ymax, fmax(fy0, fy1));
    /* Show the threshold line but do not let it flatten the data. */
    if (isfinite(ty1) && ty1 <= ymax + (ymax - ymin + 1) * 2)
      ymax = fmax(ymax, ty1);
  }
  if (xmax <= xmin)
    xmax = xmin + 1;
  if (ymax <= ymin) {
    ymax += 1;
    ymin -= 1;
  }
  double pad = (ymax - ymin) * 0.06;
  ymin -= pad;
  ymax += pad;
#define SX(x) (L + ((x)-xmin) / (xmax - xmin) * (W - L - R))
#define SY(y) (T + (1 - ((y)-ymin) / (ymax - ymin)) * (Hh - T - B))
  const char *u = lg_metric_unit(m->name);
  lg_buf_addf(b,
              "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
              "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
              "role=\"img\">",
              W, Hh, W, Hh);
  char *slope = lg_fmt_slope(m);
  lg_buf_add(b, "<title>");
  H(b, m->name);
  lg_buf_add(b, "</title><text x=\"6\" y=\"15\" font-size=\"12\" "
                "font-weight=\"600\">");
  H(b, m->name);
  lg_buf_add(b, "</text><text x=\"414\" y=\"15\" font-size=\"11\" "
                "text-anchor=\"end\" fill=\"#57606a\">slope ");
  H(b, slope);
  if (isfinite(m->threshold))
    lg_buf_addf(b, " · threshold %g", m->threshold);
  lg_buf_add(b, "</text>");
  free(slope);
  /* Warm-up region. */
  if (run->warmup > 0 && (double)run->warmup > xmin) {
    double wx = fmin((double)run->warmup, xmax);
    lg_buf_addf(b,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                "fill=\"#f6f8fa\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" "
                "fill=\"#8c959f\">warm-up</text>",
                SX(xmin), (double)T, SX(wx) - SX(xmin), Hh - T - B,
                SX(xmin) + 3, (double)T + 10);
  }
  /* Axes and labels. */
  lg_buf_addf(b,
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
              "stroke=\"#8c959f\"/><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
              "y2=\"%.1f\" stroke=\"#8c959f\"/>",
              L, T, L, Hh - B, L, Hh - B, W - R, Hh - B);
  char *ylo = lg_fmt_value(ymin + pad, u), *yhi = lg_fmt_value(ymax - pad, u);
  lg_buf_addf(b,
              "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
              "text-anchor=\"end\">",
              L - 4, SY(ymax - pad) + 4);
  H(b, yhi);
  lg_buf_addf(b,
              "</text><text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
              "text-anchor=\"end\">",
              L - 4, SY(ymin + pad) + 4);
  H(b, ylo);
  lg_buf_addf(b,
              "</text><text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">%.0f</text>"
              "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
              "text-anchor=\"end\">%.0f</text><text x=\"%.1f\" y=\"%.1f\" "
              "font-size=\"10\" text-anchor=\"middle\" "
              "fill=\"#57606a\">iteration</text>",
              L, Hh - 8, xmin, W - R, Hh - 8, xmax, (L + W - R) / 2, Hh - 8);
  free(ylo);
  free(yhi);
  /* Data. */
  lg_buf_add(b, "<polyline fill=\"none\" stroke=\"#0969da\" "
                "stroke-width=\"1.5\" points=\"");
  for (size_t i = 0; i < run->nsamples; i++)
    if (!isnan(m->v[i]) && strcmp(run->sphase[i], "iterate") == 0)
      lg_buf_addf(b, "%.1f,%.1f ", SX((double)run->si[i]), SY(m->v[i]));
  lg_buf_add(b, "\"/>");
  for (size_t i = 0; i < run->nsamples; i++) {
    if (isnan(m->v[i]) || strcmp(run->sphase[i], "iterate") == 0)
      continue;
    int base = strcmp(run->sphase[i], "baseline") == 0;
    lg_buf_addf(b,
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>"
                "%s</title></circle>",
                SX((double)run->si[i]), SY(m->v[i]),
                base ? "#8250df" : "#bf8700", run->sphase[i]);
  }
  if (fit) {
    lg_buf_addf(b,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#1a7f37\" stroke-width=\"2\"><title>Theil-Sen "
                "fit</title></line>",
                SX(fx0), SY(fy0), SX(fx1), SY(fy1));
    if (isfinite(ty1) && ty1 <= ymax)
      lg_buf_addf(b,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                  "stroke=\"#cf222e\" stroke-dasharray=\"5 4\" "
                  "stroke-width=\"1.5\"><title>threshold slope</title></line>",
                  SX(fx0), SY(fy0), SX(fx1), SY(ty1));
    else if (isfinite(ty1))
      lg_buf_addf(b,
                  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
                  "fill=\"#cf222e\" text-anchor=\"end\">threshold line above "
                  "the chart</text>",
                  W - R - 2, (double)T + 10);
  }
  lg_buf_add(b, "</svg>");
#undef SX
#undef SY
}

static void lg_findings_html(lg_buf_t *b, const lg_run_t *run) {
  for (size_t i = 0; i < run->nfindings; i++) {
    const lg_finding_t *f = &run->findings[i];
    lg_buf_addf(b, "<details%s><summary>%s ", f->ours ? " open=\"open\"" : "",
                f->ours ? "<span class=\"ours\">ours</span>"
                        : "<span class=\"muted\">third-party</span>");
    H(b, f->detector);
    lg_text_xml_in(b, " <b>", f->kind, "</b>");
    if (f->bytes >= 0)
      lg_buf_addf(b, " — %lld bytes in %lld blocks", f->bytes, f->blocks);
    if (f->first_our_frame)
      lg_text_xml_in(b, " at <code>", f->first_our_frame, "</code>");
    lg_buf_addf(b, " <span class=\"muted\">(%s, ", lg_fclass_name(f->cls));
    H(b, f->source);
    lg_buf_add(b, ")</span></summary>");
    if (f->message)
      lg_text_xml_in(b, "<p>", f->message, "</p>");
    for (size_t s = 0; s < f->nstacks; s++) {
      lg_text_xml_in(b, "<pre>",
                     f->stacks[s].title ? f->stacks[s].title : "stack", ":\n");
      for (size_t k = 0; k < f->stacks[s].nframes; k++) {
        const lg_frame_t *fr = &f->stacks[s].frames[k];
        char *file = lg_path_shown(fr->file);
        char *line =
            lg_fmt("  #%-2zu %s %s:%d %s%s%s\n", k, fr->fn ? fr->fn : "??",
                   file, fr->line, fr->obj ? "(" : "", fr->obj ? fr->obj : "",
                   fr->obj ? ")" : "");
        free(file);
        if (fr->ours)
          lg_buf_add(b, "<span class=\"ours\">");
        H(b, line);
        if (fr->ours)
          lg_buf_add(b, "</span>");
        free(line);
      }
      lg_buf_add(b, "</pre>");
    }
    lg_buf_add(b, "</details>");
  }
}

/* A run may carry tens of thousands of metrics (a scenario's stats): the
 * page shows every judged metric (thresholded, exact, flagged or primary)
 * and a bounded number of the others, so its size and rendering time stay
 * linear in the runs, not in the metrics. results.json keeps them all. */
#define LG_HTML_MAX_JUDGED 64 /* judged metrics per run: table and chart */
#define LG_HTML_MAX_OTHER 12  /* other metrics per run: table and chart */

static int lg_metric_judged(const lg_run_t *run, const lg_metric_t *m) {
  return isfinite(m->threshold) || m->exact || m->flagged ||
         (run->primary && strcmp(run->primary, m->name) == 0);
}

static void lg_metric_row(lg_buf_t *b, const lg_run_t *run,
                          const lg_metric_t *m);

static void lg_metric_table(lg_buf_t *b, const lg_run_t *run) {
  lg_buf_add(b, "<table><tr><th>metric</th><th>slope /it</th><th>95% "
                "interval</th><th>MK z</th><th>p</th><th>threshold</th>"
                "<th>baseline</th><th>final</th><th>peak</th><th>noise sd "
                "(source)</th><th>min detectable /it</th><th></th></tr>");
  size_t judged = 0, other = 0, hidden = 0;
  for (size_t k = 0; k < run->nmetrics; k++) {
    const lg_metric_t *m = &run->metrics[k];
    size_t *count = lg_metric_judged(run, m) ? &judged : &other;
    size_t max = count == &judged ? LG_HTML_MAX_JUDGED : LG_HTML_MAX_OTHER;
    if ((*count)++ < max)
      lg_metric_row(b, run, m);
    else
      hidden++;
  }
  if (hidden)
    lg_buf_addf(b,
                "<tr><td colspan=\"12\" class=\"muted\">%zu more metrics "
                "not shown (all are in results.json)</td></tr>",
                hidden);
  lg_buf_add(b, "</table>");
}

static void lg_metric_row(lg_buf_t *b, const lg_run_t *run,
                          const lg_metric_t *m) {
  {
    const char *u = lg_metric_unit(m->name);
    lg_buf_add(b, "<tr><td>");
    H(b, m->name);
    if (m->measured)
      lg_text_xml_in(b, "<br/><span class=\"muted\">", m->measured, "</span>");
    lg_buf_add(b, "</td><td class=\"num\">");
    if (m->fitted) {
      lg_num(b, m->trend.slope, u);
      lg_buf_add(b, "</td><td class=\"num\">");
      lg_num(b, m->trend.slope_lo, u);
      lg_buf_add(b, " … ");
      lg_num(b, m->trend.slope_hi, u);
      lg_buf_addf(b, "</td><td class=\"num\">%.2f</td><td class=\"num\">%.2g",
                  m->trend.mk_z, m->trend.mk_p);
    } else {
      lg_buf_add(b, "n/a</td><td></td><td></td><td>");
    }
    char *nj = lg_metric_not_judged(run, m);
    if (nj && (m->fitted || !run->slopes_judged || m->not_judged)) {
      /* Said where the reader looks for the verdict on the slope. */
      lg_text_xml_in(b, "<br/><span class=\"muted\">not judged: ", nj,
                     "</span>");
    }
    free(nj);
    lg_buf_add(b, "</td><td class=\"num\">");
    if (isfinite(m->threshold))
      lg_num(b, m->threshold, u);
    else
      lg_buf_add(b, "-");
    lg_buf_add(b, "</td><td class=\"num\">");
    lg_num(b, m->baseline, u);
    lg_buf_add(b, "</td><td class=\"num\">");
    lg_num(b, m->final, u);
    lg_buf_add(b, "</td><td class=\"num\">");
    lg_num(b, m->peak, u);
    lg_buf_add(b, "</td><td class=\"num\">");
    lg_num(b, m->noise_sd, u);
    if (m->noise_source)
      lg_text_xml_in(b, " <span class=\"muted\">(", m->noise_source,
                     ")</span>");
    lg_buf_add(b, "</td><td class=\"num\">");
    lg_num(b, m->min_detectable, u);
    lg_buf_addf(b, "</td><td>%s%s</td></tr>",
                m->flagged ? "<span class=\"flag\">flagged</span> " : "",
                m->exact ? "exact" : "");
  }
}

/* The JS heap attribution of a run (heapsnap.h): its line, then every
 * grower with its figures per iteration and its retainer path. */
static void lg_heap_html(lg_buf_t *b, const lg_run_t *run) {
  const lg_heapattr_t *h = run->heap;
  double span = (double)(h->to - h->from);
  char *line = lg_heapattr_line(h);
  lg_buf_add(b, "<h3>JS heap attribution</h3><p class=\"ev\">");
  H(b, line);
  lg_buf_addf(b,
              "</p><p class=\"muted\">two heap snapshots of a re-run, "
              "after iterations %lld and %lld; re-run and diff %.1fs",
              h->from, h->to, isfinite(h->seconds) ? h->seconds : 0);
  if (h->dir)
    lg_text_xml_in(b, " · in <code>", h->dir, "</code>");
  lg_buf_add(b, "</p>");
  free(line);
  if (!h->ngrowers || !(span > 0))
    return;
  lg_buf_add(b, "<table><tr><th>grew</th><th>objects /it</th><th>self size "
                "/it</th><th>one retainer path</th></tr>");
  for (size_t i = 0; i < h->ngrowers; i++) {
    const lg_grower_t *g = &h->growers[i];
    char *label = lg_grower_label(g),
         *size = lg_heapsnap_bytes(g->size / span, 1),
         *path = lg_grower_path(g, 0);
    lg_buf_add(b, "<tr><td>");
    H(b, label);
    lg_buf_addf(b, "</td><td class=\"num\">%+.3g</td><td class=\"num\">",
                g->count / span);
    H(b, size);
    lg_text_xml_in(b, "</td><td>", *path ? path : "-", "</td></tr>");
    free(label);
    free(size);
    free(path);
  }
  lg_buf_add(b, "</table>");
}

void lg_html_run_section(lg_buf_t *b, const lg_run_t *run, size_t idx) {
  char *label = lg_run_label(run), *a = lg_run_anchor(idx);
  lg_buf_addf(b, "<div class=\"run\" id=\"%s\"><h3>", a);
  H(b, label);
  lg_buf_add(b, " / ");
  H(b, run->variant);
  lg_buf_addf(b, " <span class=\"%s\">%s</span></h3><p class=\"ev\">",
              lg_run_class(run), lg_run_status(run));
  H(b, run->evidence);
  lg_buf_addf(b, "</p><p class=\"muted\">detected %s · expected ",
              lg_verdict_name(run->detected));
  H(b, run->expected ? run->expected : "pass");
  lg_buf_addf(b,
              " · %lld iterations (%lld done%s), warm-up %lld, sample every "
              "%lld · %.1fs of %.0fs timeout · exit ",
              run->iterations, run->iterations_done,
              run->stop_look > 0 ? ": stopped early" : "", run->warmup,
              run->sample_every, isfinite(run->wall_s) ? run->wall_s : 0,
              isfinite(run->timeout_s) ? run->timeout_s : 0);
  if (run->term_signal)
    lg_buf_add(b, lg_signal_name(run->term_signal));
  else
    lg_buf_addf(b, "%d", run->exit_status);
  if (isfinite(run->iterate_ms) && isfinite(run->sample_ms) &&
      run->iterate_ms > 0)
    lg_buf_addf(b,
                " · probe overhead %.1f%% (sampling %.0f ms / iterating "
                "%.0f ms)",
                100.0 * run->sample_ms / run->iterate_ms, run->sample_ms,
                run->iterate_ms);
  lg_text_xml_in(b, " · logs in <code>", run->run_dir, "</code></p>");
  if (run->command)
    lg_text_xml_in(b, "<details><summary>command</summary><pre>", run->command,
                   "</pre></details>");
  if (run->nmetrics) {
    lg_metric_table(b, run);
    /* Charts of the judged metrics, then a bounded number of others. */
    size_t judged = 0, other = 0;
    lg_buf_add(b, "<div class=\"charts\">");
    for (size_t k = 0; k < run->nmetrics; k++) {
      const lg_metric_t *m = &run->metrics[k];
      if (lg_metric_judged(run, m) && judged++ < LG_HTML_MAX_JUDGED)
        lg_chart(b, run, m);
    }
    lg_buf_add(b, "</div>");
    for (size_t k = 0; k < run->nmetrics; k++) {
      const lg_metric_t *m = &run->metrics[k];
      if (lg_metric_judged(run, m) || other++ >= LG_HTML_MAX_OTHER)
        continue;
      if (other == 1)
        lg_buf_add(b, "<details><summary>other metrics</summary><div "
                      "class=\"charts\">");
      lg_chart(b, run, m);
    }
    if (other)
      lg_buf_add(b, "</div></details>");
    size_t uncharted =
        (judged > LG_HTML_MAX_JUDGED ? judged - LG_HTML_MAX_JUDGED : 0) +
        (other > LG_HTML_MAX_OTHER ? other - LG_HTML_MAX_OTHER : 0);
    if (uncharted)
      lg_buf_addf(b,
                  "<p class=\"muted\">%zu more metrics not charted (all "
                  "samples are in results.json)</p>",
                  uncharted);
  }
  if (run->heap)
    lg_heap_html(b, run);
  if (run->nfindings) {
    lg_buf_addf(b, "<h3>Findings (%zu)</h3>", run->nfindings);
    lg_findings_html(b, run);
  }
  lg_buf_add(b, "</div>");
  free(label);
  free(a);
}
