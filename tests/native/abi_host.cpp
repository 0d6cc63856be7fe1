// The core's C ABI (wasm/exports.cpp) linked natively and driven over stdin/stdout, so that a
// test can hold the native build's output next to the wasm builds' for the same calls
// (tests/core/build_parity.test.mjs). Natively Boost.JSON and the core's JSON writer scan strings
// with SSE2; the wasm builds run the same code on WebAssembly SIMD (wasm/sse2_on_simd128).
//
// Input, a sequence of calls (integers little-endian u32):
//   'c' len text               ajs_configure(text)
//   'h' len meta len body      ajs_handle(meta, body)
// Output, one record a call: i32 return code, u32 length, the output's bytes.
#include <cstdint>
#include <cstdio>
#include <string>

extern "C" {
int ajs_configure(char const* text, std::size_t length);
int ajs_handle(char const* meta_bytes, std::size_t meta_length, char const* body, std::size_t body_length);
char const* ajs_output_ptr();
std::size_t ajs_output_len();
}

namespace {

bool read_exact(void* into, std::size_t n) { return n == 0 || std::fread(into, 1, n, stdin) == n; }

bool read_bytes(std::string& into) {
  std::uint32_t n;
  if (!read_exact(&n, 4)) return false;
  into.resize(n);
  return read_exact(into.data(), n);
}

void write_record(int rc) {
  auto const n = static_cast<std::uint32_t>(ajs_output_len());
  auto const code = static_cast<std::int32_t>(rc);
  std::fwrite(&code, 4, 1, stdout);
  std::fwrite(&n, 4, 1, stdout);
  std::fwrite(ajs_output_ptr(), 1, n, stdout);
}

}  // namespace

int main() {
  std::string a, b;
  for (int kind; (kind = std::fgetc(stdin)) != EOF;) {
    if (kind == 'c' && read_bytes(a)) {
      write_record(ajs_configure(a.data(), a.size()));
    } else if (kind == 'h' && read_bytes(a) && read_bytes(b)) {
      write_record(ajs_handle(a.data(), a.size(), b.data(), b.size()));
    } else {
      std::fprintf(stderr, "abi_host: a malformed call (kind %d)\n", kind);
      return 2;
    }
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}
