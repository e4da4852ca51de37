/* liblgheap.so (harness/preload/) seen from a program it is preloaded into:
 * the figure moves by exactly the bytes and blocks the program allocates and
 * returns when they are freed, across the whole malloc family, under
 * threads and across fork().
 *
 * Run with LD_PRELOAD naming liblgheap.so (CTest does) and LG_TEST_HEAP_MODE
 * the mode it must report: 1 (interposer, glibc underneath) or 2 (sanitizer
 * hooks: the sanitizer runtime preloaded first). Without the preload every
 * test fails: nothing here can pass on its own. */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <unwind.h>

#include "check.h"
#include "lgheap.h"

/* Called through volatile pointers so that the compiler cannot pair and
 * elide a malloc/free it can see (gcc does at -O1). */
static void *(*volatile t_malloc)(size_t) = malloc;
static void (*volatile t_free)(void *) = free;
static void *(*volatile t_calloc)(size_t, size_t) = calloc;
static void *(*volatile t_realloc)(void *, size_t) = realloc;
static int (*volatile t_posix_memalign)(void **, size_t,
                                        size_t) = posix_memalign;
static void *(*volatile t_aligned_alloc)(size_t, size_t) = aligned_alloc;
static void *(*volatile t_memalign)(size_t, size_t) = memalign;
static void *(*volatile t_valloc)(size_t) = valloc;
static void *(*volatile t_pvalloc)(size_t) = pvalloc;

static lg_heap_read_fn t_read;

static int t_mode(void) {
  const char *m = getenv("LG_TEST_HEAP_MODE");
  return m ? atoi(m) : LG_HEAP_MODE_INTERPOSER;
}

/* Current figure; fails the calling test when the preload is absent or in
 * another mode than the one expected. */
#define HEAP(bytes, blocks)                                                    \
  do {                                                                         \
    if (t_read == NULL)                                                        \
      *(void **)&t_read = dlsym(RTLD_DEFAULT, "lg_heap_read");                 \
    if (t_read == NULL)                                                        \
      CHECK_FAIL_("lg_heap_read not found: run with LD_PRELOAD=liblgheap.so"); \
    int mode_ = t_read(&(bytes), &(blocks));                                   \
    if (mode_ != t_mode())                                                     \
      CHECK_FAIL_("liblgheap mode %d, expected %d", mode_, t_mode());          \
  } while (0)

/* Asserts the figure is (b0 + db, k0 + dk). */
#define EXPECT_DELTA(b0, k0, db, dk)                                           \
  do {                                                                         \
    int64_t hb_, hk_;                                                          \
    HEAP(hb_, hk_);                                                            \
    ASSERT_EQ(hb_ - (b0), (db));                                               \
    ASSERT_EQ(hk_ - (k0), (dk));                                               \
  } while (0)

static void test_malloc_free_exact(void) {
  int64_t b0, k0;
  HEAP(b0, k0);
  char *p = t_malloc(1000);
  ASSERT_TRUE(p != NULL);
  EXPECT_DELTA(b0, k0, 1000, 1);
  char *q = t_malloc(123457);
  ASSERT_TRUE(q != NULL);
  memset(p, 1, 1000);
  memset(q, 2, 123457);
  ASSERT_GE(malloc_usable_size(p), 1000);
  ASSERT_GE(malloc_usable_size(q), 123457);
  EXPECT_DELTA(b0, k0, 1000 + 123457, 2);
  t_free(p);
  EXPECT_DELTA(b0, k0, 123457, 1);
  t_free(q);
  EXPECT_DELTA(b0, k0, 0, 0);
  t_free(NULL);
  EXPECT_DELTA(b0, k0, 0, 0);
  if (t_mode() == LG_HEAP_MODE_INTERPOSER) {
    /* glibc semantics: malloc(0) is a unique block of no bytes. */
    void *z = t_malloc(0);
    ASSERT_TRUE(z != NULL);
    EXPECT_DELTA(b0, k0, 0, 1);
    t_free(z);
    EXPECT_DELTA(b0, k0, 0, 0);
    /* Failures change nothing. The sanitizers abort on them instead
     * (allocator_may_return_null=0), hence interposer mode only. */
    errno = 0;
    ASSERT_TRUE(t_malloc(SIZE_MAX - 8) == NULL);
    ASSERT_EQ(errno, ENOMEM);
    errno = 0;
    ASSERT_TRUE(t_calloc(SIZE_MAX / 2, 4) == NULL);
    ASSERT_EQ(errno, ENOMEM);
    EXPECT_DELTA(b0, k0, 0, 0);
  }
}

