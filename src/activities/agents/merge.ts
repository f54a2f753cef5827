/**
 * The parent's merge step: read every agent's full findings list from the store, merge (duplicates
 * and overlaps folded, each dollar once, other sources' findings folded into ours), rank, store the
 * merged list and return its summary for the report. Agents other than ours store their lists the
 * same way (a Finding[] at their FindingsSummary.storeKey); their coverage is optional.
 */
import { FINDINGS_INLINE_LIMIT, type DeclinedResource, type FindingsSummary } from '../../domain/findings';
import { mergeFindings, summariseFindings, type AgentFindingList } from '../../domain/checks/merge';
import { coverageKey, declinedKey, findingsOf, mergedKey, secondOpinionsKey } from './common';
import type { AgentDeps } from './compute';

/**
 * Findings the report carries inline. The merge's result and the report both sit in the parent's
 * history (about 1.2 KB a finding), so the report keeps the top 100 — the whole ranked list is in the
 * store at `findings.storeKey`.
 */
export const REPORT_INLINE_FINDINGS = Math.min(100, FINDINGS_INLINE_LIMIT);

export interface MergeInput {
  analysisId: string;
  /** Each agent that produced findings, with the store key of its full list. */
  agents: { agent: string; storeKey: string }[];
  /** The requested accounts and Regions: nothing outside them is a finding (absent in older histories). */
  scope?: { accounts: string[]; regions: string[] };
}

/** Second opinions carried inline with the report's findings summary; the rest are in the store. */
export const REPORT_INLINE_SECOND_OPINIONS = 50;

export interface MergeOutput {
  findings: FindingsSummary;
  notes: string[];
}

export function createMergeActivities(deps: Pick<AgentDeps, 'store'>) {
  const { store } = deps;

  async function mergeAnalysisFindings(input: MergeInput): Promise<MergeOutput> {
    const notes: string[] = [];
    const declined: DeclinedResource[] = [];
    const lists: AgentFindingList[] = await Promise.all(
      input.agents.map(async ({ agent, storeKey }) => {
        const stored = await store.getJson<unknown>(storeKey);
        if (stored === undefined) notes.push(`the ${agent} agent's findings (${storeKey}) were not in the store`);
        const coverage = await store.getJson<string[]>(coverageKey(input.analysisId, agent));
        const agentDeclined = await store.getJson<DeclinedResource[]>(declinedKey(input.analysisId, agent));
        if (Array.isArray(agentDeclined)) declined.push(...agentDeclined);
        return { agent, findings: findingsOf(stored), ...(Array.isArray(coverage) ? { coverage } : {}) };
      }),
    );
    const merged = mergeFindings(lists, { declined, ...(input.scope ? { scope: input.scope } : {}) });
    const key = mergedKey(input.analysisId);
    await store.putJson(key, merged.findings);
    const opinionsKey = secondOpinionsKey(input.analysisId);
    await store.putJson(opinionsKey, merged.secondOpinions);
    if (merged.folded) notes.push(`${merged.folded} finding(s) folded into others about the same resource (each dollar counted once)`);
    if (merged.secondOpinions.length)
      notes.push(
        `${merged.secondOpinions.length} opinion(s) from other sources (Trusted Advisor, Cost Explorer) about resources our checks examined and declined: shown with the resource, not counted`,
      );
    if (merged.outOfScope)
      notes.push(`${merged.outOfScope} finding(s) from account-wide sources outside the requested accounts and Regions: left out`);
    const summary = summariseFindings(merged.findings, REPORT_INLINE_FINDINGS, key);
    return {
      findings: {
        ...summary,
        secondOpinions: {
          count: merged.secondOpinions.length,
          items: merged.secondOpinions.slice(0, REPORT_INLINE_SECOND_OPINIONS),
          storeKey: opinionsKey,
        },
      },
      notes,
    };
  }

  return { mergeAnalysisFindings };
}
