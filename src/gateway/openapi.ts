/**
 * The OpenAPI 3.1 description of the gateway, served at GET /api/openapi.json. A test checks that every
 * route the gateway registers is documented here and that every documented operation exists.
 */
import { AGENT_KINDS } from '../domain/agents';
import { ALL_CSV_COLUMNS, CSV_TABLES, FINDINGS_CSV_COLUMNS, SPEND_CSV_COLUMNS } from '../domain/report-export';
import { PARENT_ID } from '../domain/organization';
import { DEFAULT_TARGET_CONCURRENCY, MAX_ACCOUNTS, MAX_OUS, MAX_PERIOD_DAYS, MAX_TARGET_CONCURRENCY } from '../domain/request';
import { DEFAULT_PAGE_SIZE, LIST_STATUSES, MAX_PAGE_SIZE } from './listing';
import { DAYS } from '../client/schedules';
import { FINDING_STATES, MAX_REASON_CHARS } from '../domain/finding-states';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const errorResponse = (description: string): Json => ({ description, content: { 'application/json': { schema: ref('Error') } } });
const json = (schema: Json, description: string): Json => ({ description, content: { 'application/json': { schema } } });

const ID_PARAM: Json = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The analysis ID, URL-encoded as one path segment (analysis%2Facme%2F20261121-0930-a1b2c3).',
  schema: { type: 'string', pattern: '^analysis/[a-z0-9][a-z0-9-]{0,62}/[0-9]{8}-[0-9]{4}-[a-z0-9]+$' },
};
const SCHEDULE_ID_PARAM: Json = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The schedule ID, URL-encoded as one path segment (review%2Facme%2Fall).',
  schema: { type: 'string', pattern: '^review/[a-z0-9][a-z0-9-]{0,62}/[a-z0-9][a-z0-9-]{0,62}$' },
};

const COMMON_ERRORS: Json = {
  '401': errorResponse('No credentials, or credentials that are not valid (unauthenticated).'),
  '503': errorResponse('Temporal (temporal_unavailable) or the identity provider (auth_unavailable) cannot be reached.'),
};
const NOT_FOUND = errorResponse("Unknown ID, malformed ID, or another tenant's analysis: all three look the same.");

const SCHEDULE_NOT_FOUND = errorResponse("Unknown ID, malformed ID, or another tenant's schedule: all three look the same.");

const scheduleOp = (summary: string, responses: Json, extra: Json = {}): Json => ({
  tags: ['schedules'],
  summary,
  parameters: [SCHEDULE_ID_PARAM],
  ...extra,
  responses: { ...responses, '404': SCHEDULE_NOT_FOUND, ...COMMON_ERRORS },
});

const SCHEDULE_ACTION_RESULT: Json = {
  type: 'object',
  required: ['scheduleId', 'status'],
  properties: { scheduleId: { type: 'string' }, status: { type: 'string' }, links: ref('Links') },
};
const NOTE_BODY: Json = {
  required: false,
  content: { 'application/json': { schema: { type: 'object', properties: { note: { type: 'string', maxLength: 200 } } } } },
};