static void test_calloc_realloc_accounting(void) {
  int64_t b0, k0;
  HEAP(b0, k0);
  unsigned char *c = t_calloc(10, 100);
  ASSERT_TRUE(c != NULL);
  for (int i = 0; i < 1000; i++)
    ASSERT_EQ(c[i], 0);
  EXPECT_DELTA(b0, k0, 1000, 1);
  t_free(c);

  unsigned char *p = t_realloc(NULL, 100); /* realloc(NULL) is malloc */
  ASSERT_TRUE(p != NULL);
  EXPECT_DELTA(b0, k0, 100, 1);
  for (int i = 0; i < 100; i++)
    p[i] = (unsigned char)i;
  p = t_realloc(p, 200000); /* grow: moves to an mmapped chunk */
  ASSERT_TRUE(p != NULL);
  EXPECT_DELTA(b0, k0, 200000, 1);
  for (int i = 0; i < 100; i++)
    ASSERT_EQ(p[i], i);
  memset(p + 100, 7, 200000 - 100);
  p = t_realloc(p, 300); /* shrink */
  ASSERT_TRUE(p != NULL);
  EXPECT_DELTA(b0, k0, 300, 1);
  for (int i = 0; i < 100; i++)
    ASSERT_EQ(p[i], i);
  ASSERT_EQ(p[299], 7);
  p = t_realloc(p, 301); /* grow in place, most likely */
  ASSERT_TRUE(p != NULL);
  EXPECT_DELTA(b0, k0, 301, 1);
  ASSERT_TRUE(t_realloc(p, 0) == NULL); /* glibc: frees, returns NULL */
  EXPECT_DELTA(b0, k0, 0, 0);
}

static void test_memalign_family(void) {
  static const size_t aligns[] = {32, 64, 256, 4096, 65536};
  static const size_t sizes[] = {1, 100, 5000, 70000};
  int64_t b0, k0;
  HEAP(b0, k0);
  for (size_t a = 0; a < sizeof aligns / sizeof *aligns; a++)
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
      size_t al = aligns[a], sz = sizes[s];
      /* C11 aligned_alloc wants a multiple of the alignment (ASan
       * enforces it; glibc does not). */
      size_t asz = (sz + al - 1) / al * al;
      void *blocks[3] = {NULL, NULL, NULL};
      ASSERT_EQ(t_posix_memalign(&blocks[0], al, sz), 0);
      blocks[1] = t_aligned_alloc(al, asz);
      blocks[2] = t_memalign(al, sz);
      for (int k = 0; k < 3; k++) {
        ASSERT_TRUE(blocks[k] != NULL);
        ASSERT_EQ((uintptr_t)blocks[k] % al, 0);
        ASSERT_GE(malloc_usable_size(blocks[k]), sz);
        memset(blocks[k], 0x5a, sz);
      }
      EXPECT_DELTA(b0, k0, (int64_t)(2 * sz + asz), 3);
      /* realloc of an aligned block keeps the bytes and the count. */
      unsigned char *r = t_realloc(blocks[2], sz * 2);
      ASSERT_TRUE(r != NULL);
      for (size_t i = 0; i < sz; i++)
        ASSERT_EQ(r[i], 0x5a);
      EXPECT_DELTA(b0, k0, (int64_t)(3 * sz + asz), 3);
      t_free(blocks[0]);
      t_free(blocks[1]);
      t_free(r);
      EXPECT_DELTA(b0, k0, 0, 0);
    }
  long page = sysconf(_SC_PAGESIZE);
  void *v = t_valloc(100);
  ASSERT_TRUE(v != NULL);
  ASSERT_EQ((uintptr_t)v % (uintptr_t)page, 0);
  EXPECT_DELTA(b0, k0, 100, 1);
  void *pv = t_pvalloc(100); /* rounded up to a whole page */
  ASSERT_TRUE(pv != NULL);
  ASSERT_EQ((uintptr_t)pv % (uintptr_t)page, 0);
  EXPECT_DELTA(b0, k0, 100 + page, 2);
  memset(pv, 1, (size_t)page);
  t_free(v);
  t_free(pv);
  EXPECT_DELTA(b0, k0, 0, 0);
  /* The sanitizers abort on what follows (allocator_may_return_null=0):
   * glibc's semantics are checked in interposer mode only. */
  if (t_mode() != LG_HEAP_MODE_INTERPOSER)
    return;
  /* memalign rounds a non-power-of-two alignment up (glibc). */
  void *m = t_memalign(48, 10);
  ASSERT_TRUE(m != NULL);
  ASSERT_EQ((uintptr_t)m % 64, 0);
  t_free(m);
  /* Invalid alignments fail without counting anything. */
  void *bad = NULL;
  ASSERT_EQ(t_posix_memalign(&bad, 3, 10), EINVAL);
  ASSERT_EQ(t_posix_memalign(&bad, 0, 10), EINVAL);
  ASSERT_EQ(t_posix_memalign(&bad, sizeof(void *) / 2, 10), EINVAL);
  ASSERT_TRUE(bad == NULL);
  EXPECT_DELTA(b0, k0, 0, 0);
}

