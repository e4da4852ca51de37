/* The wire table handed to JS (wire.h): one frozen object whose properties
 * the JS decoders read, so the format's constants exist only in ADDON_WIRE. */
#include <stdint.h>

#include "napi_util.h"
#include "wire.h"

static const struct {
  const char *name;
  uint32_t value;
} addon_wire_table[] = {
#define ADDON_WIRE_ROW_(name, value) {#name, (uint32_t)(value)},
    ADDON_WIRE(ADDON_WIRE_ROW_)
#undef ADDON_WIRE_ROW_
};

bool addon_wire_export(napi_env env, napi_value *out) {
  napi_value obj, v;
  size_t i;
  NAPI_CALL_RETURN_FALSE(env, napi_create_object(env, &obj));
  for (i = 0; i < sizeof addon_wire_table / sizeof addon_wire_table[0]; i++) {
    NAPI_CALL_RETURN_FALSE(
        env, napi_create_uint32(env, addon_wire_table[i].value, &v));
    NAPI_CALL_RETURN_FALSE(
        env, napi_set_named_property(env, obj, addon_wire_table[i].name, v));
  }
  NAPI_CALL_RETURN_FALSE(env, napi_object_freeze(env, obj));
  *out = obj;
  return true;
}
