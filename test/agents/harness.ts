/**
 * The storage, tagging and forecasting activities against the sample account, without Temporal: the
 * simulator on a free port, real AWS SDK clients, and an in-memory findings store.
 */
import { createActivities } from '../../src/activities';
import { AwsClientFactory } from '../../src/activities/aws-clients';
import type { ArtefactStore } from '../../src/activities/store';
import { generateScenario, type Scenario } from '../../src/sim/scenario';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';

export const ANCHOR = '2026-11-21';

export class MemoryStore implements ArtefactStore {
  readonly data = new Map<string, string>();
  putJson(key: string, value: unknown): Promise<void> {
    this.data.set(key, JSON.stringify(value));
    return Promise.resolve();
  }
  getJson<T>(key: string): Promise<T | undefined> {
    const text = this.data.get(key);
    return Promise.resolve(text === undefined ? undefined : (JSON.parse(text) as T));
  }
}

export interface AgentHarness {
  sim: RunningSimulator;
  scenario: Scenario;
  store: MemoryStore;
  activities: ReturnType<typeof createActivities>;
  close(): Promise<void>;
}

export async function startHarness(
  options: { seed?: number; size?: 'small' | 'medium' | 'large'; scenario?: Scenario } = {},
): Promise<AgentHarness> {
  const scenario =
    options.scenario ?? generateScenario({ seed: options.seed ?? 42, anchorDate: ANCHOR, size: options.size ?? 'small' });
  const sim = await startSimulator({ port: 0, scenario });
  const store = new MemoryStore();
  const roleName = scenario.accounts.find((a) => a.roleName)?.roleName;
  const clients = new AwsClientFactory({
    endpoint: sim.url,
    credentials: { accessKeyId: 'sample', secretAccessKey: 'sample' },
    maxAttempts: 2,
    // Member accounts are read through their role, as in an organisation.
    ...(roleName ? { memberRoleName: roleName } : {}),
    externalIds: Object.fromEntries(scenario.accounts.flatMap((a) => (a.externalId ? [[a.id, a.externalId]] : []))),
  });
  const activities = createActivities(clients, undefined, { store, now: () => new Date(`${ANCHOR}T12:00:00Z`) });
  return {
    sim,
    scenario,
    store,
    activities,
    async close() {
      clients.destroy();
      await sim.close();
    },
  };
}
