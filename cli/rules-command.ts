/** `plumbline rules`: each rule, the resource types it evaluates, its parameters, defaults and set values. */
import type { AnyRule } from '../shared/core/model.ts';
import type { SuiteConfig } from '../shared/core/suite-config.ts';
import { wrap } from './format/table.ts';
import { severityBand } from './report.ts';

const WIDTH = 110;

export function formatRules(rules: readonly AnyRule[], suite: SuiteConfig, format: 'table' | 'json'): string {
  if (format === 'json') {
    const document = rules.map((rule) => ({
      name: rule.name,
      description: rule.description,
      severity: rule.severity,
      resourceTypes: rule.resourceTypes,
      accountFacts: rule.accountFacts ?? [],
      managedRuleDifferences: rule.managedRuleDifferences ?? [],
      parameters: rule.parameterDocs.map((doc) => ({
        name: doc.name,
        description: doc.description,
        default: doc.default ?? null,
        value: suite.rules[rule.name]?.[doc.name] ?? null,
      })),
    }));
    return `${JSON.stringify(document, null, 2)}\n`;
  }
  if (rules.length === 0) return 'No rule is registered.\n';
  return `${rules.map((rule) => ruleBlock(rule, suite)).join('\n')}`;
}

function ruleBlock(rule: AnyRule, suite: SuiteConfig): string {
  const configured = suite.rules[rule.name] ?? {};
  const nameWidth = Math.max(9, ...rule.parameterDocs.map((doc) => doc.name.length));
  const lines = [
    `${rule.name} · severity ${rule.severity} (${severityBand(rule.severity)})`,
    ...wrap(rule.description, WIDTH - 2).map((line) => `  ${line}`),
    ...wrap(`Resource types: ${rule.resourceTypes.join(', ')}`, WIDTH - 4).map((line, index) =>
      index === 0 ? `  ${line}` : `    ${line}`,
    ),
    `  Parameters (rules.${rule.name} in the configuration file):`,
  ];
  if (rule.parameterDocs.length === 0) lines.push('    none');
  const textWidth = Math.max(40, WIDTH - nameWidth - 6);
  for (const doc of rule.parameterDocs) {
    const settings = [
      doc.default !== undefined ? `default: ${doc.default}` : undefined,
      configured[doc.name] !== undefined ? `set: ${configured[doc.name]}` : undefined,
    ].filter((part) => part !== undefined);
    const text = `${doc.description}${settings.length > 0 ? ` [${settings.join('; ')}]` : ''}`;
    wrap(text, textWidth).forEach((line, index) => {
      lines.push(`    ${(index === 0 ? doc.name : '').padEnd(nameWidth)}  ${line}`);
    });
  }
  const differences = rule.managedRuleDifferences ?? [];
  if (differences.length > 0) {
    lines.push(
      '  Where it differs from AWS’s managed rule (the same parameters, read deliberately otherwise):',
    );
    for (const difference of differences) {
      wrap(difference, WIDTH - 6).forEach((line, index) => {
        lines.push(`    ${index === 0 ? '-' : ' '} ${line}`);
      });
    }
  }
  return `${lines.join('\n')}\n`;
}
