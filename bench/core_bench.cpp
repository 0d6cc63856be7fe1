// Native cost of the core: one ~500 KB analytics.js batch and one single track, planned and
// encoded, as the wasm hosts run it. Usage: core_bench batch.json config.json [iterations]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "handler.hpp"
#include "plan/plan_encoding.hpp"

namespace {

std::string read_file(char const* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct sample {
  double median_ms, min_ms;
  std::size_t calls, bytes;
};

sample measure(ajs::config const& cfg, ajs::request_meta const& meta, std::string const& body, int iterations) {
  std::vector<double> ms;
  std::string out;
  std::size_t calls = 0;
  for (int i = 0; i < iterations; ++i) {
    auto const t0 = std::chrono::steady_clock::now();
    ajs::plan p;
    ajs::handle_request(meta, body, cfg, p);
    ajs::encode_plan(p, out);
    auto const t1 = std::chrono::steady_clock::now();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    calls = p.requests.size();
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.front(), calls, out.size()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s batch.json config.json [iterations]\n", argv[0]);
    return 2;
  }
  auto const batch = read_file(argv[1]);
  auto cfg = ajs::parse_config(read_file(argv[2]));
  if (!cfg) {
    std::fprintf(stderr, "config: %s\n", cfg.error().message.c_str());
    return 2;
  }
  int const iterations = argc > 3 ? std::atoi(argv[3]) : 200;
  ajs::request_meta meta;
  meta.method = "POST";
  meta.scheme = "https";
  meta.host = "edge.example.com";
  meta.path = "/v1/batch";
  meta.received_at_ms = 1785578400500;
  meta.client_ip = "203.0.113.7";
  auto const b = measure(*cfg, meta, batch, iterations);
  meta.path = "/v1/t";
  std::string const one =
      R"({"writeKey":"wk_bench","type":"track","event":"Order Completed","userId":"user_1","messageId":"m1",)"
      R"("timestamp":"2026-08-01T10:00:00.000Z","sentAt":"2026-08-01T10:00:00.100Z","properties":{"revenue":49.5,)"
      R"("currency":"EUR","accountId":"acct_1"},"context":{"library":{"name":"analytics.js","version":"next-1.84.1"}}})";
  auto const s = measure(*cfg, meta, one, iterations * 20);
  std::printf(
      "{\"batch\":{\"bytes\":%zu,\"calls\":%zu,\"plan_bytes\":%zu,\"median_ms\":%.3f,\"min_ms\":%.3f},"
      "\"single\":{\"calls\":%zu,\"median_us\":%.2f,\"min_us\":%.2f}}\n",
      batch.size(), b.calls, b.bytes, b.median_ms, b.min_ms, s.calls, s.median_ms * 1000, s.min_ms * 1000);
  return 0;
}
