#pragma once
// ISO-8601 timestamps without a clock or a locale: parse to ms since the Unix epoch, format back
// as UTC with milliseconds and `Z` (the form Segment and Gainsight use).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ajs {

// Accepts YYYY-MM-DD, and YYYY-MM-DD[T ]hh:mm[:ss[.fraction]][Z|±hh:mm|±hhmm|±hh].
// Without a zone the time is read as UTC.
std::optional<std::int64_t> parse_iso8601_ms(std::string_view text);

// An instant as Date.prototype.toISOString writes it ("2026-08-01T10:00:00.000Z"), in a buffer
// of its own: no allocation, since this runs for every message.
class iso8601_text {
 public:
  iso8601_text() = default;  // empty (its buffer unread)
  explicit iso8601_text(std::int64_t ms_since_epoch);
  // A view of this object's own buffer: not of a temporary's, which would dangle.
  std::string_view view() const& { return {text_, size_}; }
  std::string_view view() const&& = delete;
  friend bool operator==(iso8601_text const& a, std::string_view b) { return a.view() == b; }
  friend bool operator!=(iso8601_text const& a, std::string_view b) { return a.view() != b; }

 private:
  char text_[32];  // the longest: a sign, a 9-digit year (int64 ms) and "-MM-DDThh:mm:ss.sssZ"
  std::size_t size_ = 0;
};

// The same as a std::string.
std::string format_iso8601_ms(std::int64_t ms_since_epoch);

// Whether iso8601_text writes the instant with a four-digit year (0000-01-01T00:00:00.000Z to
// 9999-12-31T23:59:59.999Z), the form parse_iso8601_ms reads back to the same instant; outside,
// toISOString's ±YYYYYY, which it does not read.
constexpr bool iso8601_four_digit_year(std::int64_t ms_since_epoch) {
  return ms_since_epoch >= -62'167'219'200'000 && ms_since_epoch <= 253'402'300'799'999;
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar; m in 1–12, and a day past
// the month's last counts on into the next (y, 2, 30 is March 2 or 1), as JavaScript's MakeDay.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);

}  // namespace ajs
