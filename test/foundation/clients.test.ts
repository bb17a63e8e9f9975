import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigServiceClient, DescribeConfigRulesCommand } from '@aws-sdk/client-config-service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONNECTION_TIMEOUT_MS,
  clientSettings,
  maxAttemptsFrom,
  REQUEST_TIMEOUT_MS,
} from '../../shared/aws/clients.ts';

describe('clientSettings', () => {
  it('sets the region from the environment, adaptive retries and socket timeouts', () => {
    expect(clientSettings()).toEqual({
      region: 'us-east-1',
      retryMode: 'adaptive',
      maxAttempts: 5,
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
    });
  });

  it('reads PLUMBLINE_MAX_ATTEMPTS, and names the variable and the value when it is not 1–10', () => {
    expect(maxAttemptsFrom(undefined)).toBe(5);
    expect(maxAttemptsFrom('3')).toBe(3);
    for (const bad of ['0', '11', '2.5', 'abc']) {
      expect(() => maxAttemptsFrom(bad)).toThrow(
        `Invalid environment variable PLUMBLINE_MAX_ATTEMPTS="${bad}": expected an integer from 1 to 10`,
      );
    }
  });
});

describe('a request to an endpoint that never answers', () => {
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    server = createServer(() => {
      // Accepts the request and never responds.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('is cut off by the request timeout in the shape clientSettings gives (shortened here), not left hanging', async () => {
    const settings = clientSettings();
    expect(settings.requestHandler).toEqual({
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    });
    const client = new ConfigServiceClient({
      ...settings,
      maxAttempts: 1,
      endpoint,
      requestHandler: { ...settings.requestHandler, requestTimeout: 200 },
    });
    const started = Date.now();
    await expect(client.send(new DescribeConfigRulesCommand({}))).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    client.destroy();
  });
});
