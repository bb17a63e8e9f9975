/**
 * Trust boundaries of the deployment (issue 13): who may assume the member roles, which member roles exist,
 * which accounts the organisation rules and the StackSet cover, who may invoke the functions and how much
 * concurrency each may take, the rule parameters Config receives, and the service principals the trail
 * bucket and the topic key admit. Each variant is synthesised once.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_FUNCTIONS, CONFIG_RULE_FUNCTIONS } from '../../infra/catalog.ts';
import {
  buildApp,
  type CfnTemplate,
  GLOBAL_RULES,
  ORGANIZATION_CONTEXT,
  ruleInputs,
  workspace,
} from './support.ts';

/** A suite configuration with blank parameters, as the shipped plumbline.config.yaml has. */
const BLANK_PARAMETERS_YAML = `rules:
  security-group:
    blockedPorts: "22,3389"
    authorizedUdpPorts: ""
  public-bucket:
    excludedPublicBuckets: ""
    publicAccess: any
  required-tags:
    tag1Key: owner
    tag1Value: "   "
`;

const ADMIN = '222222222222';
/** Each function's member role: `<executionRoleName>-<function>`. */
const memberRoleOf = (name: string) => `PlumblineExecutionRole-${name}`;
const MANAGEMENT = '333333333333';

let orgHome: Template;
let orgOther: Template;
let orgMember: Template;
let orgWithoutResponders: Template;
let memberWithoutResponders: Template;
let standaloneWithoutResponders: Template;
let orgManagementEvaluated: Template;
let account: Template;

function memberTemplateOf(template: Template): Template {
  const stackSet = Object.values(template.findResources('AWS::CloudFormation::StackSet'))[0] as {
    Properties: { TemplateBody: string };
  };
  return Template.fromJSON(JSON.parse(stackSet.Properties.TemplateBody));
}

function firstTemplate(context: Record<string, unknown>, yamlText?: string): Template[] {
  return buildApp(workspace(yamlText), context).stacks.map((stack) => Template.fromStack(stack));
}

beforeAll(() => {
  const [home, other] = firstTemplate(
    { ...ORGANIZATION_CONTEXT, 'plumbline:createTrail': true },
    BLANK_PARAMETERS_YAML,
  );
  if (!home || !other) throw new Error('expected two regional stacks');
  orgHome = home;
  orgOther = other;
  orgMember = memberTemplateOf(home);
  const single = { ...ORGANIZATION_CONTEXT, 'plumbline:regions': 'eu-west-1' };
  const [withoutResponders] = firstTemplate({ ...single, 'plumbline:responders': false });
  if (!withoutResponders) throw new Error('expected a stack');
  orgWithoutResponders = withoutResponders;
  memberWithoutResponders = memberTemplateOf(withoutResponders);
  const [standalone] = firstTemplate({
    ...single,
    'plumbline:responders': false,
    'plumbline:stacks': 'member',
  });
  if (!standalone) throw new Error('expected a member stack');
  standaloneWithoutResponders = standalone;
  const [managementEvaluated] = firstTemplate({ ...single, 'plumbline:evaluateManagementAccount': true });
  if (!managementEvaluated) throw new Error('expected a stack');
  orgManagementEvaluated = managementEvaluated;
  const [accountStack] = firstTemplate({ 'plumbline:createTrail': true }, BLANK_PARAMETERS_YAML);
  if (!accountStack) throw new Error('expected a stack');
  account = accountStack;
}, 600_000);

type Json = unknown;

/**
 * A CloudFormation value as a string, with `Ref`s (and `Fn::Sub`'s `${…}`) replaced from `refs` (`Fn::Join`,
 * `Fn::Sub` without variables, and literals only).
 */
function resolve(value: Json, refs: Record<string, string>): string {
  if (typeof value === 'string') return value;
  const object = value as { Ref?: string; 'Fn::Join'?: [string, Json[]]; 'Fn::Sub'?: Json };
  const refTo = (name: string) => {
    const resolved = refs[name];
    if (resolved === undefined) throw new Error(`no value for Ref ${name}`);
    return resolved;
  };
  if (object.Ref !== undefined) return refTo(object.Ref);
  const join = object['Fn::Join'];
  if (join) return join[1].map((part) => resolve(part, refs)).join(join[0]);
  const sub = object['Fn::Sub'];
  if (typeof sub === 'string') return sub.replace(/\$\{([^}]+)\}/g, (_match, name: string) => refTo(name));
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

