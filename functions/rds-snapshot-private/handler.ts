/**
 * rds-snapshot-private: EventBridge (CloudTrail ModifyDBSnapshotAttribute, ModifyDBClusterSnapshotAttribute)
 * → the snapshot's restore attribute, read again → `all` removed (mode enforce; named accounts kept) → SNS.
 * Environment: PLUMBLINE_TOPIC_ARN (required), PLUMBLINE_FUNCTION_ROLE_ARN, PLUMBLINE_EXECUTION_ROLE_NAME.
 * Settings: responders["rds-snapshot-private"].
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { clientSettings } from '../../shared/aws/clients.ts';
import { createSnapshotPrivateResponder } from '../../shared/aws/responders.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

const sns = new SNSClient(clientSettings());

export const handler = lambdaHandler(createSnapshotPrivateResponder({ sns }));
