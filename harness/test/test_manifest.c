/* The manifest loader (manifest.c) and templates (template.c): one-line
 * errors naming the file, the key and what was expected; the test manifest
 * and its look-ups; template expansion; the "once" policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "leakclass.h"
#include "manifest.h"
#include "util.h"

static char *lg_manifest_error(const char *json) {
  lg_mkdirs(LG_TEST_TMP);
  char path[1024];
  snprintf(path, sizeof path, "%s/m.json", LG_TEST_TMP);
  lg_write_file(path, json, strlen(json));
  lg_manifest_t m;
  char *err = NULL;
  int rc = lg_manifest_load(path, "/", &m, &err);
  lg_manifest_free(&m);
  if (rc == 0) {
    free(err);
    return NULL;
  }
  return err;
}

#define V "\"variants\":[{\"name\":\"r\",\"build\":\"{root}/b\"}]"

/* Loads the manifest text `json` (written to `file` in the test's tmp
 * directory) into *m: 0, or -1 after printing the error. */
static int lg_manifest_text(const char *file, const char *json,
                            lg_manifest_t *m) {
  char path[1024];
  lg_mkdirs(LG_TEST_TMP);
  snprintf(path, sizeof path, "%s/%s", LG_TEST_TMP, file);
  lg_write_file(path, json, strlen(json));
  char *err = NULL;
  int rc = lg_manifest_load(path, "/", m, &err);
  if (rc)
    fprintf(stderr, "%s\n", err);
  free(err);
  return rc;
}

