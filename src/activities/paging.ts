/**
 * Paging that survives retries. A long listing folds each page into a compact accumulator and
 * heartbeats { next token, requests so far, accumulator }; when the activity is retried (a worker
 * died, a request failed for good after the SDK's own retries) it resumes from the last heartbeat
 * instead of starting over and paying for the same pages again.
 *
 * Heartbeats are also how cancellation reaches an activity, so they keep beating while a slow
 * request is in flight, and the request is aborted when the activity is cancelled.
 */
import { activityInfo, Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { toActivityFailure } from './aws-errors';

export const HEARTBEAT_EVERY_MS = 2_000;

/** Largest accumulator a paging checkpoint carries in heartbeat details. */
export const MAX_CHECKPOINT_BYTES = 256 * 1024;

export interface PagingCheckpoint<A> {
  /** Which listing this checkpoint belongs to: an activity that pages several listings resumes the right one. */
  listing: string;
  nextToken?: string;
  requests: number;
  accumulator: A;
  /**
   * The last page has been folded in. Without it, a checkpoint beaten before the first page (no token
   * yet) would read as a finished listing, and a retry would return the empty accumulator.
   */
  done?: boolean;
}

export interface CollectPagesOptions<P, A> {
  /** Names the listing in checkpoints, e.g. "ec2:DescribeInstances/111122223333/eu-west-1". */
  listing: string;
  /** IAM action, for error messages ("needs IAM permission ec2:DescribeInstances"). */
  action: string;
  initial: A;
  fetchPage(nextToken: string | undefined, abortSignal: AbortSignal): Promise<P>;
  fold(accumulator: A, page: P): A;
  nextToken(page: P): string | undefined;
}

export interface CollectedPages<A> {
  value: A;
  /** Requests made, including those of earlier attempts recorded in the checkpoint. */
  requests: number;
}

/**
 * This attempt's own position in listings it has not finished, by listing. When a step is retried
 * within the attempt (retryTransient), the listing resumes from where it stopped rather than from the
 * previous attempt's heartbeat, which would read every page again.
 */
const unfinished = new WeakMap<Context, Map<string, PagingCheckpoint<unknown>>>();

/** The checkpoint each attempt heartbeated last: liveness heartbeats repeat it rather than erase it. */
const lastCheckpoint = new WeakMap<Context, unknown>();

/**
 * Heartbeat for liveness (timeouts, cancellation) from code that has no position of its own to report.
 * A heartbeat's details replace the previous ones, so a bare heartbeat would erase the attempt's paging
 * checkpoint and make a retry read that listing from the start; this one repeats it.
 */
export function heartbeat(ctx: Context | undefined = currentActivity()): void {
  ctx?.heartbeat(lastCheckpoint.get(ctx));
}

/**
 * The options for one AWS SDK call: its own abort signal, tied to the activity's cancellation.
 *
 * The SDK adds two 'abort' listeners to the signal of every call in flight (its retry race and its HTTP
 * handler) and removes them when the call ends. Handing it the activity's own cancellation signal made
 * every concurrent call of an activity (listings, metric batches, per-bucket reads) pile its listeners
 * onto that one signal: MaxListenersExceededWarning past ten. A dependent signal per call
 * (AbortSignal.any) follows the activity's cancellation without adding a listener to it.
 */
export function requestOptions(ctx: Context | undefined = currentActivity()): { abortSignal?: AbortSignal } {
  return ctx ? { abortSignal: requestSignal(ctx) } : {};
}

/** A fresh signal that aborts when the activity is cancelled (see requestOptions). */
export function requestSignal(ctx: Context | undefined = currentActivity()): AbortSignal {
  return ctx ? AbortSignal.any([ctx.cancellationSignal]) : new AbortController().signal;
}

/** The activity context, or undefined outside an activity (benchmarks and scripts call the data layer directly). */
export function currentActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/**
 * Page through a listing, checkpointing after every page. Inside an activity it heartbeats and resumes;
 * outside one it simply pages.
 */
export async function collectPages<P, A>(options: CollectPagesOptions<P, A>): Promise<CollectedPages<A>> {
  const ctx = currentActivity();
  let positions = ctx ? unfinished.get(ctx) : undefined;
  if (ctx && !positions) unfinished.set(ctx, (positions = new Map<string, PagingCheckpoint<unknown>>()));
  const resumed = (positions?.get(options.listing) ??
    (ctx ? activityInfo().heartbeatDetails : undefined)) as PagingCheckpoint<A> | undefined;
  // Resume only from a finished listing or from a page token: a checkpoint with neither was beaten
  // before the first page came back (or by an older version that did not mark the end), and holds
  // nothing worth keeping.
  const fromCheckpoint =
    resumed?.listing === options.listing && (resumed.done || resumed.nextToken !== undefined) ? resumed : undefined;
  let accumulator = fromCheckpoint ? fromCheckpoint.accumulator : options.initial;
  let requests = fromCheckpoint?.requests ?? 0;
  let nextToken = fromCheckpoint?.nextToken;
  if (fromCheckpoint?.done) return { value: accumulator, requests }; // finished before the retry

  // A checkpoint rides in heartbeat details (a payload: 2 MB hard limit, warnings from 256 KB). Once the
  // listing has grown past MAX_CHECKPOINT_BYTES, heartbeats stop carrying it: a retry then resumes from an
  // earlier, smaller checkpoint or starts over, which costs requests but never a payload error.
  let resumable = true;
  let done = false;
  const checkpoint = (): PagingCheckpoint<A> | undefined =>
    resumable
      ? { listing: options.listing, ...(nextToken ? { nextToken } : {}), requests, accumulator, ...(done ? { done } : {}) }
      : undefined;
  const beat = () => {
    if (!ctx) return;
    const details = checkpoint();
    lastCheckpoint.set(ctx, details);
    ctx.heartbeat(details);
  };
  const ticker = ctx ? setInterval(beat, HEARTBEAT_EVERY_MS) : undefined;
  try {
    do {
      beat();
      let page: P;
      const abortSignal = requestSignal(ctx);
      try {
        page = await options.fetchPage(nextToken, abortSignal);
      } catch (err) {
        if (abortSignal.aborted) throw new CancelledFailure(`Cancelled during ${options.action}`);
        throw toActivityFailure(err, options.action);
      }
      requests++;
      accumulator = options.fold(accumulator, page);
      nextToken = options.nextToken(page) || undefined;
      if (nextToken) positions?.set(options.listing, { listing: options.listing, nextToken, requests, accumulator });
      if (ctx && resumable && JSON.stringify(accumulator).length > MAX_CHECKPOINT_BYTES) resumable = false;
    } while (nextToken);
    done = true;
    positions?.delete(options.listing);
  } finally {
    clearInterval(ticker);
  }
  beat();
  return { value: accumulator, requests };
}

/** Keep heartbeating while awaiting something that does not heartbeat itself (e.g. another agent's request). */
export async function whileHeartbeating<T>(work: Promise<T>): Promise<T> {
  const ctx = currentActivity();
  const ticker = ctx ? setInterval(() => heartbeat(ctx), HEARTBEAT_EVERY_MS) : undefined;
  try {
    return await work;
  } finally {
    clearInterval(ticker);
  }
}

/** Run `fn` over `items` with at most `limit` in flight, keeping results in order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
