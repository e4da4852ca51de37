/* liblgheap.so: the malloc-family interposer behind leakgate's native heap
 * figure (see lgheap.h for the reader protocol, harness/README.md for the
 * choices per variant).
 *
 * Why a header per block, not malloc_usable_size() of the real allocator:
 * the header records the size the caller asked for, so the figure is exact
 * (a program that mallocs 1000 bytes sees +1000, whatever glibc rounds to)
 * and does not depend on glibc's chunk layout or on whether tcache parks a
 * freed chunk; it also costs no extra call into libc on free. The price is
 * 16 bytes per block (the alignment glibc guarantees, so user pointers keep
 * it) and care with the aligned family: an aligned block is over-allocated
 * from the real malloc, and the header stores the offset back to the real
 * pointer. Every header carries a tag so that a pointer we did not hand out
 * (one from before the preload took over, or the bootstrap arena) is
 * recognised and passed through untouched instead of corrupting the heap.
 *
 * Rules of the hot path: no locks (fork-safe, async-signal-tolerant as much
 * as the real malloc is), no allocation, no syscalls. Counting goes to a
 * stripe (one cache line) that the thread claims on its first call and owns
 * until it exits, so the two updates are plain load/add/store, not locked
 * read-modify-writes: four locked adds per malloc/free pair cost more than
 * glibc's pair itself (reports/bench/design-measurements.md).
 * Threads beyond the owned stripes, and exiting threads, fall back to
 * relaxed atomic adds on the shared stripes. */
#include "lgheap.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <unwind.h>

#define LG_EXPORT __attribute__((visibility("default")))
#define LG_LIKELY(x) __builtin_expect(!!(x), 1)
#define LG_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* 16 bytes before every user pointer we return. */
typedef struct lg_heap_hdr_s {
  uint64_t size; /* bytes the caller asked for */
  uint64_t tag;  /* LG_HEAP_TAG << 32 | LG_SAMPLED? | offset from the real
                    block to here */
} lg_heap_hdr_t;

/* 16 bytes before the header of a sampled block (its offset is then at
 * least 16): the site it is charged to and the weight of its draw, from
 * which the charge is recomputed, identically, when it comes off. */
typedef struct lg_heap_side_s {
  uint32_t site; /* index + 1 in the site table; 0: not charged */
  uint32_t pad;
  double weight; /* 1 / probability of the draw that sampled it */
} lg_heap_side_t;

#define LG_HDR ((size_t)sizeof(lg_heap_hdr_t))
/* High half never zero: glibc's size word (what precedes a foreign pointer)
 * has a zero high half for any chunk below 4 GiB, so a foreign block is not
 * mistaken for ours. */
#define LG_HEAP_TAG UINT64_C(0x4c474850) /* "LGHP" */
#define LG_TAG(off) ((LG_HEAP_TAG << 32) | (uint64_t)(off))
/* Offsets stay below 2^31 (LG_MAX_ALIGN + 32): bit 31 marks a sampled
 * block, whose lg_heap_side_t precedes its header. */
#define LG_SAMPLED UINT64_C(0x80000000)
#define LG_OFF(h) ((size_t)((h)->tag & 0x7fffffffu))
/* Requests above this fail with ENOMEM before any size arithmetic wraps. */
#define LG_MAX_REQ (SIZE_MAX / 2)
#define LG_MAX_ALIGN ((size_t)1 << 30)

/* The published page: initialised, so it lives in .data, in the library's
 * own file-backed rw-p mapping, where probe.js finds it by its magic. */
static lg_heap_pub_t lg_heap_pub __attribute__((used)) = {
    .magic = LG_HEAP_MAGIC,
    .version = 1,
    .mode = LG_HEAP_MODE_NONE,
    .nstripes = LG_HEAP_STRIPES,
    .stripe_size = sizeof(lg_heap_stripe_t),
};

static atomic_uint lg_heap_next_slot;
/* initial-exec: a %fs-relative load, no __tls_get_addr (which may itself
 * allocate). Valid because the library is loaded at startup (LD_PRELOAD);
 * dlopen()ing it later is not supported. */
