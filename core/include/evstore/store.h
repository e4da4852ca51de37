/* The store: a path-keyed in-memory map of byte values that emits an event for
 * every write, delivered on its own dispatcher thread to subscribed listeners.
 *
 * Data flow: evs_store_set() (any thread, writers serialised by the store
 * lock) -> map updated -> event pushed to the EventQueue -> dispatcher thread
 * pops it, matches subscription patterns and calls each listener with a
 * borrowed evs_event_t view. A write made while the store has no
 * subscription takes its seq but is not queued (nobody could receive it), so
 * it neither waits for queue space nor counts in the queue's stats. */
#ifndef EVSTORE_STORE_H
#define EVSTORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "evstore/alloc.h" /* evs_core_counts, once declared here */
#include "evstore/event.h"
#include "evstore/queue.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct evs_store_s evs_store_t;

typedef enum evs_overflow_e {
  EVS_OVERFLOW_BLOCK = 0, /* default: a writer waits for queue space */
  EVS_OVERFLOW_DROP = 1   /* the event is dropped and counted; the map is
                             still updated */
} evs_overflow_t;

typedef enum evs_close_mode_e {
  EVS_CLOSE_DELIVER = 0, /* deliver every pending event before joining */
  EVS_CLOSE_DISCARD = 1  /* release pending events without delivering them */
} evs_close_mode_t;

typedef struct evs_store_config_s {
  uint32_t queue_slots; /* power of two; 0 = EVS_QUEUE_DEFAULT_SLOTS */
  uint32_t
      value_ring_bytes;     /* power of two; 0 = EVS_QUEUE_DEFAULT_VALUE_RING */
  uint32_t max_value_bytes; /* 0 = value_ring_bytes / 2, also the maximum */
  evs_overflow_t overflow;
  /* Optional: called on the dispatcher thread each time it has delivered
   * every event queued so far, before it waits for more (so at least once
   * after the last event of any burst). Listeners that batch their output
   * flush it here rather than per event. Same rules as a listener; it must
   * not block. NULL: none. */
  void (*on_drained)(void *user_data);
  void *on_drained_user;
} evs_store_config_t;

/* Listener: called on the dispatcher thread with a borrowed view (see
 * event.h) for each event whose path matches the subscription's pattern and
 * whose seq is newer than the subscription. Order: events in sequence order,
 * and each event to every matching subscription (in subscription order)
 * before the next event reaches any; the addon's in-order delivery to JS
 * across subscribers rests on this (batching deliveries per subscription
 * would break it). It may call any store function
 * except evs_store_close/evs_store_free on its own store; a blocking set that
 * finds the queue full returns EVS_EDEADLK instead of waiting. */
typedef void (*evs_listener_fn)(const evs_event_t *ev, void *user_data);

/* Opens a store and starts its dispatcher thread. `cfg` may be NULL for the
 * defaults. On success *out owns the store: close it with evs_store_close()
 * and free it with evs_store_free(). Errors (nothing is left allocated and
 * *out is untouched): EVS_EINVAL, EVS_ERANGE (bad sizes, max_value_bytes >
 * value_ring_bytes / 2, unknown overflow), EVS_ENOMEM, EVS_ETHREAD,
 * EVS_EFAULTNAME (fault build, EVS_FAULT names an unknown fault). Any thread.
 */
int evs_store_open(const evs_store_config_t *cfg, evs_store_t **out);

/* Stops intake (later writes fail with EVS_ECLOSED), delivers or discards the
 * pending events according to `mode`, joins the dispatcher thread and frees
 * the queue, the map and every subscription. The handle itself stays valid
 * for queries that report EVS_ECLOSED until evs_store_free(). A second close
 * is harmless and returns EVS_OK. Any thread except the store's own
 * dispatcher (a listener): returns EVS_EDEADLK there and does nothing.
 * Workers attached to the store are stopped first. */
int evs_store_close(evs_store_t *store, evs_close_mode_t mode);

/* Closes the store if still open (delivering pending events) and frees the
 * handle, which is invalid afterwards. Free every worker of the store first.
 * NULL is a no-op; so is a call from a listener of this store (it cannot join
 * its own thread). Any other thread, once no other thread uses the handle. */
void evs_store_free(evs_store_t *store);

/* Stores a copy of `value` (value_len bytes; value may be NULL when value_len
 * is 0) at `path` and emits an EVS_EVENT_SET event. Any thread. Errors (the
 * store is unchanged): EVS_EINVAL, EVS_EPATHLEN, EVS_EPATH, EVS_E2BIG (value
 * over max_value_bytes), EVS_ENOMEM, EVS_ECLOSED, EVS_EDEADLK (queue full
 * under the block policy, called from a listener). Under the drop policy a
 * full queue still updates the map, counts a drop and returns EVS_OK. */
