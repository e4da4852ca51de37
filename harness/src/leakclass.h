/* Finding identity and leak classification.
 *
 * Identity: a finding's key names what the gate compares across runs and
 * machines: detector, kind and the site of its first frame of ours, as
 * "function path:line" with the path relative to the repository root (or
 * its last component when the file lies outside the root), or "function
 * (module)" with the module's last path component when there is no source
 * line (a .so/.node without debug info). Install paths never enter a key.
 *
 * Classification: LeakSanitizer and valgrind report leaks at exit. A leak
 * whose block count scales with the iterations (or whose bytes per iteration
 * exceed the run's mallocInUse slope threshold) is a growing leak
 * (LG_F_LEAK); a constant one (24 B in 1 block allocated once) is
 * LG_F_ONCE, which the manifest's "once" policy turns into a LEAK ("fail")
 * or a warning ("warn"). Records with the same key are judged together: an
 * allocation site that LSan splits into 21 stacks is one leak.
 *
 * All functions are pure over their arguments and thread-compatible. */
#ifndef LG_LEAKCLASS_H
#define LG_LEAKCLASS_H

#include "manifest.h"
#include "model.h"
#include "util.h"

/* A leak grows when its blocks reach LG_GROW_BLOCKS_PER_IT per iteration
 * executed (one block every 100 iterations) and at least
 * min(LG_GROW_MIN_BLOCKS_CAP, LG_GROW_MIN_SHARE x iterations), never fewer
 * than LG_GROW_MIN_BLOCKS; or when bytes / iterations exceed the byte
 * threshold. The share matters in short runs (a valgrind smoke of 12 or 30
 * iterations): a handful of blocks there may be one per object the process
 * made once (the fixed leveldown 6.1.1 leaks 2 blocks of 24 B, one bloom
 * filter per database opened, and 2 >= 1% of 30 made it "growing": LEAK),
 * while a leak on every fourth call or more often still leaves a quarter of
 * the iterations in blocks. */
#define LG_GROW_BLOCKS_PER_IT 0.01
#define LG_GROW_MIN_BLOCKS 2
#define LG_GROW_MIN_SHARE 0.25
#define LG_GROW_MIN_BLOCKS_CAP 10

/* The frame first_our_frame names (the first frame of ours whose label
 * matches it), or NULL. Borrowed from f. */
const lg_frame_t *lg_finding_frame(const lg_finding_t *f);

/* "fn path:line" / "fn (module)" for f's first frame of ours, paths made
 * root-relative as above (root may be NULL: last component only); falls
 * back to first_our_frame, then "?". The caller frees it. */
char *lg_finding_site(const lg_finding_t *f, const char *root);

/* "<detector> <kind> at <site>". The caller frees it. */
char *lg_finding_key(const lg_finding_t *f, const char *root);

/* A frame's file as the reports show it: a relative debug path cleaned as
 * in the finding keys ("./build/valgrind/../../core/src/a.c" is shown as
 * "core/src/a.c"), an absolute one as it is, NULL as "?". results.json keeps
 * the path as the detector printed it. The caller frees it. */
char *lg_path_shown(const char *file);

/* 1 when a leak of `bytes` in `blocks` over `iterations` iterations grows
 * with them (see above); bytes_per_it may be NaN (no byte criterion).
 * Unknown counts (< 0) or no iterations count as growing: without evidence
 * of a constant leak, it stays a LEAK. */
int lg_leak_grows(long long bytes, long long blocks, long long iterations,
                  double bytes_per_it);

/* The policy in force for a scenario (its own, else the manifest's). sc may
 * be NULL. */
lg_once_t lg_once_policy(const lg_manifest_t *m, const lg_scenario_t *sc);

/* The attributed leak findings of a run grouped by key (root as in
 * lg_finding_key): one group per allocation site, its bytes and blocks
 * summed (-1 when a record's are unknown), largest total first. Returns the
 * count; *out gets the groups and, when group_of is not NULL, *group_of
 * the group of each finding (SIZE_MAX for findings in none); the caller
 * frees both. */
typedef struct lg_leak_group_s {
  size_t first; /* index of the group's first record in run->findings */
  long long bytes, blocks;
  size_t records;
} lg_leak_group_t;
size_t lg_leak_groups(const lg_run_t *run, const char *root,
                      lg_leak_group_t **out, size_t **group_of);

/* The evidence text of a group (one per site, whatever the number of
 * records): as lg_finding_reason with the summed counts, plus ", N stacks"
 * when LSan split the site over N records. The caller frees it. */
char *lg_leak_group_reason(const lg_run_t *run, const lg_leak_group_t *g);

/* Reclassifies the attributed leak findings of a finished run: records are
 * grouped by key (m->root), their bytes and blocks summed, and a group that
 * does not grow over run->iterations_done becomes LG_F_ONCE. The byte
 * criterion is the run's mallocInUse slope threshold. Under the "warn"
 * policy each one-time leak is appended to `warnings` ("; leaked once
 * (warning): 24 B in 1 block at ..."), which may be NULL. Idempotent. */
void lg_leakclass_run(const lg_manifest_t *m, const lg_scenario_t *sc,
                      lg_run_t *run, lg_buf_t *warnings);

/* The verdict a one-time leak produces under the policy: LG_V_LEAK for
 * "fail", LG_V_PASS (listed only) for "warn". */
lg_verdict_t lg_once_verdict(const lg_manifest_t *m, const lg_scenario_t *sc);

/* The evidence text of an attributed finding: "lsan direct-leak (300 bytes
 * in 3 blocks) at fn file:line", or for LG_F_ONCE "lsan direct-leak: leaked
 * once, 24 B in 1 block at fn file:line". The caller frees it. */
char *lg_finding_reason(const lg_finding_t *f);

#endif
