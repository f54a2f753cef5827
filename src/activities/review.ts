/**
 * Weekly review activities: compare with the previous review of the scope and keep the review in the
 * store (idempotently, by tenant, scope and date), and deliver it to the tenant's destinations
 * (Slack incoming webhook, signed generic webhook) at most once per review and destination.
 *
 * Destinations are configured per tenant in the worker's environment (FINOPS_REVIEW_DESTINATIONS, JSON,
 * or FINOPS_REVIEW_DESTINATIONS_FILE); their URLs and secrets never enter workflow history: the workflow
 * asks for destination IDs only.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, ENV } from '../config';
import { formatUsd } from '../domain/money';
import type { SectionLine } from '../presentation/lines';
import {
  carryFirstSeen,
  compareSnapshots,
  deliveryKey,
  headlineOf,
  reviewIndexKey,
  reviewKey,
  type ReviewDocument,
  type ReviewHeadline,
  type ReviewSnapshot,
} from '../domain/review';
import type { ArtefactStore } from './store';

export interface Destination {
  id: string;
  type: 'slack' | 'webhook';
  url: string;
  /** HMAC-SHA256 key of a signed webhook (or `secretEnv`: the variable that holds it). */
  secret?: string;
  secretEnv?: string;
}

/** tenant -> destinations. */
export type DestinationConfig = Record<string, Destination[]>;

export function destinationsFromEnv(env: NodeJS.ProcessEnv = process.env): DestinationConfig {
  const file = env[ENV.reviewDestinationsFile];
  const raw = file ? readFileSync(file, 'utf8') : env[ENV.reviewDestinations];
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(`${file ? ENV.reviewDestinationsFile : ENV.reviewDestinations}: not JSON (${(err as Error).message})`);
  }
  return parseDestinations(parsed);
}

