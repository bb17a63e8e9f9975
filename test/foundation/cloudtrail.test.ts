import { describe, expect, it } from 'vitest';
import {
  actorOf,
  functionRoleArnsFromEnv,
  isOwnCall,
  parseCloudTrailEvent,
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

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';
const FUNCTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/plumbline/sg-drift-revert/plumbline-sg-drift-revert`;

/** The event of `event()` with another caller: `userIdentity` replaced, in `account`. */
function withIdentity(userIdentity: Record<string, unknown>, account = ACCOUNT) {
  const base = event('x');
  return parseCloudTrailEvent({
    ...base,
    account,
    detail: { ...base.detail, userIdentity, recipientAccountId: account },
  });
}

/** AssumedRole (CloudTrail User Guide, "CloudTrail userIdentity element", example with an assumed role). */
function assumedRole(issuerArn: string, accountId = ACCOUNT) {
  const name = issuerArn.split('/').pop() as string;
  return {
    type: 'AssumedRole',
    principalId: 'AROAIDPPEZS35WEXAMPLE:session',
    arn: `arn:aws:sts::${accountId}:assumed-role/${name}/session`,
    accountId,
    accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAIDPPEZS35WEXAMPLE',
        arn: issuerArn,
        accountId,
        userName: name,
      },
      webIdFederationData: {},
      attributes: { creationDate: '2026-11-01T09:58:00Z', mfaAuthenticated: 'false' },
    },
  };
}

describe('isOwnCall: exact role ARN and type, never a name', () => {
  const self = { roleArns: [FUNCTION_ROLE], executionRoleName: 'PlumblineExecution-sg-drift-revert' };

  it('recognises a session of the function role (exact ARN, path included)', () => {
    expect(isOwnCall(withIdentity(assumedRole(FUNCTION_ROLE)), self)).toBe(true);
  });

  it("recognises the member execution role in the event's own account", () => {
    const member = `arn:aws:iam::${OTHER_ACCOUNT}:role/PlumblineExecution-sg-drift-revert`;
    expect(isOwnCall(withIdentity(assumedRole(member, OTHER_ACCOUNT), OTHER_ACCOUNT), self)).toBe(true);
  });

  it('an IAM user named like the role is not the responder', () => {
    // CloudTrail User Guide, "CloudTrail userIdentity element": IAMUser example.
    const user = {
      type: 'IAMUser',
      principalId: 'AIDAJ45Q7YFFAREXAMPLE',
      arn: `arn:aws:iam::${ACCOUNT}:user/plumbline-sg-drift-revert`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      userName: 'plumbline-sg-drift-revert',
    };
    expect(isOwnCall(withIdentity(user), self)).toBe(false);
  });

  it('a federated user (GetFederationToken) of an IAM user named like the role is not the responder', () => {
    // CloudTrail User Guide, "CloudTrail userIdentity element": FederatedUser, session issued by an IAM user.
    const federated = {
      type: 'FederatedUser',
      principalId: `${ACCOUNT}:PlumblineExecution-sg-drift-revert`,
      arn: `arn:aws:sts::${ACCOUNT}:federated-user/PlumblineExecution-sg-drift-revert`,
      accountId: ACCOUNT,
      accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
      sessionContext: {
        sessionIssuer: {
          type: 'IAMUser',
          principalId: 'AIDAJ45Q7YFFAREXAMPLE',
          arn: `arn:aws:iam::${ACCOUNT}:user/PlumblineExecution-sg-drift-revert`,
          accountId: ACCOUNT,
          userName: 'PlumblineExecution-sg-drift-revert',
        },
        attributes: { creationDate: '2026-11-01T09:58:00Z', mfaAuthenticated: 'false' },
      },
    };
    expect(isOwnCall(withIdentity(federated), self)).toBe(false);
    // Even a forged issuer type "Role" with the right ARN does not count when the caller is not an AssumedRole.
    const forged = {
      ...federated,
      sessionContext: {
        sessionIssuer: { ...federated.sessionContext.sessionIssuer, type: 'Role', arn: FUNCTION_ROLE },
      },
    };
    expect(isOwnCall(withIdentity(forged), self)).toBe(false);
  });

  it('a role of the same name in another account is not the responder', () => {
    const foreignFunctionRole = FUNCTION_ROLE.replace(ACCOUNT, OTHER_ACCOUNT);
    expect(isOwnCall(withIdentity(assumedRole(foreignFunctionRole, OTHER_ACCOUNT)), self)).toBe(false);
    // The member role's name, but in an account other than the event's.
    const member = `arn:aws:iam::${OTHER_ACCOUNT}:role/PlumblineExecution-sg-drift-revert`;
    expect(isOwnCall(withIdentity(assumedRole(member, OTHER_ACCOUNT), ACCOUNT), self)).toBe(false);
  });

  it('a role with the same name under another path is not the responder', () => {
    const otherPath = `arn:aws:iam::${ACCOUNT}:role/attacker/plumbline-sg-drift-revert`;
    expect(isOwnCall(withIdentity(assumedRole(otherPath)), self)).toBe(false);
    const pathedMember = `arn:aws:iam::${ACCOUNT}:role/x/PlumblineExecution-sg-drift-revert`;
    expect(isOwnCall(withIdentity(assumedRole(pathedMember)), self)).toBe(false);
    expect(
      isOwnCall(withIdentity(assumedRole(`arn:aws:iam::${ACCOUNT}:role/plumbline-sg-drift-revert`)), self),
    ).toBe(false);
  });

  it('a session name or assumed-role ARN naming the role is not the responder', () => {
    expect(isOwnCall(parseCloudTrailEvent(event('Admin', 'PlumblineExecution-sg-drift-revert')), self)).toBe(
      false,
    );
    expect(
      isOwnCall(parseCloudTrailEvent(event('PlumblineExecution-sg-drift-revert')), { roleArns: [] }),
    ).toBe(false);
  });
});

describe('functionRoleArnsFromEnv', () => {
  it('reads the exact function role ARN', () => {
    expect(functionRoleArnsFromEnv({ PLUMBLINE_FUNCTION_ROLE_ARN: ` ${FUNCTION_ROLE} ` })).toEqual([
      FUNCTION_ROLE,
    ]);
    expect(functionRoleArnsFromEnv({})).toEqual([]);
  });

  it('refuses what is not a role ARN, naming the variable and the value', () => {
    expect(() =>
      functionRoleArnsFromEnv({ PLUMBLINE_FUNCTION_ROLE_ARN: 'plumbline-sg-drift-revert' }),
    ).toThrow(
      'Invalid environment variable PLUMBLINE_FUNCTION_ROLE_ARN="plumbline-sg-drift-revert": expected an IAM role ARN (arn:aws:iam::123456789012:role/path/name)',
    );
  });

  it('refuses the former name-based PLUMBLINE_SELF_ROLE_NAMES', () => {
    expect(() => functionRoleArnsFromEnv({ PLUMBLINE_SELF_ROLE_NAMES: 'PlumblineExecution' })).toThrow(
      'Invalid environment variable PLUMBLINE_SELF_ROLE_NAMES="PlumblineExecution": own calls are no longer recognised by role name (an IAM user or another account\'s role can take the name); remove it and set PLUMBLINE_FUNCTION_ROLE_ARN to the exact role ARN',
    );
  });
});

describe('actorOf and parseCloudTrailEvent', () => {
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
