// history and summary: the HistoryService, for analytics jobs.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/csv.h"
#include "cli/filter_flags.h"
#include "cli/history_format.h"
#include "cli/json_io.h"
#include "cli/progress.h"
#include "cli/error_exit.h"
#include "cli/summary_format.h"
#include "scoliomassage/v1/history.grpc.pb.h"

namespace scoliomassage::cli {
namespace {

bool Write(const std::string& text) {
  return std::fwrite(text.data(), 1, text.size(), stdout) == text.size();
}

// Printed whenever the stream ends early, so the job can continue exactly
// after the last record it has.
void PrintResumeHint(const std::string& last_token, int64_t written) {
  if (last_token.empty()) {
    std::fprintf(stderr, "scoliomassage: %lld records written; no resume_token yet, start again\n",
                 static_cast<long long>(written));
    return;
  }
  std::fprintf(stderr,
               "scoliomassage: %lld records written; continue with --resume_token=%s\n"
               "resume_token: %s\n",
               static_cast<long long>(written), last_token.c_str(), last_token.c_str());
}

}  // namespace

int RunHistory(const CommandOptions& options, const Connection& connection) {
  const bool csv = options.format == "csv";
  if (!csv && options.format != "jsonl") {
    return ExitUsageError(absl::InvalidArgumentError(
        absl::StrCat("--format=", options.format, " is not known; use jsonl or csv")));
  }
  auto filter = BuildHistoryFilter(options.filter);
  if (!filter.ok()) return ExitUsageError(filter.status());

  v1::QueryHistoryRequest request;
  *request.mutable_filter() = *filter;
  request.set_resume_token(options.resume_token);
  request.set_include_revisions(options.include_revisions);

  auto stub = v1::HistoryService::NewStub(connection.channel());
  grpc::ClientContext context;
  connection.PrepareStream(&context);
  auto reader = stub->QueryHistory(&context, request);

  if (csv && !Write(CsvRow(HistoryCsvHeader()))) {
    context.TryCancel();
    reader->Finish();
    std::fputs("scoliomassage: cannot write to stdout\n", stderr);
    return kExitFailure;
  }
  // Each record goes out as soon as it arrives: memory stays flat however
  // long the history is, and gRPC flow control slows the server down when
  // the consumer of stdout is slow.
  Progress progress(stderr, isatty(STDERR_FILENO) == 1);
  std::string last_token = options.resume_token;
  v1::HistoryRecord record;
  bool write_failed = false;
  while (reader->Read(&record)) {
    const std::string line = csv ? CsvRow(HistoryCsvRow(record)) : ToJsonLine(record);
    if (!Write(line)) {
      write_failed = true;
      context.TryCancel();
      break;
    }
    last_token = record.resume_token();
    progress.Count();
  }
  progress.Finish();
  const bool flushed = std::fflush(stdout) == 0;
  const grpc::Status status = reader->Finish();
  if (write_failed || !flushed) {
    std::fputs("scoliomassage: cannot write to stdout\n", stderr);
    PrintResumeHint(last_token, progress.count());
    return kExitFailure;
  }
  if (!status.ok()) {
    ExitCallError(status, connection);
    PrintResumeHint(last_token, progress.count());
    return kExitFailure;
  }
  return kExitOk;
}

int RunSummary(const CommandOptions& options, const Connection& connection) {
  auto filter = BuildHistoryFilter(options.filter);
  if (!filter.ok()) return ExitUsageError(filter.status());
  auto group_by = ParseGroupBy(options.group_by);
  if (!group_by.ok()) return ExitUsageError(group_by.status());

  v1::SummarizeOutcomesRequest request;
  *request.mutable_filter() = *filter;
  for (v1::GroupBy dimension : *group_by) request.add_group_by(dimension);

  auto stub = v1::HistoryService::NewStub(connection.channel());
  grpc::ClientContext context;
  connection.PrepareUnary(&context);
  v1::SummarizeOutcomesResponse response;
  const grpc::Status status = stub->SummarizeOutcomes(&context, request, &response);
  if (!status.ok()) return ExitCallError(status, connection);
  const std::string out =
      options.json ? ToJsonPretty(response) : FormatSummaryTable(response, *group_by);
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace scoliomassage::cli
