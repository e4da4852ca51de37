/* Unit tests of the run analysis on synthetic probe streams: a run never
 * passes without evidence (end status, iterations done, samples in the
 * judged window, detector output), the step-robust leak decision as the
 * runner applies it, the probe reader's key cap, and the cost of analysing
 * 100 000 samples.
 *
 * `lg_test_analyze --bench N` prints the time and peak RSS of reading and
 * analysing an N-sample stream (the figures in harness/README.md). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "analyze.h"
#include "check.h"
#include "manifest.h"
#include "probe_read.h"
#include "util.h"

/* One variant "r" (judges slopes, no detector), one "vg" (judges C slopes,
 * a valgrind detector), one "x" (like "r"; a detector exit code 66 means
 * RACE); mallocInUse threshold 16 B/it, rss 2048 B/it and a
 * 1 MB peak-growth ceiling except in "vg" (null: not judged there). */
static const char *const lg_manifest_json =
    "{\"version\":1,\"control\":\"s\","
    "\"defaults\":{\"iterations\":2000,\"warmup\":200,\"sample_every\":20,"
    "\"thresholds\":{\"mallocInUse\":16,"
    "\"rss\":{\"slope\":2048,\"peak\":1000000,"
    "\"variants\":{\"vg\":null}}},"
    "\"exact\":[\"threads\"]},"
    "\"variants\":[{\"name\":\"r\",\"build\":\"{root}/b\"},"
    "{\"name\":\"vg\",\"build\":\"{root}/b\",\"slope_langs\":[\"c\"],"
    "\"detectors\":[{\"parser\":\"valgrind\",\"files\":[\"vg.*.xml\"]}]},"
    "{\"name\":\"x\",\"build\":\"{root}/b\",\"exit_codes\":{\"66\":\"RACE\"}}],"
    "\"scenarios\":[{\"name\":\"s\",\"lang\":\"c\",\"program\":\"p\"}]}";

static lg_manifest_t lg_m;
static int lg_m_loaded;

static const lg_manifest_t *lg_manifest(void) {
  if (!lg_m_loaded) {
    lg_mkdirs(LG_TEST_TMP);
    char path[1024];
    snprintf(path, sizeof path, "%s/m.json", LG_TEST_TMP);
    lg_write_file(path, lg_manifest_json, strlen(lg_manifest_json));
    char *err = NULL;
    if (lg_manifest_load(path, "/", &lg_m, &err) != 0) {
      fprintf(stderr, "manifest: %s\n", err ? err : "?");
      exit(2);
    }
    lg_m_loaded = 1;
  }
  return &lg_m;
}

/* Metric value of the iterate sample at iteration i. */
typedef double (*lg_series_fn)(long long i);

static double lg_flat(long long i) {
  return 500000.0 + (double)(i % 3);
}
static double lg_leak500(long long i) {
  return 500000.0 + 500.0 * (double)i;
}
static double lg_step(long long i) {
  /* a 232 KB one-time step (the reported rss case) */
  return 500000.0 + (i >= 1100 ? 232e3 : 0);
}

typedef struct lg_stream_s {
  long long iterations, sample_every, stop_at; /* stop_at: end record's i */
  const char *end; /* the end record's status, or NULL: no status key */
  int no_samples;  /* meta and end records only */
  lg_series_fn f;
  size_t extra_keys; /* distinct extra keys in the first iterate sample */
  size_t every_keys; /* extra keys k0.. in every iterate sample */
  int stopped;       /* the end record says "stopped": true */
} lg_stream_t;

