/**
 * Deployment settings (CDK context) and the suite configuration as the deployment reads them: defaults,
 * both spellings of lists and booleans, and an error that names the key or file, the field and the value.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployedFunctions, MEMBER_ROLE_SUFFIX_LENGTH } from '../../infra/catalog.ts';
import { EXECUTION_ROLE_NAME_LIMIT, readSettings } from '../../infra/settings.ts';
import { TEMPLATE_BODY_LIMIT } from '../../infra/stacks/member-stack.ts';
import { buildApp, ORGANIZATION_CONTEXT, TEST_SUITE_YAML, workspace } from './support.ts';

const read = (context: Record<string, unknown>) => readSettings((key) => context[key], Object.keys(context));

describe('deployment settings', () => {
  it('defaults to account mode with daily periodic runs, 90 days of logs and responders on', () => {
    expect(read({})).toEqual({
      mode: 'account',
      namePrefix: 'plumbline',
      configFile: 'plumbline.config.yaml',
      assetDir: 'dist',
      regions: [],
      notificationEmails: [],
      periodicFrequency: 'TwentyFour_Hours',
      logRetentionDays: 90,
      logLevel: 'INFO',
      responders: true,
      ruleConcurrency: 20,
      eventConcurrency: 10,
      inventory: 'select',
      tags: {},
      createConfigRecorder: false,
      createConfigServiceLinkedRole: false,
      configRecordingFrequency: 'CONTINUOUS',
      configResourceTypes: [],
      configExcludedResourceTypes: [],
      configRetentionDays: 365,
      createTrail: false,
      trailRetentionDays: 365,
      organizationalUnitIds: [],
      executionRoleName: 'PlumblineExecutionRole',
      excludedAccounts: [],
      evaluateManagementAccount: false,
      stacks: 'administrator',
      stackSetCallAs: 'DELEGATED_ADMIN',
      eventBusName: 'plumbline',
    });
  });

  it('reads lists and booleans from the command line (strings) and from cdk.json (JSON)', () => {
    const fromCli = read({
      'plumbline:notificationEmails': 'a@example.com, b@example.com',
      'plumbline:createTrail': 'true',
      'plumbline:responders': 'false',
      'plumbline:ruleConcurrency': '25',
      'plumbline:tags': '{"owner":"platform"}',
    });
    const fromJson = read({
      'plumbline:notificationEmails': ['a@example.com', 'b@example.com'],
      'plumbline:createTrail': true,
      'plumbline:responders': false,
      'plumbline:ruleConcurrency': 25,
      'plumbline:tags': { owner: 'platform' },
    });
    expect(fromCli).toEqual(fromJson);
    expect(fromCli).toMatchObject({
      notificationEmails: ['a@example.com', 'b@example.com'],
      createTrail: true,
      responders: false,
      ruleConcurrency: 25,
      tags: { owner: 'platform' },
    });
  });

  it('derives the execution role and the central bus from another name prefix, unless they are set', () => {
    expect(read({ 'plumbline:namePrefix': 'acme-guard' })).toMatchObject({
      namePrefix: 'acme-guard',
      executionRoleName: 'acme-guard-execution',
      eventBusName: 'acme-guard',
    });
    expect(
      read({
        'plumbline:namePrefix': 'acme-guard',
        'plumbline:executionRoleName': 'GuardRole',
        'plumbline:eventBusName': 'guard-bus',
      }),
    ).toMatchObject({ executionRoleName: 'GuardRole', eventBusName: 'guard-bus' });
  });

  it('reads the inventory strategy, select or list', () => {
    expect(read({ 'plumbline:inventory': 'list' }).inventory).toBe('list');
    expect(read({ 'plumbline:inventory': 'select' }).inventory).toBe('select');
  });

  it('accepts a complete organisation configuration', () => {
    expect(read(ORGANIZATION_CONTEXT)).toMatchObject({
      mode: 'organization',
      organizationId: 'o-a1b2c3d4e5',
      organizationalUnitIds: ['r-ab12', 'ou-ab12-cdef5678'],
      regions: ['eu-west-1', 'us-east-1'],
      excludedAccounts: ['111111111111'],
      adminAccountId: '222222222222',
    });
  });

  it('rejects an unknown plumbline: key, listing the known ones', () => {
    expect(() => read({ 'plumbline:mdoe': 'organization' })).toThrow(
      /^Unknown context key plumbline:mdoe \(known: plumbline:mode, plumbline:namePrefix, plumbline:homeRegion, plumbline:configFile, /,
    );
  });

  it.each([
    [
      { 'plumbline:mode': 'cloud' },
      'Invalid context plumbline:mode="cloud": Invalid option: expected one of "account"|"organization"',
    ],
    [
      { 'plumbline:logRetentionDays': '45' },
      'Invalid context plumbline:logRetentionDays="45": expected one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
    ],
    [
      { 'plumbline:notificationEmails': 'ops@example.com,not-an-email' },
      'Invalid context plumbline:notificationEmails="ops@example.com,not-an-email" ("not-an-email"): expected email addresses',
    ],
    [
      { 'plumbline:periodicFrequency': 'Daily' },
      'Invalid context plumbline:periodicFrequency="Daily": Invalid option: expected one of "One_Hour"|"Three_Hours"|"Six_Hours"|"Twelve_Hours"|"TwentyFour_Hours"',
    ],
    [
      { 'plumbline:regions': 'eu-west-1,EU-West' },
      'Invalid context plumbline:regions="eu-west-1,EU-West" ("EU-West"): expected AWS Region names such as eu-west-1',
    ],
    [
      { 'plumbline:regions': 'eu-west-1,eu-west-1' },
      'Invalid context plumbline:regions="eu-west-1,eu-west-1": lists each value once',
    ],
    [
      { 'plumbline:executionRoleName': 'A'.repeat(EXECUTION_ROLE_NAME_LIMIT + 1) },
      `Invalid context plumbline:executionRoleName="${'A'.repeat(EXECUTION_ROLE_NAME_LIMIT + 1)}": at most ${EXECUTION_ROLE_NAME_LIMIT} characters (the member roles append -<function>, up to ${MEMBER_ROLE_SUFFIX_LENGTH})`,
    ],
    [
      { 'plumbline:eventBusName': 'default' },
      'Invalid context plumbline:eventBusName="default": the central bus must be a custom bus, not default',
    ],
    [
      { 'plumbline:namePrefix': 'Acme' },
      'Invalid context plumbline:namePrefix="Acme": expected 2 to 20 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen',
    ],
    [
      { 'plumbline:namePrefix': 'a'.repeat(21) },
      `Invalid context plumbline:namePrefix="${'a'.repeat(21)}": expected 2 to 20 lower-case letters`,
    ],
    [
      { 'plumbline:namePrefix': 'acme-' },
      'Invalid context plumbline:namePrefix="acme-": expected 2 to 20 lower-case letters',
    ],
    [
      { 'plumbline:namePrefix': 'acme--guard' },
      'Invalid context plumbline:namePrefix="acme--guard": no two hyphens in a row',
    ],
    [
      { 'plumbline:namePrefix': 'aws-guard' },
      'Invalid context plumbline:namePrefix="aws-guard": must not start with "aws" (AWS reserves it for its own names)',
    ],
    [
      { 'plumbline:namePrefix': 'default' },
      `Invalid context plumbline:namePrefix="default": "default" is the name of every account's default event bus`,
    ],
    [
      { 'plumbline:homeRegion': 'eu-west-1' },
      'Invalid context plumbline:homeRegion="eu-west-1": not one of plumbline:regions=""',
    ],
    [
      { 'plumbline:ruleConcurrency': '0' },
      'Invalid context plumbline:ruleConcurrency="0": at least 1 (0 would throttle every invocation)',
    ],
    [
      { 'plumbline:eventConcurrency': '1001' },
      'Invalid context plumbline:eventConcurrency="1001": at most 1000',
    ],
    [
      { 'plumbline:eventConcurrency': 'many' },
      'Invalid context plumbline:eventConcurrency="many": expected a whole number',
    ],
    [
      { 'plumbline:managementAccountId': '12345' },
      'Invalid context plumbline:managementAccountId="12345": expected a 12-digit account id',
    ],
    [
      { 'plumbline:inventory': 'scan' },
      'Invalid context plumbline:inventory="scan": Invalid option: expected one of "select"|"list"',
    ],
    [
      { 'plumbline:inventory': 'List' },
      'Invalid context plumbline:inventory="List": Invalid option: expected one of "select"|"list"',
    ],
    [
      { 'plumbline:tags': 'owner=platform' },
      'Invalid context plumbline:tags="owner=platform": expected a JSON object of tag keys to string values',
    ],
    [
      { 'plumbline:createTrail': 'yes' },
      'Invalid context plumbline:createTrail="yes": expected true or false',
    ],
    [
      { 'plumbline:organizationId': 'org-1' },
      'Invalid context plumbline:organizationId="org-1": expected an organisation id such as o-a1b2c3d4e5',
    ],
    [
      { 'plumbline:excludedAccounts': '1234' },
      'Invalid context plumbline:excludedAccounts="1234" ("1234"): expected 12-digit account ids',
    ],
    [
      { 'plumbline:organizationalUnitIds': 'ou-1' },
      'Invalid context plumbline:organizationalUnitIds="ou-1" ("ou-1"): expected ou-… or r-… ids',
    ],
  ])('rejects %j naming the key and the value', (context, message) => {
    expect(() => read(context)).toThrow(message);
  });

  it.each([
    [
      { 'plumbline:mode': 'organization' },
      'Missing context plumbline:organizationId: organisation mode needs the organisation id (o-…)',
    ],
    [
      { 'plumbline:mode': 'organization', 'plumbline:organizationId': 'o-a1b2c3d4e5' },
      'Missing context plumbline:organizationalUnitIds: organisation mode needs the root id (r-…) the StackSet deploys the member roles to',
    ],
    [
      {
        'plumbline:mode': 'organization',
        'plumbline:organizationId': 'o-a1b2c3d4e5',
        'plumbline:organizationalUnitIds': 'r-ab12',
      },
      'Missing context plumbline:regions: organisation mode needs the regions to evaluate',
    ],
    [
      { ...ORGANIZATION_CONTEXT, 'plumbline:homeRegion': undefined },
      'Missing context plumbline:homeRegion: organisation mode needs the home region, one of plumbline:regions: its stack holds the StackSet, which creates the member roles (IAM is global) there, and is deployed before the other regions',
    ],
    [
      { ...ORGANIZATION_CONTEXT, 'plumbline:homeRegion': 'eu-central-1' },
      'Invalid context plumbline:homeRegion="eu-central-1": not one of plumbline:regions="eu-west-1,us-east-1"',
    ],
    [
      {
        'plumbline:mode': 'organization',
        'plumbline:stacks': 'member',
        'plumbline:regions': 'eu-west-1',
        'plumbline:adminAccountId': '222222222222',
      },
      'Missing context plumbline:homeRegion: organisation mode needs the home region of the administrator deployment (it holds the IAM roles)',
    ],
    [
      { ...ORGANIZATION_CONTEXT, 'plumbline:organizationalUnitIds': 'ou-ab12-cdef5678,ou-ab12-bbbb2222' },
      'Invalid context plumbline:organizationalUnitIds="ou-ab12-cdef5678,ou-ab12-bbbb2222": organisation Config rules evaluate every account of the organisation',
    ],
    [
      { ...ORGANIZATION_CONTEXT, 'plumbline:organizationalUnitIds': 'ou-ab12-cdef5678' },
      'list the root id (r-…), and name the accounts to leave out in plumbline:excludedAccounts',
    ],
    [
      { ...ORGANIZATION_CONTEXT, 'plumbline:managementAccountId': undefined },
      'Missing context plumbline:managementAccountId: organisation mode needs the management account id: StackSets never deploy there, so the organisation rules exclude it (or, with plumbline:evaluateManagementAccount=true, evaluate it through the member stacks deployed there)',
    ],
    [
      {
        ...ORGANIZATION_CONTEXT,
        'plumbline:evaluateManagementAccount': 'true',
        'plumbline:managementAccountId': '111111111111',
      },
      'Invalid context plumbline:evaluateManagementAccount=true: the management account 111111111111 is listed in plumbline:excludedAccounts',
    ],
    [
      { 'plumbline:stacks': 'member' },
      'Invalid context plumbline:stacks="member": member stacks exist in organisation mode only (plumbline:mode=organization)',
    ],
    [
      {
        'plumbline:mode': 'organization',
        'plumbline:stacks': 'member',
        'plumbline:regions': 'eu-west-1',
        'plumbline:homeRegion': 'eu-west-1',
      },
      'Missing context plumbline:adminAccountId: organisation mode needs the administrator account that hosts the functions',
    ],
  ])('organisation mode: %j fails with what is missing', (context, message) => {
    expect(() => read(context)).toThrow(message);
  });
});

describe('the member template', () => {
  /** Real Regions, in no particular order. */
  const REGIONS = [
    'eu-west-1',
    'us-east-1',
    'us-west-2',
    'eu-central-1',
    'ap-southeast-1',
    'ap-northeast-1',
    'us-east-2',
    'us-west-1',
    'eu-west-2',
    'eu-west-3',
    'eu-north-1',
    'ap-south-1',
    'ap-northeast-2',
    'ap-southeast-2',
    'ca-central-1',
    'sa-east-1',
    'ap-northeast-3',
    'eu-south-1',
    'eu-central-2',
    'ap-southeast-3',
    'me-central-1',
    'af-south-1',
    'il-central-1',
    'ap-east-1',
    'eu-south-2',
  ];
  const memberStacks = (regions: readonly string[], context: Record<string, unknown> = {}) =>
    buildApp(workspace(), {
      ...ORGANIZATION_CONTEXT,
      'plumbline:stacks': 'member',
      'plumbline:regions': regions.join(','),
      ...context,
    });

  it('ten regions fit: each member role trusts one function role a region, not every rule’s', () => {
    expect(memberStacks(REGIONS.slice(0, 10)).stacks).toHaveLength(10);
  });

  it("a member role trusting more function roles than IAM's trust policy quota allows fails the synth, naming regions", () => {
    // Every role's trust policy is too long with this many regions: the first deployed function's is named.
    const [first] = deployedFunctions(true);
    expect(() => memberStacks(REGIONS)).toThrow(
      new RegExp(
        `^Invalid context plumbline:regions="${REGIONS.join(',')}": the member role PlumblineExecutionRole-${first} would trust ${REGIONS.length} function roles \\(${first} in each region\\), a trust policy of \\d+ characters; IAM accepts 2048 by default: list fewer regions$`,
      ),
    );
  });

  it("a member template longer than CloudFormation's TemplateBody quota fails the synth, naming regions", () => {
    // The recorder adds to the template; each region adds a trusted ARN to (nearly) every member role.
    // As many regions as the trust policies allow (the longest function name's), with the recorder.
    const regions = REGIONS.slice(0, 15);
    expect(() => memberStacks(regions, { 'plumbline:createConfigRecorder': true })).toThrow(
      new RegExp(
        `^Invalid context plumbline:regions="${regions.join(',')}": the member template would be \\d+ bytes \\(a member role per function, each trusting its function's role in each region by ARN\\); CloudFormation accepts a TemplateBody of ${TEMPLATE_BODY_LIMIT}: list fewer regions$`,
      ),
    );
  });

  it('the administrator synth refuses the same member template, before any stack is built', () => {
    const regions = REGIONS.slice(0, 15);
    expect(() =>
      buildApp(workspace(), {
        ...ORGANIZATION_CONTEXT,
        'plumbline:regions': regions.join(','),
        'plumbline:createConfigRecorder': true,
      }),
    ).toThrow(`Invalid context plumbline:regions="${regions.join(',')}": the member template would be `);
  });
});

