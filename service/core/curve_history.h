// The check-in's use of the stored films (core/curve_progression.h): the
// latest film's Cobb angle when the request carries none, and the cards for
// true progression, rapid progression and out-of-date imaging. Massage
// neither causes nor reverses curve progression; these cards tell the
// clinician when the patient needs their physician or a specialist.
#pragma once

#include <cstdint>
#include <vector>

#include "core/explanation.h"
#include "scoliomassage/v1/curve.pb.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::core {

struct CurveInputs {
  // The request's profile, with the latest film's Cobb angle (and Risser
  // grade) filled in when the request carried none.
  v1::PatientProfile profile;
  // The films of the profile's primary region, oldest first; pointers into
  // the films given to ResolveCurveInputs.
  std::vector<const v1::CurveMeasurement*> films;
  // The film whose Cobb angle / Risser grade was filled in, if any.
  const v1::CurveMeasurement* cobb_film = nullptr;
  const v1::CurveMeasurement* risser_film = nullptr;
};

// `films`: the patient's stored films (latest revisions, any region, any
// order). A value the request carries always wins over a stored one.
CurveInputs ResolveCurveInputs(const v1::PatientProfile& sent,
                               const std::vector<v1::CurveMeasurement>& films);

// Fires the rules and adds the cards; sets basis.curve_measurement and
// basis.curve_progression and returns a sentence for the basis summary
// (empty when there are no films). `now_us` is the check-in time; 0 skips
// the imaging-age rule.
std::string AddCurveHistoryCards(const CurveInputs& inputs, int64_t now_us, v1::Basis& basis,
                                 Explanation& explanation);

}  // namespace scoliomassage::core
