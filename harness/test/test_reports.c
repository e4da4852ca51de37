/* Unit tests: the report writers render the model as it is; JUnit has the
 * usual schema shape; report.html is well-formed (parsed with expat) and
 * self-contained; results.json round-trips exactly. */
#include <expat.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "check.h"
#include "detect.h"
#include "model.h"
#include "report.h"
#include "util.h"

/* Two runs: a pass with a fitted flat metric, and a leak with a finding. */
static void lg_sample_results(lg_results_t *r) {
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

typedef struct lg_xml_s {
  int depth, max_depth;
  int suites, cases, failures, svgs, polylines, scripts, external;
  char first[64];
  char failure_type[64];
  char tests_attr[16], failures_attr[16];
} lg_xml_t;

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

static int lg_parse_xml(const char *text, lg_xml_t *x) {
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

static void test_junit_shape(void) {
  lg_results_t r;
  lg_sample_results(&r);
  char *xml = lg_render_junit(&r);
  lg_results_free(&r);
  lg_xml_t x;
  int ok = lg_parse_xml(xml, &x);
  int has_evidence =
      strstr(xml, "mallocInUse grows | by a lot &lt;b&gt;") != NULL;
  int has_stack = strstr(xml, "leak_one") != NULL;
  free(xml);
  ASSERT_TRUE(ok);
  ASSERT_STR_EQ(x.first, "testsuites");
  ASSERT_STR_EQ(x.tests_attr, "2");
  ASSERT_STR_EQ(x.failures_attr, "1");
  ASSERT_EQ(x.suites, 1);
  ASSERT_EQ(x.cases, 2);
  ASSERT_EQ(x.failures, 1);
  ASSERT_STR_EQ(x.failure_type, "LEAK");
  ASSERT_EQ(x.max_depth, 4); /* testsuites/testsuite/testcase/failure */
  ASSERT_TRUE(has_evidence);
  ASSERT_TRUE(has_stack);
}

static void test_html_well_formed_self_contained(void) {
  lg_results_t r;
  lg_sample_results(&r);
  char *html = lg_render_html(&r);
  lg_results_free(&r);
  /* expat needs the body without the HTML5 doctype line. */
  const char *body = strstr(html, "<html");
  ASSERT_TRUE(body != NULL);
  lg_xml_t x;
  int ok = lg_parse_xml(body, &x);
  int slope = strstr(html, "+123 B/it") != NULL;
  int thr_line = strstr(html, "threshold slope") != NULL;
  int escaped = strstr(html, "sub|churn &lt;&amp;&gt;") != NULL;
  int ours = strstr(html, "class=\"ours\"") != NULL;
  free(html);
  ASSERT_TRUE(ok);
  ASSERT_STR_EQ(x.first, "html");
  ASSERT_EQ(x.svgs, 2); /* one thresholded metric per run */
  ASSERT_EQ(x.polylines, 2);
  ASSERT_EQ(x.scripts, 0);
  ASSERT_EQ(x.external, 0);
  ASSERT_TRUE(slope); /* rendered from the model, not recomputed */
  ASSERT_TRUE(thr_line);
  ASSERT_TRUE(escaped);
  ASSERT_TRUE(ours);
}

static void test_markdown(void) {
  lg_results_t r;
  lg_sample_results(&r);
  r.nnoise = 1;
  r.noise = lg_xcalloc(1, sizeof *r.noise);
  r.noise[0].variant = lg_xstrdup("release");
  r.noise[0].metric = lg_xstrdup("mallocInUse");
  r.noise[0].sd = 2;
  r.noise[0].slope = 0.5;
  char *md = lg_render_markdown(&r);
  lg_results_free(&r);
  int head = strstr(md, "# leakgate: FAIL") != NULL;
  int table = strstr(md, "| ✅ | control-noop | release | **PASS**") != NULL;
  int leak = strstr(md, "| ❌ | sub\\|churn <&> | release | **LEAK**") != NULL;
  int pipe = strstr(md, "mallocInUse grows \\| by a lot") != NULL;
  int findings = strstr(md, "## Findings in our code") != NULL &&
                 strstr(md, "leak_one leak.c:9") != NULL;
  int noise = strstr(md, "## Noise floor (control: control-noop)") != NULL;
  int slope = strstr(md, "+123 B/it") != NULL;
  free(md);
  ASSERT_TRUE(head);
  ASSERT_TRUE(table);
  ASSERT_TRUE(leak);
  ASSERT_TRUE(pipe);
  ASSERT_TRUE(findings);
  ASSERT_TRUE(noise);
  ASSERT_TRUE(slope);
}

static void test_results_json_round_trip(void) {
  lg_results_t r;
  lg_sample_results(&r);
  lg_mkdirs(LG_TEST_TMP);
  char *a = lg_fmt("%s/a.json", LG_TEST_TMP),
       *b = lg_fmt("%s/b.json", LG_TEST_TMP);
  ASSERT_EQ(lg_results_save(&r, a), 0);
  lg_results_t back;
  char *err = NULL;
  int rc = lg_results_load(a, &back, &err);
  if (rc)
    fprintf(stderr, "%s\n", err);
  free(err);
  ASSERT_EQ(rc, 0);
  ASSERT_EQ(lg_results_save(&back, b), 0);
  char *sa = lg_read_file(a, NULL), *sb = lg_read_file(b, NULL);
  int same = sa && sb && strcmp(sa, sb) == 0;
  int samples = strstr(sa, "\"values\"") != NULL;
  size_t n = back.nruns, nf = back.runs[1].nfindings;
  lg_results_free(&r);
  lg_results_free(&back);
  free(sa);
  free(sb);
  free(a);
  free(b);
  ASSERT_TRUE(same);
  ASSERT_TRUE(samples);
  ASSERT_EQ(n, 2);
  ASSERT_EQ(nf, 1);
}

static void test_results_json_rejects_bad_input(void) {
  lg_mkdirs(LG_TEST_TMP);
  const char *bad[] = {
      "not json", "{\"schema\":\"other\"}",
      "{\"schema\":\"leakgate-results\",\"schema_version\":99}",
      "{\"schema\":\"leakgate-results\",\"schema_version\":1,"
      "\"runs\":[{\"scenario\":\"a\",\"variant\":\"b\","
      "\"verdict\":\"MAYBE\",\"detected\":\"PASS\"}]}"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char *p = lg_fmt("%s/bad%zu.json", LG_TEST_TMP, i);
    lg_write_file(p, bad[i], strlen(bad[i]));
    lg_results_t r;
    char *err = NULL;
    int rc = lg_results_load(p, &r, &err);
    int named = err && strstr(err, p) != NULL;
    free(err);
    free(p);
    ASSERT_EQ(rc, -1);
    ASSERT_TRUE(named);
  }
}

static void test_noise_and_min_detectable(void) {
  lg_results_t r;
  lg_sample_results(&r);
  r.runs[0].metrics[0].trend.resid_sd = 30; /* control noise */
  r.runs[0].metrics[0].trend.slope_lo = -0.2;
  r.runs[0].metrics[0].trend.slope_hi = 0.4;
  lg_analyze_noise(&r);
  int ok = r.nnoise == 1 && r.noise[0].sd == 30 && r.noise[0].slope == 0.4;
  /* span 90 iterations: 3 * 30 / 90 = 1 < threshold 16 -> 16 */
  double md = r.runs[1].min_detectable;
  r.runs[1].metrics[0].threshold = NAN;
  lg_analyze_noise(&r);
  double md2 = r.runs[1].min_detectable;
  lg_results_free(&r);
  ASSERT_TRUE(ok);
  ASSERT_DBL_NEAR(md, 16, 1e-9);
  ASSERT_DBL_NEAR(md2, 1, 1e-9);
}

static const check_case_t cases[] = {
    {"junit_shape", test_junit_shape},
    {"html_well_formed_self_contained", test_html_well_formed_self_contained},
    {"markdown", test_markdown},
    {"results_json_round_trip", test_results_json_round_trip},
    {"results_json_rejects_bad_input", test_results_json_rejects_bad_input},
    {"noise_and_min_detectable", test_noise_and_min_detectable},
    {NULL, NULL}};

CHECK_MAIN(cases)
