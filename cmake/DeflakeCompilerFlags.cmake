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
