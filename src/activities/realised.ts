/**
 * Realised savings of the findings marked done that analyses no longer find: each resource's daily cost over the last days of
 * Cost Explorer's resource-level data (GetCostAndUsageWithResources covers 14 days), grouped by
 * RESOURCE_ID, then measured by domain/realised.ts. One request per 100 resources (and per page), each
 * billable at $0.01 like every Cost Explorer request; the report says how many.
 */
import { GetCostAndUsageWithResourcesCommand } from '@aws-sdk/client-cost-explorer';
import { RESOURCE_DATA_DAYS } from '../domain/calendar';
import { canonicalResourceId } from '../domain/checks/identity';
import { realisedTotals, type DoneFinding, type FindingStatesSection } from '../domain/finding-states';
import { addDays } from '../domain/period';
import { measureRealised, type DailyCost } from '../domain/realised';
import { COST_METRIC } from '../domain/spend';
import type { AwsClientFactory } from './aws-clients';

const IDS_PER_REQUEST = 100;

/** The window of complete days the measurement reads: the 13 days before `asOf` (today is not final). */
export function realisedWindow(asOf: string): { start: string; end: string } {
  return { start: addDays(asOf, -(RESOURCE_DATA_DAYS - 1)), end: asOf };
}

/**
 * The RESOURCE_ID values Cost Explorer may file a resource under: its id as found, the canonical id, and
 * the ARN for the kinds Cost Explorer names by ARN (EBS snapshots, RDS instances).
 */
export function costExplorerIdsOf(d: Pick<DoneFinding, 'resourceId' | 'check' | 'account' | 'region'>): string[] {
  const id = canonicalResourceId(d.resourceId);
  return [
    d.resourceId,
    id,
    ...(id.startsWith('snap-') ? [`arn:aws:ec2:${d.region}:${d.account}:snapshot/${id}`] : []),
    ...(d.check.startsWith('rds-') || d.check.startsWith('ta-rds-') ? [`arn:aws:rds:${d.region}:${d.account}:db:${id}`] : []),
  ];
}

/** The done findings with their realised savings, and the Cost Explorer requests it took. */
export async function measureDoneFindings(
  clients: AwsClientFactory,
  section: FindingStatesSection,
  asOf: string,
): Promise<{ section: FindingStatesSection; requests: number }> {
  // A finding still found is not fixed (our check says so): nothing is claimed for it.
  const gone = section.done.filter((d) => !d.stillPresent);
  if (gone.length === 0) return { section, requests: 0 };
  const window = realisedWindow(asOf);
  const ids = [...new Set(gone.flatMap(costExplorerIdsOf))];
  const accounts = [...new Set(gone.map((d) => d.account))];
  const daily = new Map<string, Map<string, number>>();
  const dates = new Set<string>();
  let requests = 0;
  for (let i = 0; i < ids.length; i += IDS_PER_REQUEST) {
    let token: string | undefined;
    do {
      const page = await clients.costExplorer().send(
        new GetCostAndUsageWithResourcesCommand({
          TimePeriod: { Start: window.start, End: window.end },
          Granularity: 'DAILY',
          Metrics: [COST_METRIC],
          Filter: {
            And: [
              { Dimensions: { Key: 'LINKED_ACCOUNT', Values: accounts } },
              { Dimensions: { Key: 'RESOURCE_ID', Values: ids.slice(i, i + IDS_PER_REQUEST) } },
            ],
          },
          GroupBy: [{ Type: 'DIMENSION', Key: 'RESOURCE_ID' }],
          ...(token ? { NextPageToken: token } : {}),
        }),
      );
      requests++;
      for (const result of page.ResultsByTime ?? []) {
        const date = result.TimePeriod?.Start;
        if (!date) continue;
        dates.add(date);
        for (const group of result.Groups ?? []) {
          const id = canonicalResourceId(group.Keys?.[0] ?? '');
          const amount = Number(group.Metrics?.[COST_METRIC]?.Amount ?? '0');
          const days = daily.get(id) ?? new Map<string, number>();
          days.set(date, (days.get(date) ?? 0) + amount);
          daily.set(id, days);
        }
      }
      token = page.NextPageToken;
    } while (token);
  }
  // Every day of the window, zero where the resource had no cost line (absent that day).
  const allDates = [...dates].sort();
  const done: DoneFinding[] = section.done.map((d) => {
    if (d.stillPresent) return d;
    const days = daily.get(canonicalResourceId(d.resourceId));
    const series: DailyCost[] = allDates.map((date) => ({ date, amount: String(days?.get(date) ?? 0) }));
    const realised = measureRealised(series, d.estimatedMonthlySavings);
    return realised ? { ...d, realised } : d;
  });
  return { section: { ...section, done, ...realisedTotals(done) }, requests };
}
