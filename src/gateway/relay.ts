/**
 * The progress relay: turns the workflow's `progress` query into a stream of numbered messages.
 *
 * - One channel per analysis, shared by all of its subscribers: one poller, one result watcher.
 * - The poller queries `progressQuery` every `pollIntervalMs`, backing off (x`backoffFactor`, up to
 *   `maxPollIntervalMs`) while the version does not change; a message goes out only when it does.
 * - A long-poll on the workflow result (`handle.result()`) notices completion at once; the report (or
 *   the failure) is broadcast as the final message, after which the channel stops and its subscribers
 *   are detached. Finished analyses are served from their result; they are never queried.
 * - `seq` numbers are per analysis, start at 1, grow by 1 per message and are the same for every
 *   subscriber. A channel's numbering survives periods without subscribers (channels are kept in a
 *   bounded LRU), so a later resume-from-seq can rely on it within one gateway process.
 * - Polling stops as soon as the last subscriber leaves; a subscriber who joins a running channel
 *   immediately gets the latest message.
 * - Query errors (no worker has picked the workflow up yet, a worker restarting, Temporal briefly
 *   unreachable) are retried with backoff, never fatal.
 * - Resume: each channel keeps its last `historySize` messages and an `epoch` (this relay's id plus the
 *   channel's incarnation). A subscriber that passes `{ epoch, afterSeq }` gets exactly the messages after
 *   `afterSeq` when they are all still held ('replay'), else the latest message, which is a full snapshot
 *   ('latest'); a different epoch (another gateway process, an evicted channel) numbers afresh ('reset').
 */
