/* leakgate: the command-line entry point. Parses the global options, finds
 * the repository root and dispatches to the command named in lg_commands
 * (the command bodies: cmd_results.c, cmd_run.c). Exit codes: 0 pass, 1 a
 * verdict failed, 2 usage or configuration error, 3 infrastructure error. */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "model.h"
#include "util.h"

/* A command: its name, its function, and its line in the usage text. */
typedef struct lg_command_s {
  const char *name;
  lg_command_fn fn;
  const char *synopsis; /* "name ARGS", the usage text's first column */
  const char *summary;
} lg_command_t;

static const lg_command_t lg_commands[] = {
    {"list", lg_cmd_list, "list", "scenarios x variants known to the manifest"},
    {"run", lg_cmd_run, "run [options]",
     "run scenarios, analyse, write reports"},
    {"report", lg_cmd_report, "report DIR [--out DIR]",
     "re-render reports from DIR/results.json"},
    {"gate", lg_cmd_gate, "gate --baseline FILE DIR",
     "compare DIR/results.json with a baseline"},
    {"baseline", lg_cmd_baseline, "baseline DIR --out FILE",
     "write the slim baseline of DIR/results.json"},
    {"merge", lg_cmd_merge, "merge DIR... --out DIR",
     "merge shard results into one"},
    {"selftest", lg_cmd_selftest, "selftest [options]",
     "planted-defect detection matrix"},
    {"init", lg_cmd_init, "init ADDON [--dir DIR]",
     "a manifest and scenarios for any addon"},
};

#define LG_NCOMMANDS (sizeof lg_commands / sizeof lg_commands[0])

static void lg_print_usage(FILE *f) {
  fputs("usage: leakgate [--root DIR] [--manifest FILE] COMMAND [options]\n"
        "\n"
        "commands:\n",
        f);
  for (size_t i = 0; i < LG_NCOMMANDS; i++)
    fprintf(f, "  %-28s%s\n", lg_commands[i].synopsis, lg_commands[i].summary);
  fputs("\n"
        "Run 'leakgate COMMAND --help' for the options of a command.\n"
        "exit codes: 0 pass, 1 a verdict failed, 2 usage or configuration "
        "error,\n"
        "            3 infrastructure error (missing build or program, spawn "
        "failure)\n",
        f);
}

/* The root ({root}, reports/latest's parent): --root, else LEAKGATE_ROOT,
 * else with --manifest the manifest's directory (the user's tree: never
 * leakgate's own checkout), else upwards from the binary
 * (build/<preset>/harness/leakgate) to the directory holding
 * harness/probe/probe.js, leakgate's checkout, whose manifest is the
 * default. Returns a new string the caller frees, or NULL. */
static char *lg_find_root(const char *opt, const char *manifest) {
  const char *env = getenv("LEAKGATE_ROOT");
  if (opt)
    return lg_realpath(opt);
  if (env && *env)
    return lg_realpath(env);
  if (manifest) {
    char *copy = lg_xstrdup(manifest);
    char *dir = lg_realpath(dirname(copy));
    free(copy);
    return dir;
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0)
    return NULL;
  exe[n] = '\0';
  char *dir = lg_xstrdup(exe);
  for (int depth = 0; depth < 8; depth++) {
    char *parent = lg_xstrdup(dirname(dir));
    free(dir);
    dir = parent;
    char *probe = lg_path_join(dir, "harness/probe/probe.js");
    int found = lg_is_file(probe);
    free(probe);
    if (found)
      return dir;
    if (strcmp(dir, "/") == 0)
      break;
  }
  free(dir);
  return NULL;
}

enum { OPT_ROOT = 256, OPT_MANIFEST, OPT_VERSION };

int main(int argc, char **argv) {
  static const struct option opts[] = {
      {"root", required_argument, NULL, OPT_ROOT},
      {"manifest", required_argument, NULL, OPT_MANIFEST},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, OPT_VERSION},
      {NULL, 0, NULL, 0}};
  lg_global_t g = {NULL, NULL};
  const char *root_opt = NULL, *el;
  int c;
  optind = 0;
  while ((c = lg_cli_getopt(argc, argv, opts, &el)) != LG_OPT_ARG) {
    switch (c) {
    case OPT_ROOT:
      root_opt = optarg;
      break;
    case OPT_MANIFEST:
      g.manifest = optarg;
      break;
    case 'h':
      lg_print_usage(stdout);
      return 0;
    case OPT_VERSION:
      printf("leakgate %s (results schema %d)\n", LG_TOOL_VERSION,
             LG_SCHEMA_VERSION);
      return 0;
    case -1:
      lg_print_usage(stderr);
      return LG_EXIT_USAGE;
    default:
      fprintf(stderr, "leakgate: unknown option '%s'\n", el);
      lg_print_usage(stderr);
      return LG_EXIT_USAGE;
    }
  }
  int i = optind - 1; /* the command */
  g.root = lg_find_root(root_opt, g.manifest);
  if (root_opt && !g.root) {
    fprintf(stderr, "leakgate: --root %s: no such directory\n", root_opt);
    return LG_EXIT_USAGE;
  }
  const lg_command_t *cmd = NULL;
  for (size_t k = 0; k < LG_NCOMMANDS && !cmd; k++)
    if (strcmp(argv[i], lg_commands[k].name) == 0)
      cmd = &lg_commands[k];
  int rc;
  if (cmd) {
    rc = cmd->fn(&g, argc - i, argv + i);
  } else {
    fprintf(stderr, "leakgate: unknown command '%s'\n", argv[i]);
    lg_print_usage(stderr);
    rc = LG_EXIT_USAGE;
  }
  free(g.root);
  return rc;
}
