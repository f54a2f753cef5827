/**
 * Grounding: every figure a summary states must exist in the report. Figures are read from the text
 * ("$1,234.57", "$1.2k", "USD 3.4 million", "12%", "-8.5 percent", "340 findings") and matched against
 * every number the report holds (plus the percentages derived from it: shares of the total and of the
 * savings), tolerant of rounding and truncation to the precision the text shows.
 *
 * Not checked: dates, years, account IDs and small unitless counts (1-10: "the top 3 actions").
 */
import Big from 'big.js';
import type { AnalysisReport } from '../domain/report';

export interface StatedFigure {
  /** The text as written, e.g. "$1.2k". */
  text: string;
  value: number;
  kind: 'money' | 'percent' | 'number';
  /** One unit of the last digit shown, times the multiplier: "$1.2k" → 100. */
  unit: number;
}

export interface GroundingResult {
  ok: boolean;
  figures: StatedFigure[];
  /** Figures the report does not have. */
  unsupported: StatedFigure[];
}

const MULTIPLIERS: Record<string, number> = {
  k: 1e3,
  K: 1e3,
  thousand: 1e3,
  m: 1e6,
  M: 1e6,
  mm: 1e6,
  million: 1e6,
  b: 1e9,
  B: 1e9,
  bn: 1e9,
  billion: 1e9,
};

// Optional sign, currency, digits with separators, decimals, multiplier, percent.
const FIGURE =
  /(?<![\w.])([-−+]?)(\$|USD\s?|US\$)?\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s?(k|K|thousand|mm|m|M|million|bn|b|B|billion)?(?![\w])\s?(%|percent\b|per cent\b)?/g;

const DATE = /\b\d{4}-\d{2}-\d{2}\b/g;
const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?';
/** "October 15", "Oct 3rd", "15 October", "Q3": dates, not figures. */
const NAMED_DATE = new RegExp(
  `\\b${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?\\b|\\b\\d{1,2}(?:st|nd|rd|th)?\\s+${MONTH}\\b|\\bQ[1-4]\\b`,
  'gi',
);

export function extractFigures(text: string): StatedFigure[] {
  const cleaned = text.replace(DATE, ' ').replace(NAMED_DATE, ' ');
  const figures: StatedFigure[] = [];
  for (const m of cleaned.matchAll(FIGURE)) {
    const [whole, sign, currency, intPart, frac, mult, percent] = m;
    const digits = intPart!.replace(/,/g, '');
    const decimals = frac?.length ?? 0;
    const multiplier = mult ? MULTIPLIERS[mult]! : 1;
    // "5m" could be minutes or metres without a currency; only trust multipliers on money.
    if (mult && !currency && !percent && /^[mb]$/.test(mult)) continue;
    const magnitude = Number(`${digits}${frac ? `.${frac}` : ''}`) * multiplier;
    const value = sign === '-' || sign === '−' ? -magnitude : magnitude;
    const kind = currency ? 'money' : percent ? 'percent' : 'number';
    if (kind === 'number') {
      if (!mult && !frac && Number(digits) <= 10) continue;
      if (!mult && !frac && digits.length === 4 && Number(digits) >= 1990 && Number(digits) <= 2100) continue;
      if (!mult && digits.length === 12) continue; // account IDs
    }
    figures.push({ text: whole.trim(), value, kind, unit: 10 ** -decimals * multiplier });
  }
  return figures;
}

/** Every number in the report, and the percentages a reader would derive from it. */
export function reportNumbers(report: AnalysisReport): number[] {
  const numbers = new Set<number>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > 12) return;
    if (typeof value === 'number' && Number.isFinite(value)) numbers.add(value);
    else if (typeof value === 'string') {
      if (/^-?\d+(\.\d+)?$/.test(value.trim())) numbers.add(Number(value));
    } else if (Array.isArray(value)) for (const v of value) visit(v, depth + 1);
    else if (value && typeof value === 'object') for (const v of Object.values(value)) visit(v, depth + 1);
  };
  visit(report, 0);
  const pct = (part: string | undefined, whole: string | undefined) => {
    try {
      if (part === undefined || whole === undefined || new Big(whole).eq(0)) return;
      numbers.add(Number(new Big(part).div(whole).times(100).toString()));
    } catch {
      /* not a number */
    }
  };
  for (const s of report.spend.byService) {
    pct(s.amount, report.spend.total);
    pct(s.change, report.spend.change);
  }
  const findings = report.findings as { monthlySavings?: string; items?: { monthlySavings?: string }[] } | undefined;
  pct(findings?.monthlySavings, report.spend.total);
  for (const f of findings?.items?.slice(0, 50) ?? []) pct(f.monthlySavings, findings?.monthlySavings);
  // Counts a reader would state: days in the periods, accounts, regions, services.
  for (const p of [report.period, report.previousPeriod]) {
    const days = (Date.parse(p.end) - Date.parse(p.start)) / 86_400_000;
    if (Number.isFinite(days)) numbers.add(days);
  }
  numbers.add(report.accounts.length).add(report.regions.length).add(report.spend.byService.length);
  for (const n of [...numbers]) if (n < 0) numbers.add(-n); // "a drop of $50" states the change without its sign
  return [...numbers];
}

function supported(figure: StatedFigure, numbers: readonly number[]): boolean {
  const target = Math.abs(figure.value);
  const eps = 1e-9 + target * 1e-9;
  // Rounded ($1,234.57 → $1,235 or $1.2k) or truncated ($1,234.57 → $1,234) to the precision shown.
  return numbers.some((raw) => {
    const n = Math.abs(raw);
    return Math.abs(n - target) <= figure.unit / 2 + eps || (n >= target - eps && n < target + figure.unit - eps);
  });
}

export function checkGrounding(text: string, report: AnalysisReport, numbers = reportNumbers(report)): GroundingResult {
  const figures = extractFigures(text);
  const unsupported = figures.filter((f) => !supported(f, numbers));
  return { ok: unsupported.length === 0, figures, unsupported };
}