/* A probe stream as probe.c writes it. Caller frees. */
static char *lg_stream(const lg_stream_t *s) {
  lg_buf_t b = {0};
  lg_buf_addf(&b,
              "{\"type\":\"meta\",\"protocol\":1,\"scenario\":\"s\",\"lang\":"
              "\"c\",\"iterations\":%lld,\"sample_every\":%lld,\"pid\":1}\n",
              s->iterations, s->sample_every);
  if (!s->no_samples) {
    lg_buf_addf(&b, "{\"type\":\"sample\",\"phase\":\"baseline\",\"i\":0,"
                    "\"mallocInUse\":500000,\"rss\":500000,\"threads\":1}\n");
    lg_buf_addf(&b, "{\"type\":\"phase\",\"name\":\"iterate\",\"i\":0}\n");
    for (long long i = s->sample_every; i <= s->stop_at; i += s->sample_every) {
      lg_buf_addf(&b,
                  "{\"type\":\"sample\",\"phase\":\"iterate\",\"i\":%lld,"
                  "\"mallocInUse\":%.0f,\"rss\":%.0f,\"threads\":1",
                  i, s->f(i), s->f(i));
      for (size_t k = 0; i == s->sample_every && k < s->extra_keys; k++)
        lg_buf_addf(&b, ",\"k%zu\":%zu", k, k);
      for (size_t k = 0; k < s->every_keys; k++)
        lg_buf_addf(&b, ",\"k%zu\":%lld", k, (i * (long long)(k + 7)) % 101);
      lg_buf_addf(&b, "}\n");
    }
    lg_buf_addf(&b,
                "{\"type\":\"sample\",\"phase\":\"teardown\",\"i\":%lld,"
                "\"mallocInUse\":500000,\"rss\":500000,\"threads\":1}\n",
                s->stop_at);
  }
  if (s->end)
    lg_buf_addf(&b, "{\"type\":\"end\",\"status\":\"%s\",\"i\":%lld%s}\n",
                s->end, s->stop_at, s->stopped ? ",\"stopped\":true" : "");
  else
    lg_buf_addf(&b, "{\"type\":\"end\",\"i\":%lld}\n", s->stop_at);
  return lg_buf_take(&b);
}

/* Time spent by the last lg_analyse in the probe reader and the analysis. */
static double lg_last_read_ms, lg_last_analyse_ms;

/* What the runner saw of the process besides its probe stream. */
typedef struct lg_outcome_s {
  int exit_status, term_signal, timed_out;
  double hung_after_end_s;
  int race; /* the detector reported a data race in our code */
} lg_outcome_t;

/* Reads the stream into run and analyses it as the runner does, after a
 * process that ended as `out` says (NULL: exit status 0). */
static void lg_analyse_outcome(const lg_stream_t *s, const char *variant,
                               const char *detector_error,
                               const lg_outcome_t *out, lg_run_t *run) {
  const lg_manifest_t *m = lg_manifest();
  memset(run, 0, sizeof *run);
  if (out) {
    run->exit_status = out->exit_status;
    run->term_signal = out->term_signal;
    run->timed_out = out->timed_out;
    run->hung_after_end_s = out->hung_after_end_s;
    run->timeout_s = 30;
  }
  run->scenario = lg_xstrdup("s");
  run->variant = lg_xstrdup(variant);
  run->lang = lg_xstrdup("c");
  run->expected = lg_xstrdup("pass");
  run->iterations = s->iterations;
  run->sample_every = s->sample_every;
  run->warmup = s->iterations / 10;
  char *data = lg_stream(s);
  lg_probe_info_t pi;
  memset(&pi, 0, sizeof pi);
  double t0 = lg_now_ms();
  lg_probe_parse(data, strlen(data), run, &pi);
  double t1 = lg_now_ms();
  free(data);
  if (out && out->race) {
    run->findings = lg_xcalloc(1, sizeof *run->findings);
    run->nfindings = 1;
    run->findings[0].detector = lg_xstrdup("tsan");
    run->findings[0].kind = lg_xstrdup("data-race");
    run->findings[0].cls = LG_F_RACE;
    run->findings[0].ours = 1;
    run->findings[0].bytes = -1;
    run->findings[0].first_our_frame = lg_xstrdup("evs_poll worker.c:9");
  }
  lg_analyze_run(m, lg_manifest_scenario(m, "s"),
                 lg_manifest_variant(m, variant), &pi, NULL, detector_error,
                 run);
  lg_last_read_ms = t1 - t0;
  lg_last_analyse_ms = lg_now_ms() - t1;
  lg_probe_info_free(&pi);
}

/* Reads the stream into run and analyses it as the runner does. */
static void lg_analyse(const lg_stream_t *s, const char *variant,
                       const char *detector_error, lg_run_t *run) {
  lg_analyse_outcome(s, variant, detector_error, NULL, run);
}

static void lg_run_fini(void *run) {
  lg_run_free(run);
}

/* A zeroed run released after the test, passed or failed (check.h). */
static lg_run_t *lg_new_run(void) {
  return check_alloc(sizeof(lg_run_t), lg_run_fini);
}

