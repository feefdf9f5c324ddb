#include "catalog/instruments.h"

#include <algorithm>
#include <utility>

namespace scoliomassage::catalog {

Instruments::Instruments(std::vector<v1::Instrument> instruments)
    : instruments_(std::move(instruments)) {
  std::sort(instruments_.begin(), instruments_.end(),
            [](const v1::Instrument& a, const v1::Instrument& b) { return a.id() < b.id(); });
}

const v1::Instrument* Instruments::FindById(absl::string_view id) const {
  for (const v1::Instrument& instrument : instruments_) {
    if (instrument.id() == id) return &instrument;
  }
  return nullptr;
}

}  // namespace scoliomassage::catalog
