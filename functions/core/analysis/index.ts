export { analyze } from './analyze';
export { InvalidAnalysisInputError } from './errors';
export type { AnalyzeInput, RecentAction } from './input';
export type {
  ActionName,
  ActionResult,
  ActionStatus,
  Analysis,
  CauseFamily,
  Finding,
  RemediationPlan,
  RemediationStep,
} from './model';
export { planRemediation } from './plan/plan';
