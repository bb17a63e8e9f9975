/**
 * Mocked AWS clients for the API-call scenarios (aws-sdk-client-mock): every client a Plumbline function
 * builds, each answering any command with `{}` unless a scenario says otherwise, and every command counted.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';

// biome-ignore lint/suspicious/noExplicitAny: a stub of any client; the scenarios narrow each one by class
type AnyStub = AwsStub<any, any, any>;

export interface AwsMocks {
  config: AnyStub;
  sts: AnyStub;
  s3: AnyStub;
  s3control: AnyStub;
  ec2: AnyStub;
  sns: AnyStub;
  cloudtrail: AnyStub;
}

let mocks: AwsMocks | undefined;

/** The mocks (created once per process: a client class is stubbed once), reset to answer `{}` to anything. */
export function resetAwsMocks(): AwsMocks {
  mocks ??= {
    config: mockClient(ConfigServiceClient),
    sts: mockClient(STSClient),
    s3: mockClient(S3Client),
    s3control: mockClient(S3ControlClient),
    ec2: mockClient(EC2Client),
    sns: mockClient(SNSClient),
    cloudtrail: mockClient(CloudTrailClient),
  };
  for (const stub of Object.values(mocks)) {
    stub.reset();
    stub.onAnyCommand().resolves({});
  }
  return mocks;
}

const SERVICE_NAMES: Record<keyof AwsMocks, string> = {
  config: 'config',
  sts: 'sts',
  s3: 's3',
  s3control: 's3control',
  ec2: 'ec2',
  sns: 'sns',
  cloudtrail: 'cloudtrail',
};

/** Commands received since the last reset, as `service:Operation` → count (e.g. `config:PutEvaluations`). */
export function countCalls(current: AwsMocks): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [key, stub] of Object.entries(current) as [keyof AwsMocks, AnyStub][]) {
    for (const call of stub.calls()) {
      const command = call.args[0] as { constructor: { name: string } };
      const name = `${SERVICE_NAMES[key]}:${command.constructor.name.replace(/Command$/, '')}`;
      counts[name] = (counts[name] ?? 0) + 1;
    }
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
