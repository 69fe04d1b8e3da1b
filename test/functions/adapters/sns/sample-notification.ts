import type { SnsNotification } from '../../../../functions/core/render/sns';

/** A rendered notification, as the notifier hands it to the publisher. */
export const SAMPLE_NOTIFICATION: SnsNotification = {
  subject: '[OOM critical] java (pid 4242) killed on web-1 (i-0a1b2c3d4e5f60789)',
  message: 'OOM kill: java (pid 4242) on web-1 (i-0a1b2c3d4e5f60789)\n\nLikely cause: ...',
  sms: 'OOM critical: java (pid 4242) on web-1',
  messageAttributes: {
    severity: { DataType: 'String', StringValue: 'critical' },
    instance: { DataType: 'String', StringValue: 'i-0a1b2c3d4e5f60789' },
    process: { DataType: 'String', StringValue: 'java' },
    format: { DataType: 'String', StringValue: 'text' },
  },
};
