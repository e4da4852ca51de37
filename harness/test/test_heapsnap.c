/* Unit tests of the JS heap attribution (heapsnap.h): heapdiff.js output as
 * the runner reads it, hostile outputs, and when a run gets a snapshot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "heapsnap.h"
#include "text.h"
#include "util.h"

/* heapdiff.js output as the runner reads it (heapsnap.h): sorted by size,
 * the evidence line, and a copy through results.json's form. */
static void test_heapattr_parse(void) {
  const char *json =
      "{\"heapdiff\":1,\"a\":{},\"b\":{},\"growers\":["
      "{\"kind\":\"array\",\"name\":\"(array)\",\"count\":0,\"size\":40960,"
      "\"retainers\":[\"Store._active\",\"Set.table\",\"(array)\"]},"
      "{\"kind\":\"closure\",\"name\":\"(closure)\",\"function\":\"\","
      "\"location\":\"forgotten-unsubscribe.js:16\",\"count\":200,"
      "\"size\":11200,\"retainers\":[\"Store._table\",\"Object.subs\","
      "\"Array\",\"closure (forgotten-unsubscribe.js:16)\"]},"
      "{\"kind\":\"object\",\"name\":\"Subscription\",\"count\":200,"
      "\"size\":12800,\"retainers_truncated\":true,\"retainers\":["
      "\"a\",\"b\",\"c\",\"Context.store\",\"Store._active\","
      "\"Set.table\",\"(array)\",\"Subscription\"],\"unknown\":1},"
      "{\"kind\":\"object shape\",\"name\":\"(object shape)\",\"count\":3,"
      "\"size\":264,\"retainers\":null}]}";
  lg_heapattr_t *h = lg_xcalloc(1, sizeof *h);
  h->from = 2000;
  h->to = 2200;
  char *err = NULL;
  ASSERT_EQ(lg_heapattr_parse(json, strlen(json), h, &err), 0);
  ASSERT_EQ(h->ngrowers, 4);
  ASSERT_STR_EQ(h->growers[0].name, "(array)"); /* largest size first */
  ASSERT_STR_EQ(h->growers[1].name, "Subscription");
  ASSERT_STR_EQ(h->growers[2].location, "forgotten-unsubscribe.js:16");
  ASSERT_EQ(h->growers[3].nretainers, 0);
  char *line = lg_heapattr_line(h);
  ASSERT_STR_EQ(line,
                "JS heap over iterations 2000..2200: +1 Subscription (+64 B), "
                "+1 closure (forgotten-unsubscribe.js:16) (+56 B) per "
                "iteration; retained by ... -> Context.store -> "
                "Store._active -> Set.table -> (array) -> Subscription");
  free(line);
  /* A copy through the results.json form keeps every field. */
  lg_run_t run, copy;
  memset(&run, 0, sizeof run);
  run.scenario = lg_xstrdup("s");
  run.variant = lg_xstrdup("v");
  run.heap = h;
  lg_run_copy(&copy, &run);
  lg_run_free(&run);
  ASSERT_TRUE(copy.heap != NULL);
  line = lg_heapattr_line(copy.heap);
  int same = strstr(line, "+1 Subscription (+64 B)") != NULL &&
             copy.heap->ngrowers == 4 && copy.heap->growers[1].truncated &&
             copy.heap->growers[1].nretainers == 8;
  free(line);
  lg_run_free(&copy);
  ASSERT_TRUE(same);

  /* In-place growth only (no group grows by an object every other
   * iteration): the totals; nothing at all: the note. */
  h = lg_xcalloc(1, sizeof *h);
  h->from = 0;
  h->to = 100;
  const char *inplace = "{\"heapdiff\":1,\"growers\":[{\"kind\":\"array\","
                        "\"name\":\"(array)\",\"count\":1,\"size\":4096,"
                        "\"retainers\":[]}]}";
  ASSERT_EQ(lg_heapattr_parse(inplace, strlen(inplace), h, &err), 0);
  line = lg_heapattr_line(h);
  ASSERT_STR_EQ(line, "JS heap over iterations 0..100: +4.0 KiB (array) (+1 "
                      "objects) over the 100 iterations; no retainer path "
                      "found (reachable only through weak references?)");
  free(line);
  lg_heapattr_free(h);
  h = lg_xcalloc(1, sizeof *h);
  h->note = lg_xstrdup("not made: heapUsed 300 MiB is over the limit");
  line = lg_heapattr_line(h);
  ASSERT_STR_EQ(line, "JS heap attribution: not made: heapUsed 300 MiB is "
                      "over the limit");
  free(line);
  lg_heapattr_free(h);
}

/* heapdiff's output is untrusted: wrong types are errors naming the key,
 * strings are cut and cleaned, counts are bounded, and a failed parse
 * leaves the attribution as it was. */