static _Thread_local uint32_t lg_heap_slot
    __attribute__((tls_model("initial-exec")));

/* Bootstrap: dlsym() may call calloc/malloc while we resolve the real
 * functions; those requests are served from this arena and never freed. */
enum { LG_ST_NONE = 0, LG_ST_RESOLVING = 1, LG_ST_READY = 2 };
static atomic_int lg_heap_state;
static _Alignas(64) unsigned char lg_heap_arena[64 * 1024];
static atomic_size_t lg_heap_arena_used;

static void *(*lg_real_malloc)(size_t);
static void (*lg_real_free)(void *);
static void *(*lg_real_calloc)(size_t, size_t);
static void *(*lg_real_realloc)(void *, size_t);
static size_t (*lg_real_usable)(void *);

/* Writes a fixed message and aborts: nothing else is safe without malloc. */
static void lg_heap_die(const char *msg) {
  size_t n = strlen(msg);
  while (n > 0) {
    ssize_t w = write(2, msg, n);
    if (w <= 0)
      break;
    msg += w;
    n -= (size_t)w;
  }
  _exit(127);
}

/* Releases the exiting thread's stripe (a pthread key destructor, so it runs
 * at thread exit with the stripe number as value). What the thread still
 * frees afterwards (later destructors) goes to a shared stripe. */
static pthread_key_t lg_heap_key;
static atomic_int lg_heap_key_ok;

static uint32_t lg_heap_shared_slot(uint32_t n) {
  return LG_HEAP_OWNED + n % (LG_HEAP_STRIPES - LG_HEAP_OWNED) + 1;
}

static void lg_heap_release(void *v) {
  uint32_t s = (uint32_t)(uintptr_t)v;
  if (s == 0 || s > LG_HEAP_OWNED)
    return;
  lg_heap_slot = lg_heap_shared_slot(s);
  /* Release: our last plain stores happen before the next owner's claim. */
  __atomic_store_n(&lg_heap_pub.stripes[s - 1].owned, 0, __ATOMIC_RELEASE);
}

