/** Where the CloudWatch agent publishes by default, and where the early-warning alarms look. */
export const AGENT_NAMESPACE = 'CWAgent';

/** The agent's metric names (its `mem` and `swap` plugins prefix each measurement with the plugin's name). */
export const AGENT_METRICS = {
  memAvailablePercent: 'mem_available_percent',
  memUsedPercent: 'mem_used_percent',
  swapUsedPercent: 'swap_used_percent',
} as const;

/**
 * The runtimes whose memory procstat reports, by process name (`exe`, an RE2 expression matched against the
 * process name). procstat cannot select "the largest processes": it selects by pid file, name (`exe`) or command
 * line (`pattern`), and publishes one series per process name it matches (dimensions `exe`, `process_name` and
 * the appended `InstanceId`). A pattern that matches everything (`.`) would publish one series per distinct process
 * name on every host, unbounded and billed per metric; this anchored list bounds it to the memory-heavy runtimes
 * that an OOM kill most often names, at most one series each per instance, and none where none runs.
 */
export const PROCSTAT_PROCESS_NAMES = [
  'java',
  'node',
  'python[0-9.]*',
  'ruby',
  'php-fpm.*',
  'dotnet',
  'beam\\.smp',
  'postgres',
  'mysqld',
  'mariadbd',
  'mongod',
  'redis-server',
] as const;

/**
 * The agent's `metrics` section: host memory and swap every 60 s, and the resident memory of the runtimes above,
 * each with the `InstanceId` dimension (the global `append_dimensions`, which the agent fills from the instance
 * metadata), in the agent's default namespace.
 *
 * Appended (`append-config`), the agent merges it key by key with the configuration already there (its
 * translator's `mergeJsonUtil.mergeMap`): a plugin only one side defines is added; the same value on both sides
 * is kept once; `procstat` entries are concatenated (aws/amazon-cloudwatch-agent#141); but a key both define with
 * different values (for example your own `mem` plugin with other measurements, another `namespace`, or other
 * `append_dimensions`) is a translation error, "Different values are specified for mem", and the append fails (the agent's
 * log says which key). Sources: CloudWatch User Guide, "Manually create or edit the CloudWatch agent
 * configuration file" (metrics section, `append_dimensions` `${aws:InstanceId}`, `metrics_collection_interval`)
 * and "Collect process metrics with the procstat plugin" (`exe`, `memory_rss`), docs.aws.amazon.com/AmazonCloudWatch/
 * latest/monitoring/CloudWatch-Agent-Configuration-File-Details.html and CloudWatch-Agent-procstat-process-metrics.html;
 * the merge rules in aws/amazon-cloudwatch-agent translator/jsonconfig/mergeJsonUtil/util.go (only `metrics`,
 * `metrics_collected` and `procstat` have merge rules of their own), the measurement names in its
 * translator/translate/metrics/config/registered_metrics.go (both read at ab55b8d, 2026-08). The agent's own JSON
 * schema (translator/config/schema.json, same commit) accepted every configuration the stack stored when this was
 * written (checked by hand with Ajv; the schema is not vendored, so no test repeats it).
 */
export const MEMORY_METRICS = {
  namespace: AGENT_NAMESPACE,
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the agent's own placeholder, filled on the instance.
  append_dimensions: { InstanceId: '${aws:InstanceId}' },
  metrics_collected: {
    mem: {
      measurement: [AGENT_METRICS.memUsedPercent, AGENT_METRICS.memAvailablePercent],
      metrics_collection_interval: 60,
    },
    swap: {
      measurement: [AGENT_METRICS.swapUsedPercent],
      metrics_collection_interval: 60,
    },
    procstat: [
      {
        exe: `^(${PROCSTAT_PROCESS_NAMES.join('|')})$`,
        measurement: ['memory_rss'],
        metrics_collection_interval: 60,
      },
    ],
  },
} as const;
