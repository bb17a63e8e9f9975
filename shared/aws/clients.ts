import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { envError } from '../core/environment.ts';

/**
 * Without these, a connection that never answers holds the invocation until Lambda's own timeout, with no
 * retry: a hung request is cut off and retried like any other failure, within the function's time limit.
 */
export const CONNECTION_TIMEOUT_MS = 3_000;
/**
 * Several times what the slowest calls made take (a 100-row advanced query page, a 100-evaluation
 * PutEvaluations), and short enough that a call hanging on every attempt still ends within a responder's time.
 */
export const REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_ATTEMPTS = 5;

/** Settings every SDK client shares: region from the environment, adaptive retries, socket timeouts. */
export interface ClientSettings {
  region?: string;
  retryMode: 'adaptive';
  maxAttempts: number;
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: true };
  credentials?: AwsCredentialIdentityProvider;
}

export function clientSettings(credentials?: AwsCredentialIdentityProvider): ClientSettings {
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return {
    ...(region ? { region } : {}),
    retryMode: 'adaptive',
    maxAttempts: maxAttemptsFrom(process.env.PLUMBLINE_MAX_ATTEMPTS),
    // Since @smithy/node-http-handler 4.x a request timeout only logs a warning unless told to throw.
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
    ...(credentials ? { credentials } : {}),
  };
}

/** `PLUMBLINE_MAX_ATTEMPTS`: the SDK's attempts per call (1–10), the first one included. */
export function maxAttemptsFrom(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_MAX_ATTEMPTS;
  const attempts = Number(value);
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 10) {
    throw envError('PLUMBLINE_MAX_ATTEMPTS', value, 'expected an integer from 1 to 10');
  }
  return attempts;
}

/**
 * A per-key cache of clients, so a warm function reuses the client (and its connections) for an account
 * instead of building one per event.
 */
export function clientCache<Client>(create: (key: string) => Client): (key: string) => Client {
  const clients = new Map<string, Client>();
  return (key) => {
    let client = clients.get(key);
    if (client === undefined) {
      client = create(key);
      clients.set(key, client);
    }
    return client;
  };
}

/** An AWS error as `Name: message`, for the errors that name the call that failed. */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
