/* Shared support for the leakgate fuzz targets (fuzz/README.md).
 *
 * Every target defines lg_fuzz_one, which fuzz_common.c's
 * LLVMFuzzerTestOneInput calls with the command guard armed (see
 * popen/system there). It is linked either with
 * libFuzzer (clang, the `fuzz` preset) or with replay_main.c, a plain main()
 * that feeds it files (any compiler, every preset: the fuzz.replay.* tests).
 * A target reports a broken property with LG_FUZZ_CHECK, which aborts: that
 * is a finding for libFuzzer and a failed test for the replay driver. */
#ifndef LG_FUZZ_H
#define LG_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* The target proper: one input, returns 0. */
int lg_fuzz_one(const uint8_t *data, size_t size);

/* Aborts with the condition and a note when cond is false. */
#define LG_FUZZ_CHECK(cond, ...)                                               \
  do {                                                                         \
    if (!(cond))                                                               \
      lg_fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                    \
  } while (0)

void lg_fuzz_fail(const char *file, int line, const char *cond, const char *fmt,
                  ...) __attribute__((noreturn, format(printf, 4, 5)));

/* Writes the input to this process's one memory file and returns its path
 * ("/proc/self/fd/N"), for loaders that take a path. The path stays valid
 * until the next call; the string is static (not freed). Not thread-safe:
 * libFuzzer calls the target from one thread. Aborts when the memory file
 * cannot be created or written (an infrastructure failure, not a finding). */
const char *lg_fuzz_file(const uint8_t *data, size_t size);

/* A NUL-terminated heap copy of exactly size + 1 bytes (so ASan sees reads
 * past the input); the caller frees it. Embedded NUL bytes stay. */
char *lg_fuzz_cstr(const uint8_t *data, size_t size);

/* The attribution lists of scenarios/manifest.json ("ours",
 * "our_functions", "frame_skip"), so findings and suppressions are judged
 * as in a real run. Static; not to be freed. */
extern char *const lg_fuzz_ours[];
extern const size_t lg_fuzz_nours;
extern char *const lg_fuzz_funcs[];
extern const size_t lg_fuzz_nfuncs;
extern char *const lg_fuzz_skip[];
extern const size_t lg_fuzz_nskip;

#endif
