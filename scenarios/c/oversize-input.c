/* oversize-input: over-long paths, malformed paths, too-large values and bad
 * patterns against every entry point, each iteration. Proves each is refused
 * with its documented error code, changes nothing (entry and subscription
 * counts unchanged) and leaks nothing (flat memory, counters exact). */
#include <stdlib.h>

#include "scn.h"

typedef struct {
  evs_store_t *s;
  char longp[EVS_PATH_MAX + 64];
  unsigned char *big;
} ctx_t;

static ctx_t g;

static void on_event(const evs_event_t *ev, void *ud) {
  (void)ev;
  (void)ud;
}

static int setup(void **ctx) {
  *ctx = &g;
  evs_store_config_t cfg = {.max_value_bytes = 1024};
  SCN_EXPECT_RC(evs_store_open(&cfg, &g.s), EVS_OK);
  SCN_EXPECT_RC(evs_store_set(g.s, SCN_S("/keep"), "v", 1), EVS_OK);
  memset(g.longp, 'x', sizeof(g.longp));
  g.longp[0] = '/';
  g.big = calloc(1, 4096);
  SCN_EXPECT(g.big != NULL);
  return 0;
}

static int iterate(void *ctx, uint64_t i) {
  ctx_t *c = ctx;
  evs_store_t *s = c->s;
  size_t over = EVS_PATH_MAX + 1 + (size_t)(i % 32);
  uint64_t id = 0;
  evs_worker_t *w = NULL;
  void *v = NULL;
  size_t n;
  SCN_EXPECT_RC(evs_store_set(s, c->longp, over, "v", 1), EVS_EPATHLEN);
  SCN_EXPECT_RC(evs_store_get(s, c->longp, over, &v, &n), EVS_EPATHLEN);
  SCN_EXPECT_RC(evs_store_delete(s, c->longp, over), EVS_EPATHLEN);
  SCN_EXPECT_RC(evs_store_set(s, SCN_S("no-slash"), "v", 1), EVS_EPATH);
  SCN_EXPECT_RC(evs_store_set(s, SCN_S("/a//b"), "v", 1), EVS_EPATH);
  SCN_EXPECT_RC(evs_store_set(s, SCN_S("/a/"), "v", 1), EVS_EPATH);
  SCN_EXPECT_RC(evs_store_set(s, SCN_S("/a/*"), "v", 1), EVS_EPATH);
  SCN_EXPECT_RC(evs_store_set(s, SCN_S("/big"), c->big, 1025 + (i % 3000)),
                EVS_E2BIG);
  SCN_EXPECT_RC(evs_store_subscribe(s, SCN_S("/a/**/b"), on_event, NULL, &id),
                EVS_EPATTERN);
  SCN_EXPECT_RC(evs_store_subscribe(s, SCN_S("/a*"), on_event, NULL, &id),
                EVS_EPATTERN);
  SCN_EXPECT_RC(evs_store_subscribe(s, c->longp, over, on_event, NULL, &id),
                EVS_EPATHLEN);
  SCN_EXPECT_RC(evs_worker_open(s, SCN_S("/jobs/**/x"), 8, &w), EVS_EPATTERN);
  SCN_EXPECT_RC(evs_worker_open(s, SCN_S("/jobs/**"), 0, &w), EVS_ERANGE);
  SCN_EXPECT_RC(evs_store_unsubscribe(s, 1u << 30), EVS_ENOTFOUND);
  SCN_EXPECT_RC(evs_store_set(NULL, SCN_S("/a"), "v", 1), EVS_EINVAL);
  SCN_EXPECT(id == 0 && w == NULL && v == NULL);
  SCN_EXPECT(evs_store_count(s) == 1);
  SCN_EXPECT(evs_store_subscription_count(s) == 0);
  return 0;
}

static int teardown(void *ctx) {
  ctx_t *c = ctx;
  evs_store_free(c->s);
  free(c->big);
  return 0;
}

static const lg_scenario_t sc = {"oversize-input", setup, iterate, teardown,
                                 scn_core_stats};
SCN_MAIN(sc)
