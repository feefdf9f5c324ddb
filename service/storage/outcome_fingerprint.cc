#include "storage/outcome_fingerprint.h"

#include <openssl/evp.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "base/hex.h"
#include "core/curve_validation.h"
#include "core/outcome_validation.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace scoliomassage::storage {
namespace {

template <typename Message>
std::string CanonicalBytes(Message outcome) {
  core::ClearOutputOnlyFields(&outcome);
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    outcome.SerializeToCodedStream(&coded);
  }
  return bytes;
}

// Length-prefixes each part so ("ab", "c") and ("a", "bc") differ.
std::string Sha256Hex(std::initializer_list<absl::string_view> parts) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr);
  for (absl::string_view part : parts) {
    const std::string length = absl::StrCat(part.size(), ":");
    EVP_DigestUpdate(context.get(), length.data(), length.size());
    EVP_DigestUpdate(context.get(), part.data(), part.size());
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  EVP_DigestFinal_ex(context.get(), digest, &digest_size);
  return base::HexEncode(absl::string_view(reinterpret_cast<const char*>(digest), digest_size));
}

}  // namespace

std::string LogOutcomeFingerprint(const v1::Outcome& outcome) {
  return Sha256Hex({"LogOutcome", CanonicalBytes(outcome)});
}

std::string AmendOutcomeFingerprint(const std::string& name, const v1::Outcome& corrected,
                                    const std::string& reason) {
  return Sha256Hex({"AmendOutcome", name, CanonicalBytes(corrected), reason});
}

std::string RecordCurveFingerprint(const v1::CurveMeasurement& measurement) {
  return Sha256Hex({"RecordCurveMeasurement", CanonicalBytes(measurement)});
}

std::string AmendCurveFingerprint(const std::string& name, const v1::CurveMeasurement& corrected,
                                  const std::string& reason) {
  return Sha256Hex({"AmendCurveMeasurement", name, CanonicalBytes(corrected), reason});
}

}  // namespace scoliomassage::storage
