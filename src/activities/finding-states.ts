/**
 * Finding states in the report store: one object per finding identity,
 *
 *   finding-states/<tenant>/<sha256 of the state key>.json     (a FindingStateRecord)
 *
 * the tenant in every key, so a read never crosses tenants. Writes are versioned (VersionedStore): a change
 * reads the record with its tag and writes it back only if nobody wrote in between, retrying on a conflict,
 * so concurrent changes keep every entry of the history; a caller who names the version it saw
 * (expectedVersion) gets a conflict instead of a silent overwrite.
 *
 * Analyses only read states (the applyFindingStates activity, after the merge), so a state change racing a
 * running analysis is never lost: the analysis applies what was stored when it read, and the next one applies
 * the rest.
 */
import { createHash } from 'node:crypto';
import {
  applyStates,
  nextRecord,
  stateKeyOf,
  summariseCounted,
  type FindingStateRecord,
  type FindingStatesSection,
  type StateChangeRequest,
} from '../domain/finding-states';
import type { Finding, FindingsSummary } from '../domain/findings';
import { findingsOf } from './agents/common';
import { REPORT_INLINE_FINDINGS } from './agents/merge';
import type { AwsClientFactory } from './aws-clients';
import { measureDoneFindings } from './realised';
import type { ArtefactStore, ListableStore, VersionedStore } from './store';

export type StateStoreBackend = ListableStore & VersionedStore;

/** A change naming a version that is no longer current. */
export class StateVersionConflict extends Error {
  constructor(readonly current: FindingStateRecord | undefined) {
    super(`the finding's state is at version ${current?.version ?? 0}; read it again and retry`);
  }
}

const MAX_ATTEMPTS = 20;

export class FindingStateStore {
  constructor(private readonly store: StateStoreBackend) {}

  async list(tenant: string): Promise<FindingStateRecord[]> {
    const keys = (await this.store.listKeys(`finding-states/${tenant}/`)).filter((k) => k.endsWith('.json'));
    const records = await Promise.all(keys.map((k) => this.store.getJson<FindingStateRecord>(k)));
    return records.filter((r): r is FindingStateRecord => r !== undefined && r.tenant === tenant).sort((a, b) => a.key.localeCompare(b.key));
  }

  async get(tenant: string, key: string): Promise<FindingStateRecord | undefined> {
    return (await this.store.getVersioned<FindingStateRecord>(objectKey(tenant, key)))?.value;
  }

  /** Applies a change by `by` at `at`; throws StateVersionConflict when expectedVersion is stale. */
  async change(
    tenant: string,
    finding: Pick<Finding, 'id' | 'check' | 'resource' | 'title' | 'monthlySavings'>,
    change: Pick<StateChangeRequest, 'state' | 'reason' | 'snoozeUntil' | 'expectedVersion'>,
    by: string,
    at: string,
  ): Promise<FindingStateRecord> {
    const key = objectKey(tenant, stateKeyOf(finding));
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.store.getVersioned<FindingStateRecord>(key);
      if (change.expectedVersion !== undefined && change.expectedVersion !== (current?.value.version ?? 0)) {
        throw new StateVersionConflict(current?.value);
      }
      const next = nextRecord(current?.value, tenant, finding, change, by, at);
      if (await this.store.putIfMatch(key, next, current?.tag)) return next;
      // Someone wrote in between: read again and apply this change on top (unless the caller named a version).
    }
    throw new StateVersionConflict(await this.get(tenant, stateKeyOf(finding)));
  }
}

function objectKey(tenant: string, stateKey: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(tenant)) throw new Error(`invalid tenant ${JSON.stringify(tenant)}`);
  return `finding-states/${tenant}/${createHash('sha256').update(stateKey).digest('hex').slice(0, 40)}.json`;
}

export function isStateBackend(store: ArtefactStore): store is StateStoreBackend {
  const s = store as Partial<StateStoreBackend>;
  return typeof s.listKeys === 'function' && typeof s.getVersioned === 'function' && typeof s.putIfMatch === 'function';
}

export interface ApplyStatesInput {
  analysisId: string;
  tenant: string;
  /** The day snoozes are judged on: the request's as-of day. */
  asOf: string;
  /** The merged findings (the full ranked list is at its storeKey). */
  findings: FindingsSummary;
}

export interface ApplyStatesOutput {
  findings: FindingsSummary;
  findingStates: FindingStatesSection;
  /** What the reader should know (realised savings not measured, and why). */
  notes: string[];
}

/** Where the counted list (dismissed ones left out) and the dismissed list of an analysis are kept. */
export const countedKey = (analysisId: string) => `${analysisId}/findings/counted.json`;
export const dismissedKey = (analysisId: string) => `${analysisId}/findings/dismissed.json`;

/** Dismissed findings carried inline in the report; the rest are at dismissedKey. */
export const REPORT_INLINE_DISMISSED = 50;

export function createFindingStateActivities(deps: { store: ArtefactStore; clients: AwsClientFactory; states?: FindingStateStore }) {
  const { store } = deps;
  const states = deps.states ?? (isStateBackend(store) ? new FindingStateStore(store) : undefined);

  /**
   * Reads the tenant's states and applies them to the merged list: read after the merge, as late as the
   * analysis can, so a change made while the agents ran is applied.
   */
  async function applyFindingStates(input: ApplyStatesInput): Promise<ApplyStatesOutput> {
    if (!states) throw new Error('the artefact store cannot keep finding states (it needs listing and versioned writes)');
    const records = await states.list(input.tenant);
    // Nothing decided for this tenant (the common case): the merged list is the counted list as it is. Reading
    // it, copying it and writing it again (tens of MB on a large organisation) would change nothing; the gateway
    // falls back to the report's own store key when there is no counted list.
    if (!records.some((r) => r.tenant === input.tenant)) {
      await store.putJson(dismissedKey(input.analysisId), []);
      return { findings: input.findings, findingStates: applyStates([], [], input.tenant, input.asOf).section, notes: [] };
    }
    const stored = input.findings.storeKey ? await store.getJson<unknown>(input.findings.storeKey) : undefined;
    const all = stored !== undefined ? findingsOf(stored) : input.findings.items;
    const applied = applyStates(all, records, input.tenant, input.asOf);
    const key = countedKey(input.analysisId);
    await store.putJson(key, applied.counted);
    await store.putJson(dismissedKey(input.analysisId), applied.section.dismissed);
    let section = applied.section;
    const notes: string[] = [];
    try {
      const measured = await measureDoneFindings(deps.clients, section, input.asOf);
      section = { ...measured.section, costExplorerRequests: measured.requests };
    } catch (err) {
      // Without resource-level data (not enabled, no permission) the done findings stay without a realised figure.
      notes.push(`Realised savings could not be measured: ${err instanceof Error ? err.message : String(err)} (needs ce:GetCostAndUsageWithResources and resource-level data enabled)`);
    }
    return {
      findings: summariseCounted(applied.counted, input.findings, REPORT_INLINE_FINDINGS, key),
      findingStates: { ...section, dismissed: section.dismissed.slice(0, REPORT_INLINE_DISMISSED) },
      notes,
    };
  }

  return { applyFindingStates };
}
