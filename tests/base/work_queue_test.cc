#include "base/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

namespace scoliomassage::base {
namespace {

// Holds every task that waits on it until Open().
class Gate {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
  }
  void WaitForWaiters(int count) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return waiting_ >= count; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int waiting_ = 0;
  bool open_ = false;
};

TEST(WorkQueue, RunsEveryAcceptedTask) {
  std::atomic<int> ran{0};
  {
    WorkQueue queue(4, 1000);
    for (int i = 0; i < 500; ++i) ASSERT_TRUE(queue.TrySubmit([&] { ++ran; }));
    queue.Flush();
    EXPECT_EQ(ran.load(), 500);
  }
  EXPECT_EQ(ran.load(), 500);
}

TEST(WorkQueue, RejectsWhenFullInsteadOfGrowing) {
  Gate gate;
  WorkQueue queue(1, 2);
  ASSERT_TRUE(queue.TrySubmit([&] { gate.Wait(); }));
  gate.WaitForWaiters(1);  // the only thread is busy
  EXPECT_TRUE(queue.TrySubmit([] {}));
  EXPECT_TRUE(queue.TrySubmit([] {}));
  EXPECT_FALSE(queue.TrySubmit([] {})) << "a third waiting task must be refused";
  gate.Open();
  queue.Flush();
  EXPECT_TRUE(queue.TrySubmit([] {})) << "room again once drained";
}

TEST(WorkQueue, UsesExactlyTheFixedThreads) {
  Gate gate;
  std::mutex mutex;
  std::set<std::thread::id> threads;
  WorkQueue queue(3, 100);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(queue.TrySubmit([&] {
      {
        std::lock_guard<std::mutex> lock(mutex);
        threads.insert(std::this_thread::get_id());
      }
      gate.Wait();
    }));
  }
  gate.WaitForWaiters(3);  // three tasks at once: three threads
  gate.Open();
  queue.Flush();
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(queue.TrySubmit([&] {
      std::lock_guard<std::mutex> lock(mutex);
      threads.insert(std::this_thread::get_id());
    }));
  }
  queue.Flush();
  EXPECT_EQ(threads.size(), 3u);
}

TEST(WorkQueue, DestructionDrainsWhatIsQueued) {
  std::atomic<int> ran{0};
  Gate gate;
  {
    WorkQueue queue(1, 100);
    ASSERT_TRUE(queue.TrySubmit([&] { gate.Wait(); ++ran; }));
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(queue.TrySubmit([&] { ++ran; }));
    gate.WaitForWaiters(1);
    gate.Open();
  }  // joins only after all 21 ran
  EXPECT_EQ(ran.load(), 21);
}

TEST(WorkQueue, StopRefusesNewTasksButRunsQueuedOnes) {
  std::atomic<int> ran{0};
  Gate gate;
  WorkQueue queue(1, 100);
  ASSERT_TRUE(queue.TrySubmit([&] { gate.Wait(); ++ran; }));
  ASSERT_TRUE(queue.TrySubmit([&] { ++ran; }));
  gate.WaitForWaiters(1);
  queue.Stop();
  EXPECT_FALSE(queue.TrySubmit([&] { ++ran; }));
  gate.Open();
  queue.Flush();
  EXPECT_EQ(ran.load(), 2);
}

TEST(WorkQueue, FlushWaitsForTasksAlreadyRunning) {
  std::atomic<bool> done{false};
  WorkQueue queue(2, 10);
  ASSERT_TRUE(queue.TrySubmit([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    done = true;
  }));
  queue.Flush();
  EXPECT_TRUE(done.load());
}

}  // namespace
}  // namespace scoliomassage::base
