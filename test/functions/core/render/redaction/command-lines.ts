/**
 * Realistic secret-bearing command lines as `ps` or /proc/<pid>/cmdline show them (arguments joined by spaces), one
 * per provider or tool: clouds, databases, chat webhooks, payment and AI providers, CI and admin tools. Every secret
 * is made up for this table, in the shape the provider documents (prefix, length, alphabet), so that both the
 * flag heuristics and the token shapes are exercised. Each row: who issues the secret, the line, the secret.
 */
export interface SecretLine {
  readonly provider: string;
  readonly line: string;
  readonly secret: string;
}

export const SECRET_LINES: readonly SecretLine[] = [
  {
    provider: 'AWS CLI (configure set)',
    line: 'aws configure set aws_secret_access_key QFWninKuQL24T2nWi4QyEy7E5A4Vmlgjqh1IP3XO --profile prod',
    secret: 'QFWninKuQL24T2nWi4QyEy7E5A4Vmlgjqh1IP3XO',
  },
  {
    provider: 'AWS CLI (session token)',
    line: 'aws configure set aws_session_token IQoJb3JpZ2luX2VjvTwFmU5KSvSxmdn5CEk0BfaHFpAOlZfzIOaYnm6K9fsuThNEKCjIKrVu8NT0 --profile prod',
    secret: 'vTwFmU5KSvSxmdn5CEk0BfaHFpAOlZfzIOaYnm6K9fsuThNEKCjIKrVu8NT0',
  },
  {
    provider: 'AWS env secret key',
    line: 'env AWS_ACCESS_KEY_ID=AKIA2E0A8F3B244C9986 AWS_SECRET_ACCESS_KEY=YaNXCQpbqgy2+oXtsfEJ9FTMsI7HRHm/2vgCVDSV aws s3 cp /var/backups/db.tar.gz s3://acme-backups/',
    secret: 'YaNXCQpbqgy2+oXtsfEJ9FTMsI7HRHm/2vgCVDSV',
  },
  {
    provider: 'AWS access key id',
    line: '/usr/local/bin/backup-agent --access-key-id AKIAUG7NSAJCH7ZSESLU --region eu-west-1',
    secret: 'UG7NSAJCH7ZSESLU',
  },
  {
    provider: 'AWS s3cmd',
    line: 's3cmd --access_key=AKIA2E0A8F3B244C9986 --secret_key=3nJo+Bl9P/Mh6Z9lYj681IBIbhMpv+GA8oOp1u+G put /var/backups/db.sql s3://acme-backups/',
    secret: '3nJo+Bl9P/Mh6Z9lYj681IBIbhMpv+GA8oOp1u+G',
  },
  {
    provider: 'AWS rclone',
    line: 'rclone copy /data s3:acme-archive --s3-access-key-id AKIA2E0A8F3B244C9986 --s3-secret-access-key IyIZyPdekT4WDtL4WXeV4Nw5LX/6UfvV08+syJst',
    secret: 'IyIZyPdekT4WDtL4WXeV4Nw5LX/6UfvV08+syJst',
  },
  {
    provider: 'AWS security token header',
    line: 'curl -s -H "X-Amz-Security-Token: FwoGZXIvYXdzE8PkHyAlpLEZoDEkIL783A2eTfSzzj4HOwhUv6s033QJVZUlMYZSUimJoWS4YzRHEP0fNALGjkJVxWYyi" https://acme.s3.amazonaws.com/report.csv',
    secret: '8PkHyAlpLEZoDEkIL783A2eTfSzzj4HOwhUv6s033QJVZUlMYZSUimJoWS4YzRHEP0fNALGjkJVxWYyi',
  },
  {
    provider: 'AWS presigned URL',
    line: 'curl -o report.csv "https://acme.s3.eu-west-1.amazonaws.com/report.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA2E0A8F3B244C9986%2F20261203%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261203T061500Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=c19951b2b5afd6619255baa7e56fb63287408705176fed6ed0243c048f7730a6"',
    secret: 'c19951b2b5afd6619255baa7e56fb63287408705176fed6ed0243c048f7730a6',
  },
  {
    provider: 'Azure CLI service principal',
    line: 'az login --service-principal -u 8f6b1c9e-2d4a-4f7b-9e3c-5a1d7b2c8e40 -p m8N8Q~qly1pTsfU5LBB7igB2ZTZhc~FcMC6-SfTF --tenant 72f988bf-86f1-41af-91ab-2d7cd011db47',
    secret: 'qly1pTsfU5LBB7igB2ZTZhc~FcMC6-SfTF',
  },
  {
    provider: 'Azure storage account key',
    line: 'az storage blob upload --account-name acmestore --account-key QciqPGHlFL41QRCCYckV//Va4+XfGP1gRKHBL4ldsfRH+DCv/5RVECMSfyH954tbhuYIeEVkttINvh/KZSNPdR== --container-name backups --file db.tar.gz',
    secret: 'QciqPGHlFL41QRCCYckV//Va4+XfGP1gRKHBL4ldsfRH+DCv/5RVECMSfyH954tbhuYIeEVkttINvh/KZSNPdR',
  },
  {
    provider: 'Azure SAS token (azcopy)',
    line: 'azcopy copy /data "https://acmestore.blob.core.windows.net/backups?sv=2022-11-02&ss=b&srt=co&sp=rwdlac&se=2026-12-31T23:59:59Z&st=2026-12-01T00:00:00Z&spr=https&sig=OmpXgaWkC34cRXoDACkLN0Jx2r83HKynAZ8mTzuCgrj%3D" --recursive',
    secret: 'OmpXgaWkC34cRXoDACkLN0Jx2r83HKynAZ8mTzuCgrj',
  },
  {
    provider: 'Azure storage connection string',
    line: 'func start --connection "DefaultEndpointsProtocol=https;AccountName=acmestore;AccountKey=DMW1LEBQRCN3XhhrSxbiaJeUT7rrrRI3uy6dF1KM+n9/N8eeUBllIYcKPt1KMARwBpVwfTk4Z5DEbvp3OTSj0I==;EndpointSuffix=core.windows.net"',
    secret: 'DMW1LEBQRCN3XhhrSxbiaJeUT7rrrRI3uy6dF1KM+n9/N8eeUBllIYcKPt1KMARwBpVwfTk4Z5DEbvp3OTSj0I',
  },
  {
    provider: 'Azure SQL (sqlcmd -P)',
    line: '/opt/mssql-tools18/bin/sqlcmd -S tcp:acme-sql.database.windows.net,1433 -U sqladmin -P D950HQoziig39x02V4 -d orders -Q "SELECT 1"',
    secret: 'D950HQoziig39x02V4',
  },
  {
    provider: 'Azure Service Bus connection string',
    line: 'dotnet Worker.dll --bus "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=I/Ea5W2zrO+UNqDAc2qj6hU17DqDRVa8TN9TBbfKDtd="',
    secret: 'I/Ea5W2zrO+UNqDAc2qj6hU17DqDRVa8TN9TBbfKDtd',
  },
  {
    provider: 'Azure Functions key',
    line: 'curl -X POST "https://acme-fn.azurewebsites.net/api/ingest?code=TjKhnVOm4Hz2BiX0CTlme4fHFHqbtTDggAFLjxNqtnYiLFyO_N5glA==" -d @event.json',
    secret: 'TjKhnVOm4Hz2BiX0CTlme4fHFHqbtTDggAFLjxNqtnYiLFyO_N5glA',
  },
  {
    provider: 'Google OAuth client secret',
    line: 'python3 /opt/sync/oauth_setup.py --client-id 123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com 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',
    secret: '2HxHmBo7q1A_hx0rSStfUPw3xyW4',
  },
  {
    provider: 'Google API key',
    line: 'curl "https://maps.googleapis.com/maps/api/geocode/json?address=Berlin&key=AIzaSyfzOsYaTas0IdUWU2PWpd7lwtBJNWLiqku"',
    secret: 'fzOsYaTas0IdUWU2PWpd7lwtBJNWLiqku',
  },
  {
    provider: 'Google OAuth access token',
    line: 'curl -H "Authorization: Bearer ya29.a0AfB_byjvlMTI494Z_437B__FcBPEj6PRzjl43r8tAR77wRsacJXAYGhjtXoghXb7BYbVfAjUamGGs51YXidv_Ky_32CFDxBAvX_NXOfMl6" https://storage.googleapis.com/storage/v1/b/acme-logs/o',
    secret:
      'jvlMTI494Z_437B__FcBPEj6PRzjl43r8tAR77wRsacJXAYGhjtXoghXb7BYbVfAjUamGGs51YXidv_Ky_32CFDxBAvX_NXOfMl6',
  },
  {
    provider: 'Google refresh token (gsutil)',
    line: 'gsutil -o "Credentials:gs_oauth2_refresh_token=1//0gJM8tmgItJEDyEULB_CtGFI7DjZ54t4rMi0O_wgZM3nsqgyEmpOTq1vlArWc_ov6RQTCgcL3UqEYk5vsEJbQklvKA8J" cp gs://acme-logs/2026/12/03.log .',
    secret: 'JM8tmgItJEDyEULB_CtGFI7DjZ54t4rMi0O_wgZM3nsqgyEmpOTq1vlArWc_ov6RQTCgcL3UqEYk5vsEJbQklvKA8J',
  },
  {
    provider: 'DigitalOcean (doctl -t)',
    line: 'doctl auth init -t dop_v1_cb348a3069023e887318ce87e218753ec1ba9e5ee64bf5a6e8eccd621c4a53d1',
    secret: 'cb348a3069023e887318ce87e218753ec1ba9e5ee64bf5a6e8eccd621c4a53d1',
  },
  {
    provider: 'DigitalOcean token env',
    line: 'DIGITALOCEAN_ACCESS_TOKEN=dop_v1_7ebd6a4f964b0793baba12e836c102de7577ffa3ffe552a4a7f28ef27f37e457 terraform apply -auto-approve',
    secret: '7ebd6a4f964b0793baba12e836c102de7577ffa3ffe552a4a7f28ef27f37e457',
  },
  {
    provider: 'Cloudflare tunnel token',
    line: 'cloudflared tunnel --no-autoupdate run --token eyJhIjoiKDi9H2Wu3ZvzGN932uo3MUaluFBNLLZIgmgsiuWWY22ECkGvfjibnrmIrlmlQ4S8xf0o3BnrnRz10C/cTz2Os8jkocSEmt7UQ2N/sK8D7K196R/9IdVdqvHfct1cO7anKFv1ew89Tl9IrOvF2+uXiW',
    secret:
      'KDi9H2Wu3ZvzGN932uo3MUaluFBNLLZIgmgsiuWWY22ECkGvfjibnrmIrlmlQ4S8xf0o3BnrnRz10C/cTz2Os8jkocSEmt7UQ2N/sK8D7K196R/9IdVdqvHfct1cO7anKFv1ew89Tl9IrOvF2+uXiW',
  },
  {
    provider: 'Cloud Foundry (cf login -p)',
    line: 'cf login -a https://api.sys.acme.io -u deployer -p 91E8BM7cfNk3Omul -o acme -s prod',
    secret: '91E8BM7cfNk3Omul',
  },
  {
    provider: 'OpenShift (oc login -p)',
    line: 'oc login https://api.ocp.acme.io:6443 -u developer -p IuvxddRiBB8poFSt --insecure-skip-tls-verify=false',
    secret: 'IuvxddRiBB8poFSt',
  },
  {
    provider: 'MinIO client alias',
    line: 'mc alias set backup https://minio.acme.io:9000 backupuser IL4NkvJPfZ6hNSIFFzzkvgmpSaZpTph7811WImtz',
    secret: 'IL4NkvJPfZ6hNSIFFzzkvgmpSaZpTph7811WImtz',
  },
  {
    provider: 'MySQL attached -p',
    line: 'mysql -h db.internal -u app -pRH2I9MUXgNpV1S orders',
    secret: 'RH2I9MUXgNpV1S',
  },
  {
    provider: 'MySQL --password=',
    line: 'mysql -h db.internal -u root --password=A0FGpMqlT5NaO2 -e "SHOW PROCESSLIST"',
    secret: 'A0FGpMqlT5NaO2',
  },
  {
    provider: 'MySQL client in bash -c',
    line: '/bin/bash -c "mysqldump --single-transaction -uadmin -pA9WgpHtQDHjVQd shop | gzip > /backup/shop.sql.gz"',
    secret: 'A9WgpHtQDHjVQd',
  },
  {
    provider: 'MariaDB attached -p',
    line: 'mariadb-dump -u backup -pI9dB9IsB9lChwm --all-databases',
    secret: 'I9dB9IsB9lChwm',
  },
  {
    provider: 'PostgreSQL URL',
    line: 'psql "postgresql://app:AvFDhod1EO3PLEZm@db.internal:5432/orders?sslmode=require" -c "select 1"',
    secret: 'AvFDhod1EO3PLEZm',
  },
  {
    provider: 'PostgreSQL PGPASSWORD',
    line: 'PGPASSWORD=TMB7DRdDWn3lMXCI pg_dump -h db.internal -U app -Fc orders',
    secret: 'TMB7DRdDWn3lMXCI',
  },
  {
    provider: 'MongoDB shell -p',
    line: 'mongo --host mongo1.internal -u admin -p 0sBJSnMCqxukhUFE --authenticationDatabase admin',
    secret: '0sBJSnMCqxukhUFE',
  },
  {
    provider: 'MongoDB mongodump -p',
    line: 'mongodump --host rs0/mongo1:27017 --username backup --password M8S6tEhWOtVdaNNz --out /backup/mongo',
    secret: 'M8S6tEhWOtVdaNNz',
  },
  {
    provider: 'MongoDB Atlas SRV URL',
    line: 'mongosh "mongodb+srv://svc:lF6N0t0KkjAfHL7R@cluster0.ab1cd.mongodb.net/app?retryWrites=true"',
    secret: 'lF6N0t0KkjAfHL7R',
  },
  {
    provider: 'MongoDB --uri',
    line: 'mongorestore --uri=mongodb://restore:oSQvKNQ87rAlJhPt@10.0.2.4:27017/app --drop /backup/mongo',
    secret: 'oSQvKNQ87rAlJhPt',
  },
  {
    provider: 'Redis (redis-cli -a)',
    line: 'redis-cli -h cache.internal -p 6379 -a 7uJsz0aDaXBigCcKyNkR --no-auth-warning info memory',
    secret: '7uJsz0aDaXBigCcKyNkR',
  },
  {
    provider: 'Redis URL',
    line: 'redis-cli -u redis://default:KncDpaGBUhNTO47F2fEN@cache.internal:6379 ping',
    secret: 'KncDpaGBUhNTO47F2fEN',
  },
  {
    provider: 'Redis requirepass',
    line: 'redis-server *:6379 --requirepass IGOR4QSDTX3wQ2SqGoAo --maxmemory 2gb',
    secret: 'IGOR4QSDTX3wQ2SqGoAo',
  },
  {
    provider: 'Cassandra (cqlsh -p)',
    line: 'cqlsh -u cassandra -p CkY0Sbfb1FTJRh 10.0.3.7 9042',
    secret: 'CkY0Sbfb1FTJRh',
  },
  {
    provider: 'InfluxDB (-password)',
    line: 'influx -host influx.internal -username admin -password h6NaNaxMB4xqqY -execute "SHOW DATABASES"',
    secret: 'h6NaNaxMB4xqqY',
  },
  {
    provider: 'ClickHouse --password',
    line: 'clickhouse-client --host ch.internal --user default --password QCjAz7UtI02b37 --query "SELECT 1"',
    secret: 'QCjAz7UtI02b37',
  },
  {
    provider: 'Oracle sqlplus user/pass@',
    line: 'sqlplus system/UNBbCM5vHSXixs@//db.internal:1521/ORCLPDB1 @/opt/scripts/stats.sql',
    secret: 'UNBbCM5vHSXixs',
  },
  {
    provider: 'Oracle Data Pump',
    line: 'expdp system/d6j7DQawgJ41Vl@ORCL schemas=HR directory=DATA_PUMP_DIR dumpfile=hr.dmp',
    secret: 'd6j7DQawgJ41Vl',
  },
  {
    provider: 'JDBC URL password=',
    line: 'java -jar /opt/etl/etl.jar --url "jdbc:mysql://db.internal:3306/app?user=etl&password=C1PYnPsXa82qcJ&useSSL=true"',
    secret: 'C1PYnPsXa82qcJ',
  },
  {
    provider: 'Flyway -password=',
    line: 'flyway -url=jdbc:postgresql://db.internal/app -user=app -password=ie6KbU15QePqRN migrate',
    secret: 'ie6KbU15QePqRN',
  },
  {
    provider: 'RabbitMQ add_user',
    line: 'rabbitmqctl add_user svc-orders 0uFiJDwKQESUgOS9Dh',
    secret: '0uFiJDwKQESUgOS9Dh',
  },
  {
    provider: 'RabbitMQ AMQP URL',
    line: 'celery -A shop worker --broker=amqp://shop:Uu6P9LXHiox3Vpte@mq.internal:5672/shop',
    secret: 'Uu6P9LXHiox3Vpte',
  },
  {
    provider: 'Kafka SASL JAAS',
    line: 'kafka-console-producer.sh --bootstrap-server kafka:9093 --producer-property "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="svc" password="D5dSMmRZ4kw5iMek";" --topic orders',
    secret: 'D5dSMmRZ4kw5iMek',
  },
  {
    provider: 'etcd --user user:pass',
    line: 'etcdctl --endpoints=https://etcd.internal:2379 --user root:Zg4p1tuCS2hgLOuQ get /registry --prefix',
    secret: 'Zg4p1tuCS2hgLOuQ',
  },
  {
    provider: 'Elasticsearch curl -u',
    line: 'curl -s -u elastic:eaeC9U3yLrSxTs1dO1Bl https://es.internal:9200/_cluster/health',
    secret: 'eaeC9U3yLrSxTs1dO1Bl',
  },
  {
    provider: 'Neo4j initial password',
    line: 'neo4j-admin dbms set-initial-password 2nfOcwgPwJmmP21X',
    secret: '2nfOcwgPwJmmP21X',
  },
  {
    provider: 'IBM Db2 connect using',
    line: 'db2 connect to SAMPLE user db2inst1 using zuXE4r4PEDfZqd',
    secret: 'zuXE4r4PEDfZqd',
  },
  {
    provider: 'NATS --pass',
    line: 'nats-server --user admin --pass eU4xeGlNYt56z4Kn -js',
    secret: 'eU4xeGlNYt56z4Kn',
  },
  {
    provider: 'Kubernetes secret from literal',
    line: 'kubectl create secret generic db-creds --from-literal=username=app --from-literal=password=DtOPCQyYssGu9FBg',
    secret: 'DtOPCQyYssGu9FBg',
  },
  {
    provider: 'Kubernetes --token',
    line: 'kubectl --server https://10.0.0.10:6443 --token=eyJhbGciOiJSUzI1NiIsImtpZCI6IkTBzI5cwJLdK_hHU_4hIhfSEpNb5dcZ4BBENQfgx0.eyJpc3MiOiJrdWJlcm5ldGVzW6K3tsUuvaPwJo0Xwq9n16E360BgyGTAIbL2gr1f35L5adhn0v3in-sRmHzC.yt7Tg6eJuj7r_yqaUK_LsKTJnFgkidQZEVKS-hj3MrVUbPNbeUkLCWVjJn71Bz2zIku4D_UFVDCzKHom get pods -A',
    secret: 'yt7Tg6eJuj7r_yqaUK_LsKTJnFgkidQZEVKS-hj3MrVUbPNbeUkLCWVjJn71Bz2zIku4D_UFVDCzKHom',
  },
  {
    provider: 'Docker login -p',
    line: 'docker login -u ci-bot -p dckr_pat_DGgsLeiaYW-jIeQzdhHzGFbGiFK registry-1.docker.io',
    secret: 'DGgsLeiaYW-jIeQzdhHzGFbGiFK',
  },
  {
    provider: 'Podman login -p',
    line: 'podman login --username robot$ci -p dgJ4ykRTjv8sW7q2SihWZVly9bVPi4YN quay.io',
    secret: 'dgJ4ykRTjv8sW7q2SihWZVly9bVPi4YN',
  },
  {
    provider: 'Helm repo --password',
    line: 'helm repo add acme https://charts.acme.io --username ci --password 9ULSB9ICYPFVxn3aXbRc',
    secret: '9ULSB9ICYPFVxn3aXbRc',
  },
  {
    provider: 'Helm registry login -p',
    line: 'helm registry login registry.acme.io -u ci -p 6vvYIA8HoPEX255wWNcd',
    secret: '6vvYIA8HoPEX255wWNcd',
  },
  {
    provider: 'Terraform -var',
    line: 'terraform apply -auto-approve -var "db_password=PiGiiqRL82enenKt" -var region=eu-west-1',
    secret: 'PiGiiqRL82enenKt',
  },
  {
    provider: 'Ansible extra vars',
    line: 'ansible-playbook site.yml -i inventory/prod --extra-vars "ansible_become_pass=4rCptVcm3huQ4uEo"',
    secret: '4rCptVcm3huQ4uEo',
  },
  {
    provider: 'GitHub classic PAT',
    line: 'git -c http.extraheader="AUTHORIZATION: basic UPdIGRdCGlwDEJp98M+429yDIi7OFQP/FNQA79B99BsPa9oz" clone https://github.com/acme/app.git',
    secret: 'UPdIGRdCGlwDEJp98M+429yDIi7OFQP/FNQA79B99BsPa9oz',
  },
  {
    provider: 'GitHub token in URL',
    line: 'git clone https://x-access-token:ghs_wLY4ZX1IWJiWWe9rwSlL9Zlk7jRO0FmZLeXD@github.com/acme/app.git /srv/app',
    secret: 'wLY4ZX1IWJiWWe9rwSlL9Zlk7jRO0FmZLeXD',
  },
  {
    provider: 'GitHub PAT bare',
    line: 'gh auth login --with-token ghp_n8jQU6FmVCJBC59U2o0bAf1qayXAPiQimBLY',
    secret: 'n8jQU6FmVCJBC59U2o0bAf1qayXAPiQimBLY',
  },
  {
    provider: 'GitHub fine-grained PAT',
    line: 'GH_ENTERPRISE=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 ./release.sh',
    secret: 'zH1LVvpY3J4n5IcJSkx83I',
  },
  {
    provider: 'GitLab PAT in URL',
    line: 'git clone https://oauth2:glpat-qYoYiDlsuDpCu008ygtS@gitlab.com/acme/infra.git',
    secret: 'qYoYiDlsuDpCu008ygtS',
  },
  {
    provider: 'GitLab runner token',
    line: 'gitlab-runner register --non-interactive --url https://gitlab.com --token glrt-4LRG_ZBGy7N52PshnuSA --executor docker',
    secret: '4LRG_ZBGy7N52PshnuSA',
  },
  {
    provider: 'npm token',
    line: 'npm config set //registry.npmjs.org/:_authToken npm_dIiRETOYQKDOel5BKWEKmteNDkTjQJnZM93M',
    secret: 'dIiRETOYQKDOel5BKWEKmteNDkTjQJnZM93M',
  },
  {
    provider: 'PyPI token (twine)',
    line: 'twine upload -u __token__ -p pypi-AgEIcHlwaS5vcmckkMxjFNE8yV1yK_Sd-woWC_KrhA-hP5OXoXHGlL73Q559p_bnSpZRysEa6HwVW8KPiPUtv dist/*',
    secret: 'kkMxjFNE8yV1yK_Sd-woWC_KrhA-hP5OXoXHGlL73Q559p_bnSpZRysEa6HwVW8KPiPUtv',
  },
  {
    provider: 'Jenkins CLI -auth',
    line: 'java -jar jenkins-cli.jar -s https://ci.acme.io/ -auth admin:11b7863fee037ad15505437974fbabbd99 build deploy-prod',
    secret: 'b7863fee037ad15505437974fbabbd99',
  },
  {
    provider: 'SonarQube token',
    line: 'sonar-scanner -Dsonar.projectKey=shop -Dsonar.host.url=https://sonar.acme.io -Dsonar.login=squ_db74b54db9ac39c6d869f77647f13c94b893e6d4',
    secret: 'db74b54db9ac39c6d869f77647f13c94b893e6d4',
  },
  {
    provider: 'Vault token bare',
    line: 'vault login hvs.jXwBgORkPoM_M21FKi5UjVpYLSJjPmccqhEKqs09ZcYUm07gnhPp1awb7CCoTt2fadAGsiG9vxdwQNZBNeZGzQW8KCDzbpv',
    secret: 'jXwBgORkPoM_M21FKi5UjVpYLSJjPmccqhEKqs09ZcYUm07gnhPp1awb7CCoTt2fadAGsiG9vxdwQNZBNeZGzQW8KCDzbpv',
  },
  {
    provider: 'Vault token env',
    line: 'VAULT_TOKEN=hvs.L3YAKu7cZG5XcL4zve4eAjzkysQ0XNFmTKXLz_RjhXC66FPkn7Qy1GSQIBVzeHMPCHrRF0p2TAy_lsZ6HjR2qCUHRjuydOS vault kv get secret/prod/db',
    secret: 'L3YAKu7cZG5XcL4zve4eAjzkysQ0XNFmTKXLz_RjhXC66FPkn7Qy1GSQIBVzeHMPCHrRF0p2TAy_lsZ6HjR2qCUHRjuydOS',
  },
  {
    provider: 'Databricks token',
    line: 'databricks-connect configure --host https://adb-123.azuredatabricks.net --token dapi0f568bc39eae1deecf068dd558c7129e',
    secret: '0f568bc39eae1deecf068dd558c7129e',
  },
  {
    provider: 'Grafana service account',
    line: 'grafana-backup save --url https://grafana.acme.io --bearer glsa_NIVcL9DhaIpctvSoSOMrcytZlfjWM7Te_7dd92cc6',
    secret: 'NIVcL9DhaIpctvSoSOMrcytZlfjWM7Te',
  },
  {
    provider: 'Datadog API key',
    line: 'datadog-agent run --api-key=65f319349692854b2795ceafcfe7167f --site datadoghq.eu',
    secret: '65f319349692854b2795ceafcfe7167f',
  },
  {
    provider: 'Sentry DSN',
    line: 'gunicorn shop.wsgi --env SENTRY_DSN=https://4c871a52e1a1814ec8d8532d0a0f6370@o450000.ingest.sentry.io/5500000',
    secret: '4c871a52e1a1814ec8d8532d0a0f6370',
  },
  {
    provider: 'New Relic license key',
    line: 'newrelic-infra -license_key 19d89d7047231ca0f930aac3d9a8c10b8da6NRAL',
    secret: '19d89d7047231ca0f930aac3d9a8c10b8da6',
  },
  {
    provider: 'Slack webhook URL',
    line: 'curl -X POST -H "Content-type: application/json" --data \'{"text":"OOM on web-1"}\' https://hooks.slack.com/services/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',
    secret: 'F01mHBei8klWNNFxRhFMfiBS',
  },
  {
    provider: 'Slack bot token',
    line: 'node /srv/bot/index.js --slack-bot xoxb-1234567890123-1234567890123-Tskkd1OrN9yj1dBiRtTsTM8o',
    secret: 'Tskkd1OrN9yj1dBiRtTsTM8o',
  },
  {
    provider: 'Slack refresh token xoxe',
    line: 'slack-cli --refresh xoxe-1-My0xLTEyMzQ1Njc4OTAxMjMts3kEy3UOzkG26d0ox2s1Pb7OYkefoy7GQqp3e65EITLgnDhySmCSiaLxE3lAu1csJyF3ZXv0WZ5kTvuRbzTR8olQGL',
    secret: 's3kEy3UOzkG26d0ox2s1Pb7OYkefoy7GQqp3e65EITLgnDhySmCSiaLxE3lAu1csJyF3ZXv0WZ5kTvuRbzTR8olQGL',
  },
  {
    provider: 'Slack app-level token',
    line: 'python3 socket_mode.py xapp-1-A0123456789-1234567890123-b9d4f9d50554bfabdf5ab03971b38dc186770407e5d7470c8e2dcf43e9235183',
    secret: 'b9d4f9d50554bfabdf5ab03971b38dc186770407e5d7470c8e2dcf43e9235183',
  },
  {
    provider: 'Slack user token xoxp',
    line: 'SLACK=xoxp-1234567890123-1234567890123-1234567890123-0e05e1f4aec412246467879ea7698aeb ./notify.sh',
    secret: '0e05e1f4aec412246467879ea7698aeb',
  },
  {
    provider: 'Discord webhook URL',
    line: 'curl -H "Content-Type: application/json" -d \'{"content":"deploy done"}\' https://discord.com/api/webhooks/1187340987654321098/zjL0EPuFWtjAlLwUHJSu1uXitflUNeiXzLw8IxxH_i_twKadSG40pck5JAKxMdnIr4Hy',
    secret: 'zjL0EPuFWtjAlLwUHJSu1uXitflUNeiXzLw8IxxH_i_twKadSG40pck5JAKxMdnIr4Hy',
  },
  {
    provider: 'Discord legacy webhook URL',
    line: 'python3 alert.py https://discordapp.com/api/webhooks/1187340987654321098/vr0zFbzhYTpwio7u6itAziUMjBfDEuWs6WGtcE3aCq3n9FkOhWeT36Wz8cNURTHvtrjO',
    secret: 'vr0zFbzhYTpwio7u6itAziUMjBfDEuWs6WGtcE3aCq3n9FkOhWeT36Wz8cNURTHvtrjO',
  },
  {
    provider: 'Discord bot token',
    line: 'node bot.js --token MTE4NzM0MDk4NzY1NDMyMTA5OA.GxYz12.YZcmfKX9fy_UaOu02YRVMhqN-KbHqx7f1V_3ls',
    secret: 'YZcmfKX9fy_UaOu02YRVMhqN-KbHqx7f1V_3ls',
  },
  {
    provider: 'Telegram bot URL',
    line: 'curl -s "https://api.telegram.org/bot6123456789:gc4M2L1IKLLh87aqmCgPKMJhesGynHRHs1P/sendMessage?chat_id=-1001234567890&text=OOM"',
    secret: 'gc4M2L1IKLLh87aqmCgPKMJhesGynHRHs1P',
  },
  {
    provider: 'Microsoft Teams webhook',
    line: 'curl -H "Content-Type: application/json" -d @card.json https://acme.webhook.office.com/webhookb2/0d8b2f4e-1c3a-4b5d-9e7f-1a2b3c4d5e6f@72f988bf-86f1-41af-91ab-2d7cd011db47/IncomingWebhook/743cd83a0ff83d98ed3e47355a545cbd/5c1f2e3d-4b5a-4c6d-8e9f-0a1b2c3d4e5f',
    secret: '743cd83a0ff83d98ed3e47355a545cbd',
  },
  {
    provider: 'Teams workflow (Power Automate)',
    line: 'curl -d @card.json "https://prod-12.westeurope.logic.azure.com:443/workflows/3faeb932332ac3a365d594dff72810f9/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=7HVcnVAUszPdJVQ3Ffr4LtRZTjizj4NkeBl_lGQPJ32"',
    secret: '7HVcnVAUszPdJVQ3Ffr4LtRZTjizj4NkeBl_lGQPJ32',
  },
  {
    provider: 'Mattermost webhook',
    line: 'curl -i -X POST -d \'payload={"text":"OOM"}\' https://chat.acme.io/hooks/tqwp7fvbsakzf0z6mkkbschsbb',
    secret: 'tqwp7fvbsakzf0z6mkkbschsbb',
  },
  {
    provider: 'Google Chat webhook',
    line: 'curl -X POST "https://chat.googleapis.com/v1/spaces/AAAAx1y2z3w/messages?key=AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI&token=L8dm_Lyz5r03mAe3KwV_pK-5HtLbIw1-Oy3jZCrQdGk%3D" -d @msg.json',
    secret: 'L8dm_Lyz5r03mAe3KwV_pK-5HtLbIw1-Oy3jZCrQdGk',
  },
  {
    provider: 'PagerDuty routing key',
    line: 'pd-send -k 18d21333413fb189db4e4a07f38f436b -t trigger -d "OOM on web-1"',
    secret: '18d21333413fb189db4e4a07f38f436b',
  },
  {
    provider: 'Opsgenie GenieKey',
    line: 'curl -X POST https://api.opsgenie.com/v2/alerts -H "Authorization: GenieKey 0dddaaee-e3c1-406d-bcfe-77397738eef2" -d @alert.json',
    secret: '0dddaaee-e3c1-406d-bcfe-77397738eef2',
  },
  {
    provider: 'Twilio auth token',
    line: 'curl -X POST https://api.twilio.com/2010-04-01/Accounts/AC9bf2924c4696ad9a34395214fcbb51eb/Messages.json -u AC7070cd97b84eb30d0208e994db6c8209:64177637b1cb33b2f50561cca952fe8e',
    secret: '64177637b1cb33b2f50561cca952fe8e',
  },
  {
    provider: 'SendGrid API key',
    line: 'python3 mailer.py --from ops@acme.io 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',
    secret: 'zxxJlKTIFWZvZvab7Jsrso',
  },
  {
    provider: 'Mailgun API key',
    line: 'curl -s --user "api:key-8e59363def89169f0d4bc7406a23972e" https://api.mailgun.net/v3/mg.acme.io/messages',
    secret: '8e59363def89169f0d4bc7406a23972e',
  },
  {
    provider: 'Stripe secret key (test)',
    line: 'stripe listen --api-key sk_test_516dtbe1G2jQHP01r5rxiEIyNDTRA0WSD3ifN3ZYopB6kmhFpHRof8ktyCJOwxy2RF6J3MDSesmKeeWdyNoR1bv4Cw5pSacMVOT --forward-to localhost:4242/webhook',
    secret:
      '6dtbe1G2jQHP01r5rxiEIyNDTRA0WSD3ifN3ZYopB6kmhFpHRof8ktyCJOwxy2RF6J3MDSesmKeeWdyNoR1bv4Cw5pSacMVOT',
  },
  {
    provider: 'Stripe secret key (live) bare',
    line: 'node /srv/billing/worker.js 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',
    secret:
      'sSsLnq7EUdXXzP8Z6aJt7IqgURNePqEKNU32spEKdpJAF1vHHfrz1rPmur1ndLdv5bgoC8jTxnP7ggB4SEEhv8x4hIpTzSEKW',
  },
  {
    provider: 'Stripe restricted key',
    line: 'STRIPE=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 bundle exec sidekiq',
    secret:
      'FpE0TaxCzNWHlcSgsrCrwa8ldQeyhNSS23Mc8ZyKbhAGZ60Jxxx9md4Zz0n4r14v7f93qp0niVAxT7aMH6UMy2zpvFiPxlgVp',
  },
  {
    provider: 'Stripe webhook secret',
    line: 'java -jar payments.jar --stripe.webhook=whsec_YT40I87swkHJZORDuWaKem6Nu7emuX8x',
    secret: 'YT40I87swkHJZORDuWaKem6Nu7emuX8x',
  },
  {
    provider: 'PayPal client secret',
    line: 'curl -v https://api-m.paypal.com/v1/oauth2/token -u "AXk1yfT2--QwgKLB2rFERh9DVI9QPd2ks0NeoROuRWIRFo_4a7GJPYS6auDFMk-19MK88apzSRCiZvMw:ELwa5pI9Y5Vo_YMpYIVJC8nqY6qITBWhMhcmw6GwlEOdjWznizreKt004U-r3J8H5oFxOZDvr_GUdERU" -d grant_type=client_credentials',
    secret: 'wa5pI9Y5Vo_YMpYIVJC8nqY6qITBWhMhcmw6GwlEOdjWznizreKt004U-r3J8H5oFxOZDvr_GUdERU',
  },
  {
    provider: 'Square access token',
    line: 'square-sync --env production EAAAL__bNVk4Ol8QRYxrT8mFyRxTDiRiy-8CL9aJ69VfwOGMuRJd78SIRuEVMDUm',
    secret: 'L__bNVk4Ol8QRYxrT8mFyRxTDiRiy-8CL9aJ69VfwOGMuRJd78SIRuEVMDUm',
  },
  {
    provider: 'Shopify admin token',
    line: 'shopify-export --shop acme.myshopify.com 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',
    secret: 'ec465a64748ed352b510187e1486c855',
  },
  {
    provider: 'OpenAI project key',
    line: 'llm keys set openai --value 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',
    secret: 'lzW6epD4-IFqkQK8nqVMvq8Hr_IshtyMXLBR6eIE2U5BCisCY6c-gdx1tCey3gvvMRd3rLNBzo',
  },
  {
    provider: 'OpenAI key env',
    line: 'OPENAI_API_KEY=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 python3 -m app.worker',
    secret: '7Ot-6KIjy4BisJRPBHhQCysY_2iNW2b-TZGIapMHCDAgXw2QSNg3DjqFBI',
  },
  {
    provider: 'OpenAI bearer header',
    line: 'curl https://api.openai.com/v1/models -H "Authorization: Bearer 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"',
    secret: 'qEBUpyCpBgH1jNMl7far',
  },
  {
    provider: 'Anthropic API key',
    line: 'python3 agent.py --model claude-sonnet sk-ant-api03-jbEGNb05UQivUmCxK267F2jbVvGhphZV2h97jqDh-70uLczp0sqrr9fbN5arHsHlgepGnLYvpNYVmvzy-5XDJE-90fwhLAA',
    secret: 'jbEGNb05UQivUmCxK267F2jbVvGhphZV2h97jqDh-70uLczp0sqrr9fbN5arHsHlgepGnLYvpNYVmvzy-5XDJE-90fwhL',
  },
  {
    provider: 'Hugging Face token',
    line: 'text-generation-launcher --model-id meta-llama/Llama-3-8B --huggingface-hub-token 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',
    secret: 'WSRXSmRaCGsIuwFZtDQMNRNlAhpfClKGYt',
  },
  {
    provider: 'Hugging Face token bare',
    line: 'python3 download.py 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 meta-llama/Llama-3-8B',
    secret: 'FauKTiOjPOcpifNwPrnpjwTXahsSNgzKON',
  },
  {
    provider: 'Groq API key',
    line: 'groq-cli chat --model llama3-70b 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',
    secret: 'W3BXjLdOZotRo45HQZPh4GlrUs1erRa8oZ3SuT5AJ9HQHSuEYCYn',
  },
  {
    provider: 'Replicate token',
    line: 'REPLICATE=r8_KU2RsWlTrl1HFH5zYKclRaPs9SmOpqnfBT4pc python3 predict.py',
    secret: 'KU2RsWlTrl1HFH5zYKclRaPs9SmOpqnfBT4pc',
  },
  {
    provider: 'Perplexity API key',
    line: 'pplx-cli ask 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 "why OOM"',
    secret: '7BR5JLpjE3BVw83Ekm7ubMYipy2WtooUKpWgCptW40rGPggC',
  },
  {
    provider: 'Cohere key header',
    line: 'curl https://api.cohere.ai/v1/chat -H "X-API-Key: IueJkHOBlaDuU3F32kk91IGZWLh78pCaZ9gF5NYw" -d @q.json',
    secret: 'IueJkHOBlaDuU3F32kk91IGZWLh78pCaZ9gF5NYw',
  },
  {
    provider: 'Linear API key',
    line: 'linear-sync --key-from-arg lin_api_j4MCEBxgYLxFMAjYY5bD8N6ihyr0jVyuRnb1no8k',
    secret: 'j4MCEBxgYLxFMAjYY5bD8N6ihyr0jVyuRnb1no8k',
  },
  {
    provider: 'Notion integration token',
    line: 'notion-backup 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 --out /backup/notion',
    secret: 'pigGPcTaP5flGAWcz95sNZaIBz4i50JtzgX',
  },
  {
    provider: 'Figma token',
    line: 'figma-export --token-arg figd_ajHpPDABwgHIZLAxHFSes5BvPaHq2lGrcJ7n_Ug7',
    secret: 'ajHpPDABwgHIZLAxHFSes5BvPaHq2lGrcJ7n_Ug7',
  },
  {
    provider: 'sshpass -p',
    line: 'sshpass -p 5YLRBEnRkDsYwe ssh -o StrictHostKeyChecking=no deploy@10.0.1.9',
    secret: '5YLRBEnRkDsYwe',
  },
  {
    provider: 'LDAP bind (ldapsearch -w)',
    line: 'ldapsearch -x -H ldaps://ldap.acme.io -D "cn=admin,dc=acme,dc=io" -w F9rZk8G7NM3wCYop -b "dc=acme,dc=io" "(uid=jdoe)"',
    secret: 'F9rZk8G7NM3wCYop',
  },
  {
    provider: 'LDAP attached -w',
    line: 'ldapmodify -x -D cn=admin,dc=acme,dc=io -wxX89rwkaLXe822xy -f /tmp/change.ldif',
    secret: 'xX89rwkaLXe822xy',
  },
  { provider: 'zip -P', line: 'zip -r -P C0fdN2QJsK0uXE /backup/etc.zip /etc/app', secret: 'C0fdN2QJsK0uXE' },
  {
    provider: '7-Zip -p',
    line: '7z a -pmQ6v1qBEIcRV0J -mhe=on /backup/data.7z /srv/data',
    secret: 'mQ6v1qBEIcRV0J',
  },
  {
    provider: 'unzip -P',
    line: 'unzip -P y8xcY57fm1sdYn /tmp/release.zip -d /opt/release',
    secret: 'y8xcY57fm1sdYn',
  },
  {
    provider: 'OpenSSL -pass pass:',
    line: 'openssl enc -aes-256-cbc -pbkdf2 -pass pass:n5PKd7n4rIHYlD9G -in db.sql -out db.sql.enc',
    secret: 'n5PKd7n4rIHYlD9G',
  },
  {
    provider: 'OpenSSL -passout',
    line: 'openssl pkcs12 -export -in cert.pem -inkey key.pem -out cert.p12 -passout pass:xYvMS795KtHsCoOV',
    secret: 'xYvMS795KtHsCoOV',
  },
  {
    provider: 'OpenSSL -k',
    line: 'openssl enc -d -aes-256-cbc -k FpNQGgzNO0rF0dF1 -in backup.enc -out backup.tar',
    secret: 'FpNQGgzNO0rF0dF1',
  },
  {
    provider: 'Java keytool storepass',
    line: 'keytool -importkeystore -srckeystore a.p12 -srcstorepass SVYyK73tn1eE -destkeystore b.jks -deststorepass gseP0z4naROA',
    secret: 'SVYyK73tn1eE',
  },
  {
    provider: 'Java keystore password property',
    line: 'java -Djavax.net.ssl.keyStorePassword=3KDWvmKw6ehPXE -jar /opt/gateway/gateway.jar',
    secret: '3KDWvmKw6ehPXE',
  },
  {
    provider: 'Samba (smbclient -U user%pass)',
    line: 'smbclient //fs.acme.local/share -U backup%ptsliMc3YJsiCf -c "put db.tar.gz"',
    secret: 'ptsliMc3YJsiCf',
  },
  {
    provider: 'CIFS mount options',
    line: 'mount -t cifs //fs.acme.local/share /mnt/share -o username=svc,password=Zuh9SMo84yoOzV,vers=3.0',
    secret: 'Zuh9SMo84yoOzV',
  },
  {
    provider: 'lftp -u user,pass',
    line: 'lftp -u deploy,mJf13aiifdjaYr sftp://files.acme.io -e "mirror -R /srv/www /www; quit"',
    secret: 'mJf13aiifdjaYr',
  },
  {
    provider: 'RDP (xfreerdp /p:)',
    line: 'xfreerdp /v:10.0.0.5 /u:Administrator /p:kZ3sDCncYa5N9yX0 /cert:ignore',
    secret: 'kZ3sDCncYa5N9yX0',
  },
  {
    provider: 'SNMPv3 auth and priv',
    line: 'snmpwalk -v3 -l authPriv -u monitor -a SHA -A uTNpP8w0eENKOI0G -x AES -X PrivKey2026x host.acme.io',
    secret: 'uTNpP8w0eENKOI0G',
  },
  {
    provider: 'IPMI (ipmitool -P)',
    line: 'ipmitool -I lanplus -H 10.0.0.50 -U ADMIN -P mIrkjz0sNFha6o chassis power status',
    secret: 'mIrkjz0sNFha6o',
  },
  {
    provider: 'htpasswd -b',
    line: 'htpasswd -b -B /etc/nginx/.htpasswd admin cSy7zh4SXBNxpY',
    secret: 'cSy7zh4SXBNxpY',
  },
  {
    provider: 'wget --password',
    line: 'wget --user=deploy --password=v3LoNhBEm1dEVD https://files.acme.io/release.tar.gz',
    secret: 'v3LoNhBEm1dEVD',
  },
  {
    provider: 'FTP URL',
    line: 'curl -T report.csv ftp://reports:4sJbNDp5j05Aoe@ftp.acme.io/incoming/',
    secret: '4sJbNDp5j05Aoe',
  },
  {
    provider: 'GPG passphrase',
    line: 'gpg --batch --yes --pinentry-mode loopback --passphrase AelJ96kMJGsZYfPU --decrypt /backup/db.gpg',
    secret: 'AelJ96kMJGsZYfPU',
  },
  {
    provider: 'Restic password env',
    line: 'RESTIC_PASSWORD=f1AldJhZLBPAYOF4 restic -r s3:s3.amazonaws.com/acme-restic backup /srv',
    secret: 'f1AldJhZLBPAYOF4',
  },
  {
    provider: 'OAuth client credentials body',
    line: 'curl -s -d "grant_type=client_credentials&client_id=shop-api&client_secret=D5proH36RChrIKEuABZIAncqiG5eP0zm" https://auth.acme.io/oauth/token',
    secret: 'D5proH36RChrIKEuABZIAncqiG5eP0zm',
  },
  {
    provider: 'Private key on a command line',
    line: 'sh -c "echo -----BEGIN OPENSSH PRIVATE KEY-----b3BlbnNzaC1rZXktdjEAAAAAgnsW4zLlENrOeu0ORRtwbsp9ae9RfXzJKIhd3B3UdXle71ON+JoZcWUFT1sBgcXmUldWYTMPamlvYFuOl3C8rW7b0c+5qBa5gHapexdQw2XgwInnjh6W6vtI -----END OPENSSH PRIVATE KEY----- | ssh-add -"',
    secret:
      'gnsW4zLlENrOeu0ORRtwbsp9ae9RfXzJKIhd3B3UdXle71ON+JoZcWUFT1sBgcXmUldWYTMPamlvYFuOl3C8rW7b0c+5qBa5gHapexdQw2XgwInnjh6W6vtI',
  },
  {
    provider: '1Password service account',
    line: 'OP_CONNECT=ops_eyJlbWFpbCI6IjZ5bHdzZmxsY3luZzlAMXBhc3N3b3Jkc2VydmljZWFjY291bnRzLmNvbSIsInNlY3JldEtleSI6IkEzLUxOSldFVy1BQVlTWTQiLCJzcnBYIjoiNWU3MjVlNjEyMWQ0MzhkMGRkMGUxYzg4MDRhZDUwMjdmM2FiYzIwYjU3NzFjY2Q5ZmIzNTU0NGQ3MGQ5ZDI1NiIsInNpZ25JbkFkZHJlc3MiOiJhY21lLjFwYXNzd29yZC5jb20ifQ op read op://prod/db/password',
    secret:
      'eyJlbWFpbCI6IjZ5bHdzZmxsY3luZzlAMXBhc3N3b3Jkc2VydmljZWFjY291bnRzLmNvbSIsInNlY3JldEtleSI6IkEzLUxOSldFVy1BQVlTWTQiLCJzcnBYIjoiNWU3MjVlNjEyMWQ0MzhkMGRkMGUxYzg4MDRhZDUwMjdmM2FiYzIwYjU3NzFjY2Q5ZmIzNTU0NGQ3MGQ5ZDI1NiIsInNpZ25JbkFkZHJlc3MiOiJhY21lLjFwYXNzd29yZC5jb20ifQ',
  },
  {
    provider: 'Vercel token',
    line: 'VERCEL=vcp_IbIlmU0cBRQW8W1ouGTDrQ01Y85EdTucnnbhY0zcSp8y1TRSOeAxruz0 vercel deploy --prod',
    secret: 'IbIlmU0cBRQW8W1ouGTDrQ01Y85EdTucnnbhY0zcSp8y1TRSOeAxruz0',
  },
];

