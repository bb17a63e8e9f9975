/**
 * A test that times out is abandoned by vitest, not stopped: its AWS calls go on while the next test runs.
 * Under load this once made a budget test report `PutEvaluations: 2` (expected 1), counting a timed-out
 * test's late call. These tests play that sequence on purpose — one test leaves work running, the next counts
 * — and show the next test's count holds; the last shows a process-wide `mockClient(Class)` would not.
 */
import {
  ConfigServiceClient,
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Discovery, discover } from '../../bench/lib/discover.ts';
import { type CallFigure, callScenarios, prepareEnvironment } from '../../bench/scenarios/api-calls.ts';
import { createScopedMocks, runInScope } from '../support/scoped-aws-mocks.ts';

/** One client for the whole file, as a Lambda handler keeps one per cold start. */
const sharedClient = new ConfigServiceClient({});
const putOne = () => sharedClient.send(new PutEvaluationsCommand({ ResultToken: 'token', Evaluations: [] }));

/** A gate the abandoned work waits at, opened by a later test. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('scoped AWS mocks (test/support/scoped-aws-mocks.ts)', () => {
  const late = gate();
  const abandonedMocks = createScopedMocks({ config: ConfigServiceClient });
  let abandoned: Promise<unknown> = Promise.resolve();

  it('lets a test end while its work still has an AWS call to make', async () => {
    abandonedMocks.config.onAnyCommand().resolves({ FailedEvaluations: [] });
    abandoned = runInScope(abandonedMocks, async () => {
      await putOne();
      await late.opened;
      return putOne();
    });
    await Promise.resolve();
    // Not awaited: the work outlives this test, as a timed-out test's does.
  });

  it('counts only its own calls while the earlier test’s late call lands', async () => {
    const mocks = createScopedMocks({ config: ConfigServiceClient });
    mocks.config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    await runInScope(mocks, async () => {
      await putOne();
      late.open();
      await abandoned;
    });
    expect(mocks.config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
    expect(abandonedMocks.config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
  });

  it('answers each run from its own stubs', async () => {
    const first = createScopedMocks({ config: ConfigServiceClient });
    const second = createScopedMocks({ config: ConfigServiceClient });
    first.config.on(PutEvaluationsCommand).resolves({ $metadata: { requestId: 'first' } });
    second.config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    const slow = gate();
    const [a, b] = await Promise.all([
      runInScope(first, async () => {
        await slow.opened;
        return putOne();
      }),
      runInScope(second, async () => {
        const answer = await putOne();
        slow.open();
        return answer;
      }),
    ]);
    expect(a).toEqual({ $metadata: { requestId: 'first' } });
    expect(b).toEqual({ FailedEvaluations: [] });
  });

  it('rejects a call made outside any scope, naming the client and the command', async () => {
    createScopedMocks({ config: ConfigServiceClient });
    await expect(putOne()).rejects.toThrow(
      'ConfigServiceClient: PutEvaluationsCommand sent outside any mock scope (work that outlived its test?)',
    );
  });
});

describe('API-call scenarios after a test that timed out (bench/scenarios/api-calls.ts)', () => {
  let discovery: Discovery;
  let abandoned: Promise<CallFigure> | undefined;

  beforeAll(async () => {
    prepareEnvironment();
    discovery = await discover();
  });

  const scenarioOf = (name: string) => {
    const target = discovery.functions.find((candidate) => candidate.name === 'required-tags');
    const found = callScenarios(target ? [target] : []).find((scenario) => scenario.name === name);
    if (found === undefined) throw new Error(`required-tags has no ${name} scenario`);
    return found;
  };

  it('leaves an oversized-item run going', () => {
    abandoned = scenarioOf('oversized').run();
  });

  it('counts exactly one PutEvaluations in the next change-triggered run', async () => {
    const { figure, mocks } = await scenarioOf('change').runRecorded();
    expect(figure.calls).toEqual({ 'config:PutEvaluations': 1 });
    expect(mocks.config).toHaveReceivedCommandTimes(GetResourceConfigHistoryCommand, 0);
    // The abandoned run kept its own count.
    expect((await abandoned)?.calls).toEqual({
      'config:GetResourceConfigHistory': 1,
      'config:PutEvaluations': 1,
    });
  });
});

describe('the failure these scopes prevent', () => {
  it('a process-wide mockClient(Class) counts an earlier test’s late call in the next test', async () => {
    const shared = mockClient(ConfigServiceClient);
    try {
      shared.onAnyCommand().resolves({});
      const late = gate();
      const earlier = (async () => {
        await late.opened;
        return putOne();
      })();
      shared.resetHistory(); // the next test's reset
      await putOne();
      late.open();
      await earlier;
      expect(shared).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
    } finally {
      shared.restore();
    }
  });
});