static void test_manifest_errors(void) {
  struct {
    const char *json, *key, *expected;
  } cases[] = {
      {"{\"version\":2," V ",\"scenarios\":[]}", "key 'version'", "expected 1"},
      {"{\"version\":1,\"scenarios\":[]}", "key 'variants'", "non-empty"},
      {"{\"version\":1," V ",\"scenarios\":[{\"name\":\"a\",\"lang\":\"c\"}]}",
       "scenarios[0].program", "required"},
      {"{\"version\":1," V ",\"scenarios\":[{\"name\":\"a\",\"lang\":\"c\","
       "\"program\":\"p\",\"iterations\":-1}]}",
       "scenarios[0].iterations", "integer >= 1"},
      {"{\"version\":1," V ",\"scenarios\":[{\"name\":\"a\",\"lang\":\"c\","
       "\"program\":\"p\",\"expect\":\"MAYBE\"}]}",
       "scenarios[0].expect", "\"pass\" or a verdict"},
      {"{\"version\":1," V ",\"scenarios\":[{\"name\":\"a\",\"lang\":\"c\","
       "\"program\":\"p\",\"variants\":[\"zz\"]}]}",
       "scenarios[0].variants[0]", "no variant 'zz'"},
      {"{\"version\":1," V ",\"scenarios\":[{\"name\":\"a\",\"lang\":\"c\","
       "\"program\":\"p\",\"thresholds\":{\"rss\":\"big\"}}]}",
       "scenarios[0].thresholds.rss", "a number"},
      {"{\"version\":1,\"variants\":[{\"name\":\"r\",\"build\":\"{nope}\"}],"
       "\"scenarios\":[]}",
       "variants[0].build", "unknown token {nope}"},
      {"{\"version\":1,\"variants\":[{\"name\":\"r\",\"build\":\"b\","
       "\"exit_codes\":{\"86\":\"BAD\"}}],\"scenarios\":[]}",
       "variants[0].exit_codes.86", "verdict name"},
      {"{\"version\":1," V ",\"scenarios\":[],\"selftest\":{\"defects\":[{"
       "\"fault\":\"f\",\"scenario\":\"none\",\"caught_by\":[\"r\"]}]}}",
       "selftest.defects[0].scenario", "no scenario 'none'"},
      {"{\"version\":1," V ",\"scenarios\":[{\"name\":\"a\",\"lang\":\"c\","
       "\"program\":\"p\"},{\"name\":\"a\",\"lang\":\"c\",\"program\":\"q\"}]}",
       "scenarios[1].name", "unique"},
      {"{\"version\":1, oops", "cannot load manifest", "line 1"},
      {"{\"version\":1,\"once\":\"never\"," V ",\"scenarios\":[]}",
       "key 'once'", "\"warn\" or \"fail\""},
      {"{\"version\":1," V ",\"scenarios\":[{\"name\":\"a\",\"lang\":\"c\","
       "\"program\":\"p\",\"once\":true}]}",
       "scenarios[0].once", "\"warn\" or \"fail\""},
      {"{\"version\":1,\"variants\":[{\"name\":\"r\",\"build\":\"b\","
       "\"slope_langs\":[\"c\",\"rust\"]}],\"scenarios\":[]}",
       "variants[0].slope_langs", "\"js\" / \"c\""},
      {"{\"version\":1,\"variants\":[{\"name\":\"r\",\"build\":\"b\","
       "\"detectors\":[{\"parser\":\"valgrind\"}]}],\"scenarios\":[]}",
       "variants[0].detectors[0].files", "non-empty array"},
      {"{\"version\":1,\"variants\":[{\"name\":\"r\",\"build\":\"b\","
       "\"detectors\":[{\"parser\":\"valgrind\",\"files\":[]}]}],"
       "\"scenarios\":[]}",
       "variants[0].detectors[0].files", "non-empty array"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *err = lg_manifest_error(cases[i].json);
    if (!err || !strstr(err, cases[i].key) || !strstr(err, cases[i].expected) ||
        !strstr(err, "m.json")) {
      fprintf(stderr, "case %zu: got '%s'\n", i, err ? err : "(accepted)");
      free(err);
      ASSERT_TRUE(!"manifest error message");
    }
    free(err);
  }
}

static void test_manifest_valid(void) {
  char path[1024];
  snprintf(path, sizeof path, "%s/../manifest.json", LG_FIXTURES);
  lg_manifest_t m;
  char *err = NULL;
  /* The test manifest's {env:...} tokens must be set: unset is an error. */
  setenv("LG_TEST_BUILD", "/b", 0);
  setenv("LG_TEST_SCEN_DIR", "/s", 0);
  int rc = lg_manifest_load(path, "/repo", &m, &err);
  if (rc)
    fprintf(stderr, "%s\n", err);
  free(err);
  ASSERT_EQ(rc, 0);
  const lg_scenario_t *sc = lg_manifest_scenario(&m, "js-leak");
  const lg_variant_t *vg = lg_manifest_variant(&m, "vg");
  int ok = sc && vg && sc->lang == LG_LANG_JS && !vg->is_default &&
           lg_scenario_iterations(sc, vg, 1.0) == 1000 &&
           lg_scenario_iterations(sc, lg_manifest_variant(&m, "plain"), 0.1) ==
               200 &&
           lg_scenario_threshold(&m, sc, "plain", "heapUsed", NULL) == 64 &&
           !lg_scenario_in_variant(sc, vg) && m.ndefects == 3;
  lg_manifest_free(&m);
  ASSERT_TRUE(ok);
  lg_expand_t x = {"/r", "/b", "/run", "/o", "s", "v", "/m"};
  char *e = NULL;
  char *s = lg_expand(
      "{root}/x {build} {run_dir}/a.%p {{lit}} {variant} {manifest_dir}/s", &x,
      &e);
  ASSERT_STR_EQ(s, "/r/x /b /run/a.%p {lit} v /m/s");
  free(s);
  s = lg_expand("{gcc-file:libasan.so}", &x, &e);
  ASSERT_TRUE(s != NULL && s[0] == '/');
  free(s);
  s = lg_expand("{gcc-file:libdoesnotexist.so}", &x, &e);
  ASSERT_TRUE(s == NULL && e != NULL && strstr(e, "not found"));
  free(e);
  /* {env:X}: set (even empty) expands; unset is an error naming X, at
   * expansion and in the load-time check. */
  setenv("LG_TEST_EMPTY", "", 1);
  unsetenv("LG_TEST_UNSET");
  s = lg_expand("{env:LG_TEST_EMPTY}/x", &x, &e);
  ASSERT_STR_EQ(s, "/x");
  free(s);
  s = lg_expand("{env:LG_TEST_UNSET}/x", &x, &e);
  ASSERT_TRUE(s == NULL && e && strstr(e, "LG_TEST_UNSET is not set"));
  free(e);
  e = lg_template_check("{env:LG_TEST_UNSET}");
  ASSERT_TRUE(e && strstr(e, "LG_TEST_UNSET is not set"));
  free(e);
  e = lg_template_check("{env:}");
  ASSERT_TRUE(e && strstr(e, "names no variable"));
  free(e);
}

/* "once": the top-level policy (default "warn") and per-scenario overrides. */
static void test_manifest_once(void) {
  static const char *const docs[] = {
      "{\"version\":1," V ",\"scenarios\":[{\"name\":\"a\",\"lang\":\"c\","
      "\"program\":\"p\"},{\"name\":\"b\",\"lang\":\"c\",\"program\":\"p\","
      "\"once\":\"fail\"}]}",
      "{\"version\":1,\"once\":\"fail\"," V ",\"scenarios\":[{\"name\":\"a\","
      "\"lang\":\"c\",\"program\":\"p\"},{\"name\":\"b\",\"lang\":\"c\","
      "\"program\":\"p\",\"once\":\"warn\"}]}"};
  lg_once_t want[2][2] = {{LG_ONCE_WARN, LG_ONCE_FAIL},
                          {LG_ONCE_FAIL, LG_ONCE_WARN}};
  for (int d = 0; d < 2; d++) {
    lg_manifest_t m;
    ASSERT_EQ(lg_manifest_text("once.json", docs[d], &m), 0);
    lg_once_t a = lg_once_policy(&m, lg_manifest_scenario(&m, "a"));
    lg_once_t b = lg_once_policy(&m, lg_manifest_scenario(&m, "b"));
    lg_verdict_t va = lg_once_verdict(&m, lg_manifest_scenario(&m, "a"));
    lg_manifest_free(&m);
    ASSERT_EQ(a, want[d][0]);
    ASSERT_EQ(b, want[d][1]);
    ASSERT_EQ(va, want[d][0] == LG_ONCE_FAIL ? LG_V_LEAK : LG_V_PASS);
  }
}

/* Early stopping: on by default; defaults.early_stop sets every scenario's,
 * and a scenario's own early_stop overrides it either way. */
static void test_manifest_early_stop(void) {
  static const char *const docs[] = {
      "{\"version\":1," V ",\"scenarios\":[{\"name\":\"a\",\"lang\":\"c\","
      "\"program\":\"p\"},{\"name\":\"b\",\"lang\":\"c\",\"program\":\"p\","
      "\"early_stop\":false}]}",
      "{\"version\":1,\"defaults\":{\"early_stop\":false}," V
      ",\"scenarios\":[{\"name\":\"a\",\"lang\":\"c\",\"program\":\"p\"},"
      "{\"name\":\"b\",\"lang\":\"c\",\"program\":\"p\",\"early_stop\":"
      "true}]}"};
  int want[2][3] = {{1, 1, 0}, {0, 0, 1}}; /* manifest, a, b */
  for (int d = 0; d < 2; d++) {
    lg_manifest_t m;
    ASSERT_EQ(lg_manifest_text("early.json", docs[d], &m), 0);
    int got[3] = {m.early_stop, lg_manifest_scenario(&m, "a")->early_stop,
                  lg_manifest_scenario(&m, "b")->early_stop};
    lg_manifest_free(&m);
    for (int k = 0; k < 3; k++)
      ASSERT_EQ(got[k], want[d][k]);
  }
  char *err = lg_manifest_error(
      "{\"version\":1," V ",\"scenarios\":[{\"name\":\"a\",\"lang\":\"c\","
      "\"program\":\"p\",\"early_stop\":\"no\"}]}");
  ASSERT_TRUE(err && strstr(err, "early_stop"));
  free(err);
}

/* A failed load leaves nothing behind: *m is all zero whichever step
 * failed (unreadable JSON, a type error at the top, one deep in a scenario,
 * a cross reference checked last), so lg_manifest_free is optional. */
static void test_manifest_failed_load_zeroed(void) {
  static const char *const docs[] = {
      "{\"version\":1, oops",
      "{\"version\":1,\"node\":5," V ",\"scenarios\":[]}",
      "{\"version\":1," V ",\"scenarios\":[{\"name\":\"a\",\"lang\":\"c\","
      "\"program\":\"p\",\"args\":[\"x\",1]}]}",
      "{\"version\":1," V ",\"scenarios\":[{\"name\":\"a\",\"lang\":\"c\","
      "\"program\":\"p\"}],\"selftest\":{\"defects\":[{\"fault\":\"f\","
      "\"scenario\":\"a\",\"caught_by\":[\"nope\"]}]}}"};
  static const lg_manifest_t zero;
  lg_mkdirs(LG_TEST_TMP);
  for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/zeroed.json", LG_TEST_TMP);
    lg_write_file(path, docs[d], strlen(docs[d]));
    lg_manifest_t m;
    memset(&m, 0xa5, sizeof m);
    char *err = NULL;
    int rc = lg_manifest_load(path, "/", &m, &err);
    int ok = rc == -1 && err != NULL;
    free(err);
    ASSERT_TRUE(ok);
    ASSERT_EQ(memcmp(&m, &zero, sizeof m), 0);
  }
}

static const check_case_t cases[] = {
    {"manifest_errors", test_manifest_errors},
    {"manifest_valid", test_manifest_valid},
    {"manifest_once", test_manifest_once},
    {"manifest_early_stop", test_manifest_early_stop},
    {"manifest_failed_load_zeroed", test_manifest_failed_load_zeroed},
    {NULL, NULL}};

CHECK_MAIN(cases)
