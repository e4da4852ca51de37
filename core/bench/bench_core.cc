// Core benchmarks: the EventQueue on one thread and across two, the value
// ring with mixed sizes, set -> listener end to end, and worker poll/complete.
// Queue benchmarks run twice, once on the lock-free ring and once on
// MutexQueue (baseline_queue.h), and every run ends with a summary of the
// ring/baseline ratios computed from that run's own medians.
//
// Every benchmark reports items/s and bytes/s (path + value bytes per event).
// Queue benchmark names are "<family>/ring/..." and "<family>/mutex/..." so
// that tools can pair them by replacing the one word (scripts/bench does).
#include <benchmark/benchmark.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

extern "C" {
#include "evstore.h"
}

#include "baseline_queue.h"

namespace {

// The lock-free EventQueue behind the interface shared with MutexQueue.
struct RingQueue {
  static constexpr const char *kName = "ring";
  evs_queue_t *q = nullptr;
  RingQueue() {
    if (evs_queue_open(nullptr, &q) != EVS_OK)
      std::abort();
  }
  ~RingQueue() {
    evs_queue_free(q);
  }
  RingQueue(const RingQueue &) = delete;
  RingQueue &operator=(const RingQueue &) = delete;
  int push(uint64_t seq, const char *path, size_t plen, const void *v,
           size_t vlen) {
    return evs_queue_push(q, EVS_EVENT_SET, seq, path, plen, v, vlen);
  }
  int wait_space(size_t vlen) {
    return evs_queue_wait_space(q, vlen);
  }
  int peek(evs_event_t *ev) {
    return evs_queue_peek(q, ev);
  }
  void release() {
    evs_queue_release(q);
  }
  int wait_items() {
    return evs_queue_wait_items(q);
  }
  void close() {
    evs_queue_close(q);
  }
  // Adds this queue's handover counters to *sum (see BM_Pipeline2T).
  void add_handovers(evs_queue_stats_t *sum) const {
    evs_queue_stats_t st{};
    evs_queue_stats(q, &st);
    sum->consumer_polls += st.consumer_polls;
    sum->consumer_sleeps += st.consumer_sleeps;
    sum->producer_polls += st.producer_polls;
  }
};

// A path of exactly `len` bytes made of plausible segments.
std::string make_path(size_t len) {
  std::string p = "/bench/users/12345";
  const char *segs[] = {"/profile",  "/settings", "/notifications",
                        "/channels", "/email",    "/digest"};
  for (size_t i = 0; p.size() < len; i++)
    p += segs[i % 6];
  p.resize(len);
  if (p.back() == '/')
    p.back() = 'x';
  return p;
}

std::string make_value(size_t len) {
  std::string v(len, '\0');
  for (size_t i = 0; i < len; i++)
    v[i] = static_cast<char>('a' + i % 26);
  return v;
}

void set_rates(benchmark::State &state, uint64_t items, uint64_t bytes) {
  state.SetItemsProcessed(static_cast<int64_t>(items));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

// Push then pop one event on one thread: the uncontended cost of the
// operations themselves.
template <class Q> void BM_QueuePushPop(benchmark::State &state) {
  const std::string path = make_path(static_cast<size_t>(state.range(0)));
  const std::string value = make_value(static_cast<size_t>(state.range(1)));
  Q q;
  evs_event_t ev;
  uint64_t seq = 0;
  for (auto _ : state) {
    if (q.push(++seq, path.data(), path.size(), value.data(), value.size()) !=
            EVS_OK ||
        q.peek(&ev) != EVS_OK) {
      state.SkipWithError("push/peek failed");
      break;
    }
    benchmark::DoNotOptimize(ev.path);
    q.release();
  }
  set_rates(state, state.iterations(),
            state.iterations() * (path.size() + value.size()));
}

constexpr uint64_t kPipelineEvents = 1 << 20;
constexpr uint64_t kMixedEvents = 1 << 14;

// The CPUs this process may run on, in order.
std::vector<int> allowed_cpus() {
  std::vector<int> cpus;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    for (int c = 0; c < CPU_SETSIZE; c++)
      if (CPU_ISSET(c, &set))
        cpus.push_back(c);
  return cpus;
}

// Pins the calling thread to one CPU; false if it cannot.
bool pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

// CPU time of the calling thread so far, in seconds.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) +
         1e-9 * static_cast<double>(ts.tv_nsec);
}

// Producer on this thread, consumer on another; the clock covers the whole
// transfer of n events. The consumer checks order and sizes. cores:0 leaves
// the threads to the scheduler, which on a 2-CPU machine often runs both on
// one CPU in turns (no line transfers at all, hence much higher figures:
// reports/bench/design-measurements.md); cores:2 pins
// them to two different CPUs, so every figure pays the cross-core transfers.
// Counters: c_cpu_ns_per_ev, the consumer thread's CPU time per event (the
// CPU column is the producer's, per iteration), which tells a queue that is
// slow from threads that did not get their CPUs on a loaded machine. Ring
// only, from the queue's handover statistics: ev_per_handover, events per
// consumer re-read of tail that found new events; index_lines_per_ev, the
// index line transfers per event, two per such re-read by either side (the
// reader fetches the line, the owner's next store fetches it back);
// sleeps_per_kev, consumer sleeps per 1000 events.
template <class Q> void BM_Pipeline2T(benchmark::State &state) {
  const std::string path = make_path(static_cast<size_t>(state.range(0)));
  const std::string value = make_value(static_cast<size_t>(state.range(1)));
  const uint64_t n = kPipelineEvents;
  const std::vector<int> cpus = allowed_cpus();
  // Where it cannot pin (e.g. fewer than two CPUs allowed), cores:2 runs
  // unpinned, and says so.
  const bool pinned =
      state.range(2) == 2 && cpus.size() >= 2 && pin_to(cpus[0]);
  if (state.range(2) == 2 && !pinned)
    state.SetLabel("not pinned: needs two allowed CPUs");
  evs_queue_stats_t handovers{};
  double consumer_cpu = 0;
  for (auto _ : state) {
    Q q;
    bool ok = true;
    std::thread consumer(
        [&q, &ok, &path, &value, pinned, &cpus, &consumer_cpu] {
          if (pinned && !pin_to(cpus[1]))
            ok = false;
          const double cpu0 = thread_cpu_seconds();
          evs_event_t ev;
          uint64_t next = 1;
          while (q.wait_items() == EVS_OK)
            while (q.peek(&ev) == EVS_OK) {
              if (ev.seq != next++ || ev.path_len != path.size() ||
                  ev.value_len != value.size())
                ok = false;
              q.release();
            }
          if (next != kPipelineEvents + 1)
            ok = false;
          consumer_cpu += thread_cpu_seconds() - cpu0;
        });
    for (uint64_t i = 0; i < n;) {
      if (q.push(i + 1, path.data(), path.size(), value.data(), value.size()) ==
          EVS_OK)
        i++;
      else
        q.wait_space(value.size());
    }
    q.close();
    consumer.join();
    if constexpr (std::is_same_v<Q, RingQueue>)
      q.add_handovers(&handovers);
    if (!ok) {
      state.SkipWithError("consumer saw a wrong event, or could not pin");
      break;
    }
  }
  if (pinned) {
    cpu_set_t all;
    CPU_ZERO(&all);
    for (int c : cpus)
      CPU_SET(c, &all);
    pthread_setaffinity_np(pthread_self(), sizeof all, &all);
  }
  set_rates(state, state.iterations() * n,
            state.iterations() * n * (path.size() + value.size()));
  const double events = static_cast<double>(state.iterations() * n);
  if (events > 0)
    state.counters["c_cpu_ns_per_ev"] = 1e9 * consumer_cpu / events;
  if constexpr (std::is_same_v<Q, RingQueue>) {
    if (events > 0 && handovers.consumer_polls > 0) {
      const double polls = static_cast<double>(handovers.consumer_polls +
                                               handovers.producer_polls);
      state.counters["ev_per_handover"] =
          events / static_cast<double>(handovers.consumer_polls);
      state.counters["index_lines_per_ev"] = 2 * polls / events;
      state.counters["sleeps_per_kev"] =
          1000.0 * static_cast<double>(handovers.consumer_sleeps) / events;
    }
  }
}

// Two threads, values of 1 B .. 64 KiB (log-uniform, fixed sequence) through
// the default 1 MiB value ring, which therefore wraps every ~100 events.
std::vector<uint32_t> mixed_sizes() {
  std::vector<uint32_t> sizes(4096);
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (auto &s : sizes) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    unsigned e = static_cast<unsigned>(x % 17); /* 2^0 .. 2^16 */
    uint32_t lo = 1u << e;
    s = std::min<uint32_t>(65536, lo + static_cast<uint32_t>((x >> 8) % lo));
  }
  return sizes;
}

