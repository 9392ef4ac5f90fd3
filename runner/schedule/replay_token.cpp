#include "schedule/replay_token.hpp"

#include <fmt/format.h>

#include <array>
#include <map>

#include "deflake/seed_derivation.hpp"

namespace deflake {
namespace {

constexpr std::string_view kPrefix = "dfk1-";
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(std::string_view bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 63];
  return out;
}

std::optional<std::string> unbase64url(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const std::size_t value = kAlphabet.find(c);
    if (value == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  // Leftover bits must be the zero padding that encoding adds.
  if (bits >= 6 || (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string check_of(std::string_view payload) {
  return fmt::format("{:08x}", fnv1a64(payload) & 0xffffffffu);
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ",") + w;
  return out;
}

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    out.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::optional<std::uint64_t> parse_hex(std::string_view text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    const std::size_t digit = std::string_view("0123456789abcdef").find(c);
    if (digit == std::string_view::npos) return std::nullopt;
    value = value * 16 + digit;
  }
  return value;
}

}  // namespace

std::uint64_t command_digest(const std::vector<std::string>& argv) {
  std::string text;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    std::string_view word = argv[i];
    if (i == 0 && word.rfind('/') != std::string_view::npos)
      word.remove_prefix(word.rfind('/') + 1);
    text.append(word);
    text.push_back('\0');
  }
  return fnv1a64(text);
}

std::string encode_token(const ReplayToken& t) {
  std::string payload =
      fmt::format("s={}\nr={}\nk={}\nd={:016x}", t.seed, t.run, t.kind, t.command_digest);
  if (!t.pinned.empty()) payload += "\np=" + join(t.pinned);
  if (!t.freed.empty()) payload += "\nf=" + join(t.freed);
  if (!t.target.empty()) payload += "\nt=" + t.target;
  // One test case alone: its filter is its name, said once.
  if (!t.gtest_filter.empty() && t.gtest_filter != t.target) payload += "\ng=" + t.gtest_filter;
  if (!t.amplify.empty()) payload += "\na=" + t.amplify;
  if (!t.shard.empty()) payload += "\nh=" + t.shard;
  const std::string encoded = base64url(payload);
  return std::string(kPrefix) + encoded + "-" + check_of(encoded);
}

bool looks_like_token(std::string_view text) {
  return text.size() > 4 && text.substr(0, 3) == "dfk" &&
         text.find('-') != std::string_view::npos && text[3] >= '0' && text[3] <= '9';
}

DecodedToken decode_token(std::string_view text) {
  auto fail = [](std::string why) { return DecodedToken{std::nullopt, std::move(why)}; };
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    if (looks_like_token(text))
      return fail("this token was made by a newer deflake (it starts with '" +
                  std::string(text.substr(0, text.find('-') + 1)) + "', this one reads 'dfk1-')");
    return fail("not a replay token: tokens start with 'dfk1-'");
  }
  text.remove_prefix(kPrefix.size());
  const std::size_t dash = text.rfind('-');
  if (dash == std::string_view::npos || text.size() - dash - 1 != 8)
    return fail("the token is cut short (its check digits are missing): copy it whole");
  const std::string_view encoded = text.substr(0, dash);
  if (check_of(encoded) != text.substr(dash + 1))
    return fail("the token's check digits do not match: it was changed or cut while copied");
  const auto payload = unbase64url(encoded);
  if (!payload) return fail("the token holds characters a token never has");
  ReplayToken t;
  std::map<char, std::string> fields;
  std::string_view rest = *payload;
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.size() < 2 || line[1] != '=') return fail("the token's payload is malformed");
    if (std::string_view("srkdpftgah").find(line[0]) == std::string_view::npos)
      return fail(
          fmt::format("the token has a field '{}' that this deflake does not know (made "
                      "by a newer deflake?)",
                      line[0]));
    if (!fields.emplace(line[0], std::string(line.substr(2))).second)
      return fail("the token's payload repeats a field");
  }
  for (char required : {'s', 'r', 'k', 'd'})
    if (!fields.count(required)) return fail("the token lacks a field it must have");
  const auto seed = parse_seed(fields['s']);
  const auto run = parse_seed(fields['r']);
  const auto digest = parse_hex(fields['d']);
  if (!seed || !run || !digest) return fail("the token's numbers are malformed");
  t.seed = *seed;
  t.run = *run;
  t.command_digest = *digest;
  t.kind = fields['k'];
  if (t.kind != "cmd" && t.kind != "gtest" && t.kind != "libfuzzer")
    return fail("the token names an unknown kind of test '" + t.kind + "'");
  if (fields.count('p')) t.pinned = split(fields['p']);
  if (fields.count('f')) t.freed = split(fields['f']);
  if (fields.count('t')) t.target = fields['t'];
  t.gtest_filter = fields.count('g') ? fields['g'] : t.target;
  if (fields.count('a')) t.amplify = fields['a'];
  if (fields.count('h')) t.shard = fields['h'];
  return DecodedToken{t, {}};
}

}  // namespace deflake
