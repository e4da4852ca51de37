/* Shared by the report tests (test_reports.c, test_results_file.c): a
 * sample result model, an XML shape counter (expat) and xmllint checks of
 * every writer's output. */
#include "report_fixture.h"

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "check.h"
#include "detect.h"
#include "report.h"
#include "util.h"

/* Two runs: a pass with a fitted flat metric, and a leak with a finding. */
void lg_sample_results(lg_results_t *r) {
  memset(r, 0, sizeof *r);
  r->schema = LG_SCHEMA_VERSION;
  r->tool_version = lg_xstrdup(LG_TOOL_VERSION);
  r->created = lg_xstrdup("2024-01-01T00:00:00Z");
  r->control = lg_xstrdup("control-noop");
  for (int k = 0; k < 2; k++) {
    lg_run_t *run = lg_results_add_run(r);
    run->scenario = lg_xstrdup(k ? "sub|churn <&>" : "control-noop");
    run->variant = lg_xstrdup("release");
    run->lang = lg_xstrdup("c");
    run->expected = lg_xstrdup("pass");
    run->iterations = 100;
    run->warmup = 10;
    run->sample_every = 10;
    run->timeout_s = 60;
    run->wall_s = 1.25;
    run->has_end = 1;
    run->run_dir = lg_xstrdup("runs/release/x");
    run->command = lg_xstrdup("LEAK=1 ./x");
    lg_run_sample_add(run, 0, 0, "baseline");
    for (int i = 1; i <= 10; i++)
      lg_run_sample_add(run, i * 10, i, "iterate");
    lg_run_sample_add(run, 100, 11, "teardown");
    lg_metric_t *m = lg_run_metric_add(run, "mallocInUse");
    for (size_t i = 0; i < run->nsamples; i++)
      m->v[i] = 1000 + (k ? 80.0 * (double)run->si[i] : 0);
    m->fitted = 1;
    m->trend.n = 10;
    m->trend.slope = k ? 123.456 : 0;
    m->trend.intercept = 1000;
    m->trend.x_first = 10;
    m->trend.x_last = 100;
    m->trend.mk_p = k ? 1e-9 : 1;
    m->threshold = 16;
    m->baseline = 1000;
    m->final = m->v[run->nsamples - 1];
    m->peak = m->final;
    m->noise_sd = 2;
    m->min_detectable = 16;
    m->flagged = k;
    run->primary = lg_xstrdup("mallocInUse");
    run->min_detectable = 16;
    if (k) {
      run->detected = run->verdict = LG_V_LEAK;
      run->ok = 0;
      run->evidence = lg_xstrdup("mallocInUse grows | by a lot <b>");
      char *log = lg_fmt("%s/lsan_leak.log", LG_FIXTURES);
      char *text = lg_read_file(log, NULL);
      free(log);
      lg_findings_t fs = {0};
      if (text)
        lg_parse_sanitizer(text, "asan.1", &fs);
      free(text);
      char *const ours[] = {(char *)"/harness/test/"};
      for (size_t i = 0; i < fs.n; i++)
        lg_attribute(&fs.v[i], ours, 1, NULL, 0);
      run->findings = fs.v;
      run->nfindings = fs.n;
    } else {
      run->detected = run->verdict = LG_V_PASS;
      run->ok = 1;
      run->evidence = lg_xstrdup("flat");
    }
  }
  r->exit_code = lg_results_exit_code(r);
}

static const char *lg_attr(const XML_Char **a, const char *name) {
  for (; a && a[0]; a += 2)
    if (strcmp(a[0], name) == 0)
      return a[1];
  return NULL;
}

