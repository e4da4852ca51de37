/* The leakgate C probe (see probe.h and docs/probe-protocol.md). Deliberately
 * small and allocation-free on the sampling path, so that it does not disturb
 * what it measures. */
#include "probe.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Provided by the sanitizer runtimes when linked in; NULL otherwise. */
extern size_t __sanitizer_get_current_allocated_bytes(void)
    __attribute__((weak));

static int lg_probe_fd = -1;

/* The earliest sample an early stop may end the iterate phase at: the
 * judged window's LG_PROBE_STOP_MIN_SAMPLES-th (stats.h,
 * LG_TREND_MIN_SAMPLES: fewer prove nothing). The harness asks later. */
#define LG_PROBE_STOP_MIN_SAMPLES 15
static struct timespec lg_probe_t0;

void lg_sample_add(lg_sample_t *s, const char *name, double value) {
  for (int i = 0; i < s->n; i++)
    if (strcmp(s->names[i], name) == 0) {
      s->values[i] = value;
      return;
    }
  if (s->n >= LG_SAMPLE_MAX_EXTRA)
    return;
  s->names[s->n] = name;
  s->values[s->n] = value;
  s->n++;
  if (strcmp(name, "mallocInUse") == 0)
    s->malloc_overridden = 1;
}

/* liblgheap.so's reader (harness/preload/lgheap.h): int lg_heap_read(int64_t
 * *bytes, int64_t *blocks), returning its mode, 0 when it has no figure.
 * Looked up, not linked, so scenarios run the same without the preload. */
typedef int (*lg_probe_heap_read_fn)(int64_t *bytes, int64_t *blocks);

int lg_probe_heap(double *bytes, double *blocks) {
  static int looked_up;
  static lg_probe_heap_read_fn read_fn;
  if (!looked_up) {
    /* The preload is loaded at startup, so one lookup settles it. */
    *(void **)&read_fn = dlsym(RTLD_DEFAULT, "lg_heap_read");
    looked_up = 1;
  }
  int64_t b, k;
  if (read_fn == NULL || read_fn(&b, &k) == 0)
    return 0;
  *bytes = (double)b;
  *blocks = (double)k;
  return 1;
}

double lg_probe_malloc_in_use(void) {
  double bytes, blocks;
  if (lg_probe_heap(&bytes, &blocks))
    return bytes;
  if (__sanitizer_get_current_allocated_bytes)
    return (double)__sanitizer_get_current_allocated_bytes();
  struct mallinfo2 mi = mallinfo2();
  /* Under valgrind (which replaces malloc) mallinfo2 reports all zeros:
   * the metric is then unavailable rather than a misleading flat 0. */
  if (mi.arena == 0 && mi.hblkhd == 0 && mi.uordblks == 0)
    return -1;
  return (double)mi.uordblks;
}

static double lg_probe_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)(ts.tv_sec - lg_probe_t0.tv_sec) * 1e3 +
         (double)(ts.tv_nsec - lg_probe_t0.tv_nsec) / 1e6;
}

/* Entries of a /proc directory, minus the directory's own fd when counting
 * /proc/self/fd. */
static long lg_probe_count(const char *dir, int self_fd) {
  DIR *d = opendir(dir);
  if (!d)
    return -1;
  long n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.')
      n++;
  if (self_fd)
    n--;
  closedir(d);
  return n;
}

static long lg_probe_rss(void) {
  char buf[128];
  int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  long size = 0, resident = 0;
  if (sscanf(buf, "%ld %ld", &size, &resident) != 2)
    return -1;
  return resident * sysconf(_SC_PAGESIZE);
}

/* Writes one record with a single write(2); records are short. */
static void lg_probe_emit(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static void lg_probe_emit(const char *fmt, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n > sizeof buf - 2)
    n = (int)sizeof buf - 2;
  buf[n++] = '\n';
  const char *p = buf;
  while (n > 0) {
    ssize_t w = write(lg_probe_fd, p, (size_t)n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return;
    p += w;
    n -= (int)w;
  }
}

/* JSON string content: escapes quotes, backslashes and control bytes. */
static void lg_probe_json_str(char *dst, size_t cap, const char *s) {
  size_t o = 0;
  for (; s && *s && o + 7 < cap; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      dst[o++] = '\\';
      dst[o++] = (char)c;
    } else if (c < 0x20) {
      o += (size_t)snprintf(dst + o, cap - o, "\\u%04x", c);
    } else {
      dst[o++] = (char)c;
    }
  }
  dst[o] = '\0';
}

