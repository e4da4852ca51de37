/* The EventQueue's waiting machinery (queue_wait.h): the poll phases before
 * sleeping, the light/heavy fence pair and the condition-variable helpers.
 * Why these are correct is argued at the top of queue.c. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* syscall() */
#endif
#include "queue_wait.h"

#include <sched.h>
#include <time.h>

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#if defined(__NR_membarrier)
#define EVS_HAVE_MEMBARRIER 1
/* The two commands used, by their kernel ABI values (linux/membarrier.h
 * names them only from 4.14, and as enumerators, which #if cannot see). */
#define EVS_MEMBARRIER_PRIVATE_EXPEDITED (1 << 3)
#define EVS_MEMBARRIER_REGISTER_PRIVATE_EXPEDITED (1 << 4)
#endif
#endif

void evs__wait_step(int i) {
  if (i < EVS_QUEUE_SPIN_POLLS)
    evs__relax(EVS_QUEUE_POLL_GAP);
  else
    sched_yield();
}

__attribute__((noinline)) void evs__full_fence(void) {
  atomic_thread_fence(memory_order_seq_cst);
}

/* The expedited membarrier, or false where it fails (or a test says so). */
static bool membarrier_expedited(evs_fences_t *f) {
  unsigned n = atomic_load_explicit(&f->fail_heavy, memory_order_relaxed);
  if (n > 0) {
    atomic_store_explicit(&f->fail_heavy, n - 1, memory_order_relaxed);
    return false;
  }
#ifdef EVS_HAVE_MEMBARRIER
  return syscall(__NR_membarrier, EVS_MEMBARRIER_PRIVATE_EXPEDITED, 0, 0) == 0;
#else
  return false;
#endif
}

bool evs__heavy_fence(evs_fences_t *f) {
  bool ok = true;
  if (atomic_load_explicit(&f->asymmetric, memory_order_relaxed) &&
      !membarrier_expedited(f)) {
    atomic_store_explicit(&f->asymmetric, false, memory_order_relaxed);
    ok = false;
  }
  evs__full_fence();
  return ok;
}

/* Registers the process for expedited membarrier, once: the registration
 * holds for the process (and a forked child) until exec, and the first one
 * may wait for an RCU grace period on older kernels. */
static bool membarrier_registered;
static pthread_once_t membarrier_once = PTHREAD_ONCE_INIT;
static void membarrier_register(void) {
#ifdef EVS_HAVE_MEMBARRIER
  membarrier_registered =
      syscall(__NR_membarrier, EVS_MEMBARRIER_REGISTER_PRIVATE_EXPEDITED, 0,
              0) == 0;
#endif
}

void evs__fences_init(evs_fences_t *f) {
  pthread_once(&membarrier_once, membarrier_register);
  atomic_init(&f->asymmetric, membarrier_registered);
  atomic_init(&f->fail_heavy, 0);
}

int evs__cond_init_monotonic(pthread_cond_t *cv) {
  pthread_condattr_t a;
  int rc = pthread_condattr_init(&a);
  if (rc != 0)
    return rc;
  rc = pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
  if (rc == 0)
    rc = pthread_cond_init(cv, &a);
  pthread_condattr_destroy(&a);
  return rc;
}

void evs__wait_cv(pthread_cond_t *cv, pthread_mutex_t *mu, bool bounded) {
  if (!bounded) {
    pthread_cond_wait(cv, mu);
    return;
  }
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_nsec += EVS_QUEUE_FALLBACK_WAIT_NS;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  pthread_cond_timedwait(cv, mu, &ts);
}
