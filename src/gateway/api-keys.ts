/**
 * API keys, stored hashed. A key is `finops_<id>_<secret>`: the id names the key (not secret, shown in
 * logs as `key:<id>`), the secret is 32 random bytes (base64url). The gateway keeps only the SHA-256 of the
 * whole key; with 256 bits of entropy a fast hash is the right tool (a slow password hash adds nothing),
 * and the comparison is constant-time.
 *
 * The key file (FINOPS_API_KEYS_FILE, or the same JSON inline in FINOPS_API_KEYS):
 *   { "keys": [ { "id": "ci", "tenants": ["acme"], "sha256": "<64 hex digits>", "description": "CI" } ] }
 * `"tenants": "*"` makes an operator key (every tenant). `npm run finops -- keys create --id ci --tenant acme`
 * prints a new key and its entry.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Caller } from './auth';

export const API_KEY_PREFIX = 'finops_';

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
const TENANT_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

const entrySchema = z
  .object({
    id: z.string().regex(ID_PATTERN, 'id must be 1-32 lowercase letters, digits or hyphens'),
    tenants: z.union([
      z.literal('*'),
      z.array(z.string().regex(TENANT_PATTERN, 'each tenant must be 1-63 lowercase letters, digits or hyphens')).min(1),
    ]),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits (the SHA-256 of the whole key)'),
    description: z.string().max(200).optional(),
  })
  .strict();

const fileSchema = z.object({ keys: z.array(entrySchema) }).strict();

export type ApiKeyEntry = z.infer<typeof entrySchema>;

export class ApiKeyConfigError extends Error {
  override name = 'ApiKeyConfigError';
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random key and the entry that admits it. */
export function generateApiKey(id: string, tenants: readonly string[] | '*', description?: string): { key: string; entry: ApiKeyEntry } {
  if (!ID_PATTERN.test(id)) throw new ApiKeyConfigError('The key id must be 1-32 lowercase letters, digits or hyphens');
  const key = `${API_KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
  const entry = entrySchema.parse({ id, tenants: tenants === '*' ? '*' : [...tenants], sha256: hashApiKey(key), ...(description ? { description } : {}) });
  return { key, entry };
}

/** The id part of a key, or undefined if it is not shaped like one of ours. */
export function apiKeyId(key: string): string | undefined {
  if (!key.startsWith(API_KEY_PREFIX)) return undefined;
  const rest = key.slice(API_KEY_PREFIX.length);
  const at = rest.indexOf('_');
  if (at <= 0) return undefined;
  const id = rest.slice(0, at);
  return ID_PATTERN.test(id) ? id : undefined;
}

export class ApiKeyStore {
  private readonly byId = new Map<string, { entry: ApiKeyEntry; digest: Buffer }>();
  /** Compared against when the id is unknown, so both paths hash and compare. */
  private readonly decoy = createHash('sha256').update(randomBytes(32)).digest();

  constructor(entries: readonly ApiKeyEntry[]) {
    for (const entry of entries) {
      if (this.byId.has(entry.id)) throw new ApiKeyConfigError(`API key id ${JSON.stringify(entry.id)} appears twice`);
      this.byId.set(entry.id, { entry, digest: Buffer.from(entry.sha256, 'hex') });
    }
  }

  /** Parse the key file's JSON; throws ApiKeyConfigError naming each problem. */
  static fromJson(text: string, source: string): ApiKeyStore {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new ApiKeyConfigError(`${source} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    const parsed = fileSchema.safeParse(value);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
      throw new ApiKeyConfigError(`${source} is not a valid API key file: ${problems.join('; ')}`);
    }
    return new ApiKeyStore(parsed.data.keys);
  }

  get size(): number {
    return this.byId.size;
  }

  /** Each key's id and tenants (never the digest), for start-up checks against the tenant binding. */
  keys(): { id: string; tenants: readonly string[] | '*' }[] {
    return [...this.byId.values()].map(({ entry }) => ({ id: entry.id, tenants: entry.tenants }));
  }

  /** The caller a key stands for, or undefined for an unknown or wrong key. Constant time in the secret. */
  verify(key: string): Caller | undefined {
    const digest = createHash('sha256').update(key, 'utf8').digest();
    const id = apiKeyId(key);
    const known = id === undefined ? undefined : this.byId.get(id);
    const matches = timingSafeEqual(digest, known?.digest ?? this.decoy);
    if (!known || !matches) return undefined;
    const { entry } = known;
    return { subject: `key:${entry.id}`, tenants: entry.tenants === '*' ? 'all' : entry.tenants, via: 'api-key' };
  }
}
