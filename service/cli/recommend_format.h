// A recommendation as a therapist reads it: the decision, the steps in
// order, the cards, then why.
#ifndef SCOLIOMASSAGE_CLI_RECOMMEND_FORMAT_H_
#define SCOLIOMASSAGE_CLI_RECOMMEND_FORMAT_H_

#include <string>

#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::cli {

std::string FormatRecommendation(const v1::RecommendProtocolResponse& response);

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_RECOMMEND_FORMAT_H_
