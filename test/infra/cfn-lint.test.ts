/**
 * The synthesised templates pass cfn-lint (CloudFormation's own linter: resource schemas, property values,
 * intrinsic functions): account and organisation mode, with and without the responders, the organisation with
 * an OU list beside the root, the StackSet's member template and the stand-alone member stacks.
 *
 * cfn-lint is a Python tool, not a project dependency: where it is not installed the test says so and is
 * skipped; under CI=true it runs wherever it is installed and fails on any error. Warnings fail too, except
 * the rule ids in IGNORED_RULES, each with its reason.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BuiltApp, buildApp, ORGANIZATION_CONTEXT, RECORDED_RULE_TYPES, workspace } from './support.ts';

function cfnLintVersion(): string | undefined {
  try {
    return execFileSync('cfn-lint', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

const version = cfnLintVersion();
if (!version) {
  console.warn(
    'cfn-lint is not installed (pip install cfn-lint): the templates are not linted (test/infra/cfn-lint.test.ts skipped)',
  );
}

/**
 * Rules whose findings say nothing about these templates:
 * - W3005: "DependsOn is redundant" — the CDK writes both a reference and an explicit DependsOn where a
 *   resource must wait (e.g. a function on its role's policy); the order is the same, the warning is noise.
 */
const IGNORED_RULES = ['W3005'];

/** A central Config delivery bucket (`stacks=log-archive` creates it) with its KMS key. */
const CENTRAL_DELIVERY = {
  'plumbline:createConfigRecorder': true,
  'plumbline:configDeliveryBucket': 'acme-config-archive',
  'plumbline:configDeliveryKmsKeyArn':
    'arn:aws:kms:eu-west-1:444444444444:key/1234abcd-12ab-34cd-56ef-1234567890ab',
};

/** The variants, each synthesised once (synthesis is slow on a busy machine). */
const VARIANTS: Record<string, Record<string, unknown>> = {
  'account, responders, recorder and trail': {
    'plumbline:createConfigRecorder': true,
    'plumbline:createTrail': true,
    'plumbline:notificationEmails': 'secops@example.com',
  },
  'account, no responders': { 'plumbline:responders': false },
  'organisation, responders, trail, an OU list beside the root': {
    ...ORGANIZATION_CONTEXT,
    'plumbline:createTrail': true,
  },
  'organisation, no responders': { ...ORGANIZATION_CONTEXT, 'plumbline:responders': false },
  'organisation, Config recorders in the member accounts (a list of types, daily recording)': {
    ...ORGANIZATION_CONTEXT,
    'plumbline:createConfigRecorder': true,
    'plumbline:configRecordingFrequency': 'DAILY',
    'plumbline:configResourceTypes': RECORDED_RULE_TYPES.join(','),
  },
  'account, recorder recording all but a list': {
    'plumbline:createConfigRecorder': true,
    'plumbline:configExcludedResourceTypes': 'AWS::EC2::NetworkInterface',
  },
  'organisation, another name prefix, the home region listed last': {
    ...ORGANIZATION_CONTEXT,
    'plumbline:namePrefix': 'acme-org',
    'plumbline:regions': 'us-east-1,eu-west-1',
    'plumbline:homeRegion': 'eu-west-1',
  },
  'organisation, member stacks': { ...ORGANIZATION_CONTEXT, 'plumbline:stacks': 'member' },
  'organisation, member recorders delivering to a central bucket with a KMS key': {
    ...ORGANIZATION_CONTEXT,
    ...CENTRAL_DELIVERY,
  },
  'organisation, member recorders creating the service-linked role (home region first)': {
    ...ORGANIZATION_CONTEXT,
    'plumbline:createConfigRecorder': true,
    'plumbline:createConfigServiceLinkedRole': true,
  },
  'account, two regions, the recorder creating the service-linked role': {
    'plumbline:regions': 'eu-west-1,us-east-1',
    'plumbline:createConfigRecorder': true,
    'plumbline:createConfigServiceLinkedRole': true,
  },
  'organisation, the log-archive stack (central bucket, SSE-KMS)': {
    ...ORGANIZATION_CONTEXT,
    ...CENTRAL_DELIVERY,
    'plumbline:stacks': 'log-archive',
  },
};

interface LintFinding {
  Rule: { Id: string };
  Level: string;
  Message: string;
  Filename: string;
}

const findingsByVariant: Record<string, LintFinding[]> = {};
const templateCounts: Record<string, number> = {};
let lintStatus: number | null = null;

/** Writes every stack's template, and the StackSet's member template, into `dir`. */
function writeTemplates(built: BuiltApp, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const assembly = built.app.synth();
  for (const stack of built.stacks) {
    const template = assembly.getStackArtifact(stack.artifactId).template as {
      Resources: Record<string, { Type: string; Properties?: { TemplateBody?: string } }>;
    };
    const file = join(dir, `${stack.stackName}.template.json`);
    writeFileSync(file, JSON.stringify(template, null, 1));
    files.push(file);
    for (const [id, resource] of Object.entries(template.Resources)) {
      const body = resource.Properties?.TemplateBody;
      if (resource.Type !== 'AWS::CloudFormation::StackSet' || typeof body !== 'string') continue;
      const memberFile = join(dir, `${stack.stackName}.${id}.member.template.json`);
      writeFileSync(memberFile, body);
      files.push(memberFile);
    }
  }
  return files;
}

describe.skipIf(!version)(`cfn-lint (${version ?? 'not installed'})`, () => {
  beforeAll(() => {
    // Every variant's templates in one cfn-lint run (its start-up is most of the cost), each finding
    // attributed to its variant by the folder its file is in.
    const variantOfFile = new Map<string, string>();
    for (const [name, context] of Object.entries(VARIANTS)) {
      const space = workspace();
      const files = writeTemplates(buildApp(space, context), join(space.dir, 'templates'));
      templateCounts[name] = files.length;
      findingsByVariant[name] = [];
      for (const file of files) variantOfFile.set(file, name);
    }
    const run = spawnSync(
      'cfn-lint',
      ['--format', 'json', '--ignore-checks', ...IGNORED_RULES, '--', ...variantOfFile.keys()],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    lintStatus = run.status;
    const findings: LintFinding[] = run.stdout.trim() === '' ? [] : JSON.parse(run.stdout);
    for (const finding of findings) {
      const variant = variantOfFile.get(finding.Filename) ?? 'a file no variant wrote';
      findingsByVariant[variant] = [...(findingsByVariant[variant] ?? []), finding];
    }
  }, 900_000);

  it.each(Object.keys(VARIANTS))('%s: no error and no warning', (name) => {
    expect(templateCounts[name]).toBeGreaterThan(0);
    expect(
      findingsByVariant[name]?.map(
        (finding) => `${finding.Level} ${finding.Rule.Id} ${finding.Filename}: ${finding.Message}`,
      ),
    ).toEqual([]);
  });

  it('cfn-lint ran and found nothing anywhere (exit 0)', () => {
    expect(findingsByVariant['a file no variant wrote']).toBeUndefined();
    expect(lintStatus).toBe(0);
  });

  it('the organisation variant lints the StackSet member template too', () => {
    // Two regional stacks and the member template.
    expect(templateCounts['organisation, responders, trail, an OU list beside the root']).toBe(3);
  });
});
