/**
 * Serving a scenario file on another day than the one it was written for. A file describes an account
 * as of its `anchorDate`; served on day D, every date and timestamp in it moves by (D - anchorDate)
 * days, so "launched 5 days ago" and "the spike last Tuesday" stay true whenever the file is used.
 * Without this, a file written last week asks the analysis for days that, to the sample account,
 * lie in the future (docs/scenario-format.md, "Dates").
 */
import { addDays, isIsoDate, toEpochDay } from './dates';
import type { ScenarioFile } from './scenario-file';

/** The fields of a scenario file that hold a date (YYYY-MM-DD) or an ISO timestamp, wherever they appear. */
export const SCENARIO_DATE_FIELDS: ReadonlySet<string> = new Set([
  'anchorDate',
  'launchTime',
  'stoppedAt',
  'created',
  'allocatedAt',
  'startTime',
  'since',
  'until',
  'from',
  'to',
  'date',
  'endDate',
]);

/** Free-form maps whose keys are the user's (tags, price attributes): never dates of the scenario. */
const OPAQUE_FIELDS: ReadonlySet<string> = new Set(['tags', 'attributes']);

const DAY_MS = 86_400_000;

function shiftValue(value: string, days: number): string {
  if (isIsoDate(value)) return addDays(value, days);
  // A timestamp keeps its time of day and its written form's precision.
  const shifted = new Date(Date.parse(value) + days * DAY_MS).toISOString();
  return /\.\d{3}Z$/.test(value) ? shifted : shifted.replace('.000Z', 'Z');
}

function shift(node: unknown, days: number): unknown {
  if (Array.isArray(node)) return node.map((item) => shift(item, days));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (OPAQUE_FIELDS.has(key)) out[key] = value;
    else if (SCENARIO_DATE_FIELDS.has(key) && typeof value === 'string') out[key] = shiftValue(value, days);
    else out[key] = shift(value, days);
  }
  return out;
}

/** The file as if it had been written on `servedOn`: every date moved by the same number of days. */
export function rebaseScenarioFile(file: ScenarioFile, servedOn: string): ScenarioFile {
  const days = toEpochDay(servedOn) - toEpochDay(file.anchorDate);
  if (days === 0) return file;
  return shift(file, days) as ScenarioFile;
}