#define ASSERT_VERDICT(run, v, text)                                           \
  do {                                                                         \
    if ((run).verdict != (v) || !strstr((run).evidence, (text)))               \
      fprintf(stderr, "verdict %s, evidence: %s\n",                            \
              lg_verdict_name((run).verdict), (run).evidence);                 \
    ASSERT_EQ((run).verdict, (v));                                             \
    ASSERT_TRUE(strstr((run).evidence, (text)) != NULL);                       \
  } while (0)

static const lg_stream_t lg_ok = {.iterations = 2000,
                                  .sample_every = 20,
                                  .stop_at = 2000,
                                  .end = "ok",
                                  .f = lg_flat};

/* A stream of f over `iterations` sampled every sample_every whose end
 * record says "ok" at iteration stop_at. */
static lg_stream_t lg_ended_ok(long long iterations, long long sample_every,
                               long long stop_at, lg_series_fn f) {
  lg_stream_t s = {.iterations = iterations,
                   .sample_every = sample_every,
                   .stop_at = stop_at,
                   .end = "ok",
                   .f = f};
  return s;
}

/* Analyses stream s in variant (detector_error as lg_analyse's) into a run
 * released after the test, checks that its verdict is v and its evidence
 * contains text, and returns the run through *out unless out is NULL. */
static void lg_expect_verdict(const lg_stream_t *s, const char *variant,
                              const char *detector_error, lg_verdict_t v,
                              const char *text, lg_run_t **out) {
  lg_run_t *run = lg_new_run();
  lg_analyse(s, variant, detector_error, run);
  if (out)
    *out = run;
  ASSERT_VERDICT(*run, v, text);
}

static void test_clean_passes(void) {
  lg_run_t *run = NULL;
  lg_expect_verdict(&lg_ok, "r", NULL, LG_V_PASS, "mallocInUse", &run);
  CHECK_RETURN_IF_FAILED();
  ASSERT_EQ(run->iterations_done, 2000);
}

static void test_end_status_error(void) {
  lg_stream_t s = lg_ok;
  s.end = "error";
  lg_expect_verdict(&s, "r", NULL, LG_V_ERROR, "status \"error\"", NULL);
  CHECK_RETURN_IF_FAILED();
  s.end = NULL;
  lg_expect_verdict(&s, "r", NULL, LG_V_ERROR, "end record has no status",
                    NULL);
}

static void test_early_end_is_error(void) {
  /* The probe says "ok" after 10 of 100 iterations of a 500 B/it leak. */
  lg_stream_t s = lg_ended_ok(100, 1, 10, lg_leak500);
  lg_run_t *run = NULL;
  lg_expect_verdict(&s, "r", NULL, LG_V_ERROR,
                    "ended after 10 of 100 iterations", &run);
  CHECK_RETURN_IF_FAILED();
  ASSERT_EQ(run->iterations_done, 10);
}

/* An early stop (harness/README.md, "Early stopping"): the analysis
 * applies the rule again; a flat run stopped at 1400 of 2000 passes with
 * the stop in its evidence, a leaking one claiming a stop is ERROR. */
static void test_early_stop_confirmed(void) {
  lg_stream_t s = lg_ended_ok(2000, 20, 1400, lg_flat);
  s.stopped = 1;
  lg_run_t *run = NULL;
  lg_expect_verdict(&s, "r", NULL, LG_V_PASS,
                    "stopped early at 1400 of 2000 iterations (60% look): no "
                    "growth at two looks: ",
                    &run);
  CHECK_RETURN_IF_FAILED();
  ASSERT_EQ(run->iterations_done, 1400);
  ASSERT_EQ(run->stop_look, 60);
  ASSERT_TRUE(strstr(run->stop_reason, "mallocInUse") != NULL);
  ASSERT_TRUE(strstr(run->stop_reason, "rss") != NULL);
  /* The same stream without "stopped" is a probe that quit early. */
  s.stopped = 0;
  lg_expect_verdict(&s, "r", NULL, LG_V_ERROR,
                    "ended after 1400 of 2000 iterations", NULL);
  CHECK_RETURN_IF_FAILED();
  /* A growing metric never PASS-stops: the claimed stop is not one. */
  s = lg_ended_ok(2000, 20, 1400, lg_leak500);
  s.stopped = 1;
  lg_expect_verdict(&s, "r", NULL, LG_V_ERROR,
                    "ended after 1400 of 2000 iterations", &run);
  CHECK_RETURN_IF_FAILED();
  ASSERT_EQ(run->stop_look, 0);
}

