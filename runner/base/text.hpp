// Small text helpers shared by the CLI and the reporters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deflake {

/// Quotes a word for a POSIX shell, only when it needs quoting.
std::string shell_quote(std::string_view word);

/// Joins words into one shell command line, each quoted as needed.
std::string shell_join(const std::vector<std::string>& words);

/// Parses a size such as "512M", "2G", "1048576" (binary units). nullopt when malformed.
std::optional<std::uint64_t> parse_size(std::string_view text);

/// The folder part of a path: "." for "report.json", "/" for "/x".
std::string parent_directory(const std::string& path);

/// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate nearest to `word`, when it is near enough to be a likely typo.
std::optional<std::string> nearest(std::string_view word,
                                   const std::vector<std::string>& candidates);

/// "1.5s", "2m03s", "120ms": a short human duration.
std::string human_duration(double seconds);

/// A percentage with enough digits to tell small rates apart ("0.6%", "7.4%", "0.06%").
std::string percent(double fraction);

}  // namespace deflake
