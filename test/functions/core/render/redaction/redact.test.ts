import { describe, expect, it } from 'vitest';
import { redact, redactDeep } from '../../../../../functions/core/render/redaction/redact';
import { isSecretName } from '../../../../../functions/core/render/redaction/secret-names';
import { SECRET_TABLE } from './secret-table';

describe('redact', () => {
  it.each(SECRET_TABLE)('removes %s and keeps the rest', (_where, input, secret, kept) => {
    const out = redact(input);
    expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED]');
    expect(out).toContain(kept);
  });

  it.each([
    '/usr/lib/jvm/java-17-amazon-corretto/bin/java -Xms4g -Xmx6g -XX:+UseG1GC -jar /opt/orders/orders-service.jar',
    'node --max-old-space-size=4096 /srv/app/index.js --port=3000',
    'python3 manage.py runserver 0.0.0.0:8000 --settings=prod',
    'ssh -p22 bastion',
    'mysqldump -p mydb',
    '/usr/sbin/sshd -D -o AuthorizedKeysCommand=/usr/share/ec2-instance-connect/eic_run_authorized_keys',
    'postgres: app orders 10.0.1.7(51234) idle',
    '/system.slice/orders.service',
    'php-fpm: pool www',
  ])('keeps a command line without secrets as it was: %s', (line) => {
    expect(redact(line)).toBe(line);
  });

  it.each([
    ['sshpass -p S3cretPw ssh -p 2222 deploy@10.0.1.9', 'sshpass -p [REDACTED] ssh -p 2222 deploy@10.0.1.9'],
    [
      'docker run -p 8080:80 web && docker login -p dckrPw reg',
      'docker run -p 8080:80 web && docker login -p [REDACTED] reg',
    ],
    ['mongo -p --host db', 'mongo -p --host db'],
    ['sqlplus -s /nolog @stats.sql', 'sqlplus -s /nolog @stats.sql'],
    ['smbclient //fs/share -U backup', 'smbclient //fs/share -U backup'],
  ])('reads a flag as a password only where its program takes one: %s', (line, expected) => {
    expect(redact(line)).toBe(expected);
  });

  it('is idempotent', () => {
    for (const [, input] of SECRET_TABLE) expect(redact(redact(input))).toBe(redact(input));
  });

  it('redacts every string inside nested data and keeps keys and other values', () => {
    expect(redactDeep({ a: ['x PASSWORD=1 y', 3, null], b: { token: 'TOKEN=abc', ok: true } })).toEqual({
      a: ['x PASSWORD=[REDACTED] y', 3, null],
      b: { token: 'TOKEN=[REDACTED]', ok: true },
    });
  });
  // Linear time is checked by recheck over every expression redaction runs: linear-time.test.ts.
});

describe('isSecretName', () => {
  it.each([
    '--password',
    'PGPASSWORD',
    'AWS_SECRET_ACCESS_KEY',
    'apiKey',
    'x-api-key',
    'client_secret',
    'GITHUB_TOKEN',
    'STRIPE_KEY',
    '--auth',
    'requirepass',
    'X-Amz-Security-Token',
    'MYSQL_PWD',
    'sig',
    '-passin',
    '--creds',
  ])('names a secret: %s', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    '--port',
    '--max-old-space-size',
    'settings',
    'key-file-format',
    'JAVA_OPTS',
    '--user',
    'authorized_keys_command',
    '--vault-password-file',
    '--password-stdin',
    '--max-num-batched-tokens',
    '--tokenizer',
    'SharedAccessKeyName',
  ])('names no secret: %s', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});
