// The table js_lower_case_test.cpp checks the core against is what this Node's toLowerCase does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { table } from "../unit/make_js_lower_case_table.mjs";

test("tests/unit/js_lower_case_table.inc is JavaScript's toLowerCase, as this Node runs it", () => {
  const strip = (t) => t.replace(/^\/\/ Generated.*\n/, "");
  const committed = readFileSync(new URL("../unit/js_lower_case_table.inc", import.meta.url), "utf8");
  assert.equal(strip(committed), strip(table()));
});