template <class Q> void BM_ValueRingMixed(benchmark::State &state) {
  static const std::vector<uint32_t> sizes = mixed_sizes();
  static const std::string src = make_value(65536);
  const std::string path = make_path(32);
  const uint64_t n = kMixedEvents;
  uint64_t bytes = 0;
  for (uint64_t i = 0; i < n; i++)
    bytes += path.size() + sizes[i % sizes.size()];
  for (auto _ : state) {
    Q q;
    bool ok = true;
    std::thread consumer([&q, &ok] {
      evs_event_t ev;
      uint64_t i = 0;
      while (q.wait_items() == EVS_OK)
        while (q.peek(&ev) == EVS_OK) {
          size_t len = sizes[i++ % sizes.size()];
          const char *v = static_cast<const char *>(ev.value);
          if (ev.value_len != len || v[0] != src[0] ||
              v[len - 1] != src[len - 1])
            ok = false;
          q.release();
        }
      if (i != kMixedEvents)
        ok = false;
    });
    for (uint64_t i = 0; i < n;) {
      size_t len = sizes[i % sizes.size()];
      if (q.push(i + 1, path.data(), path.size(), src.data(), len) == EVS_OK)
        i++;
      else
        q.wait_space(len);
    }
    q.close();
    consumer.join();
    if (!ok) {
      state.SkipWithError("consumer saw a wrong value");
      break;
    }
  }
  set_rates(state, state.iterations() * n, state.iterations() * bytes);
}

