import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from './logger.ts';

/**
 * The middy wiring every handler shares: the Lambda context in each log line, and an error log before the
 * error is rethrown (so Config or EventBridge retries, and a responder's failure reaches its dead-letter queue).
 */
export function lambdaHandler<Event, Result>(handler: (event: Event, context: Context) => Promise<Result>) {
  return middy<Event, Result>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .use({
      onError: async (request) => {
        logger.error('invocation failed', { error: request.error as Error });
      },
    })
    .handler(handler);
}
