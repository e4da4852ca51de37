/* The error table rendered as messages and names. */
#include "evstore/error.h"

const char *evs_strerror(int err) {
  switch (err) {
#define EVS_ERR_MSG_(name, value, msg)                                         \
  case value:                                                                  \
    return msg;
    EVS_ERRNO_MAP(EVS_ERR_MSG_)
#undef EVS_ERR_MSG_
  }
  return "unknown error";
}

const char *evs_err_name(int err) {
  switch (err) {
#define EVS_ERR_NAME_(name, value, msg)                                        \
  case value:                                                                  \
    return #name;
    EVS_ERRNO_MAP(EVS_ERR_NAME_)
#undef EVS_ERR_NAME_
  }
  return "EVS_UNKNOWN";
}
