/* Unit tests: the report writers render the model as it is; JUnit has the
 * usual schema shape; report.html is well-formed (parsed with expat) and
 * self-contained; results.json round-trips exactly. */
#include <expat.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze.h"
#include "check.h"
#include "detect.h"
#include "model.h"
#include "report.h"
#include "text.h"
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
  /* The first line says why; failing rows come before the folded passes. */
  int head = strncmp(md,
                     "# leakgate FAIL: 1 run LEAK — sub\\|churn "
                     "\\<\\&\\>/release: mallocInUse grows \\| by a lot "
                     "\\<b\\>\n",
                     strlen("# leakgate FAIL: 1 run LEAK — sub\\|churn "
                            "\\<\\&\\>/release: mallocInUse grows \\| by "
                            "a lot \\<b\\>\n")) == 0;
  const char *leak_row =
      strstr(md, "| ❌ | sub\\|churn \\<\\&\\> | release | **LEAK**");
  const char *fold = strstr(md, "<details><summary>1 passing run</summary>");
  const char *pass_row = strstr(md, "| ✅ | control-noop | release | **PASS**");
  int table =
      leak_row && fold && pass_row && leak_row < fold && fold < pass_row;
  int leak = leak_row != NULL;
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

/* ---- output validity and robust loading (issue 14) -------------------- */

/* Writes text to LG_TEST_TMP/name and runs xmllint --noout on it (as XML:
 * report.html is XHTML-compatible, so this is stricter than --html). */
