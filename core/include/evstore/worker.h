/* The worker: a pull-model consumer of a store's events, in the way task
 * runtimes poll step events across an FFI boundary. Events matching the
 * worker's namespace pattern become step events with ids; the host polls
 * batches of owned copies and acknowledges each id with a result. */
#ifndef EVSTORE_WORKER_H
#define EVSTORE_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evstore/event.h"
#include "evstore/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct evs_worker_s evs_worker_t;

/* An owned copy of one step event. path and value are NUL-terminated. */
typedef struct evs_step_event_s {
  uint64_t id;  /* worker-local id, strictly increasing from 1 */
  uint64_t seq; /* the store event's sequence number */
  evs_event_type_t type;
  char *path;
  size_t path_len;
  char *value;
  size_t value_len;
} evs_step_event_t;

typedef struct evs_worker_status_s {
  bool running;
  uint64_t pending;   /* step events waiting to be polled */
  uint64_t in_flight; /* polled, not yet completed */
  uint64_t completed; /* completed with ok */
  uint64_t failed;    /* completed with an error message */
  uint64_t dropped;   /* matching events refused because capacity was full */
} evs_worker_status_t;

/* Starts a worker on an open store: subscribes to `pattern` and keeps up to
 * `capacity` step events (pending + in flight; further matching events are
 * dropped and counted). The worker must be freed (evs_worker_free) before the
 * store is freed; closing the store stops the worker. Any thread except a
 * listener of the store. Errors (nothing allocated, *out untouched):
 * EVS_EINVAL, EVS_ERANGE (capacity 0 or > 2^24), EVS_EPATHLEN, EVS_EPATTERN,
 * EVS_ENOMEM, EVS_ECLOSED. */
int evs_worker_open(evs_store_t *store, const char *pattern, size_t pattern_len,
                    uint32_t capacity, evs_worker_t **out);

/* Moves up to `max` pending step events, oldest first, into a new array owned
 * by the caller: *events (NULL when *count is 0) and *count. Release the array
 * with evs_step_events_free(). The events become in flight. Any thread.
 * Errors (outputs untouched, nothing moved): EVS_EINVAL, EVS_ENOMEM. A
 * stopped worker still returns what was pending. */
int evs_worker_poll(evs_worker_t *w, size_t max, evs_step_event_t **events,
                    size_t *count);

/* Frees an array returned by evs_worker_poll (each path and value, then the
 * array) through the core allocator. NULL is a no-op. Any thread; the array
 * does not depend on the worker or the store, which may be gone. */
void evs_step_events_free(evs_step_event_t *events, size_t count);

/* Acknowledges an in-flight step event: ok when error_msg is NULL, failed
 * otherwise (the message is not retained). Any thread. Errors: EVS_EINVAL,
 * EVS_EUNKNOWNID (never polled, unknown, or already completed). */
int evs_worker_complete(evs_worker_t *w, uint64_t id, const char *error_msg);

/* Fills *out with the counters. Any thread. Returns EVS_OK or EVS_EINVAL. */
int evs_worker_status(evs_worker_t *w, evs_worker_status_t *out);

/* The one-way handoff (manual pattern): returns a newly allocated,
 * NUL-terminated JSON object with the status counters, e.g.
 * {"running":true,"pending":0,"inFlight":0,"completed":3,"failed":0,
 *  "dropped":0}. The CALLER OWNS the string and must release it exactly once
 * with evs_string_free(); freeing it with free(), freeing it twice, or reading
 * it after the release is undefined behaviour (the harness self-test plants
 * exactly these mistakes). Returns NULL if w is NULL or memory is exhausted.
 * Any thread. */
char *evs_worker_status_json(evs_worker_t *w);

/* Releases a string returned by evs_worker_status_json. NULL is a no-op.
 * Any thread; the string does not depend on the worker. */
void evs_string_free(char *s);

/* Stops intake: unsubscribes from the store. Pending and in-flight events
 * stay pollable and completable. Idempotent; returns EVS_OK or EVS_EINVAL.
 * Any thread except a listener of the store. */
int evs_worker_close(evs_worker_t *w);

/* Stops the worker if needed and frees it with every event it still holds
 * (arrays already returned by evs_worker_poll stay the caller's). NULL is a
 * no-op. The handle is invalid afterwards. Any thread except a listener of
 * the store, once no other thread uses the worker; before the store is
 * freed. */
void evs_worker_free(evs_worker_t *w);

#ifdef __cplusplus
}
#endif
#endif
