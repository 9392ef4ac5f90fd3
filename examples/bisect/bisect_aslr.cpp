// cause: knobs — aslr (requires any; not seed-dependent)
//
// The code under test is an arena that hands out pages of the heap and keeps
// a 4-slot ring of "page colours", computing a page's number from the
// assumption that the heap starts where the program's static data ends
// (&_end, page-aligned). That holds without address-space randomisation: the
// Linux ELF loader (fs/binfmt_elf.c) sets the initial program break to the
// page-aligned end of .bss, and only moves it when the process has
// PF_RANDOMIZE (randomize_va_space = 2 and no ADDR_NO_RANDOMIZE personality),
// by a random number of pages (arch_randomize_brk: up to 32 MiB, 1 GiB on
// recent x86-64 kernels; newer kernels add one page first). With the break moved, every page number
// the arena computes is off by that many pages, and its latent bug bites when the offset is 3
// modulo 4 (the colour wraps into the slot the ring reserves): about one run in four under ASLR.
//
// Pinned (personality(ADDR_NO_RANDOMIZE)): the kernel does not randomise the
// break, so start_brk equals the page-aligned &_end exactly, the offset is 0
// and the bug cannot bite, on any Linux machine; this is about two addresses
// whose relative position the loader fixes, not about where they lie (the
// environment, which other knobs change, moves only the stack).
// If ASLR is off machine-wide (/proc/sys/kernel/randomize_va_space is 0, or 1,
// which does not randomise the break) this example cannot fail: the aslr knob
// is then free but ineffective. It reads start_brk from /proc/self/stat
// (field 47, Linux 3.5+); where that is unavailable it passes, saying so.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

extern "C" char _end[];  // set by the linker: the end of .bss

namespace {

/// start_brk from /proc/self/stat, or 0 when it cannot be read.
std::uintptr_t start_brk() {
  std::ifstream stat("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Field 2 (comm) may hold spaces and parentheses: count fields after the last ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 1));
  std::string field;
  for (int number = 3; fields >> field; ++number)
    if (number == 47) return static_cast<std::uintptr_t>(std::stoull(field));
  return 0;
}

/// The arena's page colour for the page at `offset` pages from where it
/// thinks the heap starts; colour 3 is reserved, and using it corrupts the ring.
unsigned page_colour(std::uintptr_t page_offset) {
  return static_cast<unsigned>(page_offset % 4);
}

}  // namespace

int main() {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const std::uintptr_t brk = start_brk();
  if (brk == 0) {
    std::printf("ok: start_brk is not readable here; the example cannot observe the layout\n");
    return 0;
  }
  const std::uintptr_t assumed = (reinterpret_cast<std::uintptr_t>(_end) + page - 1) / page * page;
  const std::uintptr_t offset_pages = (brk - assumed) / page;
  // The first page the arena hands out is, for it, page 0 (colour 0); the
  // real page is offset_pages further, and the arena's bookkeeping uses both.
  if (page_colour(offset_pages) == 3) {
    std::printf("FAIL: the heap starts %zu pages after the static data; colour 3 is reserved\n",
                static_cast<std::size_t>(offset_pages));
    return 1;
  }
  std::printf("ok: the heap starts %zu pages after the static data\n",
              static_cast<std::size_t>(offset_pages));
  return 0;
}
