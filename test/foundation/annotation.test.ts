import { describe, expect, it } from 'vitest';
import { buildAnnotation, MAX_ANNOTATION_LENGTH } from '../../shared/core/annotation.ts';

describe('buildAnnotation', () => {
  it('joins the reasons that name each cause', () => {
    expect(
      buildAnnotation('NON_COMPLIANT', [
        { code: 'a', message: 'tcp 22 open to 0.0.0.0/0' },
        { code: 'b', message: 'tcp 3389 open to ::/0' },
      ]),
    ).toBe('tcp 22 open to 0.0.0.0/0; tcp 3389 open to ::/0');
  });

  it('is never empty', () => {
    expect(buildAnnotation('COMPLIANT', [])).toBe('compliant: no finding');
    expect(buildAnnotation('NON_COMPLIANT', [{ code: 'x', message: '  ' }])).toBe('non-compliant');
    expect(buildAnnotation('NOT_APPLICABLE', [])).toBe('not applicable');
  });

  it('cuts at 256 characters at a reason boundary with a marker', () => {
    const reasons = Array.from({ length: 30 }, (_, index) => ({
      code: 'p',
      message: `tcp ${1000 + index} open to 0.0.0.0/0`,
    }));
    const annotation = buildAnnotation('NON_COMPLIANT', reasons);
    expect(annotation.length).toBeLessThanOrEqual(MAX_ANNOTATION_LENGTH);
    expect(annotation.endsWith('0.0.0.0/0 …(truncated)')).toBe(true);
    expect(annotation.startsWith('tcp 1000 open to 0.0.0.0/0; tcp 1001 open')).toBe(true);
  });

  it('cuts one very long reason mid-text', () => {
    const annotation = buildAnnotation('NON_COMPLIANT', [{ code: 'x', message: 'y'.repeat(1000) }]);
    expect(annotation).toBe(`${'y'.repeat(243)} …(truncated)`);
  });
});
