#include "cpu/thread_pool.h"

#include <cstdlib>

namespace hearth::cpu {
namespace {

void chunk(size_t count, size_t parts, size_t index, size_t &begin, size_t &end)
{
  begin = count * index / parts;
  end = count * (index + 1) / parts;
}

} // namespace

ThreadPool::ThreadPool(size_t threads)
{
  for (size_t i = 1; i < std::max<size_t>(threads, 1); ++i)
    m_workers.emplace_back([this, i] { work(i); });
}

ThreadPool::~ThreadPool()
{
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_start.notify_all();
  for (auto &t : m_workers)
    t.join();
}

size_t ThreadPool::defaultThreads()
{
  if (const char *env = std::getenv("HEARTH_THREADS")) {
    const long n = std::strtol(env, nullptr, 10);
    if (n > 0 && n < 1024)
      return size_t(n);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

void ThreadPool::parallelFor(size_t count, const std::function<void(size_t, size_t)> &fn)
{
  if (count == 0)
    return;
  if (m_workers.empty() || count == 1) {
    fn(0, count);
    return;
  }
  {
    std::lock_guard lock(m_mutex);
    m_fn = &fn;
    m_count = count;
    m_pending = m_workers.size();
    ++m_generation;
  }
  m_start.notify_all();
  size_t begin, end;
  chunk(count, size(), 0, begin, end);
  if (begin < end)
    fn(begin, end);
  std::unique_lock lock(m_mutex);
  m_done.wait(lock, [this] { return m_pending == 0; });
  m_fn = nullptr;
}

void ThreadPool::work(size_t index)
{
  size_t seen = 0;
  for (;;) {
    const std::function<void(size_t, size_t)> *fn;
    size_t count;
    {
      std::unique_lock lock(m_mutex);
      m_start.wait(lock, [&] { return m_stop || m_generation != seen; });
      if (m_stop)
        return;
      seen = m_generation;
      fn = m_fn;
      count = m_count;
    }
    size_t begin, end;
    chunk(count, size(), index, begin, end);
    if (begin < end)
      (*fn)(begin, end);
    {
      std::lock_guard lock(m_mutex);
      --m_pending;
    }
    m_done.notify_one();
  }
}

} // namespace hearth::cpu
