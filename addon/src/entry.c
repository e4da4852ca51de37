/* The entry point of evstore.node: its exports are module.c's. A separate
 * file so that the bench-only module (bench/writer.c) can link every other
 * object of the addon and define an entry point of its own. */
#include "module.h"
#include "module_entry.h"

ADDON_MODULE_ENTRY(addon_module_init)
