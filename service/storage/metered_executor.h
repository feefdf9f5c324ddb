// Counts the store's failures for the metrics (scoliomassage_store_errors_total
// by reason), at the one point every SQL statement passes: the executor. Only
// failures of the database count (unavailable, busy, disk full, corrupt,
// internal), not answers such as NOT_FOUND or ALREADY_EXISTS.
#pragma once

#include <memory>

#include "storage/sql_executor.h"

namespace scoliomassage::storage {

std::unique_ptr<SqlExecutor> WithErrorMetrics(std::unique_ptr<SqlExecutor> executor);

}  // namespace scoliomassage::storage
