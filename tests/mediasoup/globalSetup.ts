/**
 * Fixtures mediasoup's suite expects and its npm package lacks: the DTLS certificate and key
 * test-Worker.js hands a worker (node/lib/test/data/dtls-{cert,key}.pem). A throwaway
 * self-signed pair from `openssl req`, made once beside the suite.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const data = fileURLToPath(new URL('../../node_modules/mediasoup/node/lib/test/data', import.meta.url));
  const cert = path.join(data, 'dtls-cert.pem');
  const key = path.join(data, 'dtls-key.pem');
  if (existsSync(cert) && existsSync(key)) return;
  mkdirSync(data, { recursive: true });
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30', '-subj', '/CN=mediasoup-test', '-keyout', key, '-out', cert],
    { stdio: 'ignore' },
  );
}
