/* forgotten-unsubscribe (negative control): each iteration subscribes and
 * never unsubscribes, the classic listener leak. Closing the store at
 * teardown frees everything, so only the growth during the run shows it:
 * the harness must report LEAK (liveBytes/subscriptions slope); if it does
 * not, the run is EXPECTED-LEAK-MISSED. */
#include "scn.h"

static evs_store_t *store;

static void on_event(const evs_event_t *ev, void *ud) {
  (void)ev;
  (void)ud;
}

static int setup(void **ctx) {
  *ctx = NULL;
  SCN_EXPECT_RC(evs_store_open(NULL, &store), EVS_OK);
  return 0;
}

static int iterate(void *ctx, uint64_t i) {
  (void)ctx;
  (void)i;
  uint64_t id;
  SCN_EXPECT_RC(
      evs_store_subscribe(store, SCN_S("/orders/*"), on_event, NULL, &id),
      EVS_OK);
  SCN_EXPECT_RC(evs_store_set(store, SCN_S("/orders/1"), "x", 1), EVS_OK);
  return 0; /* the subscription is forgotten here */
}

static int teardown(void *ctx) {
  (void)ctx;
  evs_store_free(store);
  return 0;
}

static const lg_scenario_t sc = {"forgotten-unsubscribe", setup, iterate,
                                 teardown, scn_core_stats};
SCN_MAIN(sc)
