/**
 * The Temporal connection settings: the SDK's standard client configuration (TEMPORAL_* variables and
 * temporal.toml profiles), checked before connecting so a mistake stops start-up with one line naming the
 * setting to fix.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../../src/config';
import { connectToTemporal, temporalConnectionConfig } from '../../src/temporal-connection';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const dir = mkdtempSync(join(tmpdir(), 'temporal-connection-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
/** An environment with no user config directory, so a developer's own temporal.toml never leaks in. */
const env = (vars: Record<string, string>): NodeJS.ProcessEnv => ({ HOME: dir, XDG_CONFIG_HOME: join(dir, 'none'), ...vars });

test('nothing configured: the local dev server in plaintext', () => {
  const c = temporalConnectionConfig(env({}));
  assert.equal(c.address, '127.0.0.1:7233');
  assert.equal(c.namespace, 'default');
  assert.equal(c.taskQueue, 'finops-analysis');
  assert.equal(c.security, 'plaintext');
  assert.equal(c.connect.tls, undefined);
});

test('TEMPORAL_* variables: address, namespace, API key (which turns TLS on), mTLS files, server name', () => {
  const apiKey = temporalConnectionConfig(
    env({ TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'acme.a1b2c', TEMPORAL_API_KEY: 'secret' }),
  );
  assert.equal(apiKey.namespace, 'acme.a1b2c');
  assert.equal(apiKey.connect.apiKey, 'secret');
  assert.equal(apiKey.connect.tls, true);
  assert.equal(apiKey.security, 'TLS + API key');
  assert.doesNotMatch(JSON.stringify([apiKey.security, apiKey.source]), /secret/);

  const mtls = temporalConnectionConfig(
    env({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: file('ca.pem', PEM),
      TEMPORAL_TLS_CLIENT_CERT_PATH: file('client.pem', PEM),
      TEMPORAL_TLS_CLIENT_KEY_PATH: file('client.key', '-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n'),
      TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal',
    }),
  );
  assert.equal(mtls.security, 'mTLS');
  const tls = mtls.connect.tls;
  assert.ok(tls && typeof tls === 'object');
  assert.equal(tls.serverNameOverride, 'frontend.temporal');
  assert.equal(Buffer.from(tls.serverRootCACertificate!).toString(), PEM);
  assert.ok(tls.clientCertPair);
});

test('a temporal.toml profile, selected by TEMPORAL_PROFILE, with variables overriding it', () => {
  const config = file(
    'temporal.toml',
    `[profile.default]\naddress = "localhost:7233"\n\n[profile.prod]\naddress = "prod.example.com:7233"\nnamespace = "finops"\n[profile.prod.tls]\nserver_ca_cert_path = "${file('prod-ca.pem', PEM)}"\n`,
  );
  const prod = temporalConnectionConfig(env({ TEMPORAL_CONFIG_FILE: config, TEMPORAL_PROFILE: 'prod' }));
  assert.equal(prod.address, 'prod.example.com:7233');
  assert.equal(prod.namespace, 'finops');
  assert.equal(prod.security, 'TLS');
  assert.match(prod.source, /profile prod of .*temporal\.toml/);
  const overridden = temporalConnectionConfig(env({ TEMPORAL_CONFIG_FILE: config, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'other' }));
  assert.equal(overridden.namespace, 'other');
  assert.equal(temporalConnectionConfig(env({ TEMPORAL_CONFIG_FILE: config })).address, 'localhost:7233');
});

test('mistakes stop start-up with one message naming the setting', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'missing.pem') }, /TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read the server CA certificate .*missing\.pem \(no such file\)/],
    [{ TEMPORAL_TLS_SERVER_CA_CERT_PATH: dir }, /TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read .*\(a directory\)/],
    [{ TEMPORAL_TLS_SERVER_CA_CERT_PATH: file('not-pem.txt', 'hello') }, /TEMPORAL_TLS_SERVER_CA_CERT_PATH: the server CA certificate .* is not a PEM file/],
    [{ TEMPORAL_TLS_CLIENT_CERT_PATH: file('only-cert.pem', PEM) }, /client certificate is set without its client private key: set TEMPORAL_TLS_CLIENT_KEY_PATH/],
    [{ TEMPORAL_PROFILE: 'staging' }, /TEMPORAL_PROFILE: there is no profile "staging"/],
    [{ TEMPORAL_CONFIG_FILE: join(dir, 'nope.toml') }, /TEMPORAL_CONFIG_FILE: .*nope\.toml does not exist/],
    [{ TEMPORAL_CONFIG_FILE: file('broken.toml', '[profile.default\naddress = 1') }, /Temporal client configuration .*broken\.toml/],
    [{ TEMPORAL_ADDRESS: 'https://temporal.example.com' }, /TEMPORAL_ADDRESS must be host:port/],
  ];
  for (const [vars, expected] of cases) {
    assert.throws(() => temporalConnectionConfig(env(vars)), (err: unknown) => err instanceof ConfigError && expected.test(err.message), JSON.stringify(vars));
  }
});

test('TEMPORAL_TLS=false turns TLS off even with a CA configured in the profile; files are then not read', () => {
  const c = temporalConnectionConfig(env({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'missing.pem') }));
  assert.equal(c.connect.tls, false);
  assert.equal(c.security, 'plaintext');
});

test('a failed connection says where, how and what to set', async () => {
  const c = temporalConnectionConfig(env({ TEMPORAL_ADDRESS: '127.0.0.1:1' }));
  const refused = (text: string) => () => Promise.reject(new Error(text));
  await assert.rejects(connectToTemporal(c, refused('connect ECONNREFUSED')), /Cannot reach the Temporal server at 127\.0\.0\.1:1 \(plaintext, namespace default\): connect ECONNREFUSED\. Start it/);
  await assert.rejects(connectToTemporal(c, refused('invalid peer certificate: UnknownIssuer')), /set TEMPORAL_TLS_SERVER_CA_CERT_PATH to the CA that signed it/);
  await assert.rejects(connectToTemporal(c, refused('received corrupt message of type InvalidContentType')), /The server may require TLS: set TEMPORAL_TLS=true/);
});
