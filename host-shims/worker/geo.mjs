// @ts-check
// What Cloudflare knows of where a request comes from (request.cf), for the request meta's "geo"
// (src/http/request_geo.hpp): the core picks destination instances by it (geo rules) and, where a
// source asks, adds context.location. Only these fields, as text; undefined without a cf object
// (a Node host; wrangler dev fills one).
const TEXT_FIELDS = ["continent", "country", "region", "regionCode", "city", "postalCode", "timezone", "latitude", "longitude"];

/** @param {any} cf request.cf */
export function geoOf(cf) {
  if (!cf || typeof cf !== "object") return undefined;
  /** @type {Record<string, string | boolean>} */
  const geo = {};
  for (const k of TEXT_FIELDS) if (typeof cf[k] === "string" && cf[k] !== "") geo[k] = cf[k];
  // Workers give "1" for an EU country and leave it out otherwise; some runtimes give a boolean.
  geo.isEUCountry = cf.isEUCountry === "1" || cf.isEUCountry === true;
  return geo;
}
