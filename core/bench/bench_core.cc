// Core benchmarks: queue push/pop on one thread, the two-thread pipeline
// with ~300-byte slots, and set -> listener end to end.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstring>
#include <thread>

extern "C" {
#include "evstore.h"
}

namespace {

const char kPath[] = "/bench/users/12345/profile";
const char kValue[] = "0123456789abcdef0123456789abcdef";

void BM_QueuePushPop(benchmark::State &state) {
  evs_queue_t *q = nullptr;
  evs_queue_create(nullptr, &q);
  evs_event_t ev;
  uint64_t seq = 0;
  for (auto _ : state) {
    evs_queue_push(q, EVS_EVENT_SET, ++seq, kPath, sizeof(kPath) - 1, kValue,
                   sizeof(kValue) - 1);
    evs_queue_peek(q, &ev);
    benchmark::DoNotOptimize(ev.path);
    evs_queue_release(q);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() *
                          (sizeof(kPath) - 1 + sizeof(kValue) - 1));
  evs_queue_destroy(q);
}
BENCHMARK(BM_QueuePushPop);

// Producer on this thread, consumer on another; items/s of the whole run.
void BM_Pipeline2T(benchmark::State &state) {
  const uint64_t n = 1 << 20;
  for (auto _ : state) {
    evs_queue_t *q = nullptr;
    evs_queue_create(nullptr, &q);
    std::thread consumer([q] {
      evs_event_t ev;
      while (evs_queue_wait_items(q) == EVS_OK)
        while (evs_queue_peek(q, &ev) == EVS_OK)
          evs_queue_release(q);
    });
    for (uint64_t i = 0; i < n;) {
      if (evs_queue_push(q, EVS_EVENT_SET, i + 1, kPath, sizeof(kPath) - 1,
                         kValue, sizeof(kValue) - 1) == EVS_OK)
        i++;
      else
        evs_queue_wait_space(q, sizeof(kValue) - 1);
    }
    evs_queue_close(q);
    consumer.join();
    evs_queue_destroy(q);
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * n *
                          (sizeof(kPath) - 1 + sizeof(kValue) - 1));
}
BENCHMARK(BM_Pipeline2T)->Unit(benchmark::kMillisecond)->UseRealTime();

void count_listener(const evs_event_t *, void *ud) {
  static_cast<std::atomic<uint64_t> *>(ud)->fetch_add(
      1, std::memory_order_relaxed);
}

// evs_store_set -> dispatcher -> listener(s), measured until all delivered.
void BM_SetToListener(benchmark::State &state) {
  const int subs = static_cast<int>(state.range(0));
  const uint64_t n = 1 << 16;
  for (auto _ : state) {
    evs_store_t *s = nullptr;
    evs_store_open(nullptr, &s);
    std::atomic<uint64_t> seen{0};
    uint64_t id;
    for (int i = 0; i < subs; i++)
      evs_store_subscribe(s, "/bench/**", 9, count_listener, &seen, &id);
    for (uint64_t i = 0; i < n; i++)
      evs_store_set(s, kPath, sizeof(kPath) - 1, kValue, sizeof(kValue) - 1);
    evs_store_close(s, EVS_CLOSE_DELIVER);
    evs_store_free(s);
    if (seen.load() != n * static_cast<uint64_t>(subs))
      state.SkipWithError("lost events");
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * n * (sizeof(kValue) - 1));
}
BENCHMARK(BM_SetToListener)
    ->Arg(1)
    ->Arg(16)
    ->Arg(256)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

} // namespace

BENCHMARK_MAIN();
