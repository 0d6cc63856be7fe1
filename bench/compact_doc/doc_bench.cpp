// The compact document's parse against json::parse into the request's arena (as ingest parses),
// the same text, alternately in one process: median µs of each over `rounds`.
//   doc_bench <body.json> [rounds]   (bench/compact_doc/run.sh builds and runs it)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "doc.hpp"
#include "json/arena.hpp"
#include "json/parse_json.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

double micros(clock_type::time_point from, clock_type::time_point to) {
  return std::chrono::duration<double, std::micro>(to - from).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: doc_bench <body.json> [rounds]\n");
    return 2;
  }
  std::ifstream file(argv[1]);
  std::stringstream text;
  text << file.rdbuf();
  std::string const body = text.str();
  int const rounds = argc > 2 ? std::atoi(argv[2]) : 200;
  boost::json::parse_options options;
  options.max_depth = 64;
  std::vector<double> with_bounds, boost_value, compact;
  ajs::json::doc::document d;
  for (int r = 0; r < rounds; ++r) {
    auto const t0 = clock_type::now();
    {
      ajs::json::arena arena(body.size() * 2 + 8192);
      boost::system::error_code ec;
      ajs::json::size_bounds sizes;
      auto const v = ajs::json::parse(body, ec, &arena, options, nullptr, &sizes);
      if (ec || !v.is_object()) return 1;
    }
    auto const t1 = clock_type::now();
    {
      boost::system::error_code ec;
      d.parse(body, ec, options, 7);
      if (ec) return 1;
    }
    auto const t2 = clock_type::now();
    {
      ajs::json::arena arena(body.size() * 2 + 8192);
      boost::system::error_code ec;
      auto const v = ajs::json::parse(body, ec, &arena, options);
      if (ec || !v.is_object()) return 1;
    }
    auto const t3 = clock_type::now();
    with_bounds.push_back(micros(t0, t1));
    compact.push_back(micros(t1, t2));
    boost_value.push_back(micros(t2, t3));
  }
  std::printf(
      "%s: json::parse with size bounds %.0f us, json::parse %.0f us, the compact document %.0f us (%zu nodes, %zu "
      "bytes)\n",
      argv[1], median(with_bounds), median(boost_value), median(compact), d.nodes().size(), body.size());
}
