/* liblgheap.so: leakgate's malloc-family interposer, loaded with LD_PRELOAD
 * into any process (node included) to give its probe a native heap figure
 * without the program's cooperation. See harness/README.md, "Native heap
 * figure (liblgheap.so)".
 *
 * It counts live bytes (as requested by the caller, not the allocator's
 * rounded-up size) and live blocks, and publishes them in a page of its own
 * data segment (lg_heap_pub_t below) that a reader finds either through the
 * exported function lg_heap_read() (C: dlsym(RTLD_DEFAULT, "lg_heap_read"))
 * or by scanning the library's rw-p mapping in /proc/self/maps for
 * LG_HEAP_MAGIC and reading it through /proc/self/mem (JS: probe.js).
 *
 * Modes (lg_heap_pub_t.mode):
 *   LG_HEAP_MODE_INTERPOSER  our malloc won symbol lookup: every call is
 *                            counted through a 16-byte header per block;
 *   LG_HEAP_MODE_SANITIZER   ASan/TSan (preloaded before us) own the heap:
 *                            counted through the sanitizer's malloc/free
 *                            hooks, sizes from its allocator;
 *   LG_HEAP_MODE_NONE        another allocator won and offers no hooks
 *                            (jemalloc, tcmalloc, ...): no figure. */
#ifndef LG_HEAP_H
#define LG_HEAP_H

#include <stdint.h>

#define LG_HEAP_MAGIC "leakgate-heap-1" /* 15 chars + NUL = 16 bytes */
#define LG_HEAP_STRIPES 64

enum {
  LG_HEAP_MODE_NONE = 0,
  LG_HEAP_MODE_INTERPOSER = 1,
  LG_HEAP_MODE_SANITIZER = 2
};

/* Stripes below LG_HEAP_OWNED have at most one owner thread at a time,
 * which updates them with plain loads and stores; the others are shared by
 * whatever threads find no free stripe (or are exiting) and updated with
 * atomic adds. */
#define LG_HEAP_OWNED 56

/* One cache line per stripe so that threads on different stripes never
 * share a line. A stripe's values may be negative (a block freed on another
 * thread than the one that allocated it); only the sum means anything. */
typedef struct lg_heap_stripe_s {
  int64_t bytes;
  int64_t blocks;
  uint32_t owned; /* 1 while a thread owns the stripe (owned stripes only) */
  char pad[44];
} __attribute__((aligned(64))) lg_heap_stripe_t;

/* The published page. Layout is the reader protocol (probe.js parses it):
 * offset 0 magic[16], 16 version u32, 20 mode u32, 24 nstripes u32,
 * 28 stripe_size u32, 32 base_bytes i64, 40 base_blocks i64, then at 64 the
 * stripes (bytes i64, blocks i64 at the start of each 64-byte stripe).
 * Live bytes = base_bytes + sum(bytes); live blocks = base_blocks +
 * sum(blocks). */
typedef struct lg_heap_pub_s {
  char magic[16];
  uint32_t version;
  uint32_t mode;
  uint32_t nstripes;
  uint32_t stripe_size;
  int64_t base_bytes;
  int64_t base_blocks;
  char pad[16];
  lg_heap_stripe_t stripes[LG_HEAP_STRIPES];
} __attribute__((aligned(64))) lg_heap_pub_t;

/* Allocation sites (release attribution). With LEAKGATE_HEAP_SITES=<base>,
 * the interposer (LG_HEAP_MODE_INTERPOSER only) of each process creates
 * <base>.<pid>, maps it shared, and samples allocations into it: on
 * average one allocation per LEAKGATE_HEAP_SAMPLE bytes allocated by a
 * thread (default LG_SITES_MEAN; a Poisson process over bytes, so a block
 * of s bytes is sampled with probability 1 - exp(-s/mean)). A sampled
 * allocation is unwound (libgcc's _Unwind_Backtrace, .eh_frame based, so it
 * works through code built without frame pointers, prebuilt addons
 * included) and charged to its site: the first LG_SITES_DEPTH return
 * addresses above the interposer. Each site holds the estimated live bytes
 * and blocks of its sampled blocks (each weighted by 1/probability), so a
 * site's figure is an unbiased estimate of what it holds. Another process
 * (the probe, the harness) copies the file at any time with read(2); a
 * copy is a snapshot per site, not across sites.
 *
 * File layout: lg_heap_sites_hdr_t, then `capacity` lg_heap_site_t. Every
 * process that loads the preload has its own table (a wrapper such as
 * sh -c or timeout does not take the scenario's); a forked child stops
 * sampling, as does a child made without fork handlers (the pid is checked
 * on each sampled allocation and free). Allocations made by libgcc_s (its
 * unwinder) and ld.so are never sampled. */
#define LG_SITES_MAGIC "leakgate-sites1" /* 15 chars + NUL = 16 bytes */
#define LG_SITES_VERSION 1
#define LG_SITES_DEPTH 6
#define LG_SITES_CAPACITY 16384 /* a power of two */
#define LG_SITES_MEAN 8192      /* default sampling interval, bytes */
#define LG_SITES_BLOCK_ONE 1024 /* fixed-point unit of blocks_fp */

typedef struct lg_heap_sites_hdr_s {
  char magic[16];
  uint32_t version;
  uint32_t capacity;  /* sites after this header */
  uint32_t depth;     /* LG_SITES_DEPTH */
  uint32_t site_size; /* sizeof(lg_heap_site_t) */
  uint64_t mean;      /* sampling interval in bytes */
  uint64_t dropped;   /* sampled allocations not charged: table full */
  uint64_t pid;       /* the sampling process */
  uint64_t samples;   /* sampled allocations charged to a site */
} lg_heap_sites_hdr_t;

/* One site. key: 0 empty, 1 being written, else the hash of pc[] (valid,
 * pc[] complete). pc[]: return addresses, innermost (the allocation's
 * caller) first, 0 after the last. bytes and blocks_fp (blocks times
 * LG_SITES_BLOCK_ONE) are estimates of what the site holds live. */
typedef struct lg_heap_site_s {
  uint64_t key;
  uint64_t pc[LG_SITES_DEPTH];
  int64_t bytes;
  int64_t blocks_fp;
  uint64_t samples; /* sampled allocations ever charged here */
} lg_heap_site_t;

/* Reads the live figures (any thread, lock-free; a snapshot, not atomic
 * across stripes). Returns the mode; *bytes and *blocks are set only when it
 * is not LG_HEAP_MODE_NONE. Exported by liblgheap.so; readers look it up
 * with dlsym, so a program without the preload still runs. */
int lg_heap_read(int64_t *bytes, int64_t *blocks);
typedef int (*lg_heap_read_fn)(int64_t *bytes, int64_t *blocks);

#endif
