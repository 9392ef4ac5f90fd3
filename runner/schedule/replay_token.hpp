// The replay token: a short, self-contained, copy-pasteable string that
// replays one failing run with no store at hand (from a CI log, on a
// colleague's machine): `deflake repro TOKEN -- ./my_test`.
//
//   dfk1-<payload>-<check>
//
// <payload> is base64url (no padding, so no character a shell or a URL
// treats specially) of `key=value` fields joined by '\n'; <check> is 8 hex
// digits of FNV-1a over the payload, so a token mangled by a copy (a cut
// end, a changed character) is refused rather than replayed wrong. Fields:
//   s  the run seed                 r  the run index (DEFLAKE_RUN)
//   k  kind: cmd | gtest | libfuzzer
//   p  pinned knobs (comma-separated) f  free knobs
//   t  the target: the failing test case of a gtest binary
//   g  --gtest_filter of the run (the test case, or the suite's filter,
//      which with the seed fixes the shuffled order)
//   a  amplification setting         h  shard "K/N"
//   d  digest of the command: 16 hex digits of FNV-1a over the program's
//      file name (not its folder: a colleague's checkout differs) and each
//      argument, NUL-separated
// Unknown fields are an error (a newer deflake wrote it); "dfk2-" and later
// versions are refused by name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deflake {

struct ReplayToken {
  std::uint64_t seed = 0;
  std::uint64_t run = 0;
  std::string kind = "cmd";  // cmd | gtest | libfuzzer
  std::vector<std::string> pinned;
  std::vector<std::string> freed;
  std::string target;        // the failing test case; empty unless kind is gtest
  std::string gtest_filter;  // empty unless kind is gtest
  std::string amplify;       // empty: none
  std::string shard;         // empty: none
  std::uint64_t command_digest = 0;

  friend bool operator==(const ReplayToken&, const ReplayToken&) = default;
};

/// The digest a token carries for a command line (see the file comment).
std::uint64_t command_digest(const std::vector<std::string>& argv);

/// The token's text.
std::string encode_token(const ReplayToken& token);

/// A token decoded, or an error that says what is wrong with it.
struct DecodedToken {
  std::optional<ReplayToken> token;
  std::string error;
};
DecodedToken decode_token(std::string_view text);

/// Whether `text` looks like a token at all (for telling a token from a
/// store ID on the command line).
bool looks_like_token(std::string_view text);

}  // namespace deflake
