/* slow-consumer: a producer outruns its listeners on two stores with
 * 16-slot queues: under 'drop' the listener is held while a burst of 50 is
 * written, so at least 33 of every burst must be refused whatever the speed
 * of either side (deterministic, also under TSan); under 'block' the
 * listener burns ~2 us per event. Proves memory stays bounded by the fixed
 * rings whatever the backlog (flat liveBytes/mallocInUse), 'drop' counts
 * every refused event (delivered + dropped == written) and 'block' loses
 * none. */
#include <stdatomic.h>
#include <time.h>

#include "scn.h"

#define BURST 50
#define SLOTS 16

typedef struct {
  evs_store_t *drop, *block;
  atomic_uint_fast64_t seen_drop, seen_block;
  atomic_bool hold; /* the drop store's listener waits while set */
  uint64_t written;
} ctx_t;

static ctx_t g;

static void burn(void) {
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  do
    clock_gettime(CLOCK_MONOTONIC, &b);
  while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < 2000);
}

static void on_drop(const evs_event_t *ev, void *ud) {
  (void)ev;
  ctx_t *c = ud;
  while (atomic_load(&c->hold))
    nanosleep(&(struct timespec){0, 10000}, NULL);
  atomic_fetch_add(&c->seen_drop, 1);
}
static void on_block(const evs_event_t *ev, void *ud) {
  (void)ev;
  burn();
  atomic_fetch_add(&((ctx_t *)ud)->seen_block, 1);
}

static int setup(void **ctx) {
  *ctx = &g;
  evs_store_config_t d = {.queue_slots = SLOTS, .overflow = EVS_OVERFLOW_DROP};
  evs_store_config_t b = {.queue_slots = SLOTS, .overflow = EVS_OVERFLOW_BLOCK};
  SCN_EXPECT_RC(evs_store_open(&d, &g.drop), EVS_OK);
  SCN_EXPECT_RC(evs_store_open(&b, &g.block), EVS_OK);
  uint64_t id;
  SCN_EXPECT_RC(evs_store_subscribe(g.drop, SCN_S("/**"), on_drop, &g, &id),
                EVS_OK);
  SCN_EXPECT_RC(evs_store_subscribe(g.block, SCN_S("/**"), on_block, &g, &id),
                EVS_OK);
  return 0;
}

static int iterate(void *ctx, uint64_t i) {
  ctx_t *c = ctx;
  char v[64];
  int n = snprintf(v, sizeof(v), "payload-%llu", (unsigned long long)i);
  /* The drop store's listener is held for the whole burst: at most one
   * event in the listener and SLOTS in the queue can be accepted. */
  evs_queue_stats_t st;
  SCN_EXPECT_RC(evs_store_queue_stats(c->drop, &st), EVS_OK);
  uint64_t dropped_before = st.dropped;
  atomic_store(&c->hold, true);
  for (int k = 0; k < BURST; k++)
    SCN_EXPECT_RC(evs_store_set(c->drop, SCN_S("/fast"), v, (size_t)n), EVS_OK);
  atomic_store(&c->hold, false);
  SCN_EXPECT_RC(evs_store_queue_stats(c->drop, &st), EVS_OK);
  SCN_EXPECT(st.dropped - dropped_before >= BURST - SLOTS - 1);
  for (int k = 0; k < BURST; k++)
    SCN_EXPECT_RC(evs_store_set(c->block, SCN_S("/fast"), v, (size_t)n),
                  EVS_OK);
  c->written += BURST;
  return 0;
}

static int teardown(void *ctx) {
  ctx_t *c = ctx;
  evs_queue_stats_t d, b;
  SCN_EXPECT_RC(evs_store_close(c->drop, EVS_CLOSE_DELIVER), EVS_OK);
  SCN_EXPECT_RC(evs_store_close(c->block, EVS_CLOSE_DELIVER), EVS_OK);
  evs_store_queue_stats(c->drop, &d);
  evs_store_queue_stats(c->block, &b);
  evs_store_free(c->drop);
  evs_store_free(c->block);
  SCN_EXPECT(atomic_load(&c->seen_drop) + d.dropped == c->written);
  SCN_EXPECT(atomic_load(&c->seen_block) == c->written && b.dropped == 0);
  return 0;
}

static const lg_scenario_t sc = {"slow-consumer", setup, iterate, teardown,
                                 scn_core_stats};
SCN_MAIN(sc)