interface RoleResource {
  Properties: {
    RoleName: string;
    Path?: string;
    AssumeRolePolicyDocument: { Statement: { Condition?: Record<string, Record<string, Json>> }[] };
    Policies?: { PolicyDocument: { Statement: { Action: string | string[] }[] } }[];
  };
}

const rolesOf = (template: Template) =>
  Object.values(template.findResources('AWS::IAM::Role')) as RoleResource[];

/** Each member role: its name and the principal ARNs it trusts, as deployed by the StackSet (admin = ADMIN). */
function memberTrust(template: Template): Record<string, { operators: string[]; arns: string[] }> {
  const refs = { 'AWS::Partition': 'aws', AdminAccountId: ADMIN };
  return Object.fromEntries(
    rolesOf(template)
      .filter((role) => role.Properties.RoleName?.startsWith('PlumblineExecutionRole'))
      .map((role) => {
        const [statement] = role.Properties.AssumeRolePolicyDocument.Statement;
        const condition = statement?.Condition ?? {};
        const trusted = (condition.ArnEquals?.['aws:PrincipalArn'] ?? []) as Json[];
        return [
          role.Properties.RoleName,
          { operators: Object.keys(condition), arns: trusted.map((arn) => resolve(arn, refs)) },
        ];
      }),
  );
}

/** The function roles of an administrator stack: their ARNs, as IAM will form them, by function. */
function functionRoleArns(template: Template): Record<string, string> {
  return Object.fromEntries(
    rolesOf(template)
      .filter((role) => role.Properties.Path?.startsWith('/plumbline/'))
      .map((role) => {
        const name = role.Properties.Path?.split('/')[2] as string;
        return [
          name,
          `arn:aws:iam::${ADMIN}:role${role.Properties.Path}${resolve(role.Properties.RoleName, {})}`,
        ];
      }),
  );
}

describe('member roles trust exactly the function roles (issue 13, point 4)', () => {
  it('every member role trusts by ArnEquals on exact ARNs: no ArnLike, no wildcard', () => {
    const trust = memberTrust(orgMember);
    // One member role per function: none is shared.
    expect(Object.keys(trust).sort()).toEqual(ALL_FUNCTIONS.map(memberRoleOf).sort());
    for (const { operators, arns } of Object.values(trust)) {
      expect(operators).toEqual(['ArnEquals']);
      expect(arns.length).toBeGreaterThan(0);
      for (const arn of arns) expect(arn).not.toMatch(/[*?]/);
    }
  });

  it('the function roles are named, so their ARNs are known at synth, one per function and region that deploys it', () => {
    for (const [template, region, functions] of [
      [orgHome, 'eu-west-1', ALL_FUNCTIONS],
      // A rule of global resources (IAM, the account) runs in the home region only.
      [orgOther, 'us-east-1', ALL_FUNCTIONS.filter((name) => !GLOBAL_RULES.includes(name))],
    ] as const) {
      expect(functionRoleArns(template)).toEqual(
        Object.fromEntries(
          functions.map((name) => [
            name,
            `arn:aws:iam::${ADMIN}:role/plumbline/${name}/plumbline-${name}-${region}`,
          ]),
        ),
      );
    }
  });

  it.each(ALL_FUNCTIONS)(
    '%s: its member role trusts exactly its function role in each region that deploys it, and nothing else',
    (name) => {
      const deployed = [functionRoleArns(orgHome)[name], functionRoleArns(orgOther)[name]].filter(
        (arn) => arn !== undefined,
      );
      expect(deployed).toHaveLength(GLOBAL_RULES.includes(name) ? 1 : 2);
      expect(memberTrust(orgMember)[memberRoleOf(name)]?.arns.sort()).toEqual(deployed.sort());
    },
  );

  it('the StackSet passes the administrator account as AdminAccountId', () => {
    orgHome.hasResourceProperties('AWS::CloudFormation::StackSet', {
      Parameters: [{ ParameterKey: 'AdminAccountId', ParameterValue: { Ref: 'AWS::AccountId' } }],
    });
  });
});

