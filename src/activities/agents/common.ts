/**
 * What the agents' activities share: the store layout of findings, permission gaps that skip checks
 * rather than agents, and compact summaries for workflow history.
 *
 * Store layout (keys derive from the analysis ID, so every analysis has its own folder):
 *   <analysisId>/findings/<agent>.json            the agent's full list (Finding[]), ranked
 *   <analysisId>/findings/<agent>.coverage.json   what the agent evaluated (see merge.ts)
 *   <analysisId>/parts/<agent>/<account>-<region>.json   one activity's findings and coverage
 *   <analysisId>/findings/<agent>.declined.json   what the agent examined and declined, with why
 *   <analysisId>/findings/merged.json             the parent's merged list
 *   <analysisId>/findings/second-opinions.json    other sources' opinions our checks declined
 */
import { ApplicationFailure } from '@temporalio/common';
import type { AgentKind } from '../../domain/agents';
import type { DeclinedResource, Finding } from '../../domain/findings';
import { addMissing } from '../../domain/checks/common';
import type { MissingAccess } from '../../domain/report';
import type { AwsUsage } from '../../domain/usage';
import type { AwsTarget } from '../aws-clients';
import type { AwsFailureDetails } from '../aws-errors';
import type { ArtefactStore } from '../store';

export { addMissing, mergeMissing } from '../../domain/checks/common';

export function partKey(analysisId: string, agent: AgentKind, name: string): string {
  return `${analysisId}/parts/${agent}/${name}.json`;
}

export function coverageKey(analysisId: string, agent: string): string {
  return `${analysisId}/findings/${agent}.coverage.json`;
}

export function mergedKey(analysisId: string): string {
  return `${analysisId}/findings/merged.json`;
}

/** What an agent's checks examined and declined, with why (DeclinedResource[]). */
export function declinedKey(analysisId: string, agent: string): string {
  return `${analysisId}/findings/${agent}.declined.json`;
}

/** The merge's second opinions (SecondOpinion[]): other sources' findings our checks declined. */
export function secondOpinionsKey(analysisId: string): string {
  return `${analysisId}/findings/second-opinions.json`;
}

/** One activity's share of an agent's findings, in the store. */
export interface FindingsPart {
  findings: Finding[];
  coverage: string[];
  /** Resources examined and declined, with why (absent in parts written before it existed). */
  declined?: DeclinedResource[];
}

/** What a per-account/region activity returns to its workflow: counts, never the findings themselves. */
export interface PartSummary {
  key: string;
  target: AwsTarget;
  findings: number;
  monthlySavings: string;
  usage: AwsUsage;
  missing: MissingAccess[];
  notes: string[];
}

/** The permission or plan a non-retryable AWS failure says is missing, if that is what it is. */
export function needsOf(err: unknown): string | undefined {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (e instanceof ApplicationFailure) {
      const detail = e.details?.[0] as Partial<AwsFailureDetails> | undefined;
      if (typeof detail?.needs === 'string') return detail.needs;
    }
  }
  return undefined;
}

/**
 * Run one step of an activity; when AWS refuses it for want of a permission or plan, record which checks
 * that skips and carry on with the rest. Other errors propagate (the activity retries).
 */
export async function unlessDenied<T>(
  missing: MissingAccess[],
  where: string,
  checks: string[],
  step: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await step();
  } catch (err) {
    const needs = needsOf(err);
    if (!needs) throw err;
    addMissing(missing, { needs, checks, where: [where] });
    return undefined;
  }
}

export async function readPart(store: ArtefactStore, key: string): Promise<FindingsPart> {
  const part = await store.getJson<FindingsPart>(key);
  if (!part) throw new Error(`findings part ${key} is missing from the store`);
  return part;
}

/** An agent's list as stored by any agent: a bare array, or { findings } (other agents may choose either). */
export function findingsOf(value: unknown): Finding[] {
  if (Array.isArray(value)) return value as Finding[];
  if (value && typeof value === 'object' && Array.isArray((value as { findings?: unknown }).findings))
    return (value as { findings: Finding[] }).findings;
  return [];
}

export function countBy(items: Iterable<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[item] = (out[item] ?? 0) + 1;
  return out;
}

export function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}
