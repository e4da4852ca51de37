/* shutdown-join: each iteration opens a store, subscribes, bursts 300 events
 * and closes with events still in flight (alternating deliver and discard),
 * closes a second time, tries to close from inside a listener (refused with
 * EVS_EDEADLK, not a deadlock), and frees. Proves the dispatcher thread is
 * joined every time (threads back to baseline), deliver mode loses nothing,
 * and nothing leaks. Catches the planted no-thread-join defect. */
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "scn.h"

typedef struct {
  evs_store_t *s;
  atomic_uint_fast64_t seen;
  atomic_int inner_close_rc;
} run_t;

static void on_event(const evs_event_t *ev, void *ud) {
  run_t *r = ud;
  if (ev->seq == 1)
    atomic_store(&r->inner_close_rc, evs_store_close(r->s, EVS_CLOSE_DELIVER));
  atomic_fetch_add_explicit(&r->seen, 1, memory_order_relaxed);
}

static uint64_t core_threads(void) {
  evs_core_counts_t c;
  evs_core_counts(&c);
  return c.threads;
}

static int iterate(void *ctx, uint64_t i) {
  (void)ctx;
  /* The listener's state lives on the heap and is freed only once the
   * dispatcher that could still call into it is known to be joined. */
  uint64_t threads_before = core_threads();
  run_t *r = calloc(1, sizeof(*r));
  SCN_EXPECT(r != NULL);
  atomic_store(&r->inner_close_rc, 1);
  SCN_EXPECT_RC(evs_store_open(NULL, &r->s), EVS_OK);
  uint64_t id;
  SCN_EXPECT_RC(evs_store_subscribe(r->s, SCN_S("/**"), on_event, r, &id),
                EVS_OK);
  for (int k = 0; k < 300; k++)
    SCN_EXPECT_RC(evs_store_set(r->s, SCN_S("/burst/k"), "0123456789", 10),
                  EVS_OK);
  int discard = i % 2 == 1;
  SCN_EXPECT_RC(
      evs_store_close(r->s, discard ? EVS_CLOSE_DISCARD : EVS_CLOSE_DELIVER),
      EVS_OK);
  SCN_EXPECT_RC(evs_store_close(r->s, EVS_CLOSE_DELIVER), EVS_OK);
  SCN_EXPECT_RC(evs_store_set(r->s, SCN_S("/after"), "v", 1), EVS_ECLOSED);
  evs_store_free(r->s);
  if (!discard) {
    /* Deliver mode: all 300 arrive. A correct close has delivered them all
     * before returning; the bounded wait only keeps a close that returns
     * early (the no-thread-join defect) from ending the run here, so that
     * the thread check, not this assertion, is what catches it. */
    for (int spin = 0; atomic_load(&r->seen) < 300 && spin < 1000; spin++)
      nanosleep(&(struct timespec){0, 1000000}, NULL);
    SCN_EXPECT(atomic_load(&r->seen) == 300);
  }
  if (atomic_load(&r->seen) > 0)
    SCN_EXPECT(atomic_load(&r->inner_close_rc) == EVS_EDEADLK);
  if (core_threads() == threads_before)
    free(r);
  return 0;
}

static const lg_scenario_t sc = {"shutdown-join", scn_no_setup, iterate,
                                 scn_no_teardown, scn_core_stats};
SCN_MAIN(sc)
