export type { ByteView } from './byte-view';
export { KernelLogParser, type KernelLogParserOptions, parseKernelLog } from './parser';
export type { LineSource } from './report';
export type { ContainerRef, Kill, KillKind, OomdCandidate, TaskRow, Transport } from './types';
