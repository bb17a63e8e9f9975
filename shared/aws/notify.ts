import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { formatNotice, type Notice } from '../core/notification.ts';

/** Publishes a notice to the topic; SNS failures throw so the caller's retry path sees them. */
export async function publishNotice(sns: SNSClient, topicArn: string, notice: Notice): Promise<void> {
  const formatted = formatNotice(notice);
  await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: formatted.subject,
      Message: formatted.message,
      MessageStructure: 'json',
      MessageAttributes: formatted.attributes,
    }),
  );
}
