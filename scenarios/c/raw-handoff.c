/* raw-handoff: the manual pattern. Each iteration asks a worker for its
 * malloc'd JSON status string, reads it, and releases it with
 * evs_string_free(). Proves the handoff leaks nothing when used as the
 * header says (flat memory, exact counters). Catches the planted
 * double-free-string defect (ASan, valgrind). */
#include "scn.h"

static evs_store_t *store;
static evs_worker_t *worker;

static int setup(void **ctx) {
  *ctx = NULL;
  SCN_EXPECT_RC(evs_store_open(NULL, &store), EVS_OK);
  SCN_EXPECT_RC(evs_worker_open(store, SCN_S("/jobs/**"), 8, &worker), EVS_OK);
  return 0;
}

static int iterate(void *ctx, uint64_t i) {
  (void)ctx;
  (void)i;
  for (int k = 0; k < 4; k++) {
    char *s = evs_worker_status_json(worker);
    SCN_EXPECT(s != NULL);
    int ok = strncmp(s, "{\"running\":true,", 16) == 0;
    evs_string_free(s);
    SCN_EXPECT(ok);
  }
  return 0;
}

static int teardown(void *ctx) {
  (void)ctx;
  evs_worker_free(worker);
  evs_store_free(store);
  return 0;
}

static const lg_scenario_t sc = {"raw-handoff", setup, iterate, teardown,
                                 scn_core_stats};
SCN_MAIN(sc)
