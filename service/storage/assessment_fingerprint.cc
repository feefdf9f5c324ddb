#include "storage/assessment_fingerprint.h"

#include <openssl/evp.h>

#include <memory>

#include "base/hex.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace scoliomassage::storage {

std::string AssessmentFingerprint(const v1::Assessment& assessment) {
  v1::Assessment input;
  input.set_patient_id(assessment.patient_id());
  input.set_instrument_id(assessment.instrument_id());
  *input.mutable_answers() = assessment.answers();
  *input.mutable_performed_at() = assessment.performed_at();
  input.set_therapist_id(assessment.therapist_id());
  std::string bytes = "RecordAssessment:";
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    input.SerializeToCodedStream(&coded);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &digest_size, EVP_sha256(), nullptr);
  return base::HexEncode(absl::string_view(reinterpret_cast<const char*>(digest), digest_size));
}

}  // namespace scoliomassage::storage
