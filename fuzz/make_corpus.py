#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/fuzz_handle.cpp into fuzz/corpus/ (RELIABILITY.md "Corpus").

Each seed is the 5 selector bytes fuzz_handle.cpp reads (config, method/prefix, endpoint,
auth/origin, meta flags) followed by the body. Run: python3 fuzz/make_corpus.py
"""
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")

# Indices into fuzz_handle.cpp's tables.
CONFIG = {"full": 0, "basepath": 1, "consent": 2, "multi": 3, "defaults": 4, "demo": 5, "tags-basepath": 6}
WRITE_KEYS = {0: ["wk-full"], 1: ["wk-a", "wk-b"], 2: ["wk-consent"], 3: ["wk-1", "wk-2", "wk-3", "wk-4", "wk-twin-1", "wk-twin-2"],
              4: ["wk-default"], 5: ["demo-write-key"], 6: ["wk-t", "wk-u"]}
METHOD = {"POST": 0, "OPTIONS": 3, "GET": 4, "HEAD": 5, "PUT": 6, "post": 7}
PATH = {"t": 0, "track": 1, "i": 2, "identify": 3, "p": 4, "page": 5, "s": 6, "screen": 7, "g": 8, "group": 9,
        "a": 10, "alias": 11, "b": 12, "batch": 13, "import": 14, "m": 19, "settings": 20, "settings-nov1": 21,
        "settings-unknown": 22}
AUTH = {"none": 0, "basic": 1, "basic-nocolon": 2, "basic-lower": 3, "basic-password": 4, "bad": 5, "bearer": 6,
        "unknown": 7}
ORIGIN = {"none": 0, "allowed": 2, "evil": 3, "null": 4, "other": 5, "shop": 6}


def header(config, method="POST", prefix=0, path="t", query=False, slash=False, anomaly=False, host=0,
           source=0, auth="basic", origin="none", ip=0, acrh=0, received=0, anomaly_kind=0, seed=1):
    return bytes([
        CONFIG[config] if isinstance(config, str) else config,
        METHOD[method] | prefix << 3 | query << 5 | slash << 6 | anomaly << 7,
        PATH[path] | host << 7,
        source | AUTH[auth] << 2 | ORIGIN[origin] << 5,
        ip | acrh << 2 | received << 4 | anomaly_kind << 6 | seed << 7,
    ])


def js(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False).encode()


seeds = {}


def seed(name, head, body):
    if isinstance(body, (dict, list)):
        body = js(body)
    elif isinstance(body, str):
        body = body.encode()
    seeds[name] = head + body


TS = "2026-08-01T09:00:00.000Z"
identify = {"type": "identify", "userId": "u-1", "messageId": "m-identify",
            "traits": {"email": "ada@example.com", "name": "Ada Lovelace", "createdAt": "2026-01-01T00:00:00Z",
                       "company": {"id": "c-1", "name": "Analytical"}, "tags": ["vip", "beta"], "plan": "pro"},
            "context": {"ip": "198.51.100.4", "userAgent": "Mozilla/5.0", "page": {"url": "https://shop.example/"}},
            "timestamp": TS}
track = {"type": "track", "event": "Order Completed", "userId": "u-1", "messageId": "m-track",
         "properties": {"revenue": 42.5, "currency": "EUR", "items": [{"sku": "a", "qty": 2}], "email": "ada@example.com"},
         "timestamp": TS}
page = {"type": "page", "name": "Home", "anonymousId": "anon-1", "userId": "u-1",
        "properties": {"url": "https://shop.example/", "title": "Shop"}}
group = {"type": "group", "groupId": "acme", "userId": "u-1", "traits": {"name": "Acme", "email": "ada@example.com",
                                                                        "employees": 120}}
alias = {"type": "alias", "userId": "u-1", "previousId": "anon-1"}
screen = {"type": "screen", "name": "Main", "userId": "u-1"}
consent = {"consent": {"categoryPreferences": {"analytics": True, "marketing": False, "functional": True, "ads": True}}}

# Every configuration: each call type on its own endpoint, a mixed batch, preflight, settings.
for name, c in CONFIG.items():
    for kind, msg, path in [("track", track, "t"), ("identify", identify, "i"), ("page", page, "p"),
                            ("group", group, "g"), ("alias", alias, "a"), ("screen", screen, "s")]:
        m = {k: v for k, v in msg.items() if k != "type"}
        seed(f"{name}-{kind}", header(c, path=path), m)
    batch = {"batch": [identify, track, page, group, alias, screen], "sentAt": TS, "writeKey": WRITE_KEYS[c][0],
             "context": {"library": {"name": "analytics.js", "version": "next-1.70.0"}, **consent}}
    seed(f"{name}-batch-envelope-key", header(c, path="b", auth="none"), batch)
    seed(f"{name}-preflight", header(c, method="OPTIONS", path="t", origin="allowed", acrh=1), b"")
    seed(f"{name}-settings", header(c, method="GET", path="settings", auth="none", origin="evil", host=1), b"")

# Auth forms and origins (single track on the full config).
for auth in AUTH:
    seed(f"auth-{auth}", header("full", path="track", auth=auth, origin="allowed"), {"event": "E", "userId": "u"})
seed("origin-evil", header("full", path="t", origin="evil"), {"event": "E", "userId": "u"})
seed("origin-other-source", header("multi", path="t", source=1, origin="other"), {"event": "E", "userId": "u"})
seed("metrics", header("full", path="m", origin="allowed"), {"series": [{"type": "Counter", "metric": "m", "value": 1}]})
seed("body-too-large", header("full", path="b", anomaly=True, anomaly_kind=1), b"")
seed("body-error", header("full", path="t", anomaly=True, anomaly_kind=0), b"\x1f\x8b\x08")
seed("query-and-slash", header("basepath", path="t", query=True, slash=True), {"event": "E", "userId": "u"})
seed("no-basepath", header("basepath", path="t", prefix=2), {"event": "E", "userId": "u"})

# Several sources in one batch: item keys, envelope key, Basic auth.
seed("multi-source-batch", header("multi", path="batch", source=3, auth="basic"),
     {"writeKey": "wk-1", "batch": [
         {"type": "identify", "userId": "u", "traits": {"email": "u@example.com", "tags": "a, b, c"}, "writeKey": "wk-1"},
         {"type": "track", "event": "E", "userId": "u", "writeKey": "wk-2"},
         {"type": "track", "event": "E", "userId": "u", "writeKey": "wk-4"},
         {"type": "group", "groupId": "g", "userId": "u", "writeKey": "wk-3"},
         {"type": "page", "userId": "u"}]})
seed("twins-same-message-id", header("multi", path="batch", source=0),
     {"batch": [{"type": "identify", "messageId": "order-1001", "userId": "u", "writeKey": k,
                 "traits": {"email": "u@example.com", "tags": ["a", "b"]}} for k in ("wk-twin-1", "wk-twin-2", "wk-twin-1")]})
seed("unknown-item-key", header("multi", path="b"), {"batch": [{"type": "track", "event": "E", "userId": "u",
                                                                 "writeKey": "nope"}]})
seed("writekey-in-context", header("full", path="t"),
     {"event": "E", "userId": "u", "writeKey": "wk-full", "context": {"writeKey": "wk-full"}})

# Consent and integrations.
seed("consent-denied", header("consent", path="b", origin="allowed"),
     {"writeKey": "wk-consent", "batch": [
         {**identify, "context": {"consent": {"categoryPreferences": {"analytics": False}}}},
         {**track, "context": {"consent": {"categoryPreferences": {"analytics": True, "marketing": True}}}},
         {**page, "context": {"consent": {"categoryPreferences": "yes"}}}]})
seed("integrations", header("full", path="b"),
     {"writeKey": "wk-full", "integrations": {"All": False, "Gist": True},
      "batch": [track, {**identify, "integrations": {"Gainsight PX": {}, "Gainsight": False}}]})

# Near the limits.
tiny = {"type": "track", "event": "E", "userId": "u"}
seed("batch-2500-items", header("full", path="batch"), {"writeKey": "wk-full", "batch": [tiny] * 2500 + [{}]})
seed("batch-items-over-limit", header("defaults", path="b"), {"writeKey": "wk-default", "batch": [{}] * 2600})
big_context = {"library": {"name": "analytics.js"}, "pad": "x" * 22000,
               "page": {"url": "https://shop.example/" + "p" * 1000}}
seed("envelope-big-context", header("full", path="batch"),
     {"writeKey": "wk-full", "context": big_context, "integrations": {"Capture": True},
      "batch": [{"type": "track", "event": "E", "userId": f"u{i}"} for i in range(150)]})
seed("envelope-big-context-identify", header("basepath", path="b"),
     {"writeKey": "wk-a", "context": {"pad": "y" * 16000},
      "batch": [{"type": "identify", "userId": f"u{i}", "traits": {"email": f"u{i}@example.com"}} for i in range(120)]})
seed("identify-3000-tags", header("full", path="identify"),
     {"userId": "u", "traits": {"email": "u@example.com", "tags": [f"t{i}" for i in range(3000)]}})
seed("identify-tags-string-tagsoff", header("basepath", path="i", source=0),
     {"userId": "u", "traits": {"email": "u@example.com", "tags": ",".join(f"tag{i}" for i in range(2500))}})
seed("identify-tags-object", header("tags-basepath", path="i"),
     {"userId": "u", "traits": {"email": "u@example.com", "tags": {f"t{i}": (i % 2 == 0) for i in range(400)}}})
def nest(depth):
    v = 1
    for i in range(depth):
        v = {"a": v} if i % 2 else [v]
    return v
seed("deep-nesting-62", header("full", path="t"), {"event": "E", "userId": "u", "properties": {"d": nest(60)}})
seed("deep-nesting-70", header("full", path="t"), {"event": "E", "userId": "u", "properties": {"d": nest(70)}})
seed("deep-nesting-batch", header("consent", path="b"),
     {"writeKey": "wk-consent", "context": {"d": nest(58)}, "batch": [{"type": "track", "event": "E", "userId": "u"}]})
near = {"event": "E", "userId": "u", "properties": {"pad": "z" * (32 * 1024 - 120)}}
seed("single-near-32k", header("full", path="t"), near)
seed("batch-item-near-32k", header("full", path="b"),
     {"writeKey": "wk-full", "batch": [{"type": "track", **near}, tiny]})
seed("numbers-expand", header("full", path="t"),
     {"event": "E", "userId": "u", "properties": {"n": "@@"}}
     )
seeds["numbers-expand"] = seeds["numbers-expand"].replace(b'"@@"', b"[" + b",".join([b"1e21"] * 5000) + b"]")
# Numbers Boost.JSON 1.81 reads an ulp off, read again from their text (src/json/parse_json.hpp):
# 17-digit doubles as JavaScript writes them, extremes, and one number longer than any buffer.
import random
_rng = random.Random(1202)
seed("numbers-long", header("full", path="t"),
     {"event": "E", "userId": "u", "properties": {"n": "@@"}})
seeds["numbers-long"] = seeds["numbers-long"].replace(b'"@@"', b"[" + b",".join(
    [repr(_rng.random() * 10 ** _rng.randint(-30, 30)).encode() for _ in range(1200)]
    + [b"5e-324", b"1.7976931348623159e308", b"1e400", b"-0.0", b"0.30000000000000004", b"1." + b"0" * 6000 + b"1"]) + b"]")
seed("unicode-and-surrogates", header("full", path="i"),
     '{"userId":"\\ud800u","traits":{"email":"a@b.c","name":"\\udc00\\u00e9\\u2028","tags":["\\ud83d\\ude00"]}}')
seed("gist-group-tag-mode", header("multi", path="g", source=0),
     {"groupId": "g" * 300, "userId": "u", "traits": {"email": "e@example.com"}})
seed("timestamps", header("full", path="b", received=2),
     {"writeKey": "wk-full", "sentAt": "2099-01-01T00:00:00Z", "batch": [
         {**tiny, "timestamp": "1970-01-01T00:00:00Z", "originalTimestamp": "2026-08-01T09:00:00+14:00"},
         {**tiny, "timestamp": 1785578400, "sentAt": "garbage"}]})

# Queue messages (the meta's "queue", selector bit 0x80 of the config byte; + 133 keeps the config,
# 133 = 7 × 19): some of the seeds above again, and one person's chain over the 120,000-byte message limit.
QUEUE = 133
for name in ["batch-2500-items", "batch-item-near-32k", "basepath-batch-envelope-key", "consent-batch-envelope-key",
             "identify-3000-tags", "unicode-and-surrogates", "timestamps", "multi-source-batch"]:
    if name in seeds:
        seeds["queue-" + name] = bytes([seeds[name][0] + QUEUE]) + seeds[name][1:]
filler = "x" * 2000
seed("queue-oversized-chain", bytes([CONFIG["full"] + QUEUE]) + header("full", path="b")[1:],
     {"writeKey": "wk-full", "batch": [{"type": "identify", "userId": "a", "traits": {"email": "a@example.com"}}]
      + [{"type": "track", "event": "E", "userId": "big", "properties": {"filler": filler, "i": i}} for i in range(80)]
      + [{"type": "track", "event": "E", "userId": "z"}]})

if __name__ == "__main__":
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    total = 0
    for name, data in sorted(seeds.items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        total += len(data)
    print(f"{len(seeds)} seeds, {total} bytes in {OUT}")
