/**
 * The finding and report store: large artefacts live here, workflow history carries keys.
 * A local folder by default (FINOPS_STORE_DIR, default .data/store); S3 is the production option
 * (issue 8) behind the same interface. Writes are idempotent: a retried activity overwrites the
 * same key with the same content.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';

export interface ArtefactStore {
  putJson(key: string, value: unknown): Promise<void>;
  getJson<T>(key: string): Promise<T | undefined>;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._\-/]*$/;

export class LocalFileStore implements ArtefactStore {
  private readonly root: string;

  constructor(root: string = process.env.FINOPS_STORE_DIR || join(process.cwd(), '.data', 'store')) {
    this.root = resolve(root);
  }

  async putJson(key: string, value: unknown): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename, so a reader never sees half a file.
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(value));
    await rename(temporary, path);
  }

  async getJson<T>(key: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.pathOf(key), 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private pathOf(key: string): string {
    if (!KEY.test(key) || key.split('/').includes('..')) throw new Error(`invalid store key ${JSON.stringify(key)}`);
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error(`store key ${JSON.stringify(key)} escapes the store`);
    return path;
  }
}

/** Keys are derived from workflow IDs (which contain slashes), so every analysis has its own folder. */
export function findingsKey(analysisId: string, agent: string): string {
  return `${analysisId}/findings/${agent}.json`;
}
