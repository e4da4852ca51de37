/* Unit tests: job selection (plan.h) — variant and scenario filters, the
 * control scenario, planted faults, shard partitioning, and the errors for
 * bad shard strings and unknown variants, scenarios and defects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "manifest.h"
#include "plan.h"
#include "util.h"

/* Variants: "a" (default, fault points), "b" (not default), "c" (default,
 * no fault points). Scenarios: the control "ctl", "s1", "s2", and "t1"
 * that runs in "a" only. One planted defect, "leak". */
static const char *const lg_manifest_json =
    "{\"version\":1,\"control\":\"ctl\","
    "\"variants\":[{\"name\":\"a\",\"build\":\"{root}/b\"},"
    "{\"name\":\"b\",\"build\":\"{root}/b\",\"default\":false},"
    "{\"name\":\"c\",\"build\":\"{root}/b\",\"faults\":false}],"
    "\"scenarios\":[{\"name\":\"ctl\",\"lang\":\"c\",\"program\":\"p\"},"
    "{\"name\":\"s1\",\"lang\":\"c\",\"program\":\"p\"},"
    "{\"name\":\"s2\",\"lang\":\"c\",\"program\":\"p\"},"
    "{\"name\":\"t1\",\"lang\":\"c\",\"program\":\"p\","
    "\"variants\":[\"a\"]}],"
    "\"selftest\":{\"defects\":[{\"fault\":\"leak\",\"scenario\":\"s1\","
    "\"caught_by\":[\"a\"]}]}}";

/* The same without a selftest section. */
static const char *const lg_manifest_nodefects_json =
    "{\"version\":1,\"control\":\"ctl\","
    "\"variants\":[{\"name\":\"a\",\"build\":\"{root}/b\"}],"
    "\"scenarios\":[{\"name\":\"ctl\",\"lang\":\"c\",\"program\":\"p\"}]}";

static lg_manifest_t lg_m;
static int lg_m_loaded;

static void lg_load(const char *json, const char *name, lg_manifest_t *m) {
  lg_mkdirs(LG_TEST_TMP);
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", LG_TEST_TMP, name);
  lg_write_file(path, json, strlen(json));
  char *err = NULL;
  if (lg_manifest_load(path, "/", m, &err) != 0) {
    fprintf(stderr, "manifest: %s\n", err ? err : "?");
    exit(2);
  }
}

static const lg_manifest_t *lg_manifest(void) {
  if (!lg_m_loaded) {
    lg_load(lg_manifest_json, "m.json", &lg_m);
    lg_m_loaded = 1;
  }
  return &lg_m;
}

/* The jobs as "scenario/variant[/fault]" joined by spaces (caller frees). */
static char *lg_jobs_str(const lg_plan_sel_t *sel) {
  size_t n;
  lg_job_t *jobs = lg_plan_jobs(lg_manifest(), sel, &n);
  lg_buf_t b = {0};
  lg_buf_add(&b, "");
  for (size_t i = 0; i < n; i++) {
    lg_buf_addf(&b, "%s%s/%s", i ? " " : "", jobs[i].sc->name,
                jobs[i].va->name);
    if (jobs[i].fault)
      lg_buf_addf(&b, "/%s", jobs[i].fault);
  }
  free(jobs);
  return lg_buf_take(&b);
}

/* The jobs sel plans must be `want` (in lg_jobs_str's form). */
static void lg_expect_jobs(const lg_plan_sel_t *sel, const char *want) {
  char *s = check_defer_free(lg_jobs_str(sel));
  ASSERT_STR_EQ(s, want);
}

static void test_default_selection(void) {
  lg_plan_sel_t sel = {0};
  lg_expect_jobs(&sel, "ctl/a ctl/c s1/a s1/c s2/a s2/c t1/a");
}

