/**
 * What the checks share: building findings, dates relative to the analysis day, commands and console
 * links. Pure functions.
 *
 * Commands are built only from AWS identifiers (which we validate) and values we computed; names and
 * tags from the account are untrusted text and never enter a command.
 */
import type { AgentKind } from '../agents';
import { findingId, type Confidence, type Finding, type FindingAction, type FindingResource } from '../findings';
import type { MissingAccess } from '../report';

export const DAY_MS = 86_400_000;

/** Midnight UTC of `asOf` (YYYY-MM-DD), in milliseconds. */
export function dayStart(asOf: string): number {
  const ms = Date.parse(`${asOf}T00:00:00Z`);
  if (!Number.isFinite(ms)) throw new RangeError(`asOf must be a date YYYY-MM-DD (got ${JSON.stringify(asOf)})`);
  return ms;
}

/** Whole days from `iso` to midnight of `asOf` (negative when `iso` is later). */
export function daysBefore(asOf: string, iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return undefined;
  return Math.floor((dayStart(asOf) - t) / DAY_MS);
}

/** True when `iso` is at least `days` days before midnight of `asOf`. */
export function atLeastDaysBefore(asOf: string, iso: string | undefined, days: number): boolean {
  if (!iso) return false;
  const t = Date.parse(iso);
  return Number.isFinite(t) && t <= dayStart(asOf) - days * DAY_MS;
}

export interface FindingDraft {
  check: string;
  agent: AgentKind;
  resource: FindingResource;
  title: string;
  evidence: Finding['evidence'];
  action: FindingAction;
  recommendation: string;
  monthlySavings: string;
  confidence: Confidence;
  cliCommand?: string;
  consoleUrl?: string;
  sources?: string[];
}

export function makeFinding(d: FindingDraft): Finding {
  return {
    id: findingId(d.check, d.resource),
    check: d.check,
    agent: d.agent,
    sources: d.sources ?? [d.agent],
    resource: d.resource,
    title: d.title,
    evidence: d.evidence,
    action: d.action,
    recommendation: d.recommendation,
    monthlySavings: d.monthlySavings,
    confidence: d.confidence,
    ...(d.cliCommand ? { cliCommand: d.cliCommand } : {}),
    ...(d.consoleUrl ? { consoleUrl: d.consoleUrl } : {}),
  };
}

const SAFE_ARG = /^[A-Za-z0-9._:/=,+@-]+$/;

/** One shell argument: bare when it is plainly safe, single-quoted otherwise. */
export function shellArg(value: string): string {
  return SAFE_ARG.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function cli(...parts: (string | number)[]): string {
  return parts.map((p, i) => (i < 2 || typeof p === 'number' || p.startsWith('--') ? String(p) : shellArg(p))).join(' ');
}

export function ec2ConsoleUrl(region: string, fragment: string): string {
  return `https://${region}.console.aws.amazon.com/ec2/home?region=${region}#${fragment}`;
}

export function rdsConsoleUrl(region: string, dbInstanceIdentifier: string): string {
  return `https://${region}.console.aws.amazon.com/rds/home?region=${region}#database:id=${encodeURIComponent(dbInstanceIdentifier)};is-cluster=false`;
}

/** The resource part of a finding, with the Name tag as its name. */
export function resourceOf(
  account: string,
  region: string,
  id: string,
  type: string | undefined,
  tags: Record<string, string>,
  name?: string,
): FindingResource {
  const label = name ?? tags['Name'];
  return { account, region, id, ...(label ? { name: label } : {}), ...(type ? { type } : {}), tags };
}

/** The Environment tag, whatever the key's case ("Environment", "environment", "env", "ENV"). */
export function environmentTag(tags: Record<string, string>): string | undefined {
  for (const [key, value] of Object.entries(tags)) {
    const k = key.toLowerCase();
    if (k === 'environment' || k === 'env') return value;
  }
  return undefined;
}

export function isNonProduction(tags: Record<string, string>, nonProductionValues: readonly string[]): boolean {
  const env = environmentTag(tags)?.trim().toLowerCase();
  return env !== undefined && nonProductionValues.includes(env);
}

/** Rounded for evidence (a metric summary, not money). */
export function round(value: number, decimals = 2): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** Add a permission gap to a list (one entry per missing permission, its checks and places merged). */
export function addMissing(missing: MissingAccess[], entry: MissingAccess): void {
  const same = missing.find((m) => m.needs === entry.needs);
  if (!same) {
    missing.push({ needs: entry.needs, checks: [...entry.checks], where: [...(entry.where ?? [])] });
    return;
  }
  same.checks = [...new Set([...same.checks, ...entry.checks])];
  same.where = [...new Set([...(same.where ?? []), ...(entry.where ?? [])])];
}

/** Merge the permission gaps of several activities, sorted. */
export function mergeMissing(lists: readonly (readonly MissingAccess[])[]): MissingAccess[] {
  const out: MissingAccess[] = [];
  for (const list of lists) for (const m of list) addMissing(out, m);
  for (const m of out) {
    m.checks.sort();
    m.where?.sort();
    if (m.where?.length === 0) delete m.where;
  }
  return out;
}
