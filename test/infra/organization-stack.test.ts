/**
 * Organisation mode: the administrator account's regional stacks (functions, organisation Config rules,
 * central bus, StackSet) and the member template (roles, forwarding rules) the StackSet deploys.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_FUNCTIONS,
  CONFIG_RULE_FUNCTIONS,
  EVENT_PATTERNS,
  eventFunctions,
  isPeriodicOnly,
} from '../../infra/catalog.ts';
import {
  arnOf,
  buildApp,
  type CfnTemplate,
  functionLogicalId,
  GLOBAL_RULES,
  logicalId,
  ORGANIZATION_CONTEXT,
  PERIODIC_ONLY_RULES,
  RULE_READ_ACTIONS,
  readStatements,
  refTo,
  ruleInputs,
  TEST_SUITE_PARAMETERS,
  testSuiteScope,
  triggersOf,
  workspace,
} from './support.ts';

let home: Template;
let other: Template;
let member: Template;
let standalone: Template;
let stackNames: string[];
let memberStackNames: string[];
let dependencies: Record<string, string[]>;
let templateBodyLength: number;
let listHome: Template;
let listMember: Template;

beforeAll(() => {
  const built = buildApp(workspace(), { ...ORGANIZATION_CONTEXT, 'plumbline:createTrail': 'true' });
  stackNames = built.stacks.map((stack) => stack.stackName);
  dependencies = Object.fromEntries(
    built.stacks.map((stack) => [
      stack.stackName,
      stack.dependencies.map((dependency) => dependency.stackName),
    ]),
  );
  const [first, second] = built.stacks;
  if (!first || !second) throw new Error('expected two stacks');
  home = Template.fromStack(first);
  other = Template.fromStack(second);
  const members = buildApp(workspace(), { ...ORGANIZATION_CONTEXT, 'plumbline:stacks': 'member' });
  memberStackNames = members.stacks.map((stack) => stack.stackName);
  const [firstMember] = members.stacks;
  if (!firstMember) throw new Error('expected member stacks');
  standalone = Template.fromStack(firstMember);
  const stackSet = Object.values(home.findResources('AWS::CloudFormation::StackSet'))[0] as {
    Properties: { TemplateBody: string };
  };
  templateBodyLength = stackSet.Properties.TemplateBody.length;
  member = Template.fromJSON(JSON.parse(stackSet.Properties.TemplateBody));
  const [listFirst] = buildApp(workspace(), {
    ...ORGANIZATION_CONTEXT,
    'plumbline:inventory': 'list',
  }).stacks;
  if (!listFirst) throw new Error('expected a stack');
  listHome = Template.fromStack(listFirst);
  listMember = memberTemplateOf(listHome);
}, 300_000);

function memberTemplateOf(template: Template): Template {
  const stackSet = Object.values(template.findResources('AWS::CloudFormation::StackSet'))[0] as {
    Properties: { TemplateBody: string };
  };
  return Template.fromJSON(JSON.parse(stackSet.Properties.TemplateBody));
}

const RULE_FUNCTIONS = CONFIG_RULE_FUNCTIONS;
const EVENT_FUNCTIONS = eventFunctions(true);
/** Each function's member role: `<executionRoleName>-<function>`. */
const memberRoleOf = (name: string) => `PlumblineExecutionRole-${name}`;
/** The function's own dead-letter queue: its Lambda on-failure destination. */
const queueOf = (template: Template, name: string) => {
  const [config] = Object.values(
    template.findResources('AWS::Lambda::EventInvokeConfig', {
      Properties: { FunctionName: refTo(functionLogicalId(template, name)) },
    }),
  ) as { Properties: { DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [string] } } } } }[];
  if (!config) throw new Error(`no invoke config for ${name}`);
  return config.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0];
};
const variablesOf = (template: Template, name: string) =>
  (
    Object.values(
      template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: `plumbline-${name}` } }),
    )[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } }
  ).Properties.Environment.Variables;
const roleOf = (template: Template, name: string) =>
  logicalId(template, 'AWS::IAM::Role', { Path: `/plumbline/${name}/` });
