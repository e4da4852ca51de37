/* e2e scenario for the selftest: clean unless EVS_FAULT plants a defect.
 *   EVS_FAULT=leak    one 48-byte block per iteration is never freed
 *   EVS_FAULT=fd      setup opens a descriptor that teardown forgets
 *   EVS_FAULT=silent  accepted but plants nothing (a detector must miss it)
 * It reports its own live-block counter as liveBlocks, like the core does. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"

typedef struct faulty_s {
  void **blocks;
  size_t n, cap;
  int fd;
} faulty_t;

static long lg_live_blocks;
static const char *lg_fault;

static void *faulty_alloc(size_t n) {
  void *p = malloc(n);
  if (p)
    lg_live_blocks++;
  return p;
}

static void faulty_free(void *p) {
  if (p)
    lg_live_blocks--;
  free(p);
}

static int faulty_setup(void **ctx) {
  lg_fault = getenv("EVS_FAULT");
  faulty_t *f = faulty_alloc(sizeof *f);
  if (!f)
    return 1;
  memset(f, 0, sizeof *f);
  f->fd = -1;
  if (lg_fault && strcmp(lg_fault, "fd") == 0)
    f->fd = open("/dev/null", O_RDONLY);
  *ctx = f;
  return 0;
}

static int faulty_iterate(void *ctx, uint64_t i) {
  faulty_t *f = ctx;
  char *p = faulty_alloc(48);
  if (!p)
    return 1;
  memset(p, (int)(i & 0xff), 48);
  if (lg_fault && strcmp(lg_fault, "leak") == 0)
    return 0; /* the planted defect: p is lost */
  faulty_free(p);
  (void)f;
  return 0;
}

static int faulty_teardown(void *ctx) {
  faulty_t *f = ctx;
  faulty_free(f);
  return 0;
}

static void faulty_stats(void *ctx, lg_sample_t *s) {
  (void)ctx;
  lg_sample_add(s, "liveBlocks", (double)lg_live_blocks);
}

static const lg_scenario_t lg_faulty = {"faulty", faulty_setup, faulty_iterate,
                                        faulty_teardown, faulty_stats};

int main(int argc, char **argv) {
  return lg_probe_main(&lg_faulty, argc, argv);
}
