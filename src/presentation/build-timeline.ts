/** The report's "where the time went" section, from the phase timeline (src/domain/timeline.ts). */
import { AGENTS, isAgentKind } from '../domain/agents';
import type { AnalysisReport } from '../domain/report';
import type { AgentTimeline } from '../domain/timeline';
import { col, emptySection, fact, section, table, text } from './cells';
import { duration, percent, plural } from './format';
import type { Cell, SectionView } from './model';

const ms = (value: number): Cell => ({ text: duration(value), value });
const share = (part: number, whole: number): Cell => (whole > 0 ? { text: percent((100 * part) / whole, 0), value: Math.round((1000 * part) / whole) / 10 } : { text: '—', value: null });
const scopeTitle = (scope: string): string => (isAgentKind(scope) ? AGENTS[scope].title : 'Analysis steps (tenant check, merge, summary)');

export function timelineSection(report: AnalysisReport): SectionView {
  const timeline = report.timeline;
  if (!timeline) return emptySection('timeline', 'Where the time went', 'No timeline was recorded for this analysis (reports from before the timeline existed, or a store that cannot list).');
  const agents = timeline.scopes.filter((s) => s.scope !== 'analysis');
  const slowest = agents.reduce<AgentTimeline | undefined>((a, b) => (!a || b.wallMs > a.wallMs ? b : a), undefined);
  const aws = timeline.scopes.reduce((sum, s) => sum + s.awsWaitMs, 0);
  const running = timeline.scopes.reduce((sum, s) => sum + s.runningMs, 0);
  const queued = timeline.scopes.reduce((sum, s) => sum + s.queuedMs, 0);
  return section('timeline', 'Where the time went', {
    facts: [
      fact('wall', 'Analysis wall time', ms(timeline.wallMs), { note: plural(timeline.activities, 'activity attempt') }),
      ...(slowest ? [fact('slowest', 'Slowest agent', text(`${scopeTitle(slowest.scope)}: ${duration(slowest.wallMs)}`))] : []),
      fact('aws-share', 'Waiting on AWS', share(aws, running), { note: 'of the time activities ran' }),
      fact('queued', 'Queued for a worker', ms(queued), { note: 'summed over agents' }),
    ],
    tables: [
      table(
        'timeline-scopes',
        'Per agent: wall time, and within it queued, running and waiting on AWS',
        [
          col('scope', 'Agent'),
          col('wall', 'Wall', true),
          col('queued', 'Queued', true),
          col('running', 'Running', true),
          col('aws', 'Waiting on AWS', true),
          col('local', 'Local work (CPU, store)', true),
          col('activities', 'Activities', true),
          col('retries', 'Retries', true),
        ],
        timeline.scopes.map((s) => ({
          scope: text(scopeTitle(s.scope)),
          wall: ms(s.wallMs),
          queued: ms(s.queuedMs),
          running: ms(s.runningMs),
          aws: ms(s.awsWaitMs),
          local: ms(Math.max(0, s.runningMs - s.awsWaitMs)),
          activities: { text: String(s.activities), value: s.activities },
          retries: { text: String(s.retries), value: s.retries },
        })),
      ),
      table(
        'timeline-activities',
        'Longest activities',
        [col('activity', 'Activity'), col('scope', 'Agent'), col('attempt', 'Attempt', true), col('queued', 'Queued', true), col('running', 'Running', true), col('aws', 'Waiting on AWS', true)],
        timeline.top.map((a) => ({
          activity: text(a.activityType),
          scope: text(scopeTitle(a.scope)),
          attempt: { text: String(a.attempt), value: a.attempt },
          queued: ms(a.queuedMs),
          running: ms(a.runningMs),
          aws: ms(a.awsWaitMs),
        })),
      ),
    ],
    notes: [
      'Queued, running and waiting on AWS are the time at least one of the agent\'s activities was in that state, so they do not add up past the wall time when activities overlap. Wall time beyond queued + running is the agent workflow itself (scheduling, child start, results).',
    ],
  });
}
