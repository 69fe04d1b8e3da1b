export { workloadCommands } from './commands';
export {
  type ContainerWorkload,
  type EcsWorkload,
  type PodWorkload,
  sameContainerId,
  type Workload,
  workloadOf,
} from './identity';
export { containerTarget, isNamed, readableCgroupPath, SHORT_ID_LENGTH, workloadLabel } from './label';
