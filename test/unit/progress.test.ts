import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyAgentUpdate, initialProgress, MAX_PROGRESS_EVENTS, setOverall } from '../../src/domain/progress';

const start = initialProgress(
  'analysis/t/20261121-1000-abc',
  't',
  [
    { agent: 'ec2', workflowId: 'x/ec2' },
    { agent: 's3', workflowId: 'x/s3' },
  ],
  '2026-11-21T10:00:00Z',
);

test('every change bumps the version and is recorded as an event', () => {
  const a = applyAgentUpdate(start, { agent: 'ec2', state: 'running', step: 'Reading spend' }, 't1');
  const b = applyAgentUpdate(a, { agent: 'ec2', state: 'succeeded', step: 'Done', requests: 2, savings: '12.5' }, 't2');
  assert.equal(a.version, start.version + 1);
  assert.equal(b.version, a.version + 1);
  assert.equal(b.counts.succeeded, 1);
  assert.equal(b.counts.pending, 1);
  assert.equal(b.counts.requests, 2);
  assert.equal(b.savings.amount, '12.5');
  assert.equal(b.events.at(-1)?.agent, 'ec2');
});

test('a late "running" update never reopens a finished agent', () => {
  const done = applyAgentUpdate(start, { agent: 's3', state: 'failed', step: 'Failed', error: 'denied' }, 't1');
  const late = applyAgentUpdate(done, { agent: 's3', state: 'running', step: 'Reading spend' }, 't2');
  assert.equal(late, done);
  assert.equal(done.counts.failed, 1);
});

test('the event list is bounded', () => {
  let p = start;
  for (let i = 0; i < MAX_PROGRESS_EVENTS * 3; i++) p = setOverall(p, 'running', `step ${i}`, `t${i}`);
  assert.equal(p.events.length, MAX_PROGRESS_EVENTS);
  assert.equal(p.events.at(-1)?.message, `step ${MAX_PROGRESS_EVENTS * 3 - 1}`);
  assert.equal(p.version, start.version + MAX_PROGRESS_EVENTS * 3);
});
