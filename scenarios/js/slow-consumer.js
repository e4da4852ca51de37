'use strict';
// slow-consumer: native writes outrun a JS subscriber that burns ~20 us per
// event, on a 'drop' store with a small queue and on a 'block' store. Proves
// memory stays bounded whatever the backlog (flat mallocInUse, external,
// heapUsed), 'drop' counts what it refuses (delivered + dropped == written),
// and 'block' delivers everything.
const { evstore, stats, expect, until } = require('./common');

let drop;
let block;
let seenDrop = 0;
let seenBlock = 0;
let written = 0;

function burn() {
  const t = process.hrtime.bigint();
  while (process.hrtime.bigint() - t < 20000n);
}

module.exports = {
  name: 'slow-consumer',
  setup() {
    drop = new evstore.Store({ queueSlots: 16, overflow: 'drop' });
    block = new evstore.Store({ queueSlots: 16, overflow: 'block' });
    drop.watch('/**').subscribe(() => { burn(); seenDrop++; });
    block.watch('/**').subscribe(() => { burn(); seenBlock++; });
  },
  async iterate(ctx, i) {
    for (let k = 0; k < 50; k++) {
      drop.set('/fast', `payload-${i}-${k}`);
      block.set('/fast', `payload-${i}-${k}`);
      written++;
    }
    await until(() => seenBlock, written, 'block-policy events');
    await until(() => seenDrop + drop.getEventQueueStats().dropped, written, 'drop-policy accounting');
  },
  teardown() {
    const d = drop.getEventQueueStats();
    const b = block.getEventQueueStats();
    expect(seenDrop + d.dropped === written, `drop: ${seenDrop} + ${d.dropped} != ${written}`);
    expect(seenBlock === written && b.dropped === 0, `block lost events: ${seenBlock}/${written}`);
    drop.close();
    block.close();
  },
  stats,
};
