/* subscribe-churn: each iteration subscribes four patterns, writes events
 * that reach them, and unsubscribes all four. Proves that subscriptions are
 * freed on unsubscribe (flat liveBlocks and mallocInUse, subscriptions back
 * to 0) while the dispatcher is busy delivering to them. Catches the planted
 * leak-subscription defect. */
#include <stdatomic.h>

#include "scn.h"

typedef struct {
  evs_store_t *s;
  atomic_uint_fast64_t seen;
} ctx_t;

static ctx_t g;

static void on_event(const evs_event_t *ev, void *ud) {
  (void)ev;
  atomic_fetch_add_explicit(&((ctx_t *)ud)->seen, 1, memory_order_relaxed);
}

static int setup(void **ctx) {
  *ctx = &g;
  SCN_EXPECT_RC(evs_store_open(NULL, &g.s), EVS_OK);
  return 0;
}

static int iterate(void *ctx, uint64_t i) {
  ctx_t *c = ctx;
  static const char *const patterns[] = {"/users/*", "/users/**", "/**",
                                         "/users/1"};
  uint64_t ids[4];
  for (int k = 0; k < 4; k++)
    SCN_EXPECT_RC(
        evs_store_subscribe(c->s, SCN_S(patterns[k]), on_event, c, &ids[k]),
        EVS_OK);
  char v[32];
  int n = snprintf(v, sizeof(v), "value-%llu", (unsigned long long)i);
  for (int k = 0; k < 8; k++)
    SCN_EXPECT_RC(evs_store_set(c->s, SCN_S("/users/1"), v, (size_t)n), EVS_OK);
  for (int k = 0; k < 4; k++)
    SCN_EXPECT_RC(evs_store_unsubscribe(c->s, ids[k]), EVS_OK);
  SCN_EXPECT(evs_store_subscription_count(c->s) == 0);
  return 0;
}

static int teardown(void *ctx) {
  ctx_t *c = ctx;
  SCN_EXPECT_RC(evs_store_close(c->s, EVS_CLOSE_DELIVER), EVS_OK);
  evs_store_free(c->s);
  return 0;
}

static const lg_scenario_t sc = {"subscribe-churn", setup, iterate, teardown,
                                 scn_core_stats};
SCN_MAIN(sc)
