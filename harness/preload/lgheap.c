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
 * relaxed atomic adds on the shared stripes.
 *
 * This file is the interposer itself; the stripes, the sanitizer hooks and
 * the mode decision are in lgheap_stripes.c, the sampled allocation sites
 * in lgheap_sites.c (lgheap_int.h). */
#include "lgheap.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lgheap_int.h"

/* 16 bytes before every user pointer we return. */
typedef struct lg_heap_hdr_s {
  uint64_t size; /* bytes the caller asked for */
  uint64_t tag;  /* LG_HEAP_TAG << 32 | LG_SAMPLED? | offset from the real
                    block to here */
} lg_heap_hdr_t;

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
