/**
 * The sample AWS account as a local HTTP server. One port serves every simulated AWS service,
 * routed by wire protocol (awsJson by X-Amz-Target; ec2Query/awsQuery and REST-XML (S3) by the SigV4
 * signing name, or for unsigned requests by an Action parameter / an S3-shaped path), plus an admin
 * API under /__sim/ (a path AWS never uses):
 *
 *   GET  /__sim/health        {"status":"ok", seed, anchorDate, accounts, regions, operations}
 *   GET  /__sim/stats         requests per operation, e.g. {"ce:GetCostAndUsage": 3}
 *   POST /__sim/stats/reset   zero the counters
 *   GET  /__sim/faults        the fault rules, each with "applied" (requests affected so far)
 *   PUT  /__sim/faults        replace the rules: a JSON array of FaultRule (400 with details if invalid)
 *   DELETE /__sim/faults      remove all rules
 *   GET  /__sim/quotas        request quotas: {enabled, preset, rules, throttled} (quotas.ts)
 *   PUT  /__sim/quotas        replace them: {"preset":"aws"}, {"rules":[...]}, {"enabled":false} (400 if invalid)
 *   DELETE /__sim/quotas      turn quotas off
 *   GET  /__sim/stats/throttled  requests answered with a quota's throttling error, per operation
 *   POST /__sim/fixes         play a resource being fixed: {resourceId, action: stop|delete|resize, from, factor?} (fixes.ts)
 *   GET  /__sim/fixes         the fixes applied so far
 *
 * Requests are not authenticated: any SigV4 signature (or none) is accepted.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CostExplorerSimulator, costExplorerService } from './cost-explorer';
import { AwsError, defaultErrorMessage, unknownOperationError } from './errors';
import { applyFix, FixError, parseFix, type AppliedFix, type ResourceFix } from './fixes';
import { FaultInjector, FaultRuleError, parseFaultRules, type FaultRule, type FaultRuleState } from './faults';
import { BodyTooLargeError, headerValue, newRequestId, readBody, send, sendPlainJson } from './protocols/http';
import type { OperationCall, OperationGate } from './protocols/gate';
import { JsonProtocol, isJsonProtocolRequest, writeJsonError } from './protocols/json';
import type { Scenario } from './scenario';
import type { ScenarioResources } from './model';
import { QueryProtocol } from './protocols/query';
import { RestXmlProtocol } from './protocols/rest-xml';
import { signingScope } from './protocols/sigv4';
import { ec2Service } from './services/ec2';
import { rdsService } from './services/rds';
import { resourcesFromScenario } from './services/resource-listing';
import { s3Service } from './services/s3';
import { accountForAccessKey, stsService } from './services/sts';
import {
  QuotaEnforcer,
  QuotaSettingsError,
  isUnfilteredUnpaginated,
  parseQuotaSettings,
  type QuotaSettings,
  type QuotaState,
} from './quotas';
import { CloudWatchSimulator, cloudWatchQueryService, cloudWatchService } from './services/cloudwatch';
import { TaggingSimulator, taggingService } from './services/tagging';
import { SupportSimulator, supportService } from './services/support';
import { pricingService } from './services/pricing';
import { budgetsService, type SimBudget } from './services/budgets';
import { organizationsService, type SimOrganization } from './services/organizations';
import { withStorageLens } from './services/storage-lens';
import { configService } from './services/config';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  scenario: Scenario;
  /** Groups per Cost Explorer GetCostAndUsage page. */
  costExplorerPageSize?: number;
  /** What EC2, RDS, STS and S3 serve; default: the scenario's own resources (none if it has no resource lists). */
  resources?: ScenarioResources;
  /** Request quotas like AWS's; off by default. 'aws' (or {preset: 'aws'}) for AWS's limits; see quotas.ts. */
  quotas?: QuotaSettings | 'aws';
  /** Clock of the request quotas, in milliseconds (tests inject one). Default Date.now. */
  clock?: () => number;
  /** CloudWatch's simulated "now", epoch seconds. Default: see CloudWatchOptions.now (services/cloudwatch.ts). */
  metricsNow?: () => number;
  /** AWS Budgets' budgets: derived from the cost history by default (services/budgets.ts), or these, or none. */
  budgets?: SimBudget[] | 'none';
  /** AWS Organizations' view of the accounts: derived from the scenario by default (services/organizations.ts). */
  organization?: SimOrganization;
}

