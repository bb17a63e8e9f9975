/**
 * Synthetic configuration items for the benchmarks, deterministic by index so that a page of a 100,000-item
 * inventory can be made on demand (nothing is held in memory but the page being served).
 *
 * Shapes follow AWS Config's own, as the repository's documented fixtures show them:
 * - the Lambda-event shape (`configuration` an object, `tags` a map, S3 `AccessControlList` a JSON string):
 *   AWS Config Developer Guide, "Example Events for AWS Config Rules", and test/fixtures/required-tags/
 *   s3-bucket-event-item.json;
 * - `SelectResourceConfig` rows (a JSON string each, `configuration` an object, tags a `{key, value, tag}`
 *   list): AWS Config API Reference, "SelectResourceConfig", and the property names of
 *   awslabs/aws-config-resource-schema (`configuration.ipPermissions.ipv4Ranges.cidrIp`, …);
 * - API items (`GetResourceConfigHistory` / `BatchGetResourceConfig`: `configuration` and supplementary
 *   values JSON strings, `accountId`, `arn`, capture time a Date): AWS Config API Reference,
 *   "ConfigurationItem" and "BaseConfigurationItem".
 */

export const BENCH_ACCOUNT = '123456789012';
export const BENCH_REGION = 'us-east-1';
export const CAPTURE_TIME = '2024-05-14T10:07:31.512Z';

export type RawItem = Record<string, unknown> & {
  resourceType: string;
  resourceId: string;
  configuration: Record<string, unknown>;
  supplementaryConfiguration: Record<string, unknown>;
  tags: Record<string, string>;
};

/** A small, fast, seedable PRNG (mulberry32): the same index always yields the same item. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (value: number, width: number) => value.toString(16).padStart(width, '0').slice(-width);

function seedOf(resourceType: string, index: number): number {
  let hash = 2166136261;
  for (let i = 0; i < resourceType.length; i++) hash = Math.imul(hash ^ resourceType.charCodeAt(i), 16777619);
  return (hash ^ Math.imul(index + 1, 2654435761)) >>> 0;
}

/** Tags as an organisation has them: mostly complete, some missing or off-policy. */
function syntheticTags(next: () => number, index: number): Record<string, string> {
  const tags: Record<string, string> = { Name: `bench-${index}` };
  if (next() < 0.9) tags.CostCenter = next() < 0.95 ? String(1000 + Math.floor(next() * 9000)) : '';
  if (next() < 0.8) tags.Environment = ['prod', 'staging', 'dev', 'Prod'][Math.floor(next() * 4)] as string;
  if (next() < 0.7) tags.Owner = `team-${Math.floor(next() * 40)}`;
  if (next() < 0.3) tags['aws:cloudformation:stack-name'] = `stack-${Math.floor(next() * 100)}`;
  return tags;
}

const tagList = (tags: Record<string, string>) =>
  Object.entries(tags).map(([key, value]) => ({ key, value }));

type Permission = Record<string, unknown>;

function permission(protocol: string, from: number, to: number, cidrs: string[], ipv6: string[] = []) {
  return {
    ipProtocol: protocol,
    fromPort: from,
    toPort: to,
    ipRanges: cidrs,
    ipv4Ranges: cidrs.map((cidrIp) => ({ cidrIp })),
    ipv6Ranges: ipv6.map((cidrIpv6) => ({ cidrIpv6 })),
    prefixListIds: [],
    userIdGroupPairs: [],
  } satisfies Permission;
}

