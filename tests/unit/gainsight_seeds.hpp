#pragma once
// Segment's Gainsight page examples, shared by the classic and PX tests: both destinations pass
// the normalized message through.
#include <string>

namespace ajs::test::gainsight_seeds {

// The three examples of Segment's Gainsight page, as analytics.js sends them.
inline std::string const seed_identify = R"("userId":"123","traits":{"accountId":"o283h08fh2390f923uofu23",)"
                                         R"("name":"Miles Morales","email":"mmorales@midtownhs.edu"})";
inline std::string const seed_track = R"("userId":"123","event":"Account Created","properties":)"
                                      R"({"accountId":"o283h08fh2390f923uofu23","source":"Invite","title":"CEO"})";
inline std::string const seed_group =
    R"("userId":"123","groupId":"555","traits":{"name":"Twitter","url":"https://twitter.com"})";

// What ingest makes of them: the message as received, plus type, the skew-corrected timestamp,
// originalTimestamp, receivedAt, context.ip (an analytics.js event), channel and version; writeKey
// removed.
inline char const* const expected_identify = R"({
  "type": "identify", "userId": "123",
  "traits": {"accountId": "o283h08fh2390f923uofu23", "name": "Miles Morales", "email": "mmorales@midtownhs.edu"},
  "messageId": "ajs-next-1", "sentAt": "2026-08-01T10:00:00.000Z", "context": {"library": {"name": "analytics.js"}, "ip": "10.0.0.1"},
  "timestamp": "2026-08-01T09:59:59.500Z", "originalTimestamp": "2026-08-01T09:59:59.000Z",
  "receivedAt": "2026-08-01T10:00:00.500Z", "channel": "client", "version": 2})";
inline char const* const expected_track = R"({
  "type": "track", "userId": "123", "event": "Account Created",
  "properties": {"accountId": "o283h08fh2390f923uofu23", "source": "Invite", "title": "CEO"},
  "messageId": "ajs-next-1", "sentAt": "2026-08-01T10:00:00.000Z", "context": {"library": {"name": "analytics.js"}, "ip": "10.0.0.1"},
  "timestamp": "2026-08-01T09:59:59.500Z", "originalTimestamp": "2026-08-01T09:59:59.000Z",
  "receivedAt": "2026-08-01T10:00:00.500Z", "channel": "client", "version": 2})";
inline char const* const expected_group = R"({
  "type": "group", "userId": "123", "groupId": "555",
  "traits": {"name": "Twitter", "url": "https://twitter.com"},
  "messageId": "ajs-next-1", "sentAt": "2026-08-01T10:00:00.000Z", "context": {"library": {"name": "analytics.js"}, "ip": "10.0.0.1"},
  "timestamp": "2026-08-01T09:59:59.500Z", "originalTimestamp": "2026-08-01T09:59:59.000Z",
  "receivedAt": "2026-08-01T10:00:00.500Z", "channel": "client", "version": 2})";

}  // namespace ajs::test::gainsight_seeds
