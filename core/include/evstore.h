/* evstore: a C11 embedded event store. Umbrella header (the test controls,
 * fault points and allocation-failure injection, are in evstore/testing.h). */
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
