#include "knobs/catalog.hpp"

#include <deque>

namespace deflake {
namespace {

std::vector<Knob> make_catalog() {
  using Set = std::vector<std::pair<std::string, std::string>>;
  using Unset = std::vector<std::string>;
  std::vector<Knob> knobs;
  knobs.push_back({"seed",
                   "the test's random input",
                   {"the same seed for every run", {}, {}},
                   {"a fresh seed per run", {}, {}}});
  knobs.push_back(
      {"order",
       "test order within a binary",
       {"GTEST_SHUFFLE=0", {Set{{"GTEST_SHUFFLE", "0"}}, Unset{"GTEST_RANDOM_SEED"}}, {}},
       {"GTEST_SHUFFLE=1, GTEST_RANDOM_SEED = 1 + seed mod 99999",
        {Set{{"GTEST_SHUFFLE", "1"}, {"GTEST_RANDOM_SEED", "{gtest_random_seed}"}}, {}},
        {}}});
  knobs.push_back(
      {"threads",
       "thread count, parallel reduction order",
       {"OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_CBWR=COMPATIBLE",
        {Set{{"OMP_NUM_THREADS", "1"},
             {"MKL_NUM_THREADS", "1"},
             {"OPENBLAS_NUM_THREADS", "1"},
             {"MKL_CBWR", "COMPATIBLE"}},
         {}},
        {}},
       {"unset",
        {{}, Unset{"OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_CBWR"}},
        {}}});
  knobs.push_back({"aslr",
                   "address-space layout",
                   {"personality(ADDR_NO_RANDOMIZE)", {}, {ChildAction::no_aslr}},
                   {"default", {}, {}}});
  knobs.push_back({"hashseed",
                   "language hash randomisation",
                   {"PYTHONHASHSEED=0", {Set{{"PYTHONHASHSEED", "0"}}, {}}, {}},
                   {"PYTHONHASHSEED=random", {Set{{"PYTHONHASHSEED", "random"}}, {}}, {}}});
  knobs.push_back({"tf32",
                   "TF32 tensor-core math",
                   {"NVIDIA_TF32_OVERRIDE=0", {Set{{"NVIDIA_TF32_OVERRIDE", "0"}}, {}}, {}},
                   {"unset", {{}, Unset{"NVIDIA_TF32_OVERRIDE"}}, {}}});
  knobs.push_back({"atomics",
                   "order of float atomic accumulation",
                   {"DEFLAKE_PINNED has atomics, TF_DETERMINISTIC_OPS=1",
                    {Set{{"TF_DETERMINISTIC_OPS", "1"}}, {}},
                    {}},
                   {"unset", {{}, Unset{"TF_DETERMINISTIC_OPS"}}, {}}});
  knobs.push_back({"algo",
                   "autotuned algorithm choice",
                   {"DEFLAKE_PINNED has algo, TF_CUDNN_USE_AUTOTUNE=0, TF_CUDNN_DETERMINISTIC=1",
                    {Set{{"TF_CUDNN_USE_AUTOTUNE", "0"}, {"TF_CUDNN_DETERMINISTIC", "1"}}, {}},
                    {}},
                   {"unset", {{}, Unset{"TF_CUDNN_USE_AUTOTUNE", "TF_CUDNN_DETERMINISTIC"}}, {}}});
  knobs.push_back(
      {"cublas",
       "cuBLAS workspace / stream reduction order",
       {"CUBLAS_WORKSPACE_CONFIG=:4096:8", {Set{{"CUBLAS_WORKSPACE_CONFIG", ":4096:8"}}, {}}, {}},
       {"unset", {{}, Unset{"CUBLAS_WORKSPACE_CONFIG"}}, {}}});
  knobs.push_back({"launch",
                   "asynchronous kernel launches",
                   {"CUDA_LAUNCH_BLOCKING=1", {Set{{"CUDA_LAUNCH_BLOCKING", "1"}}, {}}, {}},
                   {"unset", {{}, Unset{"CUDA_LAUNCH_BLOCKING"}}, {}}});
  knobs.push_back({"concurrency",
                   "other processes of the suite running at once",
                   {"the target's runs overlap nothing", {}, {}},
                   {"runs overlap as -j allows", {}, {}}});
  return knobs;
}

}  // namespace

const std::vector<Knob>& builtin_knobs() {
  static const std::vector<Knob> catalog = make_catalog();
  return catalog;
}

namespace {

// A deque: knobs never move once added, so plans may keep pointers to them.
std::deque<Knob>& user_knob_storage() {
  static std::deque<Knob> knobs;
  return knobs;
}

std::vector<const Knob*>& user_knob_list() {
  static std::vector<const Knob*> list;
  return list;
}

}  // namespace

void add_user_knobs(const std::vector<Knob>& knobs) {
  for (const Knob& knob : knobs) {
    if (find_knob(knob.name) != nullptr) continue;  // the config loader refuses clashes
    user_knob_storage().push_back(knob);
    user_knob_list().push_back(&user_knob_storage().back());
  }
}

const std::vector<const Knob*>& user_knobs() {
  return user_knob_list();
}

const Knob* find_knob(std::string_view name) {
  for (const auto& knob : builtin_knobs())
    if (knob.name == name) return &knob;
  for (const Knob* knob : user_knob_list())
    if (knob->name == name) return knob;
  return nullptr;
}

std::vector<std::string> knob_names() {
  std::vector<std::string> names;
  for (const auto& knob : builtin_knobs()) names.push_back(knob.name);
  for (const Knob* knob : user_knob_list()) names.push_back(knob->name);
  return names;
}

}  // namespace deflake
