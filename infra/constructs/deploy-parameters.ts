/**
 * CloudFormation parameters for the settings users change most (blocked ports, required tags, excluded
 * buckets, responder modes), defaulting to the suite configuration file's values: a console or StackSet
 * change needs no rebuild. The Config rules and the responders read the same values: the rules through their
 * `InputParameters`, the responders through `PLUMBLINE_DEPLOY_PARAMETERS` (shared/lambda/suite.ts).
 *
 * AWS Config refuses a blank parameter value, so a blank parameter is left out of `InputParameters` by a
 * condition (`Fn::If` with `AWS::NoValue` in account mode, an empty fragment of the organisation rule's JSON
 * string); the rules read a left-out parameter as their default, as they read a blank one from the file.
 */
import { Aws, CfnCondition, CfnParameter, Fn, Stack, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { InputError } from '../../shared/core/model.ts';
import { RESPONDERS, RULES } from '../../shared/rules/index.ts';
import type { ConfigRuleFunction, ResponderFunction } from '../catalog.ts';
import type { LoadedSuite } from '../suite.ts';
import { functionId } from './suite-functions.ts';

/** The rule parameters offered at deploy time: those the rule declares (`Rule.deployParameters`). */
export function deployTimeRuleParameters(rule: ConfigRuleFunction): readonly string[] {
  return RULES.find((candidate) => candidate.name === rule)?.deployParameters ?? [];
}

/** A responder's mode setting, its values and its default (`ResponderSpec.deploySetting`), and its rule. */
export function deployTimeResponderMode(responder: ResponderFunction): {
  key: string;
  values: readonly string[];
  fallback: string;
  rule: ConfigRuleFunction;
} {
  const spec = RESPONDERS.find((candidate) => candidate.name === responder);
  if (spec === undefined) throw new Error(`No responder named ${responder} in shared/rules/index.ts`);
  return { ...spec.deploySetting, rule: spec.rule };
}

/** Empty, or text without `"` or `\` (spliced into JSON at deploy time) that neither starts nor ends with space. */
export const PARAMETER_PATTERN = '^([^"\\\\\\s]([^"\\\\]*[^"\\\\\\s])?)?$';
/** AWS Config's own limit on a whole organisation rule's `InputParameters`: no single value can be longer. */
export const PARAMETER_MAX_LENGTH = 2048;

interface RuleParameter {
  name: string;
  parameter: CfnParameter;
  isSet: CfnCondition;
}

export class DeployParameters {
  private readonly rules = new Map<ConfigRuleFunction, RuleParameter[]>();
  private readonly modes = new Map<ResponderFunction, CfnParameter>();

  constructor(
    private readonly scope: Construct,
    private readonly suite: LoadedSuite,
  ) {}

  /** The rule's parameters, created on first use (so a stack holds only those of its rules). */
  private ruleParameters(rule: ConfigRuleFunction): RuleParameter[] {
    const existing = this.rules.get(rule);
    if (existing) return existing;
    const created = deployTimeRuleParameters(rule).map((name) => {
      const id = `${functionId(rule)}${name.charAt(0).toUpperCase()}${name.slice(1)}`;
      const fileValue = (this.suite.config.rules[rule]?.[name] ?? '').trim();
      if (fileValue.length > PARAMETER_MAX_LENGTH || /["\\]/.test(fileValue)) {
        throw new InputError(
          `${this.suite.file}: rules.${rule}.${name}=${JSON.stringify(fileValue)}: a deploy-time parameter takes at most ` +
            `${PARAMETER_MAX_LENGTH} characters and no " or \\`,
        );
      }
      const parameter = new CfnParameter(this.scope, id, {
        type: 'String',
        default: fileValue,
        allowedPattern: PARAMETER_PATTERN,
        maxLength: PARAMETER_MAX_LENGTH,
        constraintDescription: `rules.${rule}.${name}: no " or \\, no leading or trailing space; empty means the rule's default`,
        description: `Plumbline ${rule} rule parameter ${name} (empty: the rule's default; default: the suite configuration file's value)`,
      });
      const isSet = new CfnCondition(this.scope, `${id}IsSet`, {
        expression: Fn.conditionNot(Fn.conditionEquals(parameter.valueAsString, '')),
      });
      return { name, parameter, isSet };
    });
    this.rules.set(rule, created);
    return created;
  }

  /** The responder's mode parameter, defaulting to the file's value (or the responder's default). */
  private modeParameter(responder: ResponderFunction): CfnParameter {
    const existing = this.modes.get(responder);
    if (existing) return existing;
    const { key, values, fallback } = deployTimeResponderMode(responder);
    const settings = this.suite.config.settings.responders as
      | Record<string, Record<string, unknown>>
      | undefined;
    const fileValue = settings?.[responder]?.[key];
    const parameter = new CfnParameter(
      this.scope,
      `${functionId(responder)}${key.charAt(0).toUpperCase()}${key.slice(1)}`,
      {
        type: 'String',
        default: typeof fileValue === 'string' ? fileValue : fallback,
        allowedValues: [...values],
        description: `Plumbline ${responder} responders.${responder}.${key} (default: the suite configuration file's value)`,
      },
    );
    this.modes.set(responder, parameter);
    return parameter;
  }

  /** Account mode: `InputParameters` with each deploy-time parameter left out when blank. */
  accountInputParameters(
    rule: ConfigRuleFunction,
    fromFile: Record<string, string>,
  ): Record<string, unknown> {
    const parameters: Record<string, unknown> = withoutDeployTime(rule, fromFile);
    for (const { name, parameter, isSet } of this.ruleParameters(rule)) {
      parameters[name] = Fn.conditionIf(isSet.logicalId, parameter.valueAsString, Aws.NO_VALUE);
    }
    return parameters;
  }

  /**
   * Organisation mode: the rule's `InputParameters` JSON string, each deploy-time parameter a fragment that is
   * empty when blank. `ExecutionRoleName` comes last, so every other fragment ends with a comma.
   */
  organizationInputParameters(
    rule: ConfigRuleFunction,
    fromFile: Record<string, string>,
    executionRoleName: string,
  ): string {
    const { ExecutionRoleName: _last, ...fileValues } = fromFile;
    const fixed = Object.entries(withoutDeployTime(rule, fileValues)).map(
      ([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)},`,
    );
    const conditional = this.ruleParameters(rule).map(({ name, parameter, isSet }) =>
      Token.asString(
        Fn.conditionIf(
          isSet.logicalId,
          Fn.join('', [`${JSON.stringify(name)}:"`, parameter.valueAsString, '",']),
          '',
        ),
      ),
    );
    return Fn.join('', [
      '{',
      ...fixed,
      ...conditional,
      `"ExecutionRoleName":${JSON.stringify(executionRoleName)}}`,
    ]);
  }

  /**
   * `PLUMBLINE_DEPLOY_PARAMETERS` of a responder: its rule's deploy-time parameters and its mode (blank values
   * are fine here: the rules read a blank parameter as an absent one).
   */
  responderEnvironment(responder: ResponderFunction): string {
    const { key, rule } = deployTimeResponderMode(responder);
    const ruleValues = Object.fromEntries(
      this.ruleParameters(rule).map(({ name, parameter }) => [name, parameter.valueAsString]),
    );
    return Stack.of(this.scope).toJsonString({
      rules: { [rule]: ruleValues },
      responders: { [responder]: { [key]: this.modeParameter(responder).valueAsString } },
    });
  }
}

function withoutDeployTime(
  rule: ConfigRuleFunction,
  fromFile: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fromFile).filter(([name]) => !deployTimeRuleParameters(rule).includes(name)),
  );
}
