import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDiagnosticsSummary } from '../../../../functions/core/diagnostics/summary-parser';
import type { Incident } from '../../../../functions/core/incident/model';
import type { ResponseOutcome } from '../../../../functions/core/incident/outcome';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { renderPlainText } from '../../../../functions/core/render/plain-text';
import { renderSlackMessage } from '../../../../functions/core/render/slack';
import type { SlackMessage } from '../../../../functions/core/render/slack-blocks';
import { describeOutcome, type OutcomeView } from '../../../../functions/core/render/view';
import { dockerConfig } from '../../../lib/ssm/support/docker-config';
import { makeTemp, removeTemp, runScript } from '../../../lib/ssm/support/run-script';
import { analyzeIncident, incidentFrom } from '../analysis/incidents';
import { CONTEXT } from './scenarios';

/**
 * From the kernel's report to the message, through the real collect-diagnostics script: each real kill's cgroup
 * path is laid out in a fake cgroup tree with the files the kubelet and dockerd leave on disk, the script names
 * the container, and the message must use those names. Expected names come from the fake files, not the renderer.
 */
let root: string;
beforeAll(() => {
  root = makeTemp('workload-identity');
});
afterAll(() => removeTemp(root));

interface Host {
  /** Names of the kubelet's /var/log/containers links. */
  podLogs: string[];
  /** docker's config.v2.json files, as `dockerConfig` writes them. */
  docker: { id: string; name: string; image: string; labels: Record<string, string> }[];
}

