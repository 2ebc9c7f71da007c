#include "cpu/thread_pool.h"

#include <chrono>
#include <cstdlib>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HEARTH_PAUSE() _mm_pause()
#else
#define HEARTH_PAUSE() std::this_thread::yield()
#endif

namespace hearth::cpu {
namespace {

void chunk(size_t count, size_t parts, size_t index, size_t &begin, size_t &end)
{
  begin = count * index / parts;
  end = count * (index + 1) / parts;
}

// How long a thread spins on an atomic before it sleeps: long enough to cover the gaps
// between the dispatches of one token, short enough that an idle pool costs nothing.
constexpr auto kSpin = std::chrono::microseconds(100);

// Spins until pred() or kSpin has passed; returns pred(). After a short pure spin it
// yields the core between checks: on an idle machine that costs nothing, on a busy one it
// lets the pool's other threads (the ones being waited for) run sooner.
template <typename Pred>
bool spinUntil(Pred pred)
{
  for (int i = 0; i < 256; ++i) {
    if (pred())
      return true;
    HEARTH_PAUSE();
  }
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (;;) {
    for (int i = 0; i < 16; ++i) {
      if (pred())
        return true;
      HEARTH_PAUSE();
    }
    std::this_thread::yield();
    if (std::chrono::steady_clock::now() > deadline)
      return pred();
  }
}

} // namespace

ThreadPool::ThreadPool(size_t threads) : m_claimed(new std::atomic<size_t>[std::max<size_t>(threads, 1)])
{
  for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i)
    m_claimed[i].store(0);
  for (size_t i = 1; i < std::max<size_t>(threads, 1); ++i)
    m_workers.emplace_back([this, i] { work(i); });
}

ThreadPool::~ThreadPool()
{
  {
    std::lock_guard lock(m_mutex);
    m_stop.store(true);
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

bool ThreadPool::claim(size_t index, size_t generation)
{
  size_t seen = m_claimed[index].load(std::memory_order_acquire);
  while (seen < generation)
    if (m_claimed[index].compare_exchange_weak(seen, generation, std::memory_order_acq_rel))
      return true;
  return false;
}

void ThreadPool::runChunk(size_t index)
{
  size_t begin, end;
  chunk(m_count, size(), index, begin, end);
  if (begin < end)
    (*m_fn)(begin, end);
}

void ThreadPool::parallelFor(size_t count, const std::function<void(size_t, size_t)> &fn)
{
  if (count == 0)
    return;
  if (m_workers.empty() || count == 1) {
    fn(0, count);
    return;
  }
  m_fn = &fn;
  m_count = count;
  m_pending.store(m_workers.size(), std::memory_order_relaxed);
  const size_t generation = m_generation.load(std::memory_order_relaxed) + 1;
  {
    // Under the mutex so that a worker deciding to sleep cannot miss this generation.
    std::lock_guard lock(m_mutex);
    m_generation.store(generation, std::memory_order_release);
  }
  m_start.notify_all();
  runChunk(0);
  // Chunks whose workers have not started yet: run them here rather than wait.
  for (size_t i = 1; i < size(); ++i)
    if (claim(i, generation)) {
      runChunk(i);
      m_pending.fetch_sub(1, std::memory_order_acq_rel);
    }
  auto done = [this] { return m_pending.load(std::memory_order_acquire) == 0; };
  if (!spinUntil(done)) {
    std::unique_lock lock(m_mutex);
    m_done.wait(lock, done);
  }
  m_fn = nullptr;
}

void ThreadPool::work(size_t index)
{
  size_t seen = 0;
  for (;;) {
    auto ready = [&] {
      return m_stop.load(std::memory_order_acquire) || m_generation.load(std::memory_order_acquire) != seen;
    };
    if (!spinUntil(ready)) {
      std::unique_lock lock(m_mutex);
      m_start.wait(lock, ready);
    }
    if (m_stop.load(std::memory_order_acquire))
      return;
    seen = m_generation.load(std::memory_order_acquire);
    // The caller may have run this chunk already (or moved on to a later generation);
    // once claimed, the caller waits for it, so m_fn and m_count are this generation's.
    if (!claim(index, seen))
      continue;
    runChunk(index);
    if (m_pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard lock(m_mutex); // the caller may be between its check and its wait
      m_done.notify_one();
    }
  }
}

} // namespace hearth::cpu