import { randomBytes } from 'node:crypto';
import {
  type Client,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type WorkflowHandle,
} from '@temporalio/client';
import { CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { describeFailure } from '../client/analyses';
import type { AnalysisProgress, AnalysisState } from '../domain/progress';
import type { AnalysisReport } from '../domain/report';
import { tenantOfAnalysisId } from '../workflows/ids';
import type { Logger } from './log';
import { progressQuery } from '../workflows/messages';

export type FailedStatus = 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT';

export type RelayMessage =
  | { type: 'progress'; analysisId: string; seq: number; progress: AnalysisProgress }
  | { type: 'report'; analysisId: string; seq: number; report: AnalysisReport }
  | { type: 'failed'; analysisId: string; seq: number; status: FailedStatus; failure: string };

/** Analysis states set as the workflow returns (the result message follows). */
const FINAL_ANALYSIS_STATES: ReadonlySet<AnalysisState> = new Set(['completed', 'partial', 'failed', 'cancelled']);

/** `report` and `failed` end a subscription. */
export function isFinalMessage(message: RelayMessage): boolean {
  return message.type !== 'progress';
}

/** Where a reconnecting subscriber left off: the epoch it was told and the last seq it received. */
export interface ResumePoint {
  epoch: string;
  afterSeq: number;
}

/**
 * How a subscription starts: 'none' (a fresh subscription: the latest message, if any, comes first),
 * 'replay' (every message after afterSeq follows, no gaps), 'latest' (too old to replay: the latest full
 * message follows), 'reset' (another epoch: numbering starts afresh, as for a fresh subscription).
 */
export type ResumeMode = 'none' | 'replay' | 'latest' | 'reset';

export interface SubscribedInfo {
  epoch: string;
  /** The channel's latest seq when the subscription started (0: nothing emitted yet). */
  seq: number;
  resume: ResumeMode;
}

/** Callbacks are never invoked before `subscribe` has returned. */
export interface RelaySubscriber {
  /** Called once, just before the first message, when the analysis is known to exist. */
  onSubscribed?(info: SubscribedInfo): void;
  /** Every message from the subscription's start; the last one is final when the analysis ends. */
  onMessage(message: RelayMessage): void;
}

export interface Subscription {
  readonly analysisId: string;
  /** Resolves once attached (or once the final message was delivered); rejects for unknown analyses. */
  readonly ready: Promise<void>;
  /** Idempotent; also valid while `ready` is pending (the subscriber is then never attached). */
  unsubscribe(): void;
}

/** What the WebSocket layer needs from a relay (tests may substitute their own). */
export interface RelaySource {
  subscribe(analysisId: string, subscriber: RelaySubscriber, resume?: ResumePoint): Subscription;
}

export class AnalysisNotFoundError extends Error {
  override name = 'AnalysisNotFoundError';
  constructor(readonly analysisId: string) {
    super(`Analysis ${JSON.stringify(analysisId)} was not found`);
  }
}

export class RelayClosedError extends Error {
  override name = 'RelayClosedError';
  constructor() {
    super('The progress relay is shutting down');
  }
}

export interface RelayOptions {
  client: Client;
  /** First and fastest poll interval. */
  pollIntervalMs?: number;
  /** Slowest poll interval while nothing changes. */
  maxPollIntervalMs?: number;
  backoffFactor?: number;
  /** Deadline for one progress query (a workflow no worker has picked up yet never answers). */
  queryTimeoutMs?: number;
  /** Deadline for describe / fetching a finished result. */
  rpcTimeoutMs?: number;
  /** Delay before re-arming the result watcher after a transient error. */
  watchRetryMs?: number;
  /** Channels kept (with their seq numbers and latest message) while nobody subscribes. */
  maxRetainedChannels?: number;
  /** Messages kept per channel for resuming subscribers. */
  historySize?: number;
  log?: Logger;
}

export interface RelayStats {
  /** Progress queries sent to Temporal. */
  queries: number;
  queryErrors: number;
  /** Describe calls (one per channel start). */
  describes: number;
  /** Results fetched or watched to completion. */
  results: number;
  /** Messages the relay emitted (each counted once, however many subscribers). */
  messages: number;
  /** Messages handed to subscribers (a message to 3 subscribers counts 3). */
  deliveries: number;
  /** Channels currently polling. */
  activePollers: number;
  /** Result long-polls in flight (one per polling channel; 0 once every channel stopped). */
  resultWatchers: number;
  /** Channels kept in memory (polling, idle or finished). */
  channels: number;
  /** Subscribers currently attached. */
  subscribers: number;
  /** Resumed subscriptions by outcome. */
  resumedReplay: number;
  resumedLatest: number;
  resumedReset: number;
  /** Time spent in successful progress queries, and the slowest one. */
  queryMsTotal: number;
  queryMsMax: number;
  /** Successful queries per duration bucket (QUERY_BUCKETS_MS, then one for slower). */
  queryBuckets: number[];
}

/** Upper bounds (ms) of the query-duration histogram. */
export const QUERY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500] as const;

type ChannelState = 'idle' | 'starting' | 'running' | 'final';

interface Entry {
  subscriber: RelaySubscriber;
  /** Highest seq delivered; a message is delivered to an entry at most once. */
  lastSeq: number;
  active: boolean;
}

interface Channel {
  analysisId: string;
  /** Identifies this channel's numbering: seq values are comparable only within one epoch. */
  epoch: string;
  state: ChannelState;
  seq: number;
  /** The last `historySize` messages, oldest first. */
  history: RelayMessage[];
  version: number | undefined;
  latest: RelayMessage | undefined;
  /** False after a restart until the first poll confirms `latest` is still current. */
  latestFresh: boolean;
  subscribers: Set<Entry>;
  /** Subscriptions waiting for the channel to start. */
  pending: number;
  starting: Promise<void> | undefined;
  /** Bumped on every start/stop; async work from an older generation is discarded. */
  generation: number;
  interval: number;
  timer: NodeJS.Timeout | undefined;
  watch: AbortController | undefined;
  /** The progress query in flight, cancelled when the channel stops (so none outlives the relay). */
  query?: AbortController;
}

