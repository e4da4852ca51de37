/* Native heap growth by allocation site, in any build without a sanitizer:
 * reads the snapshots of liblgheap.so's sampled site table that the probe
 * takes at the first and the last sample of a run's judged window
 * (<sites>.at-<i>, lgheap.h "Allocation sites") and the process's memory map
 * (<sites>.maps), takes the growth of every site between the two, and names
 * the sites with elfutils' libdwfl: function and file:line where the module
 * has debug information, module+offset otherwise.
 *
 * The parsers take bytes from a file the scenario process wrote, so they
 * validate everything (fuzz/fuzz_sites.c). Nothing here is thread-safe on one
 * object; distinct objects may be used from distinct threads. */
#ifndef LG_SITES_H
#define LG_SITES_H

#include <stddef.h>
#include <stdint.h>

#include "lgheap.h"

/* One site of a snapshot: key 0 marks an empty slot. */
typedef struct lg_site_s {
  uint64_t key;
  uint64_t pc[LG_SITES_DEPTH];
  double bytes, blocks; /* estimated live bytes and blocks */
} lg_site_t;

typedef struct lg_sites_snap_s {
  uint32_t capacity;
  uint64_t mean, dropped, samples, pid;
  lg_site_t *site; /* capacity entries, slot for slot as in the table */
} lg_sites_snap_t;

/* Parses a copy of the site table (len bytes). Returns 0 and fills *out
 * (free with lg_sites_snap_free), or -1 with *err (caller frees) and *out
 * empty: wrong magic, version, geometry, or a file shorter than it says. */
int lg_sites_parse(const void *data, size_t len, lg_sites_snap_t *out,
                   char **err);
/* Frees the sites and leaves *s zeroed (also fine on a zeroed snapshot). */
void lg_sites_snap_free(lg_sites_snap_t *s);

/* One mapping of a file (anonymous and [special] mappings are skipped). */
typedef struct lg_map_s {
  uint64_t lo, hi, off;
  int exec; /* mapped executable */
  char *path;
} lg_map_t;

typedef struct lg_maps_s {
  lg_map_t *v;
  size_t n;
} lg_maps_t;

/* Parses /proc/<pid>/maps text (len bytes, need not be NUL-terminated).
 * Malformed lines are skipped; at most 65536 mappings are kept. Returns 0
 * and fills *out (free with lg_maps_free); -1 with *err (caller frees) and
 * *out empty, nothing allocated, when no line parsed. */
int lg_maps_parse(const char *text, size_t len, lg_maps_t *out, char **err);
/* Frees the mappings and leaves *m zeroed. */
void lg_maps_free(lg_maps_t *m);

/* The attribution of one run. */
typedef struct lg_sites_report_s {
  char *summary; /* one line for the evidence, e.g. "97% copy_arg
                    (textbuf.c:41) <- tb_copy (textbuf.c:60) (+1.0 KiB/it)" */
  char *table;   /* every site that grew, with all its frames (sites.txt) */
  long long i_first, i_last; /* the snapshots' iterations */
} lg_sites_report_t;

/* Attributes the growth recorded under `sites_path` (the .at-<i> snapshots
 * and .maps the probe wrote; lg_sites_explain runs this in a child process
 * bounded in time and memory). A site is named by its first two frames
 * after the allocator's (the allocating function and its caller): leading
 * frames in the C library, the C++ runtime, the preload or a sanitizer
 * runtime, or whose function matches one of the fnmatch patterns
 * skip[0..nskip) (the manifest's frame_skip: allocator wrappers), are
 * passed over. Sites named alike are summed (stacks that differ further up,
 * where the addon is called from, are one site). Returns 1 and
 * fills *rep (free with lg_sites_report_free); 0 when there is nothing to
 * attribute (no snapshots: the variant did not sample); -1 with *err
 * (caller frees) when the snapshots are unreadable or malformed. *rep is
 * zeroed first and filled only on 1, so it holds nothing to free on 0 or -1.
 * sites_path and skip are borrowed. */
int lg_sites_attribute(const char *sites_path, char *const *skip, size_t nskip,
                       lg_sites_report_t *rep, char **err);
/* Frees summary and table and leaves *r zeroed. */
void lg_sites_report_free(lg_sites_report_t *r);

/* Removes the live tables (<sites_path>.<pid>, one per process that
 * sampled), the snapshots (.at-<i>) and the map copy (.maps); no other
 * file. */
void lg_sites_remove(const char *sites_path);

struct lg_run_s;
/* After a run's analysis: when its verdict is LEAK with a native metric
 * flagged (mallocInUse, mallocBlocks, rss, liveBytes, liveBlocks and the
 * scenario's own malloc figures), returns the attribution for its evidence
 * (caller frees; a malformed snapshot is "allocation sites not read: ...",
 * never a verdict) and writes the whole table to <run_dir>/sites.txt (skip:
 * as lg_sites_attribute); NULL otherwise. Then removes the tables and their
 * copies (lg_sites_remove) whatever the verdict: they are megabytes per
 * run, and their text is in sites.txt. */
char *lg_sites_explain(const struct lg_run_s *run, const char *sites_path,
                       const char *run_dir, char *const *skip, size_t nskip);

#endif
