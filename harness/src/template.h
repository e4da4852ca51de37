/* Templates: the {token} strings of the manifest (paths, wrapper arguments,
 * environment values), checked when the manifest loads and expanded per
 * run. The only part of the manifest code that runs a command: resolving
 * {gcc-file:NAME} / {clang-file:NAME} asks the compiler through popen. */
#ifndef LG_TEMPLATE_H
#define LG_TEMPLATE_H

/* The values of the path tokens for one expansion, borrowed for the
 * duration of the call. A NULL member expands to "". */
typedef struct lg_expand_s {
  const char *root, *build, *run_dir, *out, *scenario, *variant;
  const char *manifest_dir; /* NULL reads as "" */
} lg_expand_t;

/* Expands {root} {build} {run_dir} {out} {scenario} {variant}
 * {manifest_dir} {leakgate} {env:NAME}
 * {gcc-file:NAME} {clang-file:NAME} ({{ and }} are literal braces). Returns
 * a new string the caller frees, or NULL with *err set (caller frees):
 * unknown token, an unset environment variable, runtime not found.
 * The {gcc-file:}/{clang-file:} results and lg_leakgate_dir are cached
 * per process without a lock: one thread at a time. ctx NULL: every token
 * expands to "" and no command runs, but {leakgate} and {env:NAME} must
 * still resolve (lg_template_check's mode). */
char *lg_expand(const char *tmpl, const lg_expand_t *ctx, char **err);
/* lg_expand_ex flag: {gcc-file:NAME} and {clang-file:NAME} fail ("not
 * resolved") instead of running the compiler through popen. */
#define LG_EXPAND_NO_EXEC 1u
/* lg_expand with LG_EXPAND_* flags (0: the same as it). */
char *lg_expand_ex(const char *tmpl, const lg_expand_t *ctx, unsigned flags,
                   char **err);
/* Check of a template without expanding it: syntax, known tokens, and that
 * every {env:NAME} is set. Runs nothing. NULL, or an error the caller
 * frees. */
char *lg_template_check(const char *tmpl);

/* The directory holding leakgate's own runtime files (probe.js,
 * liblgheap.so, presets.json, suppressions/): lib/leakgate above or beside
 * the running binary's directory (<prefix>/bin/leakgate ->
 * <prefix>/lib/leakgate when installed; build/<preset>/lib/leakgate, staged
 * by CMake, in a build tree). The {leakgate} token. Resolved once per
 * process; NULL when not found. Owned by the function, never freed. */
const char *lg_leakgate_dir(void);

#endif