export function parseDestinations(value: unknown): DestinationConfig {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError('review destinations: expected {"<tenant>": [...]}');
  const out: DestinationConfig = {};
  for (const [tenant, list] of Object.entries(value as Record<string, unknown>)) {
    if (!Array.isArray(list)) throw new ConfigError(`review destinations of ${tenant}: expected a list`);
    out[tenant] = list.map((d: Partial<Destination>, i) => {
      if (!d || typeof d.id !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(d.id)) {
        throw new ConfigError(`review destinations of ${tenant}[${i}]: id must be lower-case letters, digits and dashes`);
      }
      if (d.type !== 'slack' && d.type !== 'webhook') throw new ConfigError(`review destination ${tenant}/${d.id}: type must be slack or webhook`);
      if (typeof d.url !== 'string' || !/^https?:\/\//.test(d.url)) throw new ConfigError(`review destination ${tenant}/${d.id}: url must be http(s)`);
      if (d.type === 'webhook' && !d.secret && !d.secretEnv) throw new ConfigError(`review destination ${tenant}/${d.id}: a signed webhook needs secret or secretEnv`);
      return { id: d.id, type: d.type, url: d.url, ...(d.secret ? { secret: d.secret } : {}), ...(d.secretEnv ? { secretEnv: d.secretEnv } : {}) };
    });
  }
  return out;
}

export interface StoreReviewInput {
  tenant: string;
  scope: string;
  date: string;
  reviewId: string;
  /** The analysis, as the review keeps it (the workflow makes it from the report: far smaller than the report). */
  snapshot: ReviewSnapshot;
}

interface ReviewIndex {
  dates: string[];
}

/** A delivery record: `sending` before the POST, `sent` after. */
interface DeliveryRecord {
  idempotencyKey: string;
  state: 'sending' | 'sent' | 'failed';
  at: string;
  status?: number;
}

export interface DeliveryResult {
  destination: string;
  type: Destination['type'] | 'unknown';
  outcome: 'sent' | 'already-sent' | 'uncertain' | 'failed';
  idempotencyKey: string;
  detail?: string;
}

export interface ReviewActivityOptions {
  store: ArtefactStore;
  destinations?: DestinationConfig;
  /** Linked from messages: the dashboard (FINOPS_DASHBOARD_URL, default FINOPS_GATEWAY_URL or http://127.0.0.1:8080). */
  dashboardUrl?: string;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Per-request timeout of a delivery (default 10 s). */
  deliveryTimeoutMs?: number;
}

export function createReviewActivities(options: ReviewActivityOptions) {
  const { store } = options;
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  let destinations = options.destinations;
  const config = (): DestinationConfig => (destinations ??= destinationsFromEnv());
  const dashboardUrl =
    options.dashboardUrl ?? process.env[ENV.dashboardUrl] ?? process.env[ENV.gatewayUrl] ?? 'http://127.0.0.1:8080';

  return {
    /**
     * Compare the analysis with the latest earlier review of the scope and store the review. Idempotent:
     * the key is tenant/scope/date, the previous review is "latest before this date", so a retry writes
     * the same document.
     */
    async storeReview(input: StoreReviewInput): Promise<ReviewHeadline> {
      const { tenant, scope, date } = input;
      const index = (await store.getJson<ReviewIndex>(reviewIndexKey(tenant, scope))) ?? { dates: [] };
      const previousDate = index.dates.filter((d) => d < date).sort().at(-1);
      const previous = previousDate ? await store.getJson<ReviewDocument>(reviewKey(tenant, scope, previousDate)) : undefined;
      const snapshot = carryFirstSeen(input.snapshot, previous?.snapshot);
      const doc: ReviewDocument = {
        schemaVersion: 1,
        tenant,
        scope,
        date,
        analysisId: snapshot.analysisId,
        reviewId: input.reviewId,
        snapshot,
        comparison: compareSnapshots(snapshot, previous?.snapshot),
      };
      const key = reviewKey(tenant, scope, date);
      await store.putJson(key, doc);
      if (!index.dates.includes(date)) await store.putJson(reviewIndexKey(tenant, scope), { dates: [...index.dates, date].sort() });
      return headlineOf(doc, key);
    },

    /** The destination IDs of a tenant (no URLs or secrets: these go into history). */
    reviewDestinations(tenant: string): Promise<{ id: string; type: Destination['type'] }[]> {
      return Promise.resolve((config()[tenant] ?? []).map((d) => ({ id: d.id, type: d.type })));
    },

    /**
     * Deliver one review to one destination, once. The record is written before the POST (`sending`)
     * and after it (`sent`): a retry after `sent` does nothing; a retry after a crash between the two
     * (the POST may or may not have arrived) re-sends a signed webhook with the same Idempotency-Key
     * (receivers dedupe on it) but never re-posts to Slack, which cannot dedupe, and reports it as
     * `uncertain`. Failures are returned, never thrown past the last attempt: a destination never fails
     * the review.
     */
    async deliverReview(input: { headline: ReviewHeadline; destination: string }): Promise<DeliveryResult> {
      const { headline } = input;
      const idempotencyKey = `${headline.reviewKey}#${input.destination}`;
      const destination = (config()[headline.tenant] ?? []).find((d) => d.id === input.destination);
      if (!destination) {
        return { destination: input.destination, type: 'unknown', outcome: 'failed', idempotencyKey, detail: 'destination is not configured' };
      }
      const recordKey = deliveryKey(headline.tenant, headline.scope, headline.date, destination.id);
      const record = await store.getJson<DeliveryRecord>(recordKey);
      const base = { destination: destination.id, type: destination.type, idempotencyKey };
      if (record?.state === 'sent') return { ...base, outcome: 'already-sent' };
      if (record?.state === 'sending' && destination.type === 'slack') {
        return { ...base, outcome: 'uncertain', detail: 'a previous attempt was interrupted mid-post; not re-posted to Slack' };
      }
      await store.putJson(recordKey, { idempotencyKey, state: 'sending', at: now().toISOString() } satisfies DeliveryRecord);

      const body = JSON.stringify(destination.type === 'slack' ? slackMessage(headline, dashboardUrl) : webhookBody(headline, dashboardUrl));
      const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': idempotencyKey };
      if (destination.type === 'webhook') {
        const secret = destination.secret ?? (destination.secretEnv ? process.env[destination.secretEnv] : undefined);
        if (!secret) return { ...base, outcome: 'failed', detail: 'the webhook secret is not set' };
        const timestamp = String(Math.floor(now().getTime() / 1000));
        headers['x-finops-timestamp'] = timestamp;
        headers['x-finops-signature'] = `t=${timestamp},v1=${signWebhook(secret, timestamp, body)}`;
      }
      let status: number;
      try {
        const response = await doFetch(destination.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(options.deliveryTimeoutMs ?? 10_000),
        });
        status = response.status;
        await response.arrayBuffer().catch(() => undefined);
      } catch (err) {
        // Refused or unresolvable: nothing was sent. Otherwise (reset, timeout) the POST may have arrived,
        // and the `sending` mark stays, so Slack is not posted again.
        const code = (err as { cause?: { code?: string } }).cause?.code;
        const notSent = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
        const detail = `request failed: ${code ?? (err as Error).message}`;
        return retryOrReport(base, detail, recordKey, false, notSent);
      }
      if (status >= 200 && status < 300) {
        await store.putJson(recordKey, { idempotencyKey, state: 'sent', at: now().toISOString(), status } satisfies DeliveryRecord);
        return { ...base, outcome: 'sent' };
      }
      // 4xx other than 408/429 will not get better by retrying.
      const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
      return retryOrReport(base, `HTTP ${status}`, recordKey, permanent);
    },
  };

  /** Throw to retry while attempts remain; on the last attempt (or a permanent error) report the failure. */
  async function retryOrReport(
    base: Omit<DeliveryResult, 'outcome'>,
    detail: string,
    recordKey: string,
    permanent = false,
    notSent = true,
  ): Promise<DeliveryResult> {
    // The POST did not succeed: clear the in-flight mark so a retry may post (Slack included).
    if (notSent) await store.putJson(recordKey, { idempotencyKey: base.idempotencyKey, state: 'failed', at: now().toISOString() });
    const info = activityInfoOrUndefined();
    const lastAttempt = permanent || !info || (info.maxAttempts !== undefined && info.attempt >= info.maxAttempts);
    if (!lastAttempt) throw ApplicationFailure.retryable(`delivery to ${base.destination} failed: ${detail}`, 'DeliveryFailed');
    return { ...base, outcome: 'failed', detail };
  }
}

