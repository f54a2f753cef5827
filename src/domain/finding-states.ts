/**
 * Findings with a life: what a person decided about a finding (dismissed, accepted, done), kept across
 * analyses and reviews, and applied to every analysis. Pure functions; the store is in
 * activities/finding-states.ts.
 *
 * A state is keyed by the finding's identity, never by an analysis: tenant (the store's folder), the
 * check, and the resource's canonical identity (account, Region, canonical id: checks/identity.ts). So a
 * state set on this week's report still matches next week's finding about the same resource, whether a
 * source names it by id or by ARN.
 *
 * Applying states to a ranked list:
 *   - dismissed, and its snooze (if any) has not come: out of the count, the savings total and the ranking,
 *     listed apart with its reason;
 *   - dismissed with a snooze that has come (today >= snoozeUntil): open again, counted as usual;
 *   - accepted: counted, marked (the surfaces highlight it);
 *   - done and still found: counted, flagged "marked done, still present";
 *   - done and no longer found: listed as resolved (the realised-savings candidates).
 */
import Big from 'big.js';
import { identityKey } from './checks/identity';
import { summariseFindings } from './checks/merge';
import type { Finding, FindingResource, FindingsSummary } from './findings';
import { isIsoDate } from './period';

export const FINDING_STATES = ['open', 'dismissed', 'accepted', 'done'] as const;
export type FindingStateName = (typeof FINDING_STATES)[number];

/** The flag a finding marked done carries while an analysis still finds it. */
export const DONE_STILL_PRESENT = 'marked done, still present';

export const MAX_REASON_CHARS = 500;
/** The last changes kept with a state (who, when, what), newest last. */
export const STATE_HISTORY_LIMIT = 20;

/** One change, as a person made it: the identity comes from their credentials, the time from the gateway. */
export interface StateChangeEntry {
  state: FindingStateName;
  reason?: string;
  snoozeUntil?: string;
  by: string;
  at: string;
}

/** What is kept per finding identity. */
export interface FindingStateRecord {
  tenant: string;
  /** `${check}/${account}/${region or *}/${canonical id}`: see stateKeyOf. */
  key: string;
  check: string;
  account: string;
  region: string;
  /** The resource id as the finding gave it (the key holds the canonical one). */
  resourceId: string;
  /** The finding's id when the state was set, to show and to look it up by. */
  findingId: string;
  title: string;
  /** The finding's estimated saving when the state was set (USD a month, decimal string). */
  monthlySavings: string;
  state: FindingStateName;
  reason?: string;
  /** YYYY-MM-DD: a dismissal lapses on this day (the finding is open again from it on). */
  snoozeUntil?: string;
  by: string;
  at: string;
  /** Increases by one on every write; a write naming another version is refused (optimistic concurrency). */
  version: number;
  history: StateChangeEntry[];
}

/** A state change as asked for (REST, CLI, dashboard, MCP), before the finding is looked up. */
export interface StateChangeRequest {
  findingId: string;
  state: FindingStateName;
  reason?: string;
  snoozeUntil?: string;
  /** Optimistic concurrency: the version the caller last saw (0 = no state yet). Omitted: last writer wins. */
  expectedVersion?: number;
  /** Where to look the finding up (default: the tenant's newest kept report). */
  analysisId?: string;
  tenant?: string;
}

/** The state key of a finding: the check and the resource's canonical identity. */
export function stateKeyOf(finding: { check: string; resource: Pick<FindingResource, 'account' | 'region' | 'id'> }): string {
  return `${finding.check}/${identityKey(finding.check, finding.resource)}`;
}

const ALLOWED_FIELDS = ['findingId', 'state', 'reason', 'snoozeUntil', 'expectedVersion', 'analysisId', 'tenant'];

/**
 * Checks a state change against `today` (YYYY-MM-DD). A dismissal needs a reason; a snooze only goes with a
 * dismissal and must lie after today; who made the change is never taken from the body.
 */
