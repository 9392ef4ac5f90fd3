// Text for `deflake store list` and `deflake store show`.
#pragma once

#include <string>
#include <vector>

#include "store/store.hpp"

namespace deflake {

/// Digits of an id shown in lists: enough to be unique in any real store,
/// and accepted by Store::find as a prefix.
inline constexpr std::size_t kShortIdDigits = 12;

/// One line per failure, oldest first, under a header: short ID, when (UTC),
/// target, seed, outcome. "no failures stored\n" when there are none.
std::string render_store_list(const StoreListing& listing);

/// "warning: PATH: MESSAGE", one line per warning (for stderr).
std::string render_store_warnings(const std::vector<StoreWarning>& warnings);

/// Every field of a record, for people: what failed, how, the replay
/// command, the manifest and the output tail.
std::string render_record(const StoreRecord& record);

/// "crash (SIGSEGV, core dumped)", "fail (exit 1)", "timeout".
std::string describe_outcome(const StoreRecord& record);

}  // namespace deflake
