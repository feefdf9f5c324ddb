#include "core/episode_result.h"

#include <map>
#include <utility>

#include "core/dose.h"
#include "core/meaningful_change.h"
#include "core/sources.h"

namespace scoliomassage::core {
namespace {

google::protobuf::Timestamp AtMicros(int64_t micros) {
  google::protobuf::Timestamp time;
  time.set_seconds(micros / 1000000);
  time.set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  return time;
}

const v1::InstrumentDomain* FindDomain(const v1::Instrument* instrument, const std::string& id) {
  if (instrument == nullptr) return nullptr;
  for (const v1::InstrumentDomain& domain : instrument->domains()) {
    if (domain.id() == id) return &domain;
  }
  return nullptr;
}

struct Series {
  std::string instrument_id;
  std::string domain;
  const v1::Assessment* first = nullptr;
  double first_value = 0;
  const v1::Assessment* last = nullptr;
  double last_value = 0;
  int count = 0;
};

}  // namespace

v1::EpisodeResult ComputeEpisodeResult(const EpisodeRecord& record,
                                       const InstrumentLookup& instruments) {
  v1::EpisodeResult result;
  *result.mutable_episode() = record.episode;
  if (record.first_pain && record.latest_pain && record.pain_sessions >= 2) {
    v1::EpisodeChange* pain = result.add_changes();
    pain->set_measure("pain");
    pain->set_domain("pain_before");
    pain->set_baseline(record.first_pain->value);
    pain->set_latest(record.latest_pain->value);
    *pain->mutable_baseline_time() = AtMicros(record.first_pain->performed_at_us);
    *pain->mutable_latest_time() = AtMicros(record.latest_pain->performed_at_us);
    pain->set_count(static_cast<int32_t>(record.pain_sessions));
    pain->set_change(record.latest_pain->value - record.first_pain->value);
    pain->set_improved(record.latest_pain->value < record.first_pain->value);
    pain->set_meaningful(MeaningfulFall(record.first_pain->value, record.latest_pain->value));
    pain->set_threshold("a fall of 2 points or 30% of the first pre-session pain");
    pain->set_source(kSourcePainChange);
  }

  std::vector<Series> series;
  std::map<std::pair<std::string, std::string>, size_t> index;
  for (const v1::Assessment& assessment : record.assessments) {
    for (const v1::AssessmentScore& score : assessment.scores()) {
      if (!score.scoreable()) continue;  // never a 0 standing in for "not scoreable"
      auto key = std::make_pair(assessment.instrument_id(), score.domain());
      auto [it, inserted] = index.emplace(key, series.size());
      if (inserted) series.push_back(Series{assessment.instrument_id(), score.domain()});
      Series& s = series[it->second];
      if (s.first == nullptr) {
        s.first = &assessment;
        s.first_value = score.value();
      }
      s.last = &assessment;
      s.last_value = score.value();
      ++s.count;
    }
  }
  for (const Series& s : series) {
    if (s.count < 2) continue;
    const v1::Instrument* instrument = instruments ? instruments(s.instrument_id) : nullptr;
    v1::EpisodeChange* change = result.add_changes();
    change->set_measure(s.instrument_id);
    change->set_domain(s.domain);
    change->set_baseline(s.first_value);
    change->set_latest(s.last_value);
    *change->mutable_baseline_time() = s.first->performed_at();
    *change->mutable_latest_time() = s.last->performed_at();
    change->set_count(s.count);
    change->set_change(s.last_value - s.first_value);
    const v1::InstrumentDomain* domain = FindDomain(instrument, s.domain);
    if (domain == nullptr) {
      change->set_threshold("the instrument is not loaded: no threshold");
      continue;
    }
    const ChangeJudgement judgement =
        JudgeChange(*domain, instrument->direction(), s.first_value, s.last_value);
    change->set_improved(judgement.improved);
    change->set_meaningful(judgement.meaningful);
    change->set_threshold(judgement.threshold.empty() ? "none defined" : judgement.threshold);
    change->set_source(domain->meaningful_change().source());
  }
  return result;
}

}  // namespace scoliomassage::core
