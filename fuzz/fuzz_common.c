/* Shared support for the fuzz targets (see fuzz.h). */
#include "fuzz.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void lg_fuzz_fail(const char *file, int line, const char *cond, const char *fmt,
                  ...) {
  va_list ap;
  fprintf(stderr, "%s:%d: fuzz check failed: %s: ", file, line, cond);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  abort();
}

const char *lg_fuzz_file(const uint8_t *data, size_t size) {
  static int fd = -1;
  static char path[64];
  if (fd < 0) {
    fd = memfd_create("lg-fuzz-input", MFD_CLOEXEC);
    if (fd < 0) {
      fprintf(stderr, "lg_fuzz_file: memfd_create: %s\n", strerror(errno));
      abort();
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  }
  /* Shrink first: a shorter input must not keep the previous one's tail. */
  if (ftruncate(fd, 0) != 0) {
    fprintf(stderr, "lg_fuzz_file: ftruncate: %s\n", strerror(errno));
    abort();
  }
  for (size_t off = 0; off < size;) {
    ssize_t n = pwrite(fd, data + off, size - off, (off_t)off);
    if (n <= 0) {
      fprintf(stderr, "lg_fuzz_file: pwrite: %s\n", strerror(errno));
      abort();
    }
    off += (size_t)n;
  }
  return path;
}

char *lg_fuzz_cstr(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s)
    abort();
  if (size)
    memcpy(s, data, size);
  s[size] = '\0';
  return s;
}

char *const lg_fuzz_ours[] = {"libevstore",     "evstore.node", "/core/src/",
                              "/core/include/", "/addon/src/",  "/scenarios/",
                              "/harness/test/"};
const size_t lg_fuzz_nours = sizeof lg_fuzz_ours / sizeof lg_fuzz_ours[0];
char *const lg_fuzz_funcs[] = {"evs_*", "evs__*", "addon_*", "lg_*", "scn_*"};
const size_t lg_fuzz_nfuncs = sizeof lg_fuzz_funcs / sizeof lg_fuzz_funcs[0];
char *const lg_fuzz_skip[] = {"libc_malloc", "libc_free", "evs__malloc",
                              "evs__calloc", "evs__free", "evs__memdup0",
                              "evs__realloc"};
const size_t lg_fuzz_nskip = sizeof lg_fuzz_skip / sizeof lg_fuzz_skip[0];

/* Set while an input runs: the command guard below applies to the target,
 * not to libFuzzer itself (-merge=1, -fork and -jobs run their workers
 * through system and popen). One thread calls the target. */
static int lg_fuzz_in_target;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lg_fuzz_in_target = 1;
  lg_fuzz_one(data, size);
  lg_fuzz_in_target = 0;
  return 0;
}

/* No target may run a command: the manifest's {gcc-file:}/{clang-file:}
 * templates popen the compiler, and the manifest target loads with
 * LG_MANIFEST_SANDBOX so that they are not resolved. These definitions
 * replace libc's in the target executables: during an input, a path that
 * still tried is a finding (abort) instead of a process spawned per input;
 * outside one they forward to libc. */
FILE *popen(const char *command, const char *type) {
  static FILE *(*real)(const char *, const char *);
  if (lg_fuzz_in_target)
    lg_fuzz_fail(__FILE__, __LINE__, "no command", "popen(\"%s\")", command);
  if (!real)
    *(void **)&real = dlsym(RTLD_NEXT, "popen");
  if (!real) {
    errno = ENOSYS;
    return NULL;
  }
  return real(command, type);
}

int system(const char *command) {
  static int (*real)(const char *);
  if (lg_fuzz_in_target)
    lg_fuzz_fail(__FILE__, __LINE__, "no command", "system(\"%s\")",
                 command ? command : "(null)");
  if (!real)
    *(void **)&real = dlsym(RTLD_NEXT, "system");
  if (!real)
    return -1;
  return real(command);
}
