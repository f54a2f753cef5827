/**
 * The report store: every completed analysis's full report, kept beyond Temporal's retention (which
 * deletes closed workflows, and with them their results, after the namespace's retention period).
 * Files by default, S3 in production (store.ts). The API is small on purpose:
 *
 *   put(entry)                     idempotent: a retried activity writes the same key and content
 *   get(tenant, analysisId)        the stored entry, or undefined
 *   list(tenant)                   the summaries of a tenant's stored reports, newest first
 *   prune(now)                     removes reports older than the retention (FINOPS_REPORT_RETENTION_DAYS)
 *
 * A kept report points into its analysis's folder (findings lists, counted, dismissed): the store sweep
 * (src/activities/retention.ts) removes that folder only once the report is gone, so prune stays cheap
 * enough for keepReport, which runs it at the end of every analysis.
 *
 * Keys: reports/<tenant>/<stamp-suffix>/report.json and …/summary.json (the summary lets a listing
 * avoid reading whole reports). The tenant is part of every key, so a read can never cross tenants.
 */
import type { AnalysisReport } from '../domain/report';
import { tenantOfAnalysisId } from '../workflows/ids';
import type { ListableStore } from './store';

export interface StoredReportSummary {
  analysisId: string;
  tenant: string;
  accounts: string[];
  /** Who asked (API-key id or token subject), when known. */
  requestedBy?: string;
  /** When the workflow started and closed, as Temporal recorded them. */
  startTime: string;
  closeTime: string;
  /** The report's own status: complete or partial. */
  reportStatus: AnalysisReport['status'];
}

export interface StoredReport extends StoredReportSummary {
  report: AnalysisReport;
}

const DAY_MS = 86_400_000;

export class ReportStore {
  constructor(
    private readonly store: ListableStore,
    /** Days reports are kept; 0 keeps them forever. */
    readonly retentionDays: number,
  ) {}

  async put(entry: StoredReport): Promise<void> {
    const base = baseKey(entry.analysisId);
    if (!base || tenantOfAnalysisId(entry.analysisId) !== entry.tenant) throw new Error(`not an analysis ID of tenant ${entry.tenant}: ${entry.analysisId}`);
    // The report first: a summary never points at a report that is not there.
    await this.store.putJson(`${base}/report.json`, entry);
    const { report: _report, ...summary } = entry;
    await this.store.putJson(`${base}/summary.json`, summary);
  }

  async get(tenant: string, analysisId: string): Promise<StoredReport | undefined> {
    const base = baseKey(analysisId);
    if (!base || tenantOfAnalysisId(analysisId) !== tenant) return undefined;
    return this.store.getJson<StoredReport>(`${base}/report.json`);
  }

  async list(tenant: string): Promise<StoredReportSummary[]> {
    const keys = (await this.store.listKeys(`reports/${tenant}/`)).filter((k) => k.endsWith('/summary.json'));
    const summaries = await Promise.all(keys.map((k) => this.store.getJson<StoredReportSummary>(k)));
    return summaries
      .filter((s): s is StoredReportSummary => s !== undefined && s.tenant === tenant)
      .sort((a, b) => b.startTime.localeCompare(a.startTime));
  }

  /** The tenants that have stored reports (for operators' listings). */
  async tenants(): Promise<string[]> {
    const keys = await this.store.listKeys('reports/');
    return [...new Set(keys.map((k) => k.split('/')[1]).filter((t): t is string => t !== undefined && t !== ''))];
  }

  /** Removes the tenant's reports closed more than `retentionDays` before `now`; returns their IDs. */
  async prune(tenant: string, now: Date): Promise<string[]> {
    if (this.retentionDays === 0) return [];
    const cutoff = now.getTime() - this.retentionDays * DAY_MS;
    const expired = (await this.list(tenant)).filter((s) => Date.parse(s.closeTime) < cutoff);
    for (const s of expired) {
      const base = baseKey(s.analysisId)!;
      await this.store.delete(`${base}/summary.json`);
      await this.store.delete(`${base}/report.json`);
    }
    return expired.map((s) => s.analysisId);
  }
}

/** reports/<tenant>/<stamp-suffix>, or undefined for anything that is not an analysis ID. */
function baseKey(analysisId: string): string | undefined {
  const tenant = tenantOfAnalysisId(analysisId);
  if (!tenant) return undefined;
  return `reports/${tenant}/${analysisId.slice(`analysis/${tenant}/`.length)}`;
}

export interface KeepReportInput {
  report: AnalysisReport;
  tenant: string;
  accounts: string[];
  requestedBy?: string;
  startTime: string;
}

/** The activity the analysis workflow runs when it completes: keep the report, then apply retention. */
export function createReportActivities(reports: ReportStore, now: () => Date = () => new Date()) {
  return {
    async keepReport(input: KeepReportInput): Promise<{ kept: string; pruned: number }> {
      await reports.put({
        analysisId: input.report.analysisId,
        tenant: input.tenant,
        accounts: input.accounts,
        ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
        startTime: input.startTime,
        // The report's own generation time: the same on every retry, so the write is idempotent.
        closeTime: input.report.generatedAt,
        reportStatus: input.report.status,
        report: input.report,
      });
      const pruned = await reports.prune(input.tenant, now());
      return { kept: input.report.analysisId, pruned: pruned.length };
    },
  };
}
