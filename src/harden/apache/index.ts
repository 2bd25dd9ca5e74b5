// The Apache httpd engine's public surface.
export { ApacheEngine, apacheEngine, judgeAll, scope, HSTS_KEY, type Scope, type Vhost } from './engine.ts';
export { loadApacheConfig, includePath, APACHE_CONF, type ApacheConfig, type Placed } from './load.ts';
export { parseApache, splitArgs, ApacheSyntaxError, type ApacheDirective } from './parse.ts';
export { apacheSyntaxCheck, apacheBinary } from './syntax.ts';
