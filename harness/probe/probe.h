/* The leakgate C probe: runs a C scenario under the leakgate probe protocol
 * (JSON Lines on the file named by LEAKGATE_PROBE; see
 * docs/probe-protocol.md).
 *
 * A scenario program defines an lg_scenario_t and calls lg_probe_main() from
 * main(). The probe takes a baseline sample, calls setup, iterates
 * LEAKGATE_ITERATIONS times sampling every LEAKGATE_SAMPLE_EVERY iterations,
 * calls teardown, takes the final sample and writes the end record. Each
 * record is written with one write(2), so a crash leaves a readable prefix.
 * The scenario never judges itself: the harness does. */
#ifndef LG_PROBE_H
#define LG_PROBE_H

#include <stddef.h>
#include <stdint.h>

#define LG_SAMPLE_MAX_EXTRA 32

/* One sample's extra metrics, filled by the scenario's stats callback. */
typedef struct lg_sample_s {
  const char *names[LG_SAMPLE_MAX_EXTRA];
  double values[LG_SAMPLE_MAX_EXTRA];
  int n;
  int malloc_overridden; /* the scenario supplied mallocInUse itself */
} lg_sample_t;

typedef struct lg_scenario_s {
  const char *name;
  /* Each returns 0 on success; non-zero ends the run with an error record.
   * setup may store a context pointer in *ctx (NULL is fine). */
  int (*setup)(void **ctx);
  int (*iterate)(void *ctx, uint64_t i);
  int (*teardown)(void *ctx);
  /* Optional: adds scenario metrics (e.g. core counters) to every sample.
   * Also called for the baseline sample (before setup) and the final sample
   * (after teardown) with ctx NULL, so it must read global counters then. */
  void (*stats)(void *ctx, lg_sample_t *s);
} lg_scenario_t;

/* Adds (or replaces) a numeric metric; name must outlive the sample (use a
 * string literal). A "mallocInUse" supplied here overrides the probe's own,
 * except under liblgheap.so, whose figures then are mallocInUse and
 * mallocBlocks, and the scenario's are emitted as scenarioMallocInUse /
 * scenarioMallocBlocks.
 * Extra entries beyond LG_SAMPLE_MAX_EXTRA are dropped. */
void lg_sample_add(lg_sample_t *s, const char *name, double value);

/* Runs the scenario; returns the process exit code (0 ok, 1 scenario error,
 * 2 probe setup error). argv is accepted for future options. */
int lg_probe_main(const lg_scenario_t *sc, int argc, char **argv);

/* Bytes currently allocated through malloc: liblgheap.so's live requested
 * bytes when that preload is active (harness/preload/), else the sanitizer
 * allocator's count under ASan/TSan, else mallinfo2().uordblks; -1 when
 * unavailable (valgrind replaces malloc and mallinfo2 then reports zeros).
 * The probe's thread; allocation-free after the first call (see below). */
double lg_probe_malloc_in_use(void);

/* liblgheap.so's live bytes and blocks (see harness/preload/lgheap.h):
 * returns 1 and sets both when the preload is loaded and has a figure, else
 * 0 and sets neither. The probe's thread (the first call looks the reader
 * up with dlsym and caches it); allocation-free after that call. */
int lg_probe_heap(double *bytes, double *blocks);

#endif
