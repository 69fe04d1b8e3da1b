import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TopicPublisher } from '../../../../functions/adapters/sns/topic-publisher';
import { skipped } from '../../../support/aws-tools';
import { type MotoServer, moto, startMoto } from '../../../support/moto-server';
import { SAMPLE_NOTIFICATION } from './sample-notification';

const notification = SAMPLE_NOTIFICATION;

/** The envelope an SQS subscriber without raw delivery receives (SNS Developer Guide, message JSON formats). */
interface SnsEnvelope {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

// Real SDK clients over real HTTP to moto server: what the topic receives is read back from SQS queues subscribed
// to it, as any subscriber would see it.
describe.skipIf(!moto.path)(`TopicPublisher on moto server${skipped(moto)}`, () => {
  let server: MotoServer;
  let sns: SNSClient;
  let sqs: SQSClient;
  let topicArn: string;

  beforeAll(async () => {
    server = await startMoto();
    sns = new SNSClient(server.clientConfig);
    sqs = new SQSClient(server.clientConfig);
  });
  afterAll(async () => {
    sns?.destroy();
    sqs?.destroy();
    await server?.stop();
  });
  beforeEach(async () => {
    await server.reset();
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'OomResponderNotifications' }))).TopicArn ?? '';
  });

  /** A queue subscribed to the topic; its URL. */
  async function subscribedQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl ?? '';
    const queueArn =
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })))
        .Attributes?.QueueArn ?? '';
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        Attributes: attributes,
      }),
    );
    return queueUrl;
  }

  async function received(queueUrl: string): Promise<Message[]> {
    const result = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 0,
      }),
    );
    return result.Messages ?? [];
  }

  it('publishes the subject, the text and its String attributes, under the message id it returns', async () => {
    const queueUrl = await subscribedQueue('subscriber');
    const { messageId } = await new TopicPublisher(sns, topicArn).publish(notification);
    const [message, ...more] = await received(queueUrl);
    expect(more).toEqual([]);
    const envelope = JSON.parse(message?.Body ?? '{}') as SnsEnvelope;
    expect(envelope).toMatchObject({
      Type: 'Notification',
      MessageId: messageId,
      TopicArn: topicArn,
      Subject: notification.subject,
      Message: notification.message,
      MessageAttributes: {
        severity: { Type: 'String', Value: 'critical' },
        instance: { Type: 'String', Value: 'i-0a1b2c3d4e5f60789' },
        process: { Type: 'String', Value: 'java' },
        format: { Type: 'String', Value: 'text' },
      },
    });
    expect(messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(message?.Body).not.toContain(notification.sms);
  });

  it('hands the attributes to a raw-delivery subscriber as its own message attributes', async () => {
    const queueUrl = await subscribedQueue('raw', { RawMessageDelivery: 'true' });
    await new TopicPublisher(sns, topicArn).publish(notification);
    const [message] = await received(queueUrl);
    expect(message?.Body).toBe(notification.message);
    expect(message?.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'critical' },
      instance: { DataType: 'String', StringValue: 'i-0a1b2c3d4e5f60789' },
      process: { DataType: 'String', StringValue: 'java' },
      format: { DataType: 'String', StringValue: 'text' },
    });
  });

  it('lets a subscription filter on severity: critical reaches its queue, warning does not', async () => {
    const critical = await subscribedQueue('critical', { FilterPolicy: '{"severity":["critical"]}' });
    const warning = await subscribedQueue('warning', { FilterPolicy: '{"severity":["warning"]}' });
    await new TopicPublisher(sns, topicArn).publish(notification);
    expect(await received(critical)).toHaveLength(1);
    expect(await received(warning)).toEqual([]);
  });

  it('rejects with SNS’s own error when the topic does not exist, so the workflow retries the step', async () => {
    const missing = topicArn.replace('OomResponderNotifications', 'Missing');
    await expect(new TopicPublisher(sns, missing).publish(notification)).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });
});
