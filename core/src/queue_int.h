/* Private to core: queue internals for tests (queue.c). */
#ifndef EVSTORE_QUEUE_INT_H
#define EVSTORE_QUEUE_INT_H

#include <stdbool.h>

#include "evstore/queue.h"

/* The sleeping handshake's fence pair: asymmetric (compiler barrier +
 * membarrier) when the kernel allows it, else seq_cst fences on both sides;
 * tests switch a new queue to the latter to cover both, or make heavy fences
 * fail to cover the switch between them. Call before the queue is shared. */
void evs__queue_use_symmetric_fences(evs_queue_t *q);
bool evs__queue_asymmetric_fences(evs_queue_t *q);
/* Makes the next n heavy fences fail as a failed membarrier would. */
void evs__queue_fail_heavy_fences(evs_queue_t *q, unsigned n);
/* The consumer's batching gap, in pauses (queue.c, "Batching"). Consumer
 * thread. */
unsigned evs__queue_gap(const evs_queue_t *q);

#endif
