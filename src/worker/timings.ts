/**
 * The phase timeline's recorder: an activity interceptor that notes, for every attempt of an activity
 * scheduled by an analysis or one of its agents, when it was scheduled (Temporal's clock), started and
 * ended, and when it waited on AWS (src/activities/aws-wait.ts). Each attempt is one small object in the
 * artefact store, under the analysis (`timingKey`), so attempts on any worker are counted; the analysis's
 * last step folds them into the report's timeline (src/activities/timeline.ts).
 *
 * Recording never fails an activity: a store error loses that attempt's timing, not the work.
 */
import type { Context } from '@temporalio/activity';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import { AwsWaitRecorder, recordAwsWait } from '../activities/aws-wait';
import type { ArtefactStore } from '../activities/store';
import { timingKey } from '../activities/timeline';
import { isAgentKind, type AgentKind } from '../domain/agents';
import type { ActivityTiming } from '../domain/timeline';

/** The analysis and agent an activity belongs to, from its workflow: the parent `analysis`, or a child `<analysis id>/<agent>`. */
export function timingScope(workflowType: string, workflowId: string): { analysisId: string; agent?: AgentKind } | undefined {
  if (workflowType === 'analysis') return { analysisId: workflowId };
  const cut = workflowId.lastIndexOf('/');
  const agent = workflowId.slice(cut + 1);
  if (cut <= 0 || !isAgentKind(agent)) return undefined;
  return { analysisId: workflowId.slice(0, cut), agent };
}

export function activityTimings(store: ArtefactStore): ActivityInterceptorsFactory {
  return (ctx: Context) => {
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input, next) {
        const info = ctx.info;
        const scope = info.workflowType && info.workflowExecution ? timingScope(info.workflowType, info.workflowExecution.workflowId) : undefined;
        if (!scope) return next(input);
        const recorder = new AwsWaitRecorder();
        const startedMs = Date.now();
        let failed = false;
        try {
          return await recordAwsWait(recorder, () => next(input));
        } catch (err) {
          failed = true;
          throw err;
        } finally {
          const timing: ActivityTiming = {
            ...scope,
            activityType: info.activityType,
            activityId: info.activityId,
            attempt: info.attempt,
            scheduledMs: info.currentAttemptScheduledTimestampMs,
            startedMs,
            endedMs: Date.now(),
            aws: recorder.intervals(),
            ...(failed ? { failed } : {}),
          };
          await store.putJson(timingKey(timing), timing).catch(() => undefined);
        }
      },
    };
    return { inbound };
  };
}
