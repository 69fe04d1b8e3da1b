import { containerTarget } from '../../workload';
import type { AnalysisFacts } from '../facts';
import { partOf } from '../memory-composition';
import type { Finding } from '../model';
import { breakdownEvidence, breakdownTitle, victimWorkload } from './breakdown-evidence';

/** Socket buffers this share of what the cgroup was charged are a finding; the fix is not a larger limit. */
export const SOCKET_SHARE = 0.25;

/**
 * Socket buffers filled the cgroup: cgroup v2 charges TCP/UDP receive and send queues to the cgroup of the socket's
 * owner (memory.stat `sock`), so a slow consumer, a stuck peer or leaked sockets fill a container's limit while
 * its processes' own memory stays small. From the report's memcg stats only.
 */
export function socketBuffers(facts: AnalysisFacts): Finding | null {
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
    // As sure as the share is large: the kernel's own counter says where the memory was.
    confidence: Math.min(0.9, 0.4 + 0.5 * sock.share),
    evidence: [
      ...breakdownEvidence(facts, composition),
      'cgroup v2 charges socket buffers to the cgroup of the socket owner: its limit counts them like any other memory',
    ],
    recommendation: advice(facts),
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
  const target = workload ? containerTarget(workload) : null;
  if (target) return `docker run --rm --network container:${target} nicolaka/netshoot ss -tmp`;
  if (facts.kill.container) return 'sudo nsenter -n -t <pid of a process left in the container> ss -tmp';
  return 'sudo ss -tmp';
}

function advice(facts: AnalysisFacts): string {
  return [
    `Find the sockets whose queues are full: \`${ssCommand(facts)}\` (each socket's \`skmem:(r…,t…)\` is its receive and send queue, with its owning process) and \`ss -s\` for the counts.`,
    'A large Recv-Q is an application that reads too slowly (a slow consumer, a stuck worker); a large Send-Q a slow or vanished peer; thousands of idle sockets (CLOSE_WAIT, or ESTABLISHED with no traffic) are leaked sockets: fix their owner.',
    'Check the buffer sizes: `sysctl net.ipv4.tcp_rmem net.ipv4.tcp_wmem net.ipv4.tcp_mem` (the max receive buffer times the connections is what the queues can take).',
    'Raising the memory limit only delays the next kill while the queues keep growing.',
  ].join(' ');
}
