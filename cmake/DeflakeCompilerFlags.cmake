# Warnings and sanitizer flags for deflake's own targets (never forced on users
# of the installed package: they apply through this interface library only).
add_library(deflake_flags INTERFACE)
target_compile_options(deflake_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)

if(DEFLAKE_SANITIZE STREQUAL "address")
  set(_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
elseif(DEFLAKE_SANITIZE STREQUAL "thread")
  set(_san -fsanitize=thread -fno-omit-frame-pointer)
elseif(NOT DEFLAKE_SANITIZE STREQUAL "")
  message(FATAL_ERROR "DEFLAKE_SANITIZE must be '', 'address' or 'thread', not '${DEFLAKE_SANITIZE}'")
endif()
if(_san)
  add_compile_options(${_san})
  add_link_options(${_san})
endif()

# Fuzz mode (DEFLAKE_BUILD_FUZZERS): every C and C++ target is compiled with
# libFuzzer's coverage instrumentation plus ASan+UBSan, so the parsers the
# harnesses in tests/fuzz call are instrumented too, not only the harnesses.
# Only the harnesses link libFuzzer itself (-fsanitize=fuzzer, which brings its
# own main()); everything else links the sanitizer runtimes alone.
if(DEFLAKE_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "DEFLAKE_BUILD_FUZZERS=ON needs clang (libFuzzer), but the C++ compiler "
                        "is ${CMAKE_CXX_COMPILER_ID}. Configure a separate build folder with "
                        "CC=clang CXX=clang++, or run scripts/fuzz.sh.")
  endif()
  if(DEFLAKE_SANITIZE STREQUAL "thread")
    message(FATAL_ERROR "DEFLAKE_BUILD_FUZZERS=ON already sanitizes with ASan+UBSan; "
                        "it cannot be combined with DEFLAKE_SANITIZE=thread")
  endif()
  set(_fuzz_san -fsanitize=address,undefined -fno-sanitize-recover=undefined)
  add_compile_options("$<$<COMPILE_LANGUAGE:C,CXX>:-fsanitize=fuzzer-no-link;${_fuzz_san};-fno-omit-frame-pointer>")
  add_link_options("$<$<LINK_LANGUAGE:C,CXX>:${_fuzz_san}>")
  # What tests/fuzz links its harnesses with, on top of the options above.
  set(DEFLAKE_FUZZER_LINK_OPTIONS -fsanitize=fuzzer)
endif()
