// assess and episode: the AssessmentService and the EpisodeService.
//   assess record --json_in=FILE|- [--request_id=UUID]
//   assess list --patient=ID [--instrument=ID] [--json]
//   assess instruments [--json]
//   episode open --patient=ID [--request_id=UUID]
//   episode close NAME
//   episode list --patient=ID [--json]
//   episode result NAME [--json]
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "base/random_id.h"
#include "base/time.h"
#include "cli/commands.h"
#include "cli/json_io.h"
#include "cli/output_table.h"
#include "cli/error_exit.h"
#include "cli/request_id.h"
#include "scoliomassage/v1/assessment.grpc.pb.h"
#include "scoliomassage/v1/episode.grpc.pb.h"

namespace scoliomassage::cli {
namespace {

// At most one decimal, no trailing ".0" (as the server's cards write scores).
std::string Score(double value) {
  std::string text = absl::StrFormat("%.1f", value);
  if (absl::EndsWith(text, ".0")) text.resize(text.size() - 2);
  return text == "-0" ? "0" : text;
}

std::string Time(const google::protobuf::Timestamp& time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", base::TimestampToTime(time), absl::UTCTimeZone());
}

// "total=40" / "pain=not scoreable".
std::string Scores(const v1::Assessment& assessment) {
  std::vector<std::string> parts;
  for (const auto& score : assessment.scores()) {
    parts.push_back(absl::StrCat(score.domain(), "=",
                                 score.scoreable() ? Score(score.value())
                                                   : std::string("not scoreable")));
  }
  return absl::StrJoin(parts, " ");
}

template <typename Message>
int PrintJson(const grpc::Status& status, const Message& message, const Connection& connection) {
  if (!status.ok()) return ExitCallError(status, connection);
  std::fputs(ToJsonPretty(message).c_str(), stdout);
  return kExitOk;
}

std::string EpisodeName(const std::string& text) {
  return absl::StrContains(text, '/') ? text : absl::StrCat("episodes/", text);
}

int AssessRecord(const CommandOptions& options, const Connection& connection) {
  v1::RecordAssessmentRequest request;
  if (auto status = ReadJsonRequest(options.json_in, &request); !status.ok()) {
    return ExitUsageError(status);
  }
  if (auto status = SettleRequestId(options.request_id, request.mutable_request_id());
      !status.ok()) {
    return ExitUsageError(status);
  }
  auto stub = v1::AssessmentService::NewStub(connection.channel());
  grpc::ClientContext context;
  connection.PrepareUnary(&context);
  v1::Assessment assessment;
  return PrintJson(stub->RecordAssessment(&context, request, &assessment), assessment, connection);
}

int AssessList(const CommandOptions& options, const Connection& connection) {
  if (options.filter.patient.empty()) {
    return ExitUsageError(absl::InvalidArgumentError("assess list needs --patient=ID"));
  }
  v1::ListAssessmentsRequest request;
  request.set_patient_id(options.filter.patient);
  request.set_instrument_id(options.instrument);
  request.set_page_size(100);
  auto stub = v1::AssessmentService::NewStub(connection.channel());
  v1::ListAssessmentsResponse all;
  do {
    grpc::ClientContext context;
    connection.PrepareUnary(&context);
    v1::ListAssessmentsResponse page;
    grpc::Status status = stub->ListAssessments(&context, request, &page);
    if (!status.ok()) return ExitCallError(status, connection);
    for (auto& assessment : *page.mutable_assessments()) *all.add_assessments() = assessment;
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (options.json) {
    std::fputs(ToJsonPretty(all).c_str(), stdout);
    return kExitOk;
  }
  OutputTable table({"performed at", "instrument", "scores", "episode", "name"});
  for (const auto& assessment : all.assessments()) {
    table.AddRow({Time(assessment.performed_at()), assessment.instrument_id(), Scores(assessment),
                  assessment.episode(), assessment.name()});
  }
  std::string out = table.Render();
  if (all.assessments().empty()) out += "(no assessments)\n";
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

int AssessInstruments(const CommandOptions& options, const Connection& connection) {
  auto stub = v1::AssessmentService::NewStub(connection.channel());
  grpc::ClientContext context;
  connection.PrepareUnary(&context);
  v1::ListInstrumentsResponse response;
  grpc::Status status = stub->ListInstruments(&context, v1::ListInstrumentsRequest(), &response);
  if (!status.ok() || options.json) return PrintJson(status, response, connection);
  OutputTable table({"id", "name", "version", "items", "domains"});
  for (const auto& instrument : response.instruments()) {
    std::vector<std::string> domains;
    for (const auto& domain : instrument.domains()) domains.push_back(domain.id());
    table.AddRow({instrument.id(), instrument.name(), instrument.version(),
                  absl::StrCat(instrument.items_size()), absl::StrJoin(domains, ",")});
  }
  std::fputs(table.Render().c_str(), stdout);
  return kExitOk;
}

int EpisodeOpen(const CommandOptions& options, const Connection& connection) {
  if (options.filter.patient.empty()) {
    return ExitUsageError(absl::InvalidArgumentError("episode open needs --patient=ID"));
  }
  v1::OpenEpisodeRequest request;
  request.set_patient_id(options.filter.patient);
  if (auto status = SettleRequestId(options.request_id, request.mutable_request_id());
      !status.ok()) {
    return ExitUsageError(status);
  }
  auto stub = v1::EpisodeService::NewStub(connection.channel());
  grpc::ClientContext context;
  connection.PrepareUnary(&context);
  v1::Episode episode;
  return PrintJson(stub->OpenEpisode(&context, request, &episode), episode, connection);
}

int EpisodeClose(const CommandOptions& options, const Connection& connection) {
  if (options.args.size() != 2) {
    return ExitUsageError(
        absl::InvalidArgumentError("episode close takes one episode name, e.g. episodes/0f3c..."));
  }
  v1::CloseEpisodeRequest request;
  request.set_name(EpisodeName(options.args[1]));
  auto stub = v1::EpisodeService::NewStub(connection.channel());
  grpc::ClientContext context;
  connection.PrepareUnary(&context);
  v1::Episode episode;
  return PrintJson(stub->CloseEpisode(&context, request, &episode), episode, connection);
}

int EpisodeList(const CommandOptions& options, const Connection& connection) {
  if (options.filter.patient.empty()) {
    return ExitUsageError(absl::InvalidArgumentError("episode list needs --patient=ID"));
  }
  v1::ListEpisodesRequest request;
  request.set_patient_id(options.filter.patient);
  auto stub = v1::EpisodeService::NewStub(connection.channel());
  grpc::ClientContext context;
  connection.PrepareUnary(&context);
  v1::ListEpisodesResponse response;
  grpc::Status status = stub->ListEpisodes(&context, request, &response);
  if (!status.ok() || options.json) return PrintJson(status, response, connection);
  OutputTable table({"name", "opened", "closed"});
  for (const auto& episode : response.episodes()) {
    table.AddRow({episode.name(), Time(episode.opened_at()),
                  episode.open() ? std::string("open") : Time(episode.closed_at())});
  }
  std::fputs(table.Render().c_str(), stdout);
  return kExitOk;
}

int EpisodeResult(const CommandOptions& options, const Connection& connection) {
  if (options.args.size() != 2) {
    return ExitUsageError(
        absl::InvalidArgumentError("episode result takes one episode name, e.g. episodes/0f3c..."));
  }
  v1::GetEpisodeResultRequest request;
  request.set_name(EpisodeName(options.args[1]));
  auto stub = v1::EpisodeService::NewStub(connection.channel());
  grpc::ClientContext context;
  connection.PrepareUnary(&context);
  v1::EpisodeResult result;
  grpc::Status status = stub->GetEpisodeResult(&context, request, &result);
  if (!status.ok() || options.json) return PrintJson(status, result, connection);
  OutputTable table({"measure", "domain", "baseline", "latest", "change", "values", "meaningful",
                     "threshold"});
  for (int column : {2, 3, 4, 5}) table.AlignRight(column);
  for (const auto& change : result.changes()) {
    table.AddRow({change.measure(), change.domain(), Score(change.baseline()),
                  Score(change.latest()), Score(change.change()),
                  absl::StrCat(change.count()),
                  change.meaningful() ? "yes" : (change.improved() ? "improved, below" : "no"),
                  change.threshold()});
  }
  std::string out = table.Render();
  if (result.changes().empty()) out += "(nothing measured twice in this episode yet)\n";
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

// Dispatches on the first positional argument.
template <size_t N>
int Dispatch(const char* command, const CommandOptions& options, const Connection& connection,
             const std::pair<const char*, int (*)(const CommandOptions&, const Connection&)> (
                 &actions)[N]) {
  std::vector<std::string> names;
  for (const auto& [name, run] : actions) {
    if (!options.args.empty() && options.args[0] == name) return run(options, connection);
    names.push_back(name);
  }
  return ExitUsageError(absl::InvalidArgumentError(
      absl::StrCat(command, " needs one of: ", absl::StrJoin(names, ", "))));
}

}  // namespace

int RunAssess(const CommandOptions& options, const Connection& connection) {
  static const std::pair<const char*, int (*)(const CommandOptions&, const Connection&)>
      kActions[] = {{"record", AssessRecord}, {"list", AssessList},
                    {"instruments", AssessInstruments}};
  return Dispatch("assess", options, connection, kActions);
}

int RunEpisode(const CommandOptions& options, const Connection& connection) {
  static const std::pair<const char*, int (*)(const CommandOptions&, const Connection&)>
      kActions[] = {{"open", EpisodeOpen},
                    {"close", EpisodeClose},
                    {"list", EpisodeList},
                    {"result", EpisodeResult}};
  return Dispatch("episode", options, connection, kActions);
}

}  // namespace scoliomassage::cli
