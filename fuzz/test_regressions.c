/* Unit tests for the bugs the fuzz targets found (fuzz/README.md, "Bugs
 * found"): each asserts the defined outcome on the input that once crashed,
 * so it fails without the fix in every preset, sanitizers or not (the
 * replay tests only catch what the preset's sanitizers see). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model.h"
#include "probe_read.h"
#include "util.h"

#ifndef LG_FUZZ_TMP
#error "LG_FUZZ_TMP (a scratch directory) must be defined"
#endif

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

static const check_case_t cases[] = {
    {"probe_meta_out_of_range", test_probe_meta_out_of_range},
    {NULL, NULL}};

CHECK_MAIN(cases)