static void lg_probe_sample(const lg_scenario_t *sc, void *ctx,
                            const char *phase, uint64_t i) {
  lg_sample_t s;
  memset(&s, 0, sizeof s);
  if (sc->stats)
    sc->stats(ctx, &s);
  char line[4096];
  int o = snprintf(line, sizeof line,
                   "{\"type\":\"sample\",\"phase\":\"%s\",\"i\":%llu,"
                   "\"t_ms\":%.3f,\"rss\":%ld,\"threads\":%ld,\"fds\":%ld",
                   phase, (unsigned long long)i, lg_probe_ms(), lg_probe_rss(),
                   lg_probe_count("/proc/self/task", 0),
                   lg_probe_count("/proc/self/fd", 1));
  /* With the preload, mallocInUse / mallocBlocks are its figures (exact,
   * the same in C and JS) and a scenario's own are emitted as
   * scenarioMallocInUse / scenarioMallocBlocks. Without it, mallocInUse is
   * the scenario's own if it supplied one, else the sanitizer's or
   * mallinfo2's. */
  double heap_bytes = 0, heap_blocks = 0, in_use = -1;
  int have_heap = lg_probe_heap(&heap_bytes, &heap_blocks);
  if (have_heap)
    in_use = heap_bytes;
  else if (!s.malloc_overridden)
    in_use = lg_probe_malloc_in_use();
  if (in_use >= 0 && o > 0 && (size_t)o < sizeof line)
    o += snprintf(line + o, sizeof line - (size_t)o, ",\"mallocInUse\":%.0f",
                  in_use);
  if (have_heap && o > 0 && (size_t)o < sizeof line)
    o += snprintf(line + o, sizeof line - (size_t)o, ",\"mallocBlocks\":%.0f",
                  heap_blocks);
  for (int k = 0; k < s.n && o > 0 && (size_t)o < sizeof line; k++) {
    char name[128];
    const char *n = s.names[k];
    if (have_heap && strcmp(n, "mallocInUse") == 0)
      n = "scenarioMallocInUse";
    else if (have_heap && strcmp(n, "mallocBlocks") == 0)
      n = "scenarioMallocBlocks";
    lg_probe_json_str(name, sizeof name, n);
    o += snprintf(line + o, sizeof line - (size_t)o, ",\"%s\":%.17g", name,
                  s.values[k]);
  }
  if (o > 0 && (size_t)o < sizeof line)
    lg_probe_emit("%s}", line);
}

/* Copies file src to dst (created or truncated); silently nothing when src
 * cannot be opened. Allocation-free (a stack buffer). */
static void lg_probe_copy(const char *src, const char *dst) {
  int in = open(src, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return;
  int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  char buf[16384];
  ssize_t r;
  while (out >= 0 && (r = read(in, buf, sizeof buf)) > 0)
    for (ssize_t w, off = 0; off < r; off += w)
      if ((w = write(out, buf + off, (size_t)(r - off))) <= 0) {
        close(out);
        out = -1;
        break;
      }
  if (out >= 0)
    close(out);
  close(in);
}

/* Allocation sites (liblgheap.so, LEAKGATE_HEAP_SITES): this process's live
 * table, <file>.<pid>, is copied to <file>.at-<i> at the first and the last
 * sample of the judged window (iterate phase, i >= LEAKGATE_WARMUP, i > 0),
 * and the process's memory map to <file>.maps with the last, so that the
 * harness can tell which sites grew and name them after the process is
 * gone. */
static void lg_probe_sites_snapshot(uint64_t i, int last) {
  const char *sites = getenv("LEAKGATE_HEAP_SITES");
  if (!sites || !*sites || strlen(sites) > 3900)
    return;
  char src[4096], dst[4096];
  snprintf(src, sizeof src, "%s.%ld", sites, (long)getpid());
  snprintf(dst, sizeof dst, "%s.at-%llu", sites, (unsigned long long)i);
  lg_probe_copy(src, dst);
  if (last) {
    snprintf(dst, sizeof dst, "%s.maps", sites);
    lg_probe_copy("/proc/self/maps", dst);
  }
}

static void lg_probe_phase(const char *name, uint64_t i) {
  lg_probe_emit("{\"type\":\"phase\",\"name\":\"%s\",\"i\":%llu,\"t_ms\":%.3f}",
                name, (unsigned long long)i, lg_probe_ms());
}

static int lg_probe_fail(const char *phase, uint64_t i, const char *what,
                         int rc) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s returned %d", what, rc);
  lg_probe_emit("{\"type\":\"error\",\"phase\":\"%s\",\"i\":%llu,"
                "\"message\":\"%s\"}",
                phase, (unsigned long long)i, msg);
  lg_probe_emit("{\"type\":\"end\",\"status\":\"error\",\"i\":%llu,"
                "\"t_ms\":%.3f}",
                (unsigned long long)i, lg_probe_ms());
  return 1;
}

