/** Small constructors for the view model's cells, facts, tables and sections. */
import { AGENTS, type AgentKind } from '../domain/agents';
import type { AnalysisReport } from '../domain/report';
import { change, money, number, percent } from './format';
import type { Cell, Column, Fact, SectionId, SectionView, TableView, Tone } from './model';

export const text = (value: string): Cell => ({ text: value, value });
export const moneyCell = (amount: string, unit = 'USD'): Cell => ({ text: money(amount, unit), value: amount });
export const changeCell = (pct: number | null): Cell => ({ text: change(pct), value: pct });
export const percentCell = (pct: number | undefined | null, digits = 1): Cell =>
  pct === undefined || pct === null ? { text: '—', value: null } : { text: percent(pct, digits), value: pct };
export const countCell = (n: number): Cell => ({ text: number(n, 2), value: n });
export const none: Cell = { text: '—', value: null };

export const col = (key: string, label: string, numeric = false): Column => ({ key, label, numeric });

export function fact(id: string, label: string, cell: Cell, extra: { note?: string; tone?: Tone } = {}): Fact {
  return { id, label, text: cell.text, value: cell.value, ...(extra.note ? { note: extra.note } : {}), ...(extra.tone ? { tone: extra.tone } : {}) };
}

export function table(id: string, caption: string, columns: Column[], rows: Record<string, Cell>[], extra: { more?: string; empty?: string } = {}): TableView {
  return { id, caption, columns, rows, ...(extra.more ? { more: extra.more } : {}), ...(rows.length === 0 && extra.empty ? { empty: extra.empty } : {}) };
}

export function section(id: SectionId, title: string, parts: Partial<Omit<SectionView, 'id' | 'title'>> = {}): SectionView {
  return { id, title, facts: [], tables: [], charts: [], notes: [], attachments: [], ...parts };
}

export function emptySection(id: SectionId, title: string, why: string, notes: string[] = []): SectionView {
  return section(id, title, { empty: why, notes });
}

/** Why an agent's section is missing: not asked for, failed, skipped for a permission, or nothing delivered. */
export function absence(report: AnalysisReport, agent: AgentKind, what: string): string {
  const title = AGENTS[agent].title;
  const entry = report.agents.find((a) => a.agent === agent);
  if (!entry) return `No ${what}: the ${title} agent was not part of this analysis.`;
  if (entry.status === 'skipped') return `No ${what}: the ${title} agent was ${entry.reason ?? 'skipped'}.`;
  if (entry.status === 'failed' || entry.status === 'cancelled') return `No ${what}: the ${title} agent ${entry.status}${entry.reason ? ` (${entry.reason})` : ''}.`;
  return `No ${what}: the ${title} agent ran but reported none (see the notes).`;
}
