// Small-group suppression of summaries for the analytics role (README,
// "Privacy for analytics"): a group of fewer than 5 distinct patients is
// shown as suppressed (its key, suppressed = true, no counts), never as 0,
// and complementary suppression keeps a total, or the same summary asked
// with one dimension fewer, from giving a hidden group away by subtraction
// (core/small_cell_table.h). The same rule, core::SuppressSmallCells, serves
// the protocol comparison. The clinic's admins see every count.
#pragma once

#include <vector>

#include "scoliomassage/v1/history.pb.h"
#include "storage/store.h"

namespace scoliomassage::app {

// Hides the small groups of `response` (groups and total, as group_by
// built them) and of the CDS feedback tables, whose totals in patients
// `feedback` carries.
void SuppressSmallGroups(const std::vector<v1::GroupBy>& group_by,
                         const storage::CardFeedbackSummary& feedback,
                         v1::SummarizeOutcomesResponse& response);

}  // namespace scoliomassage::app