export function validateStateChange(
  body: unknown,
  today: string,
): { ok: true; change: StateChangeRequest } | { ok: false; errors: string[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, errors: ['the body must be a JSON object'] };
  const value = body as Record<string, unknown>;
  const errors: string[] = [];
  for (const field of ['by', 'requestedBy', 'at', 'setBy']) {
    if (field in value) errors.push(`${field}: not allowed in the body; who made the change comes from your credentials, and when from the server`);
  }
  for (const field of Object.keys(value)) {
    if (!ALLOWED_FIELDS.includes(field) && !['by', 'requestedBy', 'at', 'setBy'].includes(field)) errors.push(`${field}: unknown field`);
  }
  const { findingId, state, reason, snoozeUntil, expectedVersion, analysisId, tenant } = value;
  if (typeof findingId !== 'string' || !findingId.trim() || findingId.length > 1024) errors.push('findingId: give the finding id from the report (e.g. "ec2-idle/123456789012/us-east-1/i-0abc")');
  if (typeof state !== 'string' || !(FINDING_STATES as readonly string[]).includes(state)) errors.push(`state: one of ${FINDING_STATES.join(', ')}`);
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_REASON_CHARS)) errors.push(`reason: text of at most ${MAX_REASON_CHARS} characters`);
  if (state === 'dismissed' && (typeof reason !== 'string' || !reason.trim())) errors.push('reason: a dismissal needs a reason (e.g. "the DR standby is idle on purpose")');
  if (snoozeUntil !== undefined) {
    if (state !== 'dismissed') errors.push('snoozeUntil: only a dismissal can be snoozed');
    else if (typeof snoozeUntil !== 'string' || !isIsoDate(snoozeUntil)) errors.push('snoozeUntil: a date, YYYY-MM-DD');
    else if (snoozeUntil <= today) errors.push(`snoozeUntil: ${snoozeUntil} is not after today (${today}); give a later date, or dismiss without a snooze`);
  }
  if (expectedVersion !== undefined && (typeof expectedVersion !== 'number' || !Number.isInteger(expectedVersion) || expectedVersion < 0)) {
    errors.push('expectedVersion: a whole number, the version you last saw (0 when the finding had no state)');
  }
  if (analysisId !== undefined && (typeof analysisId !== 'string' || !analysisId.startsWith('analysis/'))) errors.push('analysisId: an analysis id, analysis/<tenant>/...');
  if (tenant !== undefined && (typeof tenant !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(tenant))) errors.push('tenant: 1-63 lowercase letters, digits or hyphens');
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    change: {
      findingId: (findingId as string).trim(),
      state: state as FindingStateName,
      ...(typeof reason === 'string' && reason.trim() ? { reason: reason.trim() } : {}),
      ...(typeof snoozeUntil === 'string' ? { snoozeUntil } : {}),
      ...(typeof expectedVersion === 'number' ? { expectedVersion } : {}),
      ...(typeof analysisId === 'string' ? { analysisId } : {}),
      ...(typeof tenant === 'string' ? { tenant } : {}),
    },
  };
}

/** The next record for a finding after a change (the previous record's history kept, bounded). */
export function nextRecord(
  previous: FindingStateRecord | undefined,
  tenant: string,
  finding: Pick<Finding, 'id' | 'check' | 'resource' | 'title' | 'monthlySavings'>,
  change: Pick<StateChangeRequest, 'state' | 'reason' | 'snoozeUntil'>,
  by: string,
  at: string,
): FindingStateRecord {
  const entry: StateChangeEntry = {
    state: change.state,
    ...(change.reason ? { reason: change.reason } : {}),
    ...(change.snoozeUntil ? { snoozeUntil: change.snoozeUntil } : {}),
    by,
    at,
  };
  return {
    tenant,
    key: stateKeyOf(finding),
    check: finding.check,
    account: finding.resource.account,
    region: finding.resource.region,
    resourceId: finding.resource.id,
    findingId: finding.id,
    title: finding.title,
    monthlySavings: finding.monthlySavings,
    ...entry,
    version: (previous?.version ?? 0) + 1,
    history: [...(previous?.history ?? []), entry].slice(-STATE_HISTORY_LIMIT),
  };
}

/** The state that applies on `today`: a dismissal whose snooze has come is open again. */
export function effectiveState(record: Pick<FindingStateRecord, 'state' | 'snoozeUntil'> | undefined, today: string): FindingStateName {
  if (!record) return 'open';
  if (record.state === 'dismissed' && record.snoozeUntil !== undefined && today >= record.snoozeUntil) return 'open';
  return record.state;
}

/** What a counted finding carries of its state (accepted, or done and still present). */
export interface FindingStateMark {
  state: 'accepted' | 'done';
  by: string;
  at: string;
  reason?: string;
  /** "marked done, still present" for a done finding an analysis still finds. */
  flag?: string;
}

/** A dismissed finding, listed apart: out of totals and ranking. */
export interface DismissedFinding {
  finding: Finding;
  reason: string;
  snoozeUntil?: string;
  by: string;
  at: string;
}

/** A finding marked done, whether this analysis still finds it or not. */
export interface DoneFinding {
  findingId: string;
  key: string;
  check: string;
  account: string;
  region: string;
  resourceId: string;
  title: string;
  /** The estimate when it was marked done (USD a month). */
  estimatedMonthlySavings: string;
  by: string;
  at: string;
  stillPresent: boolean;
  /** Filled in by the realised-savings step when there is evidence. */
  realised?: RealisedSaving;
}

