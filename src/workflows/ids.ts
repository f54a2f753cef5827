/**
 * Business workflow IDs: readable in the Web UI and unique per run.
 *   analysis/<tenant>/<yyyymmdd-hhmm>-<suffix>        the parent
 *   analysis/<tenant>/<yyyymmdd-hhmm>-<suffix>/<agent> one child per agent
 */
import type { AgentKind } from '../domain/agents';

export const TASK_QUEUE_DEFAULT = 'finops-analysis';

export function analysisWorkflowId(tenant: string, startedAt: Date, suffix: string): string {
  const stamp = startedAt.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return `analysis/${tenant}/${stamp}-${suffix}`;
}

export function agentWorkflowId(analysisId: string, agent: AgentKind): string {
  return `${analysisId}/${agent}`;
}

/** The tenant an analysis ID belongs to, or undefined if it is not an analysis ID. */
export function tenantOfAnalysisId(id: string): string | undefined {
  const match = /^analysis\/([a-z0-9][a-z0-9-]{0,62})\/[0-9]{8}-[0-9]{4}-[a-z0-9]+$/.exec(id);
  return match?.[1];
}
