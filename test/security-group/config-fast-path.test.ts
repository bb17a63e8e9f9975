/**
 * The per-group fast path of the security-group rule (hand-written guards) against the zod schema it stands
 * in for: over generated Config `configuration` objects, well-formed and malformed, both read the same groups
 * into the same state, and a group the guards refuse keeps zod's message naming the field.
 * Shapes: AWS Config resource schema for AWS::EC2::SecurityGroup (test/fixtures/security-group/README.md).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../shared/core/model.ts';
import {
  groupStateFromConfiguration,
  groupStateThroughSchema,
  isFastPathGroup,
} from '../../shared/rules/security-group/permissions.ts';
import { anyJson, field } from '../support/malformed.ts';

const fieldOf = <T>(good: fc.Arbitrary<T>) => field(good, 30);

const text = fc.string({ maxLength: 6 });
const cidr = fc.constantFrom('0.0.0.0/0', '10.0.0.0/8', '::/0', '2001:db8::/32', 'not-a-cidr', '');
const optionalRecord = <T extends Record<string, fc.Arbitrary<unknown>>>(model: T) =>
  fc.record(model, { requiredKeys: [] });
const list = <T>(element: fc.Arbitrary<T>) =>
  fieldOf(
    fc.array(fc.oneof({ weight: 12, arbitrary: element }, { weight: 1, arbitrary: anyJson }), {
      maxLength: 3,
    }),
  );

const permission = optionalRecord({
  ipProtocol: fieldOf(fc.constantFrom('tcp', 'udp', '-1', 'icmp', '6', 'bogus', 7)),
  fromPort: fieldOf(fc.oneof(fc.integer({ min: -2, max: 70000 }), fc.constant('22'))),
  toPort: fieldOf(fc.oneof(fc.integer({ min: -2, max: 70000 }), fc.constant('22'))),
  ipRanges: list(fc.oneof(cidr, optionalRecord({ cidrIp: fieldOf(cidr), description: fieldOf(text) }))),
  ipv4Ranges: list(optionalRecord({ cidrIp: fieldOf(cidr), description: fieldOf(text) })),
  ipv6Ranges: list(optionalRecord({ cidrIpv6: fieldOf(cidr), description: fieldOf(text) })),
  prefixListIds: list(
    optionalRecord({ prefixListId: fieldOf(fc.constantFrom('pl-1', 'pl-2')), description: fieldOf(text) }),
  ),
  userIdGroupPairs: list(
    optionalRecord({
      groupId: fieldOf(fc.constantFrom('sg-2', 'sg-3')),
      groupName: fieldOf(text),
      userId: fieldOf(fc.constant('111122223333')),
      description: fieldOf(text),
    }),
  ),
  note: fieldOf(anyJson),
});

const tags = fc.oneof(
  fc.dictionary(fc.constantFrom('Name', 'owner'), fc.oneof(text, fc.constant(null), anyJson)),
  fc.array(optionalRecord({ key: fieldOf(text), value: fieldOf(text) }), { maxLength: 3 }),
  anyJson,
);

const group = optionalRecord({
  groupId: fieldOf(fc.constantFrom('sg-1', 'sg-0123456789abcdef0')),
  groupName: fieldOf(text),
  vpcId: fieldOf(fc.constant('vpc-1')),
  ownerId: fieldOf(fc.constant('111122223333')),
  description: fieldOf(text),
  ipPermissions: list(permission),
  ipPermissionsEgress: list(permission),
  tags: fieldOf(tags),
});

const configuration = fc.oneof({ weight: 25, arbitrary: group }, { weight: 1, arbitrary: anyJson });

type Outcome = { group: unknown } | { error: string };

function outcome(read: (input: unknown) => unknown, input: unknown): Outcome {
  try {
    return { group: read(input) };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { error: error.message };
  }
}

describe('the security-group fast path agrees with the zod schema', () => {
  it('reads exactly the groups zod reads, into the same state (or the same error)', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(configuration, (input) => {
        const tagMap = { team: 'a' };
        const viaSchema = outcome((value) => groupStateThroughSchema(value, tagMap, 'configuration'), input);
        const viaFastPath = outcome(
          (value) => groupStateFromConfiguration(value, tagMap, 'configuration'),
          input,
        );
        expect(viaFastPath).toStrictEqual(viaSchema);
        // The guards say yes exactly when zod reads the group (generated inputs are all plain JSON).
        expect(isFastPathGroup(input)).toBe(!('error' in viaSchema));
        if (isFastPathGroup(input)) accepted++;
        else refused++;
      }),
      { numRuns: 4000 },
    );
    expect(accepted).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(300);
  });

  it('a group the guards refuse still gets the message naming the field', () => {
    const input = { groupId: 'sg-1', ipPermissions: [{ ipProtocol: 'tcp', ipv4Ranges: [{ cidrIp: 7 }] }] };
    expect(isFastPathGroup(input)).toBe(false);
    expect(() => groupStateFromConfiguration(input, {}, 'configurationItems[2].configuration')).toThrow(
      'Invalid security group configuration: configurationItems[2].configuration.ipPermissions.0.ipv4Ranges.0.cidrIp',
    );
  });

  it('leaves a group that is not a plain object to zod, which reads it alike', () => {
    const input = Object.assign(Object.create({ inherited: true }) as object, { groupId: 'sg-1' });
    expect(isFastPathGroup(input)).toBe(false);
    expect(groupStateFromConfiguration(input, {})).toStrictEqual(groupStateThroughSchema(input, {}));
  });

  it('reads a sparse permission list as zod does: the hole is an error', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the case under test
    const input = { groupId: 'sg-1', ipPermissions: [, { ipProtocol: '-1' }] };
    expect(isFastPathGroup(input)).toBe(false);
    expect(() => groupStateFromConfiguration(input, {})).toThrow(
      'configuration.ipPermissions.0: Invalid input: expected object, received undefined',
    );
  });
});