function activityInfoOrUndefined(): { attempt: number; maxAttempts?: number } | undefined {
  try {
    const info = Context.current().info;
    const max = info.retryPolicy?.maximumAttempts;
    return { attempt: info.attempt, ...(max ? { maxAttempts: max } : {}) };
  } catch {
    return undefined;
  }
}

/** hex HMAC-SHA256 of `${timestamp}.${body}`. Receivers recompute it and compare in constant time. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

function reviewLink(dashboardUrl: string, h: ReviewHeadline): string {
  return `${dashboardUrl.replace(/\/$/, '')}/#/analyses/${encodeURIComponent(h.analysisId)}`;
}

function changeText(h: ReviewHeadline): string {
  if (h.change === undefined) return 'first review of this scope';
  const sign = h.change.startsWith('-') ? '' : '+';
  const pct = h.changePct === null || h.changePct === undefined ? '' : ` (${sign}${h.changePct}%)`;
  return `${sign}${formatUsd(h.change, h.unit)}${pct} vs previous review`;
}

/** A Slack Block Kit message: headline figures, top actions, a link to the dashboard. */
export function slackMessage(h: ReviewHeadline, dashboardUrl: string) {
  const title = `Weekly cost review: ${h.tenant} / ${h.scope} (${h.date})`;
  const actions = h.topActions.length
    ? h.topActions.map((a, i) => `${i + 1}. ${escapeSlack(a.title)}: ${formatUsd(a.monthlySavings)}/month${a.openDays ? `, open ${a.openDays} days` : ', new'}`).join('\n')
    : 'No open findings.';
  return {
    text: `${title}: spend ${formatUsd(h.total, h.unit)}, ${changeText(h)}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Spend ${h.period.start} to ${h.period.end}*\n${formatUsd(h.total, h.unit)}` },
          { type: 'mrkdwn', text: `*Change*\n${changeText(h)}` },
          { type: 'mrkdwn', text: `*Open savings*\n${formatUsd(h.openMonthlySavings)}/month` },
          {
            type: 'mrkdwn',
            text: `*Findings*\n${h.newFindings} new, ${h.resolvedFindings} resolved, ${h.stillOpenFindings} still open${
              h.dismissedFindings !== undefined ? `, ${h.dismissedFindings} dismissed, ${h.doneFindings ?? 0} done` : ''
            }`,
          },
          ...(h.forecast
            ? [
                {
                  type: 'mrkdwn',
                  text:
                    `*Forecast ${h.forecast.month}*\n${formatUsd(h.forecast.projected, h.unit)}` +
                    (h.forecast.budgetsAtRisk.length
                      ? `; ${h.forecast.budgetsAtRisk.map((b) => `${escapeSlack(b.name)} ${b.status === 'over' ? 'over' : 'at risk'}`).join(', ')}`
                      : ''),
                },
              ]
            : []),
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: `*Top actions*\n${actions}` } },
      ...(h.dismissed?.length || h.done?.length ? [{ type: 'section', text: { type: 'mrkdwn', text: statesText(h) } }] : []),
      ...(h.sections?.length ? [{ type: 'section', text: { type: 'mrkdwn', text: sectionsText(h.sections) } }] : []),
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the report' }, url: reviewLink(dashboardUrl, h) }],
      },
    ],
  };
}

