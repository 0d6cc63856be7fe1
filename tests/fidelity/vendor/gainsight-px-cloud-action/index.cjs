// Vendored from npm @segment/action-destinations@3.497.0, dist/destinations/gainsight-px-cloud-action/index.js: Segment's
// "Gainsight Px Cloud (Actions)" destination, compiled from github.com/segmentio/action-destinations
// packages/destination-actions/src/destinations/gainsight-px-cloud-action (package gitHead
// 7451efe1dafa542daec83ee42cbd3c20e90a377e). License: MIT (the package's "license" field).
// Changed: relative require() paths name the .cjs copies; the source-map comment is dropped.
// Test oracle only; run with @segment/actions-core (a devDependency).
"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const actions_core_1 = require("@segment/actions-core");
const actions_core_2 = require("@segment/actions-core");
const regional_endpoints_1 = require("./regional-endpoints.cjs");
const sendEvent_1 = __importDefault(require("./sendEvent/index.cjs"));
const defaultVals = { ...(0, actions_core_2.defaultValues)(sendEvent_1.default.fields) };
const destination = {
    name: 'Gainsight Px Cloud (Actions)',
    slug: 'actions-gainsight-px-cloud',
    mode: 'cloud',
    authentication: {
        scheme: 'basic',
        fields: {
            apiKey: {
                label: 'API Key',
                description: 'Gainsight PX API key. You can find this key in the "Administration/Products" screen.',
                type: 'password',
                required: true
            },
            dataCenter: {
                label: 'Data center',
                description: 'The PX data center where your PX subscription is hosted.',
                type: 'string',
                format: 'text',
                required: true,
                choices: [
                    {
                        label: 'North America',
                        value: 'north_america'
                    },
                    {
                        label: 'Europe',
                        value: 'europe'
                    },
                    {
                        label: 'US2',
                        value: 'us2'
                    }
                ]
            }
        },
        testAuthentication: async (request, { settings }) => {
            const endpoint = (0, regional_endpoints_1.getEndpointByRegion)('track', settings.dataCenter);
            const response = await request(endpoint, {
                method: 'post',
                username: settings.apiKey,
                password: '',
                json: [],
                throwHttpErrors: false
            });
            if (response.status === 400) {
                return true;
            }
            throw new actions_core_1.IntegrationError('Invalid API key', 'Invalid API Key', 401);
        }
    },
    extendRequest({ settings }) {
        return {
            username: settings.apiKey,
            password: ''
        };
    },
    actions: {
        sendEvent: sendEvent_1.default
    },
    presets: [
        {
            name: 'Identify User',
            subscribe: 'type = "identify"',
            partnerAction: 'sendEvent',
            mapping: defaultVals,
            type: 'automatic'
        },
        {
            name: 'Group User',
            subscribe: 'type = "group"',
            partnerAction: 'sendEvent',
            mapping: defaultVals,
            type: 'automatic'
        },
        {
            name: 'Track Event',
            subscribe: 'type = "track"',
            partnerAction: 'sendEvent',
            mapping: defaultVals,
            type: 'automatic'
        },
        {
            name: 'Track Page View',
            subscribe: 'type = "page"',
            partnerAction: 'sendEvent',
            mapping: defaultVals,
            type: 'automatic'
        }
    ]
};
exports.default = destination;
