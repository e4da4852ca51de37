/* evstore paths and patterns.
 *
 * A path is '/'-separated, starts with '/', has no empty segment (so no
 * trailing '/' and no "//"), no NUL byte, no segment equal to "*" or "**", and
 * is at most EVS_PATH_MAX bytes long. "/" alone is not a valid path.
 * A pattern has the same shape, where a segment may also be "*" (exactly one
 * segment) and the last segment may be "**" (zero or more further segments:
 * a pattern of "/a" then that segment matches "/a", "/a/b" and "/a/b/c"; the
 * pattern made of "**" alone matches every path). Partial wildcards ("a*") are
 * not special characters: they are rejected in patterns, to keep typos from
 * silently matching nothing. */
#ifndef EVSTORE_PATH_H
#define EVSTORE_PATH_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest accepted path or pattern, in bytes (fits a 256-byte slot with room
 * for a terminating NUL). */
#define EVS_PATH_MAX 255

/* Validates a path of `len` bytes. Pure; any thread. Returns EVS_OK,
 * EVS_EINVAL (path NULL), EVS_EPATHLEN (len > EVS_PATH_MAX) or EVS_EPATH. */
int evs_path_validate(const char *path, size_t len);

/* Validates a pattern. Pure; any thread. Returns EVS_OK, EVS_EINVAL,
 * EVS_EPATHLEN or EVS_EPATTERN. */
int evs_pattern_validate(const char *pattern, size_t len);

/* True when a valid `path` matches a valid `pattern`. Behaviour on invalid
 * input is defined (no out-of-bounds access) but meaningless: validate first.
 * Pure; any thread. */
bool evs_pattern_match(const char *pattern, size_t pattern_len,
                       const char *path, size_t path_len);

#ifdef __cplusplus
}
#endif
#endif