static int lg_xmllint(const char *name, const char *text) {
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

static char *lg_tmp_write(const char *name, const char *text) {
  lg_mkdirs(LG_TEST_TMP);
  char *p = lg_fmt("%s/%s", LG_TEST_TMP, name);
  lg_write_file(p, text, strlen(text));
  return p;
}

/* Renders every writer and checks junit.xml and report.html with xmllint. */
static int lg_render_all_valid(const lg_results_t *r, const char *tag) {
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

static void test_load_partial_results(void) {
  /* Selftest cells and gate rows without their optional fields, a run with
   * only its identity, a finding without detector/kind, a metric without
   * values, samples without phases: 'report' crashed on such files. */
  const char *text =
      "{\"schema\":\"leakgate-results\",\"schema_version\":1,"
      "\"runs\":[{\"scenario\":\"a\",\"variant\":\"asan\",\"verdict\":"
      "\"LEAK\",\"samples\":{\"i\":[0,10,20]},\"metrics\":[{\"name\":"
      "\"mallocInUse\",\"fitted\":true},{\"name\":\"rss\",\"values\":[1,2]}],"
      "\"findings\":[{\"stacks\":[{\"frames\":[{}]}]}]},"
      "{\"scenario\":\"b\",\"variant\":\"asan\",\"verdict\":\"PASS\"}],"
      "\"selftest\":{\"cells\":[{},{\"designated\":true}]},"
      "\"gate\":{\"rows\":[{},{\"status\":\"regression\"}]}}";
  char *p = lg_tmp_write("partial.json", text);
  lg_results_t r;
  char *err = NULL;
  int rc = lg_results_load(p, &r, &err);
  if (rc)
    fprintf(stderr, "%s\n", err);
  free(err);
  free(p);
  ASSERT_EQ(rc, 0);
  int shape = r.nruns == 2 && r.runs[0].nsamples == 3 &&
              r.runs[0].nmetrics == 2 && !r.runs[0].metrics[0].fitted &&
              r.runs[0].nfindings == 1 && r.ncells == 2 && r.ngate == 2 &&
              r.cells[0].status == LG_C_UNKNOWN &&
              r.gate[0].status == LG_G_REGRESSION &&
              strcmp(r.runs[0].findings[0].detector, "?") == 0 &&
              strcmp(r.runs[0].sphase[0], "?") == 0;
  /* No recorded exit code: the content decides (a LEAK run fails), and the
   * derived ok flags follow the verdicts. */
  int derived = r.exit_code == 1 && !r.runs[0].ok && r.runs[1].ok &&
                !r.selftest_ok && !r.gate_ok;
  int valid = lg_render_all_valid(&r, "partial");
  char *h = lg_headline(&r);
  int head = strncmp(h, "FAIL: ", 6) == 0;
  free(h);
  lg_results_free(&r);
  ASSERT_TRUE(shape);
  ASSERT_TRUE(derived);
  ASSERT_TRUE(valid);
  ASSERT_TRUE(head);
}

static void test_load_refuses_wrong_types(void) {
  struct {
    const char *json, *key;
  } bad[] = {
      {"{\"schema\":\"leakgate-results\",\"schema_version\":1,\"runs\":{}}",
       "key 'runs': expected an array, found an object"},
      {"{\"schema\":\"leakgate-results\",\"schema_version\":1,\"runs\":[{"
       "\"scenario\":\"a\",\"variant\":\"v\",\"verdict\":\"PASS\","
       "\"wall_s\":\"slow\"}]}",
       "key 'runs[0](a/v).wall_s': expected a number, found a string"},
      {"{\"schema\":\"leakgate-results\",\"schema_version\":1,\"runs\":[],"
       "\"gate\":{\"rows\":[7]}}",
       "key 'gate.rows[0]': expected an object, found a number"},
      {"{\"schema\":\"leakgate-results\",\"schema_version\":1,\"runs\":[],"
       "\"selftest\":{\"cells\":[{\"status\":true}]}}",
       "key 'selftest.cells[0].status': expected a string, found a boolean"},
      {"{\"schema\":\"leakgate-results\",\"schema_version\":1,\"runs\":[{"
       "\"scenario\":\"a\",\"variant\":\"v\",\"verdict\":\"PASS\","
       "\"metrics\":[{\"name\":\"x\",\"fitted\":true,\"trend\":{\"slope\":"
       "[]}}]}]}",
       "key 'runs[0](a/v).metrics[0].trend.slope': expected a number"},
      {"{\"schema\":\"leakgate-results\",\"schema_version\":1,\"runs\":[{"
       "\"scenario\":\"a\",\"variant\":\"v\",\"verdict\":\"PASS\","
       "\"samples\":{\"i\":[0,\"1\"]}}]}",
       "key 'runs[0](a/v).samples.i[1]': expected a number, found a string"},
      {"{\"schema\":\"leakgate-results\",\"schema_version\":2,\"runs\":[]}",
       "this leakgate reads version 1, the file is version 2"},
      {"[]", "expected a JSON object, found an array"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char *name = lg_fmt("wrongtype%zu.json", i);
    char *p = lg_tmp_write(name, bad[i].json);
    free(name);
    lg_results_t r;
    char *err = NULL;
    int rc = lg_results_load(p, &r, &err);
    int named = err && strstr(err, bad[i].key) != NULL && strstr(err, p);
    if (!named)
      fprintf(stderr, "case %zu: got '%s'\n", i, err ? err : "(no error)");
    free(err);
    free(p);
    ASSERT_EQ(rc, -1);
    ASSERT_TRUE(named);
  }
}

static void test_unknown_keys_round_trip(void) {
  const char *text =
      "{\"schema\":\"leakgate-results\",\"schema_version\":1,\"runs\":[],"
      "\"exit_code\":0,\"tolerance\":{\"slope_rel\":0.5,\"metrics\":{"
      "\"mallocInUse\":{\"slope_abs\":8}}},\"future\":[1,2,3]}";
  char *p = lg_tmp_write("unknown.json", text);
  char *q = lg_fmt("%s/unknown-out.json", LG_TEST_TMP);
  lg_results_t r;
  char *err = NULL;
  int rc = lg_results_load(p, &r, &err);
  free(err);
  ASSERT_EQ(rc, 0);
  ASSERT_EQ(lg_results_save(&r, q), 0);
  lg_results_free(&r);
  json_t *a = json_load_file(p, 0, NULL), *b = json_load_file(q, 0, NULL);
  int tol = json_equal(json_object_get(a, "tolerance"),
                       json_object_get(b, "tolerance"));
  int fut =
      json_equal(json_object_get(a, "future"), json_object_get(b, "future"));
  json_decref(a);
  json_decref(b);
  free(p);
  free(q);
  ASSERT_TRUE(tol);
  ASSERT_TRUE(fut);
}

/* Text that is not valid UTF-8, XML-illegal code points and control bytes in
 * every place scenario output reaches: nothing is dropped from results.json,
 * and junit.xml and report.html stay well-formed. */
static void test_hostile_text(void) {
  lg_results_t r;
  lg_sample_results(&r);
  lg_run_t *run = &r.runs[1];
  free(run->evidence);
  run->evidence = lg_xstrdup("bad \xff\xfe utf8, nonchar \xef\xbf\xbe and "
                             "\xef\xbf\xbf, surrogate \xed\xa0\x80, ctl \x01"
                             "\x1b[31m red, cr\r <script>x</script> `|` &");
  lg_finding_t *f = &run->findings[0];
  free(f->message);
  f->message = lg_xstrdup("message \xc3\x28 \x7f\xc2\x85");
  free(f->stacks[0].frames[0].fn);
  f->stacks[0].frames[0].fn = lg_xstrdup("fn\xf8\x88\x80\x80\x80");
  lg_mkdirs(LG_TEST_TMP);
  char *p = lg_fmt("%s/hostile.json", LG_TEST_TMP);
  ASSERT_EQ(lg_results_save(&r, p), 0);
  lg_results_free(&r);
  lg_results_t back;
  char *err = NULL;
  int rc = lg_results_load(p, &back, &err);
  if (rc)
    fprintf(stderr, "%s\n", err);
  free(err);
  free(p);
  ASSERT_EQ(rc, 0);
  const lg_run_t *b = &back.runs[1];
  int kept = b->evidence && strstr(b->evidence, "bad \\xff\\xfe utf8") &&
             strstr(b->evidence, "surrogate \\xed\\xa0\\x80") &&
             b->nfindings == 1 && b->findings[0].message &&
             strstr(b->findings[0].message, "message \\xc3( ") &&
             strcmp(b->findings[0].stacks[0].frames[0].fn,
                    "fn\\xf8\\x88\\x80\\x80\\x80") == 0;
  int valid = lg_render_all_valid(&back, "hostile");
  char *xml = lg_render_junit(&back), *html = lg_render_html(&back),
       *md = lg_render_markdown(&back), *head = lg_headline(&back);
  int shown = strstr(xml, "nonchar \\uFFFE and \\uFFFF") &&
              strstr(xml, "ctl \\x01\\x1b[31m red") &&
              strstr(html, "nonchar \\uFFFE and \\uFFFF") &&
              strstr(xml, "\\x7f\\u0085");
  /* summary.md: no raw HTML, no broken table, no control bytes. */
  const char *raw = md;
  while ((raw = strstr(raw, "<script")) != NULL && raw > md && raw[-1] == '\\')
    raw++;
  int md_safe = raw == NULL && strstr(md, "\\<script\\>") &&
                strstr(md, "\\`\\|\\` \\&") && !strchr(md, '\x1b') &&
                !strchr(md, '\r') && !strchr(md, '\x01');
  int head_safe = !strchr(head, '\x1b') && lg_utf8_valid(head);
  free(xml);
  free(html);
  free(md);
  free(head);
  lg_results_free(&back);
  ASSERT_TRUE(kept);
  ASSERT_TRUE(valid);
  ASSERT_TRUE(shown);
  ASSERT_TRUE(md_safe);
  ASSERT_TRUE(head_safe);
}

static void test_text_helpers(void) {
  ASSERT_TRUE(lg_utf8_valid("plain ✅ \xf0\x9f\x98\x80"));
  ASSERT_TRUE(!lg_utf8_valid("\xc0\xaf"));         /* overlong '/' */
  ASSERT_TRUE(!lg_utf8_valid("\xed\xb0\x80"));     /* lone low surrogate */
  ASSERT_TRUE(!lg_utf8_valid("\xf4\x90\x80\x80")); /* > U+10FFFF */
  ASSERT_TRUE(!lg_utf8_valid("\xe2\x82"));         /* truncated */
  char *s = lg_utf8_sanitize("a\xe2\x82z\xff");
  ASSERT_STR_EQ(s, "a\\xe2\\x82z\\xff");
  free(s);
  char *t = lg_text_terminal("\x1b[2J\tok\n\xe2\x80\xae!", 0);
  ASSERT_STR_EQ(t, "\\x1b[2J\\x09ok\\x0a\\u202E!");
  free(t);
  t = lg_text_terminal("a\nb\tc\x1b", 1);
  ASSERT_STR_EQ(t, "a\nb\tc\\x1b");
  free(t);
  lg_buf_t b = {0};
  lg_text_md(&b, "a|b`c<d>&e\nf", 0);
  ASSERT_STR_EQ(b.s, "a\\|b\\`c\\<d\\>\\&e f");
  lg_buf_free(&b);
  lg_text_md(&b, "ééééé", 3); /* counts code points, never splits one */
  ASSERT_STR_EQ(b.s, "ééé...");
  lg_buf_free(&b);
  lg_text_md_code(&b, "x ```` y");
  ASSERT_STR_EQ(b.s, "`````\nx ```` y\n`````\n");
  lg_buf_free(&b);
  lg_text_xml(&b, "\"'\t\n\r\xef\xbf\xbe");
  ASSERT_STR_EQ(b.s, "&quot;&#39;&#9;&#10;&#13;\\uFFFE");
  lg_buf_free(&b);
}

/* ---- the cause in the headline, folding, not-judged (issue 13 §7) ----- */

static void test_html_headline_and_fold(void) {
  lg_results_t r;
  lg_sample_results(&r);
  char *html = lg_render_html(&r);
  lg_results_free(&r);
  const char *h1 = strstr(html, "<h1>");
  int head = h1 && strncmp(h1,
                           "<h1>leakgate <span class=\"FAIL\">FAIL: 1 run "
                           "LEAK — sub|churn &lt;&amp;&gt;/release: ",
                           strlen("<h1>leakgate <span class=\"FAIL\">FAIL: 1 "
                                  "run LEAK — sub|churn &lt;&amp;&gt;/release"
                                  ": ")) == 0;
  /* First element of the body. */
  int first = h1 && strstr(html, "<body>") + strlen("<body>") == h1;
  const char *verdicts = strstr(html, "<h2>Verdicts</h2>");
  const char *fail_row = verdicts ? strstr(verdicts, "href=\"#run-1\"") : NULL;
  const char *fold =
      verdicts ? strstr(verdicts, "<details><summary>1 passing run</summary>")
               : NULL;
  const char *pass_row = fold ? strstr(fold, "href=\"#run-0\"") : NULL;
  const char *runs = strstr(html, "<h2>Runs</h2>");
  const char *fail_sec = runs ? strstr(runs, "id=\"run-1\"") : NULL;
  const char *pass_sec = runs ? strstr(runs, "id=\"run-0\"") : NULL;
  int order = fail_row && fold && pass_row && fail_row < fold && fail_sec &&
              pass_sec && fail_sec < pass_sec;
  int valid = lg_xmllint("fold.report.html", html);
  free(html);
  ASSERT_TRUE(head);
  ASSERT_TRUE(first);
  ASSERT_TRUE(order);
  ASSERT_TRUE(valid);
}

/* A negative control that caught its planted defect passes, and every report
 * says what it caught: a bare "PASS" reads as "no leak". */
static void test_negative_control_shown_caught(void) {
  lg_results_t r;
  lg_sample_results(&r);
  lg_run_t *run = &r.runs[1];
  free(run->expected);
  run->expected = lg_xstrdup("leak");
  run->verdict = LG_V_PASS;
  run->detected = LG_V_LEAK;
  char *html = lg_render_html(&r);
  char *md = lg_render_markdown(&r);
  lg_results_free(&r);
  int grid = strstr(html, "href=\"#run-1\">PASS (LEAK expected)</a>") != NULL;
  int row = strstr(md, "| **PASS (LEAK expected)** |") != NULL;
  /* The control that expected nothing still reads plain PASS. */
  int plain = strstr(html, "href=\"#run-0\">PASS</a>") != NULL;
  int valid = lg_xmllint("negctl.report.html", html);
  free(html);
  free(md);
  ASSERT_TRUE(grid);
  ASSERT_TRUE(row);
  ASSERT_TRUE(plain);
  ASSERT_TRUE(valid);
}

static void test_headline_causes(void) {
  lg_results_t r;
  lg_sample_results(&r);
  /* A pass with a gate and a selftest says what was checked. */
  r.runs[1].ok = 1;
  r.runs[1].verdict = LG_V_PASS;
  r.exit_code = 0;
  r.has_gate = 1;
  r.gate_ok = 1;
  r.ngate = 1;
  r.gate = lg_xcalloc(1, sizeof *r.gate);
  r.gate[0].scenario = lg_xstrdup("sub");
  r.gate[0].variant = lg_xstrdup("asan");
  r.gate[0].what = lg_xstrdup("heapUsed slope");
  r.gate[0].status = LG_G_IMPROVEMENT;
  r.has_selftest = 1;
  r.selftest_ok = 1;
  r.ncells = 2;
  r.cells = lg_xcalloc(2, sizeof *r.cells);
  for (int i = 0; i < 2; i++) {
    r.cells[i].defect = lg_xstrdup(i ? "leak-b" : "leak-a");
    r.cells[i].column = lg_xstrdup("asan");
    r.cells[i].designated = 1;
    r.cells[i].status = LG_C_CAUGHT;
  }
  char *h = lg_headline(&r);
  ASSERT_STR_EQ(h, "PASS — 2 runs, gate 0 regressions (1 improvement), "
                   "selftest 2/2 caught");
  free(h);
  /* A gate regression and a missed cell: both causes, gate first. */
  r.gate[0].status = LG_G_REGRESSION;
  r.gate[0].note = lg_xstrdup("+90 B/it > 12 B/it\x1b[0m");
  r.gate_ok = 0;
  r.cells[1].status = LG_C_MISSED;
  r.selftest_ok = 0;
  r.exit_code = 1;
  h = lg_headline(&r);
  ASSERT_STR_EQ(h, "FAIL: 1 gate regression — sub/asan heapUsed slope: +90 "
                   "B/it > 12 B/it\\x1b[0m; selftest 1/2 designated cells "
                   "missed — leak-b/asan");
  free(h);
  lg_results_free(&r);
  /* Many failing runs: three names, then the count. */
  memset(&r, 0, sizeof r);
  for (int i = 0; i < 5; i++) {
    lg_run_t *run = lg_results_add_run(&r);
    run->scenario = lg_fmt("s%d", i);
    run->variant = lg_xstrdup("asan");
    run->verdict = i == 4 ? LG_V_ERROR : LG_V_LEAK;
  }
  r.exit_code = 1;
  h = lg_headline(&r);
  ASSERT_STR_EQ(h, "FAIL: 1 run ERROR — s4/asan; 4 runs LEAK — s0/asan, "
                   "s1/asan, s2/asan, +1 more");
  free(h);
  lg_results_free(&r);
}

static void test_not_judged_shown(void) {
  lg_results_t r;
  lg_sample_results(&r);
  r.runs[0].slopes_judged = 0; /* a valgrind smoke of a JS run, say */
  r.runs[1].metrics[0].not_judged = lg_xstrdup("too short: 12 samples");
  lg_mkdirs(LG_TEST_TMP);
  char *p = lg_fmt("%s/not_judged.json", LG_TEST_TMP);
  ASSERT_EQ(lg_results_save(&r, p), 0);
  lg_results_free(&r);
  char *err = NULL;
  int rc = lg_results_load(p, &r, &err);
  free(err);
  free(p);
  ASSERT_EQ(rc, 0);
  char *md = lg_render_markdown(&r), *html = lg_render_html(&r);
  int md_ok =
      strstr(md, "+0 B/it (not judged: this variant judges no slopes for c "
                 "runs)") &&
      strstr(md, "+123 B/it (not judged: too short: 12 samples)");
  int html_ok = strstr(html, "not judged: this variant judges no slopes") &&
                strstr(html, "not judged: too short: 12 samples");
  free(md);
  free(html);
  lg_results_free(&r);
  ASSERT_TRUE(md_ok);
  ASSERT_TRUE(html_ok);
}

/* A sample with 40 000 keys took 14.6 s and made a 42 MB report.html: the
 * loader and the writers are linear, and the page charts only the judged
 * metrics and a bounded number of others. */
static void test_many_metrics(void) {
  enum { NM = 40000, NS = 12 };
  lg_results_t r;
  memset(&r, 0, sizeof r);
  r.created = lg_xstrdup("2024-01-01T00:00:00Z");
  lg_run_t *run = lg_results_add_run(&r);
  run->scenario = lg_xstrdup("many");
  run->variant = lg_xstrdup("release");
  run->verdict = run->detected = LG_V_PASS;
  run->ok = 1;
  run->slopes_judged = 1;
  run->primary = lg_xstrdup("k0");
  for (int i = 0; i < NS; i++)
    lg_run_sample_add(run, i * 10, i, i ? "iterate" : "baseline");
  /* Built directly (lg_run_metric_add looks names up linearly); never
   * appended to afterwards. */
  run->metrics = lg_xcalloc(NM, sizeof *run->metrics);
  for (int k = 0; k < NM; k++) {
    lg_metric_t *m = &run->metrics[run->nmetrics++];
    m->name = lg_fmt("k%d", k);
    m->v = lg_xmalloc(NS * sizeof *m->v);
    for (int i = 0; i < NS; i++)
      m->v[i] = k + i;
    m->threshold = k < 3 ? 16 : NAN;
    m->baseline = m->final = m->peak = m->noise_sd = NAN;
    m->min_detectable = NAN;
  }
  lg_mkdirs(LG_TEST_TMP);
  char *p = lg_fmt("%s/many.json", LG_TEST_TMP);
  double t0 = lg_now_ms();
  ASSERT_EQ(lg_results_save(&r, p), 0);
  lg_results_free(&r);
  char *err = NULL;
  int rc = lg_results_load(p, &r, &err);
  free(err);
  free(p);
  ASSERT_EQ(rc, 0);
  double t1 = lg_now_ms();
  char *html = lg_render_html(&r), *md = lg_render_markdown(&r),
       *xml = lg_render_junit(&r);
  double t2 = lg_now_ms();
  size_t nmetrics = r.runs[0].nmetrics, len = strlen(html);
  lg_results_free(&r);
  lg_xml_t x;
  int ok = lg_parse_xml(strstr(html, "<html"), &x);
  int note = strstr(html, "39985 more metrics not charted") != NULL;
  fprintf(stderr,
          "40000 metrics: save+load %.0f ms, render %.0f ms, html %zu bytes, "
          "%d charts\n",
          t1 - t0, t2 - t1, len, x.svgs);
  free(html);
  free(md);
  free(xml);
  ASSERT_EQ(nmetrics, NM);
  ASSERT_TRUE(ok);
  ASSERT_EQ(x.svgs, 3 + 12); /* judged (thresholded) + bounded others */
  ASSERT_TRUE(note);
  ASSERT_LT(len, 200000);
  /* Seconds before; generous for sanitizer and valgrind builds. */
  ASSERT_LT(t2 - t1, 2000);
}

/* Many runs and selftest cells: the writers stay linear (the at-a-glance
 * grid looked every cell up over all runs, the selftest matrices over all
 * cells, JUnit's suites over all earlier runs: 5.4 s for 12 000 runs and
 * 2 400 cells before, 0.1 s now). Checked as a ratio, so that sanitizer and
 * valgrind builds, slower by a constant factor, judge the same: eight
 * times the input must take less than 24 times as long (linear: 8,
 * quadratic: 64; the margin absorbs cache effects and a noisy machine). */
static void lg_many_runs(lg_results_t *r, int nsc) {
  enum { NV = 4, NCOL = 6 };
  static const char *const variants[NV] = {"release", "asan", "tsan", "vg"};
  memset(r, 0, sizeof *r);
  for (int sc = 0; sc < nsc; sc++)
    for (int v = 0; v < NV; v++) {
      lg_run_t *run = lg_results_add_run(r);
      run->scenario = lg_fmt("scenario-%d", sc);
      run->variant = lg_xstrdup(variants[v]);
      run->verdict = run->detected = sc % 100 ? LG_V_PASS : LG_V_LEAK;
      run->ok = sc % 100 != 0;
      run->evidence = lg_xstrdup("e");
    }
  r->has_selftest = 1;
  r->ncells = (size_t)nsc / 8 * NCOL;
  r->cells = lg_xcalloc(r->ncells, sizeof *r->cells);
  for (size_t i = 0; i < r->ncells; i++) {
    r->cells[i].defect = lg_fmt("defect-%zu", i / NCOL);
    r->cells[i].column = lg_fmt("col-%zu", i % NCOL);
    r->cells[i].designated = 1;
    r->cells[i].status = i == 7 ? LG_C_MISSED : LG_C_CAUGHT;
  }
  r->exit_code = 1;
}

/* This process's CPU time in ms: other jobs on a shared machine do not
 * count. */
static double lg_cpu_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Best of `reps` renderings of every writer, in CPU ms. */
static double lg_render_ms(const lg_results_t *r, int reps) {
  double best = INFINITY;
  for (int k = 0; k < reps; k++) {
    double t0 = lg_cpu_ms();
    char *xml = lg_render_junit(r), *md = lg_render_markdown(r),
         *html = lg_render_html(r);
    double t = lg_cpu_ms() - t0;
    best = t < best ? t : best;
    free(xml);
    free(md);
    free(html);
  }
  return best;
}

static void test_many_runs(void) {
  lg_results_t r;
  lg_many_runs(&r, 1000);
  double small = lg_render_ms(&r, 5);
  lg_results_free(&r);
  lg_many_runs(&r, 8000);
  double big = lg_render_ms(&r, 2);
  char *xml = lg_render_junit(&r), *md = lg_render_markdown(&r),
       *html = lg_render_html(&r);
  fprintf(stderr, "4000 vs 32000 runs: %.1f ms vs %.1f ms (x%.1f)\n", small,
          big, big / small);
  lg_results_free(&r);
  lg_xml_t x;
  int ok = lg_parse_xml(xml, &x) && x.suites == 4 + 1;
  int cell =
      strstr(md, "| defect-1 | ✅ caught (0.0s) | ❌ missed (0.0s) |") != NULL;
  int grid = strstr(html, "<tr><td>scenario-7999</td><td class=\"PASS\"><a "
                          "href=\"#run-31996\">PASS</a></td>") != NULL;
  free(xml);
  free(md);
  free(html);
  ASSERT_TRUE(ok);
  ASSERT_TRUE(cell);
  ASSERT_TRUE(grid);
  ASSERT_LT(big, 24 * small);
}

/* A model built in memory (before results.json) may hold names that are not
 * valid UTF-8: the grids still group them (one row per name) and every
 * output stays valid. */
static void test_invalid_names_in_memory(void) {
  lg_results_t r;
  memset(&r, 0, sizeof r);
  for (int v = 0; v < 2; v++) {
    lg_run_t *run = lg_results_add_run(&r);
    run->scenario = lg_xstrdup("s\xff");
    run->variant = lg_xstrdup(v ? "asan" : "release");
    run->verdict = run->detected = LG_V_PASS;
    run->ok = 1;
  }
  r.has_selftest = 1;
  r.selftest_ok = 1;
  r.ncells = 2;
  r.cells = lg_xcalloc(2, sizeof *r.cells);
  for (int i = 0; i < 2; i++) {
    r.cells[i].defect = lg_xstrdup("d\xfe");
    r.cells[i].column = lg_xstrdup(i ? "asan" : "release");
    r.cells[i].status = LG_C_CAUGHT;
    r.cells[i].designated = 1;
  }
  char *html = lg_render_html(&r), *md = lg_render_markdown(&r);
  int valid = lg_render_all_valid(&r, "names");
  lg_results_free(&r);
  const char *row = strstr(html, "<tr><td>s\\xff</td>");
  int one_row = row && !strstr(row + 1, "<tr><td>s\\xff</td>");
  const char *mrow = strstr(md, "| d\\xfe | ✅ caught (0.0s) | ✅ caught");
  free(html);
  free(md);
  ASSERT_TRUE(valid);
  ASSERT_TRUE(one_row);
  ASSERT_TRUE(mrow != NULL);
}

/* Where the time went: variants by total wall time, largest first, each
 * with its count and longest run; in summary.md and report.html. */
static void test_time_line(void) {
  lg_results_t r;
  lg_sample_results(&r); /* two release runs of 1.25 s */
  const char *who[] = {"a.js", "b.js", "c.c"};
  double wall[] = {18.75, 2.0, 0.5};
  for (int k = 0; k < 3; k++) {
    lg_run_t *run = lg_results_add_run(&r);
    run->scenario = lg_xstrdup(who[k]);
    run->variant = lg_xstrdup(k < 2 ? "valgrind" : "tsan");
    run->wall_s = wall[k];
  }
  lg_run_t *untimed = lg_results_add_run(&r);
  untimed->scenario = lg_xstrdup("x.c");
  untimed->variant = lg_xstrdup("tsan");
  untimed->wall_s = NAN;
  char *line = lg_time_line(&r);
  char *md = lg_render_markdown(&r), *html = lg_render_html(&r);
  const char *want = "Time in runs (summed; parallel runs overlap): 24 s over "
                     "5 runs - valgrind 21 s (2 runs, "
                     "longest a.js 18.8 s), release 2 s (2 runs, longest "
                     "control-noop 1.2 s), tsan 0 s (1 run, longest c.c 0.5 s)";
  int same = line && strcmp(line, want) == 0;
  if (!same)
    fprintf(stderr, "got  %s\nwant %s\n", line ? line : "(null)", want);
  int in_md = md && strstr(md, want) != NULL;
  int in_html = html && strstr(html, "valgrind 21 s (2 runs") != NULL;
  free(line);
  free(md);
  free(html);
  lg_results_free(&r);
  ASSERT_TRUE(same);
  ASSERT_TRUE(in_md);
  ASSERT_TRUE(in_html);
  lg_results_t empty = {0};
  ASSERT_TRUE(lg_time_line(&empty) == NULL);
}

static const check_case_t cases[] = {
    {"time_line", test_time_line},
    {"junit_shape", test_junit_shape},
    {"html_well_formed_self_contained", test_html_well_formed_self_contained},
    {"markdown", test_markdown},
    {"results_json_round_trip", test_results_json_round_trip},
    {"results_json_rejects_bad_input", test_results_json_rejects_bad_input},
    {"noise_and_min_detectable", test_noise_and_min_detectable},
    {"load_partial_results", test_load_partial_results},
    {"load_refuses_wrong_types", test_load_refuses_wrong_types},
    {"unknown_keys_round_trip", test_unknown_keys_round_trip},
    {"hostile_text", test_hostile_text},
    {"text_helpers", test_text_helpers},
    {"html_headline_and_fold", test_html_headline_and_fold},
    {"negative_control_shown_caught", test_negative_control_shown_caught},
    {"headline_causes", test_headline_causes},
    {"not_judged_shown", test_not_judged_shown},
    {"many_metrics", test_many_metrics},
    {"many_runs", test_many_runs},
    {"invalid_names_in_memory", test_invalid_names_in_memory},
    {NULL, NULL}};

CHECK_MAIN(cases)
