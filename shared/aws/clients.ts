import type { AwsCredentialIdentityProvider } from '@smithy/types';

/** Settings every SDK client shares: region from the environment, adaptive retries. */
export interface ClientSettings {
  region?: string;
  retryMode: 'adaptive';
  maxAttempts: number;
  credentials?: AwsCredentialIdentityProvider;
}

export function clientSettings(credentials?: AwsCredentialIdentityProvider): ClientSettings {
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return {
    ...(region ? { region } : {}),
    retryMode: 'adaptive',
    maxAttempts: Number(process.env.PLUMBLINE_MAX_ATTEMPTS ?? 5),
    ...(credentials ? { credentials } : {}),
  };
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
