/**
 * Parameters at deploy time: the rule parameters users change most and the responder modes are CloudFormation
 * parameters defaulting to the file's values. The templates are resolved here as CloudFormation would
 * (`Ref`, `Fn::Join`, `Fn::If` on the conditions, `AWS::NoValue`) for given parameter values, so that the tests
 * assert what AWS Config and the responders would receive: never a blank parameter value, and the same
 * values on both sides. Each mode is synthesised once.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_RULE_FUNCTIONS } from '../../infra/catalog.ts';
import {
  buildApp,
  type CfnTemplate,
  ORGANIZATION_CONTEXT,
  responderInputs,
  ruleInputs,
  workspace,
} from './support.ts';

const BLANK = {
  SecurityGroupBlockedPorts: '',
  RequiredTagsTag1Key: '',
  RequiredTagsTag1Value: '',
  PublicBucketExcludedPublicBuckets: '',
};

let account: CfnTemplate;
let organization: CfnTemplate;

/**
 * What every Config rule receives: `given`'s parameters for the rules it names, none for the others; in
 * organisation mode each rule's own member role as ExecutionRoleName besides.
 */
function expectedInputs(
  given: Record<string, Record<string, string>>,
  mode: 'account' | 'organization',
): Record<string, Record<string, string>> {
  return Object.fromEntries(
    CONFIG_RULE_FUNCTIONS.map((name) => [
      `plumbline-${name}`,
      {
        ...given[name],
        ...(mode === 'organization' ? { ExecutionRoleName: `PlumblineExecutionRole-${name}` } : {}),
      },
    ]),
  );
}

describe('parameters at deploy time', () => {
  beforeAll(() => {
    const templateOf = (context: Record<string, unknown>) =>
      Template.fromStack(buildApp(workspace(), context).stacks[0] as never).toJSON() as CfnTemplate;
    account = templateOf({});
    organization = templateOf(ORGANIZATION_CONTEXT);
  }, 300_000);

  it('each parameter defaults to the configuration file value, blank where the file sets none', () => {
    expect(
      Object.fromEntries(Object.entries(account.Parameters).map(([name, spec]) => [name, spec.Default])),
    ).toMatchObject({
      SecurityGroupBlockedPorts: '22,3389',
      RequiredTagsTag1Key: 'owner',
      RequiredTagsTag1Value: 'team-a, team-b',
      RequiredTagsTag2Key: '',
      RequiredTagsTag3Value: '',
      PublicBucketExcludedPublicBuckets: '',
      SgDriftRevertBlockedPortsMode: 'report',
      PublicBucketRemediateMode: 'report',
    });
    expect(account.Parameters.SgDriftRevertBlockedPortsMode?.AllowedValues).toEqual([
      'enforce',
      'report',
      'off',
    ]);
    expect(account.Parameters.PublicBucketRemediateMode?.AllowedValues).toEqual(['enforce', 'report']);
  });

  it('the allowed pattern takes empty or trimmed text without " or \\ (the values are spliced into JSON)', () => {
    const pattern = new RegExp(account.Parameters.SecurityGroupBlockedPorts?.AllowedPattern as string);
    for (const good of ['', '22', '22,3389,udp:161', 'team-a, team-b']) expect(pattern.test(good)).toBe(true);
    for (const bad of [' ', ' 22', '22 ', 'a"b', 'a\\b', '"']) expect(pattern.test(bad)).toBe(false);
  });

  it('account mode: the defaults reach the rules exactly as the file gives them', () => {
    expect(ruleInputs(account, {})).toEqual(
      expectedInputs(
        {
          'security-group': { blockedPorts: '22,3389' },
          'required-tags': { tag1Key: 'owner', tag1Value: 'team-a, team-b' },
        },
        'account',
      ),
    );
  });

  it('account mode: a changed value reaches the rule; a blank one is left out, never sent blank', () => {
    expect(
      ruleInputs(account, {
        ...BLANK,
        SecurityGroupBlockedPorts: '22,8080',
        RequiredTagsTag2Key: 'CostCenter',
      }),
    ).toEqual(
      expectedInputs(
        {
          'security-group': { blockedPorts: '22,8080' },
          'required-tags': { tag2Key: 'CostCenter' },
        },
        'account',
      ),
    );
  });

  it('organisation mode: the JSON string holds the values and ExecutionRoleName, never a blank value', () => {
    expect(ruleInputs(organization, {})).toEqual(
      expectedInputs(
        {
          'security-group': { blockedPorts: '22,3389' },
          'required-tags': { tag1Key: 'owner', tag1Value: 'team-a, team-b' },
        },
        'organization',
      ),
    );
    expect(ruleInputs(organization, {})['plumbline-public-bucket']).toEqual({
      ExecutionRoleName: 'PlumblineExecutionRole-public-bucket',
    });
    expect(ruleInputs(organization, { ...BLANK, PublicBucketExcludedPublicBuckets: 'logs,site' })).toEqual(
      expectedInputs({ 'public-bucket': { excludedPublicBuckets: 'logs,site' } }, 'organization'),
    );
  });

  it.each([
    ['account', () => account],
    ['organisation', () => organization],
  ])('%s mode: each responder reads the same values as its rule, and its mode', (_mode, template) => {
    const given = {
      SecurityGroupBlockedPorts: '22,8080',
      PublicBucketExcludedPublicBuckets: 'logs',
      SgDriftRevertBlockedPortsMode: 'enforce',
      S3VersioningEnableMode: 'enforce',
    };
    expect(responderInputs(template(), given)).toEqual({
      'plumbline-sg-drift-revert': {
        rules: { 'security-group': { blockedPorts: '22,8080' } },
        responders: { 'sg-drift-revert': { blockedPortsMode: 'enforce' } },
      },
      'plumbline-public-bucket-remediate': {
        rules: { 'public-bucket': { excludedPublicBuckets: 'logs' } },
        responders: { 'public-bucket-remediate': { mode: 'report' } },
      },
      // A rule without deploy-time parameters still names itself: the responder reads no value of it.
      'plumbline-rds-snapshot-private': {
        rules: { 'rds-snapshot-not-public': {} },
        responders: { 'rds-snapshot-private': { mode: 'report' } },
      },
      'plumbline-s3-versioning-enable': {
        rules: { 's3-versioning': {} },
        responders: { 's3-versioning-enable': { mode: 'enforce' } },
      },
    });
  });

  it('a file value that a parameter cannot carry fails the synth, naming the file, the rule and the value', () => {
    const space = workspace("rules:\n  required-tags:\n    tag1Key: owner\n    tag1Value: 'a\"b'\n");
    expect(() => buildApp(space)).toThrow(
      `${space.configFile}: rules.required-tags.tag1Value="a\\"b": a deploy-time parameter takes at most 2048 characters and no " or \\`,
    );
  }, 120_000);
});
