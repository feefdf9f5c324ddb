#include "app/variants.h"

#include <openssl/sha.h>

#include "absl/strings/str_cat.h"
#include "base/time.h"
#include "core/errors.h"

namespace scoliomassage::app {
namespace {

constexpr char kHashDomain[] = "scoliomassage-variant";

v1::VariantAssignment HashAssignment(const catalog::Evaluation& evaluation,
                                     const std::string& pseudonym) {
  v1::VariantAssignment assignment;
  assignment.set_evaluation(evaluation.config.name());
  assignment.set_protocol_id(evaluation.config.protocol_id());
  assignment.set_assigned_variant(HashVariant(evaluation.config.name(), pseudonym));
  assignment.set_variant(assignment.assigned_variant());
  assignment.set_protocol_version(evaluation.VersionOf(assignment.variant()));
  return assignment;
}

}  // namespace

v1::EvaluationVariant HashVariant(absl::string_view evaluation_name, absl::string_view pseudonym) {
  // The zero bytes keep ("ab", "c") and ("a", "bc") apart.
  std::string message = absl::StrCat(kHashDomain, absl::string_view("\0", 1), evaluation_name,
                                     absl::string_view("\0", 1), pseudonym);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest);
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | digest[i];
  return value % 2 == 0 ? v1::EVALUATION_VARIANT_A : v1::EVALUATION_VARIANT_B;
}

absl::string_view VariantLetter(v1::EvaluationVariant variant) {
  switch (variant) {
    case v1::EVALUATION_VARIANT_A: return "A";
    case v1::EVALUATION_VARIANT_B: return "B";
    default: return "?";
  }
}

absl::StatusOr<VariantChoice> ChooseVariant(storage::Store& store,
                                            const catalog::Evaluations* evaluations,
                                            const catalog::Catalog& catalog,
                                            const auth::Caller& caller,
                                            const v1::RecommendProtocolRequest& request,
                                            const std::string& pseudonym, int64_t now_us) {
  VariantChoice choice;
  const v1::CatalogProtocol* protocol =
      catalog.Find(request.profile().primary_region(), request.profile().curve_pattern());
  const catalog::Evaluation* evaluation =
      evaluations == nullptr || protocol == nullptr
          ? nullptr
          : evaluations->Find(caller.clinic_id, protocol->id());
  // An evaluation that has not started yet assigns nobody.
  if (evaluation != nullptr && now_us < evaluation->start_us) evaluation = nullptr;
  if (evaluation != nullptr) {
    auto episodes = store.ListEpisodes(caller.clinic_id, request.patient_id());
    if (!episodes.ok()) return episodes.status();
    const v1::Episode* open = nullptr;
    for (const v1::Episode& episode : *episodes) {
      if (episode.open()) open = &episode;
    }
    if (open == nullptr) {
      choice.assignment = HashAssignment(*evaluation, pseudonym);
      choice.evaluation = evaluation;
    } else if (open->has_evaluation()) {
      // The episode keeps its variant; one from another (renamed or ended)
      // evaluation leaves this one out of it.
      if (open->evaluation().evaluation() == evaluation->config.name()) {
        choice.assignment = open->evaluation();
        choice.evaluation = evaluation;
        choice.stored = true;
      }
    } else if (base::TimestampToMicros(open->opened_at()) >= evaluation->start_us) {
      // Opened under the evaluation (by OpenEpisode or a first assessment)
      // before its first check-in.
      choice.assignment = HashAssignment(*evaluation, pseudonym);
      choice.evaluation = evaluation;
    }
    // Otherwise the episode started before the evaluation: it stays on the
    // default (latest) version.
  }
  if (request.has_variant_override()) {
    if (choice.evaluation == nullptr) {
      return core::InvalidField(
          "variant_override",
          "no protocol evaluation applies to this patient's protocol and episode");
    }
    const v1::VariantOverride& chosen = request.variant_override();
    v1::VariantAssignment& assignment = choice.assignment;
    assignment.set_variant(chosen.variant());
    assignment.set_protocol_version(evaluation->VersionOf(chosen.variant()));
    assignment.set_overridden(true);
    assignment.set_override_by(caller.principal);
    assignment.set_override_reason(chosen.reason());
    choice.stored = false;
  }
  return choice;
}

std::string DescribeAssignment(const v1::VariantAssignment& assignment) {
  std::string how =
      assignment.overridden()
          ? absl::StrCat("overridden by ", assignment.override_by(), ": \"",
                         assignment.override_reason(),
                         "\"; the stable hash of the pseudonym assigned variant ",
                         VariantLetter(assignment.assigned_variant()))
          : std::string("assigned by a stable hash of the pseudonym");
  return absl::StrCat("Protocol evaluation ", assignment.evaluation(), ": variant ",
                      VariantLetter(assignment.variant()), " (", how, "), version ",
                      assignment.protocol_version(), " of ", assignment.protocol_id(), ".");
}

}  // namespace scoliomassage::app