export interface RealisedSaving {
  /** USD a month, decimal string: the cost before minus the cost after, as a monthly rate. */
  monthlySavings: string;
  method: 'resource-cost' | 'absence';
  /** Plain-language evidence, e.g. "$2.40/day over 5 days before, $0.00/day over 4 days after". */
  evidence: string;
  daysBefore: number;
  daysAfter: number;
}

/** The report's record of the states it applied. */
export interface FindingStatesSection {
  /** How many states the tenant had, and the day they were judged on (snoozes). */
  applied: number;
  asOf: string;
  dismissed: DismissedFinding[];
  /** Dismissed savings, USD a month (not in the findings' total). */
  dismissedMonthlySavings: string;
  accepted: number;
  done: DoneFinding[];
  /** Sums over `done` that have a realised figure. */
  estimatedMonthlySavings: string;
  realisedMonthlySavings: string;
  /** Billable Cost Explorer requests the realised-savings measurement made ($0.01 each). */
  costExplorerRequests?: number;
}

export interface AppliedStates {
  /** The findings that count, ranked, accepted and done ones marked. */
  counted: Finding[];
  section: FindingStatesSection;
}

/** Applies the tenant's states to a merged, ranked list. Records of other tenants are ignored. */
export function applyStates(
  findings: readonly Finding[],
  records: readonly FindingStateRecord[],
  tenant: string,
  today: string,
): AppliedStates {
  const byKey = new Map(records.filter((r) => r.tenant === tenant).map((r) => [r.key, r]));
  const counted: Finding[] = [];
  const dismissed: DismissedFinding[] = [];
  const seen = new Set<string>();
  let accepted = 0;
  for (const finding of findings) {
    const key = stateKeyOf(finding);
    seen.add(key);
    const record = byKey.get(key);
    const state = effectiveState(record, today);
    if (record && state === 'dismissed') {
      dismissed.push({ finding, reason: record.reason ?? '', ...(record.snoozeUntil ? { snoozeUntil: record.snoozeUntil } : {}), by: record.by, at: record.at });
      continue;
    }
    if (record && (state === 'accepted' || state === 'done')) {
      if (state === 'accepted') accepted++;
      const mark: FindingStateMark = {
        state,
        by: record.by,
        at: record.at,
        ...(record.reason ? { reason: record.reason } : {}),
        ...(state === 'done' ? { flag: DONE_STILL_PRESENT } : {}),
      };
      counted.push({ ...finding, state: mark });
    } else {
      // Open (or a lapsed snooze): a mark from an older report never sticks.
      const { state: _old, ...plain } = finding;
      counted.push(plain);
    }
  }
  const done: DoneFinding[] = [...byKey.values()]
    .filter((r) => r.state === 'done')
    .map((r) => ({
      findingId: r.findingId,
      key: r.key,
      check: r.check,
      account: r.account,
      region: r.region,
      resourceId: r.resourceId,
      title: r.title,
      estimatedMonthlySavings: r.monthlySavings,
      by: r.by,
      at: r.at,
      stillPresent: seen.has(r.key),
    }))
    .sort((a, b) => a.key.localeCompare(b.key));
  return {
    counted,
    section: {
      applied: byKey.size,
      asOf: today,
      dismissed,
      dismissedMonthlySavings: sum(dismissed.map((d) => d.finding.monthlySavings)),
      accepted,
      done,
      ...realisedTotals(done),
    },
  };
}

/** Estimated against realised, over the done findings that have a realised figure. */
export function realisedTotals(done: readonly DoneFinding[]): Pick<FindingStatesSection, 'estimatedMonthlySavings' | 'realisedMonthlySavings'> {
  const withEvidence = done.filter((d) => d.realised);
  return {
    estimatedMonthlySavings: sum(withEvidence.map((d) => d.estimatedMonthlySavings)),
    realisedMonthlySavings: sum(withEvidence.map((d) => d.realised!.monthlySavings)),
  };
}

/** The summary of the counted findings (the dismissed ones left out of count, total and ranking). */
export function summariseCounted(
  counted: readonly Finding[],
  previous: FindingsSummary,
  limit: number,
  storeKey?: string,
): FindingsSummary {
  return {
    ...summariseFindings(counted, limit, storeKey ?? previous.storeKey),
    ...(previous.secondOpinions ? { secondOpinions: previous.secondOpinions } : {}),
  };
}

function sum(amounts: readonly string[]): string {
  return amounts.reduce((total, a) => total.plus(a), new Big(0)).toString();
}