function securityGroup(index: number, next: () => number): RawItem {
  const groupId = `sg-${hex(index, 17)}`;
  const ingress: Permission[] = [permission('tcp', 443, 443, ['10.0.0.0/8'])];
  const roll = next();
  if (roll < 0.05) ingress.push(permission('tcp', 22, 22, ['0.0.0.0/0']));
  else if (roll < 0.08) ingress.push(permission('tcp', 3389, 3389, [], ['::/0']));
  else if (roll < 0.1) ingress.push(permission('-1', -1, -1, ['0.0.0.0/0']));
  else if (roll < 0.4) ingress.push(permission('tcp', 80, 80, ['0.0.0.0/0']));
  if (next() < 0.3) {
    ingress.push({
      ...permission('tcp', 5432, 5432, []),
      userIdGroupPairs: [{ groupId: `sg-${hex(index + 99, 17)}`, userId: BENCH_ACCOUNT }],
    });
  }
  const tags = syntheticTags(next, index);
  return base('AWS::EC2::SecurityGroup', groupId, `web-${index}`, tags, {
    description: `bench group ${index}`,
    groupName: `web-${index}`,
    ipPermissions: ingress,
    ownerId: BENCH_ACCOUNT,
    groupId,
    ipPermissionsEgress: [permission('-1', -1, -1, ['0.0.0.0/0'])],
    vpcId: `vpc-${hex(index % 50, 17)}`,
    tags: tagList(tags),
  });
}

const OWNER_ID = 'eadb5178bbc89e74466498016ffb01b950e758026c6d44296c35646518db9217';

