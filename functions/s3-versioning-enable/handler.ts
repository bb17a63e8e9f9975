/**
 * s3-versioning-enable: EventBridge (CloudTrail PutBucketVersioning) → the bucket's versioning, read again →
 * versioning enabled (mode enforce; MFA delete untouched, excluded buckets left alone) → SNS.
 * Environment: PLUMBLINE_TOPIC_ARN (required), PLUMBLINE_FUNCTION_ROLE_ARN, PLUMBLINE_EXECUTION_ROLE_NAME.
 * Settings: responders["s3-versioning-enable"].
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { clientSettings } from '../../shared/aws/clients.ts';
import { createVersioningEnableResponder } from '../../shared/aws/responders.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

const sns = new SNSClient(clientSettings());

export const handler = lambdaHandler(createVersioningEnableResponder({ sns }));
