import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * A secret's string value, read once per container and kept (Slack webhook URLs rarely change; a rotated one is
 * picked up by new containers). Errors say which secret could not be read, never its value.
 */
export function cachedSecretString(client: SecretsManagerClient, secretId: string): () => Promise<string> {
  let value: Promise<string> | null = null;
  return () => {
    if (value) return value;
    const read = client.send(new GetSecretValueCommand({ SecretId: secretId })).then((result) => {
      const text = result.SecretString?.trim();
      if (!text) throw new Error(`secret ${secretId} holds no string value`);
      return text;
    });
    value = read;
    // A failed read is not kept, so the next call tries again; a later good read is never dropped by it.
    read.catch(() => {
      if (value === read) value = null;
    });
    return read;
  };
}
