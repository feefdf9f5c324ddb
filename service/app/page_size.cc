#include "app/page_size.h"

#include "absl/strings/str_cat.h"
#include "core/errors.h"

namespace scoliomassage::app {

absl::StatusOr<int> ResolvePageSize(int requested, const PageSizeRule& rule,
                                    const std::string& field) {
  if (requested < 0 || requested > rule.max_size) {
    return core::InvalidField(field, absl::StrCat("must be between 0 and ", rule.max_size,
                                                  " (0 means ", rule.default_size, ")"));
  }
  return requested == 0 ? rule.default_size : requested;
}

}  // namespace scoliomassage::app
