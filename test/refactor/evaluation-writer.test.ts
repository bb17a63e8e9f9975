/**
 * The evaluation writer sends again only what PutEvaluations answers as `FailedEvaluations`; throttling is
 * retried once, by the SDK's retry strategy (a real client here, over a stub HTTP handler that answers as
 * AWS Config does: awsJson1_1, `__type` in the body), never by a second layer in the writer.
 */
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { describe, expect, it } from 'vitest';
import { EvaluationWriter } from '../../shared/aws/evaluation-writer.ts';
import type { Evaluation } from '../../shared/core/model.ts';

const EVALUATION: Evaluation = {
  rule: 'security-group',
  resourceType: 'AWS::EC2::SecurityGroup',
  resourceId: 'sg-0123456789abcdef0',
  compliance: 'COMPLIANT',
  annotation: 'ok',
  reasons: [],
  orderingTimestamp: new Date('2024-05-14T09:42:00.000Z'),
};

/** An HTTP response as the SDK's handlers return it (duck-typed: status, headers, body). */
function json(statusCode: number, body: unknown) {
  return {
    response: {
      statusCode,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: Buffer.from(JSON.stringify(body)),
    },
  };
}

/** A Config client whose HTTP requests are answered, in order, by `answers` (the last one repeats). */
function configAnswering(answers: ReturnType<typeof json>[]) {
  const requests: string[] = [];
  const client = new ConfigServiceClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
    retryMode: 'standard',
    requestHandler: {
      handle: async (request: { headers: Record<string, string> }) => {
        requests.push(request.headers['x-amz-target'] ?? '');
        return answers[Math.min(requests.length - 1, answers.length - 1)] as ReturnType<typeof json>;
      },
    },
  });
  return { client, requests };
}

const THROTTLED = json(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
const NO_FAILURES = json(200, { FailedEvaluations: [] });
const FAILED = json(200, {
  FailedEvaluations: [
    {
      ComplianceResourceType: EVALUATION.resourceType,
      ComplianceResourceId: EVALUATION.resourceId,
      ComplianceType: 'COMPLIANT',
      OrderingTimestamp: 1715679720,
    },
  ],
});

describe('EvaluationWriter retries', () => {
  it('throttling once: the SDK retries it (2 HTTP requests), the writer makes 1 call', async () => {
    const { client, requests } = configAnswering([THROTTLED, NO_FAILURES]);
    const writer = new EvaluationWriter(client, { resultToken: 'token', testMode: false });
    await writer.add(EVALUATION);
    await writer.flush();
    expect(requests).toEqual(['StarlingDoveService.PutEvaluations', 'StarlingDoveService.PutEvaluations']);
    expect(writer.calls).toBe(1);
    expect(writer.delivered).toBe(1);
  });

  it('throttling on every attempt: the SDK gives up after its 3 attempts and the writer fails without a call of its own', async () => {
    const { client, requests } = configAnswering([THROTTLED]);
    const writer = new EvaluationWriter(client, { resultToken: 'token', testMode: false, maxAttempts: 5 });
    await writer.add(EVALUATION);
    await expect(writer.flush()).rejects.toThrow(
      'PutEvaluations could not deliver 1 evaluation(s) (sg-0123456789abcdef0); failing the invocation so that AWS Config retries it',
    );
    expect(requests).toHaveLength(3);
    expect(writer.calls).toBe(1);
  });

  it('FailedEvaluations: the writer sends the failed ones again, up to maxAttempts calls', async () => {
    const { client, requests } = configAnswering([FAILED]);
    const writer = new EvaluationWriter(client, {
      resultToken: 'token',
      testMode: false,
      maxAttempts: 4,
      sleep: async () => {},
    });
    await writer.add(EVALUATION);
    await expect(writer.flush()).rejects.toThrow('PutEvaluations could not deliver 1 evaluation(s)');
    expect(requests).toHaveLength(4);
    expect(writer.calls).toBe(4);
    expect(writer.delivered).toBe(0);
  });
});
