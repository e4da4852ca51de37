'use strict';
// node-aes-gcm: encrypt() in <= 0.2.3 allocates the ciphertext and the auth tag
// with new[], copies them into JS Buffers with Nan::CopyBuffer and never frees
// them (https://github.com/xorbit/node-aes-gcm/pull/8; fixed in 0.2.4 by
// Nan::NewBuffer taking ownership). One encrypt of 1024 bytes per iteration:
// expected leak ~1024 + 16 bytes (+ malloc overhead) per iteration.
const addon = require('./addon');

const key = Buffer.alloc(16, 1);
const iv = Buffer.alloc(12, 2);
const plaintext = Buffer.alloc(1024, 3);
const aad = Buffer.alloc(0);

module.exports = {
  name: 'calls',
  iterate(ctx) {
    const r = addon.encrypt(key, iv, plaintext, aad);
    ctx.last = r.ciphertext.length + r.auth_tag.length;
  },
};
