// @ts-check
// The analytics.js preview plugin: being written (issue #16).
export {};
