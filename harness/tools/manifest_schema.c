/* lg_manifest_schema: prints docs/manifest-schema.md, the manifest schema as
 * Markdown, from the tables the loader reads manifests with
 * (manifest_doc.c). Exit 0, or 1 when stdout could not be written. */
#include <stdio.h>

#include "manifest_schema.h"

int main(void) {
  lg_manifest_schema_doc(stdout);
  return fflush(stdout) != 0 || ferror(stdout) ? 1 : 0;
}
