/* leakgate's command line, private to the CLI (main.c and the cmd_*.c
 * files): the global options every command sees, the command functions the
 * table in main.c dispatches to, and the helpers several commands share.
 * Every function here runs on the main thread and prints its own errors to
 * stderr as "leakgate: MESSAGE". Exit codes: LG_EXIT_* (util.h). */
#ifndef LG_CLI_H
#define LG_CLI_H

#include <getopt.h>

#include "manifest.h"
#include "model.h"

/* The global options, parsed before the command. */
typedef struct lg_global_s {
  char *root;           /* {root}: absolute, owned by main; NULL if not found */
  const char *manifest; /* --manifest FILE, borrowed from argv; or NULL */
} lg_global_t;

/* A command: argv[0] is the command's name, argv[1..argc) its arguments
 * (borrowed from main's argv). Returns the process exit code. */
typedef int (*lg_command_fn)(const lg_global_t *g, int argc, char **argv);

int lg_cmd_list(const lg_global_t *g, int argc, char **argv);
int lg_cmd_run(const lg_global_t *g, int argc, char **argv);
int lg_cmd_selftest(const lg_global_t *g, int argc, char **argv);
int lg_cmd_report(const lg_global_t *g, int argc, char **argv);
int lg_cmd_gate(const lg_global_t *g, int argc, char **argv);
int lg_cmd_baseline(const lg_global_t *g, int argc, char **argv);
int lg_cmd_merge(const lg_global_t *g, int argc, char **argv);
int lg_cmd_init(const lg_global_t *g, int argc, char **argv);

/* Prints "leakgate: " fmt (with its one %s taking arg) and a newline to
 * stderr; returns code. */
int lg_die(int code, const char *fmt, const char *arg);

/* Prints "leakgate: " msg and a newline to stderr, frees msg (taken) and
 * returns code. */
int lg_die_err(int code, char *msg);

/* What lg_cli_getopt returns besides an option's val and -1 (the end). */
#define LG_OPT_ARG 1   /* a positional argument: *elem */
#define LG_OPT_BAD '?' /* *elem is an unknown option, or lacks its value */

/* getopt_long for commands whose options must be spelled out in full, in
 * the order of the command line: the next element of argv is a positional
 * argument (LG_OPT_ARG), or an option of `opts` written exactly "--name"
 * (its value, if it takes one, in the next element, whatever it starts
 * with), or "-h" when opts has an entry whose val is 'h'. Anything else
 * starting with '-' ("-", "--", "--out=X", "--ou", "-hx", a missing value)
 * is LG_OPT_BAD. *elem is the element read, borrowed from argv; optarg is
 * set as by getopt_long. Set optind = 0 before the first call (this resets
 * getopt's state); stop at LG_OPT_BAD. Not reentrant: getopt's globals. */
int lg_cli_getopt(int argc, char **argv, const struct option *opts,
                  const char **elem);

/* Appends s (borrowed) to the array *v of *n strings, growing it; *v is
 * the caller's to free (not the strings). Aborts when out of memory
 * (lg_xrealloc). */
void lg_argv_push(char ***v, size_t *n, char *s);

/* Loads the manifest: --manifest FILE, else {root}/scenarios/manifest.json.
 * Returns 0 with *m filled (the caller frees it with lg_manifest_free), or
 * prints the problem and returns LG_EXIT_USAGE with nothing to free. */
int lg_load_manifest(const lg_global_t *g, lg_manifest_t *m);

/* Loads DIR/results.json into *r. Returns 0 (the caller frees *r with
 * lg_results_free), or prints the problem and returns LG_EXIT_USAGE with
 * *r empty. */
int lg_load_dir(const char *dir, lg_results_t *r);

/* Gates r against the baseline file (lg_gate_apply). Returns 0, or prints
 * the problem and returns LG_EXIT_USAGE (r is then still the caller's to
 * free). */
int lg_apply_gate(lg_results_t *r, const char *baseline);

#endif
