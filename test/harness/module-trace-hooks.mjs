// Module hooks for module-trace.mjs: reports each ESM module as it loads.
let port;
export function initialize(data) {
  port = data.port;
}
export async function load(url, context, next) {
  port.postMessage(url);
  return next(url, context);
}
