#pragma once
// Segment's own date rules, ported from the npm modules its classic destinations ran on:
//   segmentio-facade 3.2.7      lib/facade.js: the constructor reads `timestamp` with new-date and
//                               runs isodate-traverse over the whole message;
//   new-date 1.0.3              lib/index.js, lib/milliseconds.js, lib/seconds.js;
//   @segment/isodate 1.0.3      lib/index.js: `is` and `parse`;
//   @segment/isodate-traverse 1.1.1  lib/index.js.
// A JavaScript Date is its time value here: ms since the epoch, or nullopt for an Invalid Date.
// Two facts are not in those modules and are decided in segment_dates.cpp alone: the process's
// local zone (read as UTC, where Workers run) and which strings `new Date(string)` reads.
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/timestamp.hpp"

namespace ajs {

using js_date = std::optional<std::int64_t>;

// isodate.is(s, strict): the lax ISO-8601 matcher ("2014", "2014-06", "20140601" pass); strict
// also needs YYYY-MM-DD at the start.
bool isodate_is(std::string_view s, bool strict);

// isodate.parse(s) for a string isodate_is(s, false) accepts (nullopt otherwise): Date.UTC of its
// fields, out-of-range fields rolling over as Date.UTC rolls them (2026-13-01 is 2027-01-01).
js_date isodate_parse(std::string_view s);

// new-date: numbers (seconds below 31557600000, else ms) and strings (isodate, then 13 or 10
// digits anywhere, then `new Date(s)`). Other JSON values read as Invalid Date.
js_date new_date(double n);
js_date new_date(std::string_view s);
js_date new_date(boost::json::value const& v);

// Whether `ms` is a time value a Date can hold (|ms| ≤ 8.64e15).
bool is_js_time(std::int64_t ms);

// Date.prototype.toISOString: "2026-08-01T10:00:00.000Z"; years outside 0–9999 as ±YYYYYY.
inline iso8601_text to_iso_string(std::int64_t ms) { return iso8601_text(ms); }

// isodate-traverse (strict), as facade's constructor runs it, then JSON.stringify: whether it
// would write any string value of `v` (at any depth; keys never count) other than as it is.
bool isodate_traverse_changes(boost::json::value const& v);
bool isodate_traverse_changes(boost::json::object const& o);

// The same rule for one string value: writes the JSON that replaces it (its Date's ISO string,
// quoted) into `out` (isodate_traversed_max bytes) and returns its length, or 0 when the string
// is written as it is.
inline constexpr std::size_t isodate_traversed_max = 32;
std::size_t write_isodate_traversed(std::string_view s, char* out);

// Appends `o` without its member `omit_key` as facade's json() writes it after isodate-traverse
// (JSON.stringify of the traversed message; json/write_json.hpp's numbers) and returns whether a
// string value came out other than as it is: if not, the text is json::write_json's.
bool write_isodate_traversed_json(std::string& out, boost::json::object const& o, std::string_view omit_key);

}  // namespace ajs
