import { GetPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  accountPublicAccessBlockLoader,
  loadAccountPublicAccessBlock,
} from '../../shared/aws/account-facts.ts';
import { ACCOUNT, flags } from '../fixtures/public-bucket/items.ts';

const s3control = mockClient(S3ControlClient);

beforeEach(() => {
  s3control.reset();
});

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

describe('loadAccountPublicAccessBlock', () => {
  it('reads the account-level flags; an absent flag is off', async () => {
    s3control.on(GetPublicAccessBlockCommand, { AccountId: ACCOUNT }).resolves({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        RestrictPublicBuckets: true,
        IgnorePublicAcls: false,
      },
    });
    await expect(loadAccountPublicAccessBlock(new S3ControlClient({}), ACCOUNT)).resolves.toEqual(
      flags({ blockPublicAcls: true, restrictPublicBuckets: true }),
    );
    expect(s3control).toHaveReceivedCommandWith(GetPublicAccessBlockCommand, { AccountId: ACCOUNT });
  });

  it('is null when the account has no Block Public Access', async () => {
    s3control
      .on(GetPublicAccessBlockCommand)
      .rejects(
        awsError(
          'NoSuchPublicAccessBlockConfiguration',
          'The public access block configuration was not found',
        ),
      );
    await expect(loadAccountPublicAccessBlock(new S3ControlClient({}), ACCOUNT)).resolves.toBeNull();
  });

  it('fails on anything else, naming the account', async () => {
    s3control.on(GetPublicAccessBlockCommand).rejects(awsError('AccessDenied', 'Access Denied'));
    await expect(loadAccountPublicAccessBlock(new S3ControlClient({}), ACCOUNT)).rejects.toThrow(
      'S3 Control GetPublicAccessBlock for account 123456789012 failed: AccessDenied: Access Denied',
    );
  });
});

describe('accountPublicAccessBlockLoader', () => {
  it('builds one client per account and Region, with the target credentials', async () => {
    s3control.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: {} });
    const create = vi.fn(() => new S3ControlClient({}));
    const load = accountPublicAccessBlockLoader(create);
    const credentials = async () => ({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret' });
    await load({ accountId: ACCOUNT, region: 'us-east-1' });
    await load({ accountId: ACCOUNT, region: 'us-east-1' });
    await load({ accountId: '111122223333', region: 'us-east-1', credentials });
    expect(create).toHaveBeenCalledTimes(2);
    expect(create).toHaveBeenNthCalledWith(1, 'us-east-1', undefined);
    expect(create).toHaveBeenNthCalledWith(2, 'us-east-1', credentials);
    expect(s3control).toHaveReceivedNthCommandWith(GetPublicAccessBlockCommand, 3, {
      AccountId: '111122223333',
    });
  });
});
