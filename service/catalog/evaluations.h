// Protocol evaluations: a clinic compares two catalog versions of one
// protocol, and each new episode is assigned one of them (app/variants.h).
// Off unless the server is started with --evaluations_file; loaded and
// checked at start against the loaded catalog, all or nothing like the
// catalog itself.
//
// Errors of LoadEvaluations:
//   FAILED_PRECONDITION  the file cannot be read (the message names it);
//   INVALID_ARGUMENT     it does not parse or breaks a rule below; one line
//                        per problem, "file:line:column: evaluation "name":
//                        field: what is wrong".
// Rules: clinic_id, name (lowercase letters, digits, dashes; unique per
// clinic), protocol_id (in the catalog), variant_a_version and
// variant_b_version (two different versions of it, both in the catalog) and
// start_date ("YYYY-MM-DD") are required; a clinic evaluates a protocol in
// at most one evaluation at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "catalog/catalog.h"
#include "catalog/loader.h"  // CatalogFile
#include "scoliomassage/v1/catalog.pb.h"

namespace scoliomassage::catalog {

struct Evaluation {
  v1::ProtocolEvaluation config;
  // start_date at 00:00 UTC, in microseconds.
  int64_t start_us = 0;

  // The catalog version of a variant; 0 for EVALUATION_VARIANT_UNSPECIFIED.
  uint32_t VersionOf(v1::EvaluationVariant variant) const;
};

class Evaluations {
 public:
  explicit Evaluations(std::vector<Evaluation> evaluations);

  // The clinic's evaluation of this protocol; null when there is none (the
  // usual case: evaluations are off by default).
  const Evaluation* Find(absl::string_view clinic_id, absl::string_view protocol_id) const;

  const std::vector<Evaluation>& evaluations() const { return evaluations_; }

 private:
  std::vector<Evaluation> evaluations_;
};

// `path` is one textproto file of a v1.ProtocolEvaluations message.
absl::StatusOr<std::shared_ptr<const Evaluations>> LoadEvaluations(const std::string& path,
                                                                   const Catalog& catalog);

// What LoadEvaluations does once the file is read. For tests.
absl::StatusOr<std::shared_ptr<const Evaluations>> ParseEvaluations(const CatalogFile& file,
                                                                    const Catalog& catalog);

}  // namespace scoliomassage::catalog
