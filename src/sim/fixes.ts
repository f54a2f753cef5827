/**
 * The sample account plays a resource being fixed: someone stopped, deleted or resized it on a day in
 * the recent past. From that day on, the resource's cost rows change (nothing for a deleted or stopped
 * instance's compute, `factor` of it for a resize) and its inventory follows (stopped; gone, Trusted
 * Advisor's flag included; or a new instance type). Cost Explorer's resource-level data then shows the
 * drop, which is what the realised-savings step measures.
 *
 *   POST /__sim/fixes  {"resourceId": "i-0abc", "action": "delete", "from": "2026-12-01"}
 *                      {"resourceId": "i-0abc", "action": "resize", "from": "2026-12-01", "factor": 0.5, "instanceType": "m5.large"}
 *
 * `from` must lie within the cost history's resource detail and not after the anchor date. The server
 * rebuilds its services after a fix, so every API answers from the changed account.
 */
import { canonicalResourceId } from '../domain/checks/identity';
import { AMOUNT_SCALE } from './cost-store';
import { fromEpochDay, isIsoDate, toEpochDay } from './dates';
import type { ScenarioResources } from './model';
import type { Scenario } from './scenario';

export const FIX_ACTIONS = ['stop', 'delete', 'resize'] as const;
export type FixAction = (typeof FIX_ACTIONS)[number];

export interface ResourceFix {
  resourceId: string;
  action: FixAction;
  /** YYYY-MM-DD: the first day the resource costs less. */
  from: string;
  /** resize: the share of the cost that remains (0 < factor < 1). */
  factor?: number;
  /** resize of an instance: its new type. */
  instanceType?: string;
}

export interface AppliedFix extends ResourceFix {
  kind: 'instance' | 'volume' | 'address' | 'snapshot' | 'database' | 'bucket' | 'cost-only';
  /** Cost rows changed, and the cost removed from the history (USD, rounded to cents). */
  rowsChanged: number;
  costRemoved: string;
}

export class FixError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid fix: ${problems.join('; ')}`);
  }
}

/** Validates a fix request body. */
export function parseFix(value: unknown, scenario: Pick<Scenario, 'anchorDate' | 'costStore'>): ResourceFix {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FixError(['the body must be a JSON object']);
  const { resourceId, action, from, factor, instanceType } = value as Record<string, unknown>;
  if (typeof resourceId !== 'string' || !resourceId) problems.push('resourceId: a resource id, e.g. i-0abc');
  if (typeof action !== 'string' || !(FIX_ACTIONS as readonly string[]).includes(action)) problems.push(`action: one of ${FIX_ACTIONS.join(', ')}`);
  const earliest = fromEpochDay(scenario.costStore.detailStartDay);
  if (typeof from !== 'string' || !isIsoDate(from)) problems.push('from: a date, YYYY-MM-DD');
  else if (from > scenario.anchorDate || from < earliest) problems.push(`from: between ${earliest} and the anchor date ${scenario.anchorDate}`);
  if (action === 'resize') {
    if (typeof factor !== 'number' || !(factor > 0 && factor < 1)) problems.push('factor: the share of the cost that remains after the resize, between 0 and 1');
  } else if (factor !== undefined) problems.push('factor: only for resize');
  if (instanceType !== undefined && (typeof instanceType !== 'string' || action !== 'resize')) problems.push('instanceType: a type name, only for resize');
  if (problems.length) throw new FixError(problems);
  return {
    resourceId: resourceId as string,
    action: action as FixAction,
    from: from as string,
    ...(typeof factor === 'number' ? { factor } : {}),
    ...(typeof instanceType === 'string' ? { instanceType } : {}),
  };
}

/** Applies a fix to the scenario's cost history and inventory (in place). */
export function applyFix(scenario: Scenario, resources: ScenarioResources, fix: ResourceFix): AppliedFix {
  const store = scenario.costStore;
  // Cost lines name some resources by ARN (snapshots, databases): match on the canonical id.
  const wanted = canonicalResourceId(fix.resourceId);
  const indexes = new Set(store.resources.flatMap((id, i) => (canonicalResourceId(id) === wanted ? [i] : [])));
  const kind = inventoryKind(resources, fix.resourceId);
  if (indexes.size === 0 && !kind) throw new FixError([`resourceId: ${fix.resourceId} is not a resource of the sample account`]);
  const remains = fix.action === 'resize' ? (fix.factor as number) : 0;
  let rowsChanged = 0;
  let removed = 0;
  if (indexes.size > 0) {
    const [start, end] = store.rowRange(toEpochDay(fix.from), store.lastDay + 1);
    // The arrays are the store's own (typed arrays are mutable even behind readonly properties).
    const amounts = store.rowAmount;
    const usage = store.rowUsage;
    for (let row = start; row < end; row++) {
      if (!indexes.has(store.rowResource[row] as number)) continue;
      const before = amounts[row] as number;
      amounts[row] = Math.round(before * remains);
      usage[row] = (usage[row] as number) * remains;
      removed += before - (amounts[row] as number);
      rowsChanged++;
    }
  }
  changeInventory(scenario, resources, fix);
  return { ...fix, kind: kind ?? 'cost-only', rowsChanged, costRemoved: (removed / AMOUNT_SCALE).toFixed(2) };
}

function inventoryKind(resources: ScenarioResources, id: string): AppliedFix['kind'] | undefined {
  if (resources.instances.some((i) => i.instanceId === id)) return 'instance';
  if (resources.volumes.some((v) => v.volumeId === id)) return 'volume';
  if (resources.addresses.some((a) => a.allocationId === id)) return 'address';
  if (resources.snapshots.some((s) => s.snapshotId === id)) return 'snapshot';
  if (resources.databases.some((d) => d.dbInstanceIdentifier === id)) return 'database';
  if (resources.buckets.some((b) => b.name === id)) return 'bucket';
  return undefined;
}

function changeInventory(scenario: Scenario, resources: ScenarioResources, fix: ResourceFix): void {
  const id = fix.resourceId;
  const drop = <T>(list: T[], match: (item: T) => boolean) => {
    for (let i = list.length - 1; i >= 0; i--) if (match(list[i] as T)) list.splice(i, 1);
  };
  if (fix.action === 'delete') {
    drop(resources.instances, (i) => i.instanceId === id);
    drop(resources.volumes, (v) => v.volumeId === id);
    drop(resources.addresses, (a) => a.allocationId === id);
    drop(resources.snapshots, (s) => s.snapshotId === id);
    drop(resources.databases, (d) => d.dbInstanceIdentifier === id);
    drop(resources.buckets, (b) => b.name === id);
  }
  if (fix.action === 'stop') {
    for (const instance of resources.instances) {
      if (instance.instanceId === id) Object.assign(instance, { state: 'stopped', stoppedAt: `${fix.from}T00:00:00.000Z` });
    }
  }
  if (fix.action === 'resize' && fix.instanceType) {
    for (const instance of resources.instances) if (instance.instanceId === id) instance.instanceType = fix.instanceType;
  }
  if (fix.action !== 'resize') {
    // Trusted Advisor no longer flags what is gone or stopped, nor does the ground truth count it.
    for (const result of scenario.trustedAdvisor) drop(result.flaggedResources, (r) => r.resourceId === id);
    drop(scenario.planted, (p) => p.resourceId === id);
  }
}
