/* liblgheap.so's sampled allocation sites (lgheap.h, "Allocation sites";
 * lgheap_int.h): a Poisson sample of the bytes allocated, each sample
 * charged to its call stack in a table shared with the probe. */
#include <fcntl.h>
#include <link.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <unwind.h>

#include "lgheap_int.h"

/* ---- Allocation sites (lgheap.h, "Allocation sites") ----
 *
 * The hot path pays one thread-local subtraction: lg_sample_left counts the
 * bytes this thread may still allocate before its next sample. Only when it
 * goes negative does lg_heap_sample_due() run, which is also where a thread
 * starts (the count begins at 0) and where sampling is found to be off (the
 * count is then parked at LG_SAMPLE_NEVER). */
#define LG_SAMPLE_NEVER (INT64_MAX / 2)
#define LG_SAMPLE_RECHECK 65536 /* before the constructor decided */

atomic_int lg_sites_state = LG_SITES_UNDECIDED;
static lg_heap_sites_hdr_t *_Atomic lg_sites_hdr;
static lg_heap_site_t *_Atomic lg_sites_tab;
static double lg_sites_mean = LG_SITES_MEAN;
/* The sampling process: a child made without fork handlers (_Fork, clone)
 * shares the mapping, and must neither charge nor discharge. */
static pid_t lg_sites_pid;
/* Executable ranges: [0] our own code (frames in it are not part of a
 * site); [1], [2] libgcc_s and ld.so, whose allocations are never sampled:
 * libgcc's unwinder allocates while holding its own non-recursive lock
 * (sorting frames registered with __register_frame), and unwinding from
 * there would wait for that lock forever. */
enum { LG_RANGE_SELF = 0, LG_RANGE_GCC = 1, LG_RANGE_LDSO = 2, LG_RANGES = 3 };
static uintptr_t lg_range_lo[LG_RANGES], lg_range_hi[LG_RANGES];

static inline int lg_in_range(int r, uintptr_t a) {
  return a >= lg_range_lo[r] && a < lg_range_hi[r];
}

_Thread_local int64_t lg_sample_left __attribute__((tls_model("initial-exec")));
static _Thread_local uint64_t lg_sample_rng
    __attribute__((tls_model("initial-exec")));
static _Thread_local int lg_sampling __attribute__((tls_model("initial-exec")));
static atomic_uint_fast64_t lg_sample_seed;

/* xorshift64*: a thread's own stream, seeded from a global counter. */
static uint64_t lg_rand(void) {
  uint64_t x = lg_sample_rng;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  lg_sample_rng = x;
  return x * UINT64_C(2685821657736338717);
}

/* Bytes until the next sample: exponential with mean lg_sites_mean. */
static int64_t lg_next_interval(void) {
  double u = ((double)(lg_rand() >> 11) + 1.0) / 9007199254740993.0; /* (0,1] */
  double v = -log(u) * lg_sites_mean;
  if (v < 1)
    v = 1;
  if (v > 64 * lg_sites_mean)
    v = 64 * lg_sites_mean;
  return (int64_t)v;
}

/* Called when lg_sample_left went negative after subtracting a request
 * made from `caller` (the allocation function's return address). Returns 1
 * when this allocation is to be sampled. */
int lg_heap_sample_due(const void *caller) {
  int st = atomic_load_explicit(&lg_sites_state, memory_order_acquire);
  if (st == LG_SITES_OFF) {
    lg_sample_left = LG_SAMPLE_NEVER;
    return 0;
  }
  if (st == LG_SITES_UNDECIDED) {
    lg_sample_left = LG_SAMPLE_RECHECK;
    return 0;
  }
  /* While unwinding, or called from the unwinder or the loader: not this
   * one; the count stays negative, so the thread's next allocation is
   * the sample. */
  if (lg_sampling || lg_in_range(LG_RANGE_GCC, (uintptr_t)caller) ||
      lg_in_range(LG_RANGE_LDSO, (uintptr_t)caller))
    return 0;
  if (lg_sample_rng == 0) {
    /* A thread's first call: start its stream; the Poisson process starts
     * here, so this allocation is not sampled. */
    uint64_t seed =
        atomic_fetch_add_explicit(&lg_sample_seed, 1, memory_order_relaxed);
    lg_sample_rng = (seed + 1) * UINT64_C(0x9E3779B97F4A7C15) | 1;
    lg_sample_left = lg_next_interval();
    return 0;
  }
  lg_sample_left += lg_next_interval();
  if (lg_sample_left < 0)
    lg_sample_left = lg_next_interval(); /* a block far above the mean */
  return 1;
}

typedef struct lg_unwind_s {
  uint64_t pc[LG_SITES_DEPTH];
  int n;
} lg_unwind_t;

static _Unwind_Reason_Code lg_unwind_cb(struct _Unwind_Context *ctx,
                                        void *arg) {
  lg_unwind_t *u = arg;
  int before = 0;
  uintptr_t ip = _Unwind_GetIPInfo(ctx, &before);
  if (ip == 0)
    return _URC_END_OF_STACK;
  if (before)
    ip++; /* a signal frame: the address of the instruction itself, stored
             as a return address would be (the symbolizer looks at - 1) */
  if (lg_in_range(LG_RANGE_SELF, ip))
    return _URC_NO_REASON; /* the interposer's own frames */
  u->pc[u->n++] = ip;
  return u->n == LG_SITES_DEPTH ? _URC_END_OF_STACK : _URC_NO_REASON;
}

