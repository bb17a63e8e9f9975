/**
 * A fake of one security group's EC2 state that applies Authorize/Revoke calls the way EC2 does (Amazon EC2
 * API Reference: AuthorizeSecurityGroupIngress fails whole with `InvalidPermission.Duplicate` when a rule
 * exists; RevokeSecurityGroupIngress returns the rules it did not find in `UnknownIpPermissions`), and records
 * the group after every call so tests can check each step.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  type IpPermission,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { apiGroup } from '../../fixtures/security-group/index.ts';

export type Direction = 'ingress' | 'egress';

/** One rule: protocol, ports and one peer, as a comparable key such as `ingress tcp 22-22 cidr:0.0.0.0/0`. */
export type Atom = string;

export interface GroupSnapshot {
  ingress: Set<Atom>;
  egress: Set<Atom>;
}

export interface Step {
  call: string;
  before: GroupSnapshot;
  after: GroupSnapshot;
  /** Rules the call asked to add (authorize) or remove (revoke). */
  requested: Atom[];
}

function ports(permission: IpPermission): string {
  const protocol = String(permission.IpProtocol ?? '').toLowerCase();
  if (protocol === '-1' || protocol === 'all') return '-1';
  return `${protocol} ${permission.FromPort ?? -1}-${permission.ToPort ?? -1}`;
}

/** Splits EC2 permissions into one atom a peer. */
export function atomsOf(direction: Direction, permissions: readonly IpPermission[] = []): Atom[] {
  return permissions.flatMap((permission) => {
    const traffic = `${direction} ${ports(permission)}`;
    return [
      ...(permission.IpRanges ?? []).map((range) => `${traffic} cidr:${range.CidrIp}`),
      ...(permission.Ipv6Ranges ?? []).map((range) => `${traffic} cidrIpv6:${range.CidrIpv6}`),
      ...(permission.PrefixListIds ?? []).map((entry) => `${traffic} prefixList:${entry.PrefixListId}`),
      ...(permission.UserIdGroupPairs ?? []).map((pair) => `${traffic} group:${pair.GroupId}`),
    ];
  });
}

/** Back from an atom to one EC2 permission. */
export function permissionOf(atom: Atom): IpPermission {
  const [, traffic = '', second = '', third] = atom.split(' ');
  const peer = third ?? second;
  const [kind, value = ''] = peer.split(/:(.*)/s);
  const permission: IpPermission =
    traffic === '-1'
      ? { IpProtocol: '-1' }
      : (() => {
          const [from = '0', to = '0'] = second.split('-');
          return { IpProtocol: traffic, FromPort: Number(from), ToPort: Number(to) };
        })();
  if (kind === 'cidr') permission.IpRanges = [{ CidrIp: value }];
  if (kind === 'cidrIpv6') permission.Ipv6Ranges = [{ CidrIpv6: value }];
  if (kind === 'prefixList') permission.PrefixListIds = [{ PrefixListId: value }];
  if (kind === 'group') permission.UserIdGroupPairs = [{ GroupId: value, UserId: '123456789012' }];
  return permission;
}

/** `atom` for a rule written the short way: `rule('ingress', 'tcp', 22, 'cidr:0.0.0.0/0')`. */
export function rule(direction: Direction, protocol: string, port: number | undefined, peer: string): Atom {
  return protocol === '-1' ? `${direction} -1 ${peer}` : `${direction} ${protocol} ${port}-${port} ${peer}`;
}

function duplicateError(): Error {
  return Object.assign(new Error('the specified rule already exists'), {
    name: 'InvalidPermission.Duplicate',
  });
}

export class FakeSecurityGroup {
  state: GroupSnapshot;
  readonly steps: Step[] = [];

  constructor(
    readonly groupId: string,
    initial: readonly Atom[],
    readonly tags: Record<string, string>,
  ) {
    this.state = { ingress: new Set(), egress: new Set() };
    for (const atom of initial) this.add(atom);
  }

  private add(atom: Atom): void {
    this.state[atom.startsWith('ingress') ? 'ingress' : 'egress'].add(atom);
  }

  all(): Set<Atom> {
    return new Set([...this.state.ingress, ...this.state.egress]);
  }

  /** A change made by someone else (it makes a CloudTrail event, but no step of the responder). */
  userAuthorize(atom: Atom): void {
    this.add(atom);
  }

  userRevoke(atom: Atom): void {
    this.state.ingress.delete(atom);
    this.state.egress.delete(atom);
  }

  private snapshot(): GroupSnapshot {
    return { ingress: new Set(this.state.ingress), egress: new Set(this.state.egress) };
  }

  private authorize(direction: Direction, permissions: IpPermission[] | undefined) {
    const before = this.snapshot();
    const requested = atomsOf(direction, permissions);
    if (requested.some((atom) => this.state[direction].has(atom))) throw duplicateError();
    for (const atom of requested) this.state[direction].add(atom);
    this.steps.push({ call: `Authorize ${direction}`, before, after: this.snapshot(), requested });
    return { Return: true };
  }

  private revoke(direction: Direction, permissions: IpPermission[] | undefined) {
    const before = this.snapshot();
    const requested = atomsOf(direction, permissions);
    const unknown = requested.filter((atom) => !this.state[direction].has(atom));
    for (const atom of requested) this.state[direction].delete(atom);
    this.steps.push({ call: `Revoke ${direction}`, before, after: this.snapshot(), requested });
    return {
      Return: true,
      ...(unknown.length > 0 ? { UnknownIpPermissions: unknown.map(permissionOf) } : {}),
    };
  }

  /** Answers the EC2 mock's calls from this group's state. */
  install(ec2: AwsClientStub<EC2Client>): void {
    ec2.on(DescribeSecurityGroupsCommand).callsFake(() => ({
      SecurityGroups: [
        apiGroup({
          groupId: this.groupId,
          ingress: [...this.state.ingress].map(permissionOf),
          egress: [...this.state.egress].map(permissionOf),
          tags: this.tags,
        }),
      ],
    }));
    ec2
      .on(AuthorizeSecurityGroupIngressCommand)
      .callsFake((input) => this.authorize('ingress', input.IpPermissions));
    ec2
      .on(AuthorizeSecurityGroupEgressCommand)
      .callsFake((input) => this.authorize('egress', input.IpPermissions));
    ec2
      .on(RevokeSecurityGroupIngressCommand)
      .callsFake((input) => this.revoke('ingress', input.IpPermissions));
    ec2.on(RevokeSecurityGroupEgressCommand).callsFake((input) => this.revoke('egress', input.IpPermissions));
  }
}
