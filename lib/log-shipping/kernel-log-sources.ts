/** Where distributions keep kernel messages, as rsyslog writes them. */
export const KERNEL_LOG_FILES = {
  /** Amazon Linux 2, RHEL, CentOS: every syslog facility, kernel included (root only). */
  messages: '/var/log/messages',
  /** Ubuntu and Debian (and Amazon Linux 2023 once rsyslog is installed with a kern.* rule): kernel only. */
  kernLog: '/var/log/kern.log',
} as const;

/**
 * A CloudWatch agent configuration that ships the given files to one log group, one stream per instance named
 * `{instance_id}`. No `timestamp_format`: the ingestion time is used, which is what the detector reasons with,
 * and syslog's formats differ by distribution (RFC 3164 on Amazon Linux 2, RFC 3339 on Ubuntu 24.04).
 */
export function agentConfiguration(files: readonly string[], logGroupName: string): object {
  return {
    agent: { run_as_user: 'root' },
    logs: {
      logs_collected: {
        files: {
          collect_list: files.map((file_path) => ({
            file_path,
            log_group_name: logGroupName,
            log_stream_name: '{instance_id}',
            retention_in_days: -1,
          })),
        },
      },
    },
  };
}

/**
 * Fluent Bit for Amazon Linux 2023, whose logs live only in journald: read kernel records (`_TRANSPORT=kernel`)
 * and send them to CloudWatch Logs as journald JSON, one stream per instance (the detector reads `MESSAGE` and
 * `_HOSTNAME` from each record). `${INSTANCE_ID}` is set by the systemd unit that runs Fluent Bit.
 */
export const FLUENT_BIT_AL2023 = (logGroupName: string): string =>
  [
    '[SERVICE]',
    '    Flush        5',
    '    Log_Level    warn',
    '',
    '[INPUT]',
    '    Name            systemd',
    '    Tag             kernel',
    '    Systemd_Filter  _TRANSPORT=kernel',
    '    DB              /var/lib/fluent-bit/oom-responder-kernel.db',
    '    Read_From_Tail  On',
    '',
    '[OUTPUT]',
    '    Name               cloudwatch_logs',
    '    Match              kernel',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Fluent Bit expands ${AWS_REGION} from its environment.
    '    region             ${AWS_REGION}',
    `    log_group_name     ${logGroupName}`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the unit running Fluent Bit sets ${INSTANCE_ID}.
    '    log_stream_name    ${INSTANCE_ID}',
    '    auto_create_group  false',
    '',
  ].join('\n');