function bucket(index: number, next: () => number): RawItem {
  const name = `bench-bucket-${String(index).padStart(6, '0')}`;
  const grants: Record<string, unknown>[] = [
    { grantee: { id: OWNER_ID, displayName: null }, permission: 'FullControl' },
  ];
  const roll = next();
  if (roll < 0.03) grants.push({ grantee: 'AllUsers', permission: 'Read' });
  const policy =
    roll >= 0.03 && roll < 0.06
      ? JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${name}/*` },
          ],
        })
      : roll < 0.3
        ? JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Deny',
                Principal: '*',
                Action: 's3:*',
                Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              },
            ],
          })
        : null;
  const tags = syntheticTags(next, index);
  const supplementary: Record<string, unknown> = {
    AccessControlList: JSON.stringify({
      grantSet: null,
      grantList: grants,
      owner: { displayName: null, id: OWNER_ID },
      isRequesterCharged: false,
    }),
    BucketPolicy: { policyText: policy },
    BucketTaggingConfiguration: { tagSets: [{ tags }] },
    BucketVersioningConfiguration: { status: 'Enabled', isMfaDeleteEnabled: null },
    IsRequesterPaysEnabled: false,
  };
  if (next() < 0.5) {
    supplementary.PublicAccessBlockConfiguration = {
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    };
  }
  return {
    ...base(
      'AWS::S3::Bucket',
      name,
      name,
      tags,
      { name, owner: { displayName: null, id: OWNER_ID }, creationDate: '2020-12-28T03:36:13.000Z' },
      `arn:aws:s3:::${name}`,
    ),
    supplementaryConfiguration: supplementary,
  };
}

function accountPublicAccessBlock(): RawItem {
  return base(
    'AWS::S3::AccountPublicAccessBlock',
    BENCH_ACCOUNT,
    undefined,
    {},
    {
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: false,
      restrictPublicBuckets: false,
    },
  );
}

function generic(resourceType: string, index: number, next: () => number): RawItem {
  const short = resourceType.split('::').pop()?.toLowerCase() ?? 'resource';
  const id = `${short}-${hex(index, 17)}`;
  const tags = syntheticTags(next, index);
  return base(resourceType, id, `${short}-${index}`, tags, { id, tags: tagList(tags) });
}

function base(
  resourceType: string,
  resourceId: string,
  resourceName: string | undefined,
  tags: Record<string, string>,
  configuration: Record<string, unknown>,
  arn = `arn:aws:${resourceType.split('::')[1]?.toLowerCase()}:${BENCH_REGION}:${BENCH_ACCOUNT}:${resourceId}`,
): RawItem {
  return {
    relatedEvents: [],
    relationships: [],
    configuration,
    supplementaryConfiguration: {},
    tags,
    configurationItemVersion: '1.3',
    configurationItemCaptureTime: CAPTURE_TIME,
    configurationStateId: 1715681251512,
    awsAccountId: BENCH_ACCOUNT,
    configurationItemStatus: 'OK',
    resourceType,
    resourceId,
    ...(resourceName ? { resourceName } : {}),
    ARN: arn,
    awsRegion: BENCH_REGION,
    availabilityZone: 'Not Applicable',
    configurationStateMd5Hash: '',
  };
}

/** The index a synthetic item was made from, read back from its resource id. */
export function syntheticIndex(resourceType: string, resourceId: string): number {
  if (resourceType === 'AWS::S3::Bucket') return Number(resourceId.slice('bench-bucket-'.length));
  if (SINGLETON_TYPES.has(resourceType)) return 0;
  return Number.parseInt(resourceId.slice(resourceId.lastIndexOf('-') + 1), 16);
}

/** Resource types an account holds one of (never scaled with the inventory). */
const SINGLETON_TYPES = new Set(['AWS::S3::AccountPublicAccessBlock']);

/** The `index`-th synthetic item of a type, in the Lambda-event (and snapshot-file) shape. */
export function syntheticItem(resourceType: string, index: number): RawItem {
  const next = random(seedOf(resourceType, index));
  switch (resourceType) {
    case 'AWS::EC2::SecurityGroup':
      return securityGroup(index, next);
    case 'AWS::S3::Bucket':
      return bucket(index, next);
    case 'AWS::S3::AccountPublicAccessBlock':
      return accountPublicAccessBlock();
    default:
      return generic(resourceType, index, next);
  }
}

/** How many items of each type make an inventory of `total`: singletons get one, the rest share evenly. */
export function inventoryMix(resourceTypes: readonly string[], total: number): Map<string, number> {
  const mix = new Map<string, number>();
  const scaled = resourceTypes.filter((type) => !SINGLETON_TYPES.has(type));
  let remaining = total;
  for (const type of resourceTypes) {
    if (SINGLETON_TYPES.has(type) && remaining > 0) {
      mix.set(type, 1);
      remaining--;
    }
  }
  scaled.forEach((type, position) => {
    const share = Math.floor(remaining / scaled.length) + (position < remaining % scaled.length ? 1 : 0);
    mix.set(type, share);
  });
  return mix;
}

/** The item as one `SelectResourceConfig` result row (a JSON string). */
export function selectRow(item: RawItem): string {
  return JSON.stringify({
    resourceId: item.resourceId,
    resourceName: item.resourceName,
    resourceType: item.resourceType,
    arn: item.ARN,
    accountId: item.awsAccountId,
    awsRegion: item.awsRegion,
    configurationItemCaptureTime: item.configurationItemCaptureTime,
    configurationItemStatus: item.configurationItemStatus,
    configuration: item.configuration,
    supplementaryConfiguration: Object.fromEntries(
      Object.entries(item.supplementaryConfiguration).map(([key, value]) => [
        key,
        typeof value === 'string' ? JSON.parse(value) : value,
      ]),
    ),
    tags: Object.entries(item.tags).map(([key, value]) => ({ key, value, tag: `${key}=${value}` })),
  });
}

/** The item as `GetResourceConfigHistory` / `BatchGetResourceConfig` return it through the SDK. */
export function apiItem(item: RawItem): Record<string, unknown> {
  return {
    version: '1.3',
    accountId: item.awsAccountId,
    configurationItemCaptureTime: new Date(String(item.configurationItemCaptureTime)),
    configurationItemStatus: item.configurationItemStatus,
    configurationStateId: String(item.configurationStateId),
    arn: item.ARN,
    resourceType: item.resourceType,
    resourceId: item.resourceId,
    resourceName: item.resourceName,
    awsRegion: item.awsRegion,
    availabilityZone: item.availabilityZone,
    tags: item.tags,
    configuration: JSON.stringify(item.configuration),
    supplementaryConfiguration: Object.fromEntries(
      Object.entries(item.supplementaryConfiguration).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : JSON.stringify(value),
      ]),
    ),
  };
}
