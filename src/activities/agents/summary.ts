/**
 * Findings summaries for agent results: totals, the top items by savings, and the store key of the
 * full list (shared by the storage and tagging agents).
 */
import Big from 'big.js';
import { summariseFindings as summariseRanked } from '../../domain/checks/merge';
import { FINDINGS_INLINE_LIMIT, type Finding, type FindingsSummary } from '../../domain/findings';

/** Highest savings first; ties by ID, so the order is stable. */
export function rankFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => new Big(b.monthlySavings).cmp(a.monthlySavings) || a.id.localeCompare(b.id));
}

/** The storage and tagging agents' summary: the domain's, with the store key always set. */
export function summariseFindings(ranked: readonly Finding[], storeKey: string, inline = FINDINGS_INLINE_LIMIT): FindingsSummary {
  return summariseRanked(ranked, inline, storeKey);
}
