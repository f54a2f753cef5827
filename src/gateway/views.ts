/**
 * Reading one analysis for REST. Closed runs use `readAnalysis` (their result, never a query).
 * Running ones are described first and queried with a short deadline: a run that no worker has picked
 * up yet cannot answer a query (the call would hang until its deadline), and is still a valid 200.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { readAnalysis, type AnalysisView } from '../client/analyses';
import { progressQuery } from '../workflows/messages';
import { withDeadline } from './temporal';

export interface GatewayAnalysisView extends AnalysisView {
  /** Why `progress` is missing from a running analysis. */
  notice?: string;
}

export interface ReadViewOptions {
  rpcTimeoutMs: number;
  queryTimeoutMs: number;
  /** False: do not query a running analysis (its status is all the caller needs). */
  progress: boolean;
}

export async function readView(client: Client, analysisId: string, options: ReadViewOptions): Promise<GatewayAnalysisView | undefined> {
  const handle = client.workflow.getHandle(analysisId);
  let description;
  try {
    description = await withDeadline(client, options.rpcTimeoutMs, () => handle.describe());
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  if (description.type !== 'analysis') return undefined;
  if (description.status.name !== 'RUNNING') {
    return withDeadline(client, options.rpcTimeoutMs, () => readAnalysis(client, analysisId));
  }
  const view: GatewayAnalysisView = {
    analysisId,
    status: description.status.name,
    startTime: description.startTime.toISOString(),
  };
  if (!options.progress) return view;
  try {
    view.progress = await withDeadline(client, options.queryTimeoutMs, () => handle.query(progressQuery));
  } catch {
    view.notice = `No worker answered the progress query within ${options.queryTimeoutMs} ms; the analysis may be waiting for a worker on its task queue (${description.taskQueue}).`;
  }
  return view;
}
