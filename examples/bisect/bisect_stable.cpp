// cause: none (verdict stable-pass)
//
// Always passes: a deterministic computation checked against its known value.
#include <cstdio>

int main() {
  unsigned sum = 0;
  for (unsigned i = 1; i <= 100; ++i) sum += i;
  if (sum != 5050) return 1;
  std::printf("ok: %u\n", sum);
  return 0;
}
