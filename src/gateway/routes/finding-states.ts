/**
 * /api/finding-states: what people decided about findings (open, dismissed with a reason and an optional
 * snooze, accepted, done), kept per finding identity in the report store and applied by every analysis.
 *
 *   GET  /api/finding-states[?tenant=]   the caller's tenant's states
 *   POST /api/finding-states             { findingId, state, reason?, snoozeUntil?, expectedVersion?, analysisId?, tenant? }
 *
 * Who made a change comes from the credentials (API-key id or token subject), never from the body; when,
 * from the gateway's clock. The finding is looked up in the named analysis's kept report, else the tenant's
 * newest, so an unknown id (or another tenant's analysis) answers 404 and nothing is stored for it.
 */
import type { Router } from 'express';
import { dayOf } from '../../domain/calendar';
import { validateStateChange, type FindingStateRecord } from '../../domain/finding-states';
import type { Finding } from '../../domain/findings';
import { findingsOf } from '../../activities/agents/common';
import { countedKey, dismissedKey, StateVersionConflict, type FindingStateStore } from '../../activities/finding-states';
import type { ReportStore } from '../../activities/reports';
import type { ArtefactStore } from '../../activities/store';
import { tenantOfAnalysisId } from '../../workflows/ids';
import { callerOf, canAccessTenant, type Caller } from '../auth';
import { ApiError, notFound } from '../errors';
import { jsonBody, requireJson } from './analyses';

export interface FindingStateRouteOptions {
  states: FindingStateStore;
  reports: ReportStore;
  /** Where the analyses' full finding lists are (the worker's artefact store). */
  store: ArtefactStore;
  now: () => Date;
}

type StateFinding = Pick<Finding, 'id' | 'check' | 'resource' | 'title' | 'monthlySavings'>;

export function registerFindingStateRoutes(api: Router, options: FindingStateRouteOptions): void {
  const { states, reports, store, now } = options;

  api.get('/finding-states', async (req, res) => {
    const caller = callerOf(res);
    const tenant = tenantFor(caller, typeof req.query.tenant === 'string' ? req.query.tenant : undefined);
    res.json({ tenant, states: await states.list(tenant) });
  });

  api.post('/finding-states', requireJson, jsonBody, async (req, res) => {
    const caller = callerOf(res);
    const today = dayOf(now());
    const validation = validateStateChange(req.body, today);
    if (!validation.ok) throw new ApiError(400, 'invalid_request', 'The finding-state change is not valid', { details: validation.errors });
    const change = validation.change;
    // Another tenant's analysis reads as unknown, like everywhere else in the API.
    const analysisTenant = change.analysisId ? tenantOfAnalysisId(change.analysisId) : undefined;
    if (change.analysisId && (!analysisTenant || !canAccessTenant(caller, analysisTenant))) throw notFound(`Analysis ${JSON.stringify(change.analysisId)}`);
    if (analysisTenant && change.tenant && analysisTenant !== change.tenant) {
      throw new ApiError(400, 'invalid_request', `analysisId belongs to tenant ${analysisTenant}, not ${change.tenant}`);
    }
    const tenant = tenantFor(caller, change.tenant ?? analysisTenant);
    const finding = await findFinding(tenant, change.findingId, change.analysisId);
    try {
      const record = await states.change(tenant, finding, change, caller.subject, now().toISOString());
      res.json({ state: record });
    } catch (err) {
      if (err instanceof StateVersionConflict) {
        throw new ApiError(409, 'version_conflict', `The finding's state changed since version ${change.expectedVersion}: it is at version ${err.current?.version ?? 0} (${err.current?.state ?? 'open'}, by ${err.current?.by ?? 'nobody'}); read it again and retry`);
      }
      throw err;
    }
  });

  /** The tenant the caller acts for: the one named (if theirs), or their only one. */
  function tenantFor(caller: Caller, named: string | undefined): string {
    if (named !== undefined) {
      if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(named)) throw new ApiError(400, 'invalid_request', 'tenant: 1-63 lowercase letters, digits or hyphens');
      if (!canAccessTenant(caller, named)) throw new ApiError(403, 'forbidden', `You may not act for tenant ${JSON.stringify(named)}`);
      return named;
    }
    if (caller.tenants !== 'all' && caller.tenants.length === 1) return caller.tenants[0]!;
    throw new ApiError(400, 'invalid_request', 'Name the tenant (tenant, or an analysisId of the tenant): you may act for more than one');
  }

  /** The finding in the named (or newest kept) report, its full lists in the store, or a state already kept for it. */
  async function findFinding(tenant: string, findingId: string, analysisId: string | undefined): Promise<StateFinding> {
    const summary = analysisId ? await reports.get(tenant, analysisId) : (await reports.list(tenant))[0];
    if (analysisId && !summary) throw notFound(`Analysis ${JSON.stringify(analysisId)} (its report is kept once it completes)`);
    const id = summary?.analysisId;
    const stored = id ? await reports.get(tenant, id) : undefined;
    const report = stored?.report;
    const candidates: Finding[] = [
      ...(report?.findings?.items ?? []),
      ...(report?.findingStates?.dismissed ?? []).map((d) => d.finding),
    ];
    let found = candidates.find((f) => f.id === findingId);
    if (!found && id) {
      for (const key of [countedKey(id), dismissedKey(id), report?.findings?.storeKey]) {
        if (!key) continue;
        const list = await store.getJson<unknown>(key);
        const all = Array.isArray(list) && list.length && isDismissed(list[0]) ? (list as { finding: Finding }[]).map((d) => d.finding) : findingsOf(list);
        found = all.find((f) => f.id === findingId);
        if (found) break;
      }
    }
    if (found) return found;
    // A finding that has a state (a done one the latest analysis no longer finds) can still change state.
    const kept = (await states.list(tenant)).find((r) => r.findingId === findingId);
    if (kept) return fromRecord(kept);
    throw new ApiError(
      404,
      'finding_not_found',
      `No finding ${JSON.stringify(findingId)} in ${id ? `analysis ${id}` : `any kept report of tenant ${tenant}`}; use an id from the report's findings`,
    );
  }
}

function isDismissed(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'finding' in value && 'reason' in value;
}

function fromRecord(r: FindingStateRecord): StateFinding {
  return { id: r.findingId, check: r.check, resource: { account: r.account, region: r.region, id: r.resourceId } as Finding['resource'], title: r.title, monthlySavings: r.monthlySavings };
}
