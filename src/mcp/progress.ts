/**
 * MCP progress notifications from the relay's progress snapshots. MCP requires each notification's
 * `progress` to be larger than the last, with `total` as the goal; the relay's snapshots advance in agent
 * steps that do not all finish an agent. So the value counts finished agents, and each snapshot in
 * between adds a thousandth, staying below the next whole agent: a bar that moves on every step and
 * reaches `total` exactly when the analysis ends. Snapshots that cannot move it forward are not sent.
 */
import { formatUsd } from '../domain/money';
import { isTerminal, type AnalysisProgress } from '../domain/progress';

export interface ProgressNotice {
  progress: number;
  total?: number;
  message: string;
}

const SCALE = 1000;

export class ProgressTicker {
  /** The last value sent, in thousandths; -1 before the first. */
  private last = -1;

  next(p: AnalysisProgress): ProgressNotice | undefined {
    const total = p.counts.agents;
    const done = Math.min(total, p.counts.succeeded + p.counts.failed + p.counts.skipped);
    let value: number;
    if (total === 0) value = this.last + 1; // agents not known yet: count snapshots
    else if (isTerminal(p.state)) value = total * SCALE;
    else value = Math.min(Math.max(done * SCALE, this.last + 1), Math.min(done + 1, total) * SCALE - 1);
    if (value <= this.last) return undefined;
    this.last = value;
    return {
      progress: value / SCALE,
      ...(total > 0 ? { total } : {}),
      message: `${latestStep(p)} (${done}/${total} agents done, ${p.counts.findings} findings, ${formatUsd(p.savings.amount)}/month so far)`,
    };
  }
}

/** What just happened: the newest event (agent steps read "EC2 (...): Reading metrics"), else the overall step. */
function latestStep(p: AnalysisProgress): string {
  const event = p.events.at(-1);
  return event && !isTerminal(p.state) ? event.message : p.step;
}
