import { MEMORY_METRICS } from './memory-metrics';

/** Where distributions keep kernel messages, as rsyslog writes them. */
export const KERNEL_LOG_FILES = {
  /** Amazon Linux 2, RHEL, CentOS (and Amazon Linux 2023 with rsyslog): every facility at info and above. */
  messages: '/var/log/messages',
  /** Ubuntu and Debian (and Amazon Linux 2023 once rsyslog is installed with a kern.* rule): kernel only. */
  kernLog: '/var/log/kern.log',
  /** Ubuntu and Debian: every facility; systemd-oomd's lines land here (facility daemon, via journald). */
  syslog: '/var/log/syslog',
} as const;

/**
 * systemd-oomd logs to the journal (unit `systemd-oomd.service`, facility daemon), not to the kernel ring: with
 * rsyslog its lines reach /var/log/syslog (Debian, Ubuntu) or /var/log/messages (Amazon Linux, RHEL), never
 * kern.log. The agent ships only the lines of such a file that match this (a `filters` include expression).
 */
export const OOMD_EXPRESSION = 'systemd-oomd';

/** One file the agent ships; `onlyMatching` keeps just the lines matching a regular expression. */
export interface ShippedFile {
  readonly path: string;
  readonly onlyMatching?: string;
}

/**
 * A CloudWatch agent configuration that ships the given files to one log group, one stream per instance named
 * `{instance_id}`, and publishes the memory metrics the early-warning alarms read (`MEMORY_METRICS`), unless
 * they are off (no alarm would read them, and custom metrics are billed). No
 * `timestamp_format`: the ingestion time is used, which is what the detector reasons with, and syslog's formats
 * differ by distribution (RFC 3164 on Amazon Linux 2, RFC 3339 on Ubuntu 24.04). Meant for `append-config`: it
 * holds only `logs` and `metrics`, so it adds to the agent's configuration and replaces nothing (no `agent`
 * section: the agent runs as root unless told otherwise, so it can read /var/log/messages).
 */
export function agentConfiguration(
  files: readonly ShippedFile[],
  logGroupName: string,
  options: { memoryMetrics: boolean } = { memoryMetrics: true },
): object {
  return {
    logs: {
      logs_collected: {
        files: {
          collect_list: files.map((file) => ({
            file_path: file.path,
            log_group_name: logGroupName,
            log_stream_name: '{instance_id}',
            retention_in_days: -1,
            ...(file.onlyMatching ? { filters: [{ type: 'include', expression: file.onlyMatching }] } : {}),
          })),
        },
      },
    },
    ...(options.memoryMetrics ? { metrics: MEMORY_METRICS } : {}),
  };
}

/** Left-align Fluent Bit's keys, as its documentation writes them. */
const entry = (key: string, value: string): string => `    ${key.padEnd(21)}${value}`;

/**
 * Fluent Bit for Amazon Linux 2023, whose logs live only in journald: read kernel records (`_TRANSPORT=kernel`)
 * and systemd-oomd's (its unit), and send them to CloudWatch Logs as journald JSON (the detector reads `MESSAGE`
 * and `_HOSTNAME`). The `aws` filter adds the instance id from IMDSv2, and each stream is named after it
 * (`log_stream_template`; cloudwatch_logs still requires `log_stream_prefix`, its fallback when the template
 * cannot be rendered). cloudwatch_logs requires `region`: the stack's. Sources: Fluent Bit manual, inputs/systemd,
 * filters/aws-metadata and outputs/cloudwatch (`cb_cloudwatch_init` refuses to start without these).
 */
export function fluentBitConfiguration(logGroupName: string, region: string): string {
  return [
    '[SERVICE]',
    entry('Flush', '5'),
    entry('Log_Level', 'warn'),
    '',
    '[INPUT]',
    entry('Name', 'systemd'),
    entry('Tag', 'kernel'),
    entry('Systemd_Filter', '_TRANSPORT=kernel'),
    entry('Systemd_Filter', '_SYSTEMD_UNIT=systemd-oomd.service'),
    entry('Systemd_Filter_Type', 'Or'),
    entry('DB', '/var/lib/fluent-bit/oom-responder-kernel.db'),
    entry('Read_From_Tail', 'On'),
    '',
    '[FILTER]',
    entry('Name', 'aws'),
    entry('Match', '*'),
    entry('imds_version', 'v2'),
    entry('ec2_instance_id', 'true'),
    entry('az', 'false'),
    '',
    '[OUTPUT]',
    entry('Name', 'cloudwatch_logs'),
    entry('Match', 'kernel'),
    entry('region', region),
    entry('log_group_name', logGroupName),
    entry('log_stream_template', '$ec2_instance_id'),
    entry('log_stream_prefix', 'unknown-instance-'),
    entry('auto_create_group', 'false'),
    '',
  ].join('\n');
}