static void test_heapattr_hostile(void) {
  static const struct {
    const char *json, *err;
  } bad[] = {
      {"", "not JSON"},
      {"[1]", "the document: expected an object"},
      {"{\"growers\":[]}", "heapdiff: expected 1"},
      {"{\"heapdiff\":2,\"growers\":[]}", "heapdiff: expected 1"},
      {"{\"heapdiff\":1,\"growers\":{}}", "growers: expected an array"},
      {"{\"heapdiff\":1,\"growers\":[1]}", "growers[0]: expected an object"},
      {"{\"heapdiff\":1,\"growers\":[{\"kind\":\"object\",\"count\":1,"
       "\"size\":1}]}",
       "growers[0].name: expected a string"},
      {"{\"heapdiff\":1,\"growers\":[{\"kind\":1,\"name\":\"x\",\"count\":1,"
       "\"size\":1}]}",
       "growers[0].kind: expected a string"},
      {"{\"heapdiff\":1,\"growers\":[{\"kind\":\"o\",\"name\":\"x\","
       "\"count\":\"1\",\"size\":1}]}",
       "growers[0].count: expected a number"},
      {"{\"heapdiff\":1,\"growers\":[{\"kind\":\"o\",\"name\":\"x\","
       "\"count\":1e300,\"size\":1}]}",
       "growers[0].count: expected a number"},
      {"{\"heapdiff\":1,\"growers\":[{\"kind\":\"o\",\"name\":\"x\","
       "\"count\":1,\"size\":1,\"retainers\":\"a -> b\"}]}",
       "growers[0].retainers: expected an array"},
      {"{\"heapdiff\":1,\"growers\":[{\"kind\":\"o\",\"name\":\"x\","
       "\"count\":1,\"size\":1,\"retainers\":[\"a\",2]}]}",
       "growers[0].retainers[1]: expected a string"},
      {"{\"heapdiff\":1,\"growers\":[{\"kind\":\"o\",\"name\":\"\xff\","
       "\"count\":1,\"size\":1}]}",
       "not JSON"},
  };
  lg_heapattr_t *h = lg_xcalloc(1, sizeof *h);
  const char *ok = "{\"heapdiff\":1,\"growers\":[{\"kind\":\"object\","
                   "\"name\":\"Kept\",\"count\":10,\"size\":100}]}";
  char *err = NULL;
  ASSERT_EQ(lg_heapattr_parse(ok, strlen(ok), h, &err), 0);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    err = NULL;
    int rc = lg_heapattr_parse(bad[i].json, strlen(bad[i].json), h, &err);
    int good = rc == -1 && err && strstr(err, bad[i].err) &&
               strncmp(err, "heapdiff output: ", 17) == 0;
    if (!good)
      fprintf(stderr, "case %zu: rc %d, err %s\n", i, rc, err ? err : "-");
    free(err);
    ASSERT_TRUE(good);
    /* untouched by a failed parse */
    ASSERT_EQ(h->ngrowers, 1);
    ASSERT_STR_EQ(h->growers[0].name, "Kept");
  }
  /* Long and control-laden strings, many growers and hops: bounded. */
  lg_buf_t b = {0};
  lg_buf_add(&b, "{\"heapdiff\":1,\"growers\":[");
  for (int g = 0; g < 50; g++) {
    lg_buf_addf(&b, "%s{\"kind\":\"object\",\"name\":\"", g ? "," : "");
    for (int k = 0; k < 1000; k++)
      lg_buf_add(&b, k % 100 == 0 ? "\\n\\u001b[31m" : "\u00e9");
    lg_buf_addf(&b, "\",\"count\":%d,\"size\":%d,\"retainers\":[", g, g);
    for (int k = 0; k < 100; k++)
      lg_buf_addf(&b, "%s\"hop%d\"", k ? "," : "", k);
    lg_buf_add(&b, "]}");
  }
  lg_buf_add(&b, "]}");
  ASSERT_EQ(lg_heapattr_parse(b.s, b.len, h, &err), 0);
  lg_buf_free(&b);
  ASSERT_EQ(h->ngrowers, LG_HEAPATTR_MAX_GROWERS);
  for (size_t g = 0; g < h->ngrowers; g++) {
    const lg_grower_t *gr = &h->growers[g];
    ASSERT_LE(strlen(gr->name), LG_HEAPATTR_MAX_STR);
    ASSERT_TRUE(lg_utf8_valid(gr->name)); /* cut between characters */
    ASSERT_TRUE(strchr(gr->name, '\n') == NULL);
    ASSERT_TRUE(strchr(gr->name, '\033') == NULL);
    ASSERT_EQ(gr->nretainers, LG_HEAPATTR_MAX_HOPS);
    ASSERT_TRUE(gr->truncated);
    ASSERT_STR_EQ(gr->retainers[LG_HEAPATTR_MAX_HOPS - 1], "hop99");
  }
  lg_heapattr_free(h);
}