/* 128 threads (more than the 56 owned stripes, so 72 share the 8 atomic
 * stripes: with a non-atomic add there, updates are lost and this test
 * failed in 2 of 4 runs on a 2-vCPU machine) malloc, realloc and free, a
 * quarter of the blocks on another thread than the one that allocated them
 * (through a shared exchange), and the figure read while every thread is still
 * alive must equal the one read before they started: thread start-up and exit
 * allocate (TLS, stacks), so both readings are taken between two barriers. */
enum { T_THREADS = 128, T_SLOTS = 64, T_OPS = 20000, T_XCHG = 256 };
static pthread_barrier_t t_ready, t_start, t_done, t_exit;
static _Atomic(void *) t_xchg[T_XCHG];

static void *t_stress(void *arg) {
  uint64_t s = (uint64_t)(uintptr_t)arg * 0x9e3779b97f4a7c15u + 1;
  void *mine[T_SLOTS] = {0};
  pthread_barrier_wait(&t_ready);
  pthread_barrier_wait(&t_start);
  for (int i = 0; i < T_OPS; i++) {
    s = s * 6364136223846793005u + 1442695040888963407u;
    unsigned slot = (unsigned)(s >> 33) % T_SLOTS;
    size_t size = 1 + (size_t)(s >> 20) % 2048;
    switch ((s >> 60) & 3) {
    case 0: /* hand a block to whichever thread takes the slot next */
      t_free(atomic_exchange(&t_xchg[(s >> 40) % T_XCHG], mine[slot]));
      mine[slot] = NULL;
      break;
    case 1:
      mine[slot] = t_realloc(mine[slot], size);
      break;
    default:
      t_free(mine[slot]);
      mine[slot] = (s & 1) ? t_malloc(size) : t_calloc(1, size);
      break;
    }
  }
  for (int k = 0; k < T_SLOTS; k++)
    t_free(mine[k]);
  pthread_barrier_wait(&t_done);
  pthread_barrier_wait(&t_exit);
  return NULL;
}

static void test_threads_stress_returns_to_initial(void) {
  pthread_t th[T_THREADS];
  pthread_barrier_init(&t_ready, NULL, T_THREADS + 1);
  pthread_barrier_init(&t_start, NULL, T_THREADS + 1);
  pthread_barrier_init(&t_done, NULL, T_THREADS + 1);
  pthread_barrier_init(&t_exit, NULL, T_THREADS + 1);
  for (int i = 0; i < T_THREADS; i++)
    ASSERT_EQ(pthread_create(&th[i], NULL, t_stress, (void *)(uintptr_t)i), 0);
  int64_t b0 = 0, k0 = 0, b1 = 0, k1 = 0, peak_seen = 0;
  int failed = 0;
  /* No assertion may return between the barriers (the threads would hang),
   * so the readings are checked after the join. The first reading waits
   * until every thread has started: a thread's start-up may allocate and
   * free (ASan's does), which must not straddle it. */
  pthread_barrier_wait(&t_ready);
  if (t_read == NULL)
    *(void **)&t_read = dlsym(RTLD_DEFAULT, "lg_heap_read");
  failed |= t_read == NULL || t_read(&b0, &k0) != t_mode();
  pthread_barrier_wait(&t_start);
  /* Read while they run: the sum is a snapshot, but must stay sane. */
  for (int i = 0; i < 100 && !failed; i++) {
    int64_t b, k;
    t_read(&b, &k);
    if (b - b0 > peak_seen)
      peak_seen = b - b0;
    failed |= k - k0 > (int64_t)T_THREADS * T_SLOTS + T_XCHG + 64;
    usleep(100);
  }
  pthread_barrier_wait(&t_done);
  for (int k = 0; k < T_XCHG; k++)
    t_free(atomic_exchange(&t_xchg[k], NULL));
  if (!failed)
    t_read(&b1, &k1);
  pthread_barrier_wait(&t_exit);
  for (int i = 0; i < T_THREADS; i++)
    pthread_join(th[i], NULL);
  pthread_barrier_destroy(&t_ready);
  pthread_barrier_destroy(&t_start);
  pthread_barrier_destroy(&t_done);
  pthread_barrier_destroy(&t_exit);
  ASSERT_TRUE(!failed);
  ASSERT_GT(peak_seen, 0); /* the readings did see the threads' blocks */
  ASSERT_EQ(b1, b0);
  ASSERT_EQ(k1, k0);
}

