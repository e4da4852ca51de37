/* Reader for the probe protocol (JSON Lines written by probe.js / probe.c,
 * see harness/README.md). Tolerates anything: a truncated last line is
 * ignored, the first malformed record stops reading and is described in
 * protocol_error; the reader itself never fails on content. */
#ifndef LG_PROBE_READ_H
#define LG_PROBE_READ_H

#include "model.h"

typedef struct lg_probe_info_s {
  int has_meta, has_end;
  long long meta_iterations, meta_sample_every, meta_pid;
  char *meta_lang;
  char *end_status;     /* "ok" or "error" */
  char *scenario_error; /* message of an error record, with phase and i */
  char *protocol_error; /* first malformed record, with its line number */
  int truncated;        /* last line had no newline (process died mid-write) */
  long long last_i;     /* highest iteration seen in a sample or phase */
  char *last_phase;
  size_t records;
  double iterate_ms, sample_ms; /* from the end record; NaN if absent */
} lg_probe_info_t;

/* Reads path; appends samples to run (when run is non-NULL). Returns 0, or -1
 * when the file cannot be opened (info->protocol_error says so). */
int lg_probe_read(const char *path, lg_run_t *run, lg_probe_info_t *info);
/* Same, from a buffer. */
void lg_probe_parse(const char *data, size_t len, lg_run_t *run,
                    lg_probe_info_t *info);
void lg_probe_info_free(lg_probe_info_t *info);

#endif
