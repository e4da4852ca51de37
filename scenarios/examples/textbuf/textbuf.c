/* textbuf: a deliberately tiny Node-API addon used as the worked example of
 * pointing leakgate at an addon that is not evstore. It owns native copies
 * of strings behind JS objects:
 *   copy(str)      -> an external object owning a malloc'd copy of str,
 *                     freed by its finalizer when GC collects the object;
 *   length(obj)    -> the byte length of that copy;
 *   leakyCopy(str) -> the same copy, but the pointer is dropped: a planted
 *                     leak, used only by the example's negative control;
 *   mallocInUse()  -> mallinfo2().uordblks, for the probe.
 * Every Node-API status is checked; failures throw instead of asserting. */
#include <malloc.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

#define CALL(env, call)                                                        \
  do {                                                                         \
    if ((call) != napi_ok) {                                                   \
      bool pending_;                                                           \
      napi_is_exception_pending((env), &pending_);                             \
      if (!pending_)                                                           \
        napi_throw_error((env), "ERR_TEXTBUF_NAPI", #call " failed");          \
      return NULL;                                                             \
    }                                                                          \
  } while (0)

typedef struct {
  size_t len;
  char bytes[];
} textbuf_t;

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

/* Copies the string argument into a new textbuf_t; NULL with an exception
 * pending on failure. */
static textbuf_t *copy_arg(napi_env env, napi_callback_info info) {
  size_t argc = 1, len;
  napi_value arg;
  napi_valuetype t;
  CALL(env, napi_get_cb_info(env, info, &argc, &arg, NULL, NULL));
  CALL(env, napi_typeof(env, arg, &t));
  if (argc < 1 || t != napi_string) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE",
                          "The \"str\" argument must be of type string");
    return NULL;
  }
  CALL(env, napi_get_value_string_utf8(env, arg, NULL, 0, &len));
  textbuf_t *tb = malloc(sizeof(*tb) + len + 1);
  if (tb == NULL) {
    napi_throw_error(env, "ERR_TEXTBUF_NOMEM", "out of memory");
    return NULL;
  }
  tb->len = len;
  if (napi_get_value_string_utf8(env, arg, tb->bytes, len + 1, &len) !=
      napi_ok) {
    free(tb);
    napi_throw_error(env, "ERR_TEXTBUF_NAPI", "reading the string failed");
    return NULL;
  }
  return tb;
}

static napi_value textbuf_copy(napi_env env, napi_callback_info info) {
  textbuf_t *tb = copy_arg(env, info);
  if (tb == NULL)
    return NULL;
  napi_value obj;
  if (napi_create_external(env, tb, finalize, NULL, &obj) != napi_ok) {
    free(tb);
    napi_throw_error(env, "ERR_TEXTBUF_NAPI", "napi_create_external failed");
    return NULL;
  }
  return obj;
}

static napi_value textbuf_length(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg, out;
  void *data;
  CALL(env, napi_get_cb_info(env, info, &argc, &arg, NULL, NULL));
  CALL(env, napi_get_value_external(env, arg, &data));
  CALL(env, napi_create_double(env, (double)((textbuf_t *)data)->len, &out));
  return out;
}

static volatile textbuf_t *sink; /* keeps the planted leak observable */

static napi_value textbuf_leaky_copy(napi_env env, napi_callback_info info) {
  textbuf_t *tb = copy_arg(env, info);
  if (tb != NULL)
    sink = tb; /* planted defect: the previous copy is lost */
  return NULL;
}

static napi_value textbuf_malloc_in_use(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CALL(env, napi_create_double(env, (double)mallinfo2().uordblks, &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"copy", NULL, textbuf_copy, NULL, NULL, NULL, napi_default, NULL},
      {"length", NULL, textbuf_length, NULL, NULL, NULL, napi_default, NULL},
      {"leakyCopy", NULL, textbuf_leaky_copy, NULL, NULL, NULL, napi_default,
       NULL},
      {"mallocInUse", NULL, textbuf_malloc_in_use, NULL, NULL, NULL,
       napi_default, NULL},
  };
  CALL(env, napi_define_properties(env, exports, 4, props));
  return exports;
}

/* The module entry points, declared first so -Wmissing-prototypes holds. */
NAPI_MODULE_EXPORT int32_t NODE_API_MODULE_GET_API_VERSION(void);
NAPI_MODULE_EXPORT napi_value NAPI_MODULE_INITIALIZER(napi_env env,
                                                      napi_value exports);
NAPI_MODULE_EXPORT int32_t NODE_API_MODULE_GET_API_VERSION(void) {
  return NAPI_VERSION;
}
NAPI_MODULE_EXPORT napi_value NAPI_MODULE_INITIALIZER(napi_env env,
                                                      napi_value exports) {
  return init(env, exports);
}
