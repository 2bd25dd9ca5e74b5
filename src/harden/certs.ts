// A throw-away self-signed certificate and key, for syntax checks that load the certificates they name.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export function selfSignedPair(dir: string): { cert: string; key: string } | undefined {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=mamori-test', '-days', '1'];
  const r = spawnSync('openssl', [...args, '-keyout', key, '-out', cert], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 ? { cert, key } : undefined;
}
