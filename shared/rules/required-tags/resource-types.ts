/**
 * The resource types `required-tags` evaluates unless `tagPolicy.resourceTypes` says otherwise.
 *
 * The first group is every type AWS's managed `required-tags` rule supports (AWS Config Developer Guide,
 * "required-tags", https://docs.aws.amazon.com/config/latest/developerguide/required-tags.html), so a rule
 * moved from the managed one keeps its scope. The second group is types AWS Config records with tags
 * (each has `tags.key`/`tags.value` among its queryable properties in awslabs/aws-config-resource-schema)
 * that teams commonly tag for cost and ownership.
 */
export const MANAGED_RULE_RESOURCE_TYPES = [
  'AWS::ACM::Certificate',
  'AWS::AutoScaling::AutoScalingGroup',
  'AWS::CloudFormation::Stack',
  'AWS::CodeBuild::Project',
  'AWS::DynamoDB::Table',
  'AWS::EC2::CustomerGateway',
  'AWS::EC2::Instance',
  'AWS::EC2::InternetGateway',
  'AWS::EC2::NetworkAcl',
  'AWS::EC2::NetworkInterface',
  'AWS::EC2::RouteTable',
  'AWS::EC2::SecurityGroup',
  'AWS::EC2::Subnet',
  'AWS::EC2::Volume',
  'AWS::EC2::VPC',
  'AWS::EC2::VPNConnection',
  'AWS::EC2::VPNGateway',
  'AWS::ElasticLoadBalancing::LoadBalancer',
  'AWS::ElasticLoadBalancingV2::LoadBalancer',
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBSecurityGroup',
  'AWS::RDS::DBSnapshot',
  'AWS::RDS::DBSubnetGroup',
  'AWS::RDS::EventSubscription',
  'AWS::Redshift::Cluster',
  'AWS::Redshift::ClusterParameterGroup',
  'AWS::Redshift::ClusterSecurityGroup',
  'AWS::Redshift::ClusterSnapshot',
  'AWS::Redshift::ClusterSubnetGroup',
  'AWS::S3::Bucket',
] as const;

export const ADDITIONAL_TAGGED_RESOURCE_TYPES = [
  'AWS::EC2::NatGateway',
  'AWS::EFS::FileSystem',
  'AWS::EKS::Cluster',
  'AWS::Lambda::Function',
  'AWS::RDS::DBCluster',
  'AWS::SNS::Topic',
] as const;

/** The default scope: deployment sets the Config rule's `Scope.ComplianceResourceTypes` to this list. */
export const DEFAULT_RESOURCE_TYPES: readonly string[] = [
  ...MANAGED_RULE_RESOURCE_TYPES,
  ...ADDITIONAL_TAGGED_RESOURCE_TYPES,
];

/** A Config rule scope holds at most 100 resource types (AWS Config API Reference, "Scope"). */
export const MAX_SCOPE_RESOURCE_TYPES = 100;

export const RESOURCE_TYPE_PATTERN = /^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/;
