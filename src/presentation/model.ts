/**
 * The report view model: everything a reader sees of an analysis, built once from the AnalysisReport
 * (build.ts) and rendered by the dashboard, the CLI, the Markdown/CSV/JSON/HTML exports, the weekly
 * review message and the Temporal Web UI. Every figure carries its exact value and the text it is shown
 * as (format.ts), so no renderer formats money, dates or evidence on its own.
 *
 * A section is always present: with data, or with `empty` saying why it has none.
 */
import type { ExportFinding } from './read';

export const SECTION_IDS = ['headline', 'summary', 'spend', 'forecast', 'anomalies', 'tagging', 'commitments', 'findings', 'timeline', 'notes'] as const;
export type SectionId = (typeof SECTION_IDS)[number];

/** An exact value and the text it is shown as. */
export interface Cell {
  text: string;
  /** Decimal string for money, a number for counts and percentages, null when there is none. */
  value: string | number | null;
}

export type Tone = 'good' | 'bad' | 'neutral';

/** A labelled figure: "Total spend  $3,035.65  +4.2% vs previous period". */
export interface Fact {
  id: string;
  label: string;
  text: string;
  value: string | number | null;
  note?: string;
  tone?: Tone;
}

export interface Column {
  key: string;
  label: string;
  /** Numbers are right-aligned and exported as plain decimals. */
  numeric: boolean;
}

export interface TableView {
  id: string;
  caption: string;
  columns: Column[];
  rows: Record<string, Cell>[];
  /** When the table was cut short: how many rows are left out and where they are. */
  more?: string;
  /** Why the table has no rows. */
  empty?: string;
}

/** Daily (or monthly) amounts per group, stacked. */
export interface StackedChart {
  kind: 'stacked';
  id: string;
  title: string;
  unit: string;
  categories: string[];
  series: { name: string; values: number[] }[];
}

/** History and a forecast with its interval. */
export interface BandChart {
  kind: 'band';
  id: string;
  title: string;
  unit: string;
  history: { date: string; value: number }[];
  forecast: { date: string; mean: number; lower: number; upper: number }[];
  /** Cost Explorer's forecast for the same days, when there is one. */
  reference?: { date: string; value: number }[];
}

/** Percentages per category, e.g. compliance by tag key: compliant share in the first series. */
export interface PercentBarsChart {
  kind: 'percent-bars';
  id: string;
  title: string;
  categories: string[];
  series: { name: string; values: number[] }[];
}

export type ChartView = StackedChart | BandChart | PercentBarsChart;

/** A file the reader can download from the section (the tag policy document). */
export interface Attachment {
  id: string;
  label: string;
  fileName: string;
  mediaType: string;
  content: string;
}

export interface SectionView {
  id: SectionId;
  title: string;
  /** Set when the section has no data: why (agent not run, permission missing, nothing found…). */
  empty?: string;
  facts: Fact[];
  tables: TableView[];
  charts: ChartView[];
  /** Plain sentences (account data included: renderers escape them). */
  notes: string[];
  attachments: Attachment[];
}

/** One finding, normalised (read.ts): exact savings, labelled evidence, the command to act. */
export type FindingView = ExportFinding;

export interface ReportView {
  schema: 'finops.report-view/1';
  analysisId: string;
  tenant: string;
  title: string;
  status: 'complete' | 'partial';
  /** "Complete" or "Partial: 1 agent failed, 1 skipped". */
  statusText: string;
  accounts: string[];
  regions: string[];
  periodText: string;
  previousPeriodText: string;
  generatedText: string;
  unit: string;
  sections: SectionView[];
  /** The ranked findings in full detail (the findings section's table is the same list). */
  findings: FindingView[];
}

export function sectionOf(view: ReportView, id: SectionId): SectionView {
  const section = view.sections.find((s) => s.id === id);
  if (!section) throw new Error(`the report view has no ${id} section`);
  return section;
}

export function factOf(section: SectionView, id: string): Fact | undefined {
  return section.facts.find((f) => f.id === id);
}
