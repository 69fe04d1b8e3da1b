import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthStack } from '../../support/synth';

let template: Template;

beforeAll(() => {
  template = synthStack({ responder: { applyAgentConfiguration: true } }).template;
});

function parameter(name: string): string {
  const found = Object.values(template.findResources('AWS::SSM::Parameter')).find(
    (p) => p.Properties.Name === name,
  );
  if (!found) throw new Error(`no parameter ${name}`);
  const value = found.Properties.Value;
  // The Region is a CloudFormation reference inside the value: render it as CloudFormation would.
  if (typeof value === 'string') return value;
  const [, parts] = value['Fn::Join'] as [string, unknown[]];
  return parts.map((part) => (typeof part === 'string' ? part : 'us-east-1')).join('');
}

function associations() {
  return Object.values(template.findResources('AWS::SSM::Association')).map((a) => a.Properties);
}

describe('the State Manager associations', () => {
  it("append the kernel-log configuration to the agent's, never replacing the user's own", () => {
    const configure = associations().find((a) => a.Name === 'AmazonCloudWatch-ManageAgent');
    expect(configure?.Parameters).toMatchObject({
      action: ['configure (append)'],
      optionalConfigurationSource: ['ssm'],
      optionalConfigurationLocation: ['AmazonCloudWatch-OomResponder-all'],
    });
  });

  it('run on a schedule, so a configure that ran before the install finished is retried', () => {
    for (const association of associations()) {
      expect(association.ScheduleExpression).toMatch(/^rate\(\d+ (minutes|hours|days?)\)$/);
      expect(association.ApplyOnlyAtCronInterval ?? false).toBe(false);
    }
  });
});

describe('the CloudWatch agent configurations', () => {
  it.each([
    ['ubuntu', '/var/log/syslog'],
    ['amazon-linux-2023', '/var/log/messages'],
  ])("on %s also ship systemd-oomd's lines from %s, and only those", (flavor, file) => {
    const config = JSON.parse(parameter(`AmazonCloudWatch-OomResponder-${flavor}`));
    const entries = config.logs.logs_collected.files.collect_list as {
      file_path: string;
      filters?: unknown[];
    }[];
    expect(entries.map((e) => e.file_path)).toContain('/var/log/kern.log');
    expect(entries.find((e) => e.file_path === file)?.filters).toEqual([
      { type: 'include', expression: 'systemd-oomd' },
    ]);
  });
});

describe('the metrics of the CloudWatch agent configurations', () => {
  it.each(['amazon-linux-2', 'amazon-linux-2023', 'ubuntu', 'all'])(
    '%s: publishes memory and swap every 60 s per instance, where the early-warning alarms read them',
    (flavor) => {
      const { metrics } = JSON.parse(parameter(`AmazonCloudWatch-OomResponder-${flavor}`));
      expect(metrics.namespace).toBe('CWAgent');
      // The agent fills it from the instance metadata; the alarms GROUP BY it.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the agent's placeholder.
      expect(metrics.append_dimensions).toEqual({ InstanceId: '${aws:InstanceId}' });
      expect(metrics.metrics_collected.mem).toEqual({
        measurement: expect.arrayContaining(['mem_available_percent', 'mem_used_percent']),
        metrics_collection_interval: 60,
      });
      expect(metrics.metrics_collected.swap).toEqual({
        measurement: ['swap_used_percent'],
        metrics_collection_interval: 60,
      });
    },
  );

  it('reports the resident memory of a bounded list of runtimes, by exact process name', () => {
    const { metrics } = JSON.parse(parameter('AmazonCloudWatch-OomResponder-all'));
    const [procstat, ...more] = metrics.metrics_collected.procstat as {
      exe: string;
      measurement: string[];
    }[];
    expect(more).toEqual([]);
    expect(procstat?.measurement).toEqual(['memory_rss']);
    // Anchored, so "java" does not also select "javac-helper"; one series per matching name, at most the list's.
    const exe = new RegExp(procstat?.exe ?? '(?!)');
    for (const name of ['java', 'node', 'python3', 'python3.11', 'php-fpm8.2', 'beam.smp', 'redis-server'])
      expect(exe.test(name), name).toBe(true);
    for (const name of ['javac-helper', 'sshd', 'bash', 'beamXsmp', 'nodejs-agent'])
      expect(exe.test(name), name).toBe(false);
  });

  it('are also stored alone, for hosts that ship their logs with Fluent Bit', () => {
    const alone = JSON.parse(parameter('AmazonCloudWatch-OomResponder-memory-metrics'));
    expect(alone).toEqual({ metrics: JSON.parse(parameter('AmazonCloudWatch-OomResponder-ubuntu')).metrics });
  });

  it('are left out with the early-warning alarms off: nothing would read them, and custom metrics are billed', () => {
    const off = synthStack({ responder: { earlyWarning: false } }).template;
    const values = Object.values(off.findResources('AWS::SSM::Parameter')).map((p) => p.Properties);
    expect(values.map((p) => p.Name)).not.toContain('AmazonCloudWatch-OomResponder-memory-metrics');
    const all = values.find((p) => p.Name === 'AmazonCloudWatch-OomResponder-all');
    expect(Object.keys(JSON.parse(all?.Value))).toEqual(['logs']);
  });

  it('adds only logs and metrics, so appending it keeps the agent section the user wrote', () => {
    const config = JSON.parse(parameter('AmazonCloudWatch-OomResponder-all'));
    expect(Object.keys(config).sort()).toEqual(['logs', 'metrics']);
  });
});

describe('the Fluent Bit configuration for journald-only Amazon Linux 2023', () => {
  it('sets the instance id itself (aws filter over IMDSv2) and names each stream after it', () => {
    const config = parameter('AmazonCloudWatch-OomResponder-fluent-bit-amazon-linux-2023');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the unset variable the old configuration relied on.
    expect(config).not.toContain('${INSTANCE_ID}');
    expect(config).toMatch(
      /\[FILTER\]\n\s+Name\s+aws\n\s+Match\s+\*\n\s+imds_version\s+v2\n\s+ec2_instance_id\s+true/,
    );
    expect(config).toMatch(/log_stream_template\s+\$ec2_instance_id\n/);
    // cloudwatch_logs refuses to start without one of these, even with a template (its fallback).
    expect(config).toMatch(/log_stream_prefix\s+\S+/);
  });

  it('sets the Region, which cloudwatch_logs requires, to the stack’s', () => {
    expect(parameter('AmazonCloudWatch-OomResponder-fluent-bit-amazon-linux-2023')).toMatch(
      /region\s+us-east-1\n/,
    );
  });

  it("reads systemd-oomd's journal lines as well as the kernel's", () => {
    const config = parameter('AmazonCloudWatch-OomResponder-fluent-bit-amazon-linux-2023');
    expect(config).toContain('Systemd_Filter       _TRANSPORT=kernel');
    expect(config).toContain('Systemd_Filter       _SYSTEMD_UNIT=systemd-oomd.service');
    expect(config).toContain('Systemd_Filter_Type  Or');
  });
});
