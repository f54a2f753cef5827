/**
 * The commitments a scenario holds (model.ts `commitments`, none by default), as the inventory APIs list
 * them: EC2 DescribeReservedInstances (ec2Query), RDS DescribeReservedDBInstances (awsQuery) and Savings
 * Plans DescribeSavingsPlans (restJson1, POST /DescribeSavingsPlans; served through the JSON protocol
 * under the target prefix below, see server.ts). All three are free on AWS; the agents read them to decide
 * whether Cost Explorer's billed coverage and utilisation reports are worth asking for.
 *
 * State, relative to the scenario's anchor date: `payment-pending` before the start, `active` until the end,
 * `retired` after.
 */
import type { ScenarioResources, SimReservation, SimSavingsPlan } from '../model';
import type { JsonObject, JsonServiceDefinition } from '../protocols/json';
import type { QueryCallContext, QueryInput } from '../protocols/query';
import { xmlList, xmlTimestamp, type XmlNode } from '../protocols/xml';
import { optionalList, type AccountResolver } from './json-input';

/** The JSON protocol's name for the Savings Plans service (restJson1 on the wire: see server.ts). */
export const SAVINGS_PLANS_TARGET_PREFIX = 'AWSSavingsPlan';
/** Savings Plans' restJson1 operations: path → operation. */
export const SAVINGS_PLANS_PATHS: Readonly<Record<string, string>> = { '/DescribeSavingsPlans': 'DescribeSavingsPlans' };

type CommitmentState = 'active' | 'retired' | 'payment-pending';

export function commitmentState(term: { start: string; end: string }, anchorDate: string): CommitmentState {
  const now = Date.parse(`${anchorDate}T00:00:00Z`);
  if (now < Date.parse(term.start)) return 'payment-pending';
  return now < Date.parse(term.end) ? 'active' : 'retired';
}

const durationSeconds = (term: { start: string; end: string }): number =>
  Math.round((Date.parse(term.end) - Date.parse(term.start)) / 1000);

function reservationsOf(
  resources: ScenarioResources,
  service: SimReservation['service'],
  ctx: QueryCallContext,
): SimReservation[] {
  return (resources.commitments?.reservations ?? []).filter(
    (r) => r.service === service && r.account === ctx.account && r.region === ctx.region,
  );
}

/** ec2:DescribeReservedInstances; the `state` filter is the one the agents use. */
export function describeReservedInstances(resources: ScenarioResources) {
  return (input: QueryInput, ctx: QueryCallContext): XmlNode => {
    const states = input
      .members('Filter')
      .filter((f) => f.string('Name') === 'state')
      .flatMap((f) => f.list('Value'));
    const found = reservationsOf(resources, 'EC2', ctx)
      .map((r) => ({ r, state: commitmentState(r, resources.anchorDate) }))
      .filter(({ state }) => states.length === 0 || states.includes(state));
    return {
      reservedInstancesSet: xmlList(found, 'item', ({ r, state }) => ({
        reservedInstancesId: r.id,
        instanceType: r.instanceType,
        start: xmlTimestamp(r.start),
        end: xmlTimestamp(r.end),
        duration: durationSeconds(r),
        instanceCount: r.count,
        productDescription: 'Linux/UNIX',
        state,
        instanceTenancy: 'default',
        currencyCode: 'USD',
        offeringType: 'No Upfront',
        offeringClass: 'standard',
        scope: 'Region',
      })),
    };
  };
}

/** rds:DescribeReservedDBInstances (one page: a scenario holds few). */
export function describeReservedDBInstances(resources: ScenarioResources) {
  return (_input: QueryInput, ctx: QueryCallContext): XmlNode => ({
    ReservedDBInstances: xmlList(reservationsOf(resources, 'RDS', ctx), 'ReservedDBInstance', (r) => ({
      ReservedDBInstanceId: r.id,
      DBInstanceClass: r.instanceType,
      ...(r.engine ? { ProductDescription: r.engine } : {}),
      StartTime: xmlTimestamp(r.start),
      Duration: durationSeconds(r),
      DBInstanceCount: r.count,
      State: commitmentState(r, resources.anchorDate),
      MultiAZ: false,
      CurrencyCode: 'USD',
      OfferingType: 'No Upfront',
    })),
  });
}

function savingsPlanJson(plan: SimSavingsPlan, state: CommitmentState): JsonObject {
  return {
    savingsPlanId: plan.id,
    savingsPlanArn: `arn:aws:savingsplans::${plan.account}:savingsplan/${plan.id}`,
    start: plan.start,
    end: plan.end,
    state,
    savingsPlanType: 'Compute',
    paymentOption: 'No Upfront',
    currency: 'USD',
    commitment: plan.commitmentPerHour,
    termDurationInSeconds: durationSeconds(plan),
  };
}

/** savingsplans:DescribeSavingsPlans: the plans the calling account owns, by state. */
export function savingsPlansService(resources: ScenarioResources, accountFor: AccountResolver): JsonServiceDefinition {
  return {
    targetPrefix: SAVINGS_PLANS_TARGET_PREFIX,
    signingName: 'savingsplans',
    title: 'Savings Plans',
    jsonVersion: '1.1',
    operations: {
      DescribeSavingsPlans: (input, context) => {
        const states = (optionalList(input['states'], 'states') ?? []).map(String);
        const caller = accountFor(context.request);
        const plans = (resources.commitments?.savingsPlans ?? [])
          .filter((p) => p.account === caller)
          .map((p) => ({ p, state: commitmentState(p, resources.anchorDate) }))
          .filter(({ state }) => states.length === 0 || states.includes(state));
        return { savingsPlans: plans.map(({ p, state }) => savingsPlanJson(p, state)) };
      },
    },
  };
}
