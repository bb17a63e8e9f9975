/**
 * Every place that must know a rule or a responder, checked for each one in the registry
 * (`shared/rules/index.ts`): a rule that is one folder plus one registry line gets its Config-rule function,
 * its bundle, its budget, its catalog entry and IAM grants without another edit, and what must still be
 * written by hand (the README reference, an example) is named here when it is missing. docs/adding-a-rule.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBudgets } from '../../bench/budgets.ts';
import { discover } from '../../bench/lib/discover.ts';
import { functionEntry, functionNames, ruleEntry } from '../../esbuild.config.ts';
import {
  ALL_FUNCTIONS,
  CONFIG_RULE_FUNCTIONS,
  DESCRIPTION_LIMIT,
  eventPattern,
  functionActions,
  functionDescription,
  RESPONDER_FUNCTIONS,
  ruleDescription,
} from '../../infra/catalog.ts';
import {
  deployTimeResponderMode,
  deployTimeRuleParameters,
} from '../../infra/constructs/deploy-parameters.ts';
import * as accountFactLoaders from '../../shared/aws/account-facts.ts';
import { ACCOUNT_RESOURCE_TYPE } from '../../shared/core/account-item.ts';
import { RESPONDERS, RULES } from '../../shared/rules/index.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(`${REPO}README.md`, 'utf8');
const EXAMPLE = (
  JSON.parse(readFileSync(`${REPO}examples/snapshot.json`, 'utf8')) as {
    configurationItems: { resourceType: string }[];
  }
).configurationItems;
const ADDING_A_RULE = readFileSync(`${REPO}docs/adding-a-rule.md`, 'utf8');

describe.each(RULES.map((rule) => [rule.name, rule] as const))(
  'rule %s: every place knows it',
  (name, rule) => {
    it('its folder exports the registry object (the generated entry imports it from there)', async () => {
      const entry = await ruleEntry(name);
      expect(entry.module).toBe(`${REPO}shared/rules/${name}/index.ts`);
      await expect(functionEntry(name)).resolves.toHaveProperty('stdin');
    });

    it('a Config-rule function in the catalog: name, description within the limit, grants, deploy parameters', () => {
      expect(CONFIG_RULE_FUNCTIONS).toContain(name);
      expect(ALL_FUNCTIONS).toContain(name);
      expect(ruleDescription(name)).toBe(`Plumbline: ${rule.description}`);
      expect(ruleDescription(name).length).toBeLessThanOrEqual(DESCRIPTION_LIMIT);
      expect(functionDescription(name)).toBe(ruleDescription(name));
      const actions = functionActions(name, 'select').flatMap((grant) => grant.actions);
      expect(actions).toEqual(expect.arrayContaining(['config:PutEvaluations', ...(rule.readActions ?? [])]));
      const documented = rule.parameterDocs.map((doc) => doc.name);
      for (const parameter of deployTimeRuleParameters(name)) expect(documented).toContain(parameter);
    });

    it('a loader for each account fact it declares, and the action behind it', () => {
      const loaders = accountFactLoaders as Record<string, unknown>;
      for (const fact of rule.accountFacts ?? []) {
        expect(typeof loaders[`${fact}Loader`], `shared/aws/account-facts.ts exports ${fact}Loader`).toBe(
          'function',
        );
        expect(rule.readActions?.length, `${name} declares readActions for ${fact}`).toBeGreaterThan(0);
      }
    });

    it('a bundle and a budget (its own or the default), measured by the benchmarks as a real function', async () => {
      expect(functionNames()).toContain(name);
      const budgets = loadBudgets();
      expect(budgets.bundleBytes.functions[name] ?? budgets.bundleBytes.default).toBeGreaterThan(0);
      const target = (await discover()).functions.find((candidate) => candidate.name === name);
      expect(target).toMatchObject({ name, standIn: false });
    });

    it('a README reference section and an example item in examples/snapshot.json', () => {
      expect(README, `README.md has a "### \`${name}\`" section`).toContain(`### \`${name}\``);
      // Config never records the account itself (AWS::::Account): a rule judging only it has no snapshot item.
      const recorded = rule.resourceTypes.filter((type) => type !== ACCOUNT_RESOURCE_TYPE);
      if (recorded.length === 0) return;
      expect(
        EXAMPLE.some((item) => recorded.includes(item.resourceType)),
        `examples/snapshot.json holds an item of ${recorded.slice(0, 3).join(', ')}…`,
      ).toBe(true);
    });
  },
);

describe.each(RESPONDERS.map((spec) => [spec.name, spec] as const))(
  'responder %s: every place knows it',
  (name, spec) => {
    it('acts for a registry rule; a handler file, a bundle and a function in the catalog', () => {
      expect(RULES.map((rule) => rule.name)).toContain(spec.rule);
      expect(existsSync(`${REPO}functions/${name}/handler.ts`)).toBe(true);
      expect(functionNames()).toContain(name);
      expect(RESPONDER_FUNCTIONS).toContain(name);
      expect(functionDescription(name)).toBe(`Plumbline: ${spec.description}`);
      expect(functionDescription(name).length).toBeLessThanOrEqual(DESCRIPTION_LIMIT);
    });

    it('its event pattern is its spec: the event source, the event names, failed calls left out', () => {
      expect(eventPattern(name)).toEqual({
        source: [`aws.${spec.eventSource.replace('.amazonaws.com', '')}`],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: [spec.eventSource],
          eventName: [...spec.eventNames],
          errorCode: [{ exists: false }],
        },
      });
    });

    it('its grants are its spec, and its mode is offered at deploy time', () => {
      expect(functionActions(name, 'select')).toEqual(spec.grants);
      expect(deployTimeResponderMode(name)).toEqual({ ...spec.deploySetting, rule: spec.rule });
      expect(spec.deploySetting.values).toContain(spec.deploySetting.fallback);
    });

    it('the README names it', () => {
      expect(README).toContain(`**\`${name}\`**`);
    });
  },
);

describe('the one list', () => {
  it('nothing is deployed that the registry does not name', () => {
    expect([...ALL_FUNCTIONS].sort()).toEqual(functionNames());
  });

  it('docs/adding-a-rule.md names every field a rule and a responder spec declare for the deployment', () => {
    for (const field of ['readActions', 'grants', 'deployParameters', 'forSettings', 'accountFacts']) {
      expect(ADDING_A_RULE).toContain(`\`${field}\``);
    }
    for (const field of [
      'eventSource',
      'eventNames',
      'grants',
      'deploySetting',
      'responderSettings',
      'handle',
    ]) {
      expect(ADDING_A_RULE).toContain(`\`${field}\``);
    }
  });
});
