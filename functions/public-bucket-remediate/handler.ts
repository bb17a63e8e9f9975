/**
 * public-bucket-remediate: EventBridge (CloudTrail S3 bucket ACL, policy, Block Public Access, CreateBucket)
 * → the bucket's current state → the public-bucket analyser → bucket Block Public Access (mode enforce) → SNS.
 * Environment: PLUMBLINE_TOPIC_ARN (required), PLUMBLINE_FUNCTION_ROLE_ARN,
 * PLUMBLINE_EXECUTION_ROLE_NAME. Settings: responders["public-bucket-remediate"] and rules["public-bucket"].
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { clientSettings } from '../../shared/aws/clients.ts';
import { createPublicBucketResponder } from '../../shared/aws/responders.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

const sns = new SNSClient(clientSettings());

export const handler = lambdaHandler(createPublicBucketResponder({ sns }));
