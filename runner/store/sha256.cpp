#include "store/sha256.hpp"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <memory>
#include <stdexcept>

#include "base/error.hpp"
#include "platform/fd.hpp"

namespace deflake {
namespace {

struct CtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using Ctx = std::unique_ptr<EVP_MD_CTX, CtxDeleter>;

Ctx start() {
  Ctx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL: cannot start a SHA-256 digest");
  return ctx;
}

void update(const Ctx& ctx, const void* data, std::size_t size) {
  if (EVP_DigestUpdate(ctx.get(), data, size) != 1)
    throw std::runtime_error("OpenSSL: SHA-256 update failed");
}

std::string finish(const Ctx& ctx) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &size) != 1)
    throw std::runtime_error("OpenSSL: SHA-256 final failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  const Ctx ctx = start();
  update(ctx, data.data(), data.size());
  return finish(ctx);
}

std::string sha256_file_hex(const std::string& path) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw SystemError("cannot open " + path + " to hash it", errno);
  const Ctx ctx = start();
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n > 0) {
      update(ctx, buffer, static_cast<std::size_t>(n));
    } else if (n == 0) {
      return finish(ctx);
    } else if (errno != EINTR) {
      throw SystemError("cannot read " + path + " to hash it", errno);
    }
  }
}

}  // namespace deflake
