/** The SNS adapter: one notice, one `Publish`. */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { formatNotice, type Notice } from '../core/notification.ts';
import { errorText } from './clients.ts';

/**
 * Publishes a notice to the topic and returns the SNS message id. SNS failures throw, naming the topic, so
 * the caller's retry path (EventBridge retries, then the dead-letter queue) sees them.
 */
export async function publishNotice(
  sns: SNSClient,
  topicArn: string,
  notice: Notice,
): Promise<string | undefined> {
  const formatted = formatNotice(notice);
  try {
    const response = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: formatted.subject,
        Message: formatted.message,
        MessageStructure: 'json',
        MessageAttributes: formatted.attributes,
      }),
    );
    return response.MessageId;
  } catch (error) {
    throw new Error(`SNS Publish to ${topicArn} failed: ${errorText(error)}`, { cause: error });
  }
}
