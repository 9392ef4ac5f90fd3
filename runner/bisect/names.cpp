#include "bisect/names.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace deflake {

Names minus(const Names& all, const Names& some) {
  Names out;
  for (const auto& n : all)
    if (std::find(some.begin(), some.end(), n) == some.end()) out.push_back(n);
  return out;
}

Names sorted(Names names) {
  std::sort(names.begin(), names.end());
  return names;
}

std::string list(const Names& names) {
  return names.empty() ? std::string("nothing") : fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace deflake
