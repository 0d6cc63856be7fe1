// Vendored from npm @segment/action-destinations@3.497.0, dist/destinations/gainsight-px-cloud-action/common-fields.js: Segment's
// "Gainsight Px Cloud (Actions)" destination, compiled from github.com/segmentio/action-destinations
// packages/destination-actions/src/destinations/gainsight-px-cloud-action (package gitHead
// 7451efe1dafa542daec83ee42cbd3c20e90a377e). License: MIT (the package's "license" field).
// Changed: relative require() paths name the .cjs copies; the source-map comment is dropped.
// Test oracle only; run with @segment/actions-core (a devDependency).
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.commonFields = void 0;
exports.commonFields = {
    segmentEvent: {
        label: 'Segment Event',
        type: 'object',
        description: 'The raw Segment event',
        required: false,
        default: {
            '@path': '$.'
        }
    }
};
