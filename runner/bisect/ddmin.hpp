// Delta debugging (Zeller and Hildebrandt's ddmin) over a list of names,
// with an oracle that may not be able to decide.
//
// ddmin finds a 1-minimal subset that still passes the test: removing any
// single element makes it fail. With a noisy oracle each question is a
// statistical claim (bisect/diagnosis.cpp decides them); an undecided
// answer stops the search and is reported, never guessed.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace deflake {

enum class Answer { yes, no, undecided };

/// The smallest subset of `items` (1-minimal) for which `test` says yes,
/// given that it says yes for `items` itself. nullopt when a test could
/// not be decided. Subsets keep the order of `items`.
std::optional<std::vector<std::string>> ddmin(
    const std::vector<std::string>& items,
    const std::function<Answer(const std::vector<std::string>&)>& test);

}  // namespace deflake
