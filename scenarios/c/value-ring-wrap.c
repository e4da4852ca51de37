/* value-ring-wrap: values from 1 byte to 64 KiB, sized so that they often
 * straddle the end of the 1 MiB value ring, each carrying a checksum of its
 * own content. Proves the ring's no-straddle rule keeps every value intact
 * (checked per event), that nothing is lost over many laps of the ring, and
 * that memory stays flat. */
#include <stdatomic.h>
#include <stdlib.h>

#include "scn.h"

#define MAX_VALUE (64 * 1024)

typedef struct {
  evs_store_t *s;
  atomic_uint_fast64_t seen, bad;
  uint64_t written;
  unsigned char *buf;
} ctx_t;

static ctx_t g;

static uint32_t fnv(const unsigned char *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ p[i]) * 16777619u;
  return h;
}

static void on_event(const evs_event_t *ev, void *ud) {
  ctx_t *c = ud;
  const unsigned char *v = ev->value;
  if (ev->type == EVS_EVENT_DELETE)
    return;
  uint32_t want;
  if (ev->value_len < 5) { /* short values: bytes derived from the length */
    for (size_t k = 0; k < ev->value_len; k++)
      if (v[k] != (unsigned char)(ev->value_len + k))
        atomic_fetch_add(&c->bad, 1);
  } else {
    memcpy(&want, v, 4);
    if (fnv(v + 4, ev->value_len - 4) != want)
      atomic_fetch_add(&c->bad, 1);
  }
  atomic_fetch_add_explicit(&c->seen, 1, memory_order_relaxed);
}

static int setup(void **ctx) {
  *ctx = &g;
  g.buf = malloc(MAX_VALUE);
  SCN_EXPECT(g.buf != NULL);
  SCN_EXPECT_RC(evs_store_open(NULL, &g.s), EVS_OK);
  uint64_t id;
  SCN_EXPECT_RC(evs_store_subscribe(g.s, SCN_S("/blobs/*"), on_event, &g, &id),
                EVS_OK);
  return 0;
}

static int iterate(void *ctx, uint64_t i) {
  ctx_t *c = ctx;
  /* 24 values per iteration: ~700 KiB, so the ring wraps every ~1.5 it. */
  for (int k = 0; k < 24; k++) {
    uint64_t n = i * 24 + (uint64_t)k;
    size_t len = k % 6 == 0 ? 1 + (size_t)(n % 4)
                            : (size_t)((n * 40503u) % MAX_VALUE) + 1;
    if (len < 5) {
      for (size_t b = 0; b < len; b++)
        c->buf[b] = (unsigned char)(len + b);
    } else {
      for (size_t b = 4; b < len; b++)
        c->buf[b] = (unsigned char)(n * 31 + b);
      uint32_t h = fnv(c->buf + 4, len - 4);
      memcpy(c->buf, &h, 4);
    }
    SCN_EXPECT_RC(evs_store_set(c->s, SCN_S("/blobs/x"), c->buf, len), EVS_OK);
    c->written++;
  }
  /* Every sample then sees the same map: no value held between iterations. */
  SCN_EXPECT_RC(evs_store_delete(c->s, SCN_S("/blobs/x")), EVS_OK);
  SCN_EXPECT(atomic_load(&c->bad) == 0);
  return 0;
}

static int teardown(void *ctx) {
  ctx_t *c = ctx;
  SCN_EXPECT_RC(evs_store_close(c->s, EVS_CLOSE_DELIVER), EVS_OK);
  evs_queue_stats_t st;
  evs_store_queue_stats(c->s, &st);
  evs_store_free(c->s);
  free(c->buf);
  SCN_EXPECT(atomic_load(&c->seen) == c->written);
  SCN_EXPECT(atomic_load(&c->bad) == 0);
  SCN_EXPECT(c->written < 100 || st.value_wraps > 0);
  return 0;
}

static const lg_scenario_t sc = {"value-ring-wrap", setup, iterate, teardown,
                                 scn_core_stats};
SCN_MAIN(sc)
