/**
 * One base error for what Plumbline reports to a person: input, parameters, settings, environment. The CLI
 * picks its exit code by that one type; the zod helper names the parameter and the value found there.
 */

import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { UsageError } from '../../cli/io.ts';
import { LiveScanError } from '../../cli/live.ts';
import { maxAttemptsFrom } from '../../shared/aws/clients.ts';
import {
  InputError,
  ParameterError,
  PlumblineError,
  parameterErrorFromZod,
} from '../../shared/core/model.ts';
import { BaselineError } from '../../shared/rules/security-group/baselines.ts';

describe('PlumblineError', () => {
  it('is the base of every user-facing error, keeps the cause and escapes control characters', () => {
    const cause = new Error('underlying');
    const errors = [
      new InputError('bad\u202eevent', { cause }),
      new ParameterError('blockedPorts', 'x', 'expected ports', { cause }),
      new UsageError('unknown option'),
      new LiveScanError('AWS Config in us-east-1: AccessDenied'),
      new BaselineError('sg-0123456789abcdef0', 'web', 'no rules'),
    ];
    for (const error of errors) expect(error).toBeInstanceOf(PlumblineError);
    expect(errors[0]?.message).toBe('bad\\u202eevent');
    expect(errors[0]?.cause).toBe(cause);
    expect(errors[1]?.cause).toBe(cause);
  });

  it('a bad environment variable for the SDK clients is one too, naming it', () => {
    expect(() => maxAttemptsFrom('0')).toThrow(PlumblineError);
    expect(() => maxAttemptsFrom('0')).toThrow(
      'Invalid environment variable PLUMBLINE_MAX_ATTEMPTS="0": expected an integer from 1 to 10',
    );
  });
});

describe('parameterErrorFromZod', () => {
  const schema = z.object({ ingress: z.array(z.object({ port: z.number().int().max(65535) })) });

  it('names the parameter by its path under the root and quotes the value found there', () => {
    const input = { ingress: [{ port: 22 }, { port: 70000 }] };
    const parsed = schema.safeParse(input);
    if (parsed.success) throw new Error('expected a failure');
    const error = parameterErrorFromZod(parsed.error, 'baselines.web', input);
    expect(error).toBeInstanceOf(ParameterError);
    expect(error.parameter).toBe('baselines.web.ingress[1].port');
    expect(error.value).toBe(70000);
    expect(error.message).toBe(
      'Invalid rule parameter baselines.web.ingress[1].port=70000: Too big: expected number to be <=65535',
    );
    expect(error.cause).toBe(parsed.error);
  });

  it('with an empty root the path alone names the parameter', () => {
    const parsed = schema.safeParse({ ingress: 'all' });
    if (parsed.success) throw new Error('expected a failure');
    expect(parameterErrorFromZod(parsed.error, '', { ingress: 'all' }).parameter).toBe('ingress');
  });
});
