#include "api/history_servicer.h"

#include <optional>

#include "api/status_conversion.h"
#include "base/error_reasons.h"
#include "core/errors.h"

namespace scoliomassage::api {
namespace {

class HistoryStream final : public grpc::ServerWriteReactor<v1::HistoryRecord> {
 public:
  HistoryStream(CallRunner& runner, const app::History& history,
                grpc::CallbackServerContext* context, const v1::QueryHistoryRequest* request)
      : runner_(runner), history_(history), context_(context), request_(request),
        start_(absl::Now()), resume_token_(request->resume_token()) {}

  void Begin() {
    absl::Status admitted = runner_.Admit(*context_, auth::Method::kQueryHistory, &scope_);
    if (admitted.ok()) admitted = history_.ValidateQuery(*request_);
    if (!admitted.ok()) return Complete(admitted);
    scope_.subject = "history";
    FetchPage();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) return Complete(absl::CancelledError("the client stopped reading the stream"));
    ++next_;
    if (next_ < page_.records.size()) return WriteNext();
    if (page_.done) return Complete(absl::OkStatus());
    FetchPage();
  }

  void OnDone() override { delete this; }

 private:
  void FetchPage() {
    const bool submitted = runner_.calls().TrySubmit([this] {
      if (context_->IsCancelled()) return Complete(absl::CancelledError("the client cancelled"));
      if (!horizon_.has_value()) {
        auto horizon = history_.StartStream();
        if (!horizon.ok()) return Complete(horizon.status());
        horizon_ = *std::move(horizon);
      }
      auto page = history_.NextPage(scope_.caller, *request_, resume_token_, *horizon_);
      if (!page.ok()) return Complete(page.status());
      page_ = *std::move(page);
      next_ = 0;
      if (page_.records.empty()) return Complete(absl::OkStatus());
      WriteNext();
    });
    if (!submitted) {
      Complete(core::WithReason(
          absl::ResourceExhaustedError("server overloaded; resume with the last resume_token"),
          base::kReasonOverloaded));
    }
  }

  void WriteNext() {
    const v1::HistoryRecord& record = page_.records[next_];
    resume_token_ = record.resume_token();
    StartWrite(&record);
  }

  void Complete(const absl::Status& status) {
    runner_.Record(auth::Method::kQueryHistory, scope_, status, start_);
    Finish(ToGrpcStatus(status));
  }

  CallRunner& runner_;
  const app::History& history_;
  grpc::CallbackServerContext* context_;
  const v1::QueryHistoryRequest* request_;
  const absl::Time start_;
  CallScope scope_;
  std::string resume_token_;
  app::HistoryPage page_;
  size_t next_ = 0;
  // Fixed before the first page, on a worker thread (it may wait).
  std::optional<storage::HistoryHorizon> horizon_;
};

}  // namespace

grpc::ServerWriteReactor<v1::HistoryRecord>* HistoryServicer::QueryHistory(
    grpc::CallbackServerContext* context, const v1::QueryHistoryRequest* request) {
  auto* stream = new HistoryStream(runner_, history_, context, request);
  stream->Begin();
  return stream;
}

grpc::ServerUnaryReactor* HistoryServicer::SummarizeOutcomes(
    grpc::CallbackServerContext* context, const v1::SummarizeOutcomesRequest* request,
    v1::SummarizeOutcomesResponse* response) {
  return runner_.RunUnary(context, auth::Method::kSummarizeOutcomes, [=](CallScope& scope) {
    scope.subject = "summary";
    auto result = history_.Summarize(scope.caller, *request);
    if (result.ok()) *response = *std::move(result);
    return result.status();
  });
}

grpc::ServerUnaryReactor* HistoryServicer::CompareProtocols(
    grpc::CallbackServerContext* context, const v1::CompareProtocolsRequest* request,
    v1::CompareProtocolsResponse* response) {
  return runner_.RunUnary(context, auth::Method::kCompareProtocols, [=](CallScope& scope) {
    scope.subject = "comparison";
    if (comparisons_ == nullptr) return absl::UnimplementedError("comparisons are not served here");
    auto result = comparisons_->Compare(scope.caller, *request);
    if (result.ok()) *response = *std::move(result);
    return result.status();
  });
}

grpc::ServerUnaryReactor* AuditServicer::ListAuditRecords(
    grpc::CallbackServerContext* context, const v1::ListAuditRecordsRequest* request,
    v1::ListAuditRecordsResponse* response) {
  return runner_.RunUnary(context, auth::Method::kListAuditRecords, [=](CallScope& scope) {
    scope.subject = "audit";
    auto result = history_.ListAudit(scope.caller, *request);
    if (result.ok()) *response = *std::move(result);
    return result.status();
  });
}

}  // namespace scoliomassage::api
