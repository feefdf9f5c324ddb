#include "storage/metered_executor.h"

#include <string>
#include <utility>

#include "core/errors.h"
#include "observability/metrics.h"
#include "storage/store_errors.h"

namespace scoliomassage::storage {
namespace {

void Count(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kAborted:
      break;
    default:
      return;  // an answer, not a failure of the store
  }
  auto reason = status.GetPayload(core::kReasonTypeUrl);
  observability::CountStoreError(reason ? std::string(*reason) : std::string(kReasonStoreError));
}

class MeteredExecutor final : public SqlExecutor {
 public:
  explicit MeteredExecutor(std::unique_ptr<SqlExecutor> inner) : inner_(std::move(inner)) {}

  absl::Status Write(const WriteBody& body) override {
    absl::Status status = inner_->Write(body);
    if (!status.ok()) Count(status);
    return status;
  }
  absl::Status Read(const ReadBody& body) override {
    absl::Status status = inner_->Read(body);
    if (!status.ok()) Count(status);
    return status;
  }
  SqlDialect dialect() const override { return inner_->dialect(); }

 private:
  std::unique_ptr<SqlExecutor> inner_;
};

}  // namespace

std::unique_ptr<SqlExecutor> WithErrorMetrics(std::unique_ptr<SqlExecutor> executor) {
  return std::make_unique<MeteredExecutor>(std::move(executor));
}

}  // namespace scoliomassage::storage
