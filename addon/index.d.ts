// Type definitions for evstore (the JavaScript API of evstore.node).
/// <reference types="node" />

/** What a full event queue does to writers. */
export type OverflowPolicy = 'block' | 'drop';

/** An option given (anything but undefined) must be in range, 0 included:
 * RangeError code 'ERR_EVS_BAD_OPTION' naming the option and its minimum. */
export interface StoreOptions {
  /** Slot ring size: a power of two in [2, 16777216] (minimum 2); default
   * 1024. */
  queueSlots?: number;
  /** Value ring bytes: a power of two in [4096, 1073741824] (minimum 4096);
   * default 1 MiB. The largest value is half of it, minus one byte. */
  valueRingBytes?: number;
  /** 'block' (default): writers wait, nothing is lost. 'drop': events are
   * dropped and counted when the queue is full (the map is still updated). */
  overflow?: OverflowPolicy;
}

/** A value stored as JSON and returned parsed. Only what JSON preserves
 * exactly: numbers finite and not -0; arrays dense, with no other
 * properties; objects plain (prototype Object.prototype), with no undefined,
 * function, symbol or bigint values and no symbol keys. set() refuses
 * anything else with a TypeError naming where it is (code
 * 'ERR_INVALID_ARG_VALUE' for NaN, Infinity, -0, holes and dropped
 * properties; 'ERR_INVALID_ARG_TYPE' for the wrong types, such as Date, Map,
 * class instances, null-prototype objects or a nested Buffer). */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** What set() accepts. A value is stored losslessly or refused: get(),
 * events and step events return one deep-equal to it, of the same kind.
 * Any string is kept exactly, unpaired surrogates included; Buffers and
 * Uint8Arrays (not subclasses) keep their bytes and their class. */
export type Value = string | Buffer | Uint8Array | JsonValue | object;

export interface StoreEvent {
  type: 'set' | 'delete';
  path: string;
  /** undefined for 'delete'. */
  value: Value | undefined;
  /** Per-store sequence number, strictly increasing from 1: one per write
   * (set or delete), so a subscriber sees gaps where writes did not match
   * its pattern or came before it subscribed. */
  seq: number;
}

export interface QueueStats {
  pending: number;
  processed: number;
  dropped: number;
  highWater: number;
  slotWraps: number;
  valueWraps: number;
  valueBytesInUse: number;
  /** Handovers between the writers and the dispatcher thread (cross-core
   * traffic): the dispatcher's re-reads of the queue that found new events,
   * its sleeps waiting for events, the writers' re-reads that found space
   * when the queue looked full, and their sleeps waiting for space. */
  consumerPolls: number;
  consumerSleeps: number;
  producerPolls: number;
  producerSleeps: number;
}

/** The constructors marked private throw TypeError 'Illegal constructor'
 * (code 'ERR_ILLEGAL_CONSTRUCTOR') when user code calls them. */
export declare class Subscription {
  private constructor();
  /** True once unsubscribed (explicitly, by take(), or by close()). */
  readonly closed: boolean;
  /** Idempotent; no callback runs after it returns. */
  unsubscribe(): void;
}

export declare class Observable<T = StoreEvent> {
  private constructor();
  /** Calls `fn` with each value, in sequence order. An exception thrown by
   * `fn` (or an operator's function) does not stop delivery to anyone: each
   * one is reported as its own 'uncaughtException', in delivery order, once
   * the batch being delivered is done. */
  subscribe(fn: (value: T) => void): Subscription;
  /** At most n values (an integer >= 0), then unsubscribes by itself. */
  take(n: number): Observable<T>;
  /** The newest value after `ms` quiet milliseconds (an integer in
   * [0, 2147483647]). */
  debounce(ms: number): Observable<T>;
  filter(pred: (value: T) => unknown): Observable<T>;
  map<U>(fn: (value: T) => U): Observable<U>;
}

export declare class Store {
  constructor(options?: StoreOptions);
  /** True once closed. */
  readonly closed: boolean;
  /** Paths: '/'-separated, at most 255 bytes of UTF-8, well-formed Unicode
   * (an unpaired surrogate throws RangeError 'ERR_EVS_BAD_PATH'). Errors
   * about a path show it whole, escaped (\0, \xNN, \uDXXX). See Value for
   * what is stored and what is refused. */
  set(path: string, value: Value): void;
  /** Writes every [path, value] pair in order, as that many set() calls
   * would (same checks, values and events, in order), in fewer native calls
   * and store-lock holds. Not atomic: the first bad entry throws set()'s
   * error (or TypeError 'ERR_INVALID_ARG_TYPE' for an entry that is not an
   * array) with `index` = its position; every entry before it is written,
   * it and the later ones are not. */
  setMany(entries: ReadonlyArray<readonly [string, Value]>): void;
  get(path: string): Value | undefined;
  /** Whether a value was removed. */
  delete(path: string): boolean;
  /** Pattern: exact, '*' one segment, trailing '**' any depth. Malformed
   * ones, unpaired surrogates included, throw RangeError
   * 'ERR_EVS_BAD_PATTERN'. */
  watch(pattern: string): Observable<StoreEvent>;
  getEventQueueStats(): QueueStats;
  /** Idempotent; then every other method throws code 'ERR_EVS_CLOSED'. */
  close(): void;
}

export interface WorkerConfig {
  namespace: string;
  /** Pending + in-flight bound, in [1, 16777216] (minimum 1); default
   * 1024. */
  capacity?: number;
}

export interface WorkerStatus {
  running: boolean;
  pendingCount: number;
  inFlight: number;
  completed: number;
  failed: number;
  dropped: number;
}

export interface StepEvent {
  id: number;
  seq: number;
  type: 'set' | 'delete';
  path: string;
  value: Value | undefined;
}

/** Exactly one of the two: an object with both `ok` and `error` throws
 * TypeError 'ERR_INVALID_ARG_VALUE'. */
export type StepResult = { ok: true } | { error: string };

/** The C string of the manual status handoff. */
export declare class RawStatus {
  private constructor();
  /** Copies the string; throws code 'ERR_EVS_FREED' after free(). */
  read(): string;
  /** Releases it; a second call throws code 'ERR_EVS_FREED'. */
  free(): void;
}

export declare class Worker {
  private constructor();
  static bootstrap(store: Store, config: WorkerConfig): Worker;
  status(): WorkerStatus;
  /** Up to `max` (an integer in [1, 16777216], default 256) step events;
   * [] when none. */
  pollStepEvents(max?: number): StepEvent[];
  completeStepEvent(id: number, result: StepResult): void;
  /** Stops and releases the worker; then only status() and stop() work. */
  stop(): void;
  statusRaw(): RawStatus;
}

export interface NativeStats {
  /** Core allocator: bytes and blocks in use, peak bytes. In use excludes
   * a removed subscription the dispatcher thread has yet to free (it frees
   * it before its next event or when it goes idle), so these return to
   * their earlier values as soon as everything is released, whenever that
   * thread runs. */
  liveBytes: number;
  liveBlocks: number;
  peakBytes: number;
  /** Addon handles alive over the process: open stores, native
   * subscriptions, unreleased threadsafe functions, live workers. */
  stores: number;
  subscriptions: number;
  tsfns: number;
  workers: number;
  /** Core dispatcher threads not yet joined. */
  threads: number;
  /** C heap in use (mallinfo2, or the sanitizer's allocator). */
  mallocInUse: number;
}

export declare function nativeStats(): NativeStats;