/* The site of the current call stack (index + 1), inserted if new; 0 when
 * the table is full. Lock-free: a slot is claimed by a CAS of its key from
 * 0 to 1, filled, then published with its hash (release). */
static uint32_t lg_site_of_stack(lg_heap_site_t *tab,
                                 lg_heap_sites_hdr_t *hdr) {
  lg_unwind_t u;
  memset(&u, 0, sizeof u);
  _Unwind_Backtrace(lg_unwind_cb, &u);
  uint64_t h = UINT64_C(1469598103934665603);
  for (int i = 0; i < LG_SITES_DEPTH; i++)
    h = (h ^ u.pc[i]) * UINT64_C(1099511628211);
  h ^= h >> 29;
  if (h < 2)
    h += 2;
  for (uint32_t k = 0; k < 64; k++) {
    uint32_t i = (uint32_t)(h + k) & (LG_SITES_CAPACITY - 1);
    lg_heap_site_t *s = &tab[i];
    uint64_t key = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);
    if (key == 0) {
      if (__atomic_compare_exchange_n(&s->key, &key, 1, 0, __ATOMIC_ACQUIRE,
                                      __ATOMIC_ACQUIRE)) {
        memcpy(s->pc, u.pc, sizeof u.pc);
        __atomic_store_n(&s->key, h, __ATOMIC_RELEASE);
        return i + 1;
      }
    }
    /* Another thread fills it (a few stores); bounded, in case that thread
     * was stopped there for good (a signal handler that longjmps): the
     * slot is then passed over, and the stack may get a second slot. */
    for (int spin = 0; key == 1 && spin < 4096; spin++)
      key = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);
    if (key == h && memcmp(s->pc, u.pc, sizeof u.pc) == 0)
      return i + 1;
  }
  __atomic_fetch_add(&hdr->dropped, 1, __ATOMIC_RELAXED);
  return 0;
}

/* The table, or NULL in a process that must not touch it (sampling off, a
 * forked child, a child made without fork handlers: one getpid() per
 * sampled allocation or free). */
static lg_heap_site_t *lg_sites_table(void) {
  lg_heap_site_t *tab =
      atomic_load_explicit(&lg_sites_tab, memory_order_acquire);
  if (tab != NULL && getpid() != lg_sites_pid) {
    atomic_store(&lg_sites_tab, NULL);
    atomic_store(&lg_sites_state, LG_SITES_OFF);
    return NULL;
  }
  return tab;
}

/* What a block of `size` bytes drawn with weight w holds: estimated bytes
 * and blocks (LG_SITES_BLOCK_ONE units). A pure function of (size, w), so
 * that the discharge takes off exactly what the charge put on. */
static void lg_site_amounts(size_t size, double w, int64_t *bytes,
                            int64_t *blocks_fp) {
  double b = (size ? (double)size : 1.0) * w, k = w * LG_SITES_BLOCK_ONE;
  *bytes = b < 9e18 ? (int64_t)b : INT64_C(9000000000000000000);
  *blocks_fp = k < 9e18 ? (int64_t)k : INT64_C(9000000000000000000);
}

/* Charges a sampled block of `size` bytes to the current stack, filling its
 * side record (site 0 when it could not be charged). */
void lg_site_charge(lg_heap_side_t *sd, size_t size) {
  sd->site = 0;
  sd->pad = 0;
  sd->weight = 0;
  lg_heap_site_t *tab = lg_sites_table();
  lg_heap_sites_hdr_t *hdr =
      atomic_load_explicit(&lg_sites_hdr, memory_order_acquire);
  if (tab == NULL || hdr == NULL)
    return;
  lg_sampling = 1;
  uint32_t site = lg_site_of_stack(tab, hdr);
  lg_sampling = 0;
  if (site == 0)
    return;
  double s = size ? (double)size : 1.0;
  sd->site = site;
  sd->weight = 1.0 / -expm1(-s / lg_sites_mean); /* 1 / (1 - exp(-s/mean)) */
  int64_t bytes, blocks_fp;
  lg_site_amounts(size, sd->weight, &bytes, &blocks_fp);
  lg_heap_site_t *st = &tab[site - 1];
  __atomic_fetch_add(&st->bytes, bytes, __ATOMIC_RELAXED);
  __atomic_fetch_add(&st->blocks_fp, blocks_fp, __ATOMIC_RELAXED);
  __atomic_fetch_add(&st->samples, 1, __ATOMIC_RELAXED);
  __atomic_fetch_add(&hdr->samples, 1, __ATOMIC_RELAXED);
}

/* A sampled block of `size` bytes is freed or moved: its charge comes off
 * its site, and the record says so. */
