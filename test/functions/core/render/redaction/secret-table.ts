/**
 * Real-world-shaped secrets as hosts print them, for the redaction and leak tests. Every value is a published
 * example or made up for this table (AWS's documented example keys, Slack's placeholder webhook). Each row:
 * where it is seen, the host's string, the secret that must go, what must stay.
 */
export const SECRET_TABLE: readonly [string, string, string, string][] = [
  [
    '--password=',
    'mysqld_exporter --password=Pa55w0rd! --web.listen-address=:9104',
    'Pa55w0rd!',
    '--web.listen-address=:9104',
  ],
  ['--password VALUE', 'pg_dump --host db --password s3cr3t-value --format=c', 's3cr3t-value', '--format=c'],
  ['--db-password=', 'java -jar app.jar --db-password=hunter2 --port 8080', 'hunter2', '--port 8080'],
  [
    '-Dx.password=',
    'java -Dspring.datasource.password=Sup3r-S3cret -jar app.jar',
    'Sup3r-S3cret',
    '-jar app.jar',
  ],
  ['mysql -pSECRET', 'mysql -u root -pMyS3cret -h db.internal -P3306 shop', 'MyS3cret', '-P3306 shop'],
  [
    'mysqldump -pSECRET',
    '/usr/bin/mysqldump --single-transaction -uadmin -pdumpP4ss app',
    'dumpP4ss',
    '--single-transaction',
  ],
  ['sshpass -p', 'sshpass -p Tr0ub4dor3 ssh deploy@10.0.1.9', 'Tr0ub4dor3', 'ssh deploy@10.0.1.9'],
  [
    'AWS_SECRET_ACCESS_KEY=',
    'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY aws s3 sync',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'aws s3 sync',
  ],
  [
    'AWS_SESSION_TOKEN=',
    'AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ node x.js',
    'IQoJb3JpZ2luX2VjEJr',
    'node x.js',
  ],
  [
    '*_TOKEN=',
    'GITHUB_TOKEN=gho_16C7e42F292c6912E7710c838347Ae178B4a ./deploy.sh',
    'gho_16C7e42F292c6912E7710c838347Ae178B4a',
    './deploy.sh',
  ],
  [
    '*_SECRET=',
    'STRIPE_WEBHOOK_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw bundle exec puma',
    'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    'bundle exec puma',
  ],
  ['*_PASSWORD=', 'PGPASSWORD=pg-pass-123 psql -h db -U app', 'pg-pass-123', 'psql -h db -U app'],
  ['quoted *_PASSWORD=', 'env REDIS_PASSWORD="two words" redis-cli', 'two words', 'redis-cli'],
  [
    '--env=X_PASSWORD=',
    'docker run --env=DB_PASSWORD=hunter3 -e API_KEY=k3y-v4lue nginx',
    'hunter3',
    'nginx',
  ],
  ['-e API_KEY=', 'docker run -e API_KEY=k3y-v4lue nginx', 'k3y-v4lue', 'nginx'],
  ['token=', 'python3 bot.py token=xoxp-not-a-real-one-1234', 'xoxp-not-a-real-one-1234', 'python3 bot.py'],
  [
    '?access_token=',
    'curl https://api.example.com/v1/items?access_token=abc123def456&limit=10',
    'abc123def456',
    'limit=10',
  ],
  [
    'Authorization: Bearer',
    'curl -H "Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0" https://x',
    '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
    'https://x',
  ],
  [
    'Authorization: Basic',
    "wget --header='Authorization: Basic YWRtaW46c2VjcmV0' http://x",
    'YWRtaW46c2VjcmV0',
    'http://x',
  ],
  [
    'bearer token',
    'grpcurl -H bearer\tya29.a0AfH6SMBx3kZ-q8Yd0 api:443',
    'ya29.a0AfH6SMBx3kZ-q8Yd0',
    'api:443',
  ],
  [
    'user:pass@ in a URL',
    'celery -A app worker --broker=amqp://guest:rabbitP4ss@mq:5672//',
    'rabbitP4ss',
    '@mq:5672//',
  ],
  ['postgres URL', 'DATABASE_URL=postgres://app:pgS3cret@db.internal:5432/app', 'pgS3cret', ''],
  [
    'AKIA access key id',
    'backup --key-id AKIAIOSFODNN7EXAMPLE --bucket b',
    'AKIAIOSFODNN7EXAMPLE',
    '--bucket b',
  ],
  ['ASIA access key id', 'sts creds ASIAY34FZKBOKMUTVV7A expire soon', 'ASIAY34FZKBOKMUTVV7A', 'expire soon'],
  [
    'Slack webhook URL',
    'alert --url https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
    'T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
    'alert --url',
  ],
  [
    'JWT',
    'worker --auth-header eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJ3b3JrZXIiLCJleHAiOjE3MDAwMDAwMDB9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c run',
    'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    'run',
  ],
  [
    'GitHub PAT',
    'git clone https://github.com/acme/app --token github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz',
    'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz',
    'git clone',
  ],
  [
    'Slack bot token',
    'SLACK=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx node bot',
    'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
    'node bot',
  ],
  [
    'redis requirepass',
    'redis-server *:6379 --requirepass r3disP4ss --masterauth m4sterP4ss',
    'r3disP4ss',
    'redis-server *:6379',
  ],
  ['JSON field', '{"user":"svc","password":"js0nP4ss","apiKey":"k-9"}', 'js0nP4ss', '"user":"svc"'],
  ['curl -u user:pass', 'curl -u admin:curlP4ss https://x', 'curlP4ss', '-u admin:'],
  [
    'private key',
    'echo -----BEGIN RSA PRIVATE KEY-----MIIEowIBAAKCAQEA7x+abc/def== -----END RSA PRIVATE KEY----- | ssh-add -',
    'MIIEowIBAAKCAQEA7x',
    '| ssh-add -',
  ],
];
