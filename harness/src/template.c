/* Template expansion (see template.h): the {token} syntax of manifest
 * strings, resolved against a run's paths, the environment, leakgate's own
 * files and, for {gcc-file:NAME} / {clang-file:NAME}, the compiler (popen). */
#include "template.h"

#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

const char *lg_leakgate_dir(void) {
  static char *dir;
  static int done;
  if (done)
    return dir;
  done = 1;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0)
    return NULL;
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (!slash)
    return NULL;
  *slash = '\0';
  /* <prefix>/bin/leakgate -> <prefix>/lib/leakgate (installed, and
   * build/<preset>/harness/leakgate -> build/<preset>/lib/leakgate, staged
   * by CMake); a harness configured on its own has it beside the binary. */
  static const char *const rel[] = {"../lib/leakgate", "lib/leakgate"};
  for (size_t i = 0; i < 2 && !dir; i++) {
    char *d = lg_path_join(exe, rel[i]);
    char *probe = lg_path_join(d, "probe.js");
    if (lg_is_file(probe))
      dir = lg_realpath(d);
    free(probe);
    free(d);
  }
  return dir;
}

static char *lg_runtime_file(const char *cc, const char *name, char **err) {
  static struct { char *key, *value; } cache[16];
  static size_t ncache;
  char *key = lg_fmt("%s:%s", cc, name);
  for (size_t i = 0; i < ncache; i++)
    if (strcmp(cache[i].key, key) == 0) {
      free(key);
      return lg_xstrdup(cache[i].value);
    }
  for (const char *p = name; *p; p++)
    if (!isalnum((unsigned char)*p) && !strchr("._-+", *p)) {
      *err = lg_fmt("invalid runtime library name '%s'", name);
      free(key);
      return NULL;
    }
  char *cmd = lg_fmt("%s -print-file-name=%s 2>/dev/null", cc, name);
  FILE *p = popen(cmd, "r");
  free(cmd);
  char line[4096] = "";
  if (p) {
    if (!fgets(line, sizeof line, p))
      line[0] = '\0';
    pclose(p);
  }
  line[strcspn(line, "\n")] = '\0';
  char *real = line[0] == '/' ? lg_realpath(line) : NULL;
  if (!real) {
    *err = lg_fmt("%s runtime '%s' not found (%s -print-file-name=%s)", cc,
                  name, cc, name);
    free(key);
    return NULL;
  }
  if (ncache < sizeof cache / sizeof cache[0]) {
    cache[ncache].key = key;
    cache[ncache].value = lg_xstrdup(real);
    ncache++;
  } else {
    free(key);
  }
  return real;
}

/* The path tokens: the member of lg_expand_t each one reads (NULL: ""). */
typedef struct lg_path_token_s {
  const char *name;
  size_t off;
} lg_path_token_t;

static const lg_path_token_t lg_path_tokens[] = {
    {"root", offsetof(lg_expand_t, root)},
    {"build", offsetof(lg_expand_t, build)},
    {"run_dir", offsetof(lg_expand_t, run_dir)},
    {"out", offsetof(lg_expand_t, out)},
    {"scenario", offsetof(lg_expand_t, scenario)},
    {"variant", offsetof(lg_expand_t, variant)},
    {"manifest_dir", offsetof(lg_expand_t, manifest_dir)},
};

static const lg_path_token_t *lg_path_token(const char *tok) {
  for (size_t i = 0; i < sizeof lg_path_tokens / sizeof *lg_path_tokens; i++)
    if (strcmp(tok, lg_path_tokens[i].name) == 0)
      return &lg_path_tokens[i];
  return NULL;
}

static char *lg_expand_impl(const char *t, const lg_expand_t *ctx,
                            unsigned flags, char **err) {
  lg_buf_t b = {0};
  for (const char *p = t; *p;) {
    if (p[0] == '{' && p[1] == '{') {
      lg_buf_addc(&b, '{');
      p += 2;
      continue;
    }
    if (p[0] == '}' && p[1] == '}') {
      lg_buf_addc(&b, '}');
      p += 2;
      continue;
    }
    if (*p != '{') {
      lg_buf_addc(&b, *p++);
      continue;
    }
    const char *end = strchr(p, '}');
    if (!end) {
      *err = lg_fmt("unterminated '{' in \"%s\"", t);
      goto fail;
    }
    char *tok = lg_xstrndup(p + 1, (size_t)(end - p - 1));
    const char *val = NULL;
    char *owned = NULL;
    int known = 1;
    const lg_path_token_t *pt = lg_path_token(tok);
    if (pt)
      val = ctx ? *(const char *const *)((const char *)ctx + pt->off) : "";
    else if (strcmp(tok, "leakgate") == 0) {
      val = lg_leakgate_dir();
      if (!val) {
        *err = lg_xstrdup("{leakgate}: leakgate's own files were not found "
                          "(probe.js in lib/leakgate beside or above the "
                          "leakgate binary; is it installed?)");
        free(tok);
        goto fail;
      }
    } else if (strncmp(tok, "env:", 4) == 0) {
      /* An unset variable is an error, never an empty path: "{env:X}/lib"
       * would silently become "/lib". Checked at load as well (ctx NULL),
       * so the manifest is refused with exit 2 before anything runs. */
      val = tok[4] ? getenv(tok + 4) : NULL;
      if (!val) {
        *err = tok[4] ? lg_fmt("{%s}: the environment variable %s is not "
                               "set",
                               tok, tok + 4)
                      : lg_xstrdup("{env:} names no variable");
        free(tok);
        goto fail;
      }
      if (!ctx)
        val = "";
    } else if (strncmp(tok, "gcc-file:", 9) == 0 ||
               strncmp(tok, "clang-file:", 11) == 0) {
      int gcc = tok[0] == 'g';
      if (ctx && (flags & LG_EXPAND_NO_EXEC)) {
        /* Resolving runs the compiler (popen): refused when sandboxed. */
        *err =
            lg_fmt("{%s} not resolved: commands are not run in this load", tok);
        free(tok);
        goto fail;
      }
      if (ctx) {
        owned =
            lg_runtime_file(gcc ? "gcc" : "clang", tok + (gcc ? 9 : 11), err);
        if (!owned) {
          free(tok);
          goto fail;
        }
      }
      val = owned ? owned : "";
    } else
      known = 0;
    if (!known) {
      *err = lg_fmt(
          "unknown token {%s} (known: root build run_dir out "
          "scenario variant manifest_dir leakgate env:NAME gcc-file:NAME "
          "clang-file:NAME)",
          tok);
      free(tok);
      goto fail;
    }
    lg_buf_add(&b, val ? val : "");
    free(owned);
    free(tok);
    p = end + 1;
  }
  return lg_buf_take(&b);
fail:
  lg_buf_free(&b);
  return NULL;
}

char *lg_expand(const char *tmpl, const lg_expand_t *ctx, char **err) {
  return lg_expand_ex(tmpl, ctx, 0, err);
}

char *lg_expand_ex(const char *tmpl, const lg_expand_t *ctx, unsigned flags,
                   char **err) {
  *err = NULL;
  return lg_expand_impl(tmpl, ctx, flags, err);
}

char *lg_template_check(const char *tmpl) {
  char *err = NULL;
  char *s = lg_expand_impl(tmpl, NULL, 0, &err);
  free(s);
  return err;
}