void lg_site_discharge(lg_heap_side_t *sd, size_t size) {
  if (sd->site == 0 || sd->site > LG_SITES_CAPACITY)
    return;
  lg_heap_site_t *tab = lg_sites_table();
  if (tab != NULL) {
    int64_t bytes, blocks_fp;
    lg_site_amounts(size, sd->weight, &bytes, &blocks_fp);
    lg_heap_site_t *st = &tab[sd->site - 1];
    __atomic_fetch_sub(&st->bytes, bytes, __ATOMIC_RELAXED);
    __atomic_fetch_sub(&st->blocks_fp, blocks_fp, __ATOMIC_RELAXED);
  }
  sd->site = 0;
}

static void lg_sites_atfork_child(void) {
  atomic_store(&lg_sites_tab, NULL);
  atomic_store(&lg_sites_hdr, NULL);
  atomic_store(&lg_sites_state, LG_SITES_OFF);
}

/* Records the executable ranges of ourselves (the object holding `arg`),
 * libgcc_s and ld.so (by name). */
static int lg_ranges_cb(struct dl_phdr_info *info, size_t size, void *arg) {
  (void)size;
  uintptr_t me = (uintptr_t)arg;
  const char *name = info->dlpi_name ? info->dlpi_name : "";
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
      continue;
    uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
    int r = me >= lo && me < hi        ? LG_RANGE_SELF
            : strstr(name, "libgcc_s") ? LG_RANGE_GCC
            : strstr(name, "ld-linux") ? LG_RANGE_LDSO
                                       : -1;
    if (r >= 0) {
      lg_range_lo[r] = lo;
      lg_range_hi[r] = hi;
    }
  }
  return 0;
}

/* Writes a one-line warning (the constructor only). */
static void lg_heap_warn(const char *a, const char *b, const char *c) {
  const char *parts[] = {"liblgheap: ", a, b, c, "\n"};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
    if (write(2, parts[i], strlen(parts[i])) < 0)
      return;
}

/* Creates and maps the site table of this process,
 * <LEAKGATE_HEAP_SITES>.<pid> (our constructor, interposer mode): one file
 * per process, so that a wrapper (sh -c, timeout, npm) or a child has its
 * own and the probe copies its process's. */
void lg_sites_init(void) {
  const char *base = getenv("LEAKGATE_HEAP_SITES");
  if (base == NULL || *base == 0)
    return;
  char path[4096];
  size_t bl = strlen(base);
  pid_t pid = getpid();
  char digits[24];
  int nd = 0;
  for (unsigned long v = (unsigned long)pid; v || nd == 0; v /= 10)
    digits[nd++] = (char)('0' + v % 10);
  if (bl + 1 + (size_t)nd + 1 > sizeof path) {
    lg_heap_warn("LEAKGATE_HEAP_SITES is too long", "",
                 ": allocation sites are off");
    return;
  }
  memcpy(path, base, bl);
  path[bl] = '.';
  for (int k = 0; k < nd; k++)
    path[bl + 1 + (size_t)k] = digits[nd - 1 - k];
  path[bl + 1 + (size_t)nd] = 0;
  const char *mean = getenv("LEAKGATE_HEAP_SAMPLE");
  if (mean && *mean) {
    char *end;
    double v = strtod(mean, &end);
    if (*end != 0 || !(v >= 1 && v <= 1e12)) {
      lg_heap_warn("LEAKGATE_HEAP_SAMPLE must be bytes (1..1e12), not '", mean,
                   "': allocation sites are off");
      return;
    }
    lg_sites_mean = v;
  }
  int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    lg_heap_warn("cannot create the allocation-site table ", path,
                 ": allocation sites are off");
    return;
  }
  size_t len = sizeof(lg_heap_sites_hdr_t) +
               (size_t)LG_SITES_CAPACITY * sizeof(lg_heap_site_t);
  void *map = MAP_FAILED;
  /* Blocks reserved now: a sparse file on a full file system would raise
   * SIGBUS on the first store into a new page, inside malloc. */
  if (posix_fallocate(fd, 0, (off_t)len) == 0)
    map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (map == MAP_FAILED) {
    unlink(path);
    lg_heap_warn("cannot reserve or map the allocation-site table ", path,
                 ": allocation sites are off");
    return;
  }
  lg_heap_sites_hdr_t *hdr = map;
  memcpy(hdr->magic, LG_SITES_MAGIC, sizeof hdr->magic);
  hdr->version = LG_SITES_VERSION;
  hdr->capacity = LG_SITES_CAPACITY;
  hdr->depth = LG_SITES_DEPTH;
  hdr->site_size = sizeof(lg_heap_site_t);
  hdr->mean = (uint64_t)lg_sites_mean;
  hdr->pid = (uint64_t)pid;
  lg_sites_pid = pid;
  dl_iterate_phdr(lg_ranges_cb, (void *)(uintptr_t)&lg_sites_init);
  pthread_atfork(NULL, NULL, lg_sites_atfork_child);
  atomic_store(&lg_sites_tab, (lg_heap_site_t *)(void *)(hdr + 1));
  atomic_store(&lg_sites_hdr, hdr);
  atomic_store(&lg_sites_state, LG_SITES_ON);
}
