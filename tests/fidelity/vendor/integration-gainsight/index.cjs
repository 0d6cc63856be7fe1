// Vendored, unchanged below this header: Segment's classic server-side "Gainsight" integration,
// `@segment/integration-gainsight` 1.5.2 (not on npm). Source: github.com/segment-boneyard/
// integration-gainsight (formerly segmentio/integration-gainsight), commit
// 99e7588ad71f01a55fc9f3c12cbb5aae2cf862ce, file lib/index.js. License: MIT, Copyright (c) 2016
// Segment.io (the repository's LICENSE, copied beside this file). Test oracle only: nothing here is
// part of the Worker. `segmentio-integration` resolves to the npm package (a devDependency).

/**
 * Module dependencies.
 */

var integration = require('segmentio-integration');

/**
 * Expose `Gainsight`
 */

var Gainsight = module.exports = integration('Gainsight')
  .endpoint('https://event.gainsight.com')
  .channels(['server', 'mobile', 'client'])
  .ensure('settings.accessKey')
  .retries(3);

/**
 * Methods
 */

Gainsight.prototype.identify = request;
Gainsight.prototype.group = request;

/**
 * Track
 *
 * @param {Facade} Track
 */

Gainsight.prototype.track = function(track, fn) {
  // Gainsight wants us to have customers whitelist events
  // But to prevent breaking changes, if you have not whitelisted events,
  // we will default to sending all events through
  if (!this.settings.events.length) return request.call(this, track, fn);

  // This returns empty array if no matching event is found
  var event = this.map(this.settings.events, track.event());
  if (event.length) return request.call(this, track, fn);
  fn();
};

/**
 * Impl for all methods.
 *
 * @param {Facade} facade
 * @param {Function} fn
 * @api public
 */

function request(facade, fn){
  return this
    .post('/clickstream/segmentio/event')
    .set('accessKey', this.settings.accessKey)
    .type('json')
    .send(facade.json())
    .end(this.handle(fn));
};
