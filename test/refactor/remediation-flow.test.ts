/**
 * The one read → plan → report or apply → notify flow the resource responders share (`remediateResource`),
 * with a fake port and a recording call: the order of its steps, what it never does (write in report mode,
 * notify a gone resource, read again on a redelivery) and how a failure is told, then rethrown.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { actorOf, parseCloudTrailEvent } from '../../shared/core/cloudtrail.ts';
import type { Notice } from '../../shared/core/notification.ts';
import {
  type RemediationFlow,
  type RemediationMode,
  type RemediationOutcome,
  type ResponderCall,
  remediateResource,
} from '../../shared/core/responder.ts';
import { putBucketVersioning } from '../fixtures/s3-versioning/cloudtrail.ts';

const EVENT_ID = 'event-1';
const WHEN = new Date('2026-01-02T03:04:05.000Z');

interface State {
  name: string;
  open: boolean;
  locked?: boolean;
}
type Plan = { close: string };
type Result = { status: string; messageId?: string | undefined; detail?: string };

class GoneError extends Error {}

/** What happened, in order: port, read, apply, publish <outcome>, and each result callback. */
let steps: string[];
let notices: Notice[];
let state: State;
let failures: { port?: Error; read?: Error; apply?: Error; publish?: Error };
let pending: Notice | undefined;

beforeEach(() => {
  steps = [];
  notices = [];
  state = { name: 'thing-1', open: true };
  failures = {};
  pending = undefined;
});

function noticeOf(outcome: RemediationOutcome<State>): Notice {
  return {
    kind: 'remediation',
    headline: outcome.kind,
    source: 'test-responder',
    resource: { type: 'Test::Thing', id: 'thing-1', accountId: '123456789012', region: 'us-east-1' },
    changes: outcome.kind === 'unreadable' || outcome.kind === 'failed' ? [outcome.error] : [],
    outcome: outcome.kind === 'unreadable' ? 'failed' : outcome.kind,
    when: WHEN.toISOString(),
  };
}

