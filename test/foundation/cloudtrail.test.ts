import { describe, expect, it } from 'vitest';
import {
  actorOf,
  isOwnCall,
  parseCloudTrailEvent,
  selfIdentityFromEnv,
} from '../../shared/core/cloudtrail.ts';

/**
 * An EventBridge "AWS API Call via CloudTrail" event for an assumed-role caller, shaped as in the CloudTrail
 * User Guide ("CloudTrail userIdentity element", AssumedRole example with sessionContext.sessionIssuer).
 */
function event(roleName: string, sessionName = 'session') {
  return {
    version: '0',
    id: '6f87d04b-9f74-4f04-a780-7acf4b0a9b38',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ec2',
    account: '123456789012',
    time: '2026-11-01T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.08',
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLEID:session',
        arn: `arn:aws:sts::123456789012:assumed-role/${roleName}/${sessionName}`,
        accountId: '123456789012',
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAEXAMPLEID',
            arn: `arn:aws:iam::123456789012:role/${roleName}`,
            accountId: '123456789012',
            userName: roleName,
          },
        },
      },
      eventTime: '2026-11-01T10:00:00Z',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'AuthorizeSecurityGroupIngress',
      awsRegion: 'us-east-1',
      sourceIPAddress: '203.0.113.7',
      userAgent: 'aws-cli/2.15.0',
      requestParameters: { groupId: 'sg-1' },
      eventID: 'a1b2',
      recipientAccountId: '123456789012',
    },
  };
}

describe('isOwnCall', () => {
  const self = selfIdentityFromEnv({
    PLUMBLINE_SELF_ROLE_ARNS: 'arn:aws:iam::123456789012:role/plumbline-sg-drift-revert',
    PLUMBLINE_SELF_ROLE_NAMES: ' PlumblineExecution ',
  });

  it('recognises the responder role by session issuer ARN, and the member execution role by name', () => {
    expect(isOwnCall(parseCloudTrailEvent(event('plumbline-sg-drift-revert')).detail, self)).toBe(true);
    expect(isOwnCall(parseCloudTrailEvent(event('PlumblineExecution')).detail, self)).toBe(true);
  });

  it('does not mistake a person or another role for itself', () => {
    expect(isOwnCall(parseCloudTrailEvent(event('Admin')).detail, self)).toBe(false);
    expect(isOwnCall(parseCloudTrailEvent(event('Admin', 'PlumblineExecution')).detail, self)).toBe(false);
  });

  it('names who made the call', () => {
    expect(actorOf(parseCloudTrailEvent(event('Admin', 'alice')).detail)).toEqual({
      arn: 'arn:aws:sts::123456789012:assumed-role/Admin/alice',
      eventName: 'AuthorizeSecurityGroupIngress',
      sourceIp: '203.0.113.7',
      eventTime: '2026-11-01T10:00:00Z',
      userAgent: 'aws-cli/2.15.0',
    });
  });

  it('rejects an event that is not a CloudTrail API call, naming the field', () => {
    expect(() => parseCloudTrailEvent({ ...event('x'), 'detail-type': 'Scheduled Event' })).toThrow(
      /^Invalid CloudTrail event: event\.detail-type: /,
    );
    const { eventName: _dropped, ...detail } = event('x').detail;
    expect(() => parseCloudTrailEvent({ ...event('x'), detail })).toThrow(
      'Invalid CloudTrail event: event.detail.eventName: Invalid input: expected string, received undefined',
    );
  });
});