export class ProgressRelay implements RelaySource {
  private readonly client: Client;
  private readonly pollIntervalMs: number;
  private readonly maxPollIntervalMs: number;
  private readonly backoffFactor: number;
  private readonly queryTimeoutMs: number;
  private readonly rpcTimeoutMs: number;
  private readonly watchRetryMs: number;
  private readonly maxRetainedChannels: number;
  private readonly historySize: number;
  private readonly log: Logger;
  private readonly channels = new Map<string, Channel>();
  /** Distinguishes this relay's epochs from another process's. */
  private readonly id = randomBytes(4).toString('hex');
  private incarnations = 0;
  private closed = false;
  private resultWatchers = 0;
  private readonly counters = {
    queries: 0,
    queryErrors: 0,
    describes: 0,
    results: 0,
    messages: 0,
    deliveries: 0,
    resumedReplay: 0,
    resumedLatest: 0,
    resumedReset: 0,
    queryMsTotal: 0,
    queryMsMax: 0,
  };
  /** Successful query durations, per QUERY_BUCKETS_MS bucket (the last one: slower than all). */
  private readonly queryBuckets: number[] = new Array<number>(QUERY_BUCKETS_MS.length + 1).fill(0);

  constructor(options: RelayOptions) {
    this.client = options.client;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    // 800 ms: a change is relayed within a second even on an analysis that has been quiet for a while
    // (bench/gateway-fanout.ts), at 1.25 queries/s per idle running analysis.
    this.maxPollIntervalMs = Math.max(this.pollIntervalMs, options.maxPollIntervalMs ?? 800);
    this.backoffFactor = options.backoffFactor ?? 1.5;
    this.queryTimeoutMs = options.queryTimeoutMs ?? 5000;
    this.rpcTimeoutMs = options.rpcTimeoutMs ?? 10_000;
    this.watchRetryMs = options.watchRetryMs ?? 1000;
    this.maxRetainedChannels = options.maxRetainedChannels ?? 500;
    this.historySize = Math.max(1, options.historySize ?? 32);
    this.log = options.log ?? (() => {});
  }

  subscribe(analysisId: string, subscriber: RelaySubscriber, resume?: ResumePoint): Subscription {
    const entry: Entry = { subscriber, lastSeq: 0, active: true };
    let channel: Channel | undefined;
    const ready = (async () => {
      // Callbacks never run before subscribe() has returned, even for a finished analysis in memory.
      await Promise.resolve();
      if (this.closed) throw new RelayClosedError();
      if (tenantOfAnalysisId(analysisId) === undefined) throw new AnalysisNotFoundError(analysisId);
      channel = this.channelFor(analysisId);
      await this.attach(channel, entry, resume);
    })();
    // Callers that only care about messages need not observe `ready`.
    ready.catch(() => {});
    return {
      analysisId,
      ready,
      unsubscribe: () => {
        if (!entry.active) return;
        entry.active = false;
        if (channel) {
          channel.subscribers.delete(entry);
          this.stopIfUnwatched(channel);
        }
      },
    };
  }

  stats(): RelayStats {
    let activePollers = 0;
    let subscribers = 0;
    for (const channel of this.channels.values()) {
      if (channel.state === 'running') activePollers++;
      subscribers += channel.subscribers.size;
    }
    return {
      ...this.counters,
      queryBuckets: [...this.queryBuckets],
      activePollers,
      resultWatchers: this.resultWatchers,
      channels: this.channels.size,
      subscribers,
    };
  }

  /** The latest message of an analysis, if this relay has one (no Temporal call). */
  latest(analysisId: string): RelayMessage | undefined {
    return this.channels.get(analysisId)?.latest;
  }

  /** Stop every poller and watcher and detach every subscriber. Idempotent. */
  close(): void {
    this.closed = true;
    for (const channel of this.channels.values()) {
      this.stop(channel);
      for (const entry of channel.subscribers) entry.active = false;
      channel.subscribers.clear();
    }
    this.channels.clear();
  }

  // --- channel lifecycle -------------------------------------------------------------------------

