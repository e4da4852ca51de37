/* Private to the addon: the names of the addon's own fault points (planted
 * defects, EVS_FAULT=name in fault builds; evstore/testing.h). */
#ifndef ADDON_FAULTS_H
#define ADDON_FAULTS_H

#include <evstore/testing.h>

/* store.c: close() never releases the threadsafe function. */
#define ADDON_FAULT_SKIP_TSFN_RELEASE "skip-tsfn-release"
/* lib/decoder.js: every delivered event object is kept forever. */
#define ADDON_FAULT_RETAIN_JS_EVENTS "retain-js-events"

#endif
