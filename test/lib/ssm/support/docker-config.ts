import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Docker's own config.v2.json, in the shape dockerd writes it (one line; `Config.Image` as started, the top-level
 * `Image` the sha256 id, `Name` with a slash; volume `Name`s without one), trimmed of fields the script ignores.
 */
export function dockerConfig(
  containersDir: string,
  id: string,
  name: string,
  image: string,
  labels: Record<string, string>,
): void {
  mkdirSync(join(containersDir, id), { recursive: true });
  const config = {
    StreamConfig: {},
    State: { Running: true, Paused: false, OOMKilled: false, Pid: 75542, ExitCode: 0 },
    ID: id,
    Created: '2026-11-30T13:03:15.475112279Z',
    Path: 'docker-entrypoint.sh',
    Args: ['server'],
    Config: {
      Hostname: id.slice(0, 12),
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'Image=not-this'],
      Cmd: ['server'],
      Image: image,
      Labels: labels,
    },
    Image: `sha256:${'5'.repeat(64)}`,
    LogPath: `/var/lib/docker/containers/${id}/${id}-json.log`,
    Name: `/${name}`,
    Driver: 'overlay2',
    MountPoints: { '/data': { Name: 'a-named-volume' } },
  };
  writeFileSync(join(containersDir, id, 'config.v2.json'), JSON.stringify(config));
}
