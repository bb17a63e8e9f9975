import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseSuiteConfig } from '../../shared/core/suite-config.ts';
import { checkSuiteConfig, RULES } from '../../shared/rules/index.ts';

const names = RULES.map((rule) => rule.name);

describe('checkSuiteConfig', () => {
  it('accepts the repository configuration that deployment ships', () => {
    const document = parseYaml(readFileSync('plumbline.config.yaml', 'utf8'));
    expect(() => checkSuiteConfig(parseSuiteConfig(document, 'plumbline.config.yaml', names))).not.toThrow();
  });

  it('rejects a bad rule parameter before anything is deployed, naming it and its value', () => {
    const config = parseSuiteConfig(
      { rules: { 'security-group': { blockedPorts: '22,abc' } } },
      'c.yaml',
      names,
    );
    expect(() => checkSuiteConfig(config)).toThrow(/^Invalid rule parameter blockedPorts="22,abc"/);
  });

  it('rejects bad responder settings', () => {
    const config = parseSuiteConfig(
      { responders: { 'public-bucket-remediate': { mode: 'yolo' } } },
      'c.yaml',
      names,
    );
    expect(() => checkSuiteConfig(config)).toThrow(
      'Invalid rule parameter responders.public-bucket-remediate.mode="yolo": expected enforce or report',
    );
  });
});
