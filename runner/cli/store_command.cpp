#include "cli/store_command.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "base/error.hpp"
#include "store/render.hpp"
#include "store/store.hpp"

namespace deflake {

int store_command(const StoreOptions& o) {
  Store store(o.store_dir);
  if (o.action == "list") {
    const StoreListing listing = store.list();
    std::fputs(render_store_warnings(listing.warnings).c_str(), stderr);
    std::fputs(render_store_list(listing).c_str(), stdout);
    return kExitOk;
  }
  if (o.action == "show" || o.action == "rm") {
    if (o.id.empty())
      throw UsageError(
          fmt::format("deflake store {} needs an ID (see deflake store list)", o.action));
    const StoreLookup found = store.find(o.id);
    if (!found.record) throw UsageError(found.error);
    if (o.action == "show") {
      std::fputs(render_record(*found.record).c_str(), stdout);
      return kExitOk;
    }
    if (!store.remove(found.record->id))
      throw UsageError(fmt::format("failure {} could not be removed", found.record->id));
    fmt::print("removed {}\n", found.record->id);
    return kExitOk;
  }
  // gc
  GcOptions options;
  options.max_age_s = o.max_age_days * 24 * 3600;
  const GcReport report = store.gc(options);
  std::fputs(render_store_warnings(report.warnings).c_str(), stderr);
  fmt::print("removed {} failure(s) older than {} days and {} leftover temporary file(s)\n",
             report.removed_records.size(), o.max_age_days, report.removed_temps.size());
  return kExitOk;
}

}  // namespace deflake
