/* Unit tests of the probe stream reader (probe_read.h): a well-formed stream,
 * a truncated one, protocol errors and a missing file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "probe_read.h"
#include "util.h"

static void test_probe_stream(void) {
  const char *s =
      "{\"type\":\"meta\",\"protocol\":1,\"scenario\":\"x\",\"lang\":\"c\","
      "\"iterations\":20,\"sample_every\":10,\"pid\":1}\n"
      "{\"type\":\"phase\",\"name\":\"baseline\",\"i\":0}\n"
      "{\"type\":\"sample\",\"phase\":\"baseline\",\"i\":0,\"t_ms\":1,"
      "\"rss\":100,\"threads\":1}\n"
      "{\"type\":\"sample\",\"phase\":\"iterate\",\"i\":10,\"t_ms\":2,"
      "\"rss\":110,\"threads\":1,\"liveBytes\":5,\"note\":\"text ignored\"}\n"
      "{\"type\":\"future-record\",\"i\":10}\n"
      "{\"type\":\"sample\",\"phase\":\"teardown\",\"i\":20,\"t_ms\":3,"
      "\"rss\":120,\"threads\":1}\n"
      "{\"type\":\"end\",\"status\":\"ok\",\"i\":20}\n";
  lg_run_t run;
  memset(&run, 0, sizeof run);
  lg_probe_info_t pi;
  memset(&pi, 0, sizeof pi);
  lg_probe_parse(s, strlen(s), &run, &pi);
  ASSERT_TRUE(pi.protocol_error == NULL);
  ASSERT_TRUE(pi.has_meta && pi.has_end);
  ASSERT_EQ(pi.meta_iterations, 20);
  ASSERT_EQ(run.nsamples, 3);
  ASSERT_EQ(run.nmetrics, 3);
  lg_metric_t *lb = lg_run_metric(&run, "liveBytes");
  ASSERT_TRUE(lb != NULL);
  ASSERT_TRUE(lb->v[0] != lb->v[0]); /* NaN where the sample lacks it */
  ASSERT_DBL_NEAR(lb->v[1], 5, 0);
  ASSERT_TRUE(lg_run_metric(&run, "note") == NULL);
  ASSERT_STR_EQ(run.sphase[2], "teardown");
  lg_run_free(&run);
  lg_probe_info_free(&pi);

  /* Truncated: the process died mid-record. */
  memset(&run, 0, sizeof run);
  size_t cut =
      strstr(s, "{\"type\":\"sample\",\"phase\":\"teardown\"") - s + 25;
  lg_probe_parse(s, cut, &run, &pi);
  ASSERT_TRUE(pi.truncated);
  ASSERT_TRUE(!pi.has_end);
  ASSERT_TRUE(pi.protocol_error == NULL);
  ASSERT_EQ(run.nsamples, 2);
  ASSERT_EQ(pi.last_i, 10);
  lg_run_free(&run);
  lg_probe_info_free(&pi);

  /* Garbage, records without a type, non-integer i, missing meta. */
  const char *bad[] = {
      "{\"type\":\"meta\"}\nnot json at all\n",
      "{\"type\":\"meta\"}\n[1,2,3]\n",
      "{\"type\":\"meta\"}\n{\"i\":3}\n",
      "{\"type\":\"meta\"}\n{\"type\":\"sample\",\"i\":\"x\"}\n",
      "{\"type\":\"sample\",\"i\":1}\n",
      "{\"type\":\"meta\"}\n{\"type\":\"end\"}\n{\"type\":\"end\"}\n",
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    memset(&run, 0, sizeof run);
    lg_probe_parse(bad[k], strlen(bad[k]), &run, &pi);
    if (!pi.protocol_error)
      fprintf(stderr, "no protocol error for case %zu\n", k);
    ASSERT_TRUE(pi.protocol_error != NULL);
    lg_run_free(&run);
    lg_probe_info_free(&pi);
  }
  ASSERT_EQ(lg_probe_read("/nonexistent/probe.jsonl", NULL, &pi), -1);
  ASSERT_TRUE(strstr(pi.protocol_error, "no probe output") != NULL);
  lg_probe_info_free(&pi);
}

static const check_case_t cases[] = {{"probe_stream", test_probe_stream},
                                     {NULL, NULL}};

CHECK_MAIN(cases)
