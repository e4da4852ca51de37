/* Unit tests: the report writers render the model as it is; JUnit has the
 * usual schema shape; report.html is well-formed (parsed with expat) and
 * self-contained; the headline says the cause. results.json itself:
 * test_results_file.c. */
#include <expat.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze.h"
#include "check.h"
#include "detect.h"
#include "leakclass.h"
#include "model.h"
#include "report.h"
#include "report_fixture.h"
#include "text.h"
#include "util.h"

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

/* A relocatable build's debug path ("Compiler cache", CMakeLists.txt) is
 * shown cleaned in report.html and junit.xml; an absolute one as it is. */
static void test_frames_show_clean_paths(void) {
  lg_results_t r;
  lg_sample_results(&r);
  lg_frame_t *fr = r.runs[1].findings[0].stacks[0].frames;
  ASSERT_TRUE(r.runs[1].findings[0].stacks[0].nframes >= 2);
  free(fr[0].file);
  fr[0].file = lg_xstrdup("./build/valgrind/../../core/src/alloc.c");
  free(fr[1].file);
  fr[1].file = lg_xstrdup("/usr/include/x86_64-linux-gnu/bits/x.h");
  char *html = lg_render_html(&r);
  char *xml = lg_render_junit(&r);
  lg_results_free(&r);
  for (int k = 0; k < 2; k++) {
    const char *doc = k ? xml : html;
    ASSERT_TRUE(strstr(doc, " core/src/alloc.c:") != NULL);
    ASSERT_TRUE(strstr(doc, "../core/src/alloc.c") == NULL);
    ASSERT_TRUE(strstr(doc, " /usr/include/x86_64-linux-gnu/bits/x.h:") !=
                NULL);
  }
  free(html);
  free(xml);
  char *none = lg_path_shown(NULL);
  ASSERT_STR_EQ(none, "?");
  free(none);
}

