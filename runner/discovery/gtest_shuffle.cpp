#include "discovery/gtest_shuffle.hpp"

#include <string_view>
#include <utility>

namespace deflake {
namespace {

// GoogleTest's internal::Random.
class GtestRandom {
 public:
  explicit GtestRandom(std::uint32_t seed) : state_(seed) {}
  std::uint32_t generate(std::uint32_t range) {
    state_ = static_cast<std::uint32_t>((1103515245ULL * state_ + 12345U) % (1ULL << 31));
    return state_ % range;
  }

 private:
  std::uint32_t state_;
};

template <typename T>
void shuffle_range(GtestRandom& random, std::size_t begin, std::size_t end, std::vector<T>& v) {
  for (std::size_t width = end - begin; width >= 2; --width) {
    const std::size_t last = begin + width - 1;
    const std::size_t selected = begin + random.generate(static_cast<std::uint32_t>(width));
    std::swap(v[selected], v[last]);
  }
}

// GoogleTest's death test suites ("*DeathTest", "*DeathTest/*") run first
// and shuffle among themselves.
bool is_death_suite(std::string_view suite) {
  constexpr std::string_view kDeath = "DeathTest";
  return suite.ends_with(kDeath) || suite.find("DeathTest/") != std::string_view::npos;
}

}  // namespace

std::vector<std::string> gtest_shuffled_order(const std::vector<std::string>& listing,
                                              std::uint32_t random_seed) {
  // The suites, in the listing's order (death test suites come first there
  // too), each with its tests.
  struct Suite {
    std::string name;
    std::vector<std::string> tests;
  };
  std::vector<Suite> suites;
  std::size_t death_suites = 0;
  for (const std::string& test : listing) {
    const std::string suite = test.substr(0, test.find('.'));
    if (suites.empty() || suites.back().name != suite) {
      suites.push_back(Suite{suite, {}});
      death_suites += is_death_suite(suite);
    }
    suites.back().tests.push_back(test);
  }
  GtestRandom random(random_seed);
  std::vector<std::size_t> suite_order(suites.size());
  for (std::size_t i = 0; i < suite_order.size(); ++i) suite_order[i] = i;
  shuffle_range(random, 0, death_suites, suite_order);
  shuffle_range(random, death_suites, suites.size(), suite_order);
  std::vector<std::vector<std::size_t>> test_orders;
  for (const Suite& suite : suites) {
    std::vector<std::size_t> order(suite.tests.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    shuffle_range(random, 0, order.size(), order);
    test_orders.push_back(std::move(order));
  }
  std::vector<std::string> out;
  out.reserve(listing.size());
  for (std::size_t s : suite_order)
    for (std::size_t t : test_orders[s]) out.push_back(suites[s].tests[t]);
  return out;
}

}  // namespace deflake