const statementsOf = (template: Template, name: string) => {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [refTo(roleOf(template, name))] },
  });
  return (Object.values(policies)[0] as { Properties: { PolicyDocument: { Statement: unknown[] } } })
    .Properties.PolicyDocument.Statement;
};
const assumeStatement = (roleName: string) => ({
  Effect: 'Allow',
  Action: 'sts:AssumeRole',
  Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::*:role/${roleName}`]] },
  Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } },
});

describe('organisation mode: the administrator account', () => {
  it('one stack per region, the first (which owns the StackSet) deployed first', () => {
    expect(stackNames).toEqual(['PlumblineOrg-eu-west-1', 'PlumblineOrg-us-east-1']);
    expect(dependencies).toEqual({
      'PlumblineOrg-eu-west-1': [],
      'PlumblineOrg-us-east-1': ['PlumblineOrg-eu-west-1'],
    });
  });

  it('only the home region owns the StackSet and the organisation trail', () => {
    home.resourceCountIs('AWS::CloudFormation::StackSet', 1);
    other.resourceCountIs('AWS::CloudFormation::StackSet', 0);
    home.resourceCountIs('AWS::CloudTrail::Trail', 1);
    other.resourceCountIs('AWS::CloudTrail::Trail', 0);
    for (const [template, functions] of [
      [home, ALL_FUNCTIONS.length],
      // The rules of global resources (IAM, the account) run in the home region only.
      [other, ALL_FUNCTIONS.length - GLOBAL_RULES.length],
    ] as const) {
      // Each function alarms on its errors and its dead letters.
      template.resourceCountIs('AWS::Lambda::Function', functions);
      template.resourceCountIs('AWS::Config::OrganizationConfigRule', functions - EVENT_FUNCTIONS.length);
      template.resourceCountIs('AWS::Config::ConfigRule', 0);
      template.resourceCountIs('AWS::Events::EventBus', 1);
      template.resourceCountIs('AWS::Events::Rule', EVENT_FUNCTIONS.length);
      template.resourceCountIs('AWS::CloudWatch::Alarm', 2 * functions);
      template.resourceCountIs('AWS::Config::ConfigurationRecorder', 0);
    }
  });

  it('the StackSet deploys the member template to the OUs and regions, automatically, for new accounts too', () => {
    home.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'plumbline-member',
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'DELEGATED_ADMIN',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      ManagedExecution: { Active: true },
      OperationPreferences: {
        RegionConcurrencyType: 'PARALLEL',
        MaxConcurrentPercentage: 25,
        FailureTolerancePercentage: 10,
      },
      Parameters: [{ ParameterKey: 'AdminAccountId', ParameterValue: { Ref: 'AWS::AccountId' } }],
      StackInstancesGroup: [
        {
          // The excluded accounts get no member stack, as the organisation rules skip them.
          DeploymentTargets: {
            OrganizationalUnitIds: ['r-ab12', 'ou-ab12-cdef5678'],
            Accounts: ['111111111111'],
            AccountFilterType: 'DIFFERENCE',
          },
          Regions: ['eu-west-1', 'us-east-1'],
        },
      ],
      TemplateBody: Match.stringLikeRegexp('"AdminAccountId"'),
    });
    // CloudFormation's TemplateBody limit.
    expect(templateBodyLength).toBeLessThanOrEqual(51_200);
  });

  it.each(RULE_FUNCTIONS)(
    'organisation rule plumbline-%s: its triggers and scope, parameters plus its own ExecutionRoleName, after the StackSet',
    (name) => {
      const fn = functionLogicalId(home, name);
      const permission = logicalId(home, 'AWS::Lambda::Permission', {
        FunctionName: arnOf(fn),
        Principal: 'config.amazonaws.com',
      });
      const stackSet = logicalId(home, 'AWS::CloudFormation::StackSet', {});
      const rule = Object.values(
        home.findResources('AWS::Config::OrganizationConfigRule', {
          Properties: { OrganizationConfigRuleName: `plumbline-${name}` },
        }),
      )[0] as {
        DependsOn: string[];
      };
      expect(rule.DependsOn.sort()).toEqual([permission, stackSet].sort());
      // As AWS Config receives it: the JSON string resolved with the deploy-time parameters' defaults.
      expect(ruleInputs(home.toJSON() as CfnTemplate, {})[`plumbline-${name}`]).toEqual({
        ...TEST_SUITE_PARAMETERS[name],
        ExecutionRoleName: memberRoleOf(name),
      });
      home.hasResourceProperties('AWS::Config::OrganizationConfigRule', {
        OrganizationConfigRuleName: `plumbline-${name}`,
        // excludedAccounts, and the management account (no StackSet reaches it).
        ExcludedAccounts: ['111111111111', '333333333333'],
        OrganizationCustomRuleMetadata: {
          LambdaFunctionArn: arnOf(fn),
          OrganizationConfigRuleTriggerTypes: triggersOf(name),
          // A periodic-only rule has no scope: its schedule is not filtered by resource type.
          ResourceTypesScope: isPeriodicOnly(name) ? Match.absent() : testSuiteScope(name),
          MaximumExecutionFrequency: 'TwentyFour_Hours',
          Description: Match.stringLikeRegexp('^Plumbline: '),
        },
      });
      // Config invokes it on behalf of every member account: no single source account can be named.
      home.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: arnOf(fn),
        Principal: 'config.amazonaws.com',
        SourceAccount: Match.absent(),
      });
    },
  );

  it('the periodic-only rules (the IAM ones) are triggered by the schedule alone, with no scope', () => {
    expect(PERIODIC_ONLY_RULES.length).toBeGreaterThan(0);
    for (const name of PERIODIC_ONLY_RULES) {
      const [rule, ...more] = Object.values(
        home.findResources('AWS::Config::OrganizationConfigRule', {
          Properties: { OrganizationConfigRuleName: `plumbline-${name}` },
        }),
      ) as { Properties: { OrganizationCustomRuleMetadata: Record<string, unknown> } }[];
      expect(more).toEqual([]);
      expect(rule?.Properties.OrganizationCustomRuleMetadata).toEqual({
        Description: expect.stringMatching(/^Plumbline: /),
        LambdaFunctionArn: arnOf(functionLogicalId(home, name)),
        OrganizationConfigRuleTriggerTypes: ['ScheduledNotification'],
        // Only its own member role: the IAM rules take no parameter.
        InputParameters: JSON.stringify({ ExecutionRoleName: memberRoleOf(name) }),
        MaximumExecutionFrequency: 'TwentyFour_Hours',
      });
    }
  });

  it('the rules of global resources (IAM users, the account) and their functions are in the home region only: each account judged once', () => {
    expect(GLOBAL_RULES.length).toBeGreaterThan(0);
    const names = (template: Template, type: string, property: string) =>
      (Object.values(template.findResources(type)) as { Properties: Record<string, unknown> }[])
        .map((resource) => resource.Properties[property])
        .sort();
    expect(names(home, 'AWS::Config::OrganizationConfigRule', 'OrganizationConfigRuleName')).toEqual(
      RULE_FUNCTIONS.map((name) => `plumbline-${name}`).sort(),
    );
    expect(names(other, 'AWS::Config::OrganizationConfigRule', 'OrganizationConfigRuleName')).toEqual(
      RULE_FUNCTIONS.filter((name) => !GLOBAL_RULES.includes(name))
        .map((name) => `plumbline-${name}`)
        .sort(),
    );
    expect(names(other, 'AWS::Lambda::Function', 'FunctionName')).toEqual(
      ALL_FUNCTIONS.filter((name) => !GLOBAL_RULES.includes(name))
        .map((name) => `plumbline-${name}`)
        .sort(),
    );
  });

  it('the other regions’ rules do not wait on a StackSet of their own', () => {
    const rules = Object.values(other.findResources('AWS::Config::OrganizationConfigRule')) as {
      DependsOn: string[];
    }[];
    for (const rule of rules) expect(rule.DependsOn).toHaveLength(1);
  });

  it.each(RULE_FUNCTIONS)(
    '%s: its role can only write logs, dead-letter, and assume its own member role inside the organisation',
    (name) => {
      for (const template of GLOBAL_RULES.includes(name) ? [home] : [home, other]) {
        const statements = statementsOf(template, name);
        expect(statements).toHaveLength(3);
        expect(statements[2]).toEqual(assumeStatement(memberRoleOf(name)));
      }
    },
  );

  it.each(EVENT_FUNCTIONS)(
    '%s: assumes its own member role; environment names it for the recursion guard',
    (name) => {
      const memberRole = memberRoleOf(name);
      expect(statementsOf(home, name)).toContainEqual(assumeStatement(memberRole));
      const variables: Record<string, unknown> = {
        PLUMBLINE_EXECUTION_ROLE_NAME: memberRole,
        PLUMBLINE_TOPIC_ARN: refTo(logicalId(home, 'AWS::SNS::Topic', {})),
      };
      variables.PLUMBLINE_RULE_PREFIX = 'plumbline-';
      if (name !== 'compliance-notifier') {
        variables.PLUMBLINE_FUNCTION_ROLE_ARN = arnOf(roleOf(home, name));
      }
      home.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `plumbline-${name}`,
        Environment: { Variables: Match.objectLike(variables) },
      });
    },
  );

  it('the central bus accepts events from the organisation only', () => {
    const bus = logicalId(home, 'AWS::Events::EventBus', { Name: 'plumbline' });
    home.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: refTo(bus),
      StatementId: 'OrganizationAccountsForwardEvents',
      Statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: arnOf(bus),
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      },
    });
  });

  it.each(EVENT_FUNCTIONS)(
    '%s: triggered from the central bus with exactly its pattern, retries and its own DLQ',
    (name) => {
      for (const template of [home, other]) {
        const bus = logicalId(template, 'AWS::Events::EventBus', { Name: 'plumbline' });
        const fn = functionLogicalId(template, name);
        const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((rule) =>
          JSON.stringify((rule as { Properties: { Targets: unknown } }).Properties.Targets).includes(
            `"${fn}"`,
          ),
        ) as { Properties: Record<string, unknown> }[];
        expect(rules).toHaveLength(1);
        expect(rules[0]?.Properties).toEqual({
          Description: `Invokes plumbline-${name} for events forwarded from the organisation's accounts`,
          EventBusName: refTo(bus),
          EventPattern: EVENT_PATTERNS[name],
          State: 'ENABLED',
          Tags: [{ Key: 'plumbline:component', Value: 'plumbline' }],
          Targets: [
            {
              Arn: arnOf(fn),
              Id: 'Target0',
              DeadLetterConfig: { Arn: arnOf(queueOf(template, name)) },
              RetryPolicy: { MaximumRetryAttempts: 24, MaximumEventAgeInSeconds: 7200 },
            },
          ],
        });
      }
    },
  );

  it('each event function has a dead-letter queue of its own', () => {
    const queues = EVENT_FUNCTIONS.map((name) => queueOf(home, name));
    expect(new Set(queues).size).toBe(EVENT_FUNCTIONS.length);
    for (const queue of queues) expect(home.toJSON().Resources[queue].Type).toBe('AWS::SQS::Queue');
  });

  it("the topic policy denies publishing without TLS and lets CloudWatch publish for this account's alarms only", () => {
    for (const [template, region] of [
      [home, 'eu-west-1'],
      [other, 'us-east-1'],
    ] as const) {
      const topic = refTo(logicalId(template, 'AWS::SNS::Topic', {}));
      const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as {
        Properties: unknown;
      }[];
      expect(policies).toHaveLength(1);
      expect(policies[0]?.Properties).toEqual({
        Topics: [topic],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'AllowPublishThroughSSLOnly',
              Action: 'sns:Publish',
              Effect: 'Deny',
              Principal: '*',
              Resource: topic,
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
            {
              Sid: 'AllowCloudWatchAlarmsToPublish',
              Action: 'sns:Publish',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Resource: topic,
              Condition: {
                StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
                ArnLike: {
                  'aws:SourceArn': {
                    'Fn::Join': [
                      '',
                      [
                        'arn:',
                        { Ref: 'AWS::Partition' },
                        `:cloudwatch:${region}:`,
                        { Ref: 'AWS::AccountId' },
                        ':alarm:*',
                      ],
                    ],
                  },
                },
              },
            },
          ],
        },
      });
    }
  });

  it.each(RULE_FUNCTIONS)(
    '%s: reads the inventory with select by default; with inventory=list, told so (its role is unchanged)',
    (name) => {
      expect(variablesOf(home, name).PLUMBLINE_INVENTORY).toBe('select');
      expect(variablesOf(listHome, name).PLUMBLINE_INVENTORY).toBe('list');
      // The grants are the member role's: the function itself still only assumes it.
      const statements = statementsOf(listHome, name);
      expect(statements).toHaveLength(3);
      expect(statements[2]).toEqual(assumeStatement(memberRoleOf(name)));
    },
  );

  it('creates an organisation trail whose bucket accepts the organisation path', () => {
    home.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: 'plumbline-organization',
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
    });
    const trail = Object.values(home.findResources('AWS::CloudTrail::Trail'))[0] as {
      Properties: { S3BucketName: { Ref: string } };
    };
    home.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: trail.Properties.S3BucketName,
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:PutObject',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Resource: {
              'Fn::Join': ['', [arnOf(trail.Properties.S3BucketName.Ref), '/AWSLogs/o-a1b2c3d4e5/*']],
            },
          }),
        ]),
      },
    });
  });
});