async function collect(incident: Incident, host: Host, name: string) {
  const dir = join(root, name);
  const memcg = incident.firstKill.taskMemcg ?? '';
  mkdirSync(join(dir, 'cgroup', memcg), { recursive: true });
  writeFileSync(join(dir, 'cgroup', 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
  writeFileSync(join(dir, 'cgroup', memcg, 'memory.max'), 'max\n');
  mkdirSync(join(dir, 'pods'));
  for (const link of host.podLogs) writeFileSync(join(dir, 'pods', link), '');
  for (const c of host.docker) dockerConfig(join(dir, 'docker'), c.id, c.name, c.image, c.labels);
  const run = await runScript('collect-diagnostics', {
    SSM_killTime: '',
    SSM_unit: '',
    SSM_pid: '',
    SSM_memcgPath: memcg,
    OOM_RESPONDER_CGROUP_FS: join(dir, 'cgroup'),
    OOM_RESPONDER_POD_LOGS: join(dir, 'pods'),
    OOM_RESPONDER_DOCKER_CONTAINERS: join(dir, 'docker'),
  });
  return parseDiagnosticsSummary(run.stdout);
}

async function outcomeOf(incident: Incident, host: Host, name: string): Promise<ResponseOutcome> {
  const summary = await collect(incident, host, name);
  return {
    incident,
    diagnostics: { status: 'collected', summary, detail: null, commandId: null, outputS3Uri: null },
    analysis: analyzeIncident(incident, summary),
    actions: [],
    failure: null,
    context: CONTEXT,
  };
}

function expectFits(outcome: ResponseOutcome): void {
  expect(validateSlackMessage(renderSlackMessage(outcome))).toEqual([]);
}

describe('the workload in the message', () => {
  it('names a Kubernetes pod and its container, and every kubectl step uses them', async () => {
    // Real: xray in a Guaranteed pod under containerd hit the pod's 200 MiB limit (cgroup v2, systemd driver).
    const incident = incidentFrom('modern/k8s-guaranteed-containerd-v2-stats-dmesg-Tx.log');
    const id = incident.firstKill.container?.id ?? '';
    // The kubelet's link: <pod>_<namespace>_<container>-<id>.log.
    const link = `xray-daemon-6c9f8b7d4-q2x7k_observability_xray-daemon-${id}.log`;
    const [pod, namespace, rest] = link.split('_') as [string, string, string];
    const container = rest.slice(0, -`-${id}.log`.length);
    const outcome = await outcomeOf(incident, { podLogs: [link], docker: [] }, 'pod');
    const view = describeOutcome(outcome);

    const label = `pod ${namespace}/${pod} (container ${container})`;
    expect(view.title).toContain(`xray (pid ${incident.firstKill.pid}) in ${label} on `);
    expect(view.facts).toContainEqual({ label: 'Unit / container / pod', value: label });
    expect(pasted(view)).toContain(`kubectl -n ${namespace} describe pod ${pod}`);
    expect(pasted(view)).toContain(`kubectl -n ${namespace} logs ${pod} -c ${container} --previous`);
    const text = renderPlainText(outcome);
    expect(text).not.toMatch(/kubectl describe pod(?! \S)/);
    expect(text).not.toContain(id);
    // The size before the place: the label ends in its own parentheses, never followed by a second pair.
    const limit = outcome.analysis?.findings.find((finding) => finding.family === 'cgroup-limit');
    expect(limit?.title).toBe(
      `The 200 MiB memory limit of ${label} is too small for what xray needs, or xray grew past it`,
    );
    // Socket buffers filled this pod (its memcg stats): that, not the limit, is the likely cause, named by pod too.
    expect(view.cause?.title).toMatch(new RegExp(`^Socket buffers took .* in ${escapeRegExp(label)}: `));
    // What happened names the victim's workload by name, as the diagnostics map its ids.
    expect(view.whatHappened.find((fact) => fact.label === 'Killed')?.value).toContain(`, in ${label}`);
    expect(view.whatHappened.map((fact) => fact.value).join('\n')).toContain(
      `pod[${namespace}/${pod}].slice/cri-containerd-[${container}].scope`,
    );
    expectFits(outcome);
  });

  it('says how to find a pod by its uid when the host did not name it, never kubectl describe without a name', async () => {
    const incident = incidentFrom('modern/k8s-guaranteed-containerd-v2-stats-dmesg-Tx.log');
    const uid = incident.firstKill.container?.podUid ?? '';
    const outcome = await outcomeOf(incident, { podLogs: [], docker: [] }, 'pod-uid');
    const view = describeOutcome(outcome);

    expect(view.title).not.toContain(' in pod');
    expect(pasted(view).some((line) => line.endsWith(`UID:.metadata.uid | grep ${uid}`))).toBe(true);
    expect(renderPlainText(outcome)).not.toMatch(/kubectl (-n \S+ )?describe pod/);
    expectFits(outcome);
  });

  it('names a docker container and its image, and docker commands take the name', async () => {
    // Real: redis-server in a docker container (systemd driver) killed when the whole host ran out.
    const incident = incidentFrom('modern/docker-systemd-scope-global-redis-dmesg-T-6.8.log');
    const id = incident.firstKill.container?.id ?? '';
    const docker: Host['docker'] = [{ id, name: 'redis', image: 'redis:7', labels: {} }];
    const outcome = await outcomeOf(incident, { podLogs: [], docker }, 'docker');
    const view = describeOutcome(outcome);

    const label = 'docker container redis (image redis:7)';
    expect(view.title).toContain(` in ${label} on `);
    expect(view.facts).toContainEqual({ label: 'Unit / container / pod', value: label });
    expect(pasted(view)).toContain('docker inspect redis');
    expect(renderPlainText(outcome)).not.toContain(id.slice(0, 12));
    expectFits(outcome);
  });

  it('names an ECS task by family:revision and container, with describe-tasks on its cluster and ARN', async () => {
    const incident = incidentFrom('modern/docker-systemd-scope-global-redis-dmesg-T-6.8.log');
    const id = incident.firstKill.container?.id ?? '';
    const labels = {
      'com.amazonaws.ecs.cluster': 'prod',
      'com.amazonaws.ecs.container-name': 'cache',
      'com.amazonaws.ecs.task-arn':
        'arn:aws:ecs:eu-west-1:123456789012:task/prod/0f4b0c6e3c7a4b8f9d2e1a0b3c4d5e6f',
      'com.amazonaws.ecs.task-definition-family': 'orders',
      'com.amazonaws.ecs.task-definition-version': '42',
    };
    const docker: Host['docker'] = [
      { id, name: 'ecs-orders-42-cache-e6f3b9a1c2d4f5e6a701', image: 'redis:7', labels },
    ];
    const outcome = await outcomeOf(incident, { podLogs: [], docker }, 'ecs');
    const view = describeOutcome(outcome);

    const family = labels['com.amazonaws.ecs.task-definition-family'];
    const revision = labels['com.amazonaws.ecs.task-definition-version'];
    const label = `ECS task ${family}:${revision} (container ${labels['com.amazonaws.ecs.container-name']})`;
    expect(view.title).toContain(` in ${label} on `);
    expect(view.facts).toContainEqual({ label: 'Unit / container / pod', value: label });
    const describeTasks = `aws ecs describe-tasks --region eu-west-1 --cluster ${labels['com.amazonaws.ecs.cluster']} --tasks ${labels['com.amazonaws.ecs.task-arn']}`;
    expect(pasted(view)).toContain(describeTasks);
    // In Slack too, the ARN's `:aws:` and `:ecs:` stay colons: a look-alike would break the pasted command.
    expect(slackCodeLines(renderSlackMessage(outcome))).toContain(describeTasks);
    expectFits(outcome);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every line of code the next steps ask to paste. */
function pasted(view: OutcomeView): string[] {
  return view.nextSteps.flatMap((step) => step.code?.split('\n') ?? []);
}

/** The lines inside the code blocks of a Slack message's sections, entities decoded as Slack shows them. */
function slackCodeLines(message: SlackMessage): string[] {
  const texts = message.blocks.flatMap((block) =>
    block.type === 'section' && block.text ? [block.text.text] : [],
  );
  return texts
    .flatMap((text) => [...text.matchAll(/```\n([\s\S]*?)\n```/g)].map((match) => match[1] ?? ''))
    .flatMap((code) => code.split('\n'))
    .map((line) => line.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
}
