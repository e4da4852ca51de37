'use strict';
// worker-poll: each iteration bootstraps a worker on a namespace, writes 16
// matching and 4 other events, polls them in batches, completes half ok and
// half with an error, reads status(), stops it. Proves step-event copies,
// in-flight records and workers are released (flat memory, workers 0).
// Catches leak-event-copy and use-after-free-event.
const { evstore, storeScenario, expect, expectThrows, until } = require('./common');

module.exports = storeScenario('worker-poll', {
  async iterate(ctx, i) {
    const w = evstore.Worker.bootstrap(ctx.store, { namespace: '/jobs/**', capacity: 64 });
    for (let k = 0; k < 20; k++) {
      ctx.store.set(k < 16 ? `/jobs/${k}/step` : `/other/${k}`, { job: i, k });
    }
    let got = 0;
    let ok = 0;
    let failed = 0;
    await until(() => {
      for (const ev of w.pollStepEvents(5)) {
        expect(ev.path.startsWith('/jobs/'), `unexpected path ${ev.path}`);
        if (ev.id % 2 === 0) { w.completeStepEvent(ev.id, { error: 'rejected' }); failed++; } else { w.completeStepEvent(ev.id, { ok: true }); ok++; }
        got++;
      }
      return got;
    }, 16, 'step events');
    const st = w.status();
    expect(st.completed === ok && st.failed === failed && st.inFlight === 0 && st.pendingCount === 0 && st.running,
      `status ${JSON.stringify(st)}`);
    expectThrows(() => w.completeStepEvent(1, { ok: true }), RangeError, 'ERR_EVS_UNKNOWN_ID');
    w.stop();
  },
});