/* First call on a thread: claim a free owned stripe, else a shared one. */
static uint32_t lg_heap_claim(void) {
  uint32_t start =
      atomic_fetch_add_explicit(&lg_heap_next_slot, 1, memory_order_relaxed);
  for (uint32_t k = 0; k < LG_HEAP_OWNED; k++) {
    uint32_t i = (start + k) % LG_HEAP_OWNED;
    uint32_t expect = 0;
    if (__atomic_compare_exchange_n(&lg_heap_pub.stripes[i].owned, &expect, 1,
                                    0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
      lg_heap_slot = i + 1;
      /* Set after the slot, so that an allocation made by setspecific
       * itself (keys above 31 only) is counted on the claimed stripe. A
       * thread that claimed before our constructor made the key (the main
       * thread) simply keeps its stripe. */
      if (atomic_load(&lg_heap_key_ok))
        pthread_setspecific(lg_heap_key, (void *)(uintptr_t)(i + 1));
      return i + 1;
    }
  }
  lg_heap_slot = lg_heap_shared_slot(start);
  return lg_heap_slot;
}

static inline void lg_heap_count(int64_t bytes, int64_t blocks) {
  uint32_t s = lg_heap_slot;
  if (LG_UNLIKELY(s == 0))
    s = lg_heap_claim();
  lg_heap_stripe_t *st = &lg_heap_pub.stripes[s - 1];
  if (LG_LIKELY(s <= LG_HEAP_OWNED)) {
    /* Single writer: plain load/add/store. The stores are atomic (aligned
     * 64-bit), so a reader on another thread never sees a torn value. */
    __atomic_store_n(&st->bytes,
                     __atomic_load_n(&st->bytes, __ATOMIC_RELAXED) + bytes,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&st->blocks,
                     __atomic_load_n(&st->blocks, __ATOMIC_RELAXED) + blocks,
                     __ATOMIC_RELAXED);
  } else {
    __atomic_fetch_add(&st->bytes, bytes, __ATOMIC_RELAXED);
    __atomic_fetch_add(&st->blocks, blocks, __ATOMIC_RELAXED);
  }
}

/* ---- Allocation sites (lgheap.h, "Allocation sites") ----
 *
 * The hot path pays one thread-local subtraction: lg_sample_left counts the
 * bytes this thread may still allocate before its next sample. Only when it
 * goes negative does lg_heap_sample_due() run, which is also where a thread
 * starts (the count begins at 0) and where sampling is found to be off (the
 * count is then parked at LG_SAMPLE_NEVER). */
enum { LG_SITES_OFF = 0, LG_SITES_ON = 1, LG_SITES_UNDECIDED = 2 };
#define LG_SAMPLE_NEVER (INT64_MAX / 2)
#define LG_SAMPLE_RECHECK 65536 /* before the constructor decided */

static atomic_int lg_sites_state = LG_SITES_UNDECIDED;
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

static _Thread_local int64_t lg_sample_left
    __attribute__((tls_model("initial-exec")));
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
static int lg_heap_sample_due(const void *caller) {
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
static void lg_site_charge(lg_heap_side_t *sd, size_t size) {
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
static void lg_site_discharge(lg_heap_side_t *sd, size_t size) {
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
static void lg_sites_init(void) {
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

static void *lg_heap_arena_alloc(size_t size) {
  size_t need = (LG_HDR + size + 15) & ~(size_t)15;
  size_t at = atomic_fetch_add(&lg_heap_arena_used, need);
  if (size > sizeof lg_heap_arena || at + need > sizeof lg_heap_arena)
    lg_heap_die("liblgheap: bootstrap arena exhausted\n");
  lg_heap_hdr_t *h = (lg_heap_hdr_t *)(void *)(lg_heap_arena + at);
  h->size = size;
  h->tag = LG_TAG(0);
  return h + 1; /* static storage: already zero, as calloc needs */
}

static inline int lg_heap_in_arena(const void *p) {
  return (const unsigned char *)p >= lg_heap_arena &&
         (const unsigned char *)p < lg_heap_arena + sizeof lg_heap_arena;
}

/* Resolves the next malloc family in lookup order. Runs on the first call
 * (from ld.so or a constructor, before any thread exists) or from our
 * constructor; calls made by dlsym meanwhile see LG_ST_RESOLVING and are
 * served from the arena. */
static void lg_heap_resolve(void) {
  int expect = LG_ST_NONE;
  if (!atomic_compare_exchange_strong(&lg_heap_state, &expect,
                                      LG_ST_RESOLVING)) {
    while (atomic_load(&lg_heap_state) != LG_ST_READY)
      ; /* another thread resolves: only possible in theory, and brief */
    return;
  }
  *(void **)&lg_real_malloc = dlsym(RTLD_NEXT, "malloc");
  *(void **)&lg_real_free = dlsym(RTLD_NEXT, "free");
  *(void **)&lg_real_calloc = dlsym(RTLD_NEXT, "calloc");
  *(void **)&lg_real_realloc = dlsym(RTLD_NEXT, "realloc");
  *(void **)&lg_real_usable = dlsym(RTLD_NEXT, "malloc_usable_size");
  if (!lg_real_malloc || !lg_real_free || !lg_real_calloc || !lg_real_realloc ||
      !lg_real_usable)
    lg_heap_die("liblgheap: cannot find the next malloc family (dlsym)\n");
  atomic_store(&lg_heap_state, LG_ST_READY);
}

/* 0 when ready; 1 when the caller must use the arena. */
static inline int lg_heap_ready(void) {
  int st = atomic_load_explicit(&lg_heap_state, memory_order_acquire);
  if (LG_LIKELY(st == LG_ST_READY))
    return 0;
  if (st == LG_ST_RESOLVING)
    return 1;
  lg_heap_resolve();
  return atomic_load(&lg_heap_state) == LG_ST_READY ? 0 : 1;
}

/* Our header for p, or NULL when p is not a block we handed out. */
static inline lg_heap_hdr_t *lg_heap_hdr(void *p) {
  lg_heap_hdr_t *h = (lg_heap_hdr_t *)p - 1;
  return (h->tag >> 32) == LG_HEAP_TAG ? h : NULL;
}

/* Writes the header at real + off and counts the block; returns the user
 * pointer. flags: 0 or LG_SAMPLED. */
static inline void *lg_heap_track(void *real, size_t off, uint64_t flags,
                                  size_t size) {
  lg_heap_hdr_t *h = (lg_heap_hdr_t *)(void *)((char *)real + off);
  h->size = size;
  h->tag = LG_TAG(off) | flags;
  lg_heap_count((int64_t)size, 1);
  return h + 1;
}

/* True when this request of `size` more bytes is the thread's next sample
 * (one subtraction unless it is). */
static inline int lg_heap_sample(size_t size, const void *caller) {
  return LG_UNLIKELY((lg_sample_left -= (int64_t)size) < 0) &&
         lg_heap_sample_due(caller);
}
#define LG_CALLER __builtin_return_address(0)

/* A sampled block: [side record][header][user, aligned to align >= 16],
 * charged to the caller's site. */
static void *lg_heap_sampled(size_t align, size_t size, int zero) {
  size_t extra = 2 * LG_HDR + (align > 16 ? align : 0);
  char *real =
      zero ? lg_real_calloc(1, size + extra) : lg_real_malloc(size + extra);
  if (real == NULL)
    return NULL;
  uintptr_t user =
      ((uintptr_t)real + 2 * LG_HDR + align - 1) & ~(uintptr_t)(align - 1);
  size_t off = (size_t)(user - (uintptr_t)real) - LG_HDR;
  lg_site_charge((lg_heap_side_t *)(void *)(user - 2 * LG_HDR), size);
  return lg_heap_track(real, off, LG_SAMPLED, size);
}

static void *lg_heap_malloc(size_t size) {
  if (LG_UNLIKELY(lg_heap_ready()))
    return lg_heap_arena_alloc(size);
  if (LG_UNLIKELY(size > LG_MAX_REQ)) {
    errno = ENOMEM;
    return NULL;
  }
  if (lg_heap_sample(size, LG_CALLER))
    return lg_heap_sampled(16, size, 0);
  void *real = lg_real_malloc(size + LG_HDR);
  return real ? lg_heap_track(real, 0, 0, size) : NULL;
}

static void lg_heap_free(void *p) {
  if (p == NULL || lg_heap_in_arena(p))
    return;
  if (LG_UNLIKELY(lg_heap_ready()))
    return; /* not ours to free before the real free is known */
  lg_heap_hdr_t *h = lg_heap_hdr(p);
  if (LG_UNLIKELY(h == NULL)) {
    lg_real_free(p); /* foreign block: not counted when it was made */
    return;
  }
  size_t off = LG_OFF(h);
  if (h->tag & LG_SAMPLED)
    lg_site_discharge((lg_heap_side_t *)(void *)h - 1, h->size);
  lg_heap_count(-(int64_t)h->size, -1);
  h->tag = 0; /* a second free of p is then foreign, and glibc aborts on it */
  lg_real_free((char *)h - off);
}

static void *lg_heap_calloc(size_t n, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(n, size, &total) || total > LG_MAX_REQ) {
    errno = ENOMEM;
    return NULL;
  }
  if (LG_UNLIKELY(lg_heap_ready()))
    return lg_heap_arena_alloc(total);
  if (lg_heap_sample(total, LG_CALLER))
    return lg_heap_sampled(16, total, 1);
  /* The real calloc zeroes the header too; it is written right after. */
  void *real = lg_real_calloc(1, total + LG_HDR);
  return real ? lg_heap_track(real, 0, 0, total) : NULL;
}

/* The aligned family: over-allocate from the real malloc, place the user
 * pointer on the boundary with room for the header, record the offset.
 * align must be a power of two. */
static void *lg_heap_aligned(size_t align, size_t size) {
  if (align <= 16)
    return lg_heap_malloc(size);
  if (align > LG_MAX_ALIGN || size > LG_MAX_REQ) {
    errno = ENOMEM;
    return NULL;
  }
  if (LG_UNLIKELY(lg_heap_ready())) {
    /* Bootstrap requests are tiny and never aligned; keep it simple. */
    lg_heap_die("liblgheap: aligned allocation during bootstrap\n");
  }
  if (lg_heap_sample(size, LG_CALLER))
    return lg_heap_sampled(align, size, 0);
  /* real is 16-aligned, so the first aligned address at or after
   * real + LG_HDR is at most real + align: size + align bytes suffice. */
  char *real = lg_real_malloc(size + align);
  if (real == NULL)
    return NULL;
  uintptr_t user =
      ((uintptr_t)real + LG_HDR + align - 1) & ~(uintptr_t)(align - 1);
  size_t off = (size_t)(user - (uintptr_t)real) - LG_HDR;
  return lg_heap_track(real, off, 0, size);
}

static void *lg_heap_realloc(void *p, size_t size) {
  if (p == NULL)
    return lg_heap_malloc(size);
  if (lg_heap_in_arena(p)) {
    /* An arena block moves to the heap (or to more arena while bootstrap
     * lasts); the arena copy is simply abandoned. */
    lg_heap_hdr_t *h = (lg_heap_hdr_t *)p - 1;
    void *q = lg_heap_malloc(size);
    if (q != NULL)
      memcpy(q, p, h->size < size ? h->size : size);
    return q;
  }
  if (LG_UNLIKELY(lg_heap_ready())) {
    /* A block that is not the arena's while dlsym is still resolving: it
     * cannot exist (nothing else allocated yet), and without the real
     * realloc it cannot be moved. */
    errno = ENOMEM;
    return NULL;
  }
  if (size == 0) { /* glibc: realloc(p, 0) frees p and returns NULL */
    lg_heap_free(p);
    return NULL;
  }
  lg_heap_hdr_t *h = lg_heap_hdr(p);
  if (LG_UNLIKELY(h == NULL))
    return lg_real_realloc(p, size); /* foreign stays foreign, uncounted */
  if (size > LG_MAX_REQ) {
    errno = ENOMEM;
    return NULL;
  }
  size_t off = LG_OFF(h);
  size_t old = h->size;
  if (off == LG_HDR && (h->tag & LG_SAMPLED)) {
    /* A sampled block keeps its layout through the real realloc ([side]
     * [header] at the start of the real block; only 16-byte alignment is
     * kept, as by any realloc), then draws again: charged anew, or kept
     * uncharged. Never copied by hand: a buffer grown step by step would
     * be copied at every step. */
    char *nr = lg_real_realloc((char *)h - off, size + 2 * LG_HDR);
    if (nr == NULL)
      return NULL; /* p untouched, still counted and charged */
    lg_heap_side_t *sd = (lg_heap_side_t *)(void *)nr;
    lg_heap_hdr_t *nh = (lg_heap_hdr_t *)(void *)(nr + LG_HDR);
    lg_site_discharge(sd, old);
    if (lg_heap_sample(size, LG_CALLER))
      lg_site_charge(sd, size);
    nh->size = size;
    lg_heap_count((int64_t)size - (int64_t)old, 0);
    return nh + 1;
  }
  if (off == 0 && lg_heap_sample(size, LG_CALLER)) {
    /* For sampling, a realloc is a new allocation of `size` bytes (the
     * whole block, not the growth: a block's sampled state is then the
     * draw of its last (re)allocation, with that draw's weight, which
     * keeps the estimate unbiased; charging a whole block when only its
     * growth was drawn under-counted arrays grown by realloc: figure in
     * reports/bench/design-measurements.md). This
     * one is the thread's next sample: the block moves to a sampled one,
     * charged to this caller. A sampled block's realloc moves by hand
     * below, through malloc, which draws again. */
    void *q = lg_heap_sampled(16, size, 0);
    if (q == NULL)
      return NULL;
    memcpy(q, p, old < size ? old : size);
    lg_heap_free(p);
    return q;
  }
  if (off != 0) {
    /* Aligned and sampled blocks cannot go through the real realloc (it
     * would not keep the alignment, and the offset would change): move by
     * hand. */
    void *q = lg_heap_malloc(size);
    if (q == NULL)
      return NULL;
    memcpy(q, p, old < size ? old : size);
    lg_heap_free(p);
    return q;
  }
  lg_heap_hdr_t *nh = lg_real_realloc(h, size + LG_HDR);
  if (nh == NULL)
    return NULL; /* p untouched and still counted */
  nh->size = size;
  lg_heap_count((int64_t)size - (int64_t)old, 0);
  return nh + 1;
}

static int lg_heap_posix_memalign(void **out, size_t align, size_t size) {
  if (align == 0 || (align & (align - 1)) != 0 || align % sizeof(void *) != 0)
    return EINVAL;
  int saved = errno;
  void *p = lg_heap_aligned(align, size);
  if (p == NULL) {
    errno = saved; /* posix_memalign reports through its result only */
    return ENOMEM;
  }
  *out = p;
  return 0;
}

static void *lg_heap_aligned_alloc(size_t align, size_t size) {
  /* glibc accepts any power of two (C17 DR 460); so do we. */
  if (align == 0 || (align & (align - 1)) != 0) {
    errno = EINVAL;
    return NULL;
  }
  return lg_heap_aligned(align, size);
}

static void *lg_heap_memalign(size_t align, size_t size) {
  /* glibc's memalign rounds a non-power-of-two alignment up. */
  if (align > LG_MAX_ALIGN) {
    errno = EINVAL;
    return NULL;
  }
  size_t a = 1;
  while (a < align)
    a <<= 1;
  return lg_heap_aligned(a, size);
}

static void *lg_heap_valloc(size_t size) {
  return lg_heap_aligned((size_t)sysconf(_SC_PAGESIZE), size);
}

static void *lg_heap_pvalloc(size_t size) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  if (size > LG_MAX_REQ) {
    errno = ENOMEM;
    return NULL;
  }
  size_t rounded = (size + page - 1) & ~(page - 1);
  return lg_heap_aligned(page, rounded ? rounded : page);
}

/* What the caller may use: the real block's usable size minus what precedes
 * the user pointer (at least the size asked for). */
static size_t lg_heap_usable(void *p) {
  if (p == NULL)
    return 0;
  if (lg_heap_in_arena(p))
    return ((lg_heap_hdr_t *)p - 1)->size;
  if (LG_UNLIKELY(lg_heap_ready()))
    return 0;
  lg_heap_hdr_t *h = lg_heap_hdr(p);
  if (h == NULL)
    return lg_real_usable(p);
  size_t off = LG_OFF(h);
  return lg_real_usable((char *)h - off) - off - LG_HDR;
}

/* The exported names are aliases, so that &lg_heap_malloc is our own code
 * even when lookup resolves "malloc" elsewhere (the mode check below). */
LG_EXPORT void *malloc(size_t) __attribute__((alias("lg_heap_malloc")));
LG_EXPORT void free(void *) __attribute__((alias("lg_heap_free")));
LG_EXPORT void *calloc(size_t, size_t) __attribute__((alias("lg_heap_calloc")));
LG_EXPORT void *realloc(void *, size_t)
    __attribute__((alias("lg_heap_realloc")));
LG_EXPORT int posix_memalign(void **, size_t, size_t)
    __attribute__((alias("lg_heap_posix_memalign")));
LG_EXPORT void *aligned_alloc(size_t, size_t)
    __attribute__((alias("lg_heap_aligned_alloc")));
LG_EXPORT void *memalign(size_t, size_t)
    __attribute__((alias("lg_heap_memalign")));
LG_EXPORT void *valloc(size_t) __attribute__((alias("lg_heap_valloc")));
LG_EXPORT void *pvalloc(size_t) __attribute__((alias("lg_heap_pvalloc")));
LG_EXPORT size_t malloc_usable_size(void *)
    __attribute__((alias("lg_heap_usable")));

/* Sanitizer mode: the sanitizer's allocator calls these on every malloc and
 * free (sanitizer/allocator_interface.h). The free hook runs before the
 * sanitizer validates the free, so a double or invalid free must not be
 * asked its size (that would be reported as a different error): ownership
 * is checked first. */
typedef void (*lg_san_malloc_hook)(const volatile void *, size_t);
typedef void (*lg_san_free_hook)(const volatile void *);
static int (*lg_san_owned)(const volatile void *);
static size_t (*lg_san_size)(const volatile void *);

static void lg_heap_san_malloc(const volatile void *p, size_t size) {
  (void)p;
  lg_heap_count((int64_t)size, 1);
}

static void lg_heap_san_free(const volatile void *p) {
  if (p != NULL && lg_san_owned(p))
    lg_heap_count(-(int64_t)lg_san_size(p), -1);
}

static int64_t lg_heap_blocks_now(void) {
  int64_t k = 0;
  for (int i = 0; i < LG_HEAP_STRIPES; i++)
    k += __atomic_load_n(&lg_heap_pub.stripes[i].blocks, __ATOMIC_RELAXED);
  return k;
}

/* Decides the mode once the process's symbol lookup is settled: whoever
 * answers a call to the global "malloc" owns the heap. The address dlsym
 * returns cannot be compared with ours: in a non-PIE executable that calls
 * malloc (node) it is the executable's PLT stub. So one block is allocated
 * through it, and if our count moved, the call reached us. */
__attribute__((constructor(101))) static void lg_heap_init(void) {
  if (pthread_key_create(&lg_heap_key, lg_heap_release) == 0)
    atomic_store(&lg_heap_key_ok, 1);
  void *(*winner)(size_t);
  void (*winner_free)(void *);
  *(void **)&winner = dlsym(RTLD_DEFAULT, "malloc");
  *(void **)&winner_free = dlsym(RTLD_DEFAULT, "free");
  if (winner && winner_free) {
    int64_t before = lg_heap_blocks_now();
    void *p = winner(1);
    int ours = lg_heap_blocks_now() != before;
    winner_free(p);
    if (ours) {
      __atomic_store_n(&lg_heap_pub.mode, LG_HEAP_MODE_INTERPOSER,
                       __ATOMIC_RELEASE);
      lg_sites_init();
      if (atomic_load(&lg_sites_state) != LG_SITES_ON)
        atomic_store(&lg_sites_state, LG_SITES_OFF);
      return;
    }
  }
  int (*install)(lg_san_malloc_hook, lg_san_free_hook);
  *(void **)&install =
      dlsym(RTLD_DEFAULT, "__sanitizer_install_malloc_and_free_hooks");
  *(void **)&lg_san_owned = dlsym(RTLD_DEFAULT, "__sanitizer_get_ownership");
  *(void **)&lg_san_size =
      dlsym(RTLD_DEFAULT, "__sanitizer_get_allocated_size");
  atomic_store(&lg_sites_state, LG_SITES_OFF);
  if (install && lg_san_owned && lg_san_size &&
      install(lg_heap_san_malloc, lg_heap_san_free) != 0)
    __atomic_store_n(&lg_heap_pub.mode, LG_HEAP_MODE_SANITIZER,
                     __ATOMIC_RELEASE);
}

LG_EXPORT int lg_heap_read(int64_t *bytes, int64_t *blocks) {
  int mode = (int)__atomic_load_n(&lg_heap_pub.mode, __ATOMIC_ACQUIRE);
  if (mode == LG_HEAP_MODE_NONE)
    return mode;
  int64_t b = lg_heap_pub.base_bytes, k = lg_heap_pub.base_blocks;
  for (int i = 0; i < LG_HEAP_STRIPES; i++) {
    b += __atomic_load_n(&lg_heap_pub.stripes[i].bytes, __ATOMIC_RELAXED);
    k += __atomic_load_n(&lg_heap_pub.stripes[i].blocks, __ATOMIC_RELAXED);
  }
  *bytes = b;
  *blocks = k;
  return mode;
}