/* The counters are private memory: a child's allocations are its own, and
 * the parent's figure is untouched by them. */
static void test_fork_child_counts_its_own(void) {
  int64_t b0, k0;
  HEAP(b0, k0);
  void *keep = t_malloc(4321);
  pid_t pid = fork();
  ASSERT_TRUE(pid >= 0);
  if (pid == 0) {
    int64_t b, k;
    void *p = t_malloc(777);
    int ok = t_read(&b, &k) == t_mode() && b - b0 == 4321 + 777 && k - k0 == 2;
    t_free(p);
    t_free(keep);
    ok = ok && t_read(&b, &k) == t_mode() && b == b0 && k == k0;
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_DELTA(b0, k0, 4321, 1);
  t_free(keep);
  EXPECT_DELTA(b0, k0, 0, 0);
}

/* ---- allocation sites (LEAKGATE_HEAP_SITES) ---- */

/* Not inlined, and the call is not a tail call: its return address lies
 * in the function, which must then be the site. */
__attribute__((noinline)) static void *t_site_leaker(size_t n) {
  void *p = t_malloc(n);
  __asm__ volatile("" ::"r"(p) : "memory");
  return p;
}

__attribute__((noinline)) static void *t_site_child(size_t n) {
  void *p = t_malloc(n);
  __asm__ volatile("" ::"r"(p) : "memory");
  return p;
}

/* Grows a block by realloc in steps of 64 bytes up to n, as a dynamic
 * array does, filling each step; NULL when a realloc failed or lost
 * content. */
__attribute__((noinline)) static void *t_site_grower(size_t n) {
  unsigned char *p = NULL;
  for (size_t k = 64; k <= n; k += 64) {
    unsigned char *q = t_realloc(p, k);
    if (q == NULL) {
      t_free(p);
      return NULL;
    }
    p = q;
    memset(p + k - 64, (int)(k / 64), 64);
  }
  for (size_t k = 64; k <= n; k += 64)
    if (p[k - 1] != (unsigned char)(k / 64)) {
      t_free(p);
      return NULL;
    }
  __asm__ volatile("" ::"r"(p) : "memory");
  return p;
}

/* Which of the test's site functions the address pc lies in: the one that
 * starts last at or before it, when within 256 bytes of its start; else 0.
 * (The linker may place them next to each other in any order.) */
static uintptr_t t_site_owner(uint64_t pc) {
  uintptr_t fns[] = {(uintptr_t)t_site_leaker, (uintptr_t)t_site_child,
                     (uintptr_t)t_site_grower},
            best = 0;
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
    if (fns[i] < pc && fns[i] > best)
      best = fns[i];
  return best && pc - best < 256 ? best : 0;
}

/* The site whose innermost frame is in fn (the first 256 bytes of it),
 * read from the table file; 0 when none. */
static int t_site_find(const char *path, void *fn, lg_heap_site_t *out,
                       lg_heap_sites_hdr_t *hdr) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return 0;
  int found = 0;
  if (fread(hdr, sizeof *hdr, 1, f) == 1)
    for (uint32_t i = 0; i < hdr->capacity && !found; i++) {
      lg_heap_site_t s;
      if (fread(&s, sizeof s, 1, f) != 1)
        break;
      if (s.key >= 2 && t_site_owner(s.pc[0]) == (uintptr_t)fn) {
        *out = s;
        found = 1;
      }
    }
  fclose(f);
  return found;
}