static unsigned long long lg_probe_env_u64(const char *name,
                                           unsigned long long dflt) {
  const char *v = getenv(name);
  if (!v || !*v)
    return dflt;
  /* Digits only, as the JS probe's intEnv: strtoull would read "-5" as a
   * huge count and skip leading blanks. */
  if (*v < '0' || *v > '9')
    return dflt;
  char *end;
  errno = 0;
  unsigned long long x = strtoull(v, &end, 10);
  return *end || errno == ERANGE ? dflt : x;
}

int lg_probe_main(const lg_scenario_t *sc, int argc, char **argv) {
  (void)argc;
  (void)argv;
  clock_gettime(CLOCK_MONOTONIC, &lg_probe_t0);
  const char *path = getenv("LEAKGATE_PROBE");
  if (path && *path) {
    lg_probe_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (lg_probe_fd < 0) {
      fprintf(stderr, "lg_probe: cannot open LEAKGATE_PROBE=%s: %s\n", path,
              strerror(errno));
      return 2;
    }
  } else {
    lg_probe_fd = 2; /* run by hand: records on stderr */
  }
  uint64_t n = lg_probe_env_u64("LEAKGATE_ITERATIONS", 1000);
  uint64_t every = lg_probe_env_u64("LEAKGATE_SAMPLE_EVERY", 10);
  if (every == 0)
    every = 1;
  uint64_t warmup = lg_probe_env_u64("LEAKGATE_WARMUP", 0);
  /* The judged window's first and last samples (docs/probe-protocol.md,
   * "The judged window"; probe.js and lg_run_window apply the same rule). */
  uint64_t w_first =
               warmup > every ? (warmup + every - 1) / every * every : every,
           w_last = n / every * every;
  char name[256], variant[128];
  lg_probe_json_str(name, sizeof name, sc->name);
  lg_probe_json_str(variant, sizeof variant, getenv("LEAKGATE_VARIANT"));
  lg_probe_emit("{\"type\":\"meta\",\"protocol\":1,\"scenario\":\"%s\","
                "\"variant\":\"%s\",\"lang\":\"c\",\"iterations\":%llu,"
                "\"sample_every\":%llu,\"pid\":%ld}",
                name, variant, (unsigned long long)n, (unsigned long long)every,
                (long)getpid());

  void *ctx = NULL;
  lg_probe_phase("baseline", 0);
  lg_probe_sample(sc, NULL, "baseline", 0);
  lg_probe_phase("setup", 0);
  int rc = sc->setup ? sc->setup(&ctx) : 0;
  if (rc != 0)
    return lg_probe_fail("setup", 0, "setup", rc);
  lg_probe_sample(sc, ctx, "setup", 0);
  lg_probe_phase("iterate", 0);
  /* The end record reports the time spent iterating and the time spent
   * sampling, so the harness can show the probe's own overhead. */
  double loop_start = lg_probe_ms(), sample_ms = 0;
  const char *stop = getenv("LEAKGATE_STOP");
  uint64_t stop_from = w_first + (LG_PROBE_STOP_MIN_SAMPLES - 1) * every;
  int stopped = 0;
  for (uint64_t i = 0; i < n && !stopped; i++) {
    rc = sc->iterate(ctx, i);
    if (rc != 0)
      return lg_probe_fail("iterate", i, "iterate", rc);
    if ((i + 1) % every == 0) {
      double t = lg_probe_ms();
      lg_probe_sample(sc, ctx, "iterate", i + 1);
      /* Early stop (docs/probe-protocol.md, "Early stop"): one access(2)
       * per sample, only from the minimum window on; this sample is then
       * the judged window's last. */
      stopped = stop && *stop && i + 1 >= stop_from && i + 1 < n &&
                access(stop, F_OK) == 0;
      if (stopped)
        n = i + 1;
      if (w_first <= w_last && (i + 1 == w_first || i + 1 == w_last || stopped))
        lg_probe_sites_snapshot(i + 1, i + 1 == w_last || stopped);
      sample_ms += lg_probe_ms() - t;
    }
  }
  double iterate_ms = lg_probe_ms() - loop_start - sample_ms;
  lg_probe_phase("teardown", n);
  rc = sc->teardown ? sc->teardown(ctx) : 0;
  if (rc != 0)
    return lg_probe_fail("teardown", n, "teardown", rc);
  lg_probe_sample(sc, NULL, "teardown", n);
  lg_probe_emit("{\"type\":\"end\",\"status\":\"ok\",\"i\":%llu,"
                "\"t_ms\":%.3f,\"iterate_ms\":%.3f,\"sample_ms\":%.3f%s}",
                (unsigned long long)n, lg_probe_ms(), iterate_ms, sample_ms,
                stopped ? ",\"stopped\":true" : "");
  if (lg_probe_fd > 2)
    close(lg_probe_fd);
  return 0;
}
