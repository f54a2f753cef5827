/**
 * The finding and report store: large artefacts live here, workflow history carries keys.
 * A local folder by default (FINOPS_STORE_DIR, default .data/store); S3 is the production option
 * (FINOPS_STORE_BUCKET, optional FINOPS_STORE_PREFIX) behind the same interface. Writes are idempotent:
 * a retried activity overwrites the same key with the same content.
 */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ENV } from '../config';
import type { StoredObject } from '../domain/retention';

export type { StoredObject } from '../domain/retention';

export interface ArtefactStore {
  putJson(key: string, value: unknown): Promise<void>;
  getJson<T>(key: string): Promise<T | undefined>;
}

/** A store that can also list and delete: what the report store (reports.ts) needs for listing and retention. */
export interface ListableStore extends ArtefactStore {
  /** Every key under a folder-like prefix ending in "/", recursively, in no particular order. */
  listKeys(prefix: string): Promise<string[]>;
  /** Removes a key; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Every object under a folder-like prefix with when it was last written (the retention sweep ages
   * objects by it, src/activities/retention.ts). Overwriting a key, even with the same content, renews it.
   */
  listObjects(prefix: string): Promise<StoredObject[]>;
  /** When a key was last written, read now; undefined when it is absent. */
  lastModified(key: string): Promise<Date | undefined>;
}

/**
 * Versioned writes (optimistic concurrency): a value read with its tag is written back only if nobody
 * wrote it in between. Finding states use it, so two people, or two gateways, never overwrite each other.
 */
export interface VersionedStore {
  /** The value and its version tag, or undefined when the key is absent. */
  getVersioned<T>(key: string): Promise<{ value: T; tag: string } | undefined>;
  /** Writes when the key's tag is still `tag` (undefined: when the key is still absent); false on a conflict. */
  putIfMatch(key: string, value: unknown, tag: string | undefined): Promise<boolean>;
}

const LOCK_STALE_MS = 10_000;

/** Numbers this process's writes, for their temporary file names. */
let writeCount = 0;

const KEY = /^[A-Za-z0-9][A-Za-z0-9._\-/]*$/;

export class LocalFileStore implements ListableStore, VersionedStore {
  private readonly root: string;

  constructor(root: string = process.env[ENV.storeDir] || join(process.cwd(), '.data', 'store')) {
    this.root = resolve(root);
  }

  async putJson(key: string, value: unknown): Promise<void> {
    const path = this.pathOf(key);
    const text = JSON.stringify(value);
    try {
      await this.writeAtomically(path, text);
    } catch (err) {
      // A retention sweep may have removed the folder, emptied, between our mkdir and write: once more.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await this.writeAtomically(path, text);
    }
  }

  private async writeAtomically(path: string, text: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    // Write then rename, so a reader never sees half a file. The temporary name is this write's own:
    // two writes of the same key at once (identical payloads, retried activities) must not share it.
    const temporary = `${path}.${process.pid}.${(++writeCount).toString(36)}.tmp`;
    try {
      await writeFile(temporary, text);
      await rename(temporary, path);
    } catch (err) {
      await rm(temporary, { force: true });
      throw err;
    }
  }