int evs_store_set(evs_store_t *store, const char *path, size_t path_len,
                  const void *value, size_t value_len);

/* One write of evs_store_set_many: the same arguments as evs_store_set's,
 * borrowed for the call. */
typedef struct evs_set_entry_s {
  const char *path;
  size_t path_len;
  const void *value; /* may be NULL when value_len is 0 */
  size_t value_len;
} evs_set_entry_t;

/* Writes entries[0..n) in order, as n evs_store_set calls would (one
 * EVS_EVENT_SET event each, in order), but checks each path once and takes
 * the store lock once per run of up to 64 entries instead of once per entry
 * (other writers interleave between runs, and within one where a write
 * waits for queue space under the block policy). It stops at the first entry
 * that cannot be written: *done (required) is then the number written, all
 * of them before that one, whose events are out; that entry and the later
 * ones are not written. Returns EVS_OK (*done == n) or that entry's error,
 * as evs_store_set would return it (EVS_EINVAL, EVS_EPATHLEN, EVS_EPATH,
 * EVS_E2BIG, EVS_ENOMEM, EVS_ECLOSED, EVS_EDEADLK). EVS_EINVAL with *done 0
 * (when done is not NULL) for a NULL store or done, or NULL entries with
 * n > 0. Any thread; the caller owns `entries` and every buffer they point
 * to, which are not kept. */
int evs_store_set_many(evs_store_t *store, const evs_set_entry_t *entries,
                       size_t n, size_t *done);

/* Removes the value at `path` and emits an EVS_EVENT_DELETE event. Any
 * thread. Errors: as evs_store_set, plus EVS_ENOTFOUND (nothing there; no
 * event). */
int evs_store_delete(evs_store_t *store, const char *path, size_t path_len);

/* Copies the value at `path` into a new buffer: on success *value (owned by
 * the caller, release with evs_value_free; NUL-terminated one byte past
 * *value_len for convenience) and *value_len. Any thread. Errors (outputs
 * untouched): EVS_EINVAL, EVS_EPATHLEN, EVS_EPATH, EVS_ENOTFOUND, EVS_ENOMEM,
 * EVS_ECLOSED. */
int evs_store_get(evs_store_t *store, const char *path, size_t path_len,
                  void **value, size_t *value_len);

/* Releases a buffer returned by evs_store_get (through the core allocator,
 * so free() must not be used). NULL is a no-op. Any thread, also after the
 * store is closed or freed. */
void evs_value_free(void *value);

/* Number of entries in the map, or 0 after close. Any thread. */
size_t evs_store_count(evs_store_t *store);

/* Subscribes `fn` to events matching `pattern`. The listener sees every
 * matching event whose write completed after this call returned (events
 * already queued are not replayed). On success *id identifies the
 * subscription (ids are never reused within a store). Any thread, including a
 * listener. Errors (nothing registered): EVS_EINVAL, EVS_EPATHLEN,
 * EVS_EPATTERN, EVS_ENOMEM, EVS_ECLOSED. */
int evs_store_subscribe(evs_store_t *store, const char *pattern,
                        size_t pattern_len, evs_listener_fn fn, void *user_data,
                        uint64_t *id);

/* Removes a subscription. When it returns, the listener is not running and
 * will never be called again: from another thread it waits while that
 * listener is running (and only then); from a listener of this store (that
 * very one or another) it returns at once, and the subscription gets no
 * further call, not even for the event being delivered. Its memory is freed
 * before it returns when the dispatcher is idle, else by the dispatcher
 * before its next event or when it goes idle. So a listener must not block
 * waiting for a thread that unsubscribes that same listener. Any thread.
 * Errors:
 * EVS_EINVAL, EVS_ENOTFOUND (unknown or already removed id), EVS_ECLOSED
 * (the store is closed, which already removed every subscription). */
int evs_store_unsubscribe(evs_store_t *store, uint64_t id);

/* Number of live subscriptions (0 after close). Any thread. */
size_t evs_store_subscription_count(evs_store_t *store);

/* Snapshot of the store's EventQueue statistics. Any thread. Returns EVS_OK,
 * EVS_EINVAL, or EVS_ECLOSED (then *out holds the final statistics). */
int evs_store_queue_stats(evs_store_t *store, evs_queue_stats_t *out);

#ifdef __cplusplus
}
#endif
#endif
