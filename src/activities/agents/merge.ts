/**
 * The parent's merge step: read every agent's full findings list from the store, merge (duplicates
 * and overlaps folded, each dollar once, other sources' findings folded into ours), rank, store the
 * merged list and return its summary for the report. Agents other than ours store their lists the
 * same way (a Finding[] at their FindingsSummary.storeKey); their coverage is optional.
 */
import { FINDINGS_INLINE_LIMIT, type FindingsSummary } from '../../domain/findings';
import { mergeFindings, summariseFindings, type AgentFindingList } from '../../domain/checks/merge';
import { coverageKey, findingsOf, mergedKey } from './common';
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
}

export interface MergeOutput {
  findings: FindingsSummary;
  notes: string[];
}

export function createMergeActivities(deps: Pick<AgentDeps, 'store'>) {
  const { store } = deps;

  async function mergeAnalysisFindings(input: MergeInput): Promise<MergeOutput> {
    const notes: string[] = [];
    const lists: AgentFindingList[] = await Promise.all(
      input.agents.map(async ({ agent, storeKey }) => {
        const stored = await store.getJson<unknown>(storeKey);
        if (stored === undefined) notes.push(`the ${agent} agent's findings (${storeKey}) were not in the store`);
        const coverage = await store.getJson<string[]>(coverageKey(input.analysisId, agent));
        return { agent, findings: findingsOf(stored), ...(Array.isArray(coverage) ? { coverage } : {}) };
      }),
    );
    const merged = mergeFindings(lists);
    const key = mergedKey(input.analysisId);
    await store.putJson(key, merged.findings);
    if (merged.folded) notes.push(`${merged.folded} finding(s) folded into others about the same resource (each dollar counted once)`);
    if (merged.unconfirmed)
      notes.push(`${merged.unconfirmed} finding(s) from other sources (Trusted Advisor, Cost Explorer) not confirmed by our own checks: listed for review, not counted`);
    return { findings: summariseFindings(merged.findings, REPORT_INLINE_FINDINGS, key), notes };
  }

  return { mergeAnalysisFindings };
}