  private channelFor(analysisId: string): Channel {
    let channel = this.channels.get(analysisId);
    if (channel) {
      // Refresh its LRU position.
      this.channels.delete(analysisId);
    } else {
      channel = {
        analysisId,
        epoch: `${this.id}-${(++this.incarnations).toString(36)}`,
        state: 'idle',
        seq: 0,
        history: [],
        version: undefined,
        latest: undefined,
        latestFresh: false,
        subscribers: new Set(),
        pending: 0,
        starting: undefined,
        generation: 0,
        interval: this.pollIntervalMs,
        timer: undefined,
        watch: undefined,
      };
    }
    this.channels.set(analysisId, channel);
    this.evict();
    return channel;
  }

  private evict(): void {
    if (this.channels.size <= this.maxRetainedChannels) return;
    for (const [id, channel] of this.channels) {
      if (this.channels.size <= this.maxRetainedChannels) break;
      const unused = channel.subscribers.size === 0 && channel.pending === 0;
      if (unused && (channel.state === 'idle' || channel.state === 'final')) this.channels.delete(id);
    }
  }

  private async attach(channel: Channel, entry: Entry, resume: ResumePoint | undefined): Promise<void> {
    channel.pending++;
    try {
      if (channel.state === 'idle') this.start(channel);
      if (channel.state === 'starting') await channel.starting;
    } finally {
      channel.pending--;
    }
    if (this.closed) throw new RelayClosedError();
    if (!entry.active) {
      this.stopIfUnwatched(channel);
      return;
    }
    if (channel.state !== 'final' && channel.state !== 'running') {
      // Stopped while we waited (only by close()); report it as a relay shutdown.
      throw new RelayClosedError();
    }
    const mode = this.resumeMode(channel, resume);
    if (mode === 'replay') this.counters.resumedReplay++;
    else if (mode === 'latest') this.counters.resumedLatest++;
    else if (mode === 'reset') this.counters.resumedReset++;
    if (resume && (mode === 'replay' || mode === 'latest')) entry.lastSeq = resume.afterSeq;
    const info: SubscribedInfo = { epoch: channel.epoch, seq: channel.seq, resume: mode };

    if (channel.state === 'final') {
      entry.subscriber.onSubscribed?.(info);
      const latest = channel.latest;
      if (latest) {
        // A subscription always ends with its final message, even for a client that had it already.
        entry.lastSeq = Math.min(entry.lastSeq, latest.seq - 1);
        if (mode === 'replay') for (const message of channel.history) this.deliver(entry, message);
        else this.deliver(entry, latest);
      }
      entry.active = false;
      return;
    }
    channel.subscribers.add(entry);
    entry.subscriber.onSubscribed?.(info);
    if (mode === 'replay') {
      // Real history, delivered even if the channel has not re-confirmed its latest state yet.
      for (const message of channel.history) this.deliver(entry, message);
    } else if (channel.latest && (mode === 'latest' || channel.latestFresh)) {
      this.deliver(entry, channel.latest);
    }
  }

  private resumeMode(channel: Channel, resume: ResumePoint | undefined): ResumeMode {
    if (!resume) return 'none';
    if (resume.epoch !== channel.epoch || resume.afterSeq > channel.seq || resume.afterSeq < 0) return 'reset';
    if (resume.afterSeq === channel.seq) return 'replay';
    const oldest = channel.history[0]?.seq;
    return oldest !== undefined && oldest <= resume.afterSeq + 1 ? 'replay' : 'latest';
  }

  private start(channel: Channel): void {
    channel.state = 'starting';
    const generation = ++channel.generation;
    channel.starting = this.open(channel, generation).catch((err: unknown) => {
      if (channel.generation === generation) channel.state = 'idle';
      // Do not keep channels for IDs that turned out not to exist.
      if (err instanceof AnalysisNotFoundError && channel.seq === 0 && this.channels.get(channel.analysisId) === channel) {
        this.channels.delete(channel.analysisId);
      }
      throw err;
    });
  }

