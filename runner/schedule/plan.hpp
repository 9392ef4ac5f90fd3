// The plan of a sweep: which runs exist and what each one gets. Pure: the
// same plan gives the same RunSpecs, so a sweep is reproducible from its
// master seed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "deflake/seed_derivation.hpp"  // parse_seed, shared with the adapters
#include "knobs/catalog.hpp"
#include "model/run.hpp"

namespace deflake {

/// Replaces every "{seed}" in each word by `seed` in decimal.
std::vector<std::string> expand_seed(const std::vector<std::string>& words, std::uint64_t seed);

/// A master seed from the OS's entropy, for sweeps where the user gave none.
std::uint64_t draw_master_seed();

struct SweepPlan {
  std::string target_name;        // what reports call the target
  std::vector<std::string> argv;  // may hold "{seed}"
  std::uint64_t master_seed = 0;
  bool master_seed_given = false;     // false: drawn, and printed so it can be repeated
  std::optional<std::uint64_t> runs;  // nullopt: no limit (with until_fail)
  unsigned jobs = 1;
  bool until_fail = false;
  double timeout_s = 60;
  std::vector<const Knob*> pinned;  // knobs named by --pin, sorted by name
  std::vector<const Knob*> freed;   // knobs named by --free, sorted by name
  // Environment every run gets (a [tests.NAME] env of deflake.toml).
  std::vector<std::pair<std::string, std::string>> env;
  // Bisect: run i gets seeds[i] (common seeds across configurations).
  std::vector<std::uint64_t> seeds;
  // Replaying one recorded run: every run gets this seed and DEFLAKE_RUN.
  std::optional<std::uint64_t> replay_seed;
  std::optional<std::uint64_t> replay_run;

  bool is_pinned(std::string_view knob) const;

  /// At most this many of the target's runs at once (1 when concurrency is pinned).
  unsigned effective_jobs() const;

  /// Everything run `index` gets: its seed, argv, DEFLAKE_* and knob settings.
  RunSpec make_run(std::uint64_t index) const;
};

}  // namespace deflake
