import type {
  IncidentStore,
  NotificationRecord,
  RecordedAction,
  RecordKillsRequest,
  RecordKillsResult,
} from '../../core/detect/ports';
import type { Incident, PriorKill, RelatedIncident } from '../../core/incident/model';
import type { StormWindowStats } from '../../core/incident/storm-stats';
import { DynamoAnalysisStore } from './analysis-store';
import type { IncidentTableProps } from './incident-table';
import { DynamoKillRecorder } from './kill-recorder';
import { DynamoNotificationStore } from './notification-store';

export type DynamoIncidentStoreProps = IncidentTableProps;

/**
 * The whole incident store on DynamoDB, for the local replay and the contract tests. The Lambdas each use only
 * their part (`DynamoKillRecorder`, `DynamoAnalysisStore`, `DynamoNotificationStore`), so each role needs only
 * the actions of that part.
 */
export class DynamoIncidentStore implements IncidentStore {
  private readonly recorder: DynamoKillRecorder;
  private readonly analysis: DynamoAnalysisStore;
  private readonly notifications: DynamoNotificationStore;

  constructor(props: DynamoIncidentStoreProps) {
    this.recorder = new DynamoKillRecorder(props);
    this.analysis = new DynamoAnalysisStore(props);
    this.notifications = new DynamoNotificationStore(props);
  }

  recordKills(request: RecordKillsRequest): Promise<RecordKillsResult> {
    return this.recorder.recordKills(request);
  }

  markExecutionStarted(incidentId: string, executionArn: string): Promise<void> {
    return this.recorder.markExecutionStarted(incidentId, executionArn);
  }

  getIncident(incidentId: string): Promise<Incident | null> {
    return this.recorder.getIncident(incidentId);
  }

  history(instanceKey: string, process: string, sinceMs: number): Promise<PriorKill[]> {
    return this.analysis.history(instanceKey, process, sinceMs);
  }

  recentActions(instanceKey: string, sinceMs: number): Promise<RecordedAction[]> {
    return this.analysis.recentActions(instanceKey, sinceMs);
  }

  recordAction(instanceKey: string, action: RecordedAction, expiresAt: number): Promise<void> {
    return this.analysis.recordAction(instanceKey, action, expiresAt);
  }

  stormWindow(window: string): Promise<StormWindowStats> {
    return this.notifications.stormWindow(window);
  }

  recordNotification(incidentId: string, notification: NotificationRecord): Promise<void> {
    return this.notifications.recordNotification(incidentId, notification);
  }

  incidentsOn(instanceKey: string, sinceMs: number): Promise<RelatedIncident[]> {
    return this.notifications.incidentsOn(instanceKey, sinceMs);
  }
}
