import { TwinbedError } from '../../protocol';
import type { AlertState } from '../records';

export type AlertAction = 'raise' | 'acknowledge' | 'shelve' | 'unshelve' | 'clear';

/** What each state allows; cleared is final, a new raise opens a new alert. */
export const ALLOWED_ACTIONS: Readonly<Record<AlertState | 'none', readonly AlertAction[]>> = {
  none: ['raise'],
  raised: ['acknowledge', 'shelve', 'clear'],
  acknowledged: ['shelve', 'clear'],
  shelved: ['unshelve', 'clear'],
  cleared: [],
};

/** An alert asked to do what its state does not allow. */
export class AlertTransitionError extends TwinbedError {
  readonly alert: string;
  readonly from: AlertState | 'none';
  readonly action: AlertAction;

  /** `alert`: the id, or a description when there is no alert (a clear with nothing open). */
  constructor(alert: string, from: AlertState | 'none', action: AlertAction) {
    const allowed = ALLOWED_ACTIONS[from];
    const next = allowed.length > 0 ? `from ${from} you can ${allowed.join(' or ')}` : 'a cleared alert is final; a new raise opens a new alert';
    super(
      'E_ALERT_TRANSITION',
      from === 'none' ? `no open alert ${alert} to ${action}: only a raise opens one` : `alert ${alert} is ${from}, so it cannot ${action}: ${next}`,
    );
    this.alert = alert;
    this.from = from;
    this.action = action;
  }
}

/** No alert has this id. */
export class UnknownAlertError extends TwinbedError {
  readonly alert: string;

  constructor(alert: string) {
    super('E_ALERT_UNKNOWN', `no alert has id "${alert}"; list alerts to find its id`);
    this.alert = alert;
  }
}

/** A shelf that would end before it starts. */
export class ShelveTimeError extends TwinbedError {
  constructor(alert: string, untilMs: number, tsMs: number) {
    super('E_ALERT_SHELVE_TIME', `cannot shelve alert ${alert} until ${untilMs}: that is not after the request time ${tsMs} (event time, ms); give a later untilMs`);
  }
}
