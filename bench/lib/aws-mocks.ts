/**
 * Mocked AWS clients for the API-call scenarios (aws-sdk-client-mock): every client a Plumbline function
 * builds, each answering any command with `{}` unless a scenario says otherwise, and every command counted.
 * Each scenario run gets its own stubs (test/support/scoped-aws-mocks.ts): a run that outlives the test that
 * started it is counted in its own stubs, never in the next run's.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  GenerateCredentialReportCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { type AnyStub, createScopedMocks, runInScope } from '../../test/support/scoped-aws-mocks.ts';

export interface AwsMocks {
  config: AnyStub;
  sts: AnyStub;
  s3: AnyStub;
  s3control: AnyStub;
  ec2: AnyStub;
  sns: AnyStub;
  cloudtrail: AnyStub;
  iam: AnyStub;
  rds: AnyStub;
}

const CLIENTS = {
  config: ConfigServiceClient,
  sts: STSClient,
  s3: S3Client,
  s3control: S3ControlClient,
  ec2: EC2Client,
  sns: SNSClient,
  cloudtrail: CloudTrailClient,
  iam: IAMClient,
  rds: RDSClient,
};

/** Fresh mocks for one run, answering `{}` to anything; they see only calls made inside `withAwsMocks`. */
export function createAwsMocks(): AwsMocks {
  const mocks = createScopedMocks(CLIENTS);
  for (const stub of Object.values(mocks)) stub.onAnyCommand().resolves({});
  // The IAM account facts (credential report, account summary) answer as an account with no IAM user would.
  mocks.iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
  mocks.iam.on(GetCredentialReportCommand).resolves({
    Content: new TextEncoder().encode('user,arn,password_enabled,mfa_active\n'),
    ReportFormat: 'text/csv',
    GeneratedTime: new Date(),
  });
  mocks.iam.on(GetAccountSummaryCommand).resolves({ SummaryMap: { AccountMFAEnabled: 1 } });
  return mocks;
}

/** Runs `work` against `mocks`: every AWS call it makes, however late, is answered and counted there. */
export function withAwsMocks<Result>(mocks: AwsMocks, work: () => Promise<Result>): Promise<Result> {
  return runInScope(mocks, work);
}

const SERVICE_NAMES: Record<keyof AwsMocks, string> = {
  config: 'config',
  sts: 'sts',
  s3: 's3',
  s3control: 's3control',
  ec2: 'ec2',
  sns: 'sns',
  cloudtrail: 'cloudtrail',
  iam: 'iam',
  rds: 'rds',
};

/** Commands these mocks received, as `service:Operation` → count (e.g. `config:PutEvaluations`). */
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