static void test_variant_filter(void) {
  char *v[] = {"b"};
  lg_plan_sel_t sel = {.variants = v, .nvariants = 1};
  lg_expect_jobs(&sel, "ctl/b s1/b s2/b"); /* t1 does not run in b */
  CHECK_RETURN_IF_FAILED();
  char *v2[] = {"c", "a"}; /* manifest order, not command-line order */
  lg_plan_sel_t sel2 = {.variants = v2, .nvariants = 2};
  lg_expect_jobs(&sel2, "ctl/a ctl/c s1/a s1/c s2/a s2/c t1/a");
}

static void test_scenario_filter(void) {
  /* The control comes along for its noise floor. */
  char *g[] = {"t*"};
  lg_plan_sel_t sel = {.scenarios = g, .nscenarios = 1};
  lg_expect_jobs(&sel, "ctl/a ctl/c t1/a");
  CHECK_RETURN_IF_FAILED();
  char *g2[] = {"s2", "s1"};
  lg_plan_sel_t sel2 = {.scenarios = g2, .nscenarios = 2};
  lg_expect_jobs(&sel2, "ctl/a ctl/c s1/a s1/c s2/a s2/c");
  CHECK_RETURN_IF_FAILED();
  /* Not when sharded: a shard runs only what was asked. */
  lg_plan_sel_t sel3 = {
      .scenarios = g, .nscenarios = 1, .shard_i = 1, .shard_n = 1};
  lg_expect_jobs(&sel3, "t1/a");
}

static void test_fault_planted(void) {
  /* Every run but the control's gets the fault; variant c has no fault
   * points and runs nothing. */
  lg_plan_sel_t sel = {.fault = "leak"};
  lg_expect_jobs(&sel, "ctl/a s1/a/leak s2/a/leak t1/a/leak");
}

static void test_shards_partition(void) {
  const lg_manifest_t *m = lg_manifest();
  size_t nall;
  lg_plan_sel_t all = {0};
  lg_job_t *full = lg_plan_jobs(m, &all, &nall);
  ASSERT_EQ(nall, 7);
  for (int n = 1; n <= 9; n++) {
    int seen[7] = {0};
    size_t lo = nall, hi = 0;
    for (int i = 1; i <= n; i++) {
      lg_plan_sel_t sel = {.shard_i = i, .shard_n = n};
      size_t ns;
      lg_job_t *part = lg_plan_jobs(m, &sel, &ns);
      lo = ns < lo ? ns : lo;
      hi = ns > hi ? ns : hi;
      for (size_t j = 0; j < ns; j++) {
        size_t k = 0;
        while (k < nall &&
               (full[k].sc != part[j].sc || full[k].va != part[j].va))
          k++;
        ASSERT_TRUE(k < nall);
        ASSERT_EQ(k % (size_t)n, (size_t)(i - 1)); /* round robin */
        seen[k]++;
      }
      free(part);
    }
    for (size_t k = 0; k < nall; k++)
      ASSERT_EQ(seen[k], 1); /* every job in exactly one shard */
    ASSERT_LE(hi - lo, 1);   /* balanced */
  }
  free(full);
}

static void test_parse_shard(void) {
  static const char *const bad[] = {"",
                                    "1",
                                    "/",
                                    "/2",
                                    "1/",
                                    "0/2",
                                    "3/2",
                                    "1/0",
                                    "-1/2",
                                    "+1/2",
                                    " 1/2",
                                    "1/ 2",
                                    "1/2x",
                                    "a/b",
                                    "1/2/3",
                                    "1/99999999999",
                                    "99999999999/99999999999"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int si = -7, sn = -7, ok = lg_parse_shard(bad[i], &si, &sn);
    if (ok)
      fprintf(stderr, "shard '%s' accepted\n", bad[i]);
    ASSERT_EQ(ok, 0);
    ASSERT_EQ(si, -7); /* untouched */
    ASSERT_EQ(sn, -7);
  }
  int si, sn;
  ASSERT_EQ(lg_parse_shard("1/1", &si, &sn), 1);
  ASSERT_EQ(si, 1);
  ASSERT_EQ(sn, 1);
  ASSERT_EQ(lg_parse_shard("2/3", &si, &sn), 1);
  ASSERT_EQ(si, 2);
  ASSERT_EQ(sn, 3);
  ASSERT_EQ(lg_parse_shard("2147483647/2147483647", &si, &sn), 1);
  ASSERT_EQ(si, 2147483647);
  ASSERT_EQ(lg_parse_shard("1/2147483648", &si, &sn), 0);
  long long v = 5;
  ASSERT_EQ(lg_parse_int("256", 1, 256, &v), 0);
  ASSERT_EQ(v, 256);
  ASSERT_EQ(lg_parse_int("257", 1, 256, &v), -1);
  ASSERT_EQ(lg_parse_int("0", 1, 256, &v), -1);
  ASSERT_EQ(lg_parse_int("1x", 1, 256, &v), -1);
  ASSERT_EQ(v, 256);
}

