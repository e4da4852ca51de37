/* The generic half of manifest validation (manifest_schema.h): one reader
 * per key type, the walk of a JSON object against its level's table, the
 * unknown-key check, and the Markdown printer of the tables. Nothing here
 * knows a manifest key; manifest_schema.c has the tables. */
#include "manifest_schema.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int lg_merr(lg_mctx_t *c, const char *key, const char *expected) {
  if (!c->err)
    c->err = lg_fmt("%s: key '%s': expected %s", c->file, key, expected);
  return -1;
}

/* "path.key", or "key" at the top level (caller frees). */
static char *lg_mjoin(const char *path, const char *key) {
  return lg_fmt("%s%s%s", path, *path ? "." : "", key);
}

/* Edit distance between a and b, ASCII case folded (for "did you mean"). */
static size_t lg_edit_distance(const char *a, const char *b) {
  size_t n = strlen(b);
  size_t *row = lg_xmalloc((n + 1) * sizeof *row);
  for (size_t j = 0; j <= n; j++)
    row[j] = j;
  for (size_t i = 1; a[i - 1]; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= n; j++) {
      size_t up = row[j];
      int same =
          tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
      size_t best = diag + !same;
      if (up + 1 < best)
        best = up + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  size_t d = row[n];
  free(row);
  return d;
}

/* Whether key k is one a document may hold at this level. */
static int lg_mlisted(const lg_mkey_t *k) {
  return !(k->flags & LG_MK_PREPARED);
}

/* A misspelt key is an error, never silently ignored ("detector" for
 * "detectors" once turned every run into ERROR). The message names the
 * closest known key when it is within a third of the key's length (at least
 * 2 edits), else lists them all. */
int lg_mkeys(lg_mctx_t *c, json_t *o, const char *path, const lg_mlevel_t *lv) {
  const char *k;
  json_t *v;
  if (!json_is_object(o))
    return 0;
  json_object_foreach(o, k, v) {
    const lg_mkey_t *hit = NULL;
    for (size_t i = 0; i < lv->nkeys && !hit; i++)
      if (lg_mlisted(&lv->keys[i]) && strcmp(lv->keys[i].key, k) == 0)
        hit = &lv->keys[i];
    if (hit)
      continue;
    size_t best = 0, bestd = SIZE_MAX;
    for (size_t i = 0; i < lv->nkeys; i++) {
      size_t d = lg_mlisted(&lv->keys[i]) ? lg_edit_distance(k, lv->keys[i].key)
                                          : SIZE_MAX;
      if (d < bestd) {
        bestd = d;
        best = i;
      }
    }
    size_t len = strlen(k), limit = len / 3 > 2 ? len / 3 : 2;
    char *full = lg_mjoin(path, k);
    if (bestd <= limit) {
      if (!c->err)
        c->err = lg_fmt("%s: unknown key '%s': did you mean '%s'?", c->file,
                        full, lv->keys[best].key);
    } else {
      lg_buf_t b = {0};
      for (size_t i = 0; i < lv->nkeys; i++)
        if (lg_mlisted(&lv->keys[i]))
          lg_buf_addf(&b, "%s%s", b.len ? ", " : "", lv->keys[i].key);
      if (!c->err)
        c->err = lg_fmt("%s: unknown key '%s' (the keys known here: %s)",
                        c->file, full, b.s ? b.s : "none");
      lg_buf_free(&b);
    }
    free(full);
    return -1;
  }
  /* Then the objects nested at fixed keys (defaults, defaults.js, ...). */
  for (size_t i = 0; i < lv->nkeys; i++) {
    json_t *sub = json_object_get(o, lv->keys[i].key);
    if (lv->keys[i].type != LG_MT_OBJECT || !json_is_object(sub))
      continue;
    char *full = lg_mjoin(path, lv->keys[i].key);
    int rc = lg_mkeys(c, sub, full, lv->keys[i].sub);
    free(full);
    if (rc)
      return rc;
  }
  return 0;
}

int lg_mstring(lg_mctx_t *c, json_t *v, const char *full, char **out) {
  if (!json_is_string(v))
    return lg_merr(c, full, "a string");
  char *chk = lg_template_check(json_string_value(v));
  if (chk) {
    char *msg = lg_fmt("a valid template (%s)", chk);
    lg_merr(c, full, msg);
    free(msg);
    free(chk);
    return -1;
  }
  *out = lg_xstrdup(json_string_value(v));
  return 0;
}

/* The index of s in the NULL-terminated values, or -1. */
static int lg_mindex(const char *const *values, const char *s) {
  for (int i = 0; s && values[i]; i++)
    if (strcmp(values[i], s) == 0)
      return i;
  return -1;
}

/* Names become run directory components (<out>/runs/<variant>/<scenario>
 * [@fault]) that are emptied recursively: refuse anything that could climb
 * out or collide (see lg_name_problem). */
static int lg_mname(lg_mctx_t *c, const char *full, const char *name) {
  const char *bad = lg_name_problem(name);
  if (!bad)
    return 0;
  char *msg = lg_fmt("%s (got \"%.*s\"%s)", bad, 64, name,
                     strlen(name) > 64 ? "..." : "");
  lg_merr(c, full, msg);
  free(msg);
  return -1;
}

/* An element of an array or object of templates, at key: a string that is
 * a valid template. */
static int lg_melement(lg_mctx_t *c, json_t *e, const char *key) {
  char *chk = json_is_string(e) ? lg_template_check(json_string_value(e))
                                : lg_xstrdup("not a string");
  if (!chk)
    return 0;
  char *msg = lg_fmt("a string template (%s)", chk);
  lg_merr(c, key, msg);
  free(msg);
  free(chk);
  return -1;
}

int lg_mstrv(lg_mctx_t *c, json_t *v, const char *full, char ***out,
             size_t *n) {
  if (!json_is_array(v))
    return lg_merr(c, full, "an array of strings");
  lg_strv_free(*out, *n);
  *n = json_array_size(v);
  *out = lg_xcalloc(*n, sizeof **out);
  for (size_t i = 0; i < *n; i++) {
    json_t *e = json_array_get(v, i);
    char *k = lg_fmt("%s[%zu]", full, i);
    int rc = lg_melement(c, e, k);
    free(k);
    if (rc)
      return rc;
    (*out)[i] = lg_xstrdup(json_string_value(e));
  }
  return 0;
}

static int lg_mkv(lg_mctx_t *c, json_t *v, const char *full, lg_kv_t **out,
                  size_t *n) {
  if (!json_is_object(v))
    return lg_merr(c, full, "an object of string values");
  const char *k;
  json_t *e;
  *out = lg_xcalloc(json_object_size(v), sizeof **out);
  json_object_foreach(v, k, e) {
    char *kk = lg_fmt("%s.%s", full, k);
    int rc = lg_melement(c, e, kk);
    free(kk);
    if (rc)
      return rc;
    (*out)[*n].key = lg_xstrdup(k);
    (*out)[*n].value = lg_xstrdup(json_string_value(e));
    (*n)++;
  }
  return 0;
}

static int lg_mnumber(lg_mctx_t *c, const lg_mkey_t *k, json_t *v,
                      const char *full, double *out) {
  if (json_is_number(v) && json_number_value(v) >= k->min &&
      json_number_value(v) <= k->max) {
    *out = json_number_value(v);
    return 0;
  }
  char *msg = isinf(k->max) ? lg_fmt("a number >= %g", k->min)
                            : lg_fmt("a number from %g to %g", k->min, k->max);
  lg_merr(c, full, k->expect ? k->expect : msg);
  free(msg);
  return -1;
}

static int lg_minteger(lg_mctx_t *c, const lg_mkey_t *k, json_t *v,
                       const char *full, long long *out) {
  long long min = (long long)k->min, max = (long long)k->max;
  if (json_is_integer(v) && json_integer_value(v) >= min &&
      json_integer_value(v) <= max) {
    if (out)
      *out = json_integer_value(v);
    return 0;
  }
  char *msg = lg_fmt("an integer >= %lld and <= %lld", min, max);
  lg_merr(c, full, k->expect ? k->expect : msg);
  free(msg);
  return -1;
}

static int lg_marray(lg_mctx_t *c, const lg_mkey_t *k, json_t *v,
                     const char *full, void *base) {
  const lg_mlevel_t *sub = k->sub;
  if (!json_is_array(v) ||
      ((k->flags & LG_MK_NONEMPTY) && json_array_size(v) == 0))
    return lg_merr(c, full, k->expect);
  char **arr = (char **)((char *)base + k->off);
  size_t *count = (size_t *)((char *)base + k->count_off);
  *arr = lg_xcalloc(json_array_size(v), sub->size);
  for (size_t i = 0; i < json_array_size(v); i++) {
    json_t *e = json_array_get(v, i);
    json_t *use = sub->prepare && json_is_object(e) ? sub->prepare(c, e, i)
                                                    : json_incref(e);
    char *path = lg_fmt("%s[%zu]", full, i);
    *count = i + 1;
    int rc = !use ? -1
             : !json_is_object(use)
                 ? lg_merr(c, path, sub->expect)
                 : lg_mwalk(c, sub, use, path, i, *arr + i * sub->size);
    json_decref(use);
    free(path);
    if (rc)
      return rc;
  }
  return 0;
}

/* Reads key k of object o (at path) into base. */
static int lg_mread(lg_mctx_t *c, const lg_mkey_t *k, json_t *o,
                    const char *path, void *base) {
  json_t *v = json_object_get(o, k->key);
  char *full = lg_mjoin(path, k->key);
  void *p = k->off == LG_MNONE ? NULL : (char *)base + k->off;
  size_t *count = (size_t *)((char *)base + k->count_off);
  int rc = 0, stringy = k->type == LG_MT_STRING ||
                        (k->type == LG_MT_ENUM && !(k->flags & LG_MK_PLAIN));
  char *s = NULL;
  if (!v) {
    if (k->flags & LG_MK_REQUIRED)
      rc = lg_merr(c, full, stringy ? "a string (required)" : k->expect);
    else if (k->type == LG_MT_OBJECT)
      rc = lg_mwalk(c, k->sub, NULL, full, 0, base);
    free(full);
    return rc ? rc : k->then ? k->then(c, o, base) : 0;
  }
  switch (k->type) {
  case LG_MT_STRING:
    rc = lg_mstring(c, v, full, &s);
    if (!rc) {
      free(*(char **)p);
      *(char **)p = s;
    }
    if (!rc && k->values && lg_mindex(k->values, s) < 0)
      rc = lg_merr(c, full, k->expect);
    if (!rc && (k->flags & LG_MK_NAME))
      rc = lg_mname(c, full, s);
    break;
  case LG_MT_ENUM: {
    int i = -1;
    if (k->flags & LG_MK_PLAIN)
      i = lg_mindex(k->values, json_string_value(v));
    else if ((rc = lg_mstring(c, v, full, &s)) == 0)
      i = lg_mindex(k->values, s);
    free(s);
    if (!rc && i < 0)
      rc = lg_merr(c, full, k->expect);
    if (!rc)
      *(int *)p = (int)k->min + i;
    break;
  }
  case LG_MT_STRINGS:
    rc = lg_mstrv(c, v, full, (char ***)p, count);
    if (!rc && (k->flags & LG_MK_NONEMPTY) && *count == 0)
      rc = lg_merr(c, full, k->expect);
    for (size_t i = 0; !rc && k->values && i < *count; i++)
      if (lg_mindex(k->values, (*(char ***)p)[i]) < 0)
        rc = lg_merr(c, full, k->expect);
    break;
  case LG_MT_ENV:
    rc = lg_mkv(c, v, full, (lg_kv_t **)p, count);
    break;
  case LG_MT_INT:
    rc = lg_minteger(c, k, v, full, (long long *)p);
    break;
  case LG_MT_NUMBER:
    rc = lg_mnumber(c, k, v, full, (double *)p);
    break;
  case LG_MT_BOOL:
    if (!json_is_boolean(v))
      rc = lg_merr(c, full, "true or false");
    else
      *(int *)p = json_is_true(v);
    break;
  case LG_MT_OBJECT:
    rc = json_is_object(v) ? lg_mwalk(c, k->sub, v, full, 0, base)
                           : lg_merr(c, k->errkey ? k->errkey : full,
                                     k->expect ? k->expect : "an object");
    break;
  case LG_MT_ARRAY:
    rc = lg_marray(c, k, v, full, base);
    break;
  case LG_MT_CUSTOM:
    rc = k->read(c, k, v, full, base);
    break;
  }
  free(full);
  return rc ? rc : k->then ? k->then(c, o, base) : 0;
}

int lg_mwalk(lg_mctx_t *c, const lg_mlevel_t *lv, json_t *o, const char *path,
             size_t idx, void *base) {
  if (lv->init)
    lv->init(c, o, base);
  if (!o) {
    for (size_t i = 0; i < lv->nkeys; i++)
      if (lv->keys[i].type == LG_MT_OBJECT) {
        char *full = lg_mjoin(path, lv->keys[i].key);
        lg_mwalk(c, lv->keys[i].sub, NULL, full, 0, base);
        free(full);
      }
    return 0;
  }
  for (size_t i = 0; i < lv->nkeys; i++)
    if ((lv->keys[i].flags & LG_MK_FIRST) &&
        lg_mread(c, &lv->keys[i], o, path, base))
      return -1;
  if (lg_mkeys(c, o, path, lv))
    return -1;
  for (size_t i = 0; i < lv->nkeys; i++)
    if (!(lv->keys[i].flags & (LG_MK_FIRST | LG_MK_PREPARED)) &&
        lg_mread(c, &lv->keys[i], o, path, base))
      return -1;
  return lv->check ? lv->check(c, o, path, idx, base) : 0;
}
