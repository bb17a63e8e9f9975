/**
 * The one SNS topic every notice and alarm goes to: encrypted with a customer managed key (CloudWatch alarms
 * cannot publish to a topic under the AWS managed `aws/sns` key), TLS only, with optional email subscriptions.
 * The functions publish through their roles; CloudWatch, a service principal, needs the topic policy to allow
 * it, for this account's alarms only.
 */
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface NotificationTopicProps {
  emails: readonly string[];
}

export class NotificationTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: NotificationTopicProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the Plumbline notification topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch publishes alarm notifications itself: it needs the key to encrypt the message, on behalf of
    // this account's alarms only (confused deputy).
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Plumbline',
      masterKey: this.key,
      enforceSSL: true,
    });
    // enforceSSL writes a topic policy, which replaces SNS's default one: without this statement CloudWatch
    // may not publish (alarm history: "not authorized to perform: SNS:Publish"). Only on behalf of this
    // account's alarms in this region (confused deputy).
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    for (const email of props.emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
  }
}
