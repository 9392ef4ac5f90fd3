// cause: none (verdict stable-fail: broken every time, exit 1)
//
// Always fails: the expected value is wrong, whatever the seed or the knobs.
#include <cstdio>

int main() {
  unsigned sum = 0;
  for (unsigned i = 1; i <= 100; ++i) sum += i;
  std::printf("FAIL: sum is %u, the test expects 5000\n", sum);
  return 1;
}