static void XMLCALL lg_start(void *ud, const XML_Char *name,
                             const XML_Char **attrs) {
  lg_xml_t *x = ud;
  if (x->depth == 0) {
    snprintf(x->first, sizeof x->first, "%s", name);
    const char *t = lg_attr(attrs, "tests"), *f = lg_attr(attrs, "failures");
    snprintf(x->tests_attr, sizeof x->tests_attr, "%s", t ? t : "");
    snprintf(x->failures_attr, sizeof x->failures_attr, "%s", f ? f : "");
  }
  x->depth++;
  if (x->depth > x->max_depth)
    x->max_depth = x->depth;
  x->suites += strcmp(name, "testsuite") == 0;
  x->cases += strcmp(name, "testcase") == 0;
  x->svgs += strcmp(name, "svg") == 0;
  x->polylines += strcmp(name, "polyline") == 0;
  x->scripts += strcmp(name, "script") == 0;
  if (strcmp(name, "failure") == 0) {
    x->failures++;
    const char *t = lg_attr(attrs, "type");
    snprintf(x->failure_type, sizeof x->failure_type, "%s", t ? t : "");
    if (!lg_attr(attrs, "message"))
      x->failures += 1000;
  }
  const char *src = lg_attr(attrs, "src"), *href = lg_attr(attrs, "href");
  if ((src && strstr(src, "://")) || (href && strstr(href, "://")))
    x->external++;
}

static void XMLCALL lg_end(void *ud, const XML_Char *name) {
  (void)name;
  ((lg_xml_t *)ud)->depth--;
}

int lg_parse_xml(const char *text, lg_xml_t *x) {
  memset(x, 0, sizeof *x);
  XML_Parser p = XML_ParserCreate(NULL);
  XML_SetUserData(p, x);
  XML_SetElementHandler(p, lg_start, lg_end);
  int ok = XML_Parse(p, text, (int)strlen(text), 1) != XML_STATUS_ERROR;
  if (!ok)
    fprintf(stderr, "XML error line %lu: %s\n",
            (unsigned long)XML_GetCurrentLineNumber(p),
            XML_ErrorString(XML_GetErrorCode(p)));
  XML_ParserFree(p);
  return ok;
}

/* Writes text to LG_TEST_TMP/name and runs xmllint --noout on it (as XML:
 * report.html is XHTML-compatible, so this is stricter than --html). */
int lg_xmllint(const char *name, const char *text) {
  lg_mkdirs(LG_TEST_TMP);
  char *p = lg_fmt("%s/%s", LG_TEST_TMP, name);
  lg_write_file(p, text, strlen(text));
  char *cmd = lg_fmt("xmllint --noout '%s'", p);
  int rc = system(cmd);
  if (rc != 0)
    fprintf(stderr, "xmllint rejected %s (status %d)\n", p, rc);
  free(cmd);
  free(p);
  return rc == 0;
}

char *lg_tmp_write(const char *name, const char *text) {
  lg_mkdirs(LG_TEST_TMP);
  char *p = lg_fmt("%s/%s", LG_TEST_TMP, name);
  lg_write_file(p, text, strlen(text));
  return p;
}

char *lg_sample_html(void) {
  lg_results_t r;
  lg_sample_results(&r);
  char *html = lg_render_html(&r);
  lg_results_free(&r);
  return html;
}

int lg_load_ok(const char *path, lg_results_t *r) {
  char *err = NULL;
  int rc = lg_results_load(path, r, &err);
  if (rc)
    fprintf(stderr, "%s\n", err);
  free(err);
  return rc;
}

char *lg_load_err(const char *path) {
  lg_results_t r;
  char *err = NULL;
  if (lg_results_load(path, &r, &err) == 0)
    lg_results_free(&r);
  return err;
}

/* Renders every writer and checks junit.xml and report.html with xmllint. */
int lg_render_all_valid(const lg_results_t *r, const char *tag) {
  char *xml = lg_render_junit(r), *html = lg_render_html(r),
       *md = lg_render_markdown(r);
  char *jn = lg_fmt("%s.junit.xml", tag), *hn = lg_fmt("%s.report.html", tag);
  int ok = lg_xmllint(jn, xml) && lg_xmllint(hn, html) && md[0] != '\0';
  free(jn);
  free(hn);
  free(xml);
  free(html);
  free(md);
  return ok;
}
