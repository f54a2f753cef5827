/**
 * What the MCP tools call: the gateway's REST API and WebSocket, with the caller's own credentials.
 *
 * Both transports go through here. stdio (`finops mcp`) talks to a gateway URL with an API key or token,
 * like the command line. The gateway's /mcp endpoint talks to its own listening socket with the
 * credential of the MCP request it is answering. Either way the REST routes stay the one place that
 * authenticates, scopes tenants and validates input, so the MCP server can never see more than the
 * same caller would over REST, and it holds no AWS or Temporal credentials of its own.
 */
import { analysisPath, CliError, Gateway, GatewayError, watchAnalysis, type Credentials, type WatchOutcome } from '../cli/client';
import type { AnalysisView } from '../client/analyses';
import type { ScheduleView } from '../client/schedules';
import type { FindingStateRecord } from '../domain/finding-states';
import type { AnalysisProgress } from '../domain/progress';
import type { AnalysisReport } from '../domain/report';
import type { AnalysisListItem } from '../gateway/listing';
import type { QuestionAnswer } from '../llm/questions';

/** A problem the assistant should read: becomes a tool error (isError) with this text. */
export class ToolError extends Error {
  override name = 'ToolError';
}

export interface StartedAnalysis {
  analysisId: string;
  plan?: { source: string; rationale?: string; [key: string]: unknown };
}

export interface AnalysisPage {
  analyses: AnalysisListItem[];
  nextPageToken?: string;
}

export interface ListQuery {
  status?: string;
  account?: string;
  pageSize?: number;
  pageToken?: string;
}

export type AnswerView = QuestionAnswer & { analysisId: string; question: string };

/** The gateway as the MCP tools see it. */
export class FinopsApi {
  private readonly gateway: Gateway;

  constructor(baseUrl: string, credentials: Credentials) {
    this.gateway = new McpGateway(baseUrl.replace(/\/+$/, ''), credentials);
  }

  startAnalysis(body: Record<string, unknown>): Promise<StartedAnalysis> {
    return this.call(() => this.gateway.json<StartedAnalysis>('/api/analyses', { method: 'POST', body }));
  }

  getAnalysis(id: string): Promise<AnalysisView & { notice?: string }> {
    return this.call(() => this.gateway.json(analysisPath(id)));
  }

  listAnalyses(query: ListQuery): Promise<AnalysisPage> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const suffix = params.size ? `?${params.toString()}` : '';
    return this.call(() => this.gateway.json<AnalysisPage>(`/api/analyses${suffix}`));
  }

  /** The report of a finished analysis; without an ID, the newest completed analysis the caller may see. */
  async report(id: string | undefined): Promise<AnalysisReport> {
    const analysisId = id ?? (await this.latestCompleted());
    return this.call(() => this.gateway.json<AnalysisReport>(analysisPath(analysisId, '/report?format=json')));
  }

  reportMarkdown(id: string): Promise<string> {
    return this.call(async () => (await this.gateway.fetch(analysisPath(id, '/report?format=md'), { accept: 'text/markdown' })).text());
  }

  ask(id: string | undefined, question: string): Promise<AnswerView> {
    return this.call(async () => {
      const analysisId = id ?? (await this.latestCompleted());
      return this.gateway.json<AnswerView>(analysisPath(analysisId, '/questions'), { method: 'POST', body: { question } });
    });
  }

  async listSchedules(): Promise<ScheduleView[]> {
    return (await this.call(() => this.gateway.json<{ schedules: ScheduleView[] }>('/api/schedules'))).schedules;
  }

  createSchedule(body: Record<string, unknown>): Promise<ScheduleView & { created: boolean }> {
    return this.call(() => this.gateway.json('/api/schedules', { method: 'POST', body }));
  }

  setFindingState(body: Record<string, unknown>): Promise<{ state: FindingStateRecord }> {
    return this.call(() => this.gateway.json<{ state: FindingStateRecord }>('/api/finding-states', { method: 'POST', body }));
  }

  /** Live progress from the gateway's relay (WebSocket) until the analysis ends or `signal` aborts. */
  watch(id: string, onProgress: (progress: AnalysisProgress) => void, signal?: AbortSignal): Promise<WatchOutcome> {
    return this.call(() =>
      watchAnalysis(this.gateway, id, (event) => {
        if (event.type === 'progress') onProgress(event.progress);
      }, { maxReconnects: 5, ...(signal ? { signal } : {}) }),
    );
  }

  async latestCompleted(): Promise<string> {
    const page = await this.listAnalyses({ status: 'COMPLETED', pageSize: 1 });
    const latest = page.analyses[0];
    if (!latest) throw new ToolError('There is no completed analysis yet: start one with start_analysis, or give an analysisId.');
    return latest.analysisId;
  }

  /** Gateway refusals become tool errors with the gateway's own words (404s read the same for every tenant). */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof GatewayError) throw new ToolError(err.message.replace(/ \(HTTP \d+\)/, ''));
      if (err instanceof CliError) throw new ToolError(err.message);
      throw err;
    }
  }
}

class McpGateway extends Gateway {
  override headers(extra: Record<string, string> = {}): Record<string, string> {
    return super.headers({ 'user-agent': 'finops-mcp', ...extra });
  }
}