/** Lines without a secret that look like they might hold one (`-p` as a port, `--key-file` as a path): unchanged. */
export const CLEAN_LINES: readonly (readonly [string, string])[] = [
  ['OpenSSH client port', 'ssh -p 2222 -o ServerAliveInterval=30 deploy@bastion.acme.io'],
  ['OpenSSH attached port', 'ssh -p22 bastion.internal uptime'],
  ['mkdir -p', 'mkdir -p /var/lib/app/cache/thumbnails'],
  ['docker run -p', 'docker run -d -p 8080:80 --name web --memory 512m nginx:1.27'],
  ['redis-cli -p port', 'redis-cli -h cache.internal -p 6379 info memory'],
  ['mysql -p prompts', 'mysqldump -p mydb'],
  ['mysql -P port', 'mysql -h db.internal -P 3306 -u app orders'],
  ['ps -p', 'ps -p 4242 -o pid,rss,cmd'],
  ['top -p', 'top -b -n 1 -p 1234'],
  ['curl -k', 'curl -k -s https://localhost:8443/healthz'],
  ['tar -C', 'tar -xzf /tmp/release.tar.gz -C /opt/app'],
  ['zip without -P', 'zip -r /backup/etc.zip /etc/app'],
  ['7-Zip extract -o', '7z x /backup/data.7z -o/srv/restore'],
  ['grep -a -w', 'grep -a -w ERROR /var/log/app/app.log'],
  ['pg_dump -W prompts', 'pg_dump -h db.internal -U app -W -Fc orders'],
  ['sqlcmd Windows auth', '/opt/mssql-tools18/bin/sqlcmd -S localhost -E -Q "SELECT 1"'],
  ['ldapsearch anonymous', 'ldapsearch -x -LLL -H ldap://ldap.acme.io -b dc=acme,dc=io uid=jdoe'],
  [
    'gcloud key file path',
    'gcloud auth activate-service-account ci@acme.iam.gserviceaccount.com --key-file=/etc/gcp/sa.json',
  ],
  [
    'ansible vault password file',
    'ansible-playbook site.yml --vault-password-file /etc/ansible/vault-pass.txt',
  ],
  ['docker login --password-stdin', 'docker login -u ci-bot --password-stdin registry.acme.io'],
  [
    'LLM serving token counts',
    'python3 -m vllm.entrypoints.openai.api_server --model /models/llama-3-8b --max-num-batched-tokens 8192 --tokenizer /models/llama-3-8b',
  ],
  [
    'Java service',
    '/usr/lib/jvm/java-17-amazon-corretto/bin/java -Xms4g -Xmx6g -XX:+UseG1GC -Dspring.profiles.active=prod -jar /opt/orders/orders-service.jar --server.port=8080',
  ],
  ['Node service', 'node --max-old-space-size=4096 /srv/app/index.js --port=3000'],
  ['Django runserver', 'python3 manage.py runserver 0.0.0.0:8000 --settings=shop.settings.prod'],
  ['PostgreSQL backend', 'postgres: app orders 10.0.1.7(51234) idle in transaction'],
  [
    'sshd with AuthorizedKeysCommand',
    '/usr/sbin/sshd -D -o AuthorizedKeysCommand=/usr/share/ec2-instance-connect/eic_run_authorized_keys -o AuthorizedKeysCommandUser=ec2-instance-connect',
  ],
  [
    'kubelet',
    '/usr/bin/kubelet --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///run/containerd/containerd.sock',
  ],
  [
    'containerd shim',
    '/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id 3f2a9c1b7d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4 -address /run/containerd/containerd.sock',
  ],
  ['aws s3 sync', 'aws s3 sync /var/backups s3://acme-backups --sse aws:kms --storage-class STANDARD_IA'],
  ['git clone without credentials', 'git clone https://github.com/acme/app.git /srv/app'],
  ['PostgreSQL URL without credentials', 'psql postgres://db.internal:5432/orders -c "select 1"'],
  ['az managed identity', 'az login --identity --username 8f6b1c9e-2d4a-4f7b-9e3c-5a1d7b2c8e40'],
  ['helm set image tag', 'helm upgrade --install web ./chart --set image.tag=1.4.2 --namespace prod'],
  ['gunicorn keep-alive', 'gunicorn shop.wsgi:application --workers 4 --bind 0.0.0.0:8000 --keep-alive 5'],
  ['stress-ng', 'stress-ng --vm 2 --vm-bytes 1G --timeout 60s'],
  ['dockerd', '/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock'],
  ['systemd unit message', 'orders.service: Main process exited, code=killed, status=9/KILL'],
  ['php-fpm pool', 'php-fpm: pool www'],
  ['Slack API docs URL', 'curl -s https://api.slack.com/methods/chat.postMessage'],
  ['git hooks path', '/usr/bin/git-hooks/hooks/pre-receive-check-commit-message --strict'],
];
