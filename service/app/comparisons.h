// HistoryService.CompareProtocols, for both faces (gRPC and HTTP) and for
// pages drawn from its answer (a forest plot takes the response as it is):
// checks the request, resolves a curve pattern to the catalog's protocols,
// reads the per-episode rows (an analytics read: the standby when
// configured) and lets core compute every figure (core/comparison.h).
//
// Who sees what: the analytics role gets small groups suppressed (fewer than
// 5 patients, and their complement) and never a patient id; clinic admins see
// every group. The role table (auth/caller.cc) refuses everyone else.
#pragma once

#include "absl/status/statusor.h"
#include "app/types.h"
#include "catalog/catalog.h"
#include "catalog/evaluations.h"
#include "catalog/instruments.h"
#include "core/comparison.h"
#include "scoliomassage/v1/comparison.pb.h"

namespace scoliomassage::app {

// INVALID_ARGUMENT with a field violation per bad field (an unknown enum
// value, a bad or empty protocol id, an invalid time, end not after start).
absl::Status ValidateCompareProtocolsRequest(const v1::CompareProtocolsRequest& request);

// The core result as the API's message (`compare_by` says how groups are
// named: COMPARE_BY_UNSPECIFIED as COMPARE_BY_PROTOCOL); `method` names the
// statistics and their sources.
v1::CompareProtocolsResponse ComparisonToProto(const core::ComparisonResult& result,
                                               v1::CompareBy compare_by);

class Comparisons {
 public:
  Comparisons(storage::Store& store, const catalog::Catalog& catalog,
              const catalog::Instruments& instruments)
      : store_(store), catalog_(catalog), instruments_(instruments) {}

  // The loaded protocol evaluations (null: none), for the catalog version
  // of each variant when groups are named by assigned variant.
  void set_evaluations(const catalog::Evaluations* evaluations) { evaluations_ = evaluations; }

  // Clinic-scoped by `caller`; the caller's role decides suppression.
  absl::StatusOr<v1::CompareProtocolsResponse> Compare(
      const auth::Caller& caller, const v1::CompareProtocolsRequest& request) const;

 private:
  storage::Store& store_;
  const catalog::Catalog& catalog_;
  const catalog::Instruments& instruments_;
  const catalog::Evaluations* evaluations_ = nullptr;
};

}  // namespace scoliomassage::app
