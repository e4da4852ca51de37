/* Private to model.c, model_json.c, model_load.c and model_ld.c: what each
 * field kind of model_fields.h expands to in free, to_json and from_json,
 * and the loading context. In the expansions the record is `p`, the JSON
 * object `o`, the writing context `wr` (model_json.c) and the loading
 * context `ld`. */
#ifndef LG_MODEL_GEN_H
#define LG_MODEL_GEN_H

#include <stdlib.h>

#include "model.h"
#include "util.h"

/* Capacity of a growable array of the model holding n elements, and whether
 * an array of n elements is full (model.c). */
size_t lg__cap(size_t n);
int lg__full(size_t n);

/* A run's JSON object (model_json.c; new reference). */
json_t *lg__run_json(const lg_run_t *run);

/* ---- the loading context (model_ld.c) --------------------------------- */

/* The loader accepts results.json files written by older and newer leakgate
 * versions and partial files (an interrupted merge, a hand-trimmed baseline):
 * every field but a run's identity ('scenario', 'variant', 'verdict') is
 * optional, and null means absent. A field that is present with the wrong
 * type is refused, naming the field, because guessing would render a wrong
 * report. The first such error is kept in the context; callers check it once
 * per object rather than after every field. */
typedef struct lg_ld_s {
  char *err;       /* first error, owned */
  char where[256]; /* path of the object being read: "runs[3].metrics[0]" */
  size_t nsamples; /* samples of the run whose metrics are read */
  int has_exit;    /* the top level has an "exit_code" */
} lg_ld_t;

/* The getters read o[key]: absent and null give the default (NULL, NaN,
 * dflt); a value of another type sets the error naming the key and gives
 * the default. Strings are copies the caller owns. */
const char *lg__jtype(const json_t *v); /* "a string", "nothing", ... */
void lg__ld_bad(lg_ld_t *ld, const char *key, const char *expected,
                const json_t *found);
json_t *lg__gval(json_t *o, const char *key); /* borrowed; NULL: absent */
char *lg__gstr(lg_ld_t *ld, json_t *o, const char *key);
char *lg__gstr_or(lg_ld_t *ld, json_t *o, const char *key, const char *dflt);
double lg__gnum(lg_ld_t *ld, json_t *o, const char *key);
long long lg__clamp_ll(double d);
long long lg__gint(lg_ld_t *ld, json_t *o, const char *key, long long dflt);
int lg__gbool(lg_ld_t *ld, json_t *o, const char *key, int dflt);
json_t *lg__garr(lg_ld_t *ld, json_t *o, const char *key); /* borrowed */
json_t *lg__gobj(lg_ld_t *ld, json_t *o, const char *key); /* borrowed */
json_t *lg__gelem(lg_ld_t *ld, json_t *arr, const char *key, size_t idx);
lg_fclass_t lg__gfclass(lg_ld_t *ld, json_t *o, const char *key);
lg_gate_status_t lg__ggate_status(json_t *o, const char *key);
lg_cell_status_t lg__gcell_status(lg_ld_t *ld, json_t *o, const char *key);
/* Appends a printf-formatted part to ld->where, saving the old path in
 * saved (sizeof ld->where bytes) for lg__ld_pop. */
void lg__ld_push(lg_ld_t *ld, char *saved, const char *fmt, ...)
    LG_PRINTF(3, 4);
void lg__ld_push_index(lg_ld_t *ld, char *saved, const char *fmt, size_t k);
void lg__ld_pop(lg_ld_t *ld, const char *saved);
int lg__keyis(const char *k, const char *key); /* key may be NULL */

/* ---- free ------------------------------------------------------------- */

#define LG_FREE_STR(m) free(p->m);
#define LG_FREE_STRQ(m) free(p->m);
#define LG_FREE_OSTR(m) free(p->m);
#define LG_FREE_INT(m)
#define LG_FREE_LL(m)
#define LG_FREE_SIZE(m)
#define LG_FREE_LONG(m)
#define LG_FREE_BOOL(m)
#define LG_FREE_NUM(m)
#define LG_FREE_FCLASS(m)
#define LG_FREE_GSTATUS(m)
#define LG_FREE_CSTATUS(m)
#define LG_FREE_VERDICT(m)
#define LG_FREE_HOOK(m)
#define LG_FREE_WHOOK(m)
#define LG_FREE_STEP(m)
/* Frees the table's fields of *p (hooks free their own members). */
#define LG_FREE(kind, m, key, dflt, doc) LG_FREE_##kind(m)

