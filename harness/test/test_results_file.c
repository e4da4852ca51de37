/* Unit tests: results.json round-trips exactly, partial and hostile files
 * load (or are refused naming the key), and the loader and the writers stay
 * linear in the metrics and the runs. */
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
#include "report_fixture.h"
#include "text.h"
#include "util.h"

static void test_results_json_round_trip(void) {
  lg_results_t r;
  lg_sample_results(&r);
  lg_mkdirs(LG_TEST_TMP);
  char *a = lg_fmt("%s/a.json", LG_TEST_TMP),
       *b = lg_fmt("%s/b.json", LG_TEST_TMP);
  ASSERT_EQ(lg_results_save(&r, a), 0);
  lg_results_t back;
  int rc = lg_load_ok(a, &back);
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
    char *err = lg_load_err(p);
    int named = err && strstr(err, p) != NULL;
    free(err);
    free(p);
    ASSERT_TRUE(named);
  }
}

/* ---- output validity and robust loading (issue 14) -------------------- */

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
  int rc = lg_load_ok(p, &r);
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
    char *err = lg_load_err(p);
    int named = err && strstr(err, bad[i].key) != NULL && strstr(err, p);
    if (!named)
      fprintf(stderr, "case %zu: got '%s'\n", i, err ? err : "(no error)");
    free(err);
    free(p);
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
  int rc = lg_load_ok(p, &r);
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
  int rc = lg_load_ok(p, &r);
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

/* The partial file (lg_results_save_texts: runs serialised once, joined to
 * the header) loads to the same result set as lg_results_save's file: it
 * saves again byte for byte the same. */
static void test_save_texts_same_results(void) {
  lg_results_t r;
  lg_sample_results(&r);
  lg_mkdirs(LG_TEST_TMP);
  char *a = lg_fmt("%s/texts-a.json", LG_TEST_TMP),
       *b = lg_fmt("%s/texts-b.json", LG_TEST_TMP),
       *c = lg_fmt("%s/texts-c.json", LG_TEST_TMP);
  char *texts[2] = {lg_run_to_text(&r.runs[0]), lg_run_to_text(&r.runs[1])};
  ASSERT_EQ(r.nruns, 2);
  ASSERT_TRUE(texts[0] && texts[1]);
  ASSERT_EQ(lg_results_save_texts(&r, texts, 2, a), 0);
  ASSERT_EQ(lg_results_save(&r, b), 0);
  lg_results_t ra, rb;
  ASSERT_EQ(lg_load_ok(a, &ra), 0);
  ASSERT_EQ(lg_load_ok(b, &rb), 0);
  ASSERT_EQ(lg_results_save(&ra, a), 0);
  ASSERT_EQ(lg_results_save(&rb, c), 0);
  char *sa = lg_read_file(a, NULL), *sc = lg_read_file(c, NULL);
  int same = sa && sc && strcmp(sa, sc) == 0;
  size_t n = ra.nruns;
  lg_results_free(&r);
  lg_results_free(&ra);
  lg_results_free(&rb);
  LG_FREE_ALL(texts[0], texts[1], sa, sc, a, b, c);
  ASSERT_EQ(n, 2);
  ASSERT_TRUE(same);
}

static const check_case_t cases[] = {
    {"results_json_round_trip", test_results_json_round_trip},
    {"results_json_rejects_bad_input", test_results_json_rejects_bad_input},
    {"load_partial_results", test_load_partial_results},
    {"load_refuses_wrong_types", test_load_refuses_wrong_types},
    {"unknown_keys_round_trip", test_unknown_keys_round_trip},
    {"many_metrics", test_many_metrics},
    {"many_runs", test_many_runs},
    {"save_texts_same_results", test_save_texts_same_results},
    {"invalid_names_in_memory", test_invalid_names_in_memory},
    {NULL, NULL}};

CHECK_MAIN(cases)
