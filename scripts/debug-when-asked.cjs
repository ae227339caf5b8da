// What the packed build gives for `require('debug')` (scripts/pack.mjs). The `debug` package's
// logger takes `...args`, so every call makes an array before it looks whether it is enabled:
// mqtt.js and mqtt-packet call it a dozen times per MQTT packet, and that was a fifth of all the
// hub's allocations at 10,000 messages/s. A namespace DEBUG does not enable at the logger's creation
// gets a function that takes no arguments and does nothing; one it enables gets the real logger, so
// `DEBUG=mqttjs* gate hub run` still traces (a later debug.enable() does not reach the silent ones).
'use strict';
const real = require('debug/src/index.js');

function createDebug(namespace) {
  const logger = real(namespace);
  if (logger.enabled) return logger;
  const silent = function silent() {};
  silent.namespace = namespace;
  silent.enabled = false;
  silent.log = logger.log;
  silent.destroy = logger.destroy;
  silent.extend = (sub, delimiter) => createDebug(namespace + (delimiter === undefined ? ':' : delimiter) + sub);
  return silent;
}
Object.assign(createDebug, real);
createDebug.default = createDebug;
createDebug.debug = createDebug;
module.exports = createDebug;