/* When a run gets an attribution, and between which iterations. */
static void test_heapsnap_wanted(void) {
  lg_run_t run;
  memset(&run, 0, sizeof run);
  run.lang = lg_xstrdup("js");
  run.detected = LG_V_LEAK;
  run.verdict = LG_V_LEAK;
  run.has_end = 1;
  run.slopes_judged = 1;
  run.iterations = 4000;
  run.warmup = 2000;
  lg_metric_t *m = lg_run_metric_add(&run, "heapUsed");
  lg_metric_t *mi = lg_run_metric_add(&run, "mallocInUse");
  (void)mi;
  const char *phases[] = {"baseline", "setup",   "iterate", "iterate",
                          "iterate",  "iterate", "teardown"};
  long long at[] = {0, 0, 1950, 2000, 2050, 4000, 4000};
  for (size_t i = 0; i < 7; i++)
    lg_run_sample_add(&run, at[i], 0, phases[i]);
  m = lg_run_metric(&run, "heapUsed");
  m->flagged = 1;
  ASSERT_TRUE(lg_heapsnap_wanted(LG_HEAPSNAP_AUTO, &run));
  ASSERT_TRUE(!lg_heapsnap_wanted(LG_HEAPSNAP_OFF, &run));
  /* A LEAK the scenario expects (negative control): only with leak. */
  run.verdict = LG_V_PASS;
  ASSERT_TRUE(!lg_heapsnap_wanted(LG_HEAPSNAP_AUTO, &run));
  ASSERT_TRUE(lg_heapsnap_wanted(LG_HEAPSNAP_LEAK, &run));
  run.verdict = LG_V_LEAK;
  long long a = 0, b = 0;
  ASSERT_EQ(lg_heapsnap_window(&run, &a, &b), 0);
  ASSERT_EQ(a, 2000);
  ASSERT_EQ(b, 2000 + LG_HEAPSNAP_SPAN);
  m->flagged = 0;
  lg_run_metric(&run, "mallocInUse")->flagged = 1;
  ASSERT_TRUE(!lg_heapsnap_wanted(LG_HEAPSNAP_AUTO, &run)); /* native only */
  ASSERT_TRUE(lg_heapsnap_wanted(LG_HEAPSNAP_LEAK, &run));
  run.detected = LG_V_PASS;
  ASSERT_TRUE(!lg_heapsnap_wanted(LG_HEAPSNAP_LEAK, &run));
  run.detected = LG_V_LEAK;
  run.timed_out = 1;
  ASSERT_TRUE(!lg_heapsnap_wanted(LG_HEAPSNAP_LEAK, &run));
  run.timed_out = 0;
  free(run.lang);
  run.lang = lg_xstrdup("c");
  ASSERT_TRUE(!lg_heapsnap_wanted(LG_HEAPSNAP_LEAK, &run));
  /* A window ending 5 iterations after its first sample: too short. */
  run.iterations = 2005;
  ASSERT_EQ(lg_heapsnap_window(&run, &a, &b), -1);
  run.iterations = 2100;
  ASSERT_EQ(lg_heapsnap_window(&run, &a, &b), 0);
  ASSERT_EQ(b, 2100);
  lg_run_free(&run);
  /* Why a snapshot is missing: the probe's "heapsnap" record says. */
  lg_mkdirs(LG_TEST_TMP);
  const char *probe = LG_TEST_TMP "/heapsnap-probe.jsonl";
  const char *stream =
      "{\"type\":\"sample\",\"i\":2000}\n"
      "{\"type\":\"heapsnap\",\"i\":2000,\"skipped\":\"heapUsed 300 MiB "
      "is over the 256 MiB limit\\n\"}\n"
      "{\"type\":\"heapsnap\",\"i\":2200,\"file\":\"/x\"}\n{\"type\":";
  ASSERT_EQ(lg_write_file(probe, stream, strlen(stream)), 0);
  char *why = lg_heapsnap_skip_reason(probe, 2000);
  int found = why && strcmp(why, "heapUsed 300 MiB is over the 256 MiB "
                                 "limit?") == 0;
  free(why);
  ASSERT_TRUE(found);
  ASSERT_TRUE(lg_heapsnap_skip_reason(probe, 2200) == NULL);
  ASSERT_TRUE(lg_heapsnap_skip_reason(LG_TEST_TMP "/missing", 1) == NULL);
  lg_heapsnap_mode_t mode;
  ASSERT_EQ(lg_heapsnap_mode_parse("leak", &mode), 0);
  ASSERT_EQ(mode, LG_HEAPSNAP_LEAK);
  ASSERT_EQ(lg_heapsnap_mode_parse("always", &mode), -1);
}

static const check_case_t cases[] = {
    {"heapattr_parse", test_heapattr_parse},
    {"heapattr_hostile", test_heapattr_hostile},
    {"heapsnap_wanted", test_heapsnap_wanted},
    {NULL, NULL}};

CHECK_MAIN(cases)
