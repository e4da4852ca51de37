/* The options of storeOpen (store_options.h): JS object -> core config.
 * JS thread only. */
#include <string.h>

#include "errors.h"
#include "napi_util.h"
#include "store_options.h"

/* Reads the optional numeric option `name` of `obj` into *out: a power of
 * two in [min, max] when present. Absent or undefined leaves *out at 0 (the
 * core's default); any other value, 0 included, must be in range: an option
 * the caller spelled out is never silently replaced by the default. Throws
 * TypeError (not a number) or RangeError ERR_EVS_BAD_OPTION naming the option
 * and its bounds; returns false then. */
static bool addon_get_pow2_opt(napi_env env, napi_value obj, const char *name,
                               uint32_t min, uint32_t max, uint32_t *out) {
  bool has = false;
  napi_value v;
  napi_valuetype t;
  double d;
  char shown[40];

  NAPI_CALL_RETURN_FALSE(env, napi_has_named_property(env, obj, name, &has));
  if (!has)
    return true;
  NAPI_CALL_RETURN_FALSE(env, napi_get_named_property(env, obj, name, &v));
  NAPI_CALL_RETURN_FALSE(env, napi_typeof(env, v, &t));
  if (t == napi_undefined)
    return true;
  if (t != napi_number) {
    addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                "The \"options.%s\" property must be of type number", name);
    return false;
  }
  NAPI_CALL_RETURN_FALSE(env, napi_get_value_double(env, v, &d));
  if (!(d >= min && d <= max) || d != (double)(uint32_t)d ||
      ((uint32_t)d & ((uint32_t)d - 1)) != 0) {
    addon_throw(env, ADDON_RANGE_ERROR, "ERR_EVS_BAD_OPTION",
                "The \"options.%s\" property must be a power of two, at "
                "least %u (the minimum) and at most %u; received %s",
                name, min, max, addon_fmt_number(d, shown, sizeof shown));
    return false;
  }
  *out = (uint32_t)d;
  return true;
}

bool addon_store_options(napi_env env, napi_value options,
                         evs_store_config_t *cfg) {
  napi_valuetype t;

  memset(cfg, 0, sizeof *cfg);
  NAPI_CALL_RETURN_FALSE(env, napi_typeof(env, options, &t));
  if (t == napi_object) {
    napi_value ov;
    bool has = false;
    if (!addon_get_pow2_opt(env, options, "queueSlots", 2u, 1u << 24,
                            &cfg->queue_slots) ||
        !addon_get_pow2_opt(env, options, "valueRingBytes", 4096u, 1u << 30,
                            &cfg->value_ring_bytes))
      return false;
    NAPI_CALL_RETURN_FALSE(
        env, napi_has_named_property(env, options, "overflow", &has));
    if (has) {
      char pol[16];
      size_t n = 0;
      NAPI_CALL_RETURN_FALSE(
          env, napi_get_named_property(env, options, "overflow", &ov));
      NAPI_CALL_RETURN_FALSE(env, napi_typeof(env, ov, &t));
      if (t == napi_string) {
        NAPI_CALL_RETURN_FALSE(
            env, napi_get_value_string_utf8(env, ov, pol, sizeof pol, &n));
        /* By length too: 'block\0x' must not pass as 'block'. */
        if (n == 5 && memcmp(pol, "block", 5) == 0)
          cfg->overflow = EVS_OVERFLOW_BLOCK;
        else if (n == 4 && memcmp(pol, "drop", 4) == 0)
          cfg->overflow = EVS_OVERFLOW_DROP;
        else {
          char shown[ADDON_ESCAPED_MAX];
          addon_escape_js_string(env, ov, shown, sizeof shown);
          addon_throw(env, ADDON_RANGE_ERROR, "ERR_EVS_BAD_OPTION",
                      "The \"options.overflow\" property must be "
                      "'block' or 'drop'; received '%s'",
                      shown);
          return false;
        }
      } else if (t != napi_undefined) {
        addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                    "The \"options.overflow\" property must be of "
                    "type string");
        return false;
      }
    }
  } else if (t != napi_undefined) {
    addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                "The \"options\" argument must be of type object");
    return false;
  }
  return true;
}
