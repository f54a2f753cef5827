/**
 * The gateway's REST API from the browser. Credentials (an API key or an OIDC token) live in
 * sessionStorage for this tab only and travel as `Authorization: Bearer`; with FINOPS_AUTH=none there
 * are none. Downloads go through fetch too, so they carry the same credentials.
 */
import type { AnalysisProgress } from '../../domain/progress';
import type { AnalysisReport } from '../../domain/report';

const TOKEN_KEY = 'finops.token';

export function storedToken(): string | undefined {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeToken(token: string | undefined): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage disabled: the token lasts until reload
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = storedToken();
  return { ...extra, ...(token ? { authorization: `Bearer ${token}` } : {}) };
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: headers(body !== undefined ? { 'content-type': 'application/json', accept: 'application/json' } : { accept: 'application/json' }),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(0, 'network', 'The gateway cannot be reached. Is it running?');
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string; details?: string[] } } | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${response.status}`, error?.details ?? []);
  }
  return parsed as T;
}

export interface Caller {
  subject: string;
  tenants: 'all' | string[];
  auth: string;
}

export interface AgentInfo {
  agent: string;
  title: string;
}

export interface Links {
  self: string;
  report: string;
  cancel: string;
  websocket: string;
}

export interface ListItem {
  analysisId: string;
  tenant: string;
  accounts: string[];
  status: string;
  startTime: string;
  closeTime?: string;
}

export interface AnalysisView {
  analysisId: string;
  status: string;
  startTime: string;
  closeTime?: string;
  progress?: AnalysisProgress;
  report?: AnalysisReport;
  failure?: string;
  notice?: string;
}

export interface ListFilter {
  account?: string;
  status?: string;
  pageToken?: string;
  pageSize?: number;
}

export function analysisPath(id: string, suffix = ''): string {
  return `/api/analyses/${encodeURIComponent(id)}${suffix}`;
}

export const api = {
  me: () => request<Caller>('GET', '/api/me'),
  agents: () => request<{ agents: AgentInfo[] }>('GET', '/api/agents'),
  list: (filter: ListFilter) => {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') query.set(k, String(v));
    return request<{ analyses: ListItem[]; nextPageToken?: string }>('GET', `/api/analyses?${query.toString()}`);
  },
  get: (id: string) => request<AnalysisView>('GET', analysisPath(id)),
  start: (body: unknown) => request<{ analysisId: string; links: Links }>('POST', '/api/analyses', body),
  cancel: (id: string) => request<{ status: string }>('POST', analysisPath(id, '/cancel')),
  /** Set what the reader decided about a finding; who decided is their credential, recorded by the gateway. */
  setFindingState: (body: { findingId: string; analysisId: string; state: string; reason?: string; snoozeUntil?: string }) =>
    request<{ state: { state: string; by: string; at: string; version: number } }>('POST', '/api/finding-states', body),
  /** A follow-up question about a finished analysis, answered from its report. */
  ask: (id: string, question: string) => request<{ answer: string; source: string }>('POST', analysisPath(id, '/questions'), { question }),
};

/** Hand a blob to the browser as a download named `name`. */
function offerDownload(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoked later, not at once: some browsers read the object URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Hand text made in the page to the browser as a download (the HTML export, the tag policy). */
export function saveFile(content: string, name: string, mediaType: string): void {
  offerDownload(new Blob([content], { type: `${mediaType};charset=utf-8` }), name);
}

/** Fetch an export with the caller's credentials and hand it to the browser as a download. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const response = await fetch(path, { headers: headers() });
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
    throw new ApiError(response.status, 'download', body?.error?.message ?? `HTTP ${response.status}`);
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  offerDownload(await response.blob(), name);
}