export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'FinOps on Temporal gateway',
      version: '1.0.0',
      description:
        'Start, list, read, export and cancel AWS cost analyses (Temporal workflows). Live progress is a WebSocket at /ws; ' +
        'its protocol is described in docs/websocket-protocol.md. Every operation is scoped to the caller’s tenants: ' +
        'another tenant’s analysis is indistinguishable from a missing one. Errors share one shape: ' +
        '{"error": {"code", "message", "details"?}}.',
    },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }, { bearer: [] }],
    tags: [
      { name: 'analyses', description: 'Cost analyses' },
      { name: 'schedules', description: 'Weekly cost reviews on Temporal Schedules, one per tenant and scope (review/<tenant>/<scope>).' },
      { name: 'finding-states', description: 'What people decided about findings (open, dismissed, accepted, done), kept per finding identity and applied by every analysis.' },
      { name: 'meta', description: 'Who am I, what agents exist, this document' },
      { name: 'operations', description: 'Health, readiness and metrics (no credentials)' },
    ],
    paths: {
      '/api/analyses': {
        post: {
          tags: ['analyses'],
          summary: 'Start an analysis',
          description:
            'Validates the request and starts the `analysis` workflow. `tenant` may be omitted by callers who act for exactly one tenant. ' +
            'Watch it with the WebSocket (`links.websocket`) or poll `links.self`. Instead of agents, a `question` in plain language ' +
            '("why did our S3 bill jump last month?") is turned into a plan by the planner (Bedrock when configured, else a ' +
            'deterministic planner for common phrasings); the response carries the plan and says which planner made it.',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { oneOf: [ref('AnalysisRequest'), ref('QuestionRequest')] } } },
          },
          responses: {
            '202': { ...json(ref('StartedAnalysis'), 'Started'), headers: { Location: { schema: { type: 'string' }, description: 'links.self' } } },
            '400': errorResponse('malformed_json or invalid_request (details lists every problem).'),
            '403': errorResponse('forbidden: the caller may not act for that tenant.'),
            '422': errorResponse('cannot_plan: the question could not be turned into an analysis (the message says why).'),
            '413': errorResponse('payload_too_large'),
            '415': errorResponse('unsupported_media_type: the body must be application/json.'),
            ...COMMON_ERRORS,
          },
        },
        get: {
          tags: ['analyses'],
          summary: 'List analyses (newest first, running ones first), from Temporal visibility',
          description:
            'Filtered by the FinopsTenant, FinopsAccount and FinopsKind search attributes plus status and start time. Always limited to the ' +
            'caller’s tenants. Visibility is eventually consistent: an analysis started a moment ago may take a moment to appear.',
          parameters: [
            { name: 'account', in: 'query', schema: { type: 'string', pattern: '^\\d{12}$' }, description: 'Only analyses covering this account.' },
            {
              name: 'status',
              in: 'query',
              schema: { type: 'string' },
              description: `Comma-separated statuses: ${LIST_STATUSES.join(', ')}.`,
            },
            { name: 'startedAfter', in: 'query', schema: { type: 'string' }, description: 'Started at or after (YYYY-MM-DD or ISO 8601 with zone).' },
            { name: 'startedBefore', in: 'query', schema: { type: 'string' }, description: 'Started before (YYYY-MM-DD or ISO 8601 with zone).' },
            { name: 'tenant', in: 'query', schema: { type: 'string' }, description: 'Narrow to one of the caller’s tenants.' },
            { name: 'pageSize', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE } },
            {
              name: 'pageToken',
              in: 'query',
              schema: { type: 'string' },
              description: 'nextPageToken from the previous page; valid only with the same filters and pageSize.',
            },
          ],
          responses: { '200': json(ref('AnalysisList'), 'One page'), '400': errorResponse('invalid_request: bad filter or page token.'), ...COMMON_ERRORS },
        },
      },
      '/api/analyses/{id}': {
        get: {
          tags: ['analyses'],
          summary: 'Read one analysis: status, live progress while running, the report when completed',
          parameters: [ID_PARAM],
          responses: { '200': json(ref('AnalysisView'), 'The analysis'), '404': NOT_FOUND, ...COMMON_ERRORS },
        },
      },
      '/api/analyses/{id}/report': {
        get: {
          tags: ['analyses'],
          summary: 'Download the report as JSON, Markdown or CSV',
          description:
            'Format from `format` or else the Accept header. The CSV holds the findings ranked by savings once the report has findings ' +
            `(columns: ${FINDINGS_CSV_COLUMNS.join(', ')}); before that, spend by service (columns: ${SPEND_CSV_COLUMNS.join(', ')}). ` +
            `\`table\` picks one explicitly, or \`all\`: every section's figures and tables, one row per cell (columns: ${ALL_CSV_COLUMNS.join(', ')}); ` +
            'the X-Finops-Csv-Table response header names the table sent. Text cells that a spreadsheet ' +
            'would evaluate as formulas are prefixed with an apostrophe.',
          parameters: [
            ID_PARAM,
            { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'md', 'csv'] } },
            { name: 'table', in: 'query', schema: { type: 'string', enum: [...CSV_TABLES] }, description: 'CSV only.' },
          ],
          responses: {
            '200': {
              description: 'The report',
              content: {
                'application/json': { schema: ref('Report') },
                'text/markdown': { schema: { type: 'string' } },
                'text/csv': { schema: { type: 'string' } },
              },
            },
            '400': errorResponse('invalid_request: unknown format or table.'),
            '404': NOT_FOUND,
            '406': errorResponse('not_acceptable: the Accept header allows none of the formats.'),
            '409': errorResponse('not_finished: still running (error.status says so).'),
            '410': errorResponse('analysis_failed, analysis_cancelled, analysis_terminated or analysis_timed_out (error.failure says why).'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/api/analyses/{id}/questions': {
        post: {
          tags: ['analyses'],
          summary: 'Ask a follow-up question about a finished analysis, answered from its report',
          description:
            'Answered by Bedrock when configured, from a bounded summary of the report. Every figure the answer states must exist in the ' +
            'report: an answer that states another is retried once, then replaced by a deterministic answer; `source` says which happened.',
          parameters: [ID_PARAM],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { type: 'object', required: ['question'], properties: { question: { type: 'string', minLength: 1, maxLength: 500 } } },
              },
            },
          },
          responses: {
            '200': json(ref('QuestionAnswer'), 'The answer'),
            '400': errorResponse('invalid_request: no question, or too long.'),
            '404': NOT_FOUND,
            '409': errorResponse('not_finished: the analysis is still running.'),
            '410': errorResponse('The analysis failed, was cancelled, terminated or timed out, and has no report.'),
            '415': errorResponse('unsupported_media_type: the body must be application/json.'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/api/analyses/{id}/cancel': {
        post: {
          tags: ['analyses'],
          summary: 'Cancel a running analysis (its agents and their AWS calls are cancelled too)',
          parameters: [ID_PARAM],
          responses: {
            '202': json(
              { type: 'object', required: ['analysisId', 'status'], properties: { analysisId: { type: 'string' }, status: { const: 'cancel_requested' }, links: ref('Links') } },
              'Cancellation requested',
            ),
            '404': NOT_FOUND,
            '409': errorResponse('already_closed: the analysis has finished.'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/api/schedules': {
        get: {
          tags: ['schedules'],
          summary: 'List the weekly-review schedules of the caller’s tenants',
          responses: {
            '200': json({ type: 'object', properties: { schedules: { type: 'array', items: ref('Schedule') } } }, 'The schedules'),
            ...COMMON_ERRORS,
          },
        },
        post: {
          tags: ['schedules'],
          summary: 'Create a weekly-review schedule, or update the one of the same tenant and scope (idempotent)',
          description:
            'Default: Mondays 09:00 UTC, the last 7 days, scope "all", overlap SKIP (never two reviews of one scope at once), ' +
            'catch-up window 1 day. Updating keeps the pause state unless `paused` is given.',
          requestBody: { required: true, content: { 'application/json': { schema: ref('ScheduleRequest') } } },
          responses: {
            '201': json(ref('Schedule'), 'Created'),
            '200': json(ref('Schedule'), 'Updated (it existed)'),
            '400': errorResponse('malformed_json or invalid_request (details lists every problem).'),
            '403': errorResponse('forbidden: the caller may not act for that tenant.'),
            '415': errorResponse('unsupported_media_type: the body must be application/json.'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/api/schedules/{id}': {
        get: scheduleOp('Read a schedule: spec, state, next runs, recent runs', { '200': json(ref('Schedule'), 'The schedule') }),
        delete: scheduleOp('Delete a schedule (reviews already run and stored are kept)', { '204': { description: 'Deleted' } }),
      },
      '/api/schedules/{id}/pause': {
        post: scheduleOp('Pause a schedule', { '200': json(SCHEDULE_ACTION_RESULT, 'Paused') }, { requestBody: NOTE_BODY }),
      },
      '/api/schedules/{id}/unpause': {
        post: scheduleOp('Resume a paused schedule', { '200': json(SCHEDULE_ACTION_RESULT, 'Resumed') }, { requestBody: NOTE_BODY }),
      },
      '/api/schedules/{id}/trigger': {
        post: scheduleOp('Run the review now (skipped if a review of the scope is running)', { '202': json(SCHEDULE_ACTION_RESULT, 'Triggered') }),
      },
      '/api/schedules/{id}/reviews': {
        get: scheduleOp('The reviews kept for this tenant and scope, newest first', {
          '200': json(
            {
              type: 'object',
              properties: {
                scheduleId: { type: 'string' },
                reviews: { type: 'array', items: { type: 'object', properties: { date: { type: 'string', format: 'date' }, links: ref('Links') } } },
              },
            },
            'The reviews',
          ),
        }),
      },
      '/api/schedules/{id}/reviews/{date}': {
        get: {
          ...scheduleOp('One review: the snapshot of its analysis and the comparison with the previous review', {
            '200': json(ref('Review'), 'The review'),
          }),
          parameters: [SCHEDULE_ID_PARAM, { name: 'date', in: 'path', required: true, schema: { type: 'string', format: 'date' } }],
        },
      },
      '/api/schedules/{id}/backfill': {
        post: scheduleOp(
          'Take the runs the schedule would have taken between start and end (each reviews the week before its scheduled time)',
          { '202': json(SCHEDULE_ACTION_RESULT, 'Backfilling'), '400': errorResponse('invalid_request: start and end (YYYY-MM-DD), start before end, at most a year.') },
          {
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: { type: 'object', required: ['start', 'end'], properties: { start: { type: 'string', format: 'date' }, end: { type: 'string', format: 'date' } } },
                },
              },
            },
          },
        ),
      },
      '/api/finding-states': {
        get: {
          tags: ['finding-states'],
          summary: "The finding states kept for the caller's tenant",
          parameters: [{ name: 'tenant', in: 'query', required: false, description: 'Needed when the caller acts for more than one tenant.', schema: { type: 'string' } }],
          responses: {
            '200': json({ type: 'object', required: ['tenant', 'states'], properties: { tenant: { type: 'string' }, states: { type: 'array', items: ref('FindingState') } } }, 'The states'),
            '400': errorResponse('No tenant named while the caller acts for several (invalid_request).'),
            '403': errorResponse('A tenant the caller may not act for (forbidden).'),
            ...COMMON_ERRORS,
          },
        },
        post: {
          tags: ['finding-states'],
          summary: 'Set what you decided about a finding',
          description:
            'Dismiss (with a reason, optionally until a date), accept, mark done or reopen a finding. The state is keyed by the finding\'s ' +
            'identity (tenant, check, account, Region, canonical resource id), so it lasts across analyses and reviews; the next analysis ' +
            'applies it. Who made the change is taken from the credentials and when from the server, never from the body. The finding is ' +
            "looked up in analysisId's report, or the tenant's newest kept report. Give expectedVersion for optimistic concurrency.",
          requestBody: { required: true, content: { 'application/json': { schema: ref('FindingStateChange') } } },
          responses: {
            '200': json({ type: 'object', required: ['state'], properties: { state: ref('FindingState') } }, 'The state as kept'),
            '400': errorResponse('Not valid: unknown state, a dismissal without a reason, a snooze date not after today, by/requestedBy in the body (invalid_request, with details).'),
            '403': errorResponse('A tenant the caller may not act for (forbidden).'),
            '404': errorResponse("No such finding in the tenant's reports (finding_not_found), or an unknown or another tenant's analysisId (not_found)."),
            '409': errorResponse('expectedVersion is not the current version (version_conflict): read the state again and retry.'),
            '415': errorResponse('The body is not JSON (unsupported_media_type).'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/api/me': {
        get: {
          tags: ['meta'],
          summary: 'Who the credentials stand for, and which tenants they may use',
          responses: { '200': json(ref('Caller'), 'The caller'), ...COMMON_ERRORS },
        },
      },
      '/api/agents': {
        get: {
          tags: ['meta'],
          summary: 'The agents an analysis can run',
          responses: {
            '200': json(
              {
                type: 'object',
                properties: {
                  agents: {
                    type: 'array',
                    items: { type: 'object', required: ['agent', 'title'], properties: { agent: { enum: [...AGENT_KINDS] }, title: { type: 'string' } } },
                  },
                },
              },
              'The agents',
            ),
            ...COMMON_ERRORS,
          },
        },
      },
      '/api/openapi.json': {
        get: { tags: ['meta'], summary: 'This document', security: [], responses: { '200': json({ type: 'object' }, 'OpenAPI 3.1') } },
      },
      '/healthz': {
        get: { tags: ['operations'], summary: 'Liveness: the process answers', security: [], responses: { '200': json({ type: 'object' }, 'ok') } },
      },
      '/readyz': {
        get: {
          tags: ['operations'],
          summary: 'Readiness: Temporal answers and the gateway is not shutting down',
          security: [],
          responses: { '200': json({ type: 'object' }, 'ready'), '503': errorResponse('temporal_unavailable or shutting_down') },
        },
      },
      '/metrics': {
        get: {
          tags: ['operations'],
          summary: 'Prometheus metrics: relay queries and messages, WebSocket connections, requests, CPU and memory (no tenant data)',
          security: [],
          responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key (finops_<id>_<secret>).' },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key, or an OIDC JWT (e.g. Amazon Cognito) verified against the issuer’s JWKS; the tenant comes from a configured claim.',
        },
      },
      schemas: {
        FindingStateChange: {
          type: 'object',
          required: ['findingId', 'state'],
          additionalProperties: false,
          properties: {
            findingId: { type: 'string', description: 'The finding id from the report, e.g. ec2-idle/123456789012/us-east-1/i-0abc.' },
            state: { enum: [...FINDING_STATES] },
            reason: { type: 'string', maxLength: MAX_REASON_CHARS, description: 'Required to dismiss.' },
            snoozeUntil: { type: 'string', format: 'date', description: 'Dismissals only: the day the finding counts again; must be after today.' },
            expectedVersion: { type: 'integer', minimum: 0, description: 'The version you last saw (0: no state yet).' },
            analysisId: { type: 'string', description: "Where to look the finding up (default: the tenant's newest kept report)." },
            tenant: { type: 'string' },
          },
        },
        FindingState: {
          type: 'object',
          required: ['tenant', 'key', 'check', 'account', 'region', 'resourceId', 'findingId', 'state', 'by', 'at', 'version', 'history'],
          properties: {
            tenant: { type: 'string' },
            key: { type: 'string', description: 'check/account/region-or-*/canonical resource id' },
            check: { type: 'string' },
            account: { type: 'string' },
            region: { type: 'string' },
            resourceId: { type: 'string' },
            findingId: { type: 'string' },
            title: { type: 'string' },
            monthlySavings: { type: 'string', description: 'The estimate when the state was set, USD a month.' },
            state: { enum: [...FINDING_STATES] },
            reason: { type: 'string' },
            snoozeUntil: { type: 'string', format: 'date' },
            by: { type: 'string', description: 'Who: API-key id or token subject, from the credentials.' },
            at: { type: 'string', format: 'date-time' },
            version: { type: 'integer' },
            history: { type: 'array', items: { type: 'object' }, description: 'The last changes, newest last.' },
          },
        },
        Review: {
          type: 'object',
          description: 'A kept weekly review (src/domain/review.ts): what it kept of its analysis, and the comparison with the previous review.',
          required: ['tenant', 'scope', 'date', 'analysisId', 'snapshot', 'comparison'],
          properties: {
            schemaVersion: { const: 1 },
            tenant: { type: 'string' },
            scope: { type: 'string' },
            date: { type: 'string', format: 'date' },
            analysisId: { type: 'string' },
            reviewId: { type: 'string' },
            snapshot: { type: 'object' },
            comparison: {
              type: 'object',
              properties: {
                previousDate: { type: 'string', format: 'date' },
                spend: { type: 'object', description: 'total, previousTotal, change, changePct, byService and byAccount change lines' },
                findings: { type: 'object', description: 'new, resolved (with realisedMonthlySavings), stillOpen (with openDays), openMonthlySavings' },
                forecast: { type: 'object' },
              },
            },
          },
        },
        ScheduleRequest: {
          type: 'object',
          required: ['accounts'],
          additionalProperties: false,
          properties: {
            tenant: { type: 'string', description: 'May be omitted by callers who act for exactly one tenant.' },
            scope: { type: 'string', default: 'all', description: 'The account group reviewed.' },
            accounts: { type: 'array', items: { type: 'string', pattern: '^\\d{12}$' }, minItems: 1, maxItems: 50 },
            regions: { type: 'array', items: { type: 'string' } },
            agents: { type: 'array', items: { enum: [...AGENT_KINDS] } },
            timezone: { type: 'string', default: 'UTC', description: 'IANA time zone of the calendar.' },
            dayOfWeek: { enum: [...DAYS], default: 'MONDAY' },
            hour: { type: 'integer', minimum: 0, maximum: 23, default: 9 },
            minute: { type: 'integer', minimum: 0, maximum: 59, default: 0 },
            periodDays: { type: 'integer', minimum: 1, maximum: 31, default: 7 },
            catchupWindow: { type: 'string', default: '1 day', description: 'Missed runs younger than this are still taken, e.g. "6h", "2 days".' },
            paused: { type: 'boolean' },
          },
        },
        Schedule: {
          type: 'object',
          required: ['scheduleId', 'tenant', 'scope', 'paused'],
          properties: {
            scheduleId: { type: 'string' },
            tenant: { type: 'string' },
            scope: { type: 'string' },
            summary: { type: 'string' },
            paused: { type: 'boolean' },
            note: { type: 'string' },
            timezone: { type: 'string' },
            calendars: { type: 'array', items: { type: 'object' } },
            nextActionTimes: { type: 'array', items: { type: 'string', format: 'date-time' } },
            recentActions: {
              type: 'array',
              items: { type: 'object', properties: { scheduledAt: { type: 'string', format: 'date-time' }, workflowId: { type: 'string' } } },
            },
            config: ref('ScheduleRequest'),
            created: { type: 'boolean' },
            links: ref('Links'),
          },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', description: 'Stable, machine-readable.' },
                message: { type: 'string' },
                details: { type: 'array', items: { type: 'string' } },
                status: { type: 'string', description: 'Workflow status, for errors about an analysis in the wrong state.' },
                failure: { type: 'string', description: 'Why a failed or cancelled analysis has no report.' },
              },
            },
          },
        },
        AnalysisRequest: {
          type: 'object',
          additionalProperties: false,
          properties: {
            tenant: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
            accounts: { type: 'array', minItems: 1, maxItems: MAX_ACCOUNTS, items: { type: 'string', pattern: '^\\d{12}$' }, description: 'The accounts to analyse. Give this or organization.' },
            organization: {
              type: 'object',
              additionalProperties: false,
              description:
                `Instead of accounts: analyse the tenant's active member accounts of these OUs (child OUs included), or of the whole organisation without ous, discovered in AWS Organizations when the analysis starts (the worker runs with the management account's credentials and assumes the member role in each account). Suspended accounts, accounts the role does not reach and accounts outside the tenant's binding are left out, each with a note in the report. At most ${MAX_ACCOUNTS} accounts.`,
              properties: {
                ous: {
                  type: 'array',
                  minItems: 1,
                  maxItems: MAX_OUS,
                  items: { type: 'string', pattern: PARENT_ID.source },
                  description: 'OU IDs (ou-…) or root IDs (r-…). Default: the whole organisation.',
                },
              },
            },
            regions: { type: 'array', minItems: 1, maxItems: 30, items: { type: 'string' }, default: ['us-east-1'] },
            period: {
              type: 'object',
              description: `Dates (YYYY-MM-DD), end exclusive, at most ${MAX_PERIOD_DAYS} days, not in the future. Default: the last 30 full days.`,
              required: ['start', 'end'],
              properties: { start: { type: 'string', format: 'date' }, end: { type: 'string', format: 'date' } },
            },
            asOf: {
              type: 'string',
              format: 'date',
              description:
                "The analysis's \"today\" (YYYY-MM-DD, not after tomorrow): the default period ends here, metrics and the forecast are read up to it, and every agent uses it. Default: today.",
            },
            agents: { type: 'array', minItems: 1, items: { enum: [...AGENT_KINDS] }, description: 'Default: all agents.' },
            targetConcurrency: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_TARGET_CONCURRENCY,
              default: DEFAULT_TARGET_CONCURRENCY,
              description: 'Account-Regions each agent analyses at once; the rest queue (big organisations never start hundreds of activities together).',
            },
          },
          oneOf: [{ required: ['accounts'] }, { required: ['organization'] }],
          description: 'Who asked is taken from the credentials (API-key id or token subject); a body with requestedBy is refused.',
        },
        Links: {
          type: 'object',
          properties: { self: { type: 'string' }, report: { type: 'string' }, cancel: { type: 'string' }, websocket: { type: 'string' } },
        },
        StartedAnalysis: {
          type: 'object',
          required: ['analysisId', 'links'],
          properties: {
            analysisId: { type: 'string' },
            links: ref('Links'),
            plan: {
              type: 'object',
              description: 'Only for question-based starts: the plan, and which planner made it.',
              properties: {
                agents: { type: 'array', items: { type: 'string' } },
                accounts: { type: 'array', items: { type: 'string' } },
                period: { type: 'object', properties: { start: { type: 'string' }, end: { type: 'string' } } },
                focus: { enum: ['spend-change', 'savings', 'forecast', 'tagging', 'overview'] },
                explanation: { type: 'string' },
                source: { enum: ['bedrock', 'bedrock-after-retry', 'deterministic', 'deterministic-after-invalid-plan', 'deterministic-after-error'] },
              },
            },
          },
        },
        QuestionRequest: {
          type: 'object',
          additionalProperties: false,
          required: ['question'],
          properties: {
            question: { type: 'string', minLength: 1, maxLength: 500, example: 'What can we cut in the staging account?' },
            tenant: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
            accounts: { type: 'array', items: { type: 'string', pattern: '^\\d{12}$' }, description: 'Used when the question names no account.' },
          },
        },
        QuestionAnswer: {
          type: 'object',
          required: ['analysisId', 'question', 'answer', 'source', 'usage'],
          properties: {
            analysisId: { type: 'string' },
            question: { type: 'string' },
            answer: { type: 'string' },
            source: { enum: ['bedrock', 'bedrock-after-retry', 'deterministic', 'deterministic-after-grounding-failure', 'deterministic-after-error'] },
            model: { type: 'string' },
            rejectedFigures: { type: 'array', items: { type: 'string' }, description: 'Figures rejected answers stated that the report lacks.' },
            usage: {
              type: 'object',
              properties: {
                model: { type: 'string' },
                calls: { type: 'integer' },
                inputTokens: { type: 'integer' },
                outputTokens: { type: 'integer' },
                cost: { type: 'string' },
                unit: { const: 'USD' },
              },
            },
            links: ref('Links'),
          },
        },
        Status: { enum: [...LIST_STATUSES, 'UNKNOWN'] },
        AnalysisListItem: {
          type: 'object',
          required: ['analysisId', 'tenant', 'accounts', 'status', 'startTime'],
          properties: {
            analysisId: { type: 'string' },
            tenant: { type: 'string' },
            accounts: { type: 'array', items: { type: 'string' } },
            status: ref('Status'),
            startTime: { type: 'string', format: 'date-time' },
            closeTime: { type: 'string', format: 'date-time' },
            links: ref('Links'),
          },
        },
        AnalysisList: {
          type: 'object',
          required: ['analyses'],
          properties: { analyses: { type: 'array', items: ref('AnalysisListItem') }, nextPageToken: { type: 'string' } },
        },
        AnalysisView: {
          type: 'object',
          required: ['analysisId', 'status', 'startTime'],
          properties: {
            analysisId: { type: 'string' },
            status: ref('Status'),
            startTime: { type: 'string', format: 'date-time' },
            closeTime: { type: 'string', format: 'date-time' },
            progress: ref('Progress'),
            report: ref('Report'),
            failure: { type: 'string' },
            notice: { type: 'string', description: 'Why a running analysis has no progress (e.g. no worker has picked it up).' },
            links: ref('Links'),
          },
        },
        Progress: {
          type: 'object',
          description: 'The workflow’s `progress` query: overall and per-agent state, counts, savings so far, recent events, and a version that grows on every change.',
          required: ['analysisId', 'version', 'state', 'agents', 'counts', 'events'],
          properties: {
            analysisId: { type: 'string' },
            tenant: { type: 'string' },
            version: { type: 'integer' },
            state: { enum: ['running', 'completed', 'partial', 'failed', 'cancelled'] },
            step: { type: 'string' },
            agents: { type: 'array', items: { type: 'object' } },
            counts: { type: 'object' },
            savings: { type: 'object' },
            events: { type: 'array', items: { type: 'object' } },
          },
        },
        Report: {
          type: 'object',
          description:
            'The analysis report (schemaVersion 1). Amounts are exact decimal strings. Sections are added as the agents land: findings, forecast, tagging and summary may be absent.',
          required: ['schemaVersion', 'analysisId', 'tenant', 'accounts', 'period', 'status', 'spend', 'agents', 'failures', 'usage'],
          properties: {
            schemaVersion: { const: 1 },
            analysisId: { type: 'string' },
            tenant: { type: 'string' },
            accounts: { type: 'array', items: { type: 'string' } },
            regions: { type: 'array', items: { type: 'string' } },
            period: { type: 'object' },
            previousPeriod: { type: 'object' },
            generatedAt: { type: 'string', format: 'date-time' },
            status: { enum: ['complete', 'partial'] },
            spend: { type: 'object' },
            agents: { type: 'array', items: { type: 'object' } },
            failures: { type: 'array', items: { type: 'object', properties: { agent: { type: 'string' }, reason: { type: 'string' } } } },
            usage: { type: 'object' },
            findings: { type: 'array', items: { type: 'object' } },
            timeline: {
              type: 'object',
              description: 'Where the time went: per agent wall, queued, running and waiting-on-AWS milliseconds, and the longest activities.',
            },
          },
        },
        Caller: {
          type: 'object',
          required: ['subject', 'tenants', 'auth'],
          properties: {
            subject: { type: 'string' },
            tenants: { oneOf: [{ const: 'all' }, { type: 'array', items: { type: 'string' } }] },
            auth: { enum: ['none', 'api-key', 'oidc', 'custom'] },
          },
        },
      },
    },
  };
}

/** Documented operations as "METHOD /path" with Express-style parameters (`/api/analyses/:id`). */
export function documentedOperations(document: Json = openApiDocument()): string[] {
  const paths = document.paths as Record<string, Record<string, unknown>>;
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`),
  );
}
