/* Fuzz target: the probe stream reader (harness/src/probe_read.c), over a
 * run as the runner passes it. Properties: no memory error, no undefined
 * behaviour, no leak; every metric column has one value per sample row. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "model.h"
#include "probe_read.h"

int lg_fuzz_one(const uint8_t *data, size_t size) {
  lg_run_t run;
  lg_probe_info_t info;
  memset(&run, 0, sizeof run);
  memset(&info, 0, sizeof info);
  lg_probe_parse((const char *)data, size, &run, &info);
  LG_FUZZ_CHECK(run.nsamples == 0 || (run.si && run.st && run.sphase),
                "%zu samples without their columns", run.nsamples);
  for (size_t m = 0; m < run.nmetrics; m++)
    LG_FUZZ_CHECK(run.metrics[m].name &&
                      (run.nsamples == 0 || run.metrics[m].v),
                  "metric %zu", m);
  LG_FUZZ_CHECK(info.records > 0 || !info.has_meta, "meta without a record");
  lg_probe_info_free(&info);
  lg_run_free(&run);
  return 0;
}
