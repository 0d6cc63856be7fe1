// Native cost of the core: each workload (bench/make_batch.mjs WORKLOADS) planned with its queue
// messages and encoded, as the wasm hosts run it on the durable path. Usage: core_bench config.json
// iterations name:path:repeat:body.json[:meta.bin] … With meta.bin (the meta bytes a host writes,
// host-shims/core/meta.mjs encodeMeta), each run reads the request's meta from them, as
// wasm/exports.cpp ajs_handle does: the same work as the wasi module's, byte for byte.
#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "handler.hpp"
#include "http/request_meta.hpp"
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

// `meta_bytes`: when not empty, the meta is read from them each run (and `meta` is not used).
sample measure(ajs::config const& cfg, ajs::request_meta const& meta, std::string const& meta_bytes,
               std::string const& body, int iterations) {
  std::vector<double> ms;
  std::string out;
  std::size_t calls = 0;
  ajs::plan p;
  for (int i = 0; i < iterations; ++i) {
    auto const t0 = std::chrono::steady_clock::now();
    // As wasm/exports.cpp ajs_handle runs it: the meta read, one plan, reset, written into the last
    // output's buffer.
    auto const plan_for = [&](ajs::request_meta const& m) {
      p.reset(ajs::plan_kept_table_bytes);
      p.bytes.swap(out);
      p.bytes.assign(ajs::plan_header_bytes, '\0');
      ajs::handle_request(m, body, cfg, p);
    };
    if (meta_bytes.empty()) {
      plan_for(meta);
    } else {
      auto const read = ajs::read_request_meta(meta_bytes);
      if (!read) {
        std::fprintf(stderr, "meta: %s\n", read.error().message.c_str());
        std::exit(2);
      }
      plan_for(*read);
    }
    ajs::take_encoded_plan(p, out);
    auto const t1 = std::chrono::steady_clock::now();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    calls = p.requests.size();
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.front(), calls, out.size()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s config.json iterations name:path:repeat:body.json ...\n", argv[0]);
    return 2;
  }
  auto cfg = ajs::parse_config(read_file(argv[1]));
  if (!cfg) {
    std::fprintf(stderr, "config: %s\n", cfg.error().message.c_str());
    return 2;
  }
  int const iterations = std::atoi(argv[2]);
  ajs::request_meta meta;
  meta.method = "POST";
  meta.scheme = "https";
  meta.host = "edge.example.com";
  meta.received_at_ms = 1785578400500;
  meta.client_ip = "203.0.113.7";
  meta.queue = std::getenv("AJS_BENCH_PLAN_ONLY") == nullptr;  // set: the plan alone, without the queue messages
  std::printf("{");
  for (int a = 3; a < argc; ++a) {
    std::string const spec = argv[a];
    auto const c1 = spec.find(':'), c2 = spec.find(':', c1 + 1), c3 = spec.find(':', c2 + 1);
    if (c1 == std::string::npos || c2 == std::string::npos || c3 == std::string::npos) {
      std::fprintf(stderr, "workload %s: want name:path:repeat:body.json\n", argv[a]);
      return 2;
    }
    std::string const path = spec.substr(c1 + 1, c2 - c1 - 1);
    meta.path = path;
    auto const c4 = spec.find(':', c3 + 1);
    auto const body = read_file(spec.substr(c3 + 1, c4 == std::string::npos ? std::string::npos : c4 - c3 - 1).c_str());
    auto const meta_bytes = c4 == std::string::npos ? std::string() : read_file(spec.substr(c4 + 1).c_str());
    auto const r =
        measure(*cfg, meta, meta_bytes, body, iterations * std::atoi(spec.substr(c2 + 1, c3 - c2 - 1).c_str()));
    std::printf("%s\"%s\":{\"bytes\":%zu,\"calls\":%zu,\"plan_bytes\":%zu,\"median_ms\":%.4f,\"min_ms\":%.4f}",
                a > 3 ? "," : "", spec.substr(0, c1).c_str(), body.size(), r.calls, r.bytes, r.median_ms, r.min_ms);
  }
  std::printf("}\n");
  return 0;
}
