// Protocol evaluations through the real server over a socket: a server
// started with an evaluations file gives each new episode the variant the
// stable hash of the pseudonym assigns, says so in the basis, keeps it for
// the episode, records a therapist's override, and shows it on the episode.
// Without the file nothing changes; a broken file stops the start.
#include <grpcpp/grpcpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "app/pseudonym.h"
#include "app/variants.h"
#include "catalog/loader.h"
#include "google/protobuf/text_format.h"
#include "in_process_server.h"
#include "scoliomassage/v1/episode.grpc.pb.h"
#include "scoliomassage/v1/protocol.grpc.pb.h"
#include "status_details.h"

namespace scoliomassage {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// The shipped catalog plus version 1 of lumbar-c-curve (the shipped one is
// version 2), in `directory`.
std::string WriteTwoVersionCatalog(const fs::path& directory) {
  const fs::path catalog_dir = directory / "catalog";
  fs::create_directories(catalog_dir);
  for (const auto& entry : fs::directory_iterator(SCOLIOMASSAGE_TEST_CATALOG_DIR)) {
    if (entry.path().extension() == ".textproto") {
      fs::copy_file(entry.path(), catalog_dir / entry.path().filename());
    }
  }
  auto shipped = catalog::LoadCatalog(SCOLIOMASSAGE_TEST_CATALOG_DIR);
  EXPECT_TRUE(shipped.ok()) << shipped.status();
  v1::Catalog extra;
  v1::CatalogProtocol* previous = extra.add_protocols();
  *previous = *(*shipped)->FindById("lumbar-c-curve");
  previous->set_version(1);
  previous->set_title("Lumbar C-curve, previous version");
  std::string text;
  google::protobuf::TextFormat::PrintToString(extra, &text);
  std::ofstream(catalog_dir / "zz-lumbar-previous.textproto") << text;
  return catalog_dir.string();
}

constexpr char kEvaluation[] = R"(evaluations {
  clinic_id: "dev"
  name: "lumbar-2027"
  protocol_id: "lumbar-c-curve"
  variant_a_version: 1
  variant_b_version: 2
  start_date: "2026-01-01"
}
)";

v1::RecommendProtocolRequest CheckIn(const std::string& patient) {
  v1::RecommendProtocolRequest request;
  request.set_patient_id(patient);
  request.mutable_profile()->set_primary_region(v1::SPINE_REGION_LUMBAR);
  request.mutable_profile()->set_curve_pattern(v1::CURVE_PATTERN_C_CURVE);
  request.mutable_profile()->set_convex_side(v1::SIDE_RIGHT);
  request.mutable_profile()->set_age_years(35);
  request.mutable_screening()->set_pain_nrs(4);
  return request;
}

// Dev mode: clinic "dev", the built-in development pseudonym secret. The
// test finds patients of each variant the way an auditor would.
std::string PatientWith(v1::EvaluationVariant variant) {
  app::Pseudonymizer pseudonyms("scoliomassage-dev-pseudonym-secret");
  for (int i = 0;; ++i) {
    std::string id = absl::StrCat("patient-", i);
    if (app::HashVariant("lumbar-2027", pseudonyms.Pseudonym("dev", id)) == variant) return id;
  }
}

