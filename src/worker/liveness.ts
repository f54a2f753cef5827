/**
 * Liveness heartbeats for every activity that has a heartbeat timeout, from the worker itself: each
 * running attempt heartbeats every second, whatever its code is doing between its own checkpoints.
 * Together with short heartbeat timeouts (the agent workflows use a few seconds) and heartbeats sent
 * without long throttling (`maxHeartbeatThrottleInterval` in worker.ts), an attempt on a worker that
 * died (kill -9, lost host) is noticed by Temporal within those seconds and retried on another worker,
 * instead of when a long heartbeat or start-to-close timeout runs out.
 *
 * The beats repeat the attempt's last paging checkpoint (paging.ts `heartbeat`), so a retry still
 * resumes its listing where it stopped.
 */
import type { Context } from '@temporalio/activity';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import { heartbeat } from '../activities/paging';

export const LIVENESS_HEARTBEAT_MS = 1_000;

export const livenessHeartbeats: ActivityInterceptorsFactory = (ctx: Context) => {
  const inbound: ActivityInboundCallsInterceptor = {
    async execute(input, next) {
      if (!ctx.info.heartbeatTimeoutMs) return next(input);
      const ticker = setInterval(() => heartbeat(ctx), LIVENESS_HEARTBEAT_MS);
      try {
        return await next(input);
      } finally {
        clearInterval(ticker);
      }
    },
  };
  return { inbound };
};
