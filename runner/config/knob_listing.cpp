#include "config/knob_listing.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace deflake {
namespace {

void render_one(std::string& out, const Knob& knob, std::size_t width, const std::string& origin) {
  out += fmt::format("{:<{}}  {}{}\n", knob.name, width, knob.source, origin);
  out += fmt::format("{:<{}}    pinned: {}\n", "", width, knob.pinned.summary);
  out += fmt::format("{:<{}}    free:   {}\n", "", width, knob.free.summary);
}

}  // namespace

std::string render_knobs(const std::vector<Knob>& builtin, const std::vector<Knob>& user,
                         const std::string& config_path) {
  std::size_t width = 0;
  for (const auto* list : {&builtin, &user})
    for (const auto& knob : *list) width = std::max(width, knob.name.size());
  std::string out;
  for (const auto& knob : builtin) render_one(out, knob, width, "");
  for (const auto& knob : user)
    render_one(out, knob, width, fmt::format(" (from {})", config_path));
  return out;
}

}  // namespace deflake
