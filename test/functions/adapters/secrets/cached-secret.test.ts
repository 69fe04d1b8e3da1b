import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { cachedSecretString } from '../../../../functions/adapters/secrets/cached-secret';

const secrets = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'us-east-1' });
const secretId = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:oom-responder/slack-AbCdEf';
const URL = 'https://hooks.slack.com/services/T000/B000/XXXXSECRET';

beforeEach(() => secrets.reset());

describe('cachedSecretString', () => {
  it('reads the secret once and serves it from the cache afterwards', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: `${URL}\n` });
    const read = cachedSecretString(client, secretId);
    expect(await read()).toBe(URL);
    expect(await read()).toBe(URL);
    expect(await Promise.all([read(), read()])).toEqual([URL, URL]);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: secretId });
  });

  it('shares one read between callers that ask at the same time', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: URL });
    const read = cachedSecretString(client, secretId);
    expect(await Promise.all([read(), read(), read()])).toEqual([URL, URL, URL]);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('does not cache a failure: the next call reads again', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ SecretString: URL });
    const read = cachedSecretString(client, secretId);
    await expect(read()).rejects.toThrow('Rate exceeded');
    expect(await read()).toBe(URL);
    expect(await read()).toBe(URL);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it.each([
    ['an empty string', { SecretString: '' }],
    ['only whitespace', { SecretString: '  \n' }],
    ['a binary secret', { SecretBinary: new Uint8Array([104, 116, 116, 112]) }],
  ])('refuses %s, naming the secret but not its value', async (_, value) => {
    secrets.on(GetSecretValueCommand).resolves(value);
    const read = cachedSecretString(client, secretId);
    const error = await read().then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe(`secret ${secretId} holds no string value`);
    expect(error?.message).not.toContain('http');
  });

  it('reads again after an empty value, once the secret is set', async () => {
    secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: '' }).resolves({ SecretString: URL });
    const read = cachedSecretString(client, secretId);
    await expect(read()).rejects.toThrow('holds no string value');
    expect(await read()).toBe(URL);
  });
});