static void test_no_samples_is_error(void) {
  lg_stream_t s = lg_ok;
  s.no_samples = 1;
  lg_expect_verdict(&s, "r", NULL, LG_V_ERROR,
                    "only 0 sample(s) in the judged window", NULL);
}

static void test_sample_every_beyond_iterations(void) {
  /* At run time: no iterate sample at all -> too few samples. */
  lg_stream_t s = lg_ended_ok(10, 20, 10, lg_flat);
  lg_expect_verdict(&s, "r", NULL, LG_V_ERROR, "needs at least 15", NULL);
  CHECK_RETURN_IF_FAILED();
  /* A window with 14 samples is still too few; 15 are enough. */
  s = lg_ok;
  s.iterations = 300;
  s.sample_every = 20; /* warm-up 30: samples at 40..300 = 14 */
  s.stop_at = 300;
  lg_expect_verdict(&s, "r", NULL, LG_V_ERROR, "only 14 sample(s)", NULL);
  CHECK_RETURN_IF_FAILED();
  s.iterations = s.stop_at = 320;
  lg_expect_verdict(&s, "r", NULL, LG_V_PASS, "15 samples", NULL);
  CHECK_RETURN_IF_FAILED();

  /* At load time: refused with the key named. */
  char path[1024];
  snprintf(path, sizeof path, "%s/bad.json", LG_TEST_TMP);
  const char *j =
      "{\"version\":1,\"defaults\":{\"iterations\":10,\"warmup\":1,"
      "\"sample_every\":20},\"variants\":[{\"name\":\"r\",\"build\":\"/b\"}],"
      "\"scenarios\":[{\"name\":\"s\",\"lang\":\"c\",\"program\":\"p\"}]}";
  lg_mkdirs(LG_TEST_TMP);
  lg_write_file(path, j, strlen(j));
  lg_manifest_t m;
  char *err = NULL;
  ASSERT_EQ(lg_manifest_load(path, "/", &m, &err), -1);
  lg_manifest_free(&m);
  ASSERT_TRUE(err && strstr(err, "sample_every"));
  free(err);
  j = "{\"version\":1,\"defaults\":{\"thresholds\":{\"rss\":{\"slope\":1,"
      "\"peak\":\"big\"}}},\"variants\":[{\"name\":\"r\",\"build\":\"/b\"}],"
      "\"scenarios\":[{\"name\":\"s\",\"lang\":\"c\",\"program\":\"p\"}]}";
  lg_write_file(path, j, strlen(j));
  err = NULL;
  ASSERT_EQ(lg_manifest_load(path, "/", &m, &err), -1);
  lg_manifest_free(&m);
  ASSERT_TRUE(err && strstr(err, "thresholds.rss.peak"));
  free(err);
}

static void test_detector_output_unusable(void) {
  lg_expect_verdict(&lg_ok, "vg",
                    "vg.1.xml: valgrind XML malformed or truncated", LG_V_INFRA,
                    "detector output unusable", NULL);
  CHECK_RETURN_IF_FAILED();
  lg_expect_verdict(&lg_ok, "vg",
                    "no valgrind output (no file matches vg.*.xml)", LG_V_INFRA,
                    "no valgrind output", NULL);
  CHECK_RETURN_IF_FAILED();
  lg_expect_verdict(&lg_ok, "vg", NULL, LG_V_PASS, "mallocInUse", NULL);
}

static void test_step_is_not_a_leak_but_growth_is(void) {
  lg_stream_t s = lg_ok;
  s.f = lg_step;
  lg_expect_verdict(&s, "r", NULL, LG_V_PASS, "not persistent", NULL);
  CHECK_RETURN_IF_FAILED();
  s.f = lg_leak500;
  lg_run_t *run = NULL;
  lg_expect_verdict(&s, "r", NULL, LG_V_LEAK, "block-median slope per block",
                    &run);
  CHECK_RETURN_IF_FAILED();
  ASSERT_TRUE(lg_run_metric(run, "mallocInUse")->flagged);
}

static void test_null_threshold_not_judged(void) {
  lg_stream_t s = lg_ok;
  s.f = lg_leak500;
  lg_run_t *run = lg_new_run();
  lg_analyse(&s, "r", NULL, run);
  lg_metric_t *rss = lg_run_metric(run, "rss");
  ASSERT_DBL_NEAR(rss->threshold, 2048, 0);
  ASSERT_TRUE(!rss->flagged); /* 500 B/it < 2048 */
  lg_run_free(run);
  lg_analyse(&s, "vg", "", run);
  rss = lg_run_metric(run, "rss");
  ASSERT_TRUE(isnan(rss->threshold));
  ASSERT_TRUE(rss->fitted && !rss->flagged);
  ASSERT_TRUE(lg_run_metric(run, "mallocInUse")->flagged);
}

