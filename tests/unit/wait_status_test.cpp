#include "platform/wait_status.hpp"

#include <gtest/gtest.h>
#include <signal.h>

namespace deflake {
namespace {

TEST(WaitStatus, StatusWord) {
  // Linux encodings: exit code in bits 8-15; signal in 0-6; core flag 0x80.
  EXPECT_EQ(decode_wait_status(0), ExitStatus::exited(0));
  EXPECT_EQ(decode_wait_status(3 << 8), ExitStatus::exited(3));
  EXPECT_EQ(decode_wait_status(SIGSEGV), ExitStatus::killed(SIGSEGV, false));
  EXPECT_EQ(decode_wait_status(SIGSEGV | 0x80), ExitStatus::killed(SIGSEGV, true));
  EXPECT_EQ(decode_wait_status(0x7f | (SIGSTOP << 8)), std::nullopt);  // stopped
  EXPECT_EQ(decode_wait_status(0xffff), std::nullopt);                 // continued
}

TEST(WaitStatus, ExitCode139IsNotASignal) {
  // A shell that forwards its child's crash exits 128+11: that is an exit code.
  EXPECT_EQ(decode_wait_status(139 << 8), ExitStatus::exited(139));
}

TEST(WaitStatus, SigInfo) {
  siginfo_t info{};
  info.si_code = CLD_EXITED;
  info.si_status = 2;
  EXPECT_EQ(decode_child_info(info), ExitStatus::exited(2));
  info.si_code = CLD_KILLED;
  info.si_status = SIGKILL;
  EXPECT_EQ(decode_child_info(info), ExitStatus::killed(SIGKILL, false));
  info.si_code = CLD_DUMPED;
  info.si_status = SIGABRT;
  EXPECT_EQ(decode_child_info(info), ExitStatus::killed(SIGABRT, true));
  info.si_code = CLD_STOPPED;
  EXPECT_EQ(decode_child_info(info), std::nullopt);
}

}  // namespace
}  // namespace deflake