static void test_html_well_formed_self_contained(void) {
  char *html = lg_sample_html();
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
  free(r.control); /* one control per language, as the manifest's array */
  r.control = lg_xstrdup("control-noop.c,control-noop.js");
  char *md = lg_render_markdown(&r);
  char *html = lg_render_html(&r);
  lg_results_free(&r);
  int noise_html =
      strstr(html, "From the control scenarios <code>control-noop.c, "
                   "control-noop.js</code>") != NULL;
  free(html);
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
  int noise = strstr(md, "## Noise floor (control: control-noop.c, "
                         "control-noop.js)") != NULL;
  int slope = strstr(md, "+123 B/it") != NULL;
  free(md);
  ASSERT_TRUE(head);
  ASSERT_TRUE(table);
  ASSERT_TRUE(leak);
  ASSERT_TRUE(pipe);
  ASSERT_TRUE(findings);
  ASSERT_TRUE(noise);
  ASSERT_TRUE(noise_html);
  ASSERT_TRUE(slope);
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
  int rc = lg_load_ok(p, &back);
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
  char *html = lg_sample_html();
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
  int rc = lg_load_ok(p, &r);
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

/* Scenarios by their runs' summed time, largest first, the first
 * LG_TIME_SCENARIOS of them and how many more; in both documents. */
static void test_time_scenarios(void) {
  lg_results_t r = {0};
  for (int k = 0; k < LG_TIME_SCENARIOS + 2; k++)
    for (int v = 0; v < 2; v++) {
      lg_run_t *run = lg_results_add_run(&r);
      run->scenario = lg_fmt("s%d.js", k);
      run->variant = lg_xstrdup(v ? "asan" : "release");
      run->wall_s = k == 3 ? 10.0 + v : 1.0;
    }
  char *line = check_defer_free(lg_time_scenarios(&r));
  char *md = check_defer_free(lg_render_markdown(&r));
  char *html = check_defer_free(lg_render_html(&r));
  lg_results_free(&r);
  ASSERT_STR_EQ(line, "Scenarios by time (summed over their runs): s3.js "
                      "21.0 s (2 runs), s0.js 2.0 s (2 runs), s1.js 2.0 s (2 "
                      "runs), s2.js 2.0 s (2 runs), s4.js 2.0 s (2 runs), "
                      "s5.js 2.0 s (2 runs), s6.js 2.0 s (2 runs), s7.js 2.0 "
                      "s (2 runs), 2 more scenarios");
  ASSERT_TRUE(strstr(md, line) != NULL);
  ASSERT_TRUE(strstr(html, "s3.js 21.0 s (2 runs)") != NULL);
  lg_results_t empty = {0};
  ASSERT_TRUE(lg_time_scenarios(&empty) == NULL);
}

static void lg_results_fini(void *r) {
  lg_results_free(r);
}

/* A run or self-test cell without a duration (an interrupted run, a
 * results file without it) shows 0.0s, never "nan", in every report; the
 * terminal's self-test list makes the manifest's names terminal-safe. */
static void test_missing_seconds(void) {
  lg_results_t *r = check_alloc(sizeof *r, lg_results_fini);
  lg_sample_results(r);
  r->runs[0].wall_s = NAN;
  r->has_selftest = 1;
  r->ncells = 1;
  r->cells = lg_xcalloc(1, sizeof *r->cells);
  r->cells[0].defect = lg_xstrdup("leak-a\x1b[2J");
  r->cells[0].column = lg_xstrdup("asan");
  r->cells[0].designated = 1;
  r->cells[0].status = LG_C_CAUGHT;
  r->cells[0].seconds = NAN;
  char *md = check_defer_free(lg_render_markdown(r));
  char *html = check_defer_free(lg_render_html(r));
  ASSERT_TRUE(md && html);
  ASSERT_TRUE(strstr(md, "caught (0.0s)") != NULL);
  ASSERT_TRUE(strstr(md, "nan") == NULL);
  ASSERT_TRUE(strstr(html, "nans") == NULL);
  FILE *f = tmpfile();
  ASSERT_TRUE(f != NULL);
  lg_term_selftest(f, r);
  char term[4096];
  size_t n = (size_t)ftell(f);
  rewind(f);
  n = fread(term, 1, n < sizeof term - 1 ? n : sizeof term - 1, f);
  fclose(f);
  term[n] = '\0';
  ASSERT_TRUE(strstr(term, "leak-a\\x1b[2J") != NULL);
  ASSERT_TRUE(strchr(term, '\x1b') == NULL);
  ASSERT_TRUE(strstr(term, "nan") == NULL);
}

/* The benchmark table names what each JS ratio compares: a peer's is
 * evstore's end-to-end figure over the peer's, not a ratio to EventEmitter. */
static void test_bench_ratio_labels(void) {
  lg_results_t r;
  lg_sample_results(&r);
  json_error_t err;
  json_t *bench = json_loads(
      "{\"js\": {\"benchmarks\": ["
      "{\"name\": \"delivery alone\", \"items_per_second\": 4.8e7, "
      "\"ratio\": 0.79, \"ratio_label\": \"vs EventEmitter\"},"
      "{\"name\": \"peer: ring\", \"items_per_second\": 1.5e7, "
      "\"ratio\": 0.73, \"ratio_label\": \"evstore end to end / peer\"},"
      "{\"name\": \"unlabelled\", \"items_per_second\": 1e6, "
      "\"ratio\": 2}]}}",
      0, &err);
  ASSERT_TRUE(bench != NULL);
  lg_results_set_bench(&r, bench);
  char *md = check_defer_free(lg_render_markdown(&r));
  char *html = check_defer_free(lg_render_html(&r));
  lg_results_free(&r);
  ASSERT_TRUE(md && html);
  ASSERT_TRUE(strstr(md, "delivery alone (0.79x vs EventEmitter)") != NULL);
  ASSERT_TRUE(strstr(md, "peer: ring (0.73x evstore end to end / peer)") !=
              NULL);
  ASSERT_TRUE(strstr(md, "unlabelled (2.00x)") != NULL);
  ASSERT_TRUE(strstr(md, "peer: ring (0.73x EventEmitter)") == NULL);
  ASSERT_TRUE(strstr(html, "0.73x evstore end to end / peer") != NULL);
}

static const check_case_t cases[] = {
    {"frames_show_clean_paths", test_frames_show_clean_paths},
    {"time_line", test_time_line},
    {"time_scenarios", test_time_scenarios},
    {"junit_shape", test_junit_shape},
    {"html_well_formed_self_contained", test_html_well_formed_self_contained},
    {"markdown", test_markdown},
    {"noise_and_min_detectable", test_noise_and_min_detectable},
    {"hostile_text", test_hostile_text},
    {"text_helpers", test_text_helpers},
    {"html_headline_and_fold", test_html_headline_and_fold},
    {"negative_control_shown_caught", test_negative_control_shown_caught},
    {"headline_causes", test_headline_causes},
    {"not_judged_shown", test_not_judged_shown},
    {"missing_seconds", test_missing_seconds},
    {"bench_ratio_labels", test_bench_ratio_labels},
    {NULL, NULL}};

CHECK_MAIN(cases)
