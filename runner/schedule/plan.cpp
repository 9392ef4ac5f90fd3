#include "schedule/plan.hpp"

#include <sys/random.h>

#include <algorithm>
#include <chrono>

#include "deflake/seed_derivation.hpp"

namespace deflake {
namespace {

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

std::string expand_value(const std::string& value, std::uint64_t seed) {
  if (value.find('{') == std::string::npos) return value;
  std::string out = replace_all(value, "{seed}", std::to_string(seed));
  // GoogleTest reads GTEST_RANDOM_SEED in [1, 99999]; 0 would mean "use the time".
  return replace_all(out, "{gtest_random_seed}", std::to_string(1 + seed % 99999));
}

void apply(const KnobSetting& setting, std::uint64_t seed, RunSpec& spec) {
  for (const auto& [name, value] : setting.env.set)
    spec.env.set.emplace_back(name, expand_value(value, seed));
  for (const auto& name : setting.env.unset) spec.env.unset.push_back(name);
  for (ChildAction action : setting.actions) spec.actions.push_back(action);
}

}  // namespace

std::vector<std::string> expand_seed(const std::vector<std::string>& words, std::uint64_t seed) {
  std::vector<std::string> out;
  out.reserve(words.size());
  const std::string seed_text = std::to_string(seed);
  for (const auto& word : words)
    out.push_back(
        word.find("{seed}") == std::string::npos ? word : replace_all(word, "{seed}", seed_text));
  return out;
}

std::uint64_t draw_master_seed() {
  std::uint64_t value = 0;
  if (::getrandom(&value, sizeof value, 0) != static_cast<ssize_t>(sizeof value)) {
    // No entropy syscall: the clock still gives a seed that differs per sweep.
    value = splitmix64(
        static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  }
  // Drawn master seeds use the same 16-digit range as run seeds: easy to read and to copy.
  return to_seed_range(value);
}

bool SweepPlan::is_pinned(std::string_view knob) const {
  return std::any_of(pinned.begin(), pinned.end(),
                     [knob](const Knob* k) { return k->name == knob; });
}

unsigned SweepPlan::effective_jobs() const {
  return is_pinned("concurrency") ? 1 : std::max(1u, jobs);
}

RunSpec SweepPlan::make_run(std::uint64_t index) const {
  RunSpec spec;
  spec.index = index;
  spec.seed = replay_seed            ? *replay_seed
              : index < seeds.size() ? seeds[index]
                                     : run_seed(master_seed, is_pinned("seed") ? 0 : index);
  spec.argv = expand_seed(argv, spec.seed);
  spec.timeout_s = timeout_s;
  std::string pinned_names;
  for (const Knob* knob : pinned) {
    if (!pinned_names.empty()) pinned_names += ',';
    pinned_names += knob->name;
  }
  spec.env.set = {{"DEFLAKE_SEED", std::to_string(spec.seed)},
                  {"DEFLAKE_PINNED", pinned_names},
                  {"DEFLAKE_RUN", std::to_string(replay_run ? *replay_run : index)}};
  for (const auto& [name, value] : env)
    spec.env.set.emplace_back(name, expand_value(value, spec.seed));
  for (const Knob* knob : pinned) apply(knob->pinned, spec.seed, spec);
  for (const Knob* knob : freed) apply(knob->free, spec.seed, spec);
  return spec;
}

}  // namespace deflake
