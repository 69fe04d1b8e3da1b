import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { TopicPublisher } from '../../../../functions/adapters/sns/topic-publisher';
import { SAMPLE_NOTIFICATION } from './sample-notification';

const sns = mockClient(SNSClient);
const topicArn = 'arn:aws:sns:us-east-1:123456789012:OomResponderNotifications';
const publisher = new TopicPublisher(new SNSClient({ region: 'us-east-1' }), topicArn);

const notification = SAMPLE_NOTIFICATION;

beforeEach(() => sns.reset());

describe('TopicPublisher', () => {
  it('publishes the subject and text with String message attributes, and returns the message id', async () => {
    sns.on(PublishCommand).resolves({ MessageId: '5f0c6b1e-0000-4000-8000-000000000001' });
    expect(await publisher.publish(notification)).toEqual({
      messageId: '5f0c6b1e-0000-4000-8000-000000000001',
    });
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      TopicArn: topicArn,
      Subject: notification.subject,
      Message: notification.message,
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'critical' },
        instance: { DataType: 'String', StringValue: 'i-0a1b2c3d4e5f60789' },
        process: { DataType: 'String', StringValue: 'java' },
        format: { DataType: 'String', StringValue: 'text' },
      },
    });
  });

  it('sends neither a message structure nor the SMS text (subscribers get the readable text)', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await publisher.publish(notification);
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.MessageStructure).toBeUndefined();
    expect(JSON.stringify(input)).not.toContain(notification.sms);
  });

  it('rejects when SNS fails, so the workflow retries the notify step', async () => {
    sns
      .on(PublishCommand)
      .rejects(Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' }));
    await expect(publisher.publish(notification)).rejects.toThrow('Topic does not exist');
  });
});
