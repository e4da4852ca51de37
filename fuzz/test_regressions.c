/* Unit tests for the bugs the fuzz targets found (fuzz/README.md, "Bugs
 * found"): each asserts the defined outcome on the input that once crashed,
 * so it fails without the fix in every preset, sanitizers or not (the
 * replay tests only catch what the preset's sanitizers see). */
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "manifest.h"
#include "model.h"
#include "probe_read.h"
#include "util.h"

#ifndef LG_FUZZ_TMP
#error "LG_FUZZ_TMP (a scratch directory) must be defined"
#endif

/* Writes text to LG_FUZZ_TMP/name; its path (freed after the test), or
 * NULL, said on stderr, when it cannot be written. */
static char *lg_scratch_file(const char *name, const char *text) {
  char *path = check_defer_free(lg_path_join(LG_FUZZ_TMP, name));
  if (lg_mkdirs(LG_FUZZ_TMP) != 0 ||
      lg_write_file(path, text, strlen(text)) != 0) {
    fprintf(stderr, "cannot write %s\n", path);
    return NULL;
  }
  return path;
}

/* Writes text to LG_FUZZ_TMP/name, loads it 250 times with once (1: the load
 * went as expected; 0: it did not, once says why on stderr) and checks, with
 * mallinfo2, that the heap in use did not grow by 4 KiB over the last 200 loads
 * (after 50 rounds that fill caches and malloc's tcache). So the check also
 * fails in builds without LeakSanitizer; under ASan, whose mallinfo2 reports
 * nothing, LeakSanitizer fails it at exit. */
static void lg_check_loads_leak_nothing(const char *name, const char *text,
                                        int (*once)(const char *path),
                                        const char *expected) {
  char *path = lg_scratch_file(name, text);
  ASSERT_TRUE(path != NULL);
  size_t before = 0;
  for (int round = 0; round < 250; round++) {
    if (round == 50)
      before = mallinfo2().uordblks;
    if (!once(path))
      CHECK_FAIL_("expected %s", expected);
  }
  size_t after = mallinfo2().uordblks;
  ASSERT_LT(after, before + 4096);
}

/* Loads a manifest and releases it (a failed load leaves m for
 * lg_manifest_free too); the loader's result, *err as it sets it. */
static int lg_load_manifest(const char *path, char **err) {
  lg_manifest_t m;
  int rc = lg_manifest_load(path, LG_FUZZ_TMP, &m, err);
  lg_manifest_free(&m);
  return rc;
}

/* Loads a result set and releases it; the loader's result, *err as it
 * sets it. */
static int lg_load_results(const char *path, char **err) {
  lg_results_t r;
  int rc = lg_results_load(path, &r, err);
  if (rc == 0)
    lg_results_free(&r);
  return rc;
}

/* 1 when load refuses path with an error that names needle; else 0, and
 * what it did on stderr. */
static int lg_refused_naming(int (*load)(const char *, char **),
                             const char *path, const char *needle) {
  char *err = NULL;
  int rc = load(path, &err);
  int named = rc != 0 && err && strstr(err, needle) != NULL;
  if (!named)
    fprintf(stderr, "load: rc %d, %s\n", rc, err ? err : "(no error)");
  free(err);
  return named;
}

/* probe_read.c: meta numbers outside long long's range were cast
 * (undefined behaviour; x86 gives LLONG_MIN). Now they read as 0. */
static void test_probe_meta_out_of_range(void) {
  const char *s = "{\"type\":\"meta\",\"iterations\":1e300,"
                  "\"sample_every\":-1e300,\"pid\":1e19}\n"
                  "{\"type\":\"meta\",\"iterations\":20}\n";
  lg_probe_info_t info;
  memset(&info, 0, sizeof info);
  lg_probe_parse(s, strlen(s), NULL, &info);
  ASSERT_EQ(info.meta_iterations, 20);
  ASSERT_EQ(info.meta_sample_every, 0);
  ASSERT_EQ(info.meta_pid, 0);
  lg_probe_info_free(&info);
  s = "{\"type\":\"meta\",\"iterations\":1e300,\"sample_every\":2.5,"
      "\"pid\":-7}\n";
  memset(&info, 0, sizeof info);
  lg_probe_parse(s, strlen(s), NULL, &info);
  ASSERT_EQ(info.meta_iterations, 0);
  ASSERT_EQ(info.meta_sample_every, 2);
  ASSERT_EQ(info.meta_pid, -7);
  lg_probe_info_free(&info);
}