/* The preload reads LEAKGATE_HEAP_SITES when it starts, so these tests
 * run in a re-executed copy of this program with it set to a fresh path
 * (and LEAKGATE_HEAP_SAMPLE to `mean` when not NULL). Returns the copy's
 * wait status, or -1. */
static int t_reexec(const char *name, const char *mean) {
  char dir[] = "/tmp/lg-test-sites-XXXXXX";
  if (mkdtemp(dir) == NULL)
    return -1;
  char base[64], file[96];
  snprintf(base, sizeof base, "%s/sites", dir);
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    setenv("LEAKGATE_HEAP_SITES", base, 1);
    if (mean)
      setenv("LEAKGATE_HEAP_SAMPLE", mean, 1);
    execl("/proc/self/exe", "lg_test_preload", name, (char *)NULL);
    _exit(127);
  }
  int status = -1;
  if (waitpid(pid, &status, 0) != pid)
    status = -1;
  snprintf(file, sizeof file, "%s.%ld", base, (long)pid); /* the copy's */
  unlink(file);
  rmdir(dir);
  return status;
}

/* This process's table: <LEAKGATE_HEAP_SITES>.<pid>. */
static const char *t_sites_path(void) {
  static char path[4200];
  const char *base = getenv("LEAKGATE_HEAP_SITES");
  if (base == NULL)
    return NULL;
  snprintf(path, sizeof path, "%s.%ld", base, (long)getpid());
  return path;
}

