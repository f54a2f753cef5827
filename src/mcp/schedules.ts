/**
 * Weekly reviews: list the caller's review schedules and create (or update: creation is idempotent)
 * one, through the gateway's /api/schedules.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ScheduleView } from '../client/schedules';
import type { FinopsApi } from './api';
import { createScheduleInput, createScheduleOutput, listSchedulesOutput, type ScheduleRow } from './schemas';
import { scheduleLine } from './text';
import { result } from './tools';

export function scheduleRowOf(s: ScheduleView): ScheduleRow {
  return {
    scheduleId: s.scheduleId,
    tenant: s.tenant,
    scope: s.scope,
    ...(s.summary ? { summary: s.summary } : {}),
    paused: s.paused,
    ...(s.timezone ? { timezone: s.timezone } : {}),
    nextActionTimes: s.nextActionTimes.slice(0, 3),
    ...(s.config ? { accounts: s.config.accounts } : {}),
  };
}

export function registerScheduleTools(server: McpServer, api: FinopsApi): void {
  server.registerTool(
    'list_schedules',
    {
      title: 'Weekly review schedules',
      description: 'The weekly cost-review schedules you may see, with their next runs.',
      outputSchema: listSchedulesOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => {
      const schedules = await api.listSchedules();
      const out = { schedules: schedules.map(scheduleRowOf) };
      return result(out, schedules.length ? schedules.map(scheduleLine).join('\n') : 'No weekly review schedules.');
    },
  );

  server.registerTool(
    'create_schedule',
    {
      title: 'Schedule a weekly review',
      description:
        'Create a weekly cost review of some accounts (default Monday 09:00 UTC, covering the last 7 days); for an existing tenant and scope, update it to match.',
      inputSchema: createScheduleInput,
      outputSchema: createScheduleOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args) => {
      const created = await api.createSchedule(args);
      const out = { schedule: scheduleRowOf(created), created: created.created };
      return result(out, `${created.created ? 'Created' : 'Updated'} ${scheduleLine(created)}`);
    },
  );
}
