/** AWS-shaped identifiers for generated resources, drawn from a seeded stream. */
import type { SeededRandom } from '../random';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export class IdFactory {
  private readonly used = new Set<string>();

  constructor(private readonly rng: SeededRandom) {}

  private unique(make: () => string): string {
    for (;;) {
      const id = make();
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }

  instance(): string {
    return this.unique(() => `i-0${this.rng.hex(16)}`);
  }
  volume(): string {
    return this.unique(() => `vol-0${this.rng.hex(16)}`);
  }
  snapshot(): string {
    return this.unique(() => `snap-0${this.rng.hex(16)}`);
  }
  allocation(): string {
    return this.unique(() => `eipalloc-0${this.rng.hex(16)}`);
  }
  association(): string {
    return this.unique(() => `eipassoc-0${this.rng.hex(16)}`);
  }
  networkInterface(): string {
    return this.unique(() => `eni-0${this.rng.hex(16)}`);
  }
  natGateway(): string {
    return this.unique(() => `nat-0${this.rng.hex(16)}`);
  }
  /** RDS DbiResourceId: "db-" and 26 base32 characters. */
  dbiResource(): string {
    return this.unique(() => `db-${Array.from({ length: 26 }, () => BASE32[this.rng.int(0, 31)]).join('')}`);
  }
  /** A suffix for bucket names (globally unique in AWS). */
  bucketSuffix(): string {
    return this.unique(() => this.rng.hex(6));
  }
  privateIp(): string {
    return this.unique(() => `10.${this.rng.int(0, 63)}.${this.rng.int(0, 255)}.${this.rng.int(4, 254)}`);
  }
  publicIp(): string {
    const first = this.rng.pick([3, 18, 34, 35, 44, 52, 54]);
    return this.unique(() => `${first}.${this.rng.int(0, 255)}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`);
  }
}
