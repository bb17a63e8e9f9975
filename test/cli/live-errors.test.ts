/**
 * `scan --live` errors a newcomer meets first, said in their terms: a profile that does not exist (the SDK
 * only says it could not load credentials, or that the region is missing), an endpoint that cannot be
 * reached (the SDK says `getaddrinfo ENOTFOUND …`). The SDK errors are mocked with the names, messages and
 * fields the SDK v3 throws (seen with @aws-sdk/credential-provider-node, @smithy/core and Node's DNS errors).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigServiceClient, SelectResourceConfigCommand } from '@aws-sdk/client-config-service';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type LiveClients, profileExists, sdkClients } from '../../cli/live.ts';
import { runCli, tempDir } from './support/cli.ts';

const config = mockClient(ConfigServiceClient);
const s3control = mockClient(S3ControlClient);

/** A home folder with ~/.aws/config holding [default] and [profile audit], ~/.aws/credentials [ci]. */
function awsHome(): string {
  const home = tempDir('plumbline-aws-home-');
  mkdirSync(join(home, '.aws'));
  writeFileSync(
    join(home, '.aws', 'config'),
    '[default]\nregion = eu-west-1\n\n[profile audit]\nregion = us-east-1\n',
  );
  writeFileSync(
    join(home, '.aws', 'credentials'),
    '[ci]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
  );
  return home;
}

/** What @aws-sdk/credential-provider-node throws when no provider of the chain has credentials. */
const noCredentials = () =>
  Object.assign(new Error('Could not load credentials from any providers'), {
    name: 'CredentialsProviderError',
    tryNextLink: false,
  });

beforeEach(() => {
  config.reset();
  s3control.reset();
  vi.stubEnv('HOME', awsHome());
  vi.stubEnv('AWS_CONFIG_FILE', undefined);
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', undefined);
  vi.stubEnv('AWS_PROFILE', undefined);
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('scan --live: a profile that does not exist', () => {
  it('--profile: the SDK says it could not load credentials; plumbline names the missing profile', async () => {
    config.on(SelectResourceConfigCommand).rejects(noCredentials());
    const result = await runCli(['scan', '--live', '--region', 'eu-west-1', '--profile', 'prod-audit']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'plumbline: AWS profile "prod-audit" not found in ~/.aws/config or ~/.aws/credentials\n',
    });
  });

  it('AWS_PROFILE without a region: the SDK says "Region is missing"; plumbline names the missing profile', async () => {
    vi.stubEnv('AWS_PROFILE', 'prod-audit');
    const clients: LiveClients = {
      config: () =>
        new ConfigServiceClient({
          region: async (): Promise<string> => {
            throw new Error('Region is missing');
          },
        }),
      s3Control: sdkClients.s3Control,
    };
    const result = await runCli(['scan', '--live'], { clients });
    expect(result.stderr).toBe(
      'plumbline: AWS profile "prod-audit" not found in ~/.aws/config or ~/.aws/credentials\n',
    );
    expect(result.code).toBe(2);
  });

  it('a profile that exists (in either file) but has no credentials keeps the credentials message', async () => {
    config.on(SelectResourceConfigCommand).rejects(noCredentials());
    for (const profile of ['audit', 'ci']) {
      const result = await runCli(['scan', '--live', '--region', 'eu-west-1', '--profile', profile]);
      expect(result.stderr).toBe(
        'plumbline: AWS Config in eu-west-1 (SelectResourceConfig): no usable AWS credentials (Could not load credentials from any providers); configure them (aws configure, AWS_PROFILE or --profile)\n',
      );
    }
  });

  it('names the files AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE point at', async () => {
    const dir = tempDir();
    vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'));
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'credentials'));
    config.on(SelectResourceConfigCommand).rejects(noCredentials());
    const result = await runCli(['scan', '--live', '--region', 'eu-west-1', '--profile', 'audit']);
    expect(result.stderr).toBe(
      `plumbline: AWS profile "audit" not found in ${join(dir, 'config')} or ${join(dir, 'credentials')}\n`,
    );
  });

  it('profileExists reads [profile NAME] and [default] in config, [NAME] in credentials', () => {
    const env = { HOME: awsHome() };
    expect(profileExists('audit', env)).toBe(true);
    expect(profileExists('default', env)).toBe(true);
    expect(profileExists('ci', env)).toBe(true);
    expect(profileExists('profile audit', env)).toBe(false);
    expect(profileExists('prod', env)).toBe(false);
    expect(profileExists('prod', { HOME: tempDir() })).toBe(false);
  });
});

describe('scan --live: an endpoint that cannot be reached', () => {
  it('says "cannot reach the AWS endpoint <host> (network or proxy?)" rather than a raw getaddrinfo ENOTFOUND', async () => {
    // Node's DNS error as the SDK's request handler passes it on.
    config.on(SelectResourceConfigCommand).rejects(
      Object.assign(new Error('getaddrinfo ENOTFOUND config.eu-west-1.amazonaws.com'), {
        errno: -3008,
        code: 'ENOTFOUND',
        syscall: 'getaddrinfo',
        hostname: 'config.eu-west-1.amazonaws.com',
      }),
    );
    const result = await runCli(['scan', '--live', '--region', 'eu-west-1']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'plumbline: AWS Config in eu-west-1 (SelectResourceConfig): cannot reach the AWS endpoint config.eu-west-1.amazonaws.com (network or proxy?): ENOTFOUND\n',
    });
  });

  it('names the address of a refused connection (a proxy or a VPC endpoint down)', async () => {
    config.on(SelectResourceConfigCommand).rejects(
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.12:443'), {
        errno: -111,
        code: 'ECONNREFUSED',
        syscall: 'connect',
        address: '10.0.0.12',
        port: 443,
      }),
    );
    const result = await runCli(['scan', '--live', '--region', 'eu-west-1']);
    expect(result.stderr).toBe(
      'plumbline: AWS Config in eu-west-1 (SelectResourceConfig): cannot reach the AWS endpoint 10.0.0.12 (network or proxy?): ECONNREFUSED\n',
    );
  });
});