/* One load of the repeated-metric file: the loader keeps the first entry
 * of a name and skips repeats. */
static int lg_keeps_first_metric(const char *path) {
  lg_results_t r;
  char *err = NULL;
  if (lg_results_load(path, &r, &err) != 0) {
    fprintf(stderr, "load: %s\n", err);
    free(err);
    return 0;
  }
  int ok = r.nruns == 1 && r.runs[0].nmetrics == 1 &&
           r.runs[0].metrics[0].measured &&
           strncmp(r.runs[0].metrics[0].measured, "first note", 10) == 0 &&
           r.runs[0].metrics[0].v[0] == 1;
  lg_results_free(&r);
  return ok;
}

/* model.c: a metric name repeated in a run's "metrics" array replaced the
 * earlier entry's strings without freeing them (leak, found by
 * fuzz_results). Measured over repeated loads
 * (lg_check_loads_leak_nothing). */
static void test_results_duplicate_metric(void) {
  const char *json =
      "{\"schema\":\"leakgate-results\",\"schema_version\":1,\"runs\":[{"
      "\"scenario\":\"s\",\"variant\":\"v\",\"detected\":\"PASS\","
      "\"verdict\":\"PASS\",\"samples\":{\"i\":[0],"
      "\"t_ms\":[1],\"phase\":[\"iterate\"]},\"metrics\":["
      "{\"name\":\"m\",\"measured\":\"first note, long enough to count\","
      "\"noise_source\":\"first source, long enough to count\",\"values\":[1]},"
      "{\"name\":\"m\",\"measured\":\"second\",\"noise_source\":\"2nd\","
      "\"values\":[2]}]}]}";
  /* 200 leaked pairs of strings would be > 12 KB. */
  lg_check_loads_leak_nothing("dup-metric.json", json, lg_keeps_first_metric,
                              "a repeated metric to keep its first entry");
}

/* model.c: integers read as doubles (sample "i", iterations, ...) outside
 * long long's range were cast (undefined behaviour; x86 gives LLONG_MIN).
 * Now they are clamped to +-9.2e18 (UBSan in the fuzz preset checks that no
 * cast overflows). */
static void test_results_numbers_out_of_range(void) {
  const char *json =
      "{\"schema\":\"leakgate-results\",\"schema_version\":1,\"runs\":[{"
      "\"scenario\":\"s\",\"variant\":\"v\",\"detected\":\"PASS\","
      "\"verdict\":\"PASS\",\"iterations\":1e300,\"warmup\":-1e19,"
      "\"sample_every\":7,\"samples\":{\"i\":[1e300,5],\"t_ms\":[1,2],"
      "\"phase\":[\"iterate\",\"iterate\"]}}]}";
  char *path = lg_scratch_file("numbers.json", json);
  ASSERT_TRUE(path != NULL);
  lg_results_t r;
  char *err = NULL;
  int rc = lg_results_load(path, &r, &err);
  if (rc != 0)
    CHECK_FAIL_("load: %s", err);
  long long it = r.runs[0].iterations, wu = r.runs[0].warmup,
            se = r.runs[0].sample_every, i0 = r.runs[0].si[0],
            i1 = r.runs[0].si[1];
  size_t ns = r.runs[0].nsamples;
  lg_results_free(&r);
  ASSERT_EQ(ns, 2);
  ASSERT_EQ(it, 9200000000000000000LL);
  ASSERT_EQ(wu, -9200000000000000000LL);
  ASSERT_EQ(se, 7);
  ASSERT_TRUE(i0 > 0); /* clamped, never the LLONG_MIN of an overflowing cast */
  ASSERT_EQ(i1, 5);
}

/* manifest.c: a "control" array with an element that is not a valid
 * template (or not a string) failed the load but leaked the elements read
 * before it (found by fuzz_manifest, LeakSanitizer). Measured like
 * results_duplicate_metric. */
