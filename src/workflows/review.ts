/**
 * The weekly review: runs an analysis of the scope as a child, compares it with the previous review of
 * the same scope (an activity reads and writes the report store, keyed by tenant, scope and date), and
 * delivers the review to the tenant's destinations. A destination that fails is reported in the result;
 * it never fails the review. Started by a Temporal Schedule (src/client/schedules.ts) or by hand.
 */
import {
  ApplicationFailure,
  executeChild,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { Activities } from '../activities';
import { formatUsd } from '../domain/money';
import { noonOf } from '../domain/calendar';
import { addDays } from '../domain/period';
import { validateAnalysisRequest } from '../domain/request';
import { localDate, SCOPE_PATTERN, snapshotOf, type ReviewHeadline } from '../domain/review';
import type { DeliveryResult } from '../activities/review';
import { analysis } from './analysis';
import { analysisWorkflowId } from './ids';
import { ACCOUNT, KIND, TENANT } from './search-attributes';
import { webUiMarkdown } from '../presentation/web-ui';

/** Set by the server on workflows a schedule starts. */
const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export interface ReviewInput {
  tenant: string;
  /** The account group reviewed ("all" for the tenant's whole estate). */
  scope: string;
  accounts: string[];
  regions?: string[];
  agents?: string[];
  /** Days covered, ending the day before the review date (default 7). */
  periodDays?: number;
  /** The review date (YYYY-MM-DD); default: the date of the scheduled time (or of now) in `timezone`. Tests set it. */
  asOf?: string;
  /** The schedule's IANA time zone, which decides what "today" is (default UTC). */
  timezone?: string;
}

export interface ReviewResult {
  reviewKey: string;
  analysisId: string;
  headline: ReviewHeadline;
  deliveries: DeliveryResult[];
}

const { storeReview, reviewDestinations } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

const { deliverReview } = proxyActivities<Activities>({
  // Longer than one request's own timeout (10 s), so a hung receiver is cut off by the activity first.
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

export async function weeklyReview(input: ReviewInput): Promise<ReviewResult> {
  if (!SCOPE_PATTERN.test(input.scope ?? '')) {
    throw ApplicationFailure.nonRetryable(`Invalid review scope ${JSON.stringify(input.scope)}`, 'InvalidRequest');
  }
  const started = new Date();
  // A scheduled run (a backfill included) reviews the week before its scheduled time, not before "now".
  const scheduledAt = workflowInfo().typedSearchAttributes.get(SCHEDULED_START);
  const date = input.asOf ?? localDate(scheduledAt ?? started, input.timezone ?? 'UTC');
  const days = input.periodDays ?? 7;
  const validation = validateAnalysisRequest(
    {
      tenant: input.tenant,
      accounts: input.accounts,
      ...(input.regions ? { regions: input.regions } : {}),
      ...(input.agents ? { agents: input.agents } : {}),
      period: { start: addDays(date, -days), end: date },
      asOf: date,
      requestedBy: `weekly review ${input.tenant}/${input.scope}`,
    },
    // A review date set by the caller was theirs to check; a scheduled one is checked against workflow time.
    input.asOf ? noonOf(date) : started,
  );
  if (!validation.ok) {
    throw ApplicationFailure.nonRetryable(`Invalid review: ${validation.errors.join('; ')}`, 'InvalidRequest');
  }
  const request = validation.request;
  if (workflowInfo().typedSearchAttributes.get(KIND) === undefined) {
    upsertSearchAttributes([
      { key: TENANT, value: request.tenant },
      { key: ACCOUNT, value: request.accounts },
      { key: KIND, value: 'review' },
    ]);
  }

  const analysisId = analysisWorkflowId(request.tenant, started, `r${uuid4().replace(/-/g, '').slice(0, 6)}`);
  setCurrentDetails(webUiMarkdown(`**Running analysis** \`${analysisId}\` of ${request.period.start} to ${request.period.end}`));
  const report = await executeChild(analysis, {
    workflowId: analysisId,
    args: [request],
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    staticSummary: `Weekly review analysis for ${request.tenant}/${input.scope}: ${request.period.start} to ${request.period.end}`,
    staticDetails: `Started by review \`${workflowInfo().workflowId}\`. Accounts: ${request.accounts.join(', ')}.`,
    typedSearchAttributes: [
      { key: TENANT, value: request.tenant },
      { key: ACCOUNT, value: request.accounts },
      { key: KIND, value: 'analysis' },
    ],
  });

  setCurrentDetails(webUiMarkdown(`**Comparing** with the previous review of ${request.tenant}/${input.scope}`));
  const headline = await storeReview({
    tenant: request.tenant,
    scope: input.scope,
    date,
    reviewId: workflowInfo().workflowId,
    snapshot: snapshotOf(report, date),
  });

  const destinations = await reviewDestinations(request.tenant);
  setCurrentDetails(webUiMarkdown(`**Delivering** to ${destinations.length} destination(s)`));
  const deliveries = await Promise.all(
    destinations.map((d) =>
      deliverReview({ headline, destination: d.id }).catch(
        (err: unknown): DeliveryResult => ({
          destination: d.id,
          type: d.type,
          outcome: 'failed',
          idempotencyKey: `${headline.reviewKey}#${d.id}`,
          detail: err instanceof Error ? err.message : String(err),
        }),
      ),
    ),
  );
  const failed = deliveries.filter((d) => d.outcome === 'failed').length;
  setCurrentDetails(webUiMarkdown(
    [
      `**Review ${date}**: spend ${formatUsd(headline.total, headline.unit)}` +
        (headline.change !== undefined ? `, change ${formatUsd(headline.change, headline.unit)}` : ', first review'),
      `Findings: ${headline.newFindings} new, ${headline.resolvedFindings} resolved, ${headline.stillOpenFindings} still open`,
      `Delivered: ${deliveries.length - failed} of ${deliveries.length}` + (failed ? ` (${failed} failed)` : ''),
    ].join('\n\n'),
  ));
  return { reviewKey: headline.reviewKey, analysisId, headline, deliveries };
}
