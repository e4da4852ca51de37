/* e2e scenario: hostile probe and log output. Modes (argv[1]):
 *   nested-end  writes a record whose nested object has "type":"end" (not
 *               an end record) and then stops making progress: the run
 *               must time out, not count as ended;
 *   stderr-flood writes $LG_FLOOD_MB MiB of noise to stderr, then an
 *               AddressSanitizer-style report at its very end: the report
 *               must still be found, with bounded memory;
 *   probe-flood appends $LG_FLOOD_MB MiB of records of an unknown type
 *               (ignored by the reader, but each one parsed) to the probe
 *               stream and stops making progress: the timeout must fire on
 *               time however big the stream, live progress line or not;
 *   lsan-text   leaks a block per iteration (LEAK) and prints LeakSanitizer's
 *               crash message at exit: in a variant without LSan that is
 *               just text and must not turn the LEAK into INFRA;
 *   lsan-crash  the same, exiting with the sanitizer's exit code 86 as if
 *               LSan had really crashed (in a variant with LSan): the re-run
 *               crashes too, and the LEAK must be kept, the crash noted. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"

static const char *hostile_mode = "";

static int hostile_write_all(int fd, const char *s, size_t n) {
  while (n) {
    ssize_t w = write(fd, s, n);
    if (w <= 0)
      return -1;
    s += w;
    n -= (size_t)w;
  }
  return 0;
}

static void *volatile hostile_sink;

static int hostile_iterate(void *ctx, uint64_t i) {
  (void)ctx;
  if (strncmp(hostile_mode, "lsan-", 5) == 0) {
    char *p = malloc(64); /* one block per iteration, never freed */
    if (!p)
      return 1;
    memset(p, (int)(i & 0xff), 64);
    hostile_sink = p;
    return 0;
  }
  if (i != 3)
    return 0;
  const char *probe = getenv("LEAKGATE_PROBE");
  if (strcmp(hostile_mode, "nested-end") == 0) {
    int fd = probe ? open(probe, O_WRONLY | O_APPEND) : -1;
    static const char rec[] = "{\"type\":\"note\",\"detail\":{\"type\":\"end\","
                              "\"status\":\"ok\"}}\n";
    if (fd < 0 || hostile_write_all(fd, rec, sizeof rec - 1) != 0)
      return 1;
    close(fd);
    for (;;)
      pause();
  }
  if (strcmp(hostile_mode, "stderr-flood") == 0) {
    const char *mb = getenv("LG_FLOOD_MB");
    long n = mb ? atol(mb) : 64;
    static char chunk[1 << 16];
    memset(chunk, 'x', sizeof chunk);
    for (size_t k = 63; k < sizeof chunk; k += 64)
      chunk[k] = '\n';
    for (long k = 0; k < n * 16; k++)
      if (hostile_write_all(2, chunk, sizeof chunk) != 0)
        return 1;
    static const char report[] =
        "=================================================================\n"
        "==4242==ERROR: AddressSanitizer: heap-use-after-free on address "
        "0x602000000010 at pc 0x0000004011d6 bp 0x7ffd sp 0x7ffd\n"
        "READ of size 4 at 0x602000000010 thread T0\n"
        "    #0 0x4011d5 in hostile_iterate "
        "/src/harness/test/scen/hostile.c:60\n"
        "    #1 0x401234 in main /src/harness/test/scen/hostile.c:90\n"
        "\n"
        "SUMMARY: AddressSanitizer: heap-use-after-free "
        "/src/harness/test/scen/hostile.c:60 in hostile_iterate\n";
    return hostile_write_all(2, report, sizeof report - 1) != 0;
  }
  if (strcmp(hostile_mode, "probe-flood") == 0) {
    int fd = probe ? open(probe, O_WRONLY | O_APPEND) : -1;
    const char *mb = getenv("LG_FLOOD_MB");
    long n = mb ? atol(mb) : 64;
    static char chunk[1 << 20];
    static const char rec[] = "{\"type\":\"x-noise\",\"pad\":\"0123456789"
                              "0123456789012345678901234567890123\"}\n";
    if (fd < 0)
      return 1;
    for (size_t k = 0; k + sizeof rec - 1 <= sizeof chunk; k += sizeof rec - 1)
      memcpy(chunk + k, rec, sizeof rec - 1);
    size_t whole = sizeof chunk - sizeof chunk % (sizeof rec - 1);
    for (long k = 0; k < n; k++)
      if (hostile_write_all(fd, chunk, whole) != 0)
        return 1;
    close(fd);
    for (;;)
      pause();
  }
  return 0;
}

static const lg_scenario_t lg_hostile = {"hostile", NULL, hostile_iterate, NULL,
                                         NULL};

int main(int argc, char **argv) {
  if (argc > 1)
    hostile_mode = argv[1];
  int rc = lg_probe_main(&lg_hostile, argc, argv);
  if (rc == 0 && strncmp(hostile_mode, "lsan-", 5) == 0) {
    fprintf(stderr, "Tracer caught signal 11: addr=0x2760 pc=0x7f0 sp=0x7f1\n"
                    "==1==LeakSanitizer has encountered a fatal error.\n");
    return strcmp(hostile_mode, "lsan-crash") == 0 ? 86 : 0;
  }
  return rc;
}