static double lg_step_2mb(long long i) {
  return 500000.0 + (i >= 1100 ? 2e6 : 0);
}

static void test_peak_ceiling(void) {
  /* A one-time step is not a slope LEAK, but a step beyond the metric's
   * peak-growth ceiling is; not where the metric's threshold is null. The
   * stream writes the same series to mallocInUse (no ceiling) and rss. */
  lg_stream_t s = lg_ok;
  s.f = lg_step; /* 232 KB < 1 MB */
  lg_expect_verdict(&s, "r", NULL, LG_V_PASS, "not persistent", NULL);
  CHECK_RETURN_IF_FAILED();
  s.f = lg_step_2mb;
  lg_run_t *run = NULL;
  lg_expect_verdict(
      &s, "r", NULL, LG_V_LEAK,
      "rss peak 1953.1 KiB above its baseline sample, over the 976.6 KiB",
      &run);
  CHECK_RETURN_IF_FAILED();
  ASSERT_TRUE(lg_run_metric(run, "rss")->flagged);
  ASSERT_TRUE(!lg_run_metric(run, "mallocInUse")->flagged);
  lg_expect_verdict(&s, "vg", NULL, LG_V_PASS, "mallocInUse", NULL);
}

static void test_key_cap(void) {
  lg_stream_t s = lg_ok;
  s.extra_keys = 40000;
  /* 40 000 keys took 14.6 s (a linear metric lookup per key over all of
   * them) and made a 42 MB report; the cap bounds both. */
  lg_run_t *run = lg_new_run();
  lg_analyse(&s, "r", NULL, run);
  ASSERT_EQ(run->nmetrics, LG_PROBE_MAX_METRICS);
  ASSERT_VERDICT(*run, LG_V_PASS, "beyond the first 64 metrics ignored");
  ASSERT_VERDICT(*run, LG_V_PASS, "(first: \"k61\")");
  ASSERT_TRUE(lg_run_metric(run, "mallocInUse") != NULL);
}

static double lg_bench(long long n, double *read_ms, long *maxrss_kb) {
  lg_stream_t s = lg_ok;
  s.iterations = s.stop_at = n * 10;
  s.sample_every = 10;
  s.f = lg_flat;
  s.every_keys = 8; /* 11 metrics per sample, as a real C probe sends */
  lg_run_t run;
  double t0 = lg_now_ms();
  lg_analyse(&s, "r", NULL, &run);
  double ms = lg_now_ms() - t0;
  if (read_ms)
    *read_ms = ms;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  if (maxrss_kb)
    *maxrss_kb = ru.ru_maxrss;
  int ok = run.verdict == LG_V_PASS;
  lg_run_free(&run);
  return ok ? ms : -1;
}

/* Under a test wrapper (valgrind, ~40x slower) 20 000 samples, else
 * 100 000. */
#ifndef LG_TEST_BIG_N
#define LG_TEST_BIG_N 100000
#endif

static void test_100k_samples(void) {
  /* Was: 6 000 samples 20 s, 20 000 44 s, more ran out of memory. A
   * quadratic step would take hours here (release: 0.75 s, ASan 2.2 s,
   * valgrind 20 000 in ~6 s); the bound is loose for loaded machines. */
  double ms = lg_bench(LG_TEST_BIG_N, NULL, NULL);
  ASSERT_TRUE(ms >= 0);
  ASSERT_TRUE(ms < 60000);
}

/* A run with several reasons at once: stream s in variant after outcome
 * out (detector_error as lg_analyse's) has verdict v, whose reason `first`
 * comes first in the evidence and `other` (a reason that lost) after it. */
typedef struct lg_priority_case_s {
  const lg_stream_t *s;
  const char *variant, *detector_error;
  const lg_outcome_t *out;
  lg_verdict_t v;
  const char *first, *other;
} lg_priority_case_t;

