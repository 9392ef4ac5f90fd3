#include "store/render.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "base/text.hpp"

namespace deflake {
namespace {

std::string or_none(const std::string& value) {
  return value.empty() ? "none" : value;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out.empty() ? "none" : out;
}

// "2024-05-01T12:34:56.789Z" → "2024-05-01 12:34:56".
std::string when(const std::string& created) {
  if (created.size() < 19) return created;
  std::string out = created.substr(0, 19);
  out[10] = ' ';
  return out;
}

std::string indented(const std::string& text) {
  std::string out = "  ";
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '\n' && i + 1 < text.size()) out += "  ";
  }
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

}  // namespace

std::string describe_outcome(const StoreRecord& r) {
  std::vector<std::string> details;
  if (r.signal)
    details.push_back(r.signal_name.empty() ? fmt::format("signal {}", *r.signal) : r.signal_name);
  if (r.core_dumped) details.push_back("core dumped");
  if (r.exit_code) details.push_back(fmt::format("exit {}", *r.exit_code));
  std::string out = r.outcome;
  if (!details.empty()) {
    out += " (";
    for (std::size_t i = 0; i < details.size(); ++i) out += (i ? ", " : "") + details[i];
    out += ')';
  }
  return out;
}

std::string render_store_list(const StoreListing& listing) {
  if (listing.records.empty()) return "no failures stored\n";
  std::size_t target_width = 6;
  for (const auto& r : listing.records) target_width = std::max(target_width, r.target.size());
  target_width = std::min<std::size_t>(target_width, 60);
  std::string out = fmt::format("{:<{}}  {:<19}  {:<{}}  {:<20}  {}\n", "ID", kShortIdDigits,
                                "CREATED (UTC)", "TARGET", target_width, "SEED", "OUTCOME");
  for (const auto& r : listing.records)
    out += fmt::format("{:<{}}  {:<19}  {:<{}}  {:<20}  {}\n", r.id.substr(0, kShortIdDigits),
                       kShortIdDigits, when(r.created), r.target, target_width, r.seed,
                       describe_outcome(r));
  return out;
}

std::string render_store_warnings(const std::vector<StoreWarning>& warnings) {
  std::string out;
  for (const auto& w : warnings) out += fmt::format("warning: {}: {}\n", w.path, w.message);
  return out;
}

std::string render_record(const StoreRecord& r) {
  std::string out = fmt::format("failure {}\n", r.id.empty() ? "(not stored)" : r.id);
  auto row = [&out](const char* name, const std::string& value) {
    out += fmt::format("  {:<12} {}\n", name, value);
  };
  row("created", r.created + " (UTC)");
  row("command", r.command);
  row("target", r.target);
  row("argv", shell_join(r.argv));
  row("cwd", r.cwd);
  std::string env;
  for (const auto& [name, value] : r.env.set)
    env += (env.empty() ? "" : " ") + name + "=" + shell_quote(value);
  row("env", env.empty() ? "none set" : env);
  if (!r.env.unset.empty()) row("env unset", joined(r.env.unset));
  row("seed", std::to_string(r.seed));
  row("pinned", joined(r.pinned));
  row("free", joined(r.free));
  row("amplify", r.amplify.value_or("none"));
  if (!r.order.empty()) row("order", joined(r.order));
  row("outcome", describe_outcome(r));
  row("duration", human_duration(r.duration_s));
  if (!r.note.empty()) row("note", r.note);
  if (r.artifact) row("artifact", *r.artifact);
  if (r.token) row("token", *r.token);
  row("nonce", r.nonce);
  out += fmt::format("replay:\n  {}\n", r.replay.empty() ? shell_join(r.argv) : r.replay);

  const Manifest& m = r.manifest;
  out += "manifest:\n";
  row("deflake", or_none(m.deflake_version));
  row("os", or_none(m.os) + " " + m.kernel + " " + m.arch);
  row("host", or_none(m.host));
  row("cpu", or_none(m.cpu_model));
  row("compiler", or_none(m.compiler));
  row("binary", or_none(m.binary_path));
  row("sha256", or_none(m.binary_sha256));
  row("cuda driver", or_none(m.cuda_driver_version));
  row("cuda runtime", or_none(m.cuda_runtime_version));
  row("gpus", joined(m.gpus));

  out += r.output_tail.empty() ? "output: none\n"
                               : "output (head and tail):\n" + indented(r.output_tail);
  if (r.full_output)
    out += fmt::format("full output: {} bytes, kept in the record file\n", r.full_output->size());
  if (r.full_output_file) out += fmt::format("full output: {}\n", *r.full_output_file);
  return out;
}

}  // namespace deflake