static void test_sites_name_the_caller(void) {
  const char *path = t_sites_path();
  if (path == NULL) {
    int status = t_reexec("sites_name_the_caller", NULL);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    return;
  }
  lg_heap_sites_hdr_t hdr;
  lg_heap_site_t site;
  if (t_mode() != LG_HEAP_MODE_INTERPOSER) {
    /* The sanitizer owns the heap and records stacks itself: no table. */
    ASSERT_TRUE(access(path, F_OK) != 0);
    return;
  }
  ASSERT_TRUE(access(path, F_OK) == 0);
  int64_t b0, k0;
  HEAP(b0, k0);
  enum { N = 4000, SZ = 500 };
  static void *keep[N];
  for (int i = 0; i < N; i++)
    keep[i] = t_site_leaker(SZ);
  /* Sampling never changes the exact figure. */
  EXPECT_DELTA(b0, k0, (int64_t)N * SZ, N);
  ASSERT_TRUE(t_site_find(path, (void *)t_site_leaker, &site, &hdr));
  ASSERT_EQ(hdr.version, LG_SITES_VERSION);
  ASSERT_EQ(hdr.mean, LG_SITES_MEAN);
  ASSERT_EQ(hdr.pid, getpid());
  /* 2 MB over a mean of 8 KiB is ~244 samples: the estimate is within a
   * few percent; 30% is over five standard deviations. */
  ASSERT_GT(site.bytes, (int64_t)N * SZ * 7 / 10);
  ASSERT_LT(site.bytes, (int64_t)N * SZ * 13 / 10);
  ASSERT_GT(site.blocks_fp / LG_SITES_BLOCK_ONE, N * 7 / 10);
  ASSERT_LT(site.blocks_fp / LG_SITES_BLOCK_ONE, N * 13 / 10);
  ASSERT_GT(site.samples, 100);
  /* Grown by realloc, moved to sampled and aligned blocks and back: the
   * figure stays exact through every path. */
  for (int i = 0; i < N; i += 2) {
    keep[i] = t_realloc(keep[i], 2 * SZ);
    ASSERT_TRUE(keep[i] != NULL);
  }
  EXPECT_DELTA(b0, k0, (int64_t)N * SZ + (N / 2) * SZ, N);
  void *al[64];
  for (int i = 0; i < 64; i++) {
    al[i] = t_aligned_alloc(256, 4096);
    ASSERT_TRUE(al[i] != NULL && ((uintptr_t)al[i] & 255) == 0);
    memset(al[i], 7, 4096);
  }
  for (int i = 0; i < 64; i++)
    t_free(al[i]);
  for (int i = 0; i < N; i++)
    t_free(keep[i]);
  EXPECT_DELTA(b0, k0, 0, 0);
  /* Every charge came off with its block. */
  ASSERT_TRUE(t_site_find(path, (void *)t_site_leaker, &site, &hdr));
  ASSERT_EQ(site.bytes, 0);
  ASSERT_EQ(site.blocks_fp, 0);
  /* Arrays grown by realloc are estimated as well as plain blocks (each
   * realloc is a draw of the whole block). */
  enum { NA = 500, ASZ = 4096 };
  static void *arr[NA];
  for (int i = 0; i < NA; i++) {
    arr[i] = t_site_grower(ASZ);
    ASSERT_TRUE(arr[i] != NULL);
  }
  EXPECT_DELTA(b0, k0, (int64_t)NA * ASZ, NA);
  ASSERT_TRUE(t_site_find(path, (void *)t_site_grower, &site, &hdr));
  ASSERT_GT(site.bytes, (int64_t)NA * ASZ * 7 / 10);
  ASSERT_LT(site.bytes, (int64_t)NA * ASZ * 13 / 10);
  for (int i = 0; i < NA; i++)
    t_free(arr[i]);
  EXPECT_DELTA(b0, k0, 0, 0);
  ASSERT_TRUE(t_site_find(path, (void *)t_site_grower, &site, &hdr));
  ASSERT_EQ(site.bytes, 0);
  /* A forked child does not write to its parent's table. */
  pid_t pid = fork();
  ASSERT_TRUE(pid >= 0);
  if (pid == 0) {
    for (int i = 0; i < 1000; i++)
      (void)t_site_child(4096);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_TRUE(!t_site_find(path, (void *)t_site_child, &site, &hdr));
}

/* libgcc's unwinder allocates while holding its own lock when it first
 * looks up frames registered with __register_frame (as a JIT registers its
 * code): sampling that allocation would unwind, wait for the same lock, and
 * hang. With every allocation a sample, register this program's unwind
 * tables again and again and unwind after each; an alarm fails the test
 * instead of hanging it. */
extern void __register_frame(void *);
static void *t_eh_frame;

static int t_eh_frame_cb(struct dl_phdr_info *info, size_t size, void *arg) {
  (void)size;
  (void)arg;
  for (int i = 0; i < info->dlpi_phnum; i++)
    if (info->dlpi_phdr[i].p_type == PT_GNU_EH_FRAME) {
      /* .eh_frame_hdr: version, eh_frame_ptr encoding (pcrel sdata4),
       * ...; then the pointer to .eh_frame. */
      const unsigned char *h =
          (const unsigned char *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
      int32_t rel;
      memcpy(&rel, h + 4, sizeof rel);
      if (h[1] == 0x1b)
        t_eh_frame = (void *)(uintptr_t)(h + 4 + rel);
      return 1; /* the first object is the executable */
    }
  return 0;
}

static _Unwind_Reason_Code t_count_frame(struct _Unwind_Context *ctx,
                                         void *arg) {
  (void)ctx;
  ++*(int *)arg;
  return _URC_NO_REASON;
}

static void test_sites_no_deadlock_in_unwinder(void) {
  if (t_sites_path() == NULL) {
    int status = t_reexec("sites_no_deadlock_in_unwinder", "1");
    ASSERT_TRUE(status != -1);
    if (WIFSIGNALED(status))
      CHECK_FAIL_("killed by signal %d (SIGALRM: deadlocked in the unwinder)",
                  WTERMSIG(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    return;
  }
  dl_iterate_phdr(t_eh_frame_cb, NULL);
  ASSERT_TRUE(t_eh_frame != NULL);
  alarm(30);
  for (int k = 0; k < 300; k++) {
    __register_frame(t_eh_frame);
    int frames = 0;
    _Unwind_Backtrace(t_count_frame, &frames);
    ASSERT_GT(frames, 0);
  }
  alarm(0);
}

static const check_case_t cases[] = {
    {"malloc_free_exact", test_malloc_free_exact},
    {"calloc_realloc_accounting", test_calloc_realloc_accounting},
    {"memalign_family", test_memalign_family},
    {"threads_stress_returns_to_initial",
     test_threads_stress_returns_to_initial},
    {"fork_child_counts_its_own", test_fork_child_counts_its_own},
    {"sites_name_the_caller", test_sites_name_the_caller},
    {"sites_no_deadlock_in_unwinder", test_sites_no_deadlock_in_unwinder},
    {NULL, NULL}};

CHECK_MAIN(cases)
