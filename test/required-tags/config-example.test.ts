import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { evaluateItem } from '../../shared/core/evaluate.ts';
import { parseSuiteConfig } from '../../shared/core/suite-config.ts';
import { requiredTagsResourceTypes, requiredTagsRuleFor } from '../../shared/rules/required-tags/index.ts';
import { DEFAULT_RESOURCE_TYPES } from '../../shared/rules/required-tags/resource-types.ts';
import { CONTEXT, item } from './helpers.ts';

const EXAMPLE = new URL('../fixtures/required-tags/plumbline.config.example.yaml', import.meta.url);

describe('the example configuration section', () => {
  const suite = parseSuiteConfig(parse(readFileSync(EXAMPLE, 'utf8')), 'plumbline.config.yaml', [
    'required-tags',
  ]);
  const rule = requiredTagsRuleFor(suite.settings);
  const params = rule.parseParameters(suite.rules['required-tags'] ?? {}, suite.settings);

  it('parses into the rule’s parameters and scope', () => {
    expect(requiredTagsResourceTypes(suite.settings)).toBe(DEFAULT_RESOURCE_TYPES);
    expect(params.requirements.map((requirement) => requirement.source)).toEqual([
      'tag1Key',
      'tag2Key',
      'tagPolicy.required[0]',
      'tagPolicy.required[1]',
    ]);
  });

  it('judges a bucket by the common and the bucket requirements', () => {
    const bucket = item(
      { CostCenter: '1', Environment: 'qa', Owner: 'ops', Project: 'apollo' },
      { resourceType: 'AWS::S3::Bucket', resourceId: 'amzn-s3-demo-bucket' },
    );
    expect(evaluateItem(rule, params, bucket, CONTEXT).annotation).toBe(
      'missing: DataClassification; Environment=qa not in [prod, staging, dev]',
    );
  });
});
