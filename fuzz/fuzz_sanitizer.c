/* Fuzz target: the sanitizer log parser (harness/src/detect.c,
 * lg_parse_sanitizer: ASan, LSan, UBSan, TSan reports), followed by the
 * attribution every finding gets in a run, and the frame-line parser on
 * each line. Properties: no memory error, undefined behaviour or leak; a
 * finding has a detector and a kind; a finding that is ours has a
 * first_our_frame. */
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "fuzz.h"
#include "fuzz_findings.h"

int lg_fuzz_one(const uint8_t *data, size_t size) {
  char *text = lg_fuzz_cstr(data, size);
  lg_findings_t out;
  memset(&out, 0, sizeof out);
  lg_parse_sanitizer(text, "fuzz.log", &out);
  lg_fuzz_check_findings(&out);
  lg_findings_free(&out);
  /* Every line through the frame parser, as the log parser's callers may. */
  for (char *line = text, *next; line; line = next) {
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    lg_frame_t fr;
    memset(&fr, 0, sizeof fr);
    if (lg_parse_frame_line(line, &fr) == 0) {
      free(fr.fn);
      free(fr.file);
      free(fr.obj);
    }
  }
  free(text);
  return 0;
}
