/* Suppression files: parsing, the our-code check, path discovery. */
#include "supp.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void lg_entry_add(lg_supp_file_t *f, lg_supp_entry_t *e) {
  f->v = lg_xrealloc(f->v, (f->n + 1) * sizeof *f->v);
  f->v[f->n++] = *e;
  memset(e, 0, sizeof *e);
}

static void lg_entry_free(lg_supp_entry_t *e) {
  free(e->name);
  lg_strv_free(e->frames, e->nframes);
}

static void lg_frame_add(lg_supp_entry_t *e, const char *pattern) {
  e->frames = lg_xrealloc(e->frames, (e->nframes + 1) * sizeof *e->frames);
  e->frames[e->nframes++] = lg_xstrdup(pattern);
}

char *lg_supp_load(const char *path, lg_supp_file_t *out) {
  memset(out, 0, sizeof *out);
  out->path = lg_xstrdup(path);
  char *data = lg_read_file(path, NULL);
  if (!data)
    return lg_fmt("cannot read suppression file %s", path);
  lg_supp_entry_t e = {0};
  int in_block = 0, line_no = 0, header = 0;
  char *err = NULL;
  for (char *line = data, *next; line && !err; line = next) {
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    line_no++;
    char *t = lg_trim(line, strlen(line));
    if (*t == '\0' || *t == '#') {
      free(t);
      continue;
    }
    if (!in_block && strcmp(t, "{") == 0) {
      in_block = 1;
      header = 0;
    } else if (in_block && strcmp(t, "}") == 0) {
      if (!e.name)
        err = lg_fmt("%s:%d: suppression without a name", path, line_no);
      else
        lg_entry_add(out, &e);
      in_block = 0;
    } else if (in_block) {
      if (header == 0) {
        e.name = lg_xstrdup(t); /* the entry's name */
        header = 1;
      } else if (header == 1) {
        header = 2; /* the tool:kind line */
      } else if (strncmp(t, "fun:", 4) == 0 || strncmp(t, "obj:", 4) == 0 ||
                 strncmp(t, "src:", 4) == 0) {
        lg_frame_add(&e, t);
      } /* "...", match-leak-kinds: and the like constrain nothing of ours */
    } else if (strchr(t, ':')) {
      e.lsan = 1;
      e.name = lg_xstrdup(t);
      lg_frame_add(&e, strchr(t, ':') + 1);
      lg_entry_add(out, &e);
    } else {
      err = lg_fmt("%s:%d: neither a valgrind block nor an LSan type:pattern "
                   "line: '%s'",
                   path, line_no, t);
    }
    free(t);
  }
  if (!err && in_block)
    err = lg_fmt("%s: unterminated suppression block", path);
  lg_entry_free(&e);
  free(data);
  return err;
}

void lg_supp_free(lg_supp_file_t *f) {
  for (size_t i = 0; i < f->n; i++)
    lg_entry_free(&f->v[i]);
  free(f->v);
  free(f->path);
  memset(f, 0, sizeof *f);
}

/* Example identifiers of ours for the patterns to be tried against: each
 * "ours" substring as part of a path, and each function glob with its
 * wildcards filled in. */
static char **lg_samples(char *const *ours, size_t nours, char *const *funcs,
                         size_t nfuncs, size_t *n) {
  char **v = lg_xcalloc(nours + nfuncs, sizeof *v);
  *n = 0;
  for (size_t i = 0; i < nours; i++)
    v[(*n)++] = lg_fmt("/x%s%s", ours[i][0] == '/' ? "" : "/", ours[i]);
  for (size_t i = 0; i < nfuncs; i++) {
    lg_buf_t b = {0};
    for (const char *p = funcs[i]; *p; p++) {
      if (*p == '*')
        lg_buf_add(&b, "x");
      else if (*p != '?' && *p != '[')
        lg_buf_addn(&b, p, 1);
    }
    v[(*n)++] = lg_buf_take(&b);
  }
  return v;
}

char *lg_supp_check_ours(const lg_supp_file_t *f, char *const *ours,
                         size_t nours, char *const *funcs, size_t nfuncs) {
  size_t ns;
  char **samples = lg_samples(ours, nours, funcs, nfuncs, &ns);
  char *err = NULL;
  for (size_t i = 0; i < f->n && !err; i++) {
    const lg_supp_entry_t *e = &f->v[i];
    for (size_t k = 0; k < e->nframes && !err; k++) {
      char *pat;
      if (e->lsan) {
        /* LSan: a substring match anywhere in a function, module or file
         * name, unless anchored with ^ or $. */
        const char *p = e->frames[k];
        size_t len = strlen(p);
        int head = p[0] == '^', tail = len && p[len - 1] == '$';
        pat = lg_fmt("%s%.*s%s", head ? "" : "*", (int)(len - head - tail),
                     p + head, tail ? "" : "*");
      } else {
        pat = lg_xstrdup(e->frames[k] + 4); /* after fun:/obj:/src: */
      }
      const char *hit = NULL;
      for (size_t s = 0; s < ns && !hit; s++)
        if (fnmatch(pat, samples[s], 0) == 0)
          hit = samples[s];
      /* The other direction: what the pattern names literally (wildcards
       * dropped) may itself be one of our names ("evs_store" is matched by
       * the glob "evs_*"). */
      lg_buf_t lit = {0};
      for (const char *p = pat; *p; p++)
        if (!strchr("*?[]^$", *p))
          lg_buf_addn(&lit, p, 1);
      for (size_t g = 0; g < nfuncs && !hit && lit.len; g++)
        if (fnmatch(funcs[g], lit.s, 0) == 0)
          hit = funcs[g];
      if (hit)
        err = lg_fmt("%s: suppression '%s' (%s) would match our own code "
                     "('%s'): it could hide our leaks; make it narrower",
                     f->path, e->name, e->frames[k], hit);
      lg_buf_free(&lit);
      free(pat);
    }
  }
  lg_strv_free(samples, ns);
  return err;
}

/* Separators of sanitizer flag strings (sanitizer_common's flag parser:
 * whitespace, ',' and ':'). */
static int lg_flag_sep(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == ',' ||
         ch == ':';
}

void lg_supp_paths(const char *s, char ***paths, size_t *n) {
  const char *p = s;
  while (*p) {
    while (*p && lg_flag_sep(*p))
      p++;
    if (!*p)
      break;
    /* One token: valgrind's --suppressions=PATH runs to whitespace (a path
     * may hold ':'); a sanitizer flag name=value to a separator, or to the
     * closing quote of a quoted value. Only a token that *is* the flag
     * counts: print_suppressions=1 names no file. */
    int vg = strncmp(p, "--suppressions=", 15) == 0;
    int san = !vg && strncmp(p, "suppressions=", 13) == 0;
    const char *v = p, *e;
    while (*v && !lg_flag_sep(*v) && *v != '=')
      v++;
    if (*v == '=')
      v++;
    if (vg) {
      e = v + strcspn(v, " \t\n\r");
    } else if (*v == '"' || *v == '\'') {
      const char *q = strchr(v + 1, *v);
      e = q ? q : v + strlen(v);
      v++;
    } else {
      e = v;
      while (*e && !lg_flag_sep(*e))
        e++;
    }
    if ((vg || san) && e > v) {
      *paths = lg_xrealloc(*paths, (*n + 1) * sizeof **paths);
      (*paths)[(*n)++] = lg_fmt("%.*s", (int)(e - v), v);
    }
    p = *e && (*e == '"' || *e == '\'') ? e + 1 : e;
  }
}
