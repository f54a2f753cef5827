/**
 * Helpers shared by the Cost Explorer operations beyond GetCostAndUsage: who is asking (the
 * management account sees the organisation, a member account itself), daily cost series from the
 * cost store, paging over lists, and AWS-shaped decimal strings and IDs.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { LineKey } from '../cost-store';
import { validationError } from '../errors';
import { accountForRequest } from '../identity';
import type { Scenario } from '../scenario';
import { makePageToken, readPageToken, type Predicate } from './ce-input';

/** Accounts whose data the caller sees: all of them from the management account, else its own. */
export function visibleAccounts(scenario: Scenario, request: IncomingMessage | undefined): string[] {
  const caller = accountForRequest(request, scenario);
  return caller === scenario.accounts[0]?.id ? scenario.accounts.map((a) => a.id) : [caller];
}

/**
 * Daily totals (USD) over epoch days [startDay, endDay) of the lines whose key passes `keep`;
 * `amount` chooses the measure (cost by default).
 */
export function dailySeries(
  scenario: Scenario,
  startDay: number,
  endDay: number,
  keep: (key: LineKey) => boolean,
  measure: 'cost' | 'usage' = 'cost',
): number[] {
  const store = scenario.costStore;
  const pass = store.keys.map(keep);
  const out: number[] = [];
  for (let day = startDay; day < endDay; day++) {
    const [from, to] = store.rowRange(day, day + 1);
    let sum = 0;
    for (let row = from; row < to; row++) {
      if (!pass[store.rowKey[row] as number]) continue;
      sum += measure === 'cost' ? (store.rowAmount[row] as number) / 1e10 : (store.rowUsage[row] as number);
    }
    out.push(sum);
  }
  return out;
}

/** A key predicate from an optional compiled filter and a set of visible accounts. */
export function keyFilter(filter: Predicate | undefined, accounts: readonly string[]): (key: LineKey) => boolean {
  const visible = new Set(accounts);
  return (key) => visible.has(key.account) && (!filter || filter(key));
}

/** One page of `items` from an offset token bound to the request's fingerprint. */
export function page<T>(
  items: readonly T[],
  pageSize: number,
  token: string | undefined,
  fingerprint: string,
): { items: T[]; next?: string } {
  const offset = token === undefined ? 0 : readPageToken(token, fingerprint, items.length);
  const slice = items.slice(offset, offset + pageSize);
  const nextOffset = offset + slice.length;
  return { items: slice, ...(nextOffset < items.length ? { next: makePageToken(nextOffset, fingerprint) } : {}) };
}

export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 24);
}

/** A UUID-shaped stable ID from text. */
export function stableUuid(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A decimal string as Cost Explorer writes amounts (up to 10 decimal places, no trailing zeros). */
export function amount(value: number, decimals = 10): string {
  const text = value.toFixed(decimals);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

export function readPageSize(value: unknown, path: string, max: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw validationError(
      `1 validation error detected: Value '${JSON.stringify(value)}' at '${path}' failed to satisfy constraint: Member must have value between 0 and ${max}`,
    );
  }
  return value === 0 ? fallback : value;
}

export function enumValue(value: unknown, path: string, allowed: readonly string[], fallback?: string): string {
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    throw validationError(
      `1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`,
    );
  }
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw validationError(
      `1 validation error detected: Value '${typeof value === 'string' ? value : JSON.stringify(value)}' at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  }
  return value;
}
