/* evstore: a C11 embedded event store. Umbrella header (the test controls,
 * fault points and allocation-failure injection, are in evstore/testing.h).
 *
 * Lifecycle, the same three words for every object (queue, store, worker):
 *   evs_<obj>_open   allocates and starts it; on success *out owns a handle,
 *                    on error nothing is allocated and *out is untouched;
 *   evs_<obj>_close  stops intake (writers and subscriptions are refused,
 *                    threads are woken or joined); idempotent; the handle
 *                    stays valid and its queries keep working;
 *   evs_<obj>_free   releases the handle (a store is closed first); NULL is a
 *                    no-op; the handle is invalid afterwards.
 * Buffers the core returns are released by the matching evs_<thing>_free
 * (evs_value_free, evs_string_free, evs_step_events_free). */
#ifndef EVSTORE_H
#define EVSTORE_H

#include "evstore/alloc.h"
#include "evstore/error.h"
#include "evstore/event.h"
#include "evstore/path.h"
#include "evstore/queue.h"
#include "evstore/store.h"
#include "evstore/worker.h"

#endif
