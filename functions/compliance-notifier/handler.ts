/**
 * compliance-notifier: EventBridge `Config Rules Compliance Change` → who changed it (CloudTrail) → SNS.
 * Environment: PLUMBLINE_TOPIC_ARN (required), PLUMBLINE_RULE_PREFIX, PLUMBLINE_NOTIFY_ALL_RULES,
 * PLUMBLINE_LOOKUP_WINDOW_MINUTES, PLUMBLINE_EXECUTION_ROLE_NAME.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { clientSettings } from '../../shared/aws/clients.ts';
import { createComplianceNotifier } from '../../shared/aws/notify.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

const sns = new SNSClient(clientSettings());

export const handler = lambdaHandler(createComplianceNotifier({ sns }));
