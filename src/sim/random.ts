/**
 * Seeded, repeatable randomness for the sample account (scenario generation, fault rates).
 * A thin wrapper over pure-rand's xoroshiro128+ so every caller draws the same way.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

type Generator = ReturnType<typeof xoroshiro128plus>;

export class SeededRandom {
  private readonly rng: Generator;

  constructor(seed: number) {
    // pure-rand takes a 32-bit integer seed; fold anything else into one deterministically.
    this.rng = xoroshiro128plus(Number.isSafeInteger(seed) ? seed | 0 : hashSeed(String(seed)));
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.rng);
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return uniformInt(this.rng, min, max);
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.float();
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** `length` lowercase hex digits, as in AWS resource IDs (i-0abc...). */
  hex(length: number): string {
    let out = '';
    while (out.length < length) out += this.int(0, 15).toString(16);
    return out;
  }
}

/** A 32-bit FNV-1a hash, used to derive independent sub-seeds from a seed and a label. */
export function hashSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/** An independent stream for one purpose, so adding draws elsewhere does not shift this one. */
export function substream(seed: number, label: string): SeededRandom {
  return new SeededRandom(hashSeed(`${seed}/${label}`));
}
