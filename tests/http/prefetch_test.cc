// The pure rules of fetching missing CDS Hooks prefetch (cds_prefetch.h):
// which fhirServer URLs are acceptable, token substitution, what answer
// counts as FHIR. The fetching itself is tested over sockets in
// cds_fetch_test.py.
#include "http/cds_prefetch.h"

#include <gtest/gtest.h>

#include "http/status_conversion.h"

namespace scoliomassage::http {
namespace {

using nlohmann::json;

TEST(FhirServerUrl, HttpsAnywhereHttpOnlyOnLoopback) {
  auto https = ParseFhirServerUrl("https://EHR.example.org/r4/");
  ASSERT_TRUE(https.ok()) << https.status();
  EXPECT_EQ(https->origin, "https://ehr.example.org:443");
  EXPECT_EQ(https->base, "https://ehr.example.org:443/r4");
  EXPECT_TRUE(ParseFhirServerUrl("http://127.0.0.1:8080/fhir").ok());
  EXPECT_TRUE(ParseFhirServerUrl("http://[::1]:8080").ok());
  EXPECT_TRUE(ParseFhirServerUrl("http://localhost/fhir").ok());
  EXPECT_FALSE(ParseFhirServerUrl("http://ehr.example.org/fhir").ok());
  EXPECT_FALSE(ParseFhirServerUrl("ftp://ehr.example.org").ok());
  EXPECT_FALSE(ParseFhirServerUrl("https://user:pw@ehr.example.org").ok());
  EXPECT_FALSE(ParseFhirServerUrl("https://ehr.example.org/fhir?x=1").ok());
  EXPECT_FALSE(ParseFhirServerUrl("https://ehr.example.org:99999").ok());
  EXPECT_FALSE(ParseFhirServerUrl("https://").ok());
}

TEST(FhirServerUrl, AllowlistComparesParsedBases) {
  auto url = ParseFhirServerUrl("https://ehr.example.org:443/r4");
  ASSERT_TRUE(url.ok());
  EXPECT_TRUE(FhirServerAllowed(*url, {"https://ehr.example.org/r4/"}));
  EXPECT_FALSE(FhirServerAllowed(*url, {"https://ehr.example.org/r4/other"}));
  EXPECT_FALSE(FhirServerAllowed(*url, {"https://ehr.example.org.evil.example/r4"}));
  EXPECT_FALSE(FhirServerAllowed(*url, {}));
}

TEST(PrefetchTokens, ContextAndUserTokensAreEncoded) {
  const json context = {{"patientId", "p 1&code=x"}, {"userId", "Practitioner/dr-7"}, {"encounterId", "e/../1"}};
  auto query = SubstitutePrefetchTokens("Observation?patient={{context.patientId}}&performer={{userPractitionerId}}",
                                        context);
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(*query, "Observation?patient=p%201%26code%3Dx&performer=dr-7");
  auto read = SubstitutePrefetchTokens("Encounter/{{ context.encounterId }}", context);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "Encounter/e%2F..%2F1");
  EXPECT_FALSE(SubstitutePrefetchTokens("Patient/{{context.nope}}", context).ok());
  EXPECT_FALSE(SubstitutePrefetchTokens("Patient/{{userPatientId}}", context).ok());  // userId is a Practitioner
  EXPECT_FALSE(SubstitutePrefetchTokens("Patient/{{context.patientId", context).ok());
  EXPECT_FALSE(SubstitutePrefetchTokens("https://evil.example/Patient", context).ok());
  EXPECT_FALSE(SubstitutePrefetchTokens("/Patient/x", context).ok());
}

TEST(FetchedResource, SearchNeedsBundleReadNeedsTheType) {
  EXPECT_TRUE(ParseFetchedResource("Condition?patient=1", R"({"resourceType":"Bundle","type":"searchset"})").ok());
  EXPECT_TRUE(ParseFetchedResource("Patient/1", R"({"resourceType":"Patient","id":"1"})").ok());
  EXPECT_FALSE(ParseFetchedResource("Patient/1", R"({"resourceType":"Bundle"})").ok());
  EXPECT_FALSE(ParseFetchedResource("Condition?patient=1", R"({"resourceType":"Condition"})").ok());
  EXPECT_FALSE(ParseFetchedResource("Patient/1", R"({"resourceType":"OperationOutcome"})").ok());
  EXPECT_FALSE(ParseFetchedResource("Patient/1", "<html></html>").ok());
  EXPECT_FALSE(ParseFetchedResource("Patient/1", R"({"id":"1"})").ok());
  EXPECT_FALSE(ParseFetchedResource("Condition?x", R"({"resourceType":"Bundle","entry":{}})").ok());
}

TEST(FetchedResource, FailureIs412NamingTheKey) {
  const absl::Status status = PrefetchFetchFailed("patient", "the FHIR server is unreachable");
  EXPECT_EQ(HttpStatusOf(status), 412);
  EXPECT_NE(status.message().find("prefetch 'patient'"), absl::string_view::npos);
}

}  // namespace
}  // namespace scoliomassage::http
