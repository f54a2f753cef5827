/** Shared set-up for the sample-account tests: a fixed scenario, a simulator, a real CE client. */
import Big from 'big.js';
import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandInput,
  type GetCostAndUsageCommandOutput,
} from '@aws-sdk/client-cost-explorer';
import { generateScenario, type Scenario } from '../../src/sim/scenario';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/sim/server';

/** The simulated "today" every sample-account test uses. */
export const ANCHOR = '2025-06-15';

let shared: Scenario | undefined;

export function sampleScenario(): Scenario {
  shared ??= generateScenario({ seed: 42, anchorDate: ANCHOR });
  return shared;
}

export function ceClient(sim: RunningSimulator, extra: { maxAttempts?: number } = {}): CostExplorerClient {
  return new CostExplorerClient({
    region: 'us-east-1',
    endpoint: sim.url,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    ...extra,
  });
}

export async function startTestSimulator(options: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  return startSimulator({ port: 0, scenario: sampleScenario(), ...options });
}

/**
 * Every page of a GetCostAndUsage query. The SDK (3.1138) has no paginateGetCostAndUsage — the
 * operation's model carries no paginator trait — so callers follow NextPageToken themselves.
 */
export async function allPages(
  client: CostExplorerClient,
  input: GetCostAndUsageCommandInput,
): Promise<GetCostAndUsageCommandOutput[]> {
  const pages: GetCostAndUsageCommandOutput[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new GetCostAndUsageCommand({ ...input, ...(token ? { NextPageToken: token } : {}) }));
    pages.push(page);
    token = page.NextPageToken;
  } while (token);
  return pages;
}

/** Sum of a metric over groups, keyed by the joined group keys (pages merged). */
export function sumByGroup(pages: GetCostAndUsageCommandOutput[], metric = 'UnblendedCost'): Map<string, Big> {
  const totals = new Map<string, Big>();
  for (const page of pages) {
    for (const result of page.ResultsByTime ?? []) {
      for (const group of result.Groups ?? []) {
        const key = (group.Keys ?? []).join(' | ');
        const amount = group.Metrics?.[metric]?.Amount ?? '0';
        totals.set(key, (totals.get(key) ?? new Big(0)).plus(amount));
      }
    }
  }
  return totals;
}

/** Sum of a metric over ResultsByTime Totals (ungrouped queries). */
export function sumTotals(pages: GetCostAndUsageCommandOutput[], metric = 'UnblendedCost'): Big {
  let total = new Big(0);
  for (const page of pages)
    for (const result of page.ResultsByTime ?? []) total = total.plus(result.Total?.[metric]?.Amount ?? '0');
  return total;
}

export function cents(value: Big | string): string {
  return new Big(value).round(2, Big.roundHalfEven).toFixed(2);
}
