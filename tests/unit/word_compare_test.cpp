// wasm/word_compare.hpp: the wasi module's memcmp, checked natively against the C library's.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "../../wasm/word_compare.hpp"

namespace {

int sign(int x) { return (x > 0) - (x < 0); }

}  // namespace

TEST_CASE("compare_bytes: memcmp's sign for every length up to 40 and every place of a difference") {
  for (std::size_t n = 0; n <= 40; ++n) {
    std::string a(n + 1, 'k'), b(n + 1, 'k');  // + 1: a byte past the end that differs, never read
    b[n] = 'z';
    for (std::size_t i = 0; i < n; ++i) a[i] = b[i] = static_cast<char>('a' + i % 26);
    CHECK(ajs::wasm::compare_bytes(a.data(), b.data(), n) == 0);
    for (std::size_t at = 0; at < n; ++at) {
      for (unsigned char other : {0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF}) {
        std::string c = a;
        c[at] = static_cast<char>(other);
        if (c[at] == a[at]) continue;
        // A second difference after the first must not decide.
        if (at + 1 < n) c[n - 1] = static_cast<char>(a[n - 1] ^ 0x55);
        INFO("n=" << n << " at=" << at << " byte=" << int(other));
        CHECK(sign(ajs::wasm::compare_bytes(c.data(), a.data(), n)) == sign(std::memcmp(c.data(), a.data(), n)));
        CHECK(sign(ajs::wasm::compare_bytes(a.data(), c.data(), n)) == sign(std::memcmp(a.data(), c.data(), n)));
      }
    }
  }
}
