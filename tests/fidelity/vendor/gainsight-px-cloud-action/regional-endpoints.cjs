// Vendored from npm @segment/action-destinations@3.497.0, dist/destinations/gainsight-px-cloud-action/regional-endpoints.js: Segment's
// "Gainsight Px Cloud (Actions)" destination, compiled from github.com/segmentio/action-destinations
// packages/destination-actions/src/destinations/gainsight-px-cloud-action (package gitHead
// 7451efe1dafa542daec83ee42cbd3c20e90a377e). License: MIT (the package's "license" field).
// Changed: relative require() paths name the .cjs copies; the source-map comment is dropped.
// Test oracle only; run with @segment/actions-core (a devDependency).
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.endpoints = void 0;
exports.getEndpointByRegion = getEndpointByRegion;
exports.endpoints = {
    track: {
        north_america: 'https://segment-esp.aptrinsic.com/rte/segmentio/v1/push',
        europe: 'https://segment-esp-eu.aptrinsic.com/rte/segmentio/v1/push',
        us2: 'https://segment-esp-us2.aptrinsic.com/rte/segmentio/v1/push'
    },
    batch: {
        north_america: 'https://segment-esp.aptrinsic.com/rte/segmentio/v1/batch',
        europe: 'https://segment-esp-eu.aptrinsic.com/rte/segmentio/v1/batch',
        us2: 'https://segment-esp-us2.aptrinsic.com/rte/segmentio/v1/batch'
    }
};
function getEndpointByRegion(endpoint, region) {
    return exports.endpoints[endpoint][region] ?? exports.endpoints[endpoint]['north_america'];
}
exports.default = exports.endpoints;
