/**
 * Names that do not collide: every name the app fixes (stacks, functions, roles and their paths, trail, bus,
 * Config rules, StackSet, member roles) starts with the `namePrefix` setting, so that deployments with
 * different prefixes (account and organisation mode in one account, `Plumbline` beside `Acme-<region>`)
 * share none. Each variant is synthesised once.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_FUNCTIONS, deployedFunctions, functionRoleName, ROLE_NAME_LIMIT } from '../../infra/catalog.ts';
import { buildApp, ORGANIZATION_CONTEXT, workspace } from './support.ts';

/** The properties that hold a name chosen at synth (CloudFormation generates every other name). */
const NAME_PROPERTIES: Record<string, readonly string[]> = {
  'AWS::Lambda::Function': ['FunctionName'],
  'AWS::IAM::Role': ['RoleName', 'Path'],
  'AWS::CloudTrail::Trail': ['TrailName'],
  'AWS::Events::EventBus': ['Name'],
  'AWS::Config::ConfigRule': ['ConfigRuleName'],
  'AWS::Config::OrganizationConfigRule': ['OrganizationConfigRuleName'],
  'AWS::CloudFormation::StackSet': ['StackSetName'],
};

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}

/** Every fixed name of a template (and of the StackSet's member template inside it), as `<type> <name>`. */
function fixedNames(template: { Resources: Record<string, Resource> }): string[] {
  const names: string[] = [];
  for (const resource of Object.values(template.Resources)) {
    for (const property of NAME_PROPERTIES[resource.Type] ?? []) {
      const value = resource.Properties?.[property];
      if (value === undefined) continue;
      if (typeof value !== 'string') throw new Error(`${resource.Type}.${property} is not a literal name`);
      names.push(`${resource.Type} ${value}`);
    }
    const body = resource.Properties?.TemplateBody;
    if (resource.Type === 'AWS::CloudFormation::StackSet' && typeof body === 'string') {
      names.push(...fixedNames(JSON.parse(body)));
    }
  }
  return names;
}

interface Deployment {
  stackNames: string[];
  names: string[];
}

function deploy(context: Record<string, unknown>): Deployment {
  const built = buildApp(workspace(), context);
  const names = built.stacks.flatMap((stack) => fixedNames(Template.fromStack(stack).toJSON() as never));
  return { stackNames: built.stacks.map((stack) => stack.stackName), names };
}

const TRAIL_AND_RECORDER = { 'plumbline:createTrail': true, 'plumbline:createConfigRecorder': true };

const VARIANTS = {
  'account, default prefix, CLI region': TRAIL_AND_RECORDER,
  'account, prefix acme, listed regions': {
    ...TRAIL_AND_RECORDER,
    'plumbline:namePrefix': 'acme',
    'plumbline:regions': 'eu-west-1,us-east-1',
  },
  'organisation, default prefix': { ...ORGANIZATION_CONTEXT, 'plumbline:createTrail': true },
  'organisation, prefix acme-org': {
    ...ORGANIZATION_CONTEXT,
    'plumbline:createTrail': true,
    'plumbline:namePrefix': 'acme-org',
  },
  'member stacks, prefix acme-org': {
    ...ORGANIZATION_CONTEXT,
    'plumbline:stacks': 'member',
    'plumbline:namePrefix': 'acme-org',
  },
} satisfies Record<string, Record<string, unknown>>;
type Variant = keyof typeof VARIANTS;

const deployments = {} as Record<Variant, Deployment>;

