/* Cost per allocation of liblgheap.so: times malloc/free pairs, to be run
 * with and without LD_PRELOAD (harness/preload/bench.js interleaves the
 * runs and takes medians).
 *
 *   lgheap_bench [pairs] [threads]
 *
 * Each thread keeps a ring of 64 live blocks of 16..1024 bytes and replaces
 * one per step (free the oldest, malloc a new one), so the allocator does
 * real work (bins, not one recycled chunk) and every step is one pair.
 * Prints one line: "ns_per_pair <ns> pairs <n> threads <t>". */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { LG_BENCH_RING = 64 };

/* Through a volatile pointer: the compiler may not pair and drop them. */
static void *(*volatile lg_bench_malloc)(size_t) = malloc;
static void (*volatile lg_bench_free)(void *) = free;
static long lg_bench_pairs;

static void *lg_bench_thread(void *arg) {
  void *ring[LG_BENCH_RING] = {0};
  uint32_t s = (uint32_t)(uintptr_t)arg * 2654435761u + 1;
  for (long i = 0; i < lg_bench_pairs; i++) {
    s = s * 1103515245u + 12345u;
    unsigned k = (unsigned)i % LG_BENCH_RING;
    lg_bench_free(ring[k]);
    ring[k] = lg_bench_malloc(16 + (s >> 16) % 1009);
    if (ring[k] == NULL)
      abort();
    *(volatile char *)ring[k] = 1; /* touch it, as a caller would */
  }
  for (unsigned k = 0; k < LG_BENCH_RING; k++)
    lg_bench_free(ring[k]);
  return NULL;
}

int main(int argc, char **argv) {
  lg_bench_pairs = argc > 1 ? atol(argv[1]) : 5000000;
  int threads = argc > 2 ? atoi(argv[2]) : 1;
  if (lg_bench_pairs <= 0 || threads <= 0 || threads > 64) {
    fprintf(stderr, "usage: lgheap_bench [pairs>0] [threads 1..64]\n");
    return 2;
  }
  pthread_t th[64];
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < threads; i++)
    if (pthread_create(&th[i], NULL, lg_bench_thread, (void *)(uintptr_t)i))
      return 3;
  for (int i = 0; i < threads; i++)
    pthread_join(th[i], NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ns =
      (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
  /* Wall time per pair per thread: what one thread's caller waits. */
  printf("ns_per_pair %.2f pairs %ld threads %d\n", ns / (double)lg_bench_pairs,
         lg_bench_pairs, threads);
  return 0;
}