/* Analyses c's run into a run released after the test and checks it. */
static void lg_expect_priority(const lg_priority_case_t *c) {
  lg_run_t *run = lg_new_run();
  lg_analyse_outcome(c->s, c->variant, c->detector_error, c->out, run);
  const char *a = strstr(run->evidence, c->first),
             *b = strstr(run->evidence, c->other);
  if (run->verdict != c->v || a != run->evidence || !b)
    fprintf(stderr, "verdict %s, evidence: %s\n", lg_verdict_name(run->verdict),
            run->evidence);
  ASSERT_STR_EQ(lg_verdict_name(run->verdict), lg_verdict_name(c->v));
  ASSERT_TRUE(a == run->evidence);
  ASSERT_TRUE(b != NULL);
}

/* Several reasons at once: the verdict is the one of highest priority
 * (INFRA > TIMEOUT > ERROR > RACE > CRASH > LEAK > RESOURCE), whatever
 * the order the analysis found them in; its reason leads the evidence and
 * the others follow. */
static void test_verdict_priority(void) {
  lg_stream_t leak = lg_ok, err = lg_ok, leak_err = lg_ok;
  leak.f = lg_leak500;
  err.end = "error";
  leak_err.f = lg_leak500;
  leak_err.end = "error";
  const lg_outcome_t hung = {.hung_after_end_s = 5}, exit3 = {.exit_status = 3},
                     exit66 = {.exit_status = 66}, late = {.timed_out = 1},
                     race_segv = {.term_signal = 11, .race = 1};
  const char *const end_error = "probe end record says status \"error\"";
  const lg_priority_case_t cases[] = {
      /* LEAK (metrics, found last) over RESOURCE (found first) */
      {&leak, "r", NULL, &hung, LG_V_LEAK, "mallocInUse grows",
       "did not exit within 5 s"},
      /* CRASH over LEAK */
      {&leak, "r", NULL, &exit3, LG_V_CRASH,
       "exit status 3 after the end record", "mallocInUse grows"},
      /* RACE (a detector exit code) over LEAK */
      {&leak, "x", NULL, &exit66, LG_V_RACE, "detector exit code 66",
       "mallocInUse grows"},
      /* RACE (found first) over CRASH */
      {&lg_ok, "r", NULL, &race_segv, LG_V_RACE,
       "tsan data-race at evs_poll worker.c:9", "killed by SIGSEGV"},
      /* ERROR over RACE and over CRASH, both found before it */
      {&leak_err, "x", NULL, &exit66, LG_V_ERROR, end_error,
       "detector exit code 66"},
      {&err, "r", NULL, &exit3, LG_V_ERROR, end_error,
       "exit status 3 after the end record"},
      /* TIMEOUT over ERROR */
      {&err, "r", NULL, &late, LG_V_TIMEOUT, "no end after the 30 s timeout",
       end_error},
      /* INFRA (found after it) over ERROR */
      {&err, "r", "vg.1.xml: truncated", NULL, LG_V_INFRA,
       "detector output unusable", end_error},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    lg_expect_priority(&cases[i]);
    CHECK_RETURN_IF_FAILED();
  }
}

static const check_case_t cases[] = {
    {"clean_passes", test_clean_passes},
    {"end_status_error", test_end_status_error},
    {"early_end_is_error", test_early_end_is_error},
    {"early_stop_confirmed", test_early_stop_confirmed},
    {"no_samples_is_error", test_no_samples_is_error},
    {"sample_every_beyond_iterations", test_sample_every_beyond_iterations},
    {"detector_output_unusable", test_detector_output_unusable},
    {"step_is_not_a_leak_but_growth_is", test_step_is_not_a_leak_but_growth_is},
    {"null_threshold_not_judged", test_null_threshold_not_judged},
    {"peak_ceiling", test_peak_ceiling},
    {"key_cap", test_key_cap},
    {"100k_samples", test_100k_samples},
    {"verdict_priority", test_verdict_priority},
    {NULL, NULL}};

/* The check runner under another name, so that main can offer --bench. */
int lg_check_main(int argc, char **argv);
#define main lg_check_main
CHECK_MAIN(cases)
#undef main

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--bench") == 0) {
    double ms;
    long kb;
    long long n = atoll(argv[2]);
    if (lg_bench(n, &ms, &kb) < 0)
      return 1;
    printf("%lld samples x 11 metrics: read %.0f ms, analyse %.0f ms "
           "(%.0f ms with generating the stream), peak RSS %ld KiB\n",
           n, lg_last_read_ms, lg_last_analyse_ms, ms, kb);
    return 0;
  }
  return lg_check_main(argc, argv);
}
