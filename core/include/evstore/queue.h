/* EventQueue: a lock-free single-producer single-consumer queue of events.
 *
 * Storage is fixed at creation and nothing is allocated afterwards:
 *  - a slot ring of `slots` entries (a power of two), each holding the path
 *    inline in a 256-byte array plus type, sequence number and the position
 *    and length of the value;
 *  - a value ring of `value_ring_bytes` bytes holding the values back to back.
 * Value rule: a value never straddles the end of the value ring. When a value
 * does not fit between the write position and the end, the producer skips the
 * remaining bytes (they count as in use until the consumer passes them) and
 * writes the value at offset 0. Hence the largest value that can ever be
 * enqueued is half the ring (value_ring_bytes / 2); larger ones are
 * EVS_E2BIG.
 *
 * Roles: exactly one producer thread at a time may call the producer
 * functions (push, wait_space) and exactly one consumer thread the consumer
 * functions (peek, release, wait_items); the store serialises its writers with
 * a lock to satisfy this. stats(), close() and count_drop() may be called
 * from any thread. The memory-ordering argument is at the top of queue.c.
 *
 * Arguments: the queue handle is never checked for NULL (this is the hot
 * path, reached only through the store); passing NULL, or a queue already
 * freed, is undefined behaviour. */
#ifndef EVSTORE_QUEUE_H
#define EVSTORE_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evstore/event.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EVS_QUEUE_DEFAULT_SLOTS 1024u
#define EVS_QUEUE_DEFAULT_VALUE_RING (1u << 20)
/* Bytes of path storage per slot, including the terminating NUL. */
#define EVS_QUEUE_PATH_BYTES 256u

typedef struct evs_queue_s evs_queue_t;

typedef struct evs_queue_config_s {
  uint32_t slots;            /* power of two, 2..2^24; 0 = default */
  uint32_t value_ring_bytes; /* power of two, 4 KiB..1 GiB; 0 = default */
} evs_queue_config_t;

typedef struct evs_queue_stats_s {
  uint64_t pending;     /* events enqueued and not yet released */
  uint64_t processed;   /* events released by the consumer (published in
                           batches: exact once the consumer is idle) */
  uint64_t dropped;     /* events refused under the drop policy (counted by
                           the owner through evs_queue_count_drop) */
  uint64_t high_water;  /* largest `pending` seen by the producer; an upper
                           bound, as its view of the head may lag */
  uint64_t slot_wraps;  /* times the producer's slot index wrapped to 0 */
  uint64_t value_wraps; /* times the producer's value offset wrapped to 0 */
  uint64_t value_bytes_in_use; /* value ring bytes not yet released */
  uint32_t slots;              /* capacity, for convenience */
  uint32_t value_ring_bytes;
  /* Handovers between the two sides, for measuring cross-core traffic: each
   * counted re-read moved the other side's index line to the reader's core
   * (and its owner's next store moves it back). */
  uint64_t consumer_polls;  /* consumer re-reads of the producer's index that
                               found new events */
  uint64_t consumer_sleeps; /* times the consumer slept waiting for events */
  uint64_t producer_polls;  /* producer re-reads of the consumer's index that
                               found released slots (made when the ring
                               looked full from the producer's cache) */
  uint64_t producer_sleeps; /* times a writer slept waiting for space */
} evs_queue_stats_t;

/* Creates a queue. `cfg` may be NULL for defaults. On success *out owns the
 * queue (free with evs_queue_free). Errors: EVS_EINVAL (out NULL),
 * EVS_ERANGE (sizes not powers of two or out of range), EVS_ENOMEM; *out is
 * untouched on error. Any thread. */
int evs_queue_open(const evs_queue_config_t *cfg, evs_queue_t **out);

/* Frees the queue. No thread may be using it. NULL is a no-op. */
void evs_queue_free(evs_queue_t *q);

/* Producer: enqueues one event, copying path and value into the rings.
 * `path_len` must be <= EVS_PATH_MAX (not validated beyond that here).
 * Never blocks, never allocates. Returns EVS_OK, EVS_EAGAIN (no free slot or
 * not enough value-ring space right now; nothing was written), EVS_E2BIG
 * (value can never fit), EVS_EPATHLEN, or EVS_ECLOSED (after close). */
int evs_queue_push(evs_queue_t *q, evs_event_type_t type, uint64_t seq,
                   const char *path, size_t path_len, const void *value,
                   size_t value_len);

/* Producer side, but any thread may wait: blocks until a push of `value_len`
 * bytes could succeed, or the queue is closed. Returns EVS_OK, EVS_ECLOSED, or
 * EVS_E2BIG at once when value_len is over half the value ring, which no
 * wait could satisfy.
 * Several threads may wait at once; each must still push and handle
 * EVS_EAGAIN (another producer may have taken the space). */
int evs_queue_wait_space(evs_queue_t *q, size_t value_len);

/* Consumer: fills *ev with a borrowed view of the oldest event, valid until
 * the matching evs_queue_release(). Returns EVS_OK or EVS_EAGAIN (empty). */
int evs_queue_peek(evs_queue_t *q, evs_event_t *ev);

/* Consumer: releases the event returned by the last successful peek, making
 * its slot and value bytes reusable; the view that peek returned is invalid
 * afterwards. Call it exactly once per successful peek: a release without
 * one is not detected and corrupts the queue. Release publication to the
 * producer is batched; it is always published before the consumer sleeps. */
void evs_queue_release(evs_queue_t *q);

/* Consumer: blocks until at least one event is pending or the queue is closed.
 * Returns EVS_OK when an event is pending (even after close, so the consumer
 * can drain), EVS_ECLOSED when closed and empty. */
int evs_queue_wait_items(evs_queue_t *q);

/* Any thread: refuses further pushes and wakes every waiter. Idempotent. */
void evs_queue_close(evs_queue_t *q);

/* Any thread: counts one event refused by the owner's drop policy. */
void evs_queue_count_drop(evs_queue_t *q);

/* Any thread: fills *out with a snapshot of the statistics (each field is
 * read atomically; the set is approximately consistent under load). */
void evs_queue_stats(const evs_queue_t *q, evs_queue_stats_t *out);

#ifdef __cplusplus
}
#endif
#endif