  private async open(channel: Channel, generation: number): Promise<void> {
    const handle = this.client.workflow.getHandle(channel.analysisId);
    this.counters.describes++;
    let description;
    try {
      description = await this.client.withDeadline(Date.now() + this.rpcTimeoutMs, () => handle.describe());
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new AnalysisNotFoundError(channel.analysisId);
      throw err;
    }
    if (description.type !== 'analysis') throw new AnalysisNotFoundError(channel.analysisId);
    if (generation !== channel.generation) throw new RelayClosedError();
    if (description.status.name === 'RUNNING') {
      channel.state = 'running';
      channel.latestFresh = false;
      channel.interval = this.pollIntervalMs;
      this.watchResult(channel, handle, generation);
      void this.poll(channel, handle, generation);
      return;
    }
    // Already closed: the result (or failure) is read once and becomes the final message.
    this.counters.results++;
    const final: FinalBody = await this.client
      .withDeadline(Date.now() + this.rpcTimeoutMs, () => handle.result())
      .then(
        (report: AnalysisReport) => ({ type: 'report' as const, report }),
        (err: unknown) => {
          const failed = failureBody(err);
          if (!failed) throw err;
          return failed;
        },
      );
    if (generation !== channel.generation) throw new RelayClosedError();
    this.finish(channel, final);
  }

  /** Stop polling and watching; keeps seq/latest so a later start continues the numbering. */
  private stop(channel: Channel): void {
    channel.generation++;
    if (channel.timer) clearTimeout(channel.timer);
    channel.timer = undefined;
    channel.watch?.abort();
    channel.watch = undefined;
    channel.query?.abort();
    channel.query = undefined;
    if (channel.state === 'running' || channel.state === 'starting') channel.state = 'idle';
  }

  private stopIfUnwatched(channel: Channel): void {
    if (channel.state === 'running' && channel.subscribers.size === 0 && channel.pending === 0) this.stop(channel);
  }

  // --- polling and watching ----------------------------------------------------------------------

  private async poll(channel: Channel, handle: WorkflowHandle, generation: number): Promise<void> {
    channel.timer = undefined;
    if (generation !== channel.generation) return;
    if (channel.subscribers.size === 0 && channel.pending === 0) {
      this.stop(channel);
      return;
    }
    this.counters.queries++;
    const started = Date.now();
    let progress: AnalysisProgress;
    const query = new AbortController();
    channel.query = query;
    try {
      progress = await this.client.withAbortSignal(query.signal, () =>
        this.client.withDeadline(started + this.queryTimeoutMs, () => handle.query(progressQuery)),
      );
      if (!progress || typeof progress.version !== 'number') throw new Error('the progress query returned no version');
    } catch {
      if (generation !== channel.generation || query.signal.aborted) return;
      this.counters.queryErrors++;
      channel.interval = Math.min(this.maxPollIntervalMs, channel.interval * this.backoffFactor);
      this.schedule(channel, handle, generation, started);
      return;
    } finally {
      if (channel.query === query) channel.query = undefined;
    }
    this.recordQueryTime(Date.now() - started);
    if (generation !== channel.generation) return;
    if (progress.version !== channel.version) {
      channel.version = progress.version;
      channel.interval = this.pollIntervalMs;
      // A final state is set as the workflow returns: its result follows as the report (or failure) message,
      // which supersedes this progress. Relaying both would make their order a race between this query and
      // the result watcher; subscribers get one final message.
      if (!FINAL_ANALYSIS_STATES.has(progress.state)) this.emit(channel, { type: 'progress', progress });
    } else {
      if (!channel.latestFresh && channel.latest) {
        // First poll after a restart confirmed the retained message: hand it to those who lack it.
        channel.latestFresh = true;
        const latest = channel.latest;
        for (const entry of channel.subscribers) this.deliver(entry, latest);
      }
      channel.interval = Math.min(this.maxPollIntervalMs, channel.interval * this.backoffFactor);
    }
    this.schedule(channel, handle, generation, started);
  }