/* One load of the bad control array: refused, naming control[2]. */
static int lg_control2_refused(const char *path) {
  return lg_refused_naming(lg_load_manifest, path, "control[2]");
}

static void test_manifest_control_array_leak(void) {
  const char *json =
      "{\"version\":1,\"control\":[\"a-long-enough-control-name-1\","
      "\"a-long-enough-control-name-2\",\"bad{template\"],"
      "\"variants\":[{\"name\":\"v\",\"build\":\"{root}\"}],"
      "\"scenarios\":[]}";
  /* 200 leaked arrays of two names would be > 16 KB. */
  lg_check_loads_leak_nothing("control-array.json", json, lg_control2_refused,
                              "an error naming control[2]");
}

/* json with its one "ITER" replaced by n (caller frees). */
static char *lg_subst(const char *json, const char *key, const char *n) {
  const char *at = strstr(json, key);
  return lg_fmt("%.*s%s%s", (int)(at - json), json, n, at + strlen(key));
}

/* manifest.c: lg_scenario_iterations returned LLONG_MIN (a negative count)
 * when iterations x iteration_scale x the CLI scale exceeded long long's
 * range (llround's result is then unspecified). Found by fuzz_manifest's
 * "iterations >= 1" property. Now such counts are refused at load (exit 2,
 * naming the key), and the count a loaded manifest gives is clamped to
 * LG_ITER_MAX whatever the scale. */
static void test_manifest_iterations_saturate(void) {
  const char *json =
      "{\"version\":1,\"variants\":[{\"name\":\"v\",\"build\":\"{root}\","
      "\"iteration_scale\":4},{\"name\":\"w\",\"build\":\"{root}\"}],"
      "\"scenarios\":[{\"name\":\"s\",\"lang\":\"c\",\"program\":\"p\","
      "\"iterations\":ITER}]}";
  /* Too many: refused, naming the key. */
  char *big = check_defer_free(lg_subst(json, "ITER", "9000000000000000000"));
  char *path = lg_scratch_file("iterations.json", big);
  ASSERT_TRUE(path != NULL);
  if (!lg_refused_naming(lg_load_manifest, path, "iterations"))
    CHECK_FAIL_("9e18 iterations were not refused naming the key");
  /* A valid count scaled past long long's range by the CLI: clamped. */
  char *ok = check_defer_free(lg_subst(json, "ITER", "1000"));
  path = lg_scratch_file("iterations.json", ok);
  ASSERT_TRUE(path != NULL);
  lg_manifest_t m;
  char *err = NULL;
  int rc = lg_manifest_load(path, LG_FUZZ_TMP, &m, &err);
  if (rc != 0) {
    lg_manifest_free(&m);
    CHECK_FAIL_("load: %s", err);
  }
  long long huge =
      lg_scenario_iterations(&m.scenarios[0], &m.variants[0], 1e300);
  long long plain = lg_scenario_iterations(&m.scenarios[0], &m.variants[1], 1);
  lg_manifest_free(&m);
  ASSERT_EQ(huge, LG_ITER_MAX);
  ASSERT_EQ(plain, 1000);
}

/* model.c: schema_version was narrowed to int before the check, so
 * 4294967297 (2^32 + 1) was accepted as version 1. Found reading the code
 * while fixing results_numbers_out_of_range. */
static void test_results_schema_version_narrowing(void) {
  const char *json = "{\"schema\":\"leakgate-results\","
                     "\"schema_version\":4294967297,\"runs\":[]}";
  char *path = lg_scratch_file("schema.json", json);
  ASSERT_TRUE(path != NULL);
  ASSERT_TRUE(lg_refused_naming(lg_load_results, path, "version 4294967297"));
}

static const check_case_t cases[] = {
    {"probe_meta_out_of_range", test_probe_meta_out_of_range},
    {"results_duplicate_metric", test_results_duplicate_metric},
    {"results_numbers_out_of_range", test_results_numbers_out_of_range},
    {"results_schema_version_narrowing", test_results_schema_version_narrowing},
    {"manifest_control_array_leak", test_manifest_control_array_leak},
    {"manifest_iterations_saturate", test_manifest_iterations_saturate},
    {NULL, NULL}};

CHECK_MAIN(cases)