describe('member stacks only', () => {
  it('need neither the organisation details nor the bundles', () => {
    const space = workspace();
    rmSync(space.assetDir, { recursive: true });
    const built = buildApp(space, {
      'plumbline:mode': 'organization',
      'plumbline:stacks': 'member',
      'plumbline:regions': 'eu-west-1',
      'plumbline:homeRegion': 'eu-west-1',
      'plumbline:adminAccountId': '222222222222',
    });
    expect(built.stacks.map((stack) => stack.stackName)).toEqual(['PlumblineMember-eu-west-1']);
  });
});

describe('the suite configuration at synth', () => {
  it('a missing file is named, with the context key that points at it', () => {
    const space = workspace();
    rmSync(space.configFile);
    expect(() => buildApp(space)).toThrow(
      `${space.configFile}: the suite configuration file does not exist (context plumbline:configFile)`,
    );
  });

  it('invalid YAML is reported with the file', () => {
    const space = workspace('rules: [unclosed\n', {});
    expect(() => buildApp(space)).toThrow(new RegExp(`^${escapeRegExp(space.configFile)}: not valid YAML: `));
  });

  it('an unknown rule is named with the known ones', () => {
    const yamlText = 'rules:\n  open-ports: {}\n';
    const space = workspace(yamlText);
    expect(() => buildApp(space)).toThrow(
      `${space.configFile}: rules.open-ports: unknown rule (known: security-group, required-tags, public-bucket`,
    );
  });

  it('ExecutionRoleName belongs to the deployment, not the file', () => {
    const space = workspace('rules:\n  public-bucket:\n    ExecutionRoleName: Admin\n');
    expect(() => buildApp(space)).toThrow(
      `${space.configFile}: rules.public-bucket.ExecutionRoleName: set by the deployment (organisation mode), not in the configuration file`,
    );
  });

  it("a bad rule parameter fails the synth with the rule's own message", () => {
    const space = workspace('rules:\n  required-tags:\n    tag1Value: prod\n');
    expect(() => buildApp(space)).toThrow(
      `${space.configFile}: rules.required-tags: Invalid rule parameter tag1Value="prod": given without tag1Key`,
    );
  });

  it("a bad responder setting fails the synth with the responder's own message", () => {
    const space = workspace('responders:\n  sg-drift-revert:\n    blockedPortsMode: always\n');
    expect(() => buildApp(space)).toThrow(
      `${space.configFile}: Invalid rule parameter responders.sg-drift-revert.blockedPortsMode="always": expected enforce, report or off`,
    );
  });

  it('a malformed required-tags scope fails the synth', () => {
    const space = workspace('tagPolicy:\n  resourceTypes: AWS::S3::Bucket\n');
    expect(() => buildApp(space)).toThrow(
      `${space.configFile}: Invalid rule parameter tagPolicy.resourceTypes="AWS::S3::Bucket": Invalid input: expected array, received string`,
    );
  });

  it('parameters longer than AWS Config accepts (1,024 characters in account mode) are refused', () => {
    const values = Array.from({ length: 200 }, (_, index) => `v${String(index).padStart(4, '0')}`).join(',');
    const space = workspace(`rules:\n  required-tags:\n    tag1Key: owner\n    tag1Value: "${values}"\n`);
    expect(() => buildApp(space)).toThrow(
      `${space.configFile}: rules.required-tags: the parameters are 1233 characters as JSON; AWS Config accepts at most 1024.`,
    );
    // Organisation rules accept 2,048 (with ExecutionRoleName added).
    expect(() => buildApp(space, ORGANIZATION_CONTEXT)).not.toThrow();
  });
});

