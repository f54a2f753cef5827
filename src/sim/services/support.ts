/**
 * AWS Support's Trusted Advisor operations (awsJson1_1, X-Amz-Target AWSSupport_20130415.<Operation>)
 * over a scenario's Trusted Advisor results (trusted-advisor.ts):
 *
 * - DescribeTrustedAdvisorChecks {language}: every check with id, name, description, category and
 *   its metadata column names.
 * - DescribeTrustedAdvisorCheckResult {checkId, language}: the calling account's result — status,
 *   resourcesSummary, categorySpecificSummary.costOptimizing and flaggedResources, whose positional
 *   metadata follows the check's columns.
 * - DescribeTrustedAdvisorCheckSummaries {checkIds}: the same without the resources.
 *
 * As on AWS, the API needs a Business, Enterprise On-Ramp or Enterprise support plan: an account on
 * Basic or Developer support gets SubscriptionRequiredException. The account is the one the request's
 * credentials act as (identity.ts).
 */
import type { IncomingMessage } from 'node:http';
import { AwsError, validationError } from '../errors';
import { accountForRequest } from '../identity';
import type { TrustedAdvisorCheckResult } from '../model';
import type { JsonObject, JsonServiceDefinition } from '../protocols/json';
import { sumCostsByKey, type Scenario } from '../scenario';
import { TRUSTED_ADVISOR_CHECKS, TRUSTED_ADVISOR_CHECK_IDS } from '../trusted-advisor';
import { addDays } from '../dates';
import { readList, readString } from './ce-input';

export const SUPPORT_TARGET_PREFIX = 'AWSSupport_20130415';
const LANGUAGES = ['en', 'ja', 'fr', 'zh', 'ko', 'es', 'de', 'it', 'pt', 'id', 'zh_TW'];

export class SupportSimulator {
  private readonly results = new Map<string, TrustedAdvisorCheckResult>();
  private readonly monthlySpend = new Map<string, number>();

  constructor(readonly scenario: Scenario) {
    for (const result of scenario.trustedAdvisor) this.results.set(`${result.account}/${result.checkId}`, result);
  }

  private caller(request: IncomingMessage | undefined): string {
    const account = accountForRequest(request, this.scenario);
    const plan = this.scenario.supportPlans[account] ?? 'basic';
    if (plan !== 'business' && plan !== 'enterprise') {
      throw new AwsError(
        'SubscriptionRequiredException',
        'AWS Premium Support Subscription is required to use this service.',
        400,
      );
    }
    return account;
  }

  private language(input: JsonObject, required: boolean): void {
    const language = readString(input['language'], 'language');
    if (language === undefined) {
      if (required)
        throw validationError(
          `1 validation error detected: Value null at 'language' failed to satisfy constraint: Member must not be null`,
        );
      return;
    }
    if (!LANGUAGES.includes(language))
      throw new AwsError(
        'InvalidParameterValueException',
        `Language ${language} is not supported. Supported languages: ${LANGUAGES.join(', ')}.`,
        400,
      );
  }

  private result(account: string, checkId: string): TrustedAdvisorCheckResult {
    const check = TRUSTED_ADVISOR_CHECK_IDS.get(checkId);
    if (!check) throw new AwsError('InvalidParameterValueException', `The checkId ${checkId} is not valid.`, 400);
    return (
      this.results.get(`${account}/${checkId}`) ?? {
        checkId,
        name: check.name,
        category: check.category,
        metadataColumns: check.metadata,
        status: 'not_available',
        resourcesProcessed: 0,
        flaggedResources: [],
        estimatedMonthlySavings: 0,
        account,
        timestamp: `${this.scenario.anchorDate}T06:00:00Z`,
      }
    );
  }

  /** The account's spend over the last 30 days: the base of estimatedPercentMonthlySavings. */
  private spend(account: string): number {
    let value = this.monthlySpend.get(account);
    if (value === undefined) {
      const totals = sumCostsByKey(this.scenario, (k) => k.account, {
        account,
        start: addDays(this.scenario.anchorDate, -30),
        end: this.scenario.anchorDate,
      });
      value = Number(totals.get(account) ?? '0');
      this.monthlySpend.set(account, value);
    }
    return value;
  }

  private summary(result: TrustedAdvisorCheckResult): Record<string, unknown> {
    const flagged = result.flaggedResources.filter((r) => !r.isSuppressed).length;
    const suppressed = result.flaggedResources.length - flagged;
    const spend = this.spend(result.account);
    return {
      checkId: result.checkId,
      timestamp: result.timestamp,
      status: result.status,
      resourcesSummary: {
        resourcesProcessed: result.resourcesProcessed,
        resourcesFlagged: flagged,
        resourcesIgnored: 0,
        resourcesSuppressed: suppressed,
      },
      categorySpecificSummary:
        result.category === 'cost_optimizing'
          ? {
              costOptimizing: {
                estimatedMonthlySavings: result.estimatedMonthlySavings,
                estimatedPercentMonthlySavings:
                  spend > 0 ? Math.round((result.estimatedMonthlySavings / spend) * 10000) / 100 : 0,
              },
            }
          : {},
    };
  }

  describeChecks(input: JsonObject, request: IncomingMessage | undefined): unknown {
    this.language(input, true);
    this.caller(request);
    return {
      checks: TRUSTED_ADVISOR_CHECKS.map((c) => ({
        id: c.id,
        name: c.name,
        description: c.description,
        category: c.category,
        metadata: c.metadata,
      })),
    };
  }

  describeCheckResult(input: JsonObject, request: IncomingMessage | undefined): unknown {
    const checkId = readString(input['checkId'], 'checkId');
    if (checkId === undefined)
      throw validationError(
        `1 validation error detected: Value null at 'checkId' failed to satisfy constraint: Member must not be null`,
      );
    this.language(input, false);
    const result = this.result(this.caller(request), checkId);
    return {
      result: {
        ...this.summary(result),
        flaggedResources: result.flaggedResources.map((r) => ({
          status: r.status,
          region: r.region,
          resourceId: r.resourceId,
          isSuppressed: r.isSuppressed,
          metadata: r.metadata,
        })),
      },
    };
  }

  describeCheckSummaries(input: JsonObject, request: IncomingMessage | undefined): unknown {
    const ids = readList(input['checkIds'], 'checkIds');
    if (ids === undefined)
      throw validationError(
        `1 validation error detected: Value null at 'checkIds' failed to satisfy constraint: Member must not be null`,
      );
    const account = this.caller(request);
    return {
      summaries: ids.map((id, i) => {
        const checkId = readString(id, `checkIds.${i + 1}`) ?? '';
        const result = this.result(account, checkId);
        return { ...this.summary(result), hasFlaggedResources: result.flaggedResources.length > 0 };
      }),
    };
  }
}

export function supportService(simulator: SupportSimulator): JsonServiceDefinition {
  return {
    targetPrefix: SUPPORT_TARGET_PREFIX,
    signingName: 'support',
    title: 'AWS Support',
    jsonVersion: '1.1',
    operations: {
      DescribeTrustedAdvisorChecks: (input, context) => simulator.describeChecks(input, context.request),
      DescribeTrustedAdvisorCheckResult: (input, context) => simulator.describeCheckResult(input, context.request),
      DescribeTrustedAdvisorCheckSummaries: (input, context) => simulator.describeCheckSummaries(input, context.request),
    },
  };
}