export interface RunningSimulator {
  /** e.g. http://127.0.0.1:4599 — pass as the AWS SDK client's `endpoint`. */
  url: string;
  port: number;
  host: string;
  scenario: Scenario;
  /**
   * Requests per operation since start or the last reset, e.g. {"ce:GetCostAndUsage": 3}. Every
   * request naming a served operation counts, including those answered with a validation or an
   * injected error (each page of a paginated query is one request, as AWS bills it).
   */
  stats(): Record<string, number>;
  resetStats(): void;
  /** Replace the fault rules (validated; throws FaultRuleError). An empty list removes all faults. */
  setFaults(rules: FaultRule[]): void;
  faults(): FaultRuleState[];
  /** Replace the request quotas (validated; throws QuotaSettingsError): 'aws', 'off' or settings. */
  setQuotas(settings: QuotaSettings | 'aws' | 'off'): void;
  quotas(): QuotaState;
  /**
   * Requests answered with a quota's throttling error, per operation, since start or the last reset
   * (they count in stats() too: a throttled request is a request).
   */
  throttled(): Record<string, number>;
  /** Play a resource being fixed (stopped, deleted, resized) from a day on: see fixes.ts. Throws FixError. */
  applyFix(fix: ResourceFix): AppliedFix;
  close(): Promise<void>;
}

const ADMIN_PREFIX = '/__sim';

class RequestStats {
  private counts = new Map<string, number>();

