// A persistent pool of worker threads for the CPU backend. parallelFor() splits a range
// into one contiguous chunk per thread (the caller runs chunk 0) and returns when all are
// done; no allocation and no thread creation per call.
//
//   cpu::ThreadPool pool(cpu::ThreadPool::defaultThreads());
//   pool.parallelFor(rows, [&](size_t begin, size_t end) { for (r = begin; r < end; ++r) ... });
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
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
  void parallelFor(size_t count, const std::function<void(size_t, size_t)> &fn);

  // Hardware threads (at least 1), or HEARTH_THREADS when set.
  static size_t defaultThreads();

private:
  void work(size_t index);

  std::vector<std::thread> m_workers;
  std::mutex m_mutex;
  std::condition_variable m_start, m_done;
  const std::function<void(size_t, size_t)> *m_fn = nullptr;
  size_t m_count = 0;
  size_t m_generation = 0;
  size_t m_pending = 0;
  bool m_stop = false;
};

} // namespace hearth::cpu
