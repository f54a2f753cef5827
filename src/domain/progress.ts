/**
 * Live progress of an analysis: the state the `progress` query returns, and the pure reducer that
 * the workflow applies to every change. Each change bumps `version`, so relays send only real changes.
 */
import { AGENTS, type AgentKind } from './agents';
import { addAmounts, ZERO } from './money';

export type AgentState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'skipped';
export type AnalysisState = 'running' | 'completed' | 'partial' | 'failed' | 'cancelled';

export interface AgentProgress {
  agent: AgentKind;
  title: string;
  workflowId: string;
  state: AgentState;
  step: string;
  requests: number;
  findings: number;
  /** Monthly savings found so far, decimal string in USD. */
  savings: string;
  /** The agent's spend once known, decimal string in USD. */
  spend?: string;
  error?: string;
}

export interface ProgressEvent {
  seq: number;
  at: string;
  level: 'info' | 'warn' | 'error';
  agent?: AgentKind;
  message: string;
}

export interface AnalysisProgress {
  analysisId: string;
  tenant: string;
  version: number;
  state: AnalysisState;
  step: string;
  startedAt: string;
  updatedAt: string;
  agents: AgentProgress[];
  counts: {
    agents: number;
    pending: number;
    running: number;
    succeeded: number;
    failed: number;
    skipped: number;
    findings: number;
    requests: number;
  };
  savings: { amount: string; unit: 'USD' };
  /**
   * The parent's merged figures once the merge has run: what the report says (duplicates folded, each
   * dollar once, second opinions and out-of-scope results left out). From then on counts.findings and
   * savings are these, not the sum of the agents' own figures.
   */
  merged?: { findings: number; savings: string };
  events: ProgressEvent[];
}

/** What a child tells its parent (by signal) when its state or step changes. */
export interface AgentProgressUpdate {
  agent: AgentKind;
  state?: AgentState;
  step: string;
  requests?: number;
  findings?: number;
  savings?: string;
  spend?: string;
  error?: string;
  level?: ProgressEvent['level'];
}

export const MAX_PROGRESS_EVENTS = 50;

export function initialProgress(
  analysisId: string,
  tenant: string,
  agents: readonly { agent: AgentKind; workflowId: string }[],
  now: string,
): AnalysisProgress {
  const progress: AnalysisProgress = {
    analysisId,
    tenant,
    version: 0,
    state: 'running',
    step: 'Starting agents',
    startedAt: now,
    updatedAt: now,
    agents: agents.map(({ agent, workflowId }) => ({
      agent,
      title: AGENTS[agent].title,
      workflowId,
      state: 'pending',
      step: 'Waiting to start',
      requests: 0,
      findings: 0,
      savings: ZERO,
    })),
    counts: { agents: 0, pending: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, findings: 0, requests: 0 },
    savings: { amount: ZERO, unit: 'USD' },
    events: [],
  };
  return recount(progress);
}

/** Record an event and bump the version. Keeps only the most recent MAX_PROGRESS_EVENTS. */
export function recordEvent(
  progress: AnalysisProgress,
  now: string,
  message: string,
  options: { agent?: AgentKind; level?: ProgressEvent['level'] } = {},
): AnalysisProgress {
  const seq = (progress.events.at(-1)?.seq ?? 0) + 1;
  const event: ProgressEvent = {
    seq,
    at: now,
    level: options.level ?? 'info',
    message,
    ...(options.agent ? { agent: options.agent } : {}),
  };
  return {
    ...progress,
    version: progress.version + 1,
    updatedAt: now,
    events: [...progress.events, event].slice(-MAX_PROGRESS_EVENTS),
  };
}

export function applyAgentUpdate(progress: AnalysisProgress, update: AgentProgressUpdate, now: string): AnalysisProgress {
  const current = progress.agents.find((a) => a.agent === update.agent);
  if (!current) return progress;
  // A late update from a child never moves a finished agent back to running.
  if (isFinished(current.state) && update.state !== undefined && !isFinished(update.state)) return progress;
  const next: AgentProgress = {
    ...current,
    step: update.step,
    ...(update.state !== undefined ? { state: update.state } : {}),
    ...(update.requests !== undefined ? { requests: update.requests } : {}),
    ...(update.findings !== undefined ? { findings: update.findings } : {}),
    ...(update.savings !== undefined ? { savings: update.savings } : {}),
    ...(update.spend !== undefined ? { spend: update.spend } : {}),
    ...(update.error !== undefined ? { error: update.error } : {}),
  };
  const withAgent = recount({ ...progress, agents: progress.agents.map((a) => (a.agent === update.agent ? next : a)) });
  return recordEvent(withAgent, now, `${AGENTS[update.agent].title}: ${update.step}`, {
    agent: update.agent,
    level: update.level ?? (next.state === 'failed' ? 'error' : 'info'),
  });
}

export function setOverall(progress: AnalysisProgress, state: AnalysisState, step: string, now: string): AnalysisProgress {
  return recordEvent({ ...progress, state, step }, now, step, {
    level: state === 'failed' ? 'error' : state === 'partial' ? 'warn' : 'info',
  });
}

/** The merge has run: the overall findings and savings become the merged list's (the report's figures). */
export function setMergedFindings(progress: AnalysisProgress, findings: number, savings: string, now: string): AnalysisProgress {
  return recordEvent(recount({ ...progress, merged: { findings, savings } }), now, `Merged: ${findings} findings`);
}

export function isFinished(state: AgentState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'cancelled' || state === 'skipped';
}

export function isTerminal(state: AnalysisState): boolean {
  return state !== 'running';
}

function recount(progress: AnalysisProgress): AnalysisProgress {
  const count = (s: AgentState) => progress.agents.filter((a) => a.state === s).length;
  return {
    ...progress,
    counts: {
      agents: progress.agents.length,
      pending: count('pending'),
      running: count('running'),
      succeeded: count('succeeded'),
      failed: count('failed') + count('cancelled'),
      skipped: count('skipped'),
      findings: progress.merged?.findings ?? progress.agents.reduce((n, a) => n + a.findings, 0),
      requests: progress.agents.reduce((n, a) => n + a.requests, 0),
    },
    savings: { amount: progress.merged?.savings ?? addAmounts(ZERO, ...progress.agents.map((a) => a.savings)), unit: 'USD' },
  };
}