describe('without the responders, no write-capable member role (issue 13, point 5)', () => {
  const writeActions = /^(ec2:(Authorize|Revoke)|s3:Put)/;

  it.each([
    ['the StackSet member template', () => memberWithoutResponders],
    ['the stand-alone member stack', () => standaloneWithoutResponders],
  ])(
    '%s holds only the rule functions’ roles and the notifier role, and no write action',
    (_where, template) => {
      expect(Object.keys(memberTrust(template())).sort()).toEqual(
        [...CONFIG_RULE_FUNCTIONS, 'compliance-notifier'].map(memberRoleOf).sort(),
      );
      const actions = rolesOf(template()).flatMap((role) =>
        (role.Properties.Policies ?? []).flatMap((policy) =>
          policy.PolicyDocument.Statement.flatMap((statement) => statement.Action),
        ),
      );
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.filter((action) => writeActions.test(action))).toEqual([]);
    },
  );

  it('the administrator stack deploys no responder either', () => {
    orgWithoutResponders.resourceCountIs('AWS::Lambda::Function', CONFIG_RULE_FUNCTIONS.length + 1);
  });
});

describe('the organisation rules and the member roles cover the same accounts (issue 13, point 6)', () => {
  it('the rules skip the excluded accounts and the management account; the StackSet skips the excluded accounts', () => {
    const rules = Object.values(orgHome.findResources('AWS::Config::OrganizationConfigRule')) as {
      Properties: { ExcludedAccounts: string[] };
    }[];
    expect(rules).toHaveLength(CONFIG_RULE_FUNCTIONS.length);
    for (const rule of rules) expect(rule.Properties.ExcludedAccounts).toEqual(['111111111111', MANAGEMENT]);
    orgHome.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackInstancesGroup: [
        Match.objectLike({
          DeploymentTargets: {
            OrganizationalUnitIds: ['r-ab12', 'ou-ab12-cdef5678'],
            Accounts: ['111111111111'],
            AccountFilterType: 'DIFFERENCE',
          },
        }),
      ],
    });
  });

  it('evaluateManagementAccount=true: the rules evaluate the management account (its member stacks come from stacks=member)', () => {
    const rules = Object.values(
      orgManagementEvaluated.findResources('AWS::Config::OrganizationConfigRule'),
    ) as {
      Properties: { ExcludedAccounts: string[] };
    }[];
    expect(rules).toHaveLength(CONFIG_RULE_FUNCTIONS.length);
    for (const rule of rules) expect(rule.Properties.ExcludedAccounts).toEqual(['111111111111']);
  });
});

describe('invocation and concurrency (issue 13, point 7)', () => {
  it.each([
    ['account mode', () => account],
    ['organisation mode', () => orgHome],
  ])(
    '%s: every function has reserved concurrency (rules 20, responders and notifier 10)',
    (_mode, template) => {
      const functions = Object.values(template().findResources('AWS::Lambda::Function')) as {
        Properties: { FunctionName: string; ReservedConcurrentExecutions?: number };
      }[];
      expect(functions).toHaveLength(ALL_FUNCTIONS.length);
      for (const fn of functions) {
        const rule = CONFIG_RULE_FUNCTIONS.includes(fn.Properties.FunctionName.replace('plumbline-', ''));
        expect([fn.Properties.FunctionName, fn.Properties.ReservedConcurrentExecutions]).toEqual([
          fn.Properties.FunctionName,
          rule ? 20 : 10,
        ]);
      }
    },
  );

  it('organisation mode: Config may invoke the rule functions with no PrincipalOrgID (it would refuse the service principal)', () => {
    const permissions = Object.values(orgHome.findResources('AWS::Lambda::Permission')) as {
      Properties: Record<string, unknown>;
    }[];
    const configPermissions = permissions.filter(
      (permission) => permission.Properties.Principal === 'config.amazonaws.com',
    );
    expect(configPermissions).toHaveLength(CONFIG_RULE_FUNCTIONS.length);
    for (const permission of configPermissions) {
      expect(Object.keys(permission.Properties).sort()).toEqual(['Action', 'FunctionName', 'Principal']);
    }
  });
});

