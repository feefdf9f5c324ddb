#include "http/bounded_task_queue.h"

namespace scoliomassage::http {
namespace {

thread_local bool overflow_thread = false;
// Connections the overflow thread may hold before the accept thread answers.
constexpr size_t kMaxOverflow = 64;

}  // namespace

BoundedTaskQueue::BoundedTaskQueue(size_t threads, size_t max_queued) : max_queued_(max_queued) {
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { RunWorker(); });
  threads_.emplace_back([this] { RunOverflow(); });
}

BoundedTaskQueue::~BoundedTaskQueue() { shutdown(); }

bool BoundedTaskQueue::IsOverflowThread() { return overflow_thread; }

void BoundedTaskQueue::enqueue(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!stopping_ && queue_.size() < max_queued_) {
      queue_.push_back(std::move(fn));
      ready_.notify_all();
      return;
    }
    if (!stopping_ && overflow_.size() < kMaxOverflow) {
      overflow_.push_back(std::move(fn));
      ready_.notify_all();
      return;
    }
  }
  // Every connection must be answered and closed (the task owns the socket).
  overflow_thread = true;
  fn();
  overflow_thread = false;
}

void BoundedTaskQueue::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

void BoundedTaskQueue::RunWorker() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

void BoundedTaskQueue::RunOverflow() {
  overflow_thread = true;
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !overflow_.empty(); });
      if (overflow_.empty()) return;
      task = std::move(overflow_.front());
      overflow_.pop_front();
    }
    task();
  }
}

}  // namespace scoliomassage::http
