/**
 * How long an activity attempt waits on AWS: the worker's timing interceptor (src/worker/timings.ts)
 * runs each attempt inside `recordAwsWait`, and a middleware on every SDK client (aws-clients.ts) adds
 * the span of each call — from the command's start to its parsed response, retries and throttling
 * back-off included — to the attempt's recorder. Calls outside an attempt (tests, the CLI) record nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Interval } from '../domain/timeline';
import { unionOf } from '../domain/timeline';

export class AwsWaitRecorder {
  private spans: Interval[] = [];

  add(start: number, end: number): void {
    this.spans.push([start, end]);
    // Fan-out activities make thousands of calls: keep the list merged so it stays small.
    if (this.spans.length >= 256) this.spans = unionOf(this.spans);
  }

  intervals(): Interval[] {
    return unionOf(this.spans);
  }
}

const current = new AsyncLocalStorage<AwsWaitRecorder>();

export function recordAwsWait<T>(recorder: AwsWaitRecorder, run: () => T): T {
  return current.run(recorder, run);
}

interface MiddlewareStackLike {
  add(middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>, options: { step: 'initialize'; name: string; priority: 'high' }): void;
}

/** Adds the timing middleware to a client's stack, outermost, so a call's whole life is counted. */
export function timeAwsCalls(client: { middlewareStack: unknown }): void {
  (client.middlewareStack as MiddlewareStackLike).add(
    (next) => async (args) => {
      const recorder = current.getStore();
      if (!recorder) return next(args);
      const start = Date.now();
      try {
        return await next(args);
      } finally {
        recorder.add(start, Date.now());
      }
    },
    { step: 'initialize', name: 'finopsAwsWait', priority: 'high' },
  );
}
