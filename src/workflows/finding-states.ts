/**
 * The analysis's finding-states step: after the merge, apply what people decided (dismissed, accepted,
 * done) to the merged list. Guarded by a patch, so histories recorded before it replay unchanged.
 */
import { isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FindingsSummary } from '../domain/findings';
import type { ReportExtras } from '../domain/report';
import { failureReason } from './failures';

export const FINDING_STATES_PATCH = 'finding-states-v1';

const { applyFindingStates } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
});

/**
 * The merged findings with the tenant's states applied. Read here, after the agents and the merge, so a
 * state set while the agents ran still counts. A failure leaves the findings as merged and says so.
 */
export async function applyStatesStep(
  analysisId: string,
  request: { tenant: string; asOf: string },
  merged: { findings?: FindingsSummary; notes?: string[] },
): Promise<Pick<ReportExtras, 'findings' | 'notes' | 'findingStates'>> {
  if (!merged.findings || !patched(FINDING_STATES_PATCH)) return merged;
  try {
    const applied = await applyFindingStates.executeWithOptions(
      { summary: `Apply ${request.tenant}'s finding states (dismissed, accepted, done) as of ${request.asOf}` },
      [{ analysisId, tenant: request.tenant, asOf: request.asOf, findings: merged.findings }],
    );
    const notes = [...(merged.notes ?? []), ...(applied.notes ?? [])];
    return { findings: applied.findings, findingStates: applied.findingStates, ...(notes.length ? { notes } : {}) };
  } catch (err) {
    if (isCancellation(err)) throw err;
    return { ...merged, notes: [...(merged.notes ?? []), `Finding states could not be applied (every finding is shown as open): ${failureReason(err).reason}`] };
  }
}