/** What people decided: dismissed (with why) and done (still present, or the saving realised). */
function statesText(h: ReviewHeadline): string {
  const lines = [
    ...(h.dismissed ?? []).map(
      (d) => `• Dismissed: ${escapeSlack(d.title)} (${formatUsd(d.monthlySavings)}/month): ${escapeSlack(d.reason)}${d.snoozeUntil ? `, until ${d.snoozeUntil}` : ''}`,
    ),
    ...(h.done ?? []).map(
      (d) =>
        `• Done: ${escapeSlack(d.title)}: ${
          d.stillPresent
            ? 'marked done, still present'
            : d.realisedMonthlySavings !== undefined
              ? `${formatUsd(d.realisedMonthlySavings)}/month realised of ${formatUsd(d.monthlySavings)} estimated`
              : `resolved (${formatUsd(d.monthlySavings)}/month estimated)`
        }`,
    ),
  ];
  const text = `*Dismissed and done*\n${lines.join('\n')}`;
  return text.length > 2900 ? `${text.slice(0, 2899)}…` : text;
}

/** The report's sections, one line each, as the dashboard words them; within Slack's 3,000 characters a block. */
function sectionsText(sections: readonly SectionLine[]): string {
  const text = `*The report*\n${sections.map((l) => `• *${escapeSlack(l.title)}*: ${escapeSlack(l.text)}`).join('\n')}`;
  return text.length > 2900 ? `${text.slice(0, 2899)}…` : text;
}

/** Account data is text: keep Slack's control characters out of it. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function webhookBody(h: ReviewHeadline, dashboardUrl: string) {
  return { type: 'finops.weekly-review', review: h, dashboardUrl: reviewLink(dashboardUrl, h) };
}

export type ReviewActivities = ReturnType<typeof createReviewActivities>;
