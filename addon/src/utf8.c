/* UTF-16 -> UTF-8 (utf8.h). */
#include <stdint.h>
#include <string.h>

#include "utf8.h"

size_t addon_utf8_from_utf16(const char16_t *u, size_t n, char *out, size_t cap,
                             size_t *lone_at) {
  uint8_t *o = (uint8_t *)out;
  size_t i = 0, len = 0;

  *lone_at = n;
  /* ASCII, the common case: one byte per unit, so no room check per unit;
   * four units tested at once while they last. */
  if (n <= cap) {
    for (; i + 4 <= n; i += 4) {
      uint64_t w;
      memcpy(&w, u + i, sizeof w);
      if (w & 0xFF80FF80FF80FF80u)
        break;
      o[i] = (uint8_t)u[i];
      o[i + 1] = (uint8_t)u[i + 1];
      o[i + 2] = (uint8_t)u[i + 2];
      o[i + 3] = (uint8_t)u[i + 3];
    }
    for (; i < n && u[i] < 0x80; i++)
      o[i] = (uint8_t)u[i];
  }
  len = i;
  for (; i < n; i++) {
    uint32_t c = u[i];
    size_t w;
    if (c < 0x80) {
      w = 1;
    } else if (c < 0x800) {
      w = 2;
    } else if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && u[i + 1] >= 0xDC00 &&
               u[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (u[i + 1] - 0xDC00u);
      i++;
      w = 4;
    } else {
      if (c >= 0xD800 && c <= 0xDFFF) {
        if (*lone_at == n)
          *lone_at = i;
        c = 0xFFFD;
      }
      w = 3;
    }
    if (len + w <= cap) {
      switch (w) {
      case 1:
        o[len] = (uint8_t)c;
        break;
      case 2:
        o[len] = (uint8_t)(0xC0 | (c >> 6));
        o[len + 1] = (uint8_t)(0x80 | (c & 0x3F));
        break;
      case 3:
        o[len] = (uint8_t)(0xE0 | (c >> 12));
        o[len + 1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
        o[len + 2] = (uint8_t)(0x80 | (c & 0x3F));
        break;
      default:
        o[len] = (uint8_t)(0xF0 | (c >> 18));
        o[len + 1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
        o[len + 2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
        o[len + 3] = (uint8_t)(0x80 | (c & 0x3F));
        break;
      }
    }
    len += w;
  }
  return len;
}
