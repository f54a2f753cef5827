/**
 * What the command line prints: live progress (one bar per agent, redrawn in place, in a terminal;
 * plain event lines when output goes to a file or a pipe) and readable reports, lists and analyses.
 * Account data is printed as is, minus control characters (a tag value cannot move the cursor).
 */
import { formatUsd } from '../domain/money';
import type { AgentProgress, AnalysisProgress } from '../domain/progress';
import type { AnalysisReport } from '../domain/report';
import { buildReportView } from '../presentation/build';
import { viewToText } from '../presentation/text';

/** Strip terminal control sequences and other control characters from untrusted text. */
export function safe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

export interface Output {
  write(text: string): void;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function pad(text: string, width: number): string {
  const t = text.length > width ? `${text.slice(0, width - 1)}…` : text;
  return t.padEnd(width);
}

function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** Progress in a terminal: a header, an overall bar and one bar per agent, redrawn in place. */
export class BarsDisplay {
  private lines = 0;
  private frame = 0;
  private latest: AnalysisProgress | undefined;
  private note = '';
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly out: Output,
    private readonly columns: number,
    private readonly color: boolean,
  ) {
    this.timer = setInterval(() => {
      this.frame++;
      if (this.latest) this.draw();
    }, 120);
    this.timer.unref();
  }

  update(progress: AnalysisProgress): void {
    this.latest = progress;
    this.draw();
  }

  connection(note: string): void {
    this.note = note;
    if (this.latest) this.draw();
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.latest) this.draw();
  }

  private paint(code: number, text: string): string {
    return this.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  }

  private agentLine(a: AgentProgress, titleWidth: number, barWidth: number): string {
    const fraction = a.state === 'pending' ? 0 : a.state === 'running' ? 0.5 : 1;
    const mark =
      a.state === 'succeeded'
        ? this.paint(32, '✓')
        : a.state === 'failed' || a.state === 'cancelled'
          ? this.paint(31, '✗')
          : a.state === 'skipped'
            ? this.paint(33, '!')
            : a.state === 'running'
              ? this.paint(36, SPINNER[this.frame % SPINNER.length]!)
              : ' ';
    const colour = a.state === 'failed' || a.state === 'cancelled' ? 31 : a.state === 'skipped' ? 33 : a.state === 'succeeded' ? 32 : 36;
    const step = safe(a.error ? `${a.step}: ${a.error}` : a.step);
    const stats = a.findings ? ` ${a.findings} findings ${formatUsd(a.savings)}/mo` : '';
    return `  ${mark} ${pad(safe(a.title), titleWidth)} ${this.paint(colour, bar(fraction, barWidth))} ${pad(a.state, 9)} ${step}${stats}`;
  }

  private draw(): void {
    const p = this.latest!;
    const c = p.counts;
    const skipped = c.skipped ?? 0;
    const done = c.succeeded + c.failed + skipped;
    const width = Math.max(60, Math.min(this.columns, 160));
    const titleWidth = Math.min(34, Math.max(...p.agents.map((a) => a.title.length), 10));
    const barWidth = 16;
    const lines = [
      `${this.paint(1, 'Progress')} ${bar(c.agents ? done / c.agents : 0, 24)} ${done}/${c.agents} agents done${c.failed ? `, ${c.failed} failed` : ''}${skipped ? `, ${skipped} skipped` : ''} · ${c.requests} requests${c.findings ? ` · ${c.findings} findings, ${formatUsd(p.savings.amount)}/mo` : ''}${this.note ? ` · ${this.note}` : ''}`,
      ...p.agents.map((a) => this.agentLine(a, titleWidth, barWidth)),
    ].map((line) => (line.length > width + 40 ? line.slice(0, width + 40) : line));
    let text = '';
    if (this.lines > 0) text += `\u001b[${this.lines}A`;
    for (const line of lines) text += `\u001b[2K${line}\n`;
    this.lines = lines.length;
    this.out.write(text);
  }
}

/** Progress as plain lines: each new event once, with the time since the start. */
export class LinesDisplay {
  private lastEvent = 0;
  private readonly started = Date.now();

  constructor(private readonly out: Output) {}

  update(progress: AnalysisProgress): void {
    for (const event of progress.events.filter((e) => e.seq > this.lastEvent)) {
      const mark = event.level === 'error' ? '✗' : event.level === 'warn' ? '!' : '·';
      this.out.write(`  ${mark} [${((Date.now() - this.started) / 1000).toFixed(1).padStart(6)} s] ${safe(event.message)}\n`);
      this.lastEvent = event.seq;
    }
  }

  connection(note: string): void {
    if (note) this.out.write(`  … ${note}\n`);
  }

  stop(): void {}
}

/** The report as text: every section of the report view model (src/presentation), account data cleaned. */
export function reportText(report: AnalysisReport, options: { findings?: number } = {}): string {
  return viewToText(buildReportView(report), { rows: options.findings ?? 10, clean: safe });
}

export interface ListRow {
  analysisId: string;
  tenant: string;
  accounts: string[];
  status: string;
  startTime: string;
  closeTime?: string;
}

export function listText(rows: readonly ListRow[]): string {
  if (rows.length === 0) return 'No analyses.\n';
  const header = ['STATUS', 'STARTED', 'ACCOUNTS', 'ANALYSIS'];
  const body = rows.map((r) => [r.status, r.startTime.replace('T', ' ').slice(0, 19), r.accounts.join(','), r.analysisId]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  return `${[header, ...body].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n')}\n`;
}
