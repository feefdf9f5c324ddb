#include "app/comparisons.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/time.h"
#include "core/errors.h"
#include "core/sources.h"

namespace scoliomassage::app {
namespace {

constexpr size_t kMaxProtocolIds = 64;
constexpr size_t kMaxProtocolIdBytes = 128;

// google.protobuf.Timestamp's own range: 0001-01-01 to 9999-12-31.
bool IsValidTimestamp(const google::protobuf::Timestamp& time) {
  return time.seconds() >= -62135596800LL && time.seconds() <= 253402300799LL &&
         time.nanos() >= 0 && time.nanos() <= 999999999;
}

// Catalog ids are lowercase letters, digits and dashes (catalog/checks.cc).
bool IsProtocolId(const std::string& id) {
  if (id.empty() || id.size() > kMaxProtocolIdBytes) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

constexpr char kMethod[] =
    "Observational, over episodes of care: each row is an episode's sessions under one protocol "
    "(or version), from the latest revision of each session. Pain change: the latest minus the "
    "first pre-session pain of the episode, over episodes with two or more sessions that "
    "recorded it, with a Student t 95% interval (Student 1908). Responders: a fall of at least 2 "
    "points or 30%, with the Wilson score 95% interval (Wilson 1927; Newcombe RG, Stat Med "
    "1998;17:857-872). Adverse events per 100 sessions with the exact Poisson 95% interval "
    "(Garwood F, Biometrika 1936;28:437-442). Questionnaires: the latest minus the first score "
    "per domain, judged by the instrument's own meaningful change. CDS overrides: the share of "
    "cards fed back on this protocol's recommendations that were overridden, with the Wilson "
    "interval. The first shown group minus the second: Welch's t with Welch-Satterthwaite "
    "degrees of freedom (Welch BL, Biometrika 1947;34:28-35) for the pain change, Newcombe's "
    "hybrid score interval (method 10, Newcombe RG, Stat Med 1998;17:873-890) for responders. "
    "Groups of fewer than 10 episodes are withheld; for the analytics role, groups of fewer than "
    "5 patients are suppressed, with a complementary group when one hidden group would follow "
    "from the total. Protocol evaluations: each group's episodes are counted by the variant the "
    "stable hash of the pseudonym assigned and by the variant received, with the overrides into "
    "and out of the group and the episodes in no evaluation; for the analytics role a count of "
    "fewer than 5 patients is suppressed, with its complement. The hash spreads patients evenly "
    "but is not concealed randomisation, and therapists may override it: compared as received "
    "(by protocol or version), overrides can bias the comparison; compared by assigned variant "
    "(intention to treat), every episode in an evaluation stays in the variant assigned and "
    "episodes in no evaluation are left out. Pain change threshold: ";

void SetInterval(const std::optional<core::Interval>& from, v1::Interval* to) {
  if (!from) return;
  to->set_low(from->low);
  to->set_high(from->high);
}

void SetMean(const core::MeanEstimate& from, v1::MeanEstimate* to) {
  to->set_n(from.n);
  to->set_mean(from.mean);
  to->set_sd(from.sd);
  if (from.ci95) SetInterval(from.ci95, to->mutable_ci95());
}

void SetProportion(const core::ProportionEstimate& from, v1::ProportionEstimate* to) {
  to->set_successes(from.successes);
  to->set_n(from.n);
  to->set_proportion(from.proportion);
  if (from.ci95) SetInterval(from.ci95, to->mutable_ci95());
}

v1::GroupVisibility Visibility(core::GroupVisibility visibility) {
  switch (visibility) {
    case core::GroupVisibility::kShown: return v1::GROUP_VISIBILITY_SHOWN;
    case core::GroupVisibility::kNotEnoughData: return v1::GROUP_VISIBILITY_NOT_ENOUGH_DATA;
    case core::GroupVisibility::kSuppressed: return v1::GROUP_VISIBILITY_SUPPRESSED;
  }
  return v1::GROUP_VISIBILITY_UNSPECIFIED;
}

void SetCount(const core::CountCell& from, v1::SuppressibleCount* to) {
  if (from.suppressed) {
    to->set_suppressed(true);
  } else {
    to->set_episode_count(from.episodes);
  }
}

void SetEvaluation(const core::EvaluationCounts& from, v1::EvaluationCounts* to) {
  for (const std::string& name : from.evaluations) to->add_evaluations(name);
  SetCount(from.assigned_a, to->mutable_assigned_a());
  SetCount(from.assigned_b, to->mutable_assigned_b());
  SetCount(from.received_a, to->mutable_received_a());
  SetCount(from.received_b, to->mutable_received_b());
  SetCount(from.overridden, to->mutable_overridden());
  SetCount(from.overridden_into, to->mutable_overridden_into());
  SetCount(from.overridden_out_of, to->mutable_overridden_out_of());
  SetCount(from.not_in_evaluation, to->mutable_not_in_evaluation());
}

void SetDifference(const std::optional<core::DifferenceEstimate>& from, const std::string& first,
                   const std::string& second, v1::DifferenceEstimate* to) {
  to->set_first_group(first);
  to->set_second_group(second);
  to->set_difference(from->difference);
  if (from->ci95) SetInterval(from->ci95, to->mutable_ci95());
}

}  // namespace

absl::Status ValidateCompareProtocolsRequest(const v1::CompareProtocolsRequest& request) {
  core::FieldViolations violations;
  if (!v1::SpineRegion_IsValid(request.spine_region())) {
    violations.Add("spine_region", absl::StrCat("unknown SpineRegion value ", request.spine_region()));
  }
  if (!v1::CurvePattern_IsValid(request.curve_pattern())) {
    violations.Add("curve_pattern",
                   absl::StrCat("unknown CurvePattern value ", request.curve_pattern()));
  }
  if (!v1::CompareBy_IsValid(request.compare_by())) {
    violations.Add("compare_by", absl::StrCat("unknown CompareBy value ", request.compare_by()));
  }
  if (static_cast<size_t>(request.protocol_ids_size()) > kMaxProtocolIds) {
    violations.Add("protocol_ids", absl::StrCat("at most ", kMaxProtocolIds, " protocols"));
  }
  std::set<std::string> seen;
  for (int i = 0; i < request.protocol_ids_size(); ++i) {
    const std::string& id = request.protocol_ids(i);
    const std::string field = absl::StrCat("protocol_ids[", i, "]");
    if (!IsProtocolId(id)) {
      violations.Add(field, "must be a protocol id: lowercase letters, digits and dashes");
    } else if (!seen.insert(id).second) {
      violations.Add(field, "listed twice");
    }
  }
  const bool start_valid = !request.has_start_time() || IsValidTimestamp(request.start_time());
  const bool end_valid = !request.has_end_time() || IsValidTimestamp(request.end_time());
  if (!start_valid) violations.Add("start_time", "is not a valid timestamp");
  if (!end_valid) violations.Add("end_time", "is not a valid timestamp");
  if (start_valid && end_valid && request.has_start_time() && request.has_end_time() &&
      base::TimestampToMicros(request.start_time()) >= base::TimestampToMicros(request.end_time())) {
    violations.Add("end_time", "must be after start_time (episodes opened in [start, end))");
  }
  return violations.ToStatus();
}

v1::CompareProtocolsResponse ComparisonToProto(const core::ComparisonResult& result,
                                               v1::CompareBy compare_by) {
  if (compare_by == v1::COMPARE_BY_UNSPECIFIED) compare_by = v1::COMPARE_BY_PROTOCOL;
  const bool by_version = compare_by == v1::COMPARE_BY_PROTOCOL_VERSION ||
                          compare_by == v1::COMPARE_BY_ASSIGNED_VARIANT;
  v1::CompareProtocolsResponse response;
  response.set_compare_by(compare_by);
  std::vector<const core::GroupComparison*> shown;
  for (const core::GroupComparison& g : result.groups) {
    v1::ProtocolComparisonGroup* group = response.add_groups();
    group->set_group(g.group);
    group->set_protocol_id(g.protocol_id);
    if (by_version) {
      const size_t at = g.group.rfind('@');
      uint32_t version = 0;
      if (at != std::string::npos) version = std::strtoul(g.group.c_str() + at + 1, nullptr, 10);
      group->set_protocol_version(version);
    }
    group->set_visibility(Visibility(g.visibility));
    if (g.visibility == core::GroupVisibility::kSuppressed) continue;
    group->set_patient_count(g.patients);
    group->set_episode_count(g.episodes);
    group->set_session_count(g.sessions);
    if (g.evaluation) SetEvaluation(*g.evaluation, group->mutable_evaluation());
    if (g.visibility != core::GroupVisibility::kShown) continue;
    shown.push_back(&g);
    SetMean(g.pain_change, group->mutable_pain_change());
    SetProportion(g.responders, group->mutable_responders());
    v1::RateEstimate* rate = group->mutable_adverse_events();
    rate->set_events(g.adverse_events.events);
    rate->set_sessions(static_cast<int32_t>(g.adverse_events.exposure));
    rate->set_per_100_sessions(g.adverse_events.rate);
    if (g.adverse_events.ci95) SetInterval(g.adverse_events.ci95, rate->mutable_ci95());
    SetMean(g.baseline_pain, group->mutable_baseline_pain());
    SetMean(g.baseline_age_years, group->mutable_baseline_age_years());
    SetMean(g.baseline_cobb_degrees, group->mutable_baseline_cobb_degrees());
    for (const core::QuestionnaireComparison& q : g.questionnaires) {
      v1::QuestionnaireChange* change = group->add_questionnaire_changes();
      change->set_instrument_id(q.instrument_id);
      change->set_domain(q.domain);
      SetMean(q.change, change->mutable_change());
      if (q.meaningful) SetProportion(*q.meaningful, change->mutable_meaningful());
      change->set_direction(q.direction);
      change->set_threshold(q.threshold);
      change->set_source(q.source);
    }
    SetProportion(g.cds_overrides, group->mutable_cds_overrides());
    for (const core::OverrideReasonShare& reason : g.top_override_reasons) {
      v1::OverrideReasonCount* out = group->add_top_override_reasons();
      out->set_reason_system(reason.reason_system);
      out->set_reason_code(reason.reason_code);
      out->set_overridden_count(reason.count);
      out->set_share_of_overrides(reason.share);
    }
  }
  if (shown.size() >= 2 && result.pain_change_difference) {
    SetDifference(result.pain_change_difference, shown[0]->group, shown[1]->group,
                  response.mutable_pain_change_difference());
  }
  if (shown.size() >= 2 && result.responder_difference) {
    SetDifference(result.responder_difference, shown[0]->group, shown[1]->group,
                  response.mutable_responder_difference());
  }
  for (const std::string& caveat : result.caveats) response.add_caveats(caveat);
  response.set_totals_suppressed(result.total_suppressed);
  response.set_total_patient_count(result.total_patients);
  response.set_total_episode_count(result.total_episodes);
  if (result.not_in_evaluation) {
    SetCount(*result.not_in_evaluation, response.mutable_episodes_not_in_evaluation());
  }
  response.set_method(absl::StrCat(kMethod, core::kSourcePainChange, "."));
  return response;
}

absl::StatusOr<v1::CompareProtocolsResponse> Comparisons::Compare(
    const auth::Caller& caller, const v1::CompareProtocolsRequest& request) const {
  if (absl::Status valid = ValidateCompareProtocolsRequest(request); !valid.ok()) return valid;
  storage::ComparisonCriteria criteria;
  criteria.spine_region = request.spine_region();
  criteria.by_version = request.compare_by() == v1::COMPARE_BY_PROTOCOL_VERSION;
  criteria.by_assigned_variant = request.compare_by() == v1::COMPARE_BY_ASSIGNED_VARIANT;
  if (evaluations_ != nullptr) {
    for (const catalog::Evaluation& evaluation : evaluations_->evaluations()) {
      if (evaluation.config.clinic_id() != caller.clinic_id) continue;
      for (v1::EvaluationVariant variant : {v1::EVALUATION_VARIANT_A, v1::EVALUATION_VARIANT_B}) {
        criteria.variant_versions[{evaluation.config.name(), variant}] =
            evaluation.VersionOf(variant);
      }
    }
  }
  if (request.has_start_time()) criteria.start_us = base::TimestampToMicros(request.start_time());
  if (request.has_end_time()) criteria.end_us = base::TimestampToMicros(request.end_time());
  criteria.protocol_ids.assign(request.protocol_ids().begin(), request.protocol_ids().end());
  bool nothing_matches = false;
  if (request.curve_pattern() != v1::CURVE_PATTERN_UNSPECIFIED) {
    // The pattern is the protocol's (the catalog's), so it becomes a set of
    // protocol ids, intersected with any the request names.
    std::vector<std::string> ids;
    for (const v1::CatalogProtocol& protocol : catalog_.protocols()) {
      if (protocol.curve_pattern() != request.curve_pattern()) continue;
      if (!criteria.protocol_ids.empty() &&
          std::find(criteria.protocol_ids.begin(), criteria.protocol_ids.end(), protocol.id()) ==
              criteria.protocol_ids.end()) {
        continue;
      }
      ids.push_back(protocol.id());
    }
    nothing_matches = ids.empty();
    criteria.protocol_ids = std::move(ids);
  }
  storage::ComparisonRows rows;
  if (!nothing_matches) {
    auto read = store_.ReadComparisonRows(caller.clinic_id, criteria);
    if (!read.ok()) return read.status();
    rows = *std::move(read);
  }
  if (!request.protocol_ids().empty()) {
    // Groups in the order the request names their protocols, so that the
    // difference reported is the first named minus the second.
    auto rank = [&](const core::EpisodeRow& row) {
      return std::find(request.protocol_ids().begin(), request.protocol_ids().end(),
                       row.protocol_id) -
             request.protocol_ids().begin();
    };
    std::stable_sort(rows.episodes.begin(), rows.episodes.end(),
                     [&](const core::EpisodeRow& a, const core::EpisodeRow& b) {
                       return rank(a) < rank(b);
                     });
  }
  const core::InstrumentLookup lookup = [this](const std::string& id) {
    return instruments_.FindById(id);
  };
  const core::ComparisonResult result = core::CompareEpisodes(
      rows.episodes, rows.feedback, lookup, caller.role == auth::Role::kAnalytics,
      criteria.by_assigned_variant ? core::Grouping::kAssignedVariant
                                   : core::Grouping::kAsReceived);
  v1::CompareProtocolsResponse response = ComparisonToProto(result, request.compare_by());
  *response.mutable_compute_time() = base::TimeToTimestamp(absl::Now());
  return response;
}

}  // namespace scoliomassage::app
