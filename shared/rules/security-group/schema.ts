/** zod building blocks shared by the security-group parameters and baselines. */
import * as z from 'zod';
import { isRecord, parameterErrorFromZod } from '../../core/model.ts';

/**
 * A plain object (`expected` otherwise) whose fields are all among `known`. An unknown field is reported, named
 * by its path, before any other field is checked: a misspelt `port` is the problem, not the `fromPort` it leaves
 * out. The object is passed on as given (zod's own records drop a `__proto__` key without a word).
 */
export function knownFields(known: readonly string[], expected: string, unknownField: string) {
  return z.custom<Record<string, unknown>>(isRecord, { error: expected }).check((context) => {
    const key = Object.keys(context.value).find((candidate) => !known.includes(candidate));
    if (key === undefined) return;
    context.issues.push({ code: 'custom', message: unknownField, input: context.value[key], path: [key] });
  });
}

/** Parses `input` with `schema`; the first problem is a ParameterError naming `root` + its path and the value. */
export function parseParameter<Output>(schema: z.ZodType<Output>, input: unknown, root: string): Output {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw parameterErrorFromZod(parsed.error, root, input);
}

/**
 * Parses `value` with a schema chosen from what is already parsed (the ports its protocol takes), from inside a
 * transform: the issues keep their paths, relative to the value being transformed.
 */
export function parseWithin<Output>(
  schema: z.ZodType<Output>,
  value: unknown,
  context: z.RefinementCtx,
): Output {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) context.addIssue({ ...issue });
  return z.NEVER;
}

/** A string or a number (YAML writes `443` and `"443"` alike), `problem` otherwise. */
export function textOrNumber(problem: string) {
  return z.custom<string | number>((value) => typeof value === 'string' || typeof value === 'number', {
    error: problem,
  });
}
