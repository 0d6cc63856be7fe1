#include <doctest/doctest.h>

#include <string>

#include "ingest/lone_surrogates.hpp"

namespace {
// What replace_lone_surrogate_escapes makes of `json`: the repaired text, or "(unchanged)".
std::string repaired(std::string const& json) {
  std::string out;
  return ajs::replace_lone_surrogate_escapes(json, out) ? out : "(unchanged)";
}
}  // namespace

TEST_CASE("lone surrogates: each escape of a lone half becomes \\ufffd; pairs and other escapes stay") {
  CHECK(repaired(R"(\uD83D)") == R"(\ufffd)");  // at the very start and the very end
  CHECK(repaired(R"("a\uD83D")") == R"("a\ufffd")");
  CHECK(repaired(R"("\uDE00x")") == R"("\ufffdx")");      // a low half alone
  CHECK(repaired(R"("\ud83d\ude00")") == "(unchanged)");  // a pair, lower-case hex
  CHECK(repaired(R"("\uD83D\uDE00")") == "(unchanged)");
  CHECK(repaired(R"("\uD83D\u0041")") == R"("\ufffd\u0041")");
  CHECK(repaired(R"("\uD83D\uD83D\uDE00")") == R"("\ufffd\uD83D\uDE00")");
  CHECK(repaired(R"("\\uD83D")") == "(unchanged)");  // an escaped backslash, then text
  CHECK(repaired(R"("\n\uDFFF")") == R"("\n\ufffd")");
  CHECK(repaired(R"("x")") == "(unchanged)");
}

TEST_CASE("lone surrogates: right after a valid pair, a lone half is still found") {
  CHECK(repaired(R"("\uD83D\uDE00\uD800")") == R"("\uD83D\uDE00\ufffd")");
  CHECK(repaired(R"("\uD83D\uDE00\uDE00x")") == R"("\uD83D\uDE00\ufffdx")");
}

TEST_CASE("lone surrogates: the ranges end where UTF-16's do") {
  CHECK(repaired(R"(\uD7FF)") == "(unchanged)");
  CHECK(repaired(R"(\uD800)") == R"(\ufffd)");
  CHECK(repaired(R"(\uDBFF)") == R"(\ufffd)");
  CHECK(repaired(R"(\uDC00)") == R"(\ufffd)");
  CHECK(repaired(R"(\uDFFF)") == R"(\ufffd)");
  CHECK(repaired(R"(\uE000)") == "(unchanged)");
  CHECK(repaired(R"(\uDBFF\uDFFF)") == "(unchanged)");
  CHECK(repaired(R"(\uDBFF\uE000)") == R"(\ufffd\uE000)");
  CHECK(repaired(R"(\ud9ff)") == R"(\ufffd)");  // every hex digit's edge: 9, f, F (above), 0 and a/A below
  CHECK(repaired(R"(\uDa0A)") == R"(\ufffd)");
}

TEST_CASE("lone surrogates: cut or non-hex escapes are left to the JSON parser") {
  CHECK(repaired(R"(\uD83)") == "(unchanged)");
  CHECK(repaired(R"(\u)") == "(unchanged)");
  CHECK(repaired(R"(\uD83G)") == "(unchanged)");
  CHECK(repaired(R"(\uD83D\uDE0)") == R"(\ufffd\uDE0)");
  CHECK(repaired("\\") == "(unchanged)");
}
