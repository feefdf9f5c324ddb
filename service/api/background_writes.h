// Writes that the caller does not wait for: audit records and the record of
// each recommendation. Waiting for their fsync would put a disk flush on the
// check-in path (CDS Hooks budget) for data the caller never reads back, so
// they are queued and written by a few threads whose concurrent writes the
// store's writer group-commits (one fsync for many records). The trade-off: a
// crash can lose the last few milliseconds of such records (never an
// outcome: outcomes are acknowledged only after their own commit). When the
// queue is full, new records are dropped and counted; the count is logged.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

#include "scoliomassage/v1/protocol.pb.h"
#include "storage/store.h"

namespace scoliomassage::api {

class BackgroundWrites {
 public:
  BackgroundWrites(storage::Store& store, size_t max_queued);
  ~BackgroundWrites();  // writes what is queued, then stops

  void Audit(storage::AuditEntry entry);
  void Recommendation(std::string clinic_id, v1::RecommendProtocolRequest request,
                      v1::RecommendProtocolResponse response);
  // Blocks until everything queued so far is written (tests, shutdown).
  void Flush();

 private:
  struct RecommendationRecord {
    std::string clinic_id;
    v1::RecommendProtocolRequest request;
    v1::RecommendProtocolResponse response;
  };
  using Item = std::variant<storage::AuditEntry, RecommendationRecord>;

  void Enqueue(Item item);
  void RunWriter();
  void Write(const Item& item);

  storage::Store& store_;
  const size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Item> queue_;
  uint64_t enqueued_ = 0;
  uint64_t written_ = 0;
  uint64_t dropped_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> writers_;
};

}  // namespace scoliomassage::api
