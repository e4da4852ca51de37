// Benchmark baseline, private to core/bench: the straightforward way to build
// the EventQueue's interface — one mutex around everything and two condition
// variables — over the same storage (slots with the path inline in a 256-byte
// array, a 1 MiB value ring whose values never straddle the end, the same
// capacities). Only the synchronisation differs from the lock-free ring, so
// the ratio between them measures exactly that. Not part of the library.
#ifndef EVS_BENCH_BASELINE_QUEUE_H
#define EVS_BENCH_BASELINE_QUEUE_H

#include <pthread.h>

#include <cstdint>
#include <cstring>
#include <vector>

extern "C" {
#include "evstore.h"
}

class MutexQueue {
public:
  static constexpr const char *kName = "mutex";

  MutexQueue()
      : slots_(EVS_QUEUE_DEFAULT_SLOTS), values_(EVS_QUEUE_DEFAULT_VALUE_RING) {
    pthread_mutex_init(&mu_, nullptr);
    pthread_cond_init(&items_, nullptr);
    pthread_cond_init(&space_, nullptr);
  }
  ~MutexQueue() {
    pthread_cond_destroy(&space_);
    pthread_cond_destroy(&items_);
    pthread_mutex_destroy(&mu_);
  }
  MutexQueue(const MutexQueue &) = delete;
  MutexQueue &operator=(const MutexQueue &) = delete;

  int push(uint64_t seq, const char *path, size_t plen, const void *v,
           size_t vlen) {
    if (plen > EVS_PATH_MAX)
      return EVS_EPATHLEN;
    if (vlen > values_.size() / 2)
      return EVS_E2BIG;
    pthread_mutex_lock(&mu_);
    if (closed_) {
      pthread_mutex_unlock(&mu_);
      return EVS_ECLOSED;
    }
    uint64_t pos = start(vtail_, vlen);
    if (!space_for(vlen)) {
      pthread_mutex_unlock(&mu_);
      return EVS_EAGAIN;
    }
    Slot &s = slots_[tail_ & (slots_.size() - 1)];
    std::memcpy(s.path, path, plen);
    s.path[plen] = '\0';
    s.path_len = static_cast<uint16_t>(plen);
    s.seq = seq;
    s.value_pos = pos;
    s.value_len = static_cast<uint32_t>(vlen);
    if (vlen)
      std::memcpy(&values_[pos & (values_.size() - 1)], v, vlen);
    vtail_ = pos + vlen;
    tail_++;
    pthread_cond_signal(&items_);
    pthread_mutex_unlock(&mu_);
    return EVS_OK;
  }

  int wait_space(size_t vlen) {
    pthread_mutex_lock(&mu_);
    while (!closed_ && !space_for(vlen))
      pthread_cond_wait(&space_, &mu_);
    int rc = closed_ ? EVS_ECLOSED : EVS_OK;
    pthread_mutex_unlock(&mu_);
    return rc;
  }

  int peek(evs_event_t *ev) {
    pthread_mutex_lock(&mu_);
    int rc = EVS_EAGAIN;
    if (head_ != tail_) {
      const Slot &s = slots_[head_ & (slots_.size() - 1)];
      ev->seq = s.seq;
      ev->type = EVS_EVENT_SET;
      ev->path = s.path;
      ev->path_len = s.path_len;
      ev->value_len = s.value_len;
      ev->value =
          s.value_len ? &values_[s.value_pos & (values_.size() - 1)] : nullptr;
      rc = EVS_OK;
    }
    pthread_mutex_unlock(&mu_);
    return rc;
  }

  void release() {
    pthread_mutex_lock(&mu_);
    const Slot &s = slots_[head_ & (slots_.size() - 1)];
    vhead_ = s.value_pos + s.value_len;
    head_++;
    pthread_cond_signal(&space_);
    pthread_mutex_unlock(&mu_);
  }

  int wait_items() {
    pthread_mutex_lock(&mu_);
    while (!closed_ && head_ == tail_)
      pthread_cond_wait(&items_, &mu_);
    int rc = head_ != tail_ ? EVS_OK : EVS_ECLOSED;
    pthread_mutex_unlock(&mu_);
    return rc;
  }

  void close() {
    pthread_mutex_lock(&mu_);
    closed_ = true;
    pthread_cond_broadcast(&items_);
    pthread_cond_broadcast(&space_);
    pthread_mutex_unlock(&mu_);
  }

private:
  struct Slot {
    char path[EVS_QUEUE_PATH_BYTES];
    uint64_t seq;
    uint64_t value_pos;
    uint32_t value_len;
    uint16_t path_len;
  };

  uint64_t start(uint64_t vt, size_t len) const {
    uint64_t cap = values_.size(), off = vt & (cap - 1);
    return (len != 0 && off + len > cap) ? vt + (cap - off) : vt;
  }
  bool space_for(size_t vlen) const {
    return tail_ - head_ < slots_.size() &&
           start(vtail_, vlen) + vlen - vhead_ <= values_.size();
  }

  pthread_mutex_t mu_;
  pthread_cond_t items_, space_;
  std::vector<Slot> slots_;
  std::vector<unsigned char> values_;
  uint64_t head_ = 0, tail_ = 0, vhead_ = 0, vtail_ = 0;
  bool closed_ = false;
};

#endif