void count_listener(const evs_event_t *, void *ud) {
  static_cast<std::atomic<uint64_t> *>(ud)->fetch_add(
      1, std::memory_order_relaxed);
}

const char kPath[] = "/bench/users/12345/profile";
const char kValue[] = "0123456789abcdef0123456789abcdef";

// evs_store_set -> dispatcher -> listener(s), measured until all delivered
// (open and close of the store included). Items are events written.
void BM_SetToListener(benchmark::State &state) {
  const int subs = static_cast<int>(state.range(0));
  const uint64_t n = 1 << 16;
  for (auto _ : state) {
    evs_store_t *s = nullptr;
    if (evs_store_open(nullptr, &s) != EVS_OK) {
      state.SkipWithError("open failed");
      break;
    }
    std::atomic<uint64_t> seen{0};
    uint64_t id;
    for (int i = 0; i < subs; i++)
      evs_store_subscribe(s, "/bench/**", 9, count_listener, &seen, &id);
    for (uint64_t i = 0; i < n; i++)
      evs_store_set(s, kPath, sizeof(kPath) - 1, kValue, sizeof(kValue) - 1);
    evs_store_close(s, EVS_CLOSE_DELIVER);
    evs_store_free(s);
    if (seen.load() != n * static_cast<uint64_t>(subs)) {
      state.SkipWithError("lost events");
      break;
    }
  }
  set_rates(state, state.iterations() * n,
            state.iterations() * n * (sizeof(kPath) - 1 + sizeof(kValue) - 1));
}