describe('no blank rule parameter reaches AWS Config (issue 13, point 8)', () => {
  it('account mode: every InputParameters value is non-blank; blank ones are left out, the others kept', () => {
    // As AWS Config receives them: the deploy-time parameters resolved with their defaults (the file's values).
    const kept: Record<string, Record<string, string>> = {
      'security-group': { blockedPorts: '22,3389' },
      'public-bucket': { publicAccess: 'any' },
      'required-tags': { tag1Key: 'owner' },
    };
    expect(ruleInputs(account.toJSON() as CfnTemplate, {})).toEqual(
      Object.fromEntries(CONFIG_RULE_FUNCTIONS.map((name) => [`plumbline-${name}`, kept[name] ?? {}])),
    );
  });

  it('organisation mode: the InputParameters JSON string holds no blank value', () => {
    const rules = ruleInputs(orgHome.toJSON() as CfnTemplate, {}) as Record<string, Record<string, string>>;
    expect(Object.keys(rules).sort()).toEqual(
      CONFIG_RULE_FUNCTIONS.map((name) => `plumbline-${name}`).sort(),
    );
    for (const name of CONFIG_RULE_FUNCTIONS) {
      const parameters = rules[`plumbline-${name}`] ?? {};
      for (const value of Object.values(parameters)) expect(value.trim()).not.toBe('');
      expect(parameters.ExecutionRoleName).toBe(memberRoleOf(name));
    }
  });
});

describe('service principals act for this account only (issue 13, point 9)', () => {
  const cloudTrailStatements = (template: Template) => {
    const trail = Object.values(template.findResources('AWS::CloudTrail::Trail'))[0] as {
      Properties: { S3BucketName: { Ref: string }; TrailName: string };
    };
    const policy = Object.values(
      template.findResources('AWS::S3::BucketPolicy', {
        Properties: { Bucket: trail.Properties.S3BucketName },
      }),
    )[0] as { Properties: { PolicyDocument: { Statement: Record<string, Json>[] } } };
    return {
      trailName: trail.Properties.TrailName,
      statements: policy.Properties.PolicyDocument.Statement.filter(
        (statement) => JSON.stringify(statement.Principal) === '{"Service":"cloudtrail.amazonaws.com"}',
      ),
    };
  };

  it.each([
    ['account mode', () => account, '111122223333', ['AWSCloudTrailAclCheck', 'AWSCloudTrailWrite']],
    [
      'organisation mode (the management account owns an organisation trail)',
      () => orgHome,
      MANAGEMENT,
      ['AWSCloudTrailAclCheck', 'AWSCloudTrailWrite', 'AWSCloudTrailOrganizationWrite'],
    ],
  ])(
    '%s: CloudTrail may check and write the trail bucket only for this trail (aws:SourceArn, aws:SourceAccount)',
    (_mode, template, owner, sids) => {
      const { trailName, statements } = cloudTrailStatements(template());
      expect(statements.map((statement) => statement.Sid)).toEqual(sids);
      const refs = {
        'AWS::Partition': 'aws',
        'AWS::Region': 'eu-west-1',
        'AWS::AccountId': '111122223333',
      };
      for (const statement of statements) {
        const equals = (statement.Condition as { StringEquals: Record<string, Json> }).StringEquals;
        expect(resolve(equals['aws:SourceAccount'], refs)).toBe(owner);
        expect(resolve(equals['aws:SourceArn'], refs)).toBe(
          `arn:aws:cloudtrail:eu-west-1:${owner}:trail/${trailName}`,
        );
      }
    },
  );

  it.each([
    ['account mode', () => account],
    ['organisation mode', () => orgHome],
  ])('%s: the topic key lets CloudWatch use it for this account only', (_mode, template) => {
    template().hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ]),
      },
    });
  });
});