function callIn(mode: RemediationMode): ResponderCall<{ mode: RemediationMode }, { name: string }> {
  const event = parseCloudTrailEvent(putBucketVersioning());
  return {
    event,
    detail: event.detail,
    eventId: EVENT_ID,
    accountId: '123456789012',
    region: 'us-east-1',
    actor: actorOf(event.detail),
    ruleName: 'plumbline-test',
    settings: { mode },
    port: async () => {
      steps.push('port');
      if (failures.port) throw failures.port;
      return { name: 'port' };
    },
    publish: async (key, notice) => {
      steps.push(`publish ${notice.headline} ${key}`);
      if (failures.publish) throw failures.publish;
      notices.push(notice);
      return `message-${notices.length}`;
    },
    pending: (key) => (key === EVENT_ID ? pending : undefined),
    now: () => WHEN,
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
}

const flow: RemediationFlow<{ name: string }, State, Plan, Result> = {
  read: async () => {
    steps.push('read');
    if (failures.read) throw failures.read;
    return state;
  },
  goneError: GoneError,
  plan: (read) => (read.open ? { close: read.name } : undefined),
  reportOnly: (read) => read.locked === true,
  apply: async (_port, plan) => {
    steps.push(`apply ${plan.close}`);
    if (failures.apply) throw failures.apply;
  },
  notice: noticeOf,
  redelivered: (resource, messageId) => {
    steps.push('redelivered');
    return { status: 'redelivered', detail: resource, messageId };
  },
  gone: (error) => {
    steps.push('gone');
    return { status: 'gone', detail: error.message };
  },
  unchanged: () => {
    steps.push('unchanged');
    return { status: 'unchanged' };
  },
  reported: (_state, messageId) => {
    steps.push('reported');
    return { status: 'reported', messageId };
  },
  applied: (_state, messageId) => {
    steps.push('applied');
    return { status: 'applied', messageId };
  },
};

describe('remediateResource', () => {
  it('enforce: reads, applies the plan, then notifies applied', async () => {
    await expect(remediateResource(callIn('enforce'), flow)).resolves.toEqual({
      status: 'applied',
      messageId: 'message-1',
    });
    expect(steps).toEqual(['port', 'read', 'apply thing-1', `publish applied ${EVENT_ID}`, 'applied']);
  });

  it('report mode: notifies planned and never writes', async () => {
    await expect(remediateResource(callIn('report'), flow)).resolves.toEqual({
      status: 'reported',
      messageId: 'message-1',
    });
    expect(steps).toEqual(['port', 'read', `publish planned ${EVENT_ID}`, 'reported']);
  });

  it('enforce with a reason to only report (reportOnly): notifies planned and never writes', async () => {
    state = { name: 'thing-1', open: true, locked: true };
    await expect(remediateResource(callIn('enforce'), flow)).resolves.toEqual({
      status: 'reported',
      messageId: 'message-1',
    });
    expect(steps).toEqual(['port', 'read', `publish planned ${EVENT_ID}`, 'reported']);
  });

  it('nothing to change: no write, no notice', async () => {
    state = { name: 'thing-1', open: false };
    await expect(remediateResource(callIn('enforce'), flow)).resolves.toEqual({ status: 'unchanged' });
    expect(steps).toEqual(['port', 'read', 'unchanged']);
  });

  it('the write fails: notifies failed with the state and the error, then rethrows that error', async () => {
    const error = new Error('AccessDenied');
    failures.apply = error;
    await expect(remediateResource(callIn('enforce'), flow)).rejects.toBe(error);
    expect(steps).toEqual(['port', 'read', 'apply thing-1', `publish failed ${EVENT_ID}`]);
    expect(notices).toEqual([noticeOf({ kind: 'failed', state, error: 'AccessDenied' })]);
  });

  it('the write fails and so does its notice: the write error is rethrown (the notice is best effort)', async () => {
    const error = new Error('AccessDenied');
    failures.apply = error;
    failures.publish = new Error('SNS down');
    await expect(remediateResource(callIn('enforce'), flow)).rejects.toBe(error);
    expect(steps).toEqual(['port', 'read', 'apply thing-1', `publish failed ${EVENT_ID}`]);
  });

  it('the read fails: notifies unreadable, then rethrows; nothing planned or written', async () => {
    const error = new Error('Throttling');
    failures.read = error;
    await expect(remediateResource(callIn('enforce'), flow)).rejects.toBe(error);
    expect(steps).toEqual(['port', 'read', `publish unreadable ${EVENT_ID}`]);
    expect(notices).toEqual([noticeOf({ kind: 'unreadable', error: 'Throttling' })]);
  });

  it('the port fails (a role that cannot be assumed): notifies unreadable, then rethrows; nothing read', async () => {
    const error = new Error('cannot assume role');
    failures.port = error;
    await expect(remediateResource(callIn('enforce'), flow)).rejects.toBe(error);
    expect(steps).toEqual(['port', `publish unreadable ${EVENT_ID}`]);
  });

  it('the resource is gone: the gone result, no notice, nothing written', async () => {
    failures.read = new GoneError('thing-1 is gone: NotFound');
    await expect(remediateResource(callIn('enforce'), flow)).resolves.toEqual({
      status: 'gone',
      detail: 'thing-1 is gone: NotFound',
    });
    expect(steps).toEqual(['port', 'read', 'gone']);
    expect(notices).toEqual([]);
  });

  it('a notice left unsent by the last try is sent again, and nothing is read or written', async () => {
    pending = noticeOf({ kind: 'applied', state });
    await expect(remediateResource(callIn('enforce'), flow)).resolves.toEqual({
      status: 'redelivered',
      detail: 'thing-1',
      messageId: 'message-1',
    });
    expect(steps).toEqual([`publish applied ${EVENT_ID}`, 'redelivered']);
    expect(notices).toEqual([pending]);
  });
});
