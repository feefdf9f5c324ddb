// Every cell of the README's role table, written out so a change to the table
// must change this test too.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "auth/caller.h"

namespace scoliomassage::auth {
namespace {

const Method kAllMethods[] = {
    Method::kRecommendProtocol, Method::kListProtocols, Method::kLogOutcome,
    Method::kAmendOutcome,      Method::kGetOutcome,    Method::kListOutcomes,
    Method::kQueryHistory,      Method::kSummarizeOutcomes, Method::kListAuditRecords,
    Method::kGetPatientReport,  Method::kFhirSearch,    Method::kFhirExport,
    Method::kSendCdsFeedback,   Method::kReadMetrics,
    Method::kRecordAssessment,  Method::kListAssessments, Method::kListInstruments,
    Method::kOpenEpisode,       Method::kCloseEpisode,  Method::kListEpisodes,
    Method::kGetEpisodeResult,
    Method::kRecordCurveMeasurement, Method::kListCurveMeasurements,
    Method::kAmendCurveMeasurement, Method::kGetCurveMeasurement,
    Method::kCompareProtocols};

// Curve measurements: clinical staff and host software, never analytics.
const std::set<Method> kCurveMethods = {
    Method::kRecordCurveMeasurement, Method::kListCurveMeasurements,
    Method::kAmendCurveMeasurement, Method::kGetCurveMeasurement};

TEST(RoleTableTest, EveryRoleAndMethod) {
  std::map<Role, std::set<Method>> allowed = {
      {Role::kHost, {Method::kRecommendProtocol, Method::kListProtocols, Method::kLogOutcome,
                     Method::kGetOutcome, Method::kListOutcomes, Method::kGetPatientReport,
                     Method::kFhirSearch, Method::kSendCdsFeedback, Method::kRecordAssessment,
                     Method::kListAssessments, Method::kListInstruments, Method::kOpenEpisode,
                     Method::kCloseEpisode, Method::kListEpisodes, Method::kGetEpisodeResult}},
      {Role::kTherapist, {Method::kListProtocols, Method::kLogOutcome, Method::kAmendOutcome,
                          Method::kGetOutcome, Method::kGetPatientReport, Method::kFhirSearch,
                          Method::kRecordAssessment, Method::kListAssessments,
                          Method::kListInstruments, Method::kOpenEpisode, Method::kCloseEpisode,
                          Method::kListEpisodes, Method::kGetEpisodeResult}},
      {Role::kAnalytics, {Method::kListProtocols, Method::kQueryHistory, Method::kSummarizeOutcomes,
                          Method::kFhirSearch, Method::kFhirExport, Method::kListInstruments,
                          Method::kCompareProtocols}},
      {Role::kAdmin, {std::begin(kAllMethods), std::end(kAllMethods)}},
  };
  allowed[Role::kHost].insert(kCurveMethods.begin(), kCurveMethods.end());
  allowed[Role::kTherapist].insert(kCurveMethods.begin(), kCurveMethods.end());
  for (const auto& [role, methods] : allowed) {
    for (Method method : kAllMethods) {
      EXPECT_EQ(IsAllowed(role, method), methods.count(method) == 1)
          << RoleName(role) << " " << MethodPath(method);
    }
  }
}

TEST(RoleTableTest, RoleNamesRoundTripAndUnknownNamesAreRejected) {
  for (Role role : {Role::kHost, Role::kTherapist, Role::kAnalytics, Role::kAdmin}) {
    Role parsed;
    ASSERT_TRUE(ParseRole(RoleName(role), &parsed));
    EXPECT_EQ(parsed, role);
  }
  Role parsed;
  EXPECT_FALSE(ParseRole("root", &parsed));
  EXPECT_FALSE(ParseRole("", &parsed));
}

}  // namespace
}  // namespace scoliomassage::auth
