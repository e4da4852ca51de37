/* Private to the addon: UTF-16 -> UTF-8 as V8 writes it for
 * napi_get_value_string_utf8 (an unpaired surrogate becomes U+FFFD, EF BF
 * BD). Reading a string as UTF-16 and encoding it here costs less than
 * napi_get_value_string_utf8 for the short strings of paths and values, and
 * finds unpaired surrogates exactly on the way. Pure; any thread. */
#ifndef ADDON_UTF8_H
#define ADDON_UTF8_H

#include <stddef.h>
#include <uchar.h>

/* Encodes u[0..n) into out[0..cap) and returns its UTF-8 length, counted in
 * full whatever `cap` is: out holds the whole encoding only when the result
 * is <= cap (else its contents are unspecified). *lone_at is set to the
 * index of the first unpaired surrogate, or to n when there is none. 3 * n
 * bytes of `cap` always suffice. */
size_t addon_utf8_from_utf16(const char16_t *u, size_t n, char *out, size_t cap,
                             size_t *lone_at);

#endif
