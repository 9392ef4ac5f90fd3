// Runs per diagnosis of the bisect engine against simulated targets shaped
// like the bundled examples, over many trials: the engine's economy without
// the noise of five real diagnoses (bench/bisect_runs.sh measures those).
//
//   bisect_sim [TRIALS [CASE]]   (default 40; CASE: print each diagnosis's
//                                 evidence rows for that target)
//
// For each target: mean runs, the floor with claims that rule out p/3 (as
// bisect_runs.sh: what the conclusion needs, for a procedure that knew where
// to look, plus an 8-failure baseline), their ratio, and how many diagnoses
// named the wrong cause or culprits.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "bisect/diagnosis.hpp"
#include "deflake/seed_derivation.hpp"

namespace {

using deflake::BisectOptions;
using deflake::BisectOracle;
using deflake::Diagnosis;

const std::vector<std::string> kKnobs = {"algo",   "aslr",     "atomics", "cache", "concurrency",
                                         "cublas", "hashseed", "launch",  "tf32",  "threads"};

using Free = std::function<bool(const char*)>;
using Model = std::function<double(const Free& free, std::uint64_t seed)>;

class Simulated final : public BisectOracle {
 public:
  Simulated(Model model, std::uint64_t noise) : model_(std::move(model)), noise_(noise) {}
  std::vector<std::optional<bool>> run(const std::vector<std::string>& pinned,
                                       const std::vector<std::uint64_t>& seeds,
                                       bool until_failure) override {
    auto is_free = [&](const char* knob) {
      return std::find(pinned.begin(), pinned.end(), knob) == pinned.end();
    };
    std::vector<std::optional<bool>> out;
    for (std::uint64_t seed : seeds)
      out.push_back(std::uniform_real_distribution<double>(0, 1)(noise_) < model_(is_free, seed));
    return until_failure ? deflake::stopped_at_failure(std::move(out), BisectOptions{}.parallel)
                         : out;
  }

 private:
  Model model_;
  std::mt19937_64 noise_;
};

bool seed_mod(std::uint64_t seed, std::uint64_t k) {
  return deflake::splitmix64(seed) % k == 0;
}

double clean(double p) {
  return std::log(0.05) / std::log1p(-p);
}

struct Case {
  std::string name;
  Model model;
  double p;           // the rate with every knob free
  std::string cause;  // expected
  std::vector<std::string> culprits;
  std::string requires_;
};

double floor_p3(const Case& c) {
  const double p = c.p, base = 8 / p;
  const double k = double(c.culprits.size());
  if (c.cause == "knobs" && c.requires_ == "any") return k / p + clean(p / 3) + base;
  if (c.cause == "knobs") return k * clean(p / 3) + 1 / p + base;
  return 1 / p + 2 + base;
}

}  // namespace

int main(int argc, char** argv) {
  const int trials = argc > 1 ? std::atoi(argv[1]) : 40;
  const std::string shown = argc > 2 ? argv[2] : "";
  const std::vector<Case> cases = {
      {"one knob 10%",
       [](const Free& f, auto) { return f("atomics") ? 0.1 : 0.0; },
       0.1,
       "knobs",
       {"atomics"},
       "any"},
      {"one knob 40%",
       [](const Free& f, auto) { return f("algo") ? 0.4 : 0.0; },
       0.4,
       "knobs",
       {"algo"},
       "any"},
      {"threads (load)",
       [](const Free& f, auto) { return f("threads") ? (f("concurrency") ? 0.3 : 0.05) : 0.0; },
       0.3,
       "knobs",
       {"threads"},
       "any"},
      {"tf32 (seed-dep.)",
       [](const Free& f, std::uint64_t s) { return f("tf32") && seed_mod(s, 3) ? 1.0 : 0.0; },
       1.0 / 3,
       "knobs",
       {"tf32"},
       "any"},
      {"concurrency",
       [](const Free& f, auto) { return f("concurrency") ? 0.46 : 0.0; },
       0.46,
       "knobs",
       {"concurrency"},
       "any"},
      {"two, any",
       [](const Free& f, auto) {
         const double load = f("concurrency") ? 1.0 : 0.3;
         return 1 - (1 - (f("atomics") ? 0.25 * load : 0)) * (1 - (f("threads") ? 0.6 * load : 0));
       },
       1 - 0.75 * 0.4,
       "knobs",
       {"atomics", "threads"},
       "any"},
      {"two, all",
       [](const Free& f, auto) { return f("atomics") && f("threads") ? 0.33 : 0.0; },
       0.33,
       "knobs",
       {"atomics", "threads"},
       "all"},
      {"seed",
       [](const Free&, std::uint64_t s) { return seed_mod(s, 5) ? 1.0 : 0.0; },
       0.2,
       "seed",
       {"seed"},
       ""},
      {"unknown", [](const Free&, auto) { return 0.3; }, 0.3, "unknown", {}, ""},
  };
  fmt::print("{:18} {:>6} {:>7} {:>7} {:>6} {:>6}\n", "target", "p", "runs", "floor", "ratio",
             "wrong");
  std::vector<double> ratios;
  for (const Case& c : cases) {
    double runs = 0;
    int wrong = 0;
    for (int trial = 0; trial < trials; ++trial) {
      Simulated target(c.model, 5000 + trial);
      BisectOptions options;
      options.master_seed = 91 + trial;
      options.max_runs = 20000;
      const Diagnosis d = deflake::diagnose(target, kKnobs, options);
      runs += double(d.total_runs);
      const bool is_wrong =
          d.cause != c.cause || d.culprits != c.culprits || d.requires_ != c.requires_;
      wrong += is_wrong;
      if (c.name == shown) {
        fmt::print("trial {}: {} {} {}, {} runs{}\n", trial, d.cause, fmt::join(d.culprits, ","),
                   d.requires_, d.total_runs, is_wrong ? "  WRONG" : "");
        for (const auto& e : d.evidence)
          fmt::print("  {:>4}/{:<4} {}\n", e.failures, e.runs, e.claim);
        for (const auto& n : d.notes) fmt::print("  note: {}\n", n);
      }
    }
    runs /= trials;
    const double fl = floor_p3(c);
    ratios.push_back(runs / fl);
    fmt::print("{:18} {:6.2f} {:7.0f} {:7.0f} {:5.2f}x {:3}/{}\n", c.name, c.p, runs, fl, runs / fl,
               wrong, trials);
  }
  std::sort(ratios.begin(), ratios.end());
  fmt::print("median ratio {:.2f}x, max {:.2f}x\n", ratios[ratios.size() / 2], ratios.back());
}