  async getJson<T>(key: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.pathOf(key), 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async getVersioned<T>(key: string): Promise<{ value: T; tag: string } | undefined> {
    try {
      const text = await readFile(this.pathOf(key), 'utf8');
      return { value: JSON.parse(text) as T, tag: contentTag(text) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Compare and swap under a lock file (O_EXCL, so it holds across processes sharing the folder). */
  async putIfMatch(key: string, value: unknown, tag: string | undefined): Promise<boolean> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const lock = `${path}.lock.tmp`;
    await acquireLock(lock);
    try {
      const current = await this.getVersioned(key);
      if (current?.tag !== tag) return false;
      await this.putJson(key, value);
      return true;
    } finally {
      await rm(lock, { force: true });
    }
  }

  async listKeys(prefix: string): Promise<string[]> {
    return this.walk(prefix);
  }

  /** The file's modification time is its last write: putJson writes a new file and renames it into place. */
  async listObjects(prefix: string): Promise<StoredObject[]> {
    const objects = await Promise.all(
      (await this.walk(prefix)).map(async (key) => {
        try {
          return { key, lastModified: (await stat(this.pathOf(key))).mtime };
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // deleted since the listing
          throw err;
        }
      }),
    );
    return objects.filter((o): o is StoredObject => o !== undefined);
  }

  async lastModified(key: string): Promise<Date | undefined> {
    try {
      return (await stat(this.pathOf(key))).mtime;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private async walk(prefix: string): Promise<string[]> {
    const dir = this.pathOf(prefix.replace(/\/+$/, ''));
    const out: string[] = [];
    const walk = async (path: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(path, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const entry of entries) {
        const child = join(path, entry.name);
        if (entry.isDirectory()) await walk(child);
        else if (!entry.name.endsWith('.tmp')) out.push(relative(this.root, child).split(sep).join('/'));
      }
    };
    await walk(dir);
    return out;
  }

  /** Also removes the folders the deletion left empty, so expired analyses leave no empty folders behind. */
  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await rm(path, { force: true });
    for (let dir = dirname(path); dir.startsWith(this.root + sep); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (or gone already): the folders above are not empty either
      }
    }
  }

  private pathOf(key: string): string {
    checkKey(key);
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error(`store key ${JSON.stringify(key)} escapes the store`);
    return path;
  }
}

function contentTag(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Creates the lock file, waiting while another writer holds it; a lock left by a crashed writer expires. */
async function acquireLock(lock: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > LOCK_STALE_MS) await rm(lock, { force: true });
      else if (attempt > 500) throw new Error(`store key lock ${lock} is held too long`);
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

function checkKey(key: string): void {
  if (!KEY.test(key) || key.split('/').includes('..')) throw new Error(`invalid store key ${JSON.stringify(key)}`);
}

/**
 * The same store in an S3 bucket (objects `<prefix><key>`, JSON). PutObject of the same key and content
 * is idempotent, so a retried activity leaves one object. Credentials and region are the SDK's own.
 */
export class S3Store implements ListableStore, VersionedStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix = '',
  ) {}

  async putJson(key: string, value: unknown): Promise<void> {
    checkKey(key);
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${key}`, Body: JSON.stringify(value), ContentType: 'application/json' }),
    );
  }

  async getJson<T>(key: string): Promise<T | undefined> {
    checkKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${key}` }));
      const text = await out.Body?.transformToString('utf8');
      return text === undefined ? undefined : (JSON.parse(text) as T);
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
      throw err;
    }
  }

  async getVersioned<T>(key: string): Promise<{ value: T; tag: string } | undefined> {
    checkKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${key}` }));
      const text = await out.Body?.transformToString('utf8');
      return text === undefined || !out.ETag ? undefined : { value: JSON.parse(text) as T, tag: out.ETag };
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
      throw err;
    }
  }

  /** S3 conditional writes: If-Match the ETag read, or If-None-Match "*" for a new key; 412/409 is a conflict. */
  async putIfMatch(key: string, value: unknown, tag: string | undefined): Promise<boolean> {
    checkKey(key);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: `${this.prefix}${key}`,
          Body: JSON.stringify(value),
          ContentType: 'application/json',
          ...(tag === undefined ? { IfNoneMatch: '*' } : { IfMatch: tag }),
        }),
      );
      return true;
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 || status === 409) return false;
      throw err;
    }
  }

  async listKeys(prefix: string): Promise<string[]> {
    return (await this.listObjects(prefix)).map((o) => o.key);
  }

  /** ListObjectsV2 pages (1,000 objects each) carry every object's LastModified: no extra request per object. */
  async listObjects(prefix: string): Promise<StoredObject[]> {
    checkKey(prefix.replace(/\/+$/, ''));
    const objects: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}${prefix}`, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key) objects.push({ key: object.Key.slice(this.prefix.length), lastModified: object.LastModified ?? new Date() }); // unknown age: as if new, never swept
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  async lastModified(key: string): Promise<Date | undefined> {
    checkKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${key}` }));
      return head.LastModified ?? new Date(); // unknown age: as if new
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${key}` }));
  }
}

/** S3 when FINOPS_STORE_BUCKET is set (with FINOPS_STORE_PREFIX), else the local folder. */
export function storeFromEnv(env: NodeJS.ProcessEnv = process.env, client?: S3Client): ListableStore & VersionedStore {
  const bucket = env[ENV.storeBucket];
  if (!bucket) return new LocalFileStore(env[ENV.storeDir] || undefined);
  const prefix = env[ENV.storePrefix] ?? '';
  return new S3Store(client ?? new S3Client({}), bucket, prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix);
}

/** Keys are derived from workflow IDs (which contain slashes), so every analysis has its own folder. */
export function findingsKey(analysisId: string, agent: string): string {
  return `${analysisId}/findings/${agent}.json`;
}
