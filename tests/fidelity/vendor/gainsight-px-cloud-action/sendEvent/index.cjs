// Vendored from npm @segment/action-destinations@3.497.0, dist/destinations/gainsight-px-cloud-action/sendEvent/index.js: Segment's
// "Gainsight Px Cloud (Actions)" destination, compiled from github.com/segmentio/action-destinations
// packages/destination-actions/src/destinations/gainsight-px-cloud-action (package gitHead
// 7451efe1dafa542daec83ee42cbd3c20e90a377e). License: MIT (the package's "license" field).
// Changed: relative require() paths name the .cjs copies; the source-map comment is dropped.
// Test oracle only; run with @segment/actions-core (a devDependency).
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
const regional_endpoints_1 = require("../regional-endpoints.cjs");
const common_fields_1 = require("../common-fields.cjs");
const action = {
    title: 'Send Event',
    description: 'Send entire event payload to Gainsight PX',
    fields: { ...common_fields_1.commonFields },
    perform: (request, { payload, settings }) => {
        return request((0, regional_endpoints_1.getEndpointByRegion)('track', settings.dataCenter), {
            method: 'post',
            json: payload.segmentEvent
        });
    }
};
exports.default = action;
