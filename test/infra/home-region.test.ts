/**
 * The home region is a setting, not "the first listed": organisation mode with the home region listed last.
 * Its stack owns the StackSet and the trail, every other region's stack waits for it, and the member template
 * creates the IAM roles there. Synthesised once.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_FUNCTIONS } from '../../infra/catalog.ts';
import type { BuiltApp } from './support.ts';
import { buildApp, ORGANIZATION_CONTEXT, workspace } from './support.ts';

let built: BuiltApp;
let templates: Record<string, Template>;

describe('organisation mode: the home region chosen explicitly', () => {
  beforeAll(() => {
    built = buildApp(workspace(), {
      ...ORGANIZATION_CONTEXT,
      'plumbline:regions': 'us-east-1,ap-southeast-2,eu-west-1',
      'plumbline:homeRegion': 'eu-west-1',
      'plumbline:createTrail': true,
    });
    templates = Object.fromEntries(built.stacks.map((stack) => [stack.stackName, Template.fromStack(stack)]));
  }, 300_000);

  it('the home region stack comes first and every other region waits for it', () => {
    expect(
      Object.fromEntries(
        built.stacks.map((stack) => [
          stack.stackName,
          stack.dependencies.map((dependency) => dependency.stackName),
        ]),
      ),
    ).toEqual({
      'PlumblineOrg-eu-west-1': [],
      'PlumblineOrg-us-east-1': ['PlumblineOrg-eu-west-1'],
      'PlumblineOrg-ap-southeast-2': ['PlumblineOrg-eu-west-1'],
    });
  });

  it('only the home region stack owns the StackSet (all three regions) and the organisation trail', () => {
    const home = templates['PlumblineOrg-eu-west-1'] as Template;
    home.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackInstancesGroup: [{ Regions: ['us-east-1', 'ap-southeast-2', 'eu-west-1'] }],
    });
    home.resourceCountIs('AWS::CloudTrail::Trail', 1);
    for (const region of ['us-east-1', 'ap-southeast-2']) {
      const template = templates[`PlumblineOrg-${region}`] as Template;
      template.resourceCountIs('AWS::CloudFormation::StackSet', 0);
      template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    }
  });

  it('the member template creates the IAM roles in the home region, not in the first listed', () => {
    const stackSet = Object.values(
      (templates['PlumblineOrg-eu-west-1'] as Template).findResources('AWS::CloudFormation::StackSet'),
    )[0] as { Properties: { TemplateBody: string } };
    const member = Template.fromJSON(JSON.parse(stackSet.Properties.TemplateBody));
    member.hasCondition('IsHomeRegion', { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] });
    // Every member role (one per function), none in the other regions.
    const roles = Object.values(member.findResources('AWS::IAM::Role')) as {
      Condition?: string;
      Properties: { RoleName?: string };
    }[];
    const memberRoles = roles.filter((role) => role.Properties.RoleName !== undefined);
    expect(memberRoles.map((role) => role.Properties.RoleName).sort()).toEqual(
      ALL_FUNCTIONS.map((name) => `PlumblineExecutionRole-${name}`).sort(),
    );
    expect(memberRoles.map((role) => role.Condition)).toEqual(ALL_FUNCTIONS.map(() => 'IsHomeRegion'));
  });
});
