/* slot-ring-wrap: a store with a 64-slot queue takes 10x its slot count in
 * writes per iteration, with path lengths from 2 to 255 bytes, while the main
 * thread also reads the queue statistics. Proves no event is lost or
 * reordered across many laps of the slot ring (checked per event in the
 * listener, and in total at teardown) and that memory stays flat. A monitor
 * thread reads the queue statistics throughout, as a dashboard would: those
 * concurrent reads are what TSan needs to catch the planted data-race-stats
 * defect. */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "scn.h"

#define SLOTS 64

typedef struct {
  evs_store_t *s;
  atomic_uint_fast64_t seen, bad;
  uint64_t last_seq; /* dispatcher thread only */
  uint64_t written;
  char path[EVS_PATH_MAX + 1];
  pthread_t monitor;
  atomic_bool stop;
  atomic_int monitor_bad;
} ctx_t;

static ctx_t g;

static void on_event(const evs_event_t *ev, void *ud) {
  ctx_t *c = ud;
  /* The value holds the path length the writer used. */
  if (ev->seq != c->last_seq + 1 || ev->value_len != sizeof(size_t) ||
      *(const size_t *)ev->value != ev->path_len)
    atomic_fetch_add_explicit(&c->bad, 1, memory_order_relaxed);
  c->last_seq = ev->seq;
  atomic_fetch_add_explicit(&c->seen, 1, memory_order_relaxed);
}

static void *monitor_main(void *arg) {
  ctx_t *c = arg;
  while (!atomic_load(&c->stop)) {
    evs_queue_stats_t st;
    if (evs_store_queue_stats(c->s, &st) != EVS_OK || st.high_water > SLOTS ||
        st.dropped != 0)
      atomic_store(&c->monitor_bad, 1);
    nanosleep(&(struct timespec){0, 20000}, NULL);
  }
  return NULL;
}

static int setup(void **ctx) {
  *ctx = &g;
  evs_store_config_t cfg = {.queue_slots = SLOTS};
  SCN_EXPECT_RC(evs_store_open(&cfg, &g.s), EVS_OK);
  uint64_t id;
  SCN_EXPECT_RC(evs_store_subscribe(g.s, SCN_S("/**"), on_event, &g, &id),
                EVS_OK);
  memset(g.path, 'a', sizeof(g.path));
  g.path[0] = '/';
  SCN_EXPECT(pthread_create(&g.monitor, NULL, monitor_main, &g) == 0);
  return 0;
}

static int iterate(void *ctx, uint64_t i) {
  ctx_t *c = ctx;
  for (int k = 0; k < SLOTS * 10; k++) {
    size_t len = 2 + (size_t)((i * 7 + (uint64_t)k * 13) % (EVS_PATH_MAX - 1));
    /* Segments of 16 bytes keep the path valid at every length. */
    for (size_t p = 16; p < len; p += 16)
      c->path[p] = '/';
    if (c->path[len - 1] == '/')
      len--;
    SCN_EXPECT_RC(evs_store_set(c->s, c->path, len, &len, sizeof(len)), EVS_OK);
    c->written++;
    if (k % 64 == 0) {
      evs_queue_stats_t st;
      SCN_EXPECT_RC(evs_store_queue_stats(c->s, &st), EVS_OK);
      SCN_EXPECT(st.high_water <= SLOTS && st.dropped == 0);
    }
  }
  SCN_EXPECT(atomic_load(&c->bad) == 0);
  return 0;
}

static int teardown(void *ctx) {
  ctx_t *c = ctx;
  atomic_store(&c->stop, true);
  pthread_join(c->monitor, NULL);
  SCN_EXPECT(atomic_load(&c->monitor_bad) == 0);
  SCN_EXPECT_RC(evs_store_close(c->s, EVS_CLOSE_DELIVER), EVS_OK);
  evs_queue_stats_t st;
  evs_store_queue_stats(c->s, &st);
  evs_store_free(c->s);
  SCN_EXPECT(atomic_load(&c->seen) == c->written);
  SCN_EXPECT(atomic_load(&c->bad) == 0);
  SCN_EXPECT(st.slot_wraps >= c->written / SLOTS);
  return 0;
}

static const lg_scenario_t sc = {"slot-ring-wrap", setup, iterate, teardown,
                                 scn_core_stats};
SCN_MAIN(sc)
