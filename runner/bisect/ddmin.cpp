#include "bisect/ddmin.hpp"

#include <algorithm>

namespace deflake {
namespace {

std::vector<std::vector<std::string>> split(const std::vector<std::string>& items, std::size_t n) {
  std::vector<std::vector<std::string>> chunks;
  std::size_t start = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t end = start + (items.size() - start) / (n - i);
    chunks.emplace_back(items.begin() + static_cast<std::ptrdiff_t>(start),
                        items.begin() + static_cast<std::ptrdiff_t>(end));
    start = end;
  }
  return chunks;
}

std::vector<std::string> without(const std::vector<std::string>& items,
                                 const std::vector<std::string>& chunk) {
  std::vector<std::string> rest;
  for (const auto& item : items)
    if (std::find(chunk.begin(), chunk.end(), item) == chunk.end()) rest.push_back(item);
  return rest;
}

}  // namespace

std::optional<std::vector<std::string>> ddmin(
    const std::vector<std::string>& items,
    const std::function<Answer(const std::vector<std::string>&)>& test) {
  std::vector<std::string> current = items;
  std::size_t n = 2;
  while (current.size() >= 2) {
    const auto chunks = split(current, std::min(n, current.size()));
    bool reduced = false;
    // A chunk alone may do: the search narrows fastest there.
    for (const auto& chunk : chunks) {
      const Answer a = test(chunk);
      if (a == Answer::undecided) return std::nullopt;
      if (a == Answer::yes) {
        current = chunk;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (reduced) continue;
    // Else all but one chunk may do (with two chunks, those are the chunks).
    if (chunks.size() > 2) {
      for (const auto& chunk : chunks) {
        const auto rest = without(current, chunk);
        const Answer a = test(rest);
        if (a == Answer::undecided) return std::nullopt;
        if (a == Answer::yes) {
          current = rest;
          n = std::max<std::size_t>(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (reduced) continue;
    if (n >= current.size()) break;  // every single element is needed: 1-minimal
    n = std::min(n * 2, current.size());
  }
  if (current.size() == 1) return current;
  return current;
}

}  // namespace deflake