describe('organisation mode: the member template', () => {
  const roles = ALL_FUNCTIONS.map((name) => [memberRoleOf(name), name] as const);

  it('takes the administrator account as a parameter and creates IAM roles in the home region only', () => {
    member.hasParameter('AdminAccountId', { Type: 'String', AllowedPattern: '^\\d{12}$' });
    expect(Object.keys(member.toJSON().Parameters)).toEqual(['AdminAccountId']);
    member.hasCondition('IsHomeRegion', { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] });
    // A member role per function, and the forwarding role.
    member.resourceCountIs('AWS::IAM::Role', ALL_FUNCTIONS.length + 1);
    member.resourceCountIs('AWS::CDK::Metadata', 0);
  });

  it.each(roles)(
    '%s: trusts exactly the administrator account roles of %s, one per region that deploys it, by ARN',
    (roleName, name) => {
      // A global rule's function exists in the home region only.
      const regions = GLOBAL_RULES.includes(name) ? ['eu-west-1'] : ['eu-west-1', 'us-east-1'];
      member.hasResource('AWS::IAM::Role', {
        Condition: 'IsHomeRegion',
        Properties: {
          RoleName: roleName,
          AssumeRolePolicyDocument: {
            Statement: [
              {
                Action: 'sts:AssumeRole',
                Effect: 'Allow',
                Principal: {
                  AWS: {
                    'Fn::Join': [
                      '',
                      ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AdminAccountId' }, ':root'],
                    ],
                  },
                },
                Condition: {
                  ArnEquals: {
                    'aws:PrincipalArn': regions.map((region) => ({
                      'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AdminAccountId}:role/plumbline/${name}/plumbline-${name}-${region}`,
                    })),
                  },
                },
              },
            ],
          },
        },
      });
    },
  );

  const policyOf = (roleName: string, template = member) =>
    (
      Object.values(template.findResources('AWS::IAM::Role', { Properties: { RoleName: roleName } }))[0] as {
        Properties: {
          Policies: { PolicyName: string; PolicyDocument: { Statement: { Action: string | string[] }[] } }[];
        };
      }
    ).Properties.Policies;

  it.each(
    (
      [
        ['select', () => member, ['config:SelectResourceConfig']],
        ['list', () => listMember, ['config:ListDiscoveredResources', 'config:BatchGetResourceConfig']],
      ] as const
    ).flatMap(([inventory, template, inventoryActions]) =>
      RULE_FUNCTIONS.map((name) => [inventory, name, template, inventoryActions] as const),
    ),
  )(
    'inventory %s: %s’s member role reads Config with that strategy only, writes evaluations (any region of the member account), and reads only what its rule declares',
    (_inventory, name, template, inventoryActions) => {
      const [policy, ...others] = policyOf(memberRoleOf(name), template());
      expect(others).toEqual([]);
      expect(policy?.PolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Action: ['config:PutEvaluations', 'config:GetResourceConfigHistory', ...inventoryActions],
          Resource: '*',
        },
        {
          Effect: 'Allow',
          Action: 'config:GetComplianceDetailsByConfigRule',
          Resource: {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':config:*:', { Ref: 'AWS::AccountId' }, ':config-rule/*'],
            ],
          },
        },
        ...readStatements(name),
      ]);
    },
  );

  it('only the IAM rules’ member roles may read IAM, each exactly its rule’s reads', () => {
    const iamActions = Object.fromEntries(
      ALL_FUNCTIONS.map((name) => [
        name,
        policyOf(memberRoleOf(name))
          .flatMap((policy) => policy.PolicyDocument.Statement.flatMap((statement) => statement.Action))
          .filter((action) => action.startsWith('iam:')),
      ]),
    );
    expect(
      Object.fromEntries(Object.entries(iamActions).filter(([, actions]) => actions.length > 0)),
    ).toEqual({
      'iam-user-mfa': RULE_READ_ACTIONS['iam-user-mfa'],
      'iam-console-mfa': RULE_READ_ACTIONS['iam-console-mfa'],
      'root-mfa': ['iam:GetAccountSummary'],
    });
  });

  it('each responder role holds only that responder’s actions; the notifier’s only LookupEvents and the name lookup', () => {
    const actions = (roleName: string) =>
      policyOf(roleName).flatMap((policy) =>
        policy.PolicyDocument.Statement.flatMap((statement) => statement.Action),
      );
    expect(actions(memberRoleOf('sg-drift-revert'))).toEqual([
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSecurityGroupRules',
      'ec2:RevokeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupEgress',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:AuthorizeSecurityGroupEgress',
    ]);
    expect(actions(memberRoleOf('public-bucket-remediate'))).toEqual([
      's3:GetBucketAcl',
      's3:GetBucketPolicy',
      's3:GetBucketPublicAccessBlock',
      's3:GetBucketOwnershipControls',
      's3:PutBucketPublicAccessBlock',
      's3:GetAccountPublicAccessBlock',
      's3:ListAllMyBuckets',
    ]);
    expect(actions(memberRoleOf('compliance-notifier'))).toEqual([
      'cloudtrail:LookupEvents',
      'config:ListDiscoveredResources',
    ]);
  });

  it('forwards the responders’ CloudTrail events and the compliance changes to the central bus, through a role, with a DLQ', () => {
    member.resourceCountIs('AWS::Events::Rule', EVENT_FUNCTIONS.length);
    const busArn = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':events:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AdminAccountId' },
          ':event-bus/plumbline',
        ],
      ],
    };
    const forwarder = logicalId(member, 'AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' } },
        ],
      },
    });
    expect(member.toJSON().Resources[forwarder].Condition).toBeUndefined();
    member.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [refTo(forwarder)],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: busArn }] },
    });
    const queue = logicalId(member, 'AWS::SQS::Queue', {});
    for (const name of EVENT_FUNCTIONS) {
      // The same pattern as the central bus's rule for that function: nothing forwarded goes unhandled.
      member.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: Match.absent(),
        EventPattern: Match.exact(EVENT_PATTERNS[name]),
        Targets: [
          { Arn: busArn, Id: 'Target0', RoleArn: arnOf(forwarder), DeadLetterConfig: { Arn: arnOf(queue) } },
        ],
      });
    }
    member.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
  });

  it('alarms on any forwarding dead letter, in every region, without an action (the topic is in the administrator account)', () => {
    for (const template of [member, standalone]) {
      const queue = logicalId(template, 'AWS::SQS::Queue', {});
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
        Condition?: string;
        Properties: Record<string, unknown>;
      }[];
      expect(alarms).toHaveLength(1);
      expect(alarms[0]?.Condition).toBeUndefined();
      expect(alarms[0]?.Properties).toEqual({
        AlarmDescription: expect.anything(),
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
        Statistic: 'Maximum',
        Period: 300,
        Threshold: 1,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        Tags: [{ Key: 'plumbline:component', Value: 'plumbline' }],
      });
      expect(JSON.stringify(alarms[0]?.Properties.AlarmDescription)).toMatch(/forwarding dead-letter queue/);
    }
  });

  it('plumbline:stacks=member gives the same template as plain stacks per region, administrator account as default', () => {
    expect(memberStackNames).toEqual(['PlumblineMember-eu-west-1', 'PlumblineMember-us-east-1']);
    standalone.hasParameter('AdminAccountId', { Default: '222222222222' });
    expect(Object.keys(standalone.toJSON().Parameters)).toEqual(['AdminAccountId']);
    expect(standalone.toJSON().Resources).toEqual(
      expect.objectContaining(
        Object.fromEntries(
          Object.entries(member.toJSON().Resources as Record<string, unknown>).filter(([, resource]) =>
            ['AWS::IAM::Role', 'AWS::Events::Rule', 'AWS::SQS::Queue', 'AWS::CloudWatch::Alarm'].includes(
              (resource as { Type: string }).Type,
            ),
          ),
        ),
      ),
    );
  });
});
