// A persistent pool of worker threads for the CPU backend. parallelFor() splits a range
// into one contiguous chunk per thread (the caller runs chunk 0) and returns when all are
// done; no allocation and no thread creation per call.
//
// Dispatch is cheap: between calls the workers spin for a short while (~100 µs) on an
// atomic generation counter before they sleep on a condition variable, so the hundreds
// of small dispatches of one decoded token cost no system calls; an idle pool sleeps.
// Past the first few microseconds a waiting thread yields its core between checks, so
// that on a busy machine the threads it waits for get to run (2.6x faster decoding with
// two threads on a machine loaded ×6). Chunks are claimed: when the caller has finished
// its own, it runs every chunk whose worker has not started yet (asleep, or descheduled
// on a busy machine) instead of waiting for it.
//
//   cpu::ThreadPool pool(cpu::ThreadPool::defaultThreads());
//   pool.parallelFor(rows, [&](size_t begin, size_t end) { for (r = begin; r < end; ++r) ... });
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace hearth::cpu {

class ThreadPool {
public:
  explicit ThreadPool(size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  size_t size() const { return m_workers.size() + 1; }

  // fn(begin, end) over [0, count) in size() chunks (fewer when count is small).
  // Not reentrant: fn must not call parallelFor on the same pool.
  void parallelFor(size_t count, const std::function<void(size_t, size_t)> &fn);

  // Hardware threads (at least 1), or HEARTH_THREADS when set.
  static size_t defaultThreads();

private:
  void work(size_t index);
  bool claim(size_t index, size_t generation); // chunk `index` of that generation is ours
  void runChunk(size_t index);

  std::vector<std::thread> m_workers;
  std::mutex m_mutex; // guards sleeping and waking only
  std::condition_variable m_start, m_done;
  const std::function<void(size_t, size_t)> *m_fn = nullptr; // published by m_generation
  size_t m_count = 0;
  std::atomic<size_t> m_generation{0};
  std::atomic<size_t> m_pending{0};                 // worker chunks not yet finished
  std::unique_ptr<std::atomic<size_t>[]> m_claimed; // [size()]: generation that claimed each chunk
  std::atomic<bool> m_stop{false};
};

} // namespace hearth::cpu
