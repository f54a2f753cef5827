/**
 * Who owns what in the generated organisation, and how well it is tagged. Each application belongs
 * to a team (Owner, CostCenter, Project); resources carry Environment / Application / Owner /
 * CostCenter / Project tags — tidy in some accounts, messy in others: missing keys, lower-case keys
 * ("environment"), and synonyms of the same environment (prod, Prod, production, Production).
 */
import type { SeededRandom } from '../random';

export interface App {
  name: string;
  owner: string;
  costCenter: string;
  project: string;
  /** Instance families the app favours. */
  kind: 'web' | 'api' | 'batch' | 'data' | 'ml' | 'internal';
}

const TEAMS: { owner: string; costCenter: string; apps: [string, App['kind']][] }[] = [
  {
    owner: 'web-team',
    costCenter: 'CC-1001',
    apps: [
      ['storefront', 'web'],
      ['checkout', 'web'],
      ['search', 'api'],
    ],
  },
  {
    owner: 'orders-team',
    costCenter: 'CC-1002',
    apps: [
      ['orders', 'api'],
      ['invoicing', 'api'],
      ['fulfilment', 'batch'],
    ],
  },
  {
    owner: 'data-team',
    costCenter: 'CC-2002',
    apps: [
      ['etl', 'batch'],
      ['warehouse', 'data'],
      ['reporting', 'data'],
    ],
  },
  {
    owner: 'ml-team',
    costCenter: 'CC-2003',
    apps: [
      ['recommender', 'ml'],
      ['forecasting', 'ml'],
    ],
  },
  {
    owner: 'platform-team',
    costCenter: 'CC-3003',
    apps: [
      ['ci', 'batch'],
      ['monitoring', 'internal'],
      ['identity', 'api'],
      ['gateway', 'web'],
    ],
  },
  {
    owner: 'mobile-team',
    costCenter: 'CC-1004',
    apps: [
      ['mobile-api', 'api'],
      ['notifications', 'api'],
    ],
  },
  {
    owner: 'payments-team',
    costCenter: 'CC-1005',
    apps: [
      ['payments', 'api'],
      ['fraud', 'ml'],
      ['ledger', 'data'],
    ],
  },
  {
    owner: 'support-team',
    costCenter: 'CC-4001',
    apps: [
      ['helpdesk', 'internal'],
      ['chat', 'web'],
    ],
  },
];

export const APPS: readonly App[] = TEAMS.flatMap((team) =>
  team.apps.map(([name, kind]) => ({
    name,
    kind,
    owner: team.owner,
    costCenter: team.costCenter,
    project: `${name}-${team.costCenter.slice(3)}`,
  })),
);

export type Environment = 'prod' | 'staging' | 'dev' | 'test';

/** How each environment is spelled in a messy account (the first is the standard value). */
export const ENVIRONMENT_SPELLINGS: Readonly<Record<Environment, readonly string[]>> = {
  prod: ['prod', 'Prod', 'production', 'Production'],
  staging: ['staging', 'Staging', 'stage'],
  dev: ['dev', 'Dev', 'development'],
  test: ['test', 'qa', 'QA'],
};

/** Non-production environment values, normalised to lower case (what Multi-AZ-on-non-prod reads). */
export const NON_PRODUCTION_VALUES: ReadonlySet<string> = new Set([
  'staging',
  'stage',
  'dev',
  'development',
  'test',
  'testing',
  'qa',
  'sandbox',
]);

/** The Environment tag of a resource, whatever the key's case ("Environment", "environment", "env"). */
export function environmentOf(tags: Readonly<Record<string, string>>): string | undefined {
  for (const [key, value] of Object.entries(tags)) {
    const k = key.toLowerCase();
    if (k === 'environment' || k === 'env') return value;
  }
  return undefined;
}

export function isNonProduction(tags: Readonly<Record<string, string>>): boolean {
  const env = environmentOf(tags);
  return env !== undefined && NON_PRODUCTION_VALUES.has(env.toLowerCase());
}

/** Tagging discipline of an account: probabilities of each kind of mess. */
export interface Tidiness {
  missingOwner: number;
  missingCostCenter: number;
  missingProject: number;
  synonym: number;
  lowerCaseKey: number;
  untagged: number;
}

export const TIDY: Tidiness = {
  missingOwner: 0,
  missingCostCenter: 0,
  missingProject: 0.05,
  synonym: 0,
  lowerCaseKey: 0,
  untagged: 0,
};
export const MESSY: Tidiness = {
  missingOwner: 0.2,
  missingCostCenter: 0.25,
  missingProject: 0.4,
  synonym: 0.35,
  lowerCaseKey: 0.1,
  untagged: 0.06,
};

export function appTags(
  rng: SeededRandom,
  app: App,
  env: Environment,
  tidiness: Tidiness,
  name?: string,
): Record<string, string> {
  const tags: Record<string, string> = {};
  if (name) tags['Name'] = name;
  if (rng.chance(tidiness.untagged)) return tags;
  const spellings = ENVIRONMENT_SPELLINGS[env];
  const envValue = rng.chance(tidiness.synonym) ? rng.pick(spellings) : (spellings[0] as string);
  tags[rng.chance(tidiness.lowerCaseKey) ? 'environment' : 'Environment'] = envValue;
  tags['Application'] = app.name;
  if (!rng.chance(tidiness.missingOwner)) tags['Owner'] = app.owner;
  if (!rng.chance(tidiness.missingCostCenter)) tags['CostCenter'] = app.costCenter;
  if (!rng.chance(tidiness.missingProject)) tags['Project'] = app.project;
  return tags;
}
