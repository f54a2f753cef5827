/**
 * Links in responses. REST links are absolute paths; the WebSocket link is a full ws:// or wss:// URL
 * built from the request's Host (WebSocket clients need one), at the gateway's WS path.
 */
import type { Request } from 'express';

export const API_PREFIX = '/api';
export const WS_PATH = '/ws';

export interface AnalysisLinks {
  self: string;
  report: string;
  cancel: string;
  /** Connect here and send {"type":"subscribe","analysisId":...} for live progress. */
  websocket: string;
}

export function analysisPath(analysisId: string): string {
  return `${API_PREFIX}/analyses/${encodeURIComponent(analysisId)}`;
}

export function websocketUrl(req: Request): string {
  const scheme = req.protocol === 'https' ? 'wss' : 'ws';
  const host = req.get('host') ?? 'localhost';
  return `${scheme}://${host}${WS_PATH}`;
}

export function analysisLinks(req: Request, analysisId: string): AnalysisLinks {
  const self = analysisPath(analysisId);
  return { self, report: `${self}/report`, cancel: `${self}/cancel`, websocket: websocketUrl(req) };
}