/* ---- to_json (model_json.c) ------------------------------------------- */

#define LG_TOJ_STR(m) lg_jstr(p->m)
#define LG_TOJ_STRQ(m) lg_jstr(p->m)
#define LG_TOJ_OSTR(m) (p->m ? lg_jstr(p->m) : NULL)
#define LG_TOJ_INT(m) json_integer(p->m)
#define LG_TOJ_LL(m) json_integer(p->m)
#define LG_TOJ_SIZE(m) json_integer((json_int_t)p->m)
#define LG_TOJ_LONG(m) json_integer((json_int_t)p->m)
#define LG_TOJ_BOOL(m) json_boolean(p->m)
#define LG_TOJ_NUM(m) lg_jnum(p->m)
#define LG_TOJ_FCLASS(m) json_string(lg_fclass_name(p->m))
#define LG_TOJ_GSTATUS(m) lg_jstr(lg_gate_status_name(p->m))
#define LG_TOJ_CSTATUS(m) lg_jstr(lg_cell_status_name(p->m))
#define LG_TOJ_VERDICT(m) json_string(lg_verdict_name(p->m))
#define LG_TOJ_HOOK(m) lg_h_##m##_json(wr, p)
#define LG_TOJ_WHOOK(m) lg_h_##m##_json(wr, p)
#define LG_TOJ_STEP(m) NULL
/* Sets o[key] to the field's JSON value (none when the value is NULL). */
#define LG_TOJ(kind, m, key, dflt, doc) lg_jput(o, key, LG_TOJ_##kind(m));

/* ---- from_json (model_load.c) ----------------------------------------- */

#define LG_LD_STR(m, key, dflt) p->m = lg__gstr(ld, o, key);
#define LG_LD_STRQ(m, key, dflt) p->m = lg__gstr_or(ld, o, key, dflt);
#define LG_LD_OSTR(m, key, dflt) p->m = lg__gstr(ld, o, key);
#define LG_LD_INT(m, key, dflt) p->m = (int)lg__gint(ld, o, key, dflt);
#define LG_LD_LL(m, key, dflt) p->m = lg__gint(ld, o, key, dflt);
#define LG_LD_SIZE(m, key, dflt) p->m = (size_t)lg__gint(ld, o, key, dflt);
#define LG_LD_LONG(m, key, dflt) p->m = (long)lg__gint(ld, o, key, dflt);
#define LG_LD_BOOL(m, key, dflt) p->m = lg__gbool(ld, o, key, dflt);
#define LG_LD_NUM(m, key, dflt) p->m = lg__gnum(ld, o, key);
#define LG_LD_FCLASS(m, key, dflt) p->m = lg__gfclass(ld, o, key);
#define LG_LD_GSTATUS(m, key, dflt) p->m = lg__ggate_status(o, key);
#define LG_LD_CSTATUS(m, key, dflt) p->m = lg__gcell_status(ld, o, key);
#define LG_LD_VERDICT(m, key, dflt) /* by a STEP: they depend on each other */
#define LG_LD_HOOK(m, key, dflt) lg_h_##m##_from(ld, o, p);
#define LG_LD_WHOOK(m, key, dflt) /* by the STEP of the same name */
#define LG_LD_STEP(m, key, dflt) lg_h_##m##_from(ld, o, p);
/* Reads the field from o into *p; the first error stays in ld->err. */
#define LG_LD(kind, m, key, dflt, doc) LG_LD_##kind(m, key, dflt)

/* Returns 1 from the enclosing function when k is the entry's key (STEP
 * entries have none: their key is 0). */
#define LG_KEYIS(kind, m, key, dflt, doc)                                      \
  if (lg__keyis(k, key))                                                       \
    return 1;

#endif
