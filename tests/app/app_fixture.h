// A real SQLite store in a fresh temp file, the shipped catalog and the app
// objects over them, for tests that call the application layer directly.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "app/audit_trail.h"
#include "app/checkin.h"
#include "app/history.h"
#include "app/outcomes.h"
#include "app/pseudonym.h"
#include "auth/caller.h"
#include "core/engine.h"
#include "storage/store.h"

namespace scoliomassage::app::testing {

// Keeps what CheckIn asks to record.
class RecordedRecommendations final : public RecommendationLog {
 public:
  void Record(const std::string& clinic_id, const v1::RecommendProtocolRequest&,
              const v1::RecommendProtocolResponse& response) override {
    std::lock_guard<std::mutex> lock(mutex_);
    records_.emplace_back(clinic_id, response.recommendation_id());
  }
  std::vector<std::pair<std::string, std::string>> records() {
    std::lock_guard<std::mutex> lock(mutex_);
    return records_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<std::string, std::string>> records_;
};

class AppTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  static auth::Caller Admin() { return {"admin-1", auth::Role::kAdmin, "clinic-a"}; }
  static auth::Caller Host() { return {"frontdesk", auth::Role::kHost, "clinic-a"}; }
  static auth::Caller Therapist(std::string id) {
    return {std::move(id), auth::Role::kTherapist, "clinic-a"};
  }
  static auth::Caller Analytics() { return {"job-1", auth::Role::kAnalytics, "clinic-a"}; }

  static v1::RecommendProtocolRequest CheckInRequest(const std::string& patient_id);
  // A valid LogOutcome request for `patient_id` by therapist-1, with a fresh
  // request id.
  static v1::LogOutcomeRequest LogRequest(const std::string& patient_id);
  // The audit record of a call of `method` by `caller` that started at `start`.
  static AuditEvent CallAudit(const auth::Caller& caller, auth::Method method,
                              absl::Time start = absl::Now());
  // Logs `request` as `caller` and fails the test when it does not store.
  v1::Outcome MustLog(const auth::Caller& caller, const v1::LogOutcomeRequest& request);

  // The field names of the BadRequest violations `status` carries.
  static std::vector<std::string> ViolatedFields(const absl::Status& status);
  // The ErrorInfo reason `status` carries, empty when none.
  static std::string Reason(const absl::Status& status);

  std::filesystem::path directory_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<core::ProtocolEngine> engine_;
  std::unique_ptr<Pseudonymizer> pseudonyms_;
  RecordedRecommendations recommendations_;
  std::unique_ptr<CheckIn> checkin_;
  std::unique_ptr<Outcomes> outcomes_;
  std::unique_ptr<History> history_;
};

}  // namespace scoliomassage::app::testing
