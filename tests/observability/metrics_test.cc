// The registry, read back through the text it serves: the values recorded,
// histogram shape, cached series, and scrape hooks that end with their owner.
// The registry is per process, so each test uses labels of its own.
#include <gtest/gtest.h>
#include <prometheus/gauge.h>

#include <sstream>
#include <string>

#include "observability/metrics.h"

namespace scoliomassage::observability {
namespace {

// The value of the sample line that starts with `series` + " ", or -1.
double Sample(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

int Count(const std::string& text, const std::string& needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

TEST(MetricsTest, GrpcCallsByMethodAndCodeWithLatencyHistograms) {
  for (int i = 0; i < 3; ++i) RecordGrpcCall(40, "/test.Service/A", 0, 0.002);
  RecordGrpcCall(40, "/test.Service/A", 5, 0.2);
  RecordGrpcCall(41, "/test.Service/B", 99, 0.001);  // out of range: UNKNOWN
  const std::string text = ScrapeMetrics();
  EXPECT_EQ(Sample(text, R"(scoliomassage_grpc_calls_total{code="OK",method="/test.Service/A"})"), 3) << text;
  EXPECT_EQ(Sample(text, R"(scoliomassage_grpc_calls_total{code="NOT_FOUND",method="/test.Service/A"})"), 1);
  EXPECT_EQ(Sample(text, R"(scoliomassage_grpc_calls_total{code="UNKNOWN",method="/test.Service/B"})"), 1);
  const std::string ok = R"(code="OK",method="/test.Service/A")";
  EXPECT_EQ(Sample(text, "scoliomassage_grpc_call_duration_seconds_count{" + ok + "}"), 3);
  EXPECT_NEAR(Sample(text, "scoliomassage_grpc_call_duration_seconds_sum{" + ok + "}"), 0.006, 1e-9);
  EXPECT_EQ(Sample(text, "scoliomassage_grpc_call_duration_seconds_bucket{" + ok + R"(,le="0.001"})"), 0);
  EXPECT_EQ(Sample(text, "scoliomassage_grpc_call_duration_seconds_bucket{" + ok + R"(,le="0.0025"})"), 3);
  EXPECT_EQ(Sample(text, "scoliomassage_grpc_call_duration_seconds_bucket{" + ok + R"(,le="+Inf"})"), 3);
  EXPECT_EQ(Count(text, "# TYPE scoliomassage_grpc_calls_total counter"), 1);
  EXPECT_EQ(Count(text, "# TYPE scoliomassage_grpc_call_duration_seconds histogram"), 1);
  // The cached series is the one that keeps counting.
  RecordGrpcCall(40, "/test.Service/A", 0, 0.002);
  EXPECT_EQ(Sample(ScrapeMetrics(), R"(scoliomassage_grpc_calls_total{code="OK",method="/test.Service/A"})"), 4);
}

TEST(MetricsTest, HttpStoreAndBatches) {
  RecordHttpRequest("GET /test", 200, 0.01);
  RecordHttpRequest("GET /test", 200, 0.01);
  RecordHttpRequest("GET /test", 404, 0.01);
  CountStoreError("TEST_REASON");
  const std::string before = ScrapeMetrics();
  const double batches = Sample(before, "scoliomassage_sqlite_commit_batch_size_count");
  RecordCommitBatch(5);
  const std::string text = ScrapeMetrics();
  EXPECT_EQ(Sample(text, R"(scoliomassage_http_requests_total{route="GET /test",status="200"})"), 2) << text;
  EXPECT_EQ(Sample(text, R"(scoliomassage_http_requests_total{route="GET /test",status="404"})"), 1);
  EXPECT_EQ(Sample(text, R"(scoliomassage_store_errors_total{reason="TEST_REASON"})"), 1);
  EXPECT_EQ(Sample(text, "scoliomassage_sqlite_commit_batch_size_count"), batches + 1);
  EXPECT_GE(Sample(text, R"(scoliomassage_sqlite_commit_batch_size_bucket{le="8"})"),
            Sample(text, R"(scoliomassage_sqlite_commit_batch_size_bucket{le="4"})") + 1);
  EXPECT_EQ(Count(text, "scoliomassage_build_info{"), 1);
}

TEST(MetricsTest, ScrapeHooksReportUntilTheirOwnerGoes) {
  double depth = 3;
  {
    auto hook = ReportAtScrape(CallQueueDepthGauge(), [&depth] { return depth; });
    EXPECT_EQ(Sample(ScrapeMetrics(), "scoliomassage_call_queue_depth"), 3);
    depth = 11;
    EXPECT_EQ(Sample(ScrapeMetrics(), "scoliomassage_call_queue_depth"), 11);
  }
  depth = 99;  // the hook is gone: the gauge keeps its last value, `depth` is not read
  EXPECT_EQ(Sample(ScrapeMetrics(), "scoliomassage_call_queue_depth"), 11);
  SetHostOutboxDepth("host-test", 4);
  SetHostOutboxDepth("host-test", 2);
  EXPECT_EQ(Sample(ScrapeMetrics(), R"(scoliomassage_host_outbox_depth{principal="host-test"})"), 2);
}

}  // namespace
}  // namespace scoliomassage::observability