  /**
   * Polls run at a fixed rate (the interval counts from the previous query's start, not its end), so a
   * slow query does not add its own duration to the detection delay; at least 50 ms pass between queries.
   */
  private schedule(channel: Channel, handle: WorkflowHandle, generation: number, lastStarted: number): void {
    if (generation !== channel.generation) return;
    const delay = Math.max(50, channel.interval - (Date.now() - lastStarted));
    channel.timer = setTimeout(() => void this.poll(channel, handle, generation), delay);
  }

  private recordQueryTime(ms: number): void {
    this.counters.queryMsTotal += ms;
    this.counters.queryMsMax = Math.max(this.counters.queryMsMax, ms);
    const bucket = QUERY_BUCKETS_MS.findIndex((le) => ms <= le);
    this.queryBuckets[bucket === -1 ? QUERY_BUCKETS_MS.length : bucket]!++;
  }

  /** Long-poll the result while the channel runs; completion ends the channel at once. */
  private watchResult(channel: Channel, handle: WorkflowHandle, generation: number): void {
    const abort = new AbortController();
    channel.watch = abort;
    this.resultWatchers++;
    const watching = this.client.withAbortSignal(abort.signal, () => handle.result()).finally(() => this.resultWatchers--);
    watching.then(
      (report: AnalysisReport) => {
        if (generation !== channel.generation) return;
        this.counters.results++;
        this.finish(channel, { type: 'report', report });
      },
      (err: unknown) => {
        if (generation !== channel.generation || abort.signal.aborted) return;
        const failed = failureBody(err);
        if (failed) {
          this.counters.results++;
          this.finish(channel, failed);
          return;
        }
        // Transient (e.g. Temporal briefly unreachable): watch again shortly.
        this.log({ level: 'warn', msg: 'relay: watching the result failed; retrying', analysisId: channel.analysisId, error: describeFailure(err) });
        const retry = setTimeout(() => {
          if (generation === channel.generation && channel.watch === abort) this.watchResult(channel, handle, generation);
        }, this.watchRetryMs);
        retry.unref();
      },
    );
  }

  private finish(channel: Channel, body: FinalBody): void {
    this.stop(channel);
    channel.state = 'final';
    this.emit(channel, body);
    for (const entry of channel.subscribers) entry.active = false;
    channel.subscribers.clear();
  }

  // --- messages ----------------------------------------------------------------------------------

  private emit(channel: Channel, body: MessageBody): void {
    channel.seq++;
    const message: RelayMessage = { ...body, analysisId: channel.analysisId, seq: channel.seq };
    channel.latest = message;
    channel.latestFresh = true;
    channel.history.push(message);
    if (channel.history.length > this.historySize) channel.history.shift();
    this.counters.messages++;
    for (const entry of channel.subscribers) this.deliver(entry, message);
  }

  private deliver(entry: Entry, message: RelayMessage): void {
    if (!entry.active || entry.lastSeq >= message.seq) return;
    entry.lastSeq = message.seq;
    this.counters.deliveries++;
    try {
      entry.subscriber.onMessage(message);
    } catch (err) {
      this.log({ level: 'error', msg: 'relay: a subscriber threw', analysisId: message.analysisId, error: describeFailure(err) });
    }
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type MessageBody = DistributiveOmit<RelayMessage, 'analysisId' | 'seq'>;
type FinalBody = Exclude<MessageBody, { type: 'progress' }>;

/** The final message for a workflow that closed without a result, or undefined if `err` is not that. */
function failureBody(err: unknown): Extract<FinalBody, { type: 'failed' }> | undefined {
  if (!(err instanceof WorkflowFailedError)) return undefined;
  const cause = err.cause;
  const status: FailedStatus =
    cause instanceof CancelledFailure
      ? 'CANCELLED'
      : cause instanceof TerminatedFailure
        ? 'TERMINATED'
        : cause instanceof TimeoutFailure
          ? 'TIMED_OUT'
          : 'FAILED';
  return { type: 'failed', status, failure: describeFailure(err) };
}
