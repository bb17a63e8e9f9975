import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../shared/core/model.ts';
import { parseSuiteConfig } from '../../shared/core/suite-config.ts';
import { bundledSuiteConfig, resetSuiteConfigCache } from '../../shared/lambda/suite.ts';
import { RULES } from '../../shared/rules/index.ts';

describe('parseSuiteConfig', () => {
  it('keeps rule parameters as strings, as Config passes them, and the rest as settings', () => {
    const config = parseSuiteConfig(
      {
        rules: { 'test-rule': { blockedPorts: '22,3389', enabled: true, limit: 5 } },
        baselines: { web: {} },
      },
      'plumbline.config.yaml',
      ['test-rule'],
    );
    expect(config).toEqual({
      rules: { 'test-rule': { blockedPorts: '22,3389', enabled: 'true', limit: '5' } },
      settings: { baselines: { web: {} } },
    });
  });

  it('names the file and the key that is wrong', () => {
    expect(() => parseSuiteConfig({ rules: { nope: {} } }, 'plumbline.config.yaml', ['a', 'b'])).toThrow(
      'plumbline.config.yaml: rules.nope: unknown rule (known: a, b)',
    );
    expect(() => parseSuiteConfig({ rules: { a: { port: [22] } } }, 'c.json', ['a'])).toThrow(
      /^c\.json: rules\.a\.port: /,
    );
    expect(() => parseSuiteConfig({ rules: 'x' }, 'c.json', ['a'])).toThrow(/^c\.json: rules: /);
  });

  it('rejects an unknown top-level key, naming it and the allowed ones, rather than ignoring it', () => {
    expect(() =>
      parseSuiteConfig({ rules: {}, tagPolicyy: { required: ['Owner'] } }, 'plumbline.config.yaml', ['a']),
    ).toThrow(
      new InputError(
        'plumbline.config.yaml: tagPolicyy: unknown top-level key (allowed: rules, baselines, tagPolicy, responders)',
      ),
    );
    expect(() => parseSuiteConfig({ baseline: { web: {} }, rulez: {} }, 'c.json', ['a'])).toThrow(
      new InputError(
        'c.json: baseline, rulez: unknown top-level keys (allowed: rules, baselines, tagPolicy, responders)',
      ),
    );
  });

  it('accepts every allowed top-level key as a suite setting', () => {
    const settings = { baselines: {}, tagPolicy: { required: ['Owner'] }, responders: {} };
    expect(parseSuiteConfig({ rules: {}, ...settings }, 'c.json', ['a'])).toEqual({ rules: {}, settings });
  });
});

describe('bundledSuiteConfig', () => {
  afterEach(() => {
    delete process.env.PLUMBLINE_CONFIG_FILE;
    delete process.env.PLUMBLINE_DEPLOY_PARAMETERS;
    resetSuiteConfigCache();
  });

  const shippedFile = (document: unknown) => {
    const file = join(mkdtempSync(join(tmpdir(), 'suite-')), 'plumbline.config.json');
    writeFileSync(file, JSON.stringify(document));
    process.env.PLUMBLINE_CONFIG_FILE = file;
    return file;
  };

  it("PLUMBLINE_DEPLOY_PARAMETERS replaces the file's values one by one and keeps the rest", () => {
    shippedFile({
      rules: { 'security-group': { blockedPorts: '22,3389', authorizedTcpPorts: '443' } },
      responders: { 'sg-drift-revert': { blockedPortsMode: 'report' } },
      tagPolicy: { required: ['Owner'] },
    });
    process.env.PLUMBLINE_DEPLOY_PARAMETERS = JSON.stringify({
      rules: { 'security-group': { blockedPorts: '22' }, 'public-bucket': { excludedPublicBuckets: 'logs' } },
      responders: { 'sg-drift-revert': { blockedPortsMode: 'enforce' } },
    });
    expect(bundledSuiteConfig()).toEqual({
      rules: {
        'security-group': { blockedPorts: '22', authorizedTcpPorts: '443' },
        'public-bucket': { excludedPublicBuckets: 'logs' },
      },
      settings: {
        responders: { 'sg-drift-revert': { blockedPortsMode: 'enforce' } },
        tagPolicy: { required: ['Owner'] },
      },
    });
  });

  it.each([
    ['{oops', /^PLUMBLINE_DEPLOY_PARAMETERS: not valid JSON: /],
    ['{"rule": {}}', /^PLUMBLINE_DEPLOY_PARAMETERS: \(top level\): Unrecognized key: "rule" \(expected /],
    [
      '{"rules": {"security-group": {"blockedPorts": 22}}}',
      /^PLUMBLINE_DEPLOY_PARAMETERS: rules\.security-group\.blockedPorts: /,
    ],
  ])('a malformed PLUMBLINE_DEPLOY_PARAMETERS %s fails naming the variable and the field', (raw, message) => {
    shippedFile({});
    process.env.PLUMBLINE_DEPLOY_PARAMETERS = raw;
    expect(() => bundledSuiteConfig()).toThrow(message);
  });

  it('a deploy-time value is validated like the file, naming both (rule names as the build puts them in a bundle)', () => {
    const globals = globalThis as { PLUMBLINE_RULE_NAMES?: string };
    globals.PLUMBLINE_RULE_NAMES = RULES.map((rule) => rule.name).join(',');
    try {
      const file = shippedFile({});
      process.env.PLUMBLINE_DEPLOY_PARAMETERS = JSON.stringify({ rules: { nope: { a: 'b' } } });
      expect(() => bundledSuiteConfig()).toThrow(
        `${file} with PLUMBLINE_DEPLOY_PARAMETERS: rules.nope: unknown rule`,
      );
    } finally {
      delete globals.PLUMBLINE_RULE_NAMES;
    }
  });

  it('reads the file named by PLUMBLINE_CONFIG_FILE once', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'suite-')), 'plumbline.config.json');
    writeFileSync(file, JSON.stringify({ tagPolicy: { required: ['Owner'] } }));
    process.env.PLUMBLINE_CONFIG_FILE = file;
    expect(bundledSuiteConfig().settings).toEqual({ tagPolicy: { required: ['Owner'] } });
    writeFileSync(file, '{}');
    expect(bundledSuiteConfig().settings).toEqual({ tagPolicy: { required: ['Owner'] } });
  });

  it('fails naming the file when it is not JSON, or when the named file is missing', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'suite-')), 'plumbline.config.json');
    writeFileSync(file, '{oops');
    process.env.PLUMBLINE_CONFIG_FILE = file;
    expect(() => bundledSuiteConfig()).toThrow(`${file}: not valid JSON`);
    resetSuiteConfigCache();
    process.env.PLUMBLINE_CONFIG_FILE = join(tmpdir(), 'does-not-exist.json');
    expect(() => bundledSuiteConfig()).toThrow(/ENOENT/);
  });
});
