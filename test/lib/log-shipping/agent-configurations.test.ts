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
