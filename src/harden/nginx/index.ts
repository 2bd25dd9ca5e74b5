// The nginx engine's public surface.
export { NginxEngine, nginxEngine, judgeAll, servers, HSTS_KEY } from './engine.ts';
export { loadNginxConfig, includePath, expandGlob, NGINX_CONF, type NginxConfig, type Placed } from './load.ts';
export { parseNginx, NginxSyntaxError, type NginxDirective } from './parse.ts';
export { resolveCipherString, excludedSuites, termSuites, type CipherSelection } from './ciphers.ts';
export { nginxSyntaxCheck } from './syntax.ts';
