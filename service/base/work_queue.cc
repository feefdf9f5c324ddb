#include "base/work_queue.h"

namespace scoliomassage::base {

WorkQueue::WorkQueue(size_t threads, size_t max_queued) : max_queued_(max_queued) {
  if (threads == 0) threads = 1;  // a queue nobody drains would hang Flush and shutdown
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { RunWorker(); });
}

WorkQueue::~WorkQueue() {
  Stop();
  for (auto& thread : threads_) thread.join();
}

void WorkQueue::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
}

bool WorkQueue::TrySubmit(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(task));
    ++accepted_;
  }
  ready_.notify_one();
  return true;
}

void WorkQueue::Flush() {
  std::unique_lock<std::mutex> lock(mutex_);
  const uint64_t target = accepted_;
  finished_.wait(lock, [&] { return completed_ >= target; });
}

void WorkQueue::RunWorker() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is done
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++completed_;
    }
    finished_.notify_all();
  }
}

size_t WorkQueue::queued() {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

}  // namespace scoliomassage::base
