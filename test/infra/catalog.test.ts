/**
 * The catalog as the registry shapes it (no synth): which rules are periodic-only and global, which declare
 * account-level reads and what their roles are granted, and the member role each function assumes in
 * organisation mode. The stack tests derive their expectations from these lists; the first tests pin the lists
 * themselves, so that a derived expectation can never be vacuous.
 */
import { describe, expect, it } from 'vitest';
import {
  ALL_FUNCTIONS,
  CONFIG_RULE_FUNCTIONS,
  deployedFunctions,
  functionActions,
  MEMBER_ROLE_SUFFIX_LENGTH,
  memberRoleName,
  memberRoles,
  ROLE_NAME_LIMIT,
  ruleGrants,
} from '../../infra/catalog.ts';
import { EXECUTION_ROLE_NAME_LIMIT } from '../../infra/settings.ts';
import { RULES } from '../../shared/rules/index.ts';
import { GLOBAL_RULES, PERIODIC_ONLY_RULES, RULE_READ_ACTIONS } from './support.ts';

const IAM_RULES = ['iam-user-mfa', 'iam-console-mfa', 'root-mfa'];

describe('the registry as the deployment reads it', () => {
  it('the IAM rules, and only they, are periodic-only and global', () => {
    expect(PERIODIC_ONLY_RULES).toEqual(IAM_RULES);
    expect(GLOBAL_RULES).toEqual(IAM_RULES);
  });

  it('the rules that declare account-level reads, and those reads', () => {
    expect(RULE_READ_ACTIONS).toEqual({
      'public-bucket': ['s3:GetAccountPublicAccessBlock'],
      'iam-user-mfa': ['iam:GenerateCredentialReport', 'iam:GetCredentialReport'],
      'iam-console-mfa': ['iam:GenerateCredentialReport', 'iam:GetCredentialReport'],
      'root-mfa': ['iam:GetAccountSummary'],
    });
  });

  it("an IAM rule's reads become one statement on *, with the reason cdk-nag shows", () => {
    const rootMfa = RULES.find((rule) => rule.name === 'root-mfa');
    if (rootMfa === undefined) throw new Error('no root-mfa rule');
    expect(ruleGrants(rootMfa)).toEqual([
      {
        actions: ['iam:GetAccountSummary'],
        resources: ['*'],
        wildcardReason:
          "iam:GetAccountSummary is an account-level read with no resource type (the root-mfa rule's account facts)",
      },
    ]);
  });

  it.each([['select' as const], ['list' as const]])(
    'inventory %s: only the IAM rules’ functions are granted iam: actions, exactly their reads',
    (inventory) => {
      const iamActions = Object.fromEntries(
        ALL_FUNCTIONS.map((name) => [
          name,
          functionActions(name, inventory)
            .flatMap((grant) => grant.actions)
            .filter((action) => action.startsWith('iam:')),
        ]),
      );
      expect(Object.keys(iamActions).filter((name) => (iamActions[name] ?? []).length > 0)).toEqual(
        IAM_RULES,
      );
      for (const rule of IAM_RULES) expect(iamActions[rule]).toEqual(RULE_READ_ACTIONS[rule]);
    },
  );
});

describe('organisation mode: a member role per function', () => {
  it('each function, Config-rule functions included, assumes <executionRoleName>-<function>', () => {
    expect(CONFIG_RULE_FUNCTIONS.map((name) => memberRoleName('PlumblineExecutionRole', name))).toEqual(
      CONFIG_RULE_FUNCTIONS.map((name) => `PlumblineExecutionRole-${name}`),
    );
    expect(memberRoleName('acme-execution', 'root-mfa')).toBe('acme-execution-root-mfa');
    expect(memberRoleName('acme-execution', 'sg-drift-revert')).toBe('acme-execution-sg-drift-revert');
  });

  it('no two functions share a member role', () => {
    const names = ALL_FUNCTIONS.map((name) => memberRoleName('PlumblineExecutionRole', name));
    expect(new Set(names).size).toBe(ALL_FUNCTIONS.length);
  });

  it('the deployed functions’ roles, each with its one function; without the responders, none of theirs', () => {
    expect(memberRoles('PlumblineExecutionRole', deployedFunctions(false))).toEqual(
      [...CONFIG_RULE_FUNCTIONS, 'compliance-notifier'].map((name) => ({
        roleName: `PlumblineExecutionRole-${name}`,
        function: name,
      })),
    );
  });

  it("the longest executionRoleName the settings accept keeps every member role within IAM's 64 characters", () => {
    expect(EXECUTION_ROLE_NAME_LIMIT).toBe(ROLE_NAME_LIMIT - MEMBER_ROLE_SUFFIX_LENGTH);
    expect(MEMBER_ROLE_SUFFIX_LENGTH).toBe(Math.max(...ALL_FUNCTIONS.map((name) => name.length)) + 1);
    const longest = 'R'.repeat(EXECUTION_ROLE_NAME_LIMIT);
    for (const name of ALL_FUNCTIONS) {
      expect(memberRoleName(longest, name).length).toBeLessThanOrEqual(ROLE_NAME_LIMIT);
    }
  });

  it("a member role name longer than IAM's 64 characters fails the synth, naming executionRoleName", () => {
    const tooLong = 'R'.repeat(EXECUTION_ROLE_NAME_LIMIT + 1);
    const longestFunction = ALL_FUNCTIONS.find((name) => name.length + 1 === MEMBER_ROLE_SUFFIX_LENGTH);
    if (longestFunction === undefined) throw new Error('no longest function');
    expect(() => memberRoleName(tooLong, longestFunction)).toThrow(
      `Invalid context plumbline:executionRoleName="${tooLong}": the member role name ${tooLong}-${longestFunction} is 65 characters; IAM accepts 64: choose a shorter executionRoleName`,
    );
  });

  it('a name that is no function is refused', () => {
    expect(() => memberRoleName('PlumblineExecutionRole', 'open-ports')).toThrow(
      'No function named open-ports in the catalog',
    );
  });
});
