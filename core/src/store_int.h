/* Private to core: what the worker (worker.c) asks of a store (store.c). */
#ifndef EVSTORE_STORE_INT_H
#define EVSTORE_STORE_INT_H

#include <stdbool.h>

#include "evstore/store.h"

/* True while the store is open (not closing or closed). Any thread. */
bool evs__store_is_open(evs_store_t *s);

#endif
