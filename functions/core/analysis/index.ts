export { analyze } from './analyze';
export { InvalidAnalysisInputError } from './errors';
export { confidenceOf, type Evidence, type EvidenceKind } from './evidence';
export type { AnalyzeInput, RecentAction } from './input';
export type {
  ActionName,
  ActionResult,
  ActionStatus,
  Analysis,
  CauseFamily,
  Finding,
  FindingDraft,
  RemediationPlan,
  RemediationStep,
} from './model';
export { planRemediation } from './plan/plan';