static void test_unknown_names(void) {
  const lg_manifest_t *m = lg_manifest();
  char *nope[] = {"nope"}, *ok[] = {"a"}, *zz[] = {"zz*"};
  lg_plan_sel_t good = {.variants = ok, .nvariants = 1, .fault = "leak"};
  ASSERT_TRUE(lg_plan_check_run(m, &good, 1.0) == NULL);
  lg_plan_sel_t v = {.variants = nope, .nvariants = 1};
  char *err = lg_plan_check_run(m, &v, 1.0);
  ASSERT_STR_EQ(err, "--variant: no variant 'nope' in the manifest");
  free(err);
  lg_plan_sel_t s = {.scenarios = zz, .nscenarios = 1};
  err = lg_plan_check_run(m, &s, 1.0);
  ASSERT_STR_EQ(err, "--scenario: 'zz*' matches no scenario");
  free(err);
  lg_plan_sel_t f = {.fault = "nope"};
  err = lg_plan_check_run(m, &f, 1.0);
  ASSERT_STR_EQ(err, "--fault: 'nope' is not a planted defect of the "
                     "manifest's selftest section (see 'leakgate list')");
  free(err);
  /* The variant is checked first, as `run` always did. */
  lg_plan_sel_t both = {.variants = nope,
                        .nvariants = 1,
                        .scenarios = zz,
                        .nscenarios = 1,
                        .fault = "nope"};
  err = lg_plan_check_run(m, &both, 1.0);
  ASSERT_STR_EQ(err, "--variant: no variant 'nope' in the manifest");
  free(err);
  ASSERT_TRUE(lg_plan_has_defect(m, "leak"));
  ASSERT_TRUE(!lg_plan_has_defect(m, "lea"));
}

static void test_selftest_checks(void) {
  const lg_manifest_t *m = lg_manifest();
  char *leak[] = {"leak"}, *nope[] = {"nope"};
  ASSERT_TRUE(lg_plan_check_selftest(m, NULL, 0, leak, 1, 1.0) == NULL);
  char *err = lg_plan_check_selftest(m, NULL, 0, nope, 1, 1.0);
  ASSERT_STR_EQ(err, "--defect: no defect 'nope' in the manifest");
  free(err);
  err = lg_plan_check_selftest(m, nope, 1, nope, 1, 1.0);
  ASSERT_STR_EQ(err, "--variant: no variant 'nope' in the manifest");
  free(err);
  lg_manifest_t m2;
  lg_load(lg_manifest_nodefects_json, "m2.json", &m2);
  err = lg_plan_check_selftest(&m2, nope, 1, nope, 1, 1.0);
  ASSERT_STR_EQ(err, "selftest: the manifest has no selftest.defects");
  free(err);
  lg_manifest_free(&m2);
}

static const check_case_t cases[] = {
    {"default_selection", test_default_selection},
    {"variant_filter", test_variant_filter},
    {"scenario_filter", test_scenario_filter},
    {"fault_planted", test_fault_planted},
    {"shards_partition", test_shards_partition},
    {"parse_shard", test_parse_shard},
    {"unknown_names", test_unknown_names},
    {"selftest_checks", test_selftest_checks},
    {NULL, NULL}};

CHECK_MAIN(cases)
