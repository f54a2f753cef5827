/**
 * The analysis's timeline step: reads the attempts the worker recorded under the analysis
 * (src/worker/timings.ts) and folds them, with the agents' windows the parent measured, into the
 * report's "where the time went" (src/domain/timeline.ts).
 */
import { buildTimeline, type ActivityTiming, type AnalysisTimeline, type ScopeWindow } from '../domain/timeline';
import type { ArtefactStore, ListableStore } from './store';

export function timingKey(timing: Pick<ActivityTiming, 'analysisId' | 'agent' | 'activityId' | 'attempt'>): string {
  const id = timing.activityId.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${timingPrefix(timing.analysisId)}${timing.agent ?? 'analysis'}-${id}-${timing.attempt}.json`;
}

export function timingPrefix(analysisId: string): string {
  return `${analysisId}/timings/`;
}

export interface TimelineInput {
  analysisId: string;
  /** The agents' child-workflow windows and the analysis's own (scope 'analysis'), as ISO times. */
  windows: { scope: ScopeWindow['scope']; start: string; end: string }[];
}

const READ_CONCURRENCY = 32;

function isListable(store: ArtefactStore): store is ListableStore {
  return typeof (store as Partial<ListableStore>).listKeys === 'function';
}

export function createTimelineActivities(store: ArtefactStore) {
  return {
    /** The report's timeline; undefined when the store cannot list (nothing to read the attempts back from). */
    async buildAnalysisTimeline(input: TimelineInput): Promise<AnalysisTimeline | undefined> {
      if (!isListable(store)) return undefined;
      const keys = await store.listKeys(timingPrefix(input.analysisId));
      const timings: ActivityTiming[] = [];
      for (let i = 0; i < keys.length; i += READ_CONCURRENCY) {
        const batch = await Promise.all(keys.slice(i, i + READ_CONCURRENCY).map((k) => store.getJson<ActivityTiming>(k)));
        for (const t of batch) if (t) timings.push(t);
      }
      const windows = input.windows.map((w): ScopeWindow => ({ scope: w.scope, startMs: Date.parse(w.start), endMs: Date.parse(w.end) }));
      return buildTimeline(windows, timings);
    },
  };
}
