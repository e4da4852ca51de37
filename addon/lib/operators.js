'use strict';
/* Subscriptions, Observables and the operator chain (take, debounce,
 * filter, map) that runs in JavaScript between the decoder and a
 * subscriber. */

const { invalidType, INTERNAL, illegalConstructor, checkPositiveInt } =
  require('./errors');

/** A live subscription; see {@link Observable#subscribe}. */
class Subscription {
  /**
   * Not for user code: throws TypeError 'Illegal constructor' (code
   * ERR_ILLEGAL_CONSTRUCTOR). Subscriptions come from subscribe().
   * @private
   */
  constructor(token, store, slot, gen) {
    if (token !== INTERNAL) throw illegalConstructor();
    /** @private */ this._store = store;
    /** @private */ this._slot = slot;
    /** @private */ this._gen = gen;
    /** @private */ this._closed = false;
    /** @private @type {Array<() => void>} */ this._teardowns = [];
  }

  /** True once unsubscribed (explicitly, by take(), or by close()). */
  get closed() {
    return this._closed;
  }

  /**
   * Stops delivery to this subscriber. Idempotent. After it returns the
   * callback is never called again, not even for events already batched.
   */
  unsubscribe() {
    if (this._closed) return;
    this._store._detach(this, true);
  }
}

/**
 * A stream of store events matching a pattern, with operators. Each
 * subscribe() creates one core subscription; operators run in JavaScript.
 */
class Observable {
  /**
   * Not for user code: throws TypeError 'Illegal constructor' (code
   * ERR_ILLEGAL_CONSTRUCTOR). Observables come from watch() and operators.
   * @private
   */
  constructor(token, store, pattern, ops) {
    if (token !== INTERNAL) throw illegalConstructor();
    /** @private */ this._store = store;
    /** @private */ this._pattern = pattern;
    /** @private */ this._ops = ops;
  }

  /**
   * Calls `fn` with each matching event, in sequence order. An exception
   * thrown by `fn` (or by an operator's function) stops nothing: the other
   * subscribers and the later events are delivered, and every exception is
   * reported as its own 'uncaughtException', in delivery order, once the
   * batch being delivered is done (so without a handler the process ends at
   * the first, as with an EventEmitter listener's).
   * @param {(event: StoreEvent) => void} fn
   * @returns {Subscription}
   */
  subscribe(fn) {
    if (typeof fn !== 'function') {
      throw invalidType('fn', 'of type function', fn);
    }
    return this._store._attach(this._pattern, this._ops, fn);
  }

  /**
   * Delivers at most `n` events, then unsubscribes by itself.
   * @param {number} n integer >= 0
   * @returns {Observable}
   */
  take(n) {
    checkPositiveInt('n', n, Number.MAX_SAFE_INTEGER, true);
    return this._with({ op: 'take', n });
  }

  /**
   * Emits an event only after `ms` milliseconds without a newer one (the
   * newest wins).
   * @param {number} ms integer >= 0
   * @returns {Observable}
   */
  debounce(ms) {
    checkPositiveInt('ms', ms, 2147483647, true);
    return this._with({ op: 'debounce', ms });
  }

  /**
   * Keeps the events for which `pred` returns a truthy value.
   * @param {(event: any) => unknown} pred
   * @returns {Observable}
   */
  filter(pred) {
    if (typeof pred !== 'function') {
      throw invalidType('pred', 'of type function', pred);
    }
    return this._with({ op: 'filter', fn: pred });
  }

  /**
   * Replaces each event by `fn(event)`.
   * @param {(event: any) => any} fn
   * @returns {Observable}
   */
  map(fn) {
    if (typeof fn !== 'function') {
      throw invalidType('fn', 'of type function', fn);
    }
    return this._with({ op: 'map', fn });
  }

  /** @private */
  _with(op) {
    return new Observable(INTERNAL, this._store, this._pattern,
      [...this._ops, op]);
  }
}

/* Builds the operator chain of one subscription, last operator first. Each
 * stage is {next(ev), complete()}; complete() flushes a pending debounce
 * before take() unsubscribes. */
function buildChain(ops, fn, sub) {
  let stage = { next: fn, complete() {} };
  for (let k = ops.length - 1; k >= 0; k--) {
    const op = ops[k];
    const down = stage;
    switch (op.op) {
      case 'map':
        stage = { next: (ev) => down.next(op.fn(ev)), complete: down.complete };
        break;
      case 'filter':
        stage = {
          next: (ev) => { if (op.fn(ev)) down.next(ev); },
          complete: down.complete,
        };
        break;
      case 'take': {
        let left = op.n;
        stage = {
          next: (ev) => {
            if (left <= 0) return;
            left--;
            down.next(ev);
            if (left === 0) { down.complete(); sub.unsubscribe(); }
          },
          complete: down.complete,
        };
        if (left === 0) sub._takeZero = true;
        break;
      }
      case 'debounce': {
        let timer = null;
        let pending = false;
        let last;
        let due = 0;
        const fire = () => {
          const wait = due - Date.now();
          if (wait > 0) { timer = setTimeout(fire, wait); return; }
          timer = null;
          if (!pending) return;
          pending = false;
          const ev = last;
          last = undefined;
          down.next(ev);
        };
        stage = {
          next: (ev) => {
            last = ev;
            pending = true;
            due = Date.now() + op.ms;
            if (timer === null) timer = setTimeout(fire, op.ms);
          },
          complete: () => {
            if (timer !== null) { clearTimeout(timer); timer = null; }
            if (pending) {
              pending = false;
              const ev = last;
              last = undefined;
              down.next(ev);
            }
            down.complete();
          },
        };
        sub._teardowns.push(() => {
          if (timer !== null) { clearTimeout(timer); timer = null; }
          pending = false;
          last = undefined;
        });
        break;
      }
      default:
        throw new Error(`evstore: unknown operator ${op.op}`);
    }
  }
  return stage.next;
}

module.exports = { Subscription, Observable, buildChain };
