/* evstore error codes: one table generates the enum, evs_strerror() and
 * evs_err_name(). 0 is success; every error is negative. */
#ifndef EVSTORE_ERROR_H
#define EVSTORE_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* X(name, value, message) */
#define EVS_ERRNO_MAP(X)                                                       \
  X(EVS_OK, 0, "success")                                                      \
  /* A required pointer argument was NULL. */                                  \
  X(EVS_EINVAL, -1, "invalid argument (NULL or out of domain)")                \
  /* An allocation failed; the call changed nothing. */                        \
  X(EVS_ENOMEM, -2, "out of memory")                                           \
  /* A path is longer than EVS_PATH_MAX bytes. */                              \
  X(EVS_EPATHLEN, -3, "path too long")                                         \
  /* A path is malformed: no leading '/', an empty segment, a NUL byte, or a   \
   * wildcard segment. */                                                      \
  X(EVS_EPATH, -4, "malformed path")                                           \
  /* A pattern is malformed ('**' not last, a partial wildcard, ...). */       \
  X(EVS_EPATTERN, -5, "malformed pattern")                                     \
  /* A value is larger than the store's max_value_bytes. */                    \
  X(EVS_E2BIG, -6, "value too large")                                          \
  /* The store or worker has been closed or stopped. */                        \
  X(EVS_ECLOSED, -7, "closed")                                                 \
  /* No entry at that path, or no subscription with that id. */                \
  X(EVS_ENOTFOUND, -8, "not found")                                            \
  /* A worker step event id that is unknown or already completed. */           \
  X(EVS_EUNKNOWNID, -9, "unknown or already completed step event id")          \
  /* A non-blocking operation could not proceed (queue full). */               \
  X(EVS_EAGAIN, -10, "resource temporarily unavailable (queue full)")          \
  /* The call would deadlock (e.g. close or a blocking write from the          \
   * store's own dispatcher thread). */                                        \
  X(EVS_EDEADLK, -11, "operation would deadlock on the dispatcher thread")     \
  /* A configuration value is out of range (e.g. slots not a power of two). */ \
  X(EVS_ERANGE, -12, "configuration value out of range")                       \
  /* The feature is not compiled into this build. */                           \
  X(EVS_ENOTSUP, -13, "not supported by this build")                           \
  /* A thread could not be created or joined. */                               \
  X(EVS_ETHREAD, -14, "thread creation failed")                                \
  /* EVS_FAULT named a fault point that does not exist. */                     \
  X(EVS_EFAULTNAME, -15, "unknown fault point name in EVS_FAULT")              \
  /* The allocator hook cannot be changed while core allocations are live. */  \
  X(EVS_EBUSY, -16, "busy: allocations are live")

typedef enum evs_err_e {
#define EVS_ERR_ENUM_(name, value, msg) name = value,
  EVS_ERRNO_MAP(EVS_ERR_ENUM_)
#undef EVS_ERR_ENUM_
} evs_err_t;

/* Returns a static English message for `err`; "unknown error" for values not
 * in the table. Any thread; never NULL. */
const char *evs_strerror(int err);

/* Returns the static symbolic name ("EVS_ENOMEM") of `err`, or "EVS_UNKNOWN".
 * Any thread; never NULL. */
const char *evs_err_name(int err);

#ifdef __cplusplus
}
#endif
#endif
