/**
 * sg-drift-revert: EventBridge `AWS API Call via CloudTrail` (security-group calls on ec2.amazonaws.com) →
 * the group's baseline and the blocked-ports policy → revoke/authorize → SNS.
 * Environment: PLUMBLINE_TOPIC_ARN (required), PLUMBLINE_FUNCTION_ROLE_ARN,
 * PLUMBLINE_EXECUTION_ROLE_NAME (organisation mode).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { clientSettings } from '../../shared/aws/clients.ts';
import { createDriftRevert } from '../../shared/aws/responders.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

const sns = new SNSClient(clientSettings());
const sts = new STSClient(clientSettings());
const ec2 = new EC2Client(clientSettings());

export const handler = lambdaHandler(createDriftRevert({ sns, sts, ec2 }));