describe('names that do not collide', () => {
  beforeAll(() => {
    for (const [variant, context] of Object.entries(VARIANTS)) {
      deployments[variant as Variant] = deploy(context);
    }
  }, 600_000);

  it('stack names start with the prefix in Pascal case', () => {
    expect(deployments['account, default prefix, CLI region'].stackNames).toEqual(['Plumbline']);
    expect(deployments['account, prefix acme, listed regions'].stackNames).toEqual([
      'Acme-eu-west-1',
      'Acme-us-east-1',
    ]);
    expect(deployments['organisation, prefix acme-org'].stackNames).toEqual([
      'AcmeOrgOrg-eu-west-1',
      'AcmeOrgOrg-us-east-1',
    ]);
    expect(deployments['member stacks, prefix acme-org'].stackNames).toEqual([
      'AcmeOrgMember-eu-west-1',
      'AcmeOrgMember-us-east-1',
    ]);
  });

  it.each(Object.keys(VARIANTS) as Variant[])('%s: every fixed name starts with the prefix', (variant) => {
    const context: Record<string, unknown> = VARIANTS[variant];
    const prefix = String(context['plumbline:namePrefix'] ?? 'plumbline');
    const { names } = deployments[variant];
    expect(names.length).toBeGreaterThan(0);
    // The default prefix keeps the execution role's earlier name, `PlumblineExecutionRole[-<function>]`.
    const legacy = prefix === 'plumbline' ? 'PlumblineExecutionRole' : undefined;
    const ownName = (name: string) =>
      name === prefix ||
      name.startsWith(`${prefix}-`) ||
      name.startsWith(`/${prefix}/`) ||
      (legacy !== undefined && name.startsWith(legacy));
    expect(names.filter((entry) => !ownName(entry.slice(entry.indexOf(' ') + 1)))).toEqual([]);
  });

  it('the default prefix keeps the names of earlier deployments (the event functions’ member roles included)', () => {
    expect(deployments['organisation, default prefix'].names).toEqual(
      expect.arrayContaining([
        'AWS::Lambda::Function plumbline-security-group',
        'AWS::IAM::Role plumbline-security-group-eu-west-1',
        'AWS::CloudTrail::Trail plumbline-organization',
        'AWS::Events::EventBus plumbline',
        'AWS::Config::OrganizationConfigRule plumbline-security-group',
        'AWS::CloudFormation::StackSet plumbline-member',
        'AWS::IAM::Role PlumblineExecutionRole-sg-drift-revert',
      ]),
    );
  });

  it('the member roles: one per function, <executionRoleName>-<function>, none shared', () => {
    const memberRoles = deployments['organisation, default prefix'].names.filter((name) =>
      name.startsWith('AWS::IAM::Role PlumblineExecutionRole'),
    );
    expect(memberRoles.sort()).toEqual(
      ALL_FUNCTIONS.map((name) => `AWS::IAM::Role PlumblineExecutionRole-${name}`).sort(),
    );
    expect(deployments['member stacks, prefix acme-org'].names).toEqual(
      expect.arrayContaining(ALL_FUNCTIONS.map((name) => `AWS::IAM::Role acme-org-execution-${name}`)),
    );
  });

  it('another prefix renames every fixed name, the member roles included', () => {
    expect(deployments['organisation, prefix acme-org'].names).toEqual(
      expect.arrayContaining([
        'AWS::Lambda::Function acme-org-security-group',
        'AWS::IAM::Role acme-org-security-group-eu-west-1',
        'AWS::IAM::Role /acme-org/security-group/',
        'AWS::CloudTrail::Trail acme-org-organization',
        'AWS::Events::EventBus acme-org',
        'AWS::Config::OrganizationConfigRule acme-org-security-group',
        'AWS::CloudFormation::StackSet acme-org-member',
        'AWS::IAM::Role acme-org-execution-security-group',
        'AWS::IAM::Role acme-org-execution-sg-drift-revert',
      ]),
    );
  });

  it.each([
    ['account, default prefix, CLI region', 'account, prefix acme, listed regions'],
    ['account, default prefix, CLI region', 'organisation, prefix acme-org'],
    ['account, prefix acme, listed regions', 'organisation, default prefix'],
    ['organisation, default prefix', 'organisation, prefix acme-org'],
    ['organisation, default prefix', 'member stacks, prefix acme-org'],
  ] as [Variant, Variant][])('%s and %s share no stack and no fixed name', (first, second) => {
    const a = deployments[first];
    const b = deployments[second];
    expect(a.stackNames.filter((name) => b.stackNames.includes(name))).toEqual([]);
    // Role paths are shared by design only within one prefix.
    expect(a.names.filter((name) => b.names.includes(name))).toEqual([]);
  });

  it('the notifier and its trigger recognise the rules of their own prefix only', () => {
    const built = buildApp(workspace(), { 'plumbline:namePrefix': 'acme' });
    const template = Template.fromStack(built.stacks[0] as never);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'acme-compliance-notifier',
      Environment: { Variables: { PLUMBLINE_RULE_PREFIX: 'acme-' } },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        detail: { configRuleName: [{ prefix: 'acme-' }, { prefix: 'OrgConfigRule-acme-' }] },
      },
    });
  }, 120_000);

  it("the responders name their prefix's rule in their notices (PLUMBLINE_RULE_PREFIX)", () => {
    const built = buildApp(workspace(), { 'plumbline:namePrefix': 'acme' });
    const template = Template.fromStack(built.stacks[0] as never);
    for (const name of ['sg-drift-revert', 'public-bucket-remediate']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `acme-${name}`,
        Environment: { Variables: Match.objectLike({ PLUMBLINE_RULE_PREFIX: 'acme-' }) },
      });
    }
  }, 120_000);

  it("a prefix that makes a function role name longer than IAM's 64 characters fails the synth, naming the prefix", () => {
    const prefix = 'a-very-long-prefix-x';
    const region = 'eu-very-far-southeast-1';
    // The first member role, in the order the functions are deployed, whose function role is too long.
    const name = deployedFunctions(true).find(
      (candidate) => functionRoleName(candidate, region, prefix).length > ROLE_NAME_LIMIT,
    );
    expect(name).toBeDefined();
    const roleName = functionRoleName(name as string, region, prefix);
    expect(() =>
      buildApp(workspace(), {
        ...ORGANIZATION_CONTEXT,
        'plumbline:namePrefix': 'a-very-long-prefix-x',
        // Every Region today fits (20 + 23 + 14 + 2 hyphens); a longer Region name would not.
        'plumbline:regions': 'eu-west-1,eu-very-far-southeast-1',
        'plumbline:homeRegion': 'eu-west-1',
      }),
    ).toThrow(
      `Invalid context plumbline:namePrefix="a-very-long-prefix-x" with plumbline:regions (eu-very-far-southeast-1): the role name ${roleName} is ${roleName.length} characters; IAM accepts 64: choose a shorter prefix`,
    );
  }, 120_000);
});
