// The loaded questionnaire definitions (instruments): immutable after load,
// shared by every request. Scoring reads only these definitions
// (core/assessment_scoring.h), so a clinic can add an instrument as data.
#pragma once

#include <vector>

#include "absl/strings/string_view.h"
#include "scoliomassage/v1/instrument.pb.h"

namespace scoliomassage::catalog {

class Instruments {
 public:
  // `instruments` must already have passed the checks of
  // catalog/instrument_checks.h; LoadInstruments is the usual way to get one.
  explicit Instruments(std::vector<v1::Instrument> instruments);

  // Null when no instrument has this id.
  const v1::Instrument* FindById(absl::string_view id) const;

  // Ordered by id, whatever the file layout.
  const std::vector<v1::Instrument>& instruments() const { return instruments_; }

 private:
  std::vector<v1::Instrument> instruments_;
};

}  // namespace scoliomassage::catalog
