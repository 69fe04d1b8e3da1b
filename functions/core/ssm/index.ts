export { InvalidSsmParametersError, type ParameterProblem } from './errors';
export {
  ADD_SWAP_EXIT_STATUSES,
  COLLECT_DIAGNOSTICS_EXIT_STATUSES,
  EXIT_STATUSES,
  type ExitStatusMeaning,
  RESTART_SERVICE_EXIT_STATUSES,
} from './exit-statuses';
export {
  ADD_SWAP_PARAMETERS,
  COLLECT_DIAGNOSTICS_PARAMETERS,
  type ParameterSpec,
  RESTART_SERVICE_PARAMETERS,
  SSM_PARAMETERS,
  type SsmDocumentKind,
} from './parameter-specs';
export {
  type AddSwapParameters,
  type CollectDiagnosticsParameters,
  matchesParameterPattern,
  type ParameterValidation,
  type RestartServiceParameters,
  type SendCommandParameters,
  validateAddSwapParameters,
  validateCollectDiagnosticsParameters,
  validateRestartServiceParameters,
} from './parameters';
export { processHexOf } from './process-hex';
export { parseScriptResult, type ScriptResult, type ScriptResultStatus } from './script-result';
