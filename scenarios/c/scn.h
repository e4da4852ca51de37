/* Shared helpers for the C scenarios: core counters for every sample and a
 * failure macro. A scenario reports broken expectations (lost events, wrong
 * error codes) by returning non-zero, which the harness records as ERROR; it
 * never judges leaks itself. */
#ifndef SCN_H
#define SCN_H

#include <stdio.h>
#include <string.h>

#include "evstore.h"
#include "evstore/testing.h"
#include "probe.h"

#define SCN_S(x) x, strlen(x)

/* Logs the failed expectation and makes the current callback fail. */
#define SCN_EXPECT(cond)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: expectation failed: %s\n", __FILE__, __LINE__,   \
              #cond);                                                          \
      return 1;                                                                \
    }                                                                          \
  } while (0)

#define SCN_EXPECT_RC(call, want)                                              \
  do {                                                                         \
    int rc_ = (call);                                                          \
    if (rc_ != (want)) {                                                       \
      fprintf(stderr, "%s:%d: %s returned %s, expected %s\n", __FILE__,        \
              __LINE__, #call, evs_err_name(rc_), evs_err_name(want));         \
      return 1;                                                                \
    }                                                                          \
  } while (0)

/* The core's exact counters, added to every sample. */
static inline void scn_core_stats(void *ctx, lg_sample_t *s) {
  (void)ctx;
  evs_alloc_stats_t a;
  evs_core_counts_t c;
  evs_alloc_stats(&a);
  evs_core_counts(&c);
  /* In use, not live: a removed subscription the dispatcher frees later is
   * no longer held, and when that thread runs must not move an exact
   * figure (core/include/evstore/alloc.h). */
  lg_sample_add(s, "liveBytes", (double)a.in_use_bytes);
  lg_sample_add(s, "liveBlocks", (double)a.in_use_blocks);
  lg_sample_add(s, "stores", (double)c.stores);
  lg_sample_add(s, "subscriptions", (double)c.subscriptions);
  lg_sample_add(s, "workers", (double)c.workers);
  lg_sample_add(s, "coreThreads", (double)c.threads);
}

/* The setup and teardown of a scenario that keeps no state of its own. */
static inline int scn_no_setup(void **ctx) {
  *ctx = NULL;
  return 0;
}
static inline int scn_no_teardown(void *ctx) {
  (void)ctx;
  return 0;
}

/* A misspelt EVS_FAULT must fail the run, not silently plant nothing. */
#define SCN_MAIN(sc)                                                           \
  int main(int argc, char **argv) {                                            \
    if (evs_fault_init(NULL) != EVS_OK)                                        \
      return 2;                                                                \
    return lg_probe_main(&(sc), argc, argv);                                   \
  }

#endif
