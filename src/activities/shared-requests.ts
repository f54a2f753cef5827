/**
 * Identical AWS requests from different agents of one analysis are made once (per worker process):
 * the first activity to ask runs the request, later ones await the same promise. Keys include the
 * analysis ID, so analyses never share data, and entries expire. A failed run is forgotten: one of the
 * waiting agents (or the next attempt) makes the request again, and the rest wait for it.
 */
import { LRUCache } from 'lru-cache';

export interface SharedResult<T> {
  value: T;
  /** True when another activity made the request and this one reused its result. */
  reused: boolean;
}

export class SharedRequests {
  private readonly inFlight: LRUCache<string, Promise<unknown>>;

  constructor(options: { max?: number; ttlMs?: number } = {}) {
    this.inFlight = new LRUCache({ max: options.max ?? 500, ttl: options.ttlMs ?? 30 * 60_000 });
  }

  async run<T>(key: string, request: () => Promise<T>): Promise<SharedResult<T>> {
    const existing = this.inFlight.get(key) as Promise<T> | undefined;
    if (existing) {
      try {
        return { value: await existing, reused: true };
      } catch {
        // The owner failed or was cancelled. Try again through the cache, so that one waiter becomes the
        // new owner and the others wait for it, rather than each paying for the same pages.
        if (this.inFlight.get(key) === existing) this.inFlight.delete(key);
        return this.run(key, request);
      }
    }
    const promise = request();
    this.inFlight.set(key, promise);
    try {
      return { value: await promise, reused: false };
    } catch (err) {
      if (this.inFlight.get(key) === promise) this.inFlight.delete(key);
      throw err;
    }
  }
}