// Worker: n events are written and wait as step events (not timed); the
// clock covers polling them in batches of 256, completing each id and
// freeing the batches.
void BM_WorkerPollComplete(benchmark::State &state) {
  const uint64_t n = 1 << 14;
  const size_t batch = 256;
  for (auto _ : state) {
    evs_store_t *s = nullptr;
    evs_worker_t *w = nullptr;
    if (evs_store_open(nullptr, &s) != EVS_OK ||
        evs_worker_open(s, "/bench/**", 9, n, &w) != EVS_OK) {
      state.SkipWithError("store or worker open failed");
      evs_store_free(s);
      break;
    }
    for (uint64_t i = 0; i < n; i++)
      evs_store_set(s, kPath, sizeof(kPath) - 1, kValue, sizeof(kValue) - 1);
    evs_worker_status_t st{};
    while (evs_worker_status(w, &st) == EVS_OK && st.pending < n)
      std::this_thread::yield();
    auto t0 = std::chrono::steady_clock::now();
    uint64_t done = 0;
    bool ok = true;
    while (done < n && ok) {
      evs_step_event_t *evs = nullptr;
      size_t cnt = 0;
      if (evs_worker_poll(w, batch, &evs, &cnt) != EVS_OK || cnt == 0)
        ok = false;
      for (size_t i = 0; i < cnt; i++)
        if (evs_worker_complete(w, evs[i].id, nullptr) != EVS_OK)
          ok = false;
      evs_step_events_free(evs, cnt);
      done += cnt;
    }
    auto t1 = std::chrono::steady_clock::now();
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    evs_worker_free(w);
    evs_store_free(s);
    if (!ok) {
      state.SkipWithError("poll/complete failed");
      break;
    }
  }
  set_rates(state, state.iterations() * n,
            state.iterations() * n * (sizeof(kPath) - 1 + sizeof(kValue) - 1));
}

// Console output plus, at the end, ring/baseline ratios of items/s for every
// queue benchmark that ran in both variants. Uses the "median" aggregates
// when repetitions produced them, else the median of the individual runs.
class RatioReporter : public benchmark::ConsoleReporter {
public:
  using benchmark::ConsoleReporter::ConsoleReporter;

  void ReportRuns(const std::vector<Run> &runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run &r : runs) {
      if (r.error_occurred)
        continue;
      auto it = r.counters.find("items_per_second");
      if (it == r.counters.end())
        continue;
      std::string name = r.run_name.str();
      if (r.run_type == Run::RT_Aggregate) {
        if (r.aggregate_name == "median")
          medians_[name] = it->second.value;
      } else {
        samples_[name].push_back(it->second.value);
      }
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    for (auto &kv : samples_)
      if (!medians_.count(kv.first)) {
        std::vector<double> v = kv.second;
        std::sort(v.begin(), v.end());
        size_t m = v.size() / 2;
        medians_[kv.first] = v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
      }
    std::FILE *out = stdout;
    std::fprintf(out, "\nring/baseline (median items/s, lock-free ring vs "
                      "mutex+condvar queue, same run):\n");
    for (auto &kv : medians_) {
      size_t pos = kv.first.find("/ring/");
      if (pos == std::string::npos)
        continue;
      std::string base = kv.first;
      base.replace(pos, 6, "/mutex/");
      auto b = medians_.find(base);
      if (b == medians_.end() || b->second <= 0)
        continue;
      std::fprintf(out, "  %-44s %8.2fM/s vs %8.2fM/s  ratio %.2fx\n",
                   kv.first.c_str(), kv.second / 1e6, b->second / 1e6,
                   kv.second / b->second);
    }
    std::fflush(out);
  }

private:
  std::map<std::string, double> medians_;
  std::map<std::string, std::vector<double>> samples_;
};

