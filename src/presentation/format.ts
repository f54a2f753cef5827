/**
 * The one place money, percentages, dates and quantities are turned into text. Every renderer (the
 * dashboard, the CLI, the exports, the review message, the Web UI details) goes through these, so a
 * figure reads the same wherever it is shown. Pure and deterministic (no locale, no clock): safe in
 * workflow code and in the browser bundle.
 */
import Big from 'big.js';
import { formatUsd } from '../domain/money';
import type { Period } from '../domain/period';
import { addDays } from '../domain/period';

const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** True for a finite number or a decimal string. */
export function isNumeric(value: unknown): value is number | string {
  if (typeof value === 'number') return Number.isFinite(value);
  return typeof value === 'string' && DECIMAL.test(value.trim());
}

/** "$1,234.57" (cents, half-even), "-$3.10"; other currencies as "1,234.57 EUR". */
export function money(amount: string | number, unit = 'USD'): string {
  return formatUsd(typeof amount === 'number' ? String(amount) : amount, unit);
}

/** "$1,234.57/month". */
export function moneyPerMonth(amount: string | number, unit = 'USD'): string {
  return `${money(amount, unit)}/month`;
}

/** A price with the precision it needs: "$0.0464/hour" (4 decimals under a dollar, else cents). */
export function rate(amount: string | number, per: string, unit = 'USD'): string {
  const value = new Big(typeof amount === 'number' ? String(amount) : amount);
  if (value.abs().gte(1)) return `${money(value.toString(), unit)}/${per}`;
  const text = value.round(4, Big.roundHalfEven).toFixed(4);
  return unit === 'USD' ? `$${text}/${per}`.replace('$-', '-$') : `${text} ${unit}/${per}`;
}

/** Thousands separators, at most `digits` decimals (trailing zeros dropped): 12345.678 -> "12,345.68". */
export function number(value: number | string, digits = 2): string {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) return String(value);
  const fixed = new Big(n).round(digits, Big.roundHalfEven);
  const [int, frac] = fixed.abs().toFixed(digits).split('.') as [string, string | undefined];
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const decimals = frac?.replace(/0+$/, '') ?? '';
  return `${fixed.lt(0) ? '-' : ''}${grouped}${decimals ? `.${decimals}` : ''}`;
}

/** "12.3%" from 12.3 (a percentage, not a fraction). */
export function percent(value: number, digits = 1): string {
  return `${number(value, digits)}%`;
}

/** A change: "+12.3%", "-4.0%", or "new" when there was nothing before. */
export function change(value: number | null): string {
  if (value === null) return 'new';
  return `${value >= 0 ? '+' : '-'}${Math.abs(value).toFixed(1)}%`;
}

/** A signed amount: "+$12.30", "-$4.00". */
export function signedMoney(amount: string, unit = 'USD'): string {
  return new Big(amount).gte(0) ? `+${money(amount, unit)}` : money(amount, unit);
}

/** "1 day", "3 days" (and any other unit with a plural s). */
export function plural(n: number, unit: string): string {
  return `${number(n, 1)} ${unit}${n === 1 ? '' : 's'}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "2026-10-01" -> "1 Oct 2026". Anything else is returned as is. */
export function date(iso: string): string {
  const m = ISO_DATE.exec(iso);
  if (!m) return iso;
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
}

/** "2026-10" -> "Oct 2026". */
export function month(yyyyMm: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(yyyyMm);
  return m ? `${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}` : yyyyMm;
}

/** A Cost Explorer period (end exclusive) as people read it: "1 Oct – 31 Oct 2026 (31 days)". */
export function period(p: Period): string {
  if (!ISO_DATE.test(p.start) || !ISO_DATE.test(p.end)) return `${p.start} – ${p.end} (end exclusive)`;
  const last = addDays(p.end, -1);
  const days = Math.round((Date.parse(`${p.end}T00:00:00Z`) - Date.parse(`${p.start}T00:00:00Z`)) / 86_400_000);
  if (last < p.start) return `${date(p.start)} (empty)`;
  const first = date(p.start);
  const end = date(last);
  const sameYear = p.start.slice(0, 4) === last.slice(0, 4);
  return `${sameYear ? first.replace(/ \d{4}$/, '') : first} – ${end} (${plural(days, 'day')})`;
}

/** An instant: "2026-11-21 09:30 UTC". */
export function timestamp(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** Humanise a camelCase or dotted key: "cpuP95" -> "Cpu p95", "Environment.suggested" -> "Environment suggested". */
export function humanise(key: string): string {
  const spaced = key
    .replace(/[._-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .trim();
  return spaced ? spaced[0]!.toUpperCase() + spaced.slice(1).toLowerCase() : key;
}

/**
 * Text for the Temporal Web UI's Markdown (current details, summaries). The Web UI renders `$…$` as
 * math, so dollar signs are escaped; untrusted text also loses the characters that would start
 * emphasis, links, HTML or break a table.
 */
export function webUiText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[\]|<>$]/g, (c) => `\\${c}`);
}

/** A duration from milliseconds: "850 ms", "12.4 s", "3 min 05 s". */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const v = Math.max(0, ms);
  if (v < 1_000) return `${Math.round(v)} ms`;
  if (v < 60_000) return `${number(v / 1_000, 1)} s`;
  const seconds = Math.round(v / 1_000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}