class EvaluationServerTest : public InProcessServerTest {
 protected:
  void Configure(server::Options& options) override {
    options.catalog = WriteTwoVersionCatalog(directory_);
    std::ofstream(directory_ / "evaluations.textproto") << kEvaluation;
    options.evaluations_file = (directory_ / "evaluations.textproto").string();
  }
  void SetUp() override {
    InProcessServerTest::SetUp();
    protocols_ = v1::ProtocolService::NewStub(channel_);
    episodes_ = v1::EpisodeService::NewStub(channel_);
  }
  v1::RecommendProtocolResponse Recommend(const v1::RecommendProtocolRequest& request) {
    grpc::ClientContext context;
    v1::RecommendProtocolResponse response;
    grpc::Status status = protocols_->RecommendProtocol(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }
  std::vector<v1::Episode> Episodes(const std::string& patient) {
    grpc::ClientContext context;
    v1::ListEpisodesRequest request;
    request.set_patient_id(patient);
    v1::ListEpisodesResponse response;
    grpc::Status status = episodes_->ListEpisodes(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.episodes().begin(), response.episodes().end()};
  }

  std::unique_ptr<v1::ProtocolService::Stub> protocols_;
  std::unique_ptr<v1::EpisodeService::Stub> episodes_;
};

TEST_F(EvaluationServerTest, TheBasisNamesTheVariantAndTheEpisodeKeepsIt) {
  const std::string b = PatientWith(v1::EVALUATION_VARIANT_B);
  auto first = Recommend(CheckIn(b));
  EXPECT_EQ(first.protocol().protocol_version(), 2u);
  EXPECT_THAT(first.basis().summary(),
              HasSubstr("evaluation lumbar-2027: variant B (assigned by a stable hash of the "
                        "pseudonym)"));
  EXPECT_EQ(first.basis().evaluation().variant(), v1::EVALUATION_VARIANT_B);
  auto episodes = Episodes(b);
  ASSERT_EQ(episodes.size(), 1u);
  EXPECT_EQ(episodes[0].evaluation().variant(), v1::EVALUATION_VARIANT_B);
  EXPECT_FALSE(episodes[0].evaluation().overridden());

  const std::string a = PatientWith(v1::EVALUATION_VARIANT_A);
  auto other = Recommend(CheckIn(a));
  EXPECT_EQ(other.protocol().protocol_version(), 1u);
  EXPECT_EQ(other.protocol().title(), "Lumbar C-curve, previous version");
  EXPECT_THAT(other.basis().summary(), HasSubstr("evaluation lumbar-2027: variant A"));
  // The same patient checks in again: the same variant.
  EXPECT_EQ(Recommend(CheckIn(a)).protocol().protocol_version(), 1u);
}

TEST_F(EvaluationServerTest, AnOverrideIsMarkedInTheBasisAndOnTheEpisode) {
  const std::string a = PatientWith(v1::EVALUATION_VARIANT_A);
  v1::RecommendProtocolRequest request = CheckIn(a);
  request.mutable_variant_override()->set_variant(v1::EVALUATION_VARIANT_B);
  request.mutable_variant_override()->set_reason("the previous version flared her pain");
  auto response = Recommend(request);
  EXPECT_EQ(response.protocol().protocol_version(), 2u);
  EXPECT_TRUE(response.basis().evaluation().overridden());
  EXPECT_EQ(response.basis().evaluation().override_by(), "dev");
  EXPECT_THAT(response.basis().summary(), HasSubstr("variant B (overridden by dev"));
  auto episodes = Episodes(a);
  ASSERT_EQ(episodes.size(), 1u);
  EXPECT_TRUE(episodes[0].evaluation().overridden());
  EXPECT_EQ(episodes[0].evaluation().assigned_variant(), v1::EVALUATION_VARIANT_A);
  EXPECT_EQ(episodes[0].evaluation().override_reason(), "the previous version flared her pain");
}

TEST_F(EvaluationServerTest, ABadOverrideIsInvalidArgumentNamingTheField) {
  v1::RecommendProtocolRequest request = CheckIn(PatientWith(v1::EVALUATION_VARIANT_A));
  request.mutable_variant_override()->set_variant(v1::EVALUATION_VARIANT_B);
  grpc::ClientContext context;
  v1::RecommendProtocolResponse response;
  grpc::Status status = protocols_->RecommendProtocol(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto violations = testing::FieldViolations(status);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].first, "variant_override.reason");
}

// Without --evaluations_file (the default) the same catalog gives everyone
// the latest version and no episode opens at check-in.
class NoEvaluationServerTest : public InProcessServerTest {
 protected:
  void Configure(server::Options& options) override {
    options.catalog = WriteTwoVersionCatalog(directory_);
  }
};

TEST_F(NoEvaluationServerTest, OffByDefault) {
  auto protocols = v1::ProtocolService::NewStub(channel_);
  auto episodes = v1::EpisodeService::NewStub(channel_);
  for (auto variant : {v1::EVALUATION_VARIANT_A, v1::EVALUATION_VARIANT_B}) {
    const std::string patient = PatientWith(variant);
    grpc::ClientContext context;
    v1::RecommendProtocolResponse response;
    ASSERT_TRUE(protocols->RecommendProtocol(&context, CheckIn(patient), &response).ok());
    EXPECT_EQ(response.protocol().protocol_version(), 2u);
    EXPECT_FALSE(response.basis().has_evaluation());
    EXPECT_THAT(response.basis().summary(), Not(HasSubstr("evaluation")));
    grpc::ClientContext list_context;
    v1::ListEpisodesRequest list;
    list.set_patient_id(patient);
    v1::ListEpisodesResponse listed;
    ASSERT_TRUE(episodes->ListEpisodes(&list_context, list, &listed).ok());
    EXPECT_EQ(listed.episodes_size(), 0);
  }
}

TEST(EvaluationStartTest, ABrokenEvaluationsFileStopsTheStartWithFileAndReason) {
  const fs::path directory = fs::temp_directory_path() /
                             absl::StrCat("scoliomassage-evaluation-start-", ::getpid());
  fs::remove_all(directory);
  fs::create_directories(directory);
  const fs::path file = directory / "evaluations.textproto";
  std::ofstream(file) << absl::StrReplaceAll(kEvaluation, {{"variant_a_version: 1",
                                                            "variant_a_version: 9"}});
  server::Options options;
  options.listen = "127.0.0.1:0";
  options.database = "sqlite://" + (directory / "test.db").string();
  options.catalog = SCOLIOMASSAGE_TEST_CATALOG_DIR;
  options.evaluations_file = file.string();
  auto started = server::Server::Start(options);
  ASSERT_FALSE(started.ok());
  EXPECT_THAT(std::string(started.status().message()), HasSubstr(file.string() + ":5:"));
  EXPECT_THAT(std::string(started.status().message()),
              HasSubstr("variant_a_version: the catalog has no version 9"));
  fs::remove_all(directory);
}

}  // namespace
}  // namespace scoliomassage
