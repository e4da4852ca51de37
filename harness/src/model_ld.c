/* The loader's getters (model_gen.h): one field of a results.json object
 * read with the path of a wrong-typed one kept as the first error. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_gen.h"
#include "util.h"

const char *lg__jtype(const json_t *v) {
  if (!v) /* absent: json_typeof() would dereference it */
    return "nothing";
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "an object";
  case JSON_ARRAY:
    return "an array";
  case JSON_STRING:
    return "a string";
  case JSON_INTEGER:
  case JSON_REAL:
    return "a number";
  case JSON_TRUE:
  case JSON_FALSE:
    return "a boolean";
  default:
    return "null";
  }
}

void lg__ld_bad(lg_ld_t *ld, const char *key, const char *expected,
                const json_t *found) {
  if (ld->err)
    return;
  ld->err = lg_fmt("key '%s%s%s': expected %s, found %s", ld->where,
                   *ld->where ? "." : "", key, expected, lg__jtype(found));
}

/* The value of key, or NULL when absent or null. */
json_t *lg__gval(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_null(v) ? NULL : v;
}

/* The value of key when it is absent (NULL) or of one of the json types
 * in the mask `types` (bit 1 << json_type); for another type, sets the
 * error naming `expected` and returns NULL. */
#define LG_JT(t) (1u << (t))
#define LG_JT_NUMBER (LG_JT(JSON_INTEGER) | LG_JT(JSON_REAL))
static json_t *lg_gtyped(lg_ld_t *ld, json_t *o, const char *key,
                         unsigned types, const char *expected) {
  json_t *v = lg__gval(o, key);
  if (v && !(types & LG_JT(json_typeof(v)))) {
    lg__ld_bad(ld, key, expected, v);
    return NULL;
  }
  return v;
}

/* The string value of key, borrowed from o; NULL when absent or of another
 * type (then with the error set). */
static const char *lg_gcstr(lg_ld_t *ld, json_t *o, const char *key) {
  return json_string_value(
      lg_gtyped(ld, o, key, LG_JT(JSON_STRING), "a string"));
}

char *lg__gstr(lg_ld_t *ld, json_t *o, const char *key) {
  const char *v = lg_gcstr(ld, o, key);
  return v ? lg_xstrdup(v) : NULL;
}

/* Like lg__gstr, for the fields every reader compares without a NULL check
 * (see model.h): dflt when absent. */
char *lg__gstr_or(lg_ld_t *ld, json_t *o, const char *key, const char *dflt) {
  char *s = lg__gstr(ld, o, key);
  return s ? s : lg_xstrdup(dflt);
}

double lg__gnum(lg_ld_t *ld, json_t *o, const char *key) {
  json_t *v = lg_gtyped(ld, o, key, LG_JT_NUMBER, "a number");
  return v ? json_number_value(v) : NAN;
}

/* A double as a long long, clamped to +-9.2e18: a cast of a value outside
 * long long's range is undefined behaviour, and results files come from
 * other machines and versions. NaN reads as 0. */
long long lg__clamp_ll(double d) {
  if (!(d > -9.2e18))
    return d != d ? 0 : -9200000000000000000LL;
  if (!(d < 9.2e18))
    return 9200000000000000000LL;
  return (long long)d;
}

long long lg__gint(lg_ld_t *ld, json_t *o, const char *key, long long dflt) {
  json_t *v = lg_gtyped(ld, o, key, LG_JT_NUMBER, "a number");
  if (!v)
    return dflt;
  if (json_is_integer(v))
    return (long long)json_integer_value(v);
  double d = json_number_value(v);
  return d != d ? dflt : lg__clamp_ll(d);
}

int lg__gbool(lg_ld_t *ld, json_t *o, const char *key, int dflt) {
  /* An integer: written by very early versions. */
  json_t *v = lg_gtyped(
      ld, o, key, LG_JT(JSON_TRUE) | LG_JT(JSON_FALSE) | LG_JT(JSON_INTEGER),
      "a boolean");
  if (!v)
    return dflt;
  if (json_is_boolean(v))
    return json_is_true(v);
  return json_integer_value(v) != 0;
}

/* An optional array or object: NULL when absent; sets the error for another
 * type. */
json_t *lg__garr(lg_ld_t *ld, json_t *o, const char *key) {
  return lg_gtyped(ld, o, key, LG_JT(JSON_ARRAY), "an array");
}

json_t *lg__gobj(lg_ld_t *ld, json_t *o, const char *key) {
  return lg_gtyped(ld, o, key, LG_JT(JSON_OBJECT), "an object");
}

/* Sets ld->where to the printf-formatted path; returns the previous one in
 * saved (restored with lg__ld_pop). */
void lg__ld_push(lg_ld_t *ld, char *saved, const char *fmt, ...) {
  memcpy(saved, ld->where, sizeof ld->where);
  size_t n = strlen(ld->where);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ld->where + n, sizeof ld->where - n, fmt, ap);
  va_end(ap);
}

void lg__ld_pop(lg_ld_t *ld, const char *saved) {
  memcpy(ld->where, saved, sizeof ld->where);
}

/* Element idx of an array of objects, or NULL with the error set. */
json_t *lg__gelem(lg_ld_t *ld, json_t *arr, const char *key, size_t idx) {
  json_t *e = json_array_get(arr, idx);
  if (!json_is_object(e)) {
    char k[96];
    snprintf(k, sizeof k, "%s[%zu]", key, idx);
    lg__ld_bad(ld, k, "an object", e);
    return NULL;
  }
  return e;
}

/* A finding class by name; a class this version does not know is listed
 * (info), and so is an absent one. */
lg_fclass_t lg__gfclass(lg_ld_t *ld, json_t *o, const char *key) {
  lg_fclass_t c = LG_F_INFO;
  (void)lg_fclass_parse(lg_gcstr(ld, o, key), &c);
  return c;
}

/* A gate status by name. An unknown or missing status (a newer writer, a
 * partial file) reads as a regression rather than silently passing; so does
 * a value of another type. */
lg_gate_status_t lg__ggate_status(json_t *o, const char *key) {
  lg_gate_status_t s = LG_G_REGRESSION;
  (void)lg_gate_status_parse(json_string_value(json_object_get(o, key)), &s);
  return s;
}

/* A cell status by name: LG_C_UNKNOWN ("?") when absent or unknown. */
lg_cell_status_t lg__gcell_status(lg_ld_t *ld, json_t *o, const char *key) {
  lg_cell_status_t c = LG_C_UNKNOWN;
  (void)lg_cell_status_parse(lg_gcstr(ld, o, key), &c);
  return c;
}

/* Like lg__ld_push with the index k, or only saves the path when fmt is "". */
void lg__ld_push_index(lg_ld_t *ld, char *saved, const char *fmt, size_t k) {
  if (*fmt)
    lg__ld_push(ld, saved, fmt, k);
  else
    memcpy(saved, ld->where, sizeof ld->where);
}

int lg__keyis(const char *k, const char *key) {
  return key && strcmp(k, key) == 0;
}
