/* Reader for the probe protocol (JSON Lines written by probe.js / probe.c,
 * see docs/probe-protocol.md). Tolerates anything: a truncated last line is
 * ignored, the first malformed record stops reading and is described in
 * protocol_error; the reader itself never fails on content. */
#ifndef LG_PROBE_READ_H
#define LG_PROBE_READ_H

#include "model.h"

typedef struct lg_probe_info_s {
  int has_meta, has_end;
  long long meta_iterations, meta_sample_every, meta_pid;
  char *meta_lang;
  char *end_status;     /* "ok" or "error"; NULL when the end record has none */
  char *scenario_error; /* message of an error record, with phase and i */
  char *protocol_error; /* first malformed record, with its line number */
  int truncated;        /* last line had no newline (process died mid-write) */
  long long last_i;     /* highest iteration seen in a sample or phase */
  char *last_phase;
  size_t records;
  double iterate_ms, sample_ms; /* from the end record; NaN if absent */
  long long end_i;              /* "i" of the end record; -1 if absent */
  int end_stopped;     /* the end record says "stopped": true (an early stop) */
  size_t ignored_keys; /* sample keys dropped: beyond LG_PROBE_MAX_METRICS */
  char *ignored_first; /* the first such key, for the evidence */
} lg_probe_info_t;

/* Distinct metric keys kept per run; later new keys are ignored (counted in
 * ignored_keys). Probes send about 10 and scenarios a few more: the cap
 * keeps the reader linear in the stream and results.json bounded when a
 * sample carries thousands of keys (the case that showed it:
 * reports/bench/design-measurements.md). */
#define LG_PROBE_MAX_METRICS 64

/* The largest probe stream read: far above what a legitimate run writes
 * (reports/bench/design-measurements.md), so only a runaway scenario hits
 * it. */
#define LG_PROBE_MAX_BYTES ((size_t)256 << 20)

/* Reads path (a regular file of at most LG_PROBE_MAX_BYTES, not followed
 * through a final link); appends samples to run (when run is non-NULL) as
 * copies the run owns. info must be zeroed by the caller; its strings are
 * owned by it and released with lg_probe_info_free, on success and on
 * failure alike. Returns 0, or -1 when the file cannot be read: run is then
 * untouched and info->protocol_error says why (unless it already held a
 * message, which is kept). Content never fails: see lg_probe_parse. Linear
 * in the stream's size. Not thread-safe on the same run/info. */
int lg_probe_read(const char *path, lg_run_t *run, lg_probe_info_t *info);
/* Same, from a buffer (borrowed; need not be NUL-terminated). Records
 * before the first malformed one are kept in run and info. */
void lg_probe_parse(const char *data, size_t len, lg_run_t *run,
                    lg_probe_info_t *info);
/* Frees info's strings and zeroes it. */
void lg_probe_info_free(lg_probe_info_t *info);

#endif
