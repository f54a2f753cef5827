/**
 * TLS for tests: a throwaway certificate authority with server and client certificates (selfsigned, SHA-256,
 * the extensions rustls and Node require), and a TLS front for a plaintext Temporal dev server.
 *
 * The Temporal CLI's `server start-dev` has no TLS options, so the test server is put behind a TLS terminator,
 * the way a load balancer or ingress fronts a cluster: clients speak TLS (and present a certificate, when the
 * front requires mTLS), the front checks it against the CA and forwards the bytes to the server.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createConnection, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { generate } from 'selfsigned';

export interface Pem {
  cert: string;
  key: string;
}

export interface TestPki {
  ca: Pem;
  server: Pem;
  client: Pem;
  /** The same files on disk (what TEMPORAL_TLS_*_PATH point at). */
  files: { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string };
}

const DAY = 86_400_000;

export async function certificateAuthority(name: string): Promise<Pem> {
  const ca = await generate([{ name: 'commonName', value: name }], {
    algorithm: 'sha256',
    keyType: 'ec',
    notBeforeDate: new Date(Date.now() - DAY),
    notAfterDate: new Date(Date.now() + 7 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: ca.cert, key: ca.private };
}

async function leaf(ca: Pem, commonName: string, usage: 'server' | 'client'): Promise<Pem> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    algorithm: 'sha256',
    keyType: 'ec',
    notBeforeDate: new Date(Date.now() - DAY),
    notAfterDate: new Date(Date.now() + 7 * DAY),
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      usage === 'server' ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
      ...(usage === 'server'
        ? [{ name: 'subjectAltName' as const, altNames: [{ type: 2 as const, value: 'localhost' }, { type: 7 as const, ip: '127.0.0.1' }] }]
        : []),
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** A CA, a server certificate for localhost/127.0.0.1 and a client certificate, all written to a temp folder. */
export async function testPki(name = 'finops test CA'): Promise<TestPki> {
  const ca = await certificateAuthority(name);
  const [server, client] = await Promise.all([leaf(ca, 'localhost', 'server'), leaf(ca, 'finops-worker', 'client')]);
  const dir = mkdtempSync(join(tmpdir(), 'finops-pki-'));
  const write = (file: string, text: string) => {
    writeFileSync(join(dir, file), text, { mode: 0o600 });
    return join(dir, file);
  };
  return {
    ca,
    server,
    client,
    files: {
      ca: write('ca.pem', ca.cert),
      serverCert: write('server.pem', server.cert),
      serverKey: write('server.key', server.key),
      clientCert: write('client.pem', client.cert),
      clientKey: write('client.key', client.key),
    },
  };
}

export interface TlsFront {
  /** host:port clients connect to (localhost, which the server certificate names). */
  address: string;
  /** Handshakes the front refused, with the reason (e.g. no client certificate). */
  refusals: string[];
  close(): Promise<void>;
}

/** Terminate TLS (mTLS when `requireClientCert`) on a free port and forward to `target` (host:port, plaintext). */
export async function startTlsFront(pki: TestPki, target: string, options: { requireClientCert?: boolean } = {}): Promise<TlsFront> {
  const [targetHost, targetPort] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const refusals: string[] = [];
  const sockets = new Set<TLSSocket>();
  const server: Server = createServer(
    {
      cert: pki.server.cert,
      key: pki.server.key,
      ca: [pki.ca.cert],
      requestCert: options.requireClientCert ?? false,
      rejectUnauthorized: options.requireClientCert ?? false,
      // gRPC is HTTP/2: both the SDK's Rust core and grpc-js negotiate it by ALPN.
      ALPNProtocols: ['h2'],
    },
    (socket) => {
      sockets.add(socket);
      const upstream = createConnection({ host: targetHost, port: targetPort });
      socket.pipe(upstream).pipe(socket);
      const done = () => {
        sockets.delete(socket);
        socket.destroy();
        upstream.destroy();
      };
      socket.on('error', done).on('close', done);
      upstream.on('error', done).on('close', done);
    },
  );
  server.on('tlsClientError', (err) => refusals.push(err.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `localhost:${port}`,
    refusals,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
