#include "schedule/replay_token.hpp"

#include <gtest/gtest.h>

namespace deflake {
namespace {

ReplayToken sample() {
  ReplayToken t;
  t.seed = 4503599627370912;
  t.run = 37;
  t.kind = "gtest";
  t.pinned = {"aslr", "threads"};
  t.freed = {"order"};
  t.target = "Cache.ColdStart";
  t.gtest_filter = "*-Cache.Warm:Parser.*";
  t.command_digest = command_digest({"./build/my_tests", "--x"});
  return t;
}

TEST(ReplayToken, RoundTripsEveryField) {
  const ReplayToken t = sample();
  const std::string text = encode_token(t);
  EXPECT_EQ(text.rfind("dfk1-", 0), 0u);
  EXPECT_LT(text.size(), 200u);
  const DecodedToken d = decode_token(text);
  ASSERT_TRUE(d.token) << d.error;
  EXPECT_EQ(*d.token, t);
  ReplayToken minimal;
  EXPECT_EQ(*decode_token(encode_token(minimal)).token, minimal);
  ReplayToken alone = t;
  alone.gtest_filter = alone.target;  // an isolated test case: said once
  EXPECT_LT(encode_token(alone).size(), encode_token(t).size());
  EXPECT_EQ(*decode_token(encode_token(alone)).token, alone);
}

TEST(ReplayToken, IsSafeToPasteIntoAShell) {
  for (char c : encode_token(sample()))
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << c;
}

TEST(ReplayToken, EveryChangedOrCutCharacterIsRefused) {
  const std::string text = encode_token(sample());
  for (std::size_t i = 0; i < text.size(); ++i) {
    EXPECT_FALSE(decode_token(text.substr(0, i)).token) << "cut at " << i;
    std::string changed = text;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    const DecodedToken d = decode_token(changed);
    EXPECT_FALSE(d.token) << "changed at " << i;
    EXPECT_FALSE(d.error.empty());
  }
}

TEST(ReplayToken, ANewerVersionIsRefusedByName) {
  std::string text = encode_token(sample());
  text[3] = '2';
  EXPECT_NE(decode_token(text).error.find("newer deflake"), std::string::npos);
  EXPECT_NE(decode_token("3f9c2a").error.find("not a replay token"), std::string::npos);
  EXPECT_FALSE(looks_like_token("3f9c2a"));
  EXPECT_TRUE(looks_like_token(encode_token(sample())));
}

TEST(ReplayToken, TheCommandDigestIgnoresTheProgramsFolderOnly) {
  EXPECT_EQ(command_digest({"./build/t", "--a"}), command_digest({"/home/x/t", "--a"}));
  EXPECT_NE(command_digest({"./t", "--a"}), command_digest({"./t", "--b"}));
  EXPECT_NE(command_digest({"./t", "a b"}), command_digest({"./t", "a", "b"}));
  EXPECT_NE(command_digest({"./t"}), command_digest({"./u"}));
}

}  // namespace
}  // namespace deflake
