/**
 * Findings summaries for agent results: totals, the top items by savings, and the store key of the
 * full list (shared by the storage and tagging agents).
 */
import Big from 'big.js';
import { FINDINGS_INLINE_LIMIT, type Finding, type FindingsSummary } from '../../domain/findings';

/** Highest savings first; ties by ID, so the order is stable. */
export function rankFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => new Big(b.monthlySavings).cmp(a.monthlySavings) || a.id.localeCompare(b.id));
}

export function summariseFindings(ranked: readonly Finding[], storeKey: string, inline = FINDINGS_INLINE_LIMIT): FindingsSummary {
  const byCheck: FindingsSummary['byCheck'] = {};
  let total = new Big(0);
  for (const f of ranked) {
    const entry = (byCheck[f.check] ??= { count: 0, monthlySavings: '0' });
    entry.count++;
    entry.monthlySavings = new Big(entry.monthlySavings).plus(f.monthlySavings).toString();
    total = total.plus(f.monthlySavings);
  }
  return {
    count: ranked.length,
    monthlySavings: total.toString(),
    byCheck,
    items: ranked.slice(0, inline),
    truncated: ranked.length > inline,
    storeKey,
  };
}
