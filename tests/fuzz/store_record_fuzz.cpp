// Fuzzes the store's record parser (parse_record): it never throws or
// crashes, says why whenever it gives no record, and every record it accepts
// is written back (to_json) to bytes that parse to the same record and are a
// fixed point of writing.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "store/record.hpp"

namespace {

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "store_record_fuzz: invariant violated: %s\n", what);
  std::abort();
}
#define FUZZ_CHECK(condition) \
  if (!(condition)) violated(#condition)

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const deflake::ParsedRecord parsed = deflake::parse_record(input);
  if (!parsed.record) {
    FUZZ_CHECK(parsed.problem != deflake::RecordProblem::none);
    FUZZ_CHECK(!parsed.error.empty());
    return 0;
  }
  FUZZ_CHECK(parsed.problem == deflake::RecordProblem::none);
  FUZZ_CHECK(parsed.error.empty());
  const deflake::StoreRecord& record = *parsed.record;
  FUZZ_CHECK(record.version == deflake::kStoreFormatVersion);
  FUZZ_CHECK(record.id.empty());  // the parser never invents an id
  FUZZ_CHECK(deflake::parse_created(record.created).has_value());
  FUZZ_CHECK(record.signal.has_value() == !record.signal_name.empty());

  const std::string written = deflake::to_json(record);
  const deflake::ParsedRecord again = deflake::parse_record(written);
  FUZZ_CHECK(again.record.has_value());
  FUZZ_CHECK(*again.record == record);
  FUZZ_CHECK(deflake::to_json(*again.record) == written);
  return 0;
}
