import { containerTarget } from '../../workload';
import { advice } from '../advice';
import type { AnalysisFacts } from '../facts';
import { partOf } from '../memory-composition';
import type { Advice, FindingDraft } from '../model';
import { breakdownEvidence, breakdownTitle, explains, victimWorkload } from './breakdown-evidence';

/** Socket buffers this share of what the cgroup was charged are a finding; the fix is not a larger limit. */
export const SOCKET_SHARE = 0.25;

/**
 * Socket buffers filled the cgroup: cgroup v2 charges TCP/UDP receive and send queues to the cgroup of the socket's
 * owner (memory.stat `sock`), so a slow consumer, a stuck peer or leaked sockets fill a container's limit while
 * its processes' own memory stays small. From the report's memcg stats only.
 */
export function socketBuffers(facts: AnalysisFacts): FindingDraft | null {
  const { composition } = facts;
  if (facts.scope !== 'cgroup' || composition === null) return null;
  const sock = partOf(composition, 'sock');
  if (sock === null || sock.share < SOCKET_SHARE) return null;
  return {
    family: 'socket-buffers',
    title: breakdownTitle(
      facts,
      composition,
      sock,
      `: socket queues, not ${facts.victim.name}'s own memory, filled the limit`,
    ),
    // The kernel's own counters say where the memory was: surer when socket buffers are most of it.
    evidence: [
      ...breakdownEvidence(facts, composition, sock),
      explains(
        'cgroup v2 charges socket buffers to the cgroup of the socket owner: its limit counts them like any other memory',
      ),
    ],
    recommendation: socketAdvice(facts),
  };
}

/** `ss` where the sockets are: the pod's or container's network namespace (the victim is gone), else the host's. */
function ssCommand(facts: AnalysisFacts): string {
  const workload = victimWorkload(facts);
  if (workload?.kind === 'pod' && workload.pod) {
    const ns = workload.namespace ? `-n ${workload.namespace} ` : '';
    const target = workload.container ? ` --target=${workload.container}` : '';
    return `kubectl ${ns}debug -it ${workload.pod} --image=nicolaka/netshoot${target} -- ss -tmp`;
  }
  const container = facts.kill.container;
  const target = (workload ? containerTarget(workload) : null) ?? container?.id?.slice(0, 12) ?? null;
  if (target === null)
    return container ? 'sudo nsenter -n -t <pid in the container> ss -tmp' : 'sudo ss -tmp';
  const runtime = workload?.kind === 'container' ? workload.runtime : (container?.runtime ?? null);
  if (!facts.kubernetes && (runtime === 'docker' || runtime === 'podman'))
    return `${runtime} run --rm --network container:${target} nicolaka/netshoot ss -tmp`;
  // containerd and CRI-O (a Kubernetes node): enter the container's network namespace through its pid.
  return `sudo nsenter -n -t $(sudo crictl inspect -o go-template --template '{{.info.pid}}' ${target}) ss -tmp`;
}

/** The point first (Slack shows a next step's first 300 characters), then how to tell which queue. */
function socketAdvice(facts: AnalysisFacts): Advice {
  return advice(
    'A larger limit only delays the next kill: find the sockets with full queues (`skmem:(r…,t…)`: receive and send queue, with the owner), the socket totals, and the TCP buffer limits:',
    [ssCommand(facts), 'ss -s', 'sysctl net.ipv4.tcp_rmem net.ipv4.tcp_wmem'],
    'A big Recv-Q is a slow consumer, a big Send-Q a slow or vanished peer, thousands of idle sockets (CLOSE_WAIT) a leak: fix their owner.',
  );
}
