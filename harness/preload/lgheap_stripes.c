/* liblgheap.so's figure: the published page and the stripes its counts go
 * to, the sanitizer hooks, the constructor that decides the mode, and
 * lg_heap_read (lgheap.h, lgheap_int.h). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "lgheap_int.h"

/* The published page: initialised, so it lives in .data, in the library's
 * own file-backed rw-p mapping, where probe.js finds it by its magic. */
lg_heap_pub_t lg_heap_pub __attribute__((used)) = {
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
_Thread_local uint32_t lg_heap_slot __attribute__((tls_model("initial-exec")));

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
uint32_t lg_heap_claim(void) {
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
