import { z } from 'zod';
import { compliant, nonCompliant, ParameterError, type Rule } from '../../shared/core/model.ts';

/** A test-only rule: an EC2 instance or volume must carry the tag named by `requiredTag` (default `Owner`). */
export const testRule: Rule<{ requiredTag: string }> = {
  name: 'test-owner-tag',
  description: 'Test-only: instances and volumes carry an owner tag.',
  resourceTypes: ['AWS::EC2::Instance', 'AWS::EC2::Volume'],
  severity: 3,
  parameterDocs: [{ name: 'requiredTag', description: 'The tag key to require.', default: 'Owner' }],
  parseParameters(raw) {
    const parsed = z
      .object({
        requiredTag: z
          .string()
          .regex(/^[\w:.-]+$/)
          .default('Owner'),
      })
      .strict()
      .safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const parameter = String(
        issue?.path[0] ?? (issue && 'keys' in issue ? issue.keys[0] : 'ruleParameters'),
      );
      throw new ParameterError(parameter, raw[parameter], issue?.message ?? 'invalid');
    }
    return parsed.data;
  },
  evaluate(item, params) {
    return params.requiredTag in item.tags
      ? compliant([{ code: 'tag-present', message: `tag ${params.requiredTag} present` }])
      : nonCompliant([{ code: 'missing-tag', message: `missing: ${params.requiredTag}` }]);
  },
};
