import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { lambdaHandler } from '../../shared/lambda/handler.ts';
import { logger } from '../../shared/lambda/logger.ts';

const context = {
  functionName: 'plumbline-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:plumbline-test',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

describe('lambdaHandler', () => {
  it('passes the event and context through and returns the result', async () => {
    const handler = lambdaHandler(async (event: { n: number }, ctx: Context) => ({
      doubled: event.n * 2,
      fn: ctx.functionName,
    }));
    await expect(handler({ n: 21 }, context)).resolves.toEqual({ doubled: 42, fn: 'plumbline-test' });
  });

  it('logs a failure and rethrows it, so the caller retries', async () => {
    const logged = vi.spyOn(logger, 'error');
    const handler = lambdaHandler(async () => {
      throw new Error('boom');
    });
    await expect(handler({}, context)).rejects.toThrow('boom');
    expect(logged).toHaveBeenCalledWith('invocation failed', {
      error: expect.objectContaining({ message: 'boom' }),
    });
  });
});
