/* worker-poll: each iteration bootstraps a worker on a namespace, writes 16
 * matching and 4 non-matching events, polls them in batches, completes half
 * with ok and half with an error, checks the status counters, stops and
 * frees it. Proves step-event copies, in-flight records and workers are all
 * released (flat memory, workers back to 0). Catches the planted
 * leak-event-copy and use-after-free-event defects. */
#include <time.h>

#include "scn.h"

static evs_store_t *store;

static int setup(void **ctx) {
  *ctx = NULL;
  SCN_EXPECT_RC(evs_store_open(NULL, &store), EVS_OK);
  return 0;
}

static int iterate(void *ctx, uint64_t i) {
  (void)ctx;
  evs_worker_t *w;
  SCN_EXPECT_RC(evs_worker_open(store, SCN_S("/jobs/**"), 64, &w), EVS_OK);
  char path[64], val[64];
  for (int k = 0; k < 20; k++) {
    int pn =
        snprintf(path, sizeof(path), k < 16 ? "/jobs/%d/step" : "/other/%d", k);
    int vn = snprintf(val, sizeof(val), "{\"job\":%llu,\"k\":%d}",
                      (unsigned long long)i, k);
    SCN_EXPECT_RC(evs_store_set(store, path, (size_t)pn, val, (size_t)vn),
                  EVS_OK);
  }
  size_t got = 0;
  uint64_t ok = 0, failed = 0;
  for (int spins = 0; got < 16; spins++) {
    SCN_EXPECT(spins < 200000); /* delivery is asynchronous; bounded wait */
    evs_step_event_t *ev;
    size_t n;
    SCN_EXPECT_RC(evs_worker_poll(w, 5, &ev, &n), EVS_OK);
    if (n == 0) {
      struct timespec ts = {0, 20000};
      nanosleep(&ts, NULL);
    }
    for (size_t k = 0; k < n; k++) {
      SCN_EXPECT(strncmp(ev[k].path, "/jobs/", 6) == 0);
      int fail = ev[k].id % 2 == 0;
      SCN_EXPECT_RC(evs_worker_complete(w, ev[k].id, fail ? "rejected" : NULL),
                    EVS_OK);
      fail ? failed++ : ok++;
    }
    got += n;
    evs_step_events_free(ev, n);
  }
  evs_worker_status_t st;
  SCN_EXPECT_RC(evs_worker_status(w, &st), EVS_OK);
  SCN_EXPECT(st.completed == ok && st.failed == failed && st.in_flight == 0 &&
             st.pending == 0 && st.running);
  SCN_EXPECT_RC(evs_worker_complete(w, 1, NULL), EVS_EUNKNOWNID);
  SCN_EXPECT_RC(evs_worker_close(w), EVS_OK);
  evs_worker_free(w);
  return 0;
}

static int teardown(void *ctx) {
  (void)ctx;
  evs_store_free(store);
  return 0;
}

static const lg_scenario_t sc = {"worker-poll", setup, iterate, teardown,
                                 scn_core_stats};
SCN_MAIN(sc)