  increment(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  reset(): void {
    this.counts.clear();
  }
}

/** Pending injected delays, so close() can end them instead of waiting. */
class Delays {
  private pending = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.pending.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.pending.add(entry);
    });
  }

  cancelAll(): void {
    for (const entry of this.pending) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.pending.clear();
  }
}

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const scenario = options.scenario;
  const host = options.host ?? '127.0.0.1';
  const stats = new RequestStats();
  const injector = new FaultInjector(scenario.seed);
  const delays = new Delays();
  const account = scenario.accounts[0]?.id ?? '000000000000';
  let closing = false;
  const quotas = new QuotaEnforcer(options.clock ?? Date.now);
  if (options.quotas !== undefined) quotas.configure(parseQuotaSettings(options.quotas));

  const gate: OperationGate = {
    count: (signingName, operation) => stats.increment(`${signingName}:${operation}`),
    applyFaults: async (call: OperationCall) => {
      // Quotas first: AWS throttles at its front door, before the service does any work.
      const region = (call.request && signingScope(call.request)?.region) ?? 'us-east-1';
      const throttle = quotas.check({
        service: call.signingName,
        operation: call.operation,
        account: call.request ? accountFor(call.request) : account,
        region,
        unfilteredUnpaginated: isUnfilteredUnpaginated(call.input),
      });
      if (throttle) throw throttle;
      const decision = injector.decide({ ...call, region });
      if (decision.latencyMs > 0) await delays.wait(decision.latencyMs);
      if (closing) throw new AwsError('ServiceUnavailable', 'The sample account is shutting down.', 503);
      const error = decision.error;
      if (error) {
        const message =
          error.message ??
          defaultErrorMessage(error.code, {
            account,
            signingName: call.signingName,
            operation: call.operation,
            region: 'us-east-1',
          });
        throw new AwsError(error.code, message, error.httpStatus ?? call.statusFor(error.code), { injected: true });
      }
    },
  };

  const resources = options.resources ?? resourcesFromScenario(scenario);
  // The account a request acts as: an STS-issued key's account (see services/sts.ts), else the first.
  const accountFor = (req: IncomingMessage): string => accountForAccessKey(resources, signingScope(req)?.accessKeyId);
  /** The services over the scenario; built again after a fix (fixes.ts) changes the account. */
  const buildServices = () => {
    const costExplorer = new CostExplorerSimulator(
      scenario,
      options.costExplorerPageSize === undefined ? {} : { pageSize: options.costExplorerPageSize },
    );
    const cloudWatch = new CloudWatchSimulator(resources, {
      accountFor: (req) => (req ? accountFor(req) : account),
      ...(options.metricsNow ? { now: options.metricsNow } : {}),
    });
    const tagging = new TaggingSimulator(resources, { accountFor: (req) => (req ? accountFor(req) : account) });
    const json = new JsonProtocol(
      [
        costExplorerService(costExplorer),
        withStorageLens(cloudWatchService(cloudWatch), resources, {
          accountFor: (req) => (req ? accountFor(req) : account),
          now: () => cloudWatch.currentTime(),
        }),
        taggingService(tagging),
        supportService(new SupportSimulator(scenario)),
        pricingService(scenario),
        budgetsService(scenario, (req) => (req ? accountFor(req) : account), options.budgets),
        configService(resources, (req) => (req ? accountFor(req) : account)),
        organizationsService(scenario, (req) => (req ? accountFor(req) : account), options.organization),
      ],
      gate,
    );
    const query = new QueryProtocol(
      [ec2Service(resources), rdsService(resources), stsService(resources), cloudWatchQueryService(cloudWatch)],
      gate,
      { accountFor },
    );
    const restXml = new RestXmlProtocol(s3Service(resources), gate, { accountFor });
    return { json, query, restXml };
  };
  let services = buildServices();
  const fixes: AppliedFix[] = [];
  const applyResourceFix = (value: unknown): AppliedFix => {
    const applied = applyFix(scenario, resources, parseFix(value, scenario));
    fixes.push(applied);
    services = buildServices();
    return applied;
  };
  // Deduplicated: a service may be served over two protocols (CloudWatch: JSON and query).
  const operationKeys = [...new Set([...services.json.operationKeys(), ...services.query.operationKeys(), ...services.restXml.operationKeys()])];

  const setFaults = (rules: unknown): FaultRule[] => {
    const parsed = parseFaultRules(rules, operationKeys);
    injector.set(parsed);
    return parsed;
  };

  const handleAdmin = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const route = `${req.method ?? 'GET'} ${path}`;
    switch (route) {
      case 'GET /__sim/health':
        return sendPlainJson(res, 200, {
          status: 'ok',
          seed: scenario.seed,
          anchorDate: scenario.anchorDate,
          historyStart: scenario.historyStart,
          accounts: scenario.accounts,
          regions: scenario.regions,
          operations: operationKeys,
        });
      case 'GET /__sim/stats':
        return sendPlainJson(res, 200, stats.snapshot());
      case 'POST /__sim/stats/reset':
        stats.reset();
        quotas.resetThrottled();
        return sendPlainJson(res, 200, stats.snapshot());
      case 'GET /__sim/stats/throttled':
        return sendPlainJson(res, 200, quotas.throttled());
      case 'GET /__sim/quotas':
        return sendPlainJson(res, 200, quotas.state());
      case 'DELETE /__sim/quotas':
        quotas.configure({ enabled: false });
        return sendPlainJson(res, 200, quotas.state());
      case 'PUT /__sim/quotas': {
        const text = (await readBody(req)).toString('utf8');
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          return sendPlainJson(res, 400, { error: 'invalid JSON', details: [(error as Error).message] });
        }
        try {
          quotas.configure(parseQuotaSettings(value));
        } catch (error) {
          if (error instanceof QuotaSettingsError)
            return sendPlainJson(res, 400, { error: 'invalid quota settings', details: error.problems });
          throw error;
        }
        return sendPlainJson(res, 200, quotas.state());
      }
      case 'GET /__sim/fixes':
        return sendPlainJson(res, 200, fixes);
      case 'POST /__sim/fixes': {
        let value: unknown;
        try {
          value = JSON.parse((await readBody(req)).toString('utf8') || 'null');
        } catch {
          return sendPlainJson(res, 400, { error: 'the body must be JSON' });
        }
        try {
          return sendPlainJson(res, 200, applyResourceFix(value));
        } catch (error) {
          if (error instanceof FixError) return sendPlainJson(res, 400, { error: 'invalid fix', details: error.problems });
          throw error;
        }
      }
      case 'GET /__sim/faults':
        return sendPlainJson(res, 200, injector.list());
      case 'DELETE /__sim/faults':
        injector.set([]);
        return sendPlainJson(res, 200, []);
      case 'PUT /__sim/faults': {
        const text = (await readBody(req)).toString('utf8');
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          return sendPlainJson(res, 400, { error: 'invalid JSON', details: [(error as Error).message] });
        }
        try {
          setFaults(value);
        } catch (error) {
          if (error instanceof FaultRuleError)
            return sendPlainJson(res, 400, { error: 'invalid fault rules', details: error.problems });
          throw error;
        }
        return sendPlainJson(res, 200, injector.list());
      }
    }
    const known: Record<string, string[]> = {
      '/__sim/health': ['GET'],
      '/__sim/stats': ['GET'],
      '/__sim/stats/reset': ['POST'],
      '/__sim/faults': ['GET', 'PUT', 'DELETE'],
      '/__sim/quotas': ['GET', 'PUT', 'DELETE'],
      '/__sim/stats/throttled': ['GET'],
      '/__sim/fixes': ['GET', 'POST'],
    };
    const allowed = known[path];
    if (allowed)
      return sendPlainJson(
        res,
        405,
        { error: `${req.method} is not allowed on ${path}`, allowed },
        { Allow: allowed.join(', ') },
      );
    return sendPlainJson(res, 404, { error: `no admin endpoint ${path}`, endpoints: Object.keys(known) });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = newRequestId();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    try {
      if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) return await handleAdmin(req, res, path);
      if (isJsonProtocolRequest(req)) {
        const body = await readBody(req);
        return await services.json.handle(req, body, res, requestId);
      }
      const body = await readBody(req);
      const queryRoute = services.query.route(req, body);
      if (queryRoute) return await services.query.handle(req, queryRoute, res, requestId);
      const s3Route = services.restXml.route(req);
      if (s3Route) return await services.restXml.handle(req, s3Route, res, requestId);
      // Not a request the sample account serves: answer as an unknown operation.
      const contentType = headerValue(req, 'content-type') ?? 'none';
      throw unknownOperationError(
        `The sample AWS account could not match ${req.method} ${path} (Content-Type: ${contentType}) to an operation: ` +
          'JSON protocol requests are POST / with X-Amz-Target: <ServicePrefix>.<Operation>.',
      );
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        send(
          res,
          413,
          { 'Content-Type': 'application/json', Connection: 'close' },
          JSON.stringify({ __type: 'RequestEntityTooLargeException', message: error.message }),
        );
        return;
      }
      writeJsonError(res, error, requestId, 'application/x-amz-json-1.1');
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('[sim] request failed:', error);
      if (!res.headersSent)
        send(
          res,
          500,
          { 'Content-Type': 'application/json' },
          JSON.stringify({ __type: 'InternalFailure', message: 'internal error' }),
        );
      else res.destroy();
    });
  });
  server.on('clientError', (_error, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options.port ?? 0, host);
  });

  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    scenario,
    stats: () => stats.snapshot(),
    resetStats: () => {
      stats.reset();
      quotas.resetThrottled();
    },
    setFaults: (rules) => void setFaults(rules),
    faults: () => injector.list(),
    setQuotas: (settings) => quotas.configure(parseQuotaSettings(settings)),
    quotas: () => quotas.state(),
    throttled: () => quotas.throttled(),
    applyFix: (fix) => applyResourceFix(fix),
    close: () => {
      // Idempotent: later calls return the first call's promise.
      closed ??= new Promise<void>((resolve, reject) => {
        closing = true;
        delays.cancelAll();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