describe('the bundles at synth', () => {
  const shown = (path: string) => relative(process.cwd(), path);

  it('a missing bundle says to build first', () => {
    const space = workspace();
    rmSync(join(space.assetDir, 'sg-drift-revert', 'index.mjs'));
    expect(() => buildApp(space)).toThrow(
      `${shown(join(space.assetDir, 'sg-drift-revert', 'index.mjs'))} does not exist: run \`npm run build\` first (or use \`npm run synth\`)`,
    );
  });

  it('a responder bundle is not needed when the responders are off', () => {
    const space = workspace();
    rmSync(join(space.assetDir, 'sg-drift-revert'), { recursive: true });
    expect(() => buildApp(space, { 'plumbline:responders': false })).not.toThrow();
  });

  it('a bundle without its suite configuration says to build', () => {
    const space = workspace();
    rmSync(join(space.assetDir, 'required-tags', 'plumbline.config.json'));
    expect(() => buildApp(space)).toThrow(
      `${shown(join(space.assetDir, 'required-tags', 'plumbline.config.json'))} does not exist: run \`npm run build\` to bundle the suite configuration`,
    );
  });

  it('a bundle built from an older configuration is refused: function and rule must agree', () => {
    const space = workspace(TEST_SUITE_YAML, { rules: {} });
    expect(() => buildApp(space)).toThrow(
      `${shown(join(space.assetDir, 'security-group', 'plumbline.config.json'))} differs from ${shown(space.configFile)}: run \`npm run build\` so that the function and its Config rule use the same configuration`,
    );
  });

  it('a shipped configuration that is not JSON is named', () => {
    const space = workspace();
    const file = join(space.assetDir, 'security-group', 'plumbline.config.json');
    mkdirSync(join(space.assetDir, 'security-group'), { recursive: true });
    writeFileSync(file, '{');
    expect(() => buildApp(space)).toThrow(new RegExp(`^${escapeRegExp(shown(file))}: not valid JSON: `));
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
