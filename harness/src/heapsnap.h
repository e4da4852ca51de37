/* JS heap attribution: what grows in the JS heap of a JS run judged LEAK.
 *
 * After such a run (by default: its heapUsed flagged, lg_heapsnap_wanted)
 * the runner re-runs the same job once, short, in <run_dir>/heapsnap/, with
 * LEAKGATE_HEAPSNAP=<dir>,<A>,<B> and LEAKGATE_ITERATIONS=B: probe.js then
 * writes a V8 heap snapshot after a forced GC right after iterations A (the
 * first judged sample) and B (A + at most LG_HEAPSNAP_SPAN). heapdiff.js
 * ({leakgate}/heapdiff.js, run with the same node) diffs the two and prints
 * a JSON summary, which lg_heapattr_parse reads as untrusted input into the
 * run model (lg_run_t.heap); lg_heapattr_line makes the evidence line. The
 * snapshots are deleted afterwards unless asked to keep them. The re-run
 * never changes a verdict. Process handling is the runner's (runner.c);
 * this file holds the decisions and the parsing. */
#ifndef LG_HEAPSNAP_H
#define LG_HEAPSNAP_H

#include <stddef.h>

#include "model.h"

typedef enum lg_heapsnap_mode_e {
  LG_HEAPSNAP_OFF = 0, /* never (the default of lg_run_opts_t) */
  LG_HEAPSNAP_AUTO,    /* JS runs judged LEAK with heapUsed flagged */
  LG_HEAPSNAP_LEAK     /* every JS run judged LEAK, whatever grew (native
                          memory is often held by JS objects) */
} lg_heapsnap_mode_t;

/* Iterations between the two snapshots, at most and at least (a shorter
 * judged window gets no attribution). */
#define LG_HEAPSNAP_SPAN 200
#define LG_HEAPSNAP_MIN_SPAN 10
/* Name of the re-run's directory inside the run directory. */
#define LG_HEAPSNAP_DIR "heapsnap"
/* Bounds on heapdiff's output as read: bytes of JSON, growers kept, hops of
 * a retainer path kept, bytes of any one string kept. */
#define LG_HEAPDIFF_MAX_OUTPUT ((size_t)1 << 20)
#define LG_HEAPATTR_MAX_GROWERS 10
#define LG_HEAPATTR_MAX_HOPS 8
#define LG_HEAPATTR_MAX_STR 160
/* Growers and retainer hops named in the evidence line. */
#define LG_HEAPATTR_LINE_GROWERS 3
#define LG_HEAPATTR_LINE_HOPS 5

/* "off", "auto" or "leak": 0 and *mode set, else -1 and *mode unchanged. */
int lg_heapsnap_mode_parse(const char *s, lg_heapsnap_mode_t *mode);

/* True when `run` (analysed, expectation applied) gets an attribution in
 * this mode: a JS run that detected LEAK, completed (end record, not killed)
 * and had its slopes judged; in LG_HEAPSNAP_AUTO also heapUsed flagged. */
int lg_heapsnap_wanted(lg_heapsnap_mode_t mode, const lg_run_t *run);

/* The snapshot iterations: *a the first judged sample (iterate phase, at or
 * after the warm-up), *b = min(*a + LG_HEAPSNAP_SPAN, run->iterations).
 * Returns 0, or -1 when the run has no such sample or *b - *a <
 * LG_HEAPSNAP_MIN_SPAN. */
int lg_heapsnap_window(const lg_run_t *run, long long *a, long long *b);

/* The path probe.js writes the snapshot after iteration i to:
 * "<dir>/heap-<i>.heapsnapshot". Caller frees. */
char *lg_heapsnap_file(const char *dir, long long i);

/* Why the snapshot after iteration i is missing, from the re-run's probe
 * stream (its "heapsnap" record's "skipped", read from at most the first
 * and last MiB): a string the caller frees, or NULL when the stream does not
 * say. */
char *lg_heapsnap_skip_reason(const char *probe_path, long long i);

/* Parses heapdiff.js's output (`len` bytes, untrusted: types checked,
 * strings cut to LG_HEAPATTR_MAX_STR bytes at a character boundary with
 * control characters replaced, at most LG_HEAPATTR_MAX_GROWERS growers of
 * at most LG_HEAPATTR_MAX_HOPS hops) into h->growers, sorted by size,
 * largest first (h's other fields are left alone; growers h held before
 * are freed and replaced, and h owns the new ones). Returns 0, or -1 with
 * *err (caller frees) and h->growers untouched: nothing stays allocated. */
int lg_heapattr_parse(const char *text, size_t len, lg_heapattr_t *h,
                      char **err);

/* The evidence line, e.g. "JS heap over iterations 2000..2200: +1
 * Subscription (+64 B), +1 closure (forgotten-unsubscribe.js:16) (+56 B)
 * per iteration; retained by Context.store -> Store._active -> ... ->
 * Subscription", or "JS heap attribution: <note>" when it found nothing.
 * Caller frees; never NULL. */
char *lg_heapattr_line(const lg_heapattr_t *h);

/* A grower's display name: "Subscription", "closure (file.js:16)",
 * "closure onEvent (file.js:16)". Caller frees. */
char *lg_grower_label(const lg_grower_t *g);

/* A retainer path joined with " -> ", its last `max_hops` hops (0: all),
 * "... -> " first when cut; "" when it has none. Caller frees. */
char *lg_grower_path(const lg_grower_t *g, size_t max_hops);

/* Bytes as "64 B", "1.5 KiB", "12.0 MiB" (signed with sign != 0). Caller
 * frees. */
char *lg_heapsnap_bytes(double v, int sign);

#endif
