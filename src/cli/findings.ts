/**
 * `finops findings`: set what you decided about a finding, and list the states kept for your tenant.
 *
 *   finops findings dismiss ID --reason TEXT [--snooze-until DATE]
 *   finops findings accept|done|reopen ID
 *   finops findings states
 *   (each with [--analysis ID] [--tenant NAME] [--expected-version N])
 *
 * ID is the finding's id as the report shows it ("ec2-idle/123456789012/us-east-1/i-0abc"). Who made the
 * change is your credential (the gateway records it), never an option.
 */
import type { FindingStateName, FindingStateRecord } from '../domain/finding-states';
import { date } from '../presentation/format';
import { CliError, type Gateway } from './client';
import { safe } from './render';

export interface FindingsOptions {
  reason?: string;
  snoozeUntil?: string;
  analysis?: string;
  tenant?: string;
  expectedVersion?: string;
  json: boolean;
}

const VERBS: Record<string, FindingStateName> = { dismiss: 'dismissed', accept: 'accepted', done: 'done', reopen: 'open' };

export async function findingsCommand(gateway: Gateway, positionals: string[], options: FindingsOptions, out: (text: string) => void): Promise<number> {
  const [, sub, id, ...rest] = positionals;
  if (rest.length) throw new CliError(`unexpected arguments: ${rest.join(' ')}`, 2);
  if (sub === 'states' || sub === 'list') {
    if (id) throw new CliError(`unexpected argument: ${id}`, 2);
    const tenant = options.tenant ?? (await developmentTenant(gateway));
    const query = tenant ? `?tenant=${encodeURIComponent(tenant)}` : '';
    const listed = await gateway.json<{ tenant: string; states: FindingStateRecord[] }>(`/api/finding-states${query}`);
    if (options.json) out(`${JSON.stringify(listed, null, 2)}\n`);
    else out(statesText(listed.tenant, listed.states));
    return 0;
  }
  const state = sub ? VERBS[sub] : undefined;
  if (!state) throw new CliError(`findings needs one of ${[...Object.keys(VERBS), 'states'].join(', ')}`, 2);
  if (!id) throw new CliError(`"findings ${sub}" needs a finding id (from the report's findings)`, 2);
  if (state !== 'dismissed' && options.snoozeUntil !== undefined) {
    throw new CliError('--snooze-until goes with dismiss', 2);
  }
  const tenant = options.tenant ?? (options.analysis ? undefined : await developmentTenant(gateway));
  const version = options.expectedVersion === undefined ? undefined : Number(options.expectedVersion);
  if (version !== undefined && (!Number.isInteger(version) || version < 0)) throw new CliError('--expected-version must be a whole number', 2);
  const body = {
    findingId: id,
    state,
    ...(options.reason !== undefined ? { reason: options.reason } : {}),
    ...(options.snoozeUntil !== undefined ? { snoozeUntil: options.snoozeUntil } : {}),
    ...(options.analysis ? { analysisId: options.analysis } : {}),
    ...(tenant ? { tenant } : {}),
    ...(version !== undefined ? { expectedVersion: version } : {}),
  };
  const changed = await gateway.json<{ state: FindingStateRecord }>('/api/finding-states', { method: 'POST', body });
  if (options.json) out(`${JSON.stringify(changed, null, 2)}\n`);
  else out(`${recordLine(changed.state)}\n`);
  return 0;
}

/** Without auth (development) the gateway acts for every tenant: default to "demo", as `analyze` does. */
async function developmentTenant(gateway: Gateway): Promise<string | undefined> {
  const me = await gateway.json<{ tenants: 'all' | string[] }>('/api/me');
  return me.tenants === 'all' ? 'demo' : undefined;
}

function recordLine(r: FindingStateRecord): string {
  const what = r.state === 'dismissed' ? `dismissed (${safe(r.reason ?? '')}${r.snoozeUntil ? `; snoozed until ${date(r.snoozeUntil)}` : ''})` : r.state;
  return `${safe(r.findingId)}: ${what}, by ${safe(r.by)} on ${date(r.at.slice(0, 10))} (version ${r.version})`;
}

function statesText(tenant: string, states: readonly FindingStateRecord[]): string {
  if (states.length === 0) return `No finding states for ${tenant}.\n`;
  return `Finding states for ${tenant}:\n${states.map((s) => `  ${recordLine(s)}`).join('\n')}\n`;
}
