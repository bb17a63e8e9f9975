/**
 * The drop-in claim: every parameter of AWS's managed required-tags rule (AWS Config Developer Guide,
 * "required-tags": tag1Key…tag6Key, tag1Value…tag6Value, values comma-separated) and restricted-common-ports
 * (blockedPort1…blockedPort5) is accepted, and where Plumbline reads one deliberately otherwise,
 * `plumbline rules` says so.
 */
import { describe, expect, it } from 'vitest';
import { requiredTagsRule } from '../../shared/rules/required-tags/index.ts';
import { securityGroupRule } from '../../shared/rules/security-group/rule.ts';
import { runCli } from './support/cli.ts';

const MANAGED_REQUIRED_TAGS_PARAMETERS = [1, 2, 3, 4, 5, 6].flatMap((slot) => [
  `tag${slot}Key`,
  `tag${slot}Value`,
]);

describe('plumbline rules: differences from the managed rules', () => {
  it('lists, under each rule, where it reads the managed rule’s parameters otherwise', async () => {
    const result = await runCli(['rules']);
    expect(result.code).toBe(0);
    const block = (name: string) => {
      const start = result.stdout.indexOf(`${name} · severity`);
      const end = result.stdout.indexOf('\n\n', start);
      return result.stdout.slice(start, end === -1 ? undefined : end).replace(/\n {6,}/g, ' ');
    };
    const heading =
      '  Where it differs from AWS’s managed rule (the same parameters, read deliberately otherwise):';
    expect(block('required-tags')).toContain(
      `${heading}\n    - A required key beginning with aws: is refused (AWS reserves the prefix; aws: tags never satisfy a requirement).`,
    );
    expect(block('security-group')).toContain(
      '    - Setting any of blockedPort1…blockedPort5 replaces the defaults: only the ports given (and blockedPorts) are blocked; restricted-common-ports keeps the default of each slot left unset.',
    );
    expect(block('security-group')).toContain(
      '    - With no port parameter, the blocked ports are 22 and 3389 (restricted-common-ports blocks 20, 21, 3389, 3306 and 4333 by default).',
    );
    expect(block('required-tags')).toContain(
      'tag1Value  Allowed values of tag1Key, comma-separated; spaces around values are ignored. Empty: any value, an empty one included (as the managed rule).',
    );
    const json = JSON.parse((await runCli(['rules', '--format', 'json'])).stdout) as {
      name: string;
      managedRuleDifferences: string[];
    }[];
    expect(json.find((rule) => rule.name === 'required-tags')?.managedRuleDifferences).toEqual(
      requiredTagsRule.managedRuleDifferences,
    );
    expect(json.find((rule) => rule.name === 'security-group')?.managedRuleDifferences).toEqual(
      securityGroupRule.managedRuleDifferences,
    );
  });

  it('required-tags documents and accepts every managed-rule parameter, each slot alike', () => {
    const documented = requiredTagsRule.parameterDocs.map((doc) => doc.name);
    expect(documented.filter((name) => name !== 'tagPolicy')).toEqual(MANAGED_REQUIRED_TAGS_PARAMETERS);
    const all = Object.fromEntries(
      [1, 2, 3, 4, 5, 6].flatMap((slot) => [
        [`tag${slot}Key`, `Key${slot}`],
        [`tag${slot}Value`, `a${slot}, b${slot}`],
      ]),
    );
    const params = requiredTagsRule.parseParameters(all, {});
    expect(params.requirements).toEqual(
      [1, 2, 3, 4, 5, 6].map((slot) => ({
        key: `Key${slot}`,
        constraint: { kind: 'list', values: [`a${slot}`, `b${slot}`] },
        source: `tag${slot}Key`,
      })),
    );
  });
});