uint64_t core_live_bytes() {
  evs_alloc_stats_t st{};
  evs_alloc_stats(&st);
  return st.live_bytes;
}

// Memory is a performance figure too (issue 16): what a store and its queue
// hold, from the core's exact allocation counters (bytes asked for, every
// one of them touched by the time the rings have wrapped once), and what one
// event costs while it waits in the queue: its slot plus its value's bytes
// in the value ring (from the queue's own counters, with the benchmark's
// 26-byte path and 32-byte value). Counters only; the timing is the cost of
// measuring them.
void BM_Footprint(benchmark::State &state) {
  for (auto _ : state) {
    uint64_t b0 = core_live_bytes();
    evs_store_t *s = nullptr;
    if (evs_store_open(nullptr, &s) != EVS_OK) {
      state.SkipWithError("open failed");
      break;
    }
    uint64_t store_bytes = core_live_bytes() - b0;
    evs_store_free(s);
    b0 = core_live_bytes();
    evs_queue_t *q = nullptr;
    if (evs_queue_open(nullptr, &q) != EVS_OK) {
      state.SkipWithError("queue failed");
      break;
    }
    uint64_t queue_bytes = core_live_bytes() - b0;
    evs_queue_stats_t qs{};
    evs_queue_stats(q, &qs);
    const uint32_t k = qs.slots / 2;
    for (uint32_t i = 0; i < k; i++)
      evs_queue_push(q, EVS_EVENT_SET, i, kPath, sizeof(kPath) - 1, kValue,
                     sizeof(kValue) - 1);
    evs_queue_stats(q, &qs);
    evs_queue_free(q);
    double slot = static_cast<double>(queue_bytes - qs.value_ring_bytes) /
                  static_cast<double>(qs.slots);
    double value = qs.pending ? static_cast<double>(qs.value_bytes_in_use) /
                                    static_cast<double>(qs.pending)
                              : 0;
    state.counters["store_bytes"] = static_cast<double>(store_bytes);
    state.counters["queue_bytes"] = static_cast<double>(queue_bytes);
    state.counters["queue_slots"] = qs.slots;
    state.counters["value_ring_bytes"] = qs.value_ring_bytes;
    state.counters["bytes_per_event_in_flight"] = slot + value;
  }
}

template <class Q> void register_queue_benchmarks() {
  std::string q = Q::kName;
  benchmark::RegisterBenchmark(("BM_QueuePushPop/" + q).c_str(),
                               BM_QueuePushPop<Q>)
      ->ArgNames({"path", "value"})
      ->Args({26, 32});
  // ~60-byte events (small) and a 240-byte path that fills the 256-byte slot
  // path array usefully (the ~300-byte slot case the pipeline target names).
  benchmark::RegisterBenchmark(("BM_Pipeline2T/" + q).c_str(), BM_Pipeline2T<Q>)
      ->ArgNames({"path", "value", "cores"})
      ->Args({26, 32, 0})
      ->Args({240, 32, 0})
      ->Args({26, 32, 2})
      ->Args({240, 32, 2})
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark(("BM_ValueRingMixed/" + q).c_str(),
                               BM_ValueRingMixed<Q>)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

} // namespace

int main(int argc, char **argv) {
  register_queue_benchmarks<RingQueue>();
  register_queue_benchmarks<MutexQueue>();
  benchmark::RegisterBenchmark("BM_SetToListener", BM_SetToListener)
      ->ArgName("subs")
      ->Arg(1)
      ->Arg(16)
      ->Arg(256)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("BM_WorkerPollComplete", BM_WorkerPollComplete)
      ->Unit(benchmark::kMillisecond)
      ->UseManualTime();
  benchmark::RegisterBenchmark("BM_Footprint", BM_Footprint)->Iterations(1);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  RatioReporter display(isatty(STDOUT_FILENO)
                            ? benchmark::ConsoleReporter::OO_ColorTabular
                            : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&display);
  benchmark::Shutdown();
  return 0;
}
