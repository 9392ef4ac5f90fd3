// cause: knobs — concurrency (requires any; not seed-dependent)
//
// A test that waits a jittered start-up delay (0 to 20 ms, from
// std::random_device, as services do so that replicas do not start in step),
// then starts a server on a fixed TCP port of 127.0.0.1 for 10 ms, and fails
// when the port is taken (EADDRINUSE): two copies running at once clash when
// their server phases overlap. With deflake's runs overlapping (-j 2), a run
// whose bind falls inside the other slot's 10 ms fails: about a third to a
// half of them. (Without the jitter the two slots can settle into a fixed
// offset that never, or always, clashes, for a whole sweep.) The jitter alone
// never fails a run: with the runs serialised there is nothing to clash with. With concurrency
// pinned, the runs of the target overlap nothing, the port is free whenever a
// run binds it, and every run passes. No SO_REUSEADDR: the clash is the point.
// The socket is only bound (and listening), never connected, so closing it
// leaves no TIME_WAIT behind to trouble the next run.
//
// The port: 20000 + (the parent's pid mod 10000). Copies started by one deflake
// process share it (they are meant to clash); separate deflake processes, as
// parallel end-to-end tests start, get different ports and leave each other
// alone. The range 20000–29999 lies below Linux's ephemeral ports
// (ip_local_port_range, 32768–60999 by default), so no outgoing connection on
// the machine can be holding it by chance. Nothing else (seed, threads, hash
// seeds, addresses) enters the outcome.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <thread>

int main() {
  std::random_device entropy;  // not the seed: the delay only de-synchronises the copies
  std::this_thread::sleep_for(std::chrono::microseconds(entropy() % 20000));
  const auto port = static_cast<std::uint16_t>(20000 + getppid() % 10000);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    std::printf("FAIL: socket: %s\n", std::strerror(errno));
    return 1;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 1) != 0) {
    const int error = errno;
    ::close(fd);
    std::printf("FAIL: 127.0.0.1:%u: %s\n", static_cast<unsigned>(port), std::strerror(error));
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(10));  // the server's work
  ::close(fd);
  std::printf("ok: served on 127.0.0.1:%u\n", static_cast<unsigned>(port));
  return 0;
}
