import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cachedSecretString } from '../../../../functions/adapters/secrets/cached-secret';
import { skipped } from '../../../support/aws-tools';
import { type MotoServer, moto, startMoto } from '../../../support/moto-server';

const URL = 'https://hooks.slack.com/services/T000/B000/XXXXSECRET';

// Real SDK client over real HTTP to moto server's Secrets Manager.
describe.skipIf(!moto.path)(`cachedSecretString on moto server${skipped(moto)}`, () => {
  let server: MotoServer;
  let client: SecretsManagerClient;
  let calls: number;

  beforeAll(async () => {
    server = await startMoto();
    client = new SecretsManagerClient(server.clientConfig);
    client.middlewareStack.add(
      (next) => async (args) => {
        calls++;
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });
  beforeEach(async () => {
    await server.reset();
    calls = 0;
  });

  async function secret(value: { SecretString: string } | { SecretBinary: Uint8Array }): Promise<string> {
    const created = await client.send(new CreateSecretCommand({ Name: 'oom-responder/slack', ...value }));
    calls = 0;
    return created.ARN ?? '';
  }

  it('reads the secret by its ARN, trimmed, once per container', async () => {
    const arn = await secret({ SecretString: `${URL}\n` });
    const read = cachedSecretString(client, arn);
    expect(await Promise.all([read(), read()])).toEqual([URL, URL]);
    expect(await read()).toBe(URL);
    expect(calls).toBe(1);
  });

  it('keeps serving the value it read after the secret is rotated (new containers read the new one)', async () => {
    const arn = await secret({ SecretString: URL });
    const read = cachedSecretString(client, arn);
    expect(await read()).toBe(URL);
    await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: `${URL}-rotated` }));
    expect(await read()).toBe(URL);
    expect(await cachedSecretString(client, arn)()).toBe(`${URL}-rotated`);
  });

  it('refuses a binary secret, naming the secret but not its value', async () => {
    const arn = await secret({ SecretBinary: new TextEncoder().encode(URL) });
    await expect(cachedSecretString(client, arn)()).rejects.toThrow(
      new Error(`secret ${arn} holds no string value`),
    );
  });

  it('rejects with Secrets Manager’s own error for a missing secret, and reads again on the next call', async () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:oom-responder/slack-AbCdEf';
    const read = cachedSecretString(client, arn);
    await expect(read()).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(read()).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(calls).toBe(2);
  });
});
