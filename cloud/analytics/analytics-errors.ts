import { TwinbedError } from '../../protocol';

/** Two rules share a name, so their alerts would share ids and state. */
export class DuplicateRuleError extends TwinbedError {
  readonly rule: string;

  constructor(rule: string, first: number, second: number) {
    super('E_RULE_DUPLICATE', `rules[${first}] and rules[${second}] are both named "${rule}"; give one of them a distinct name (alerts are identified by rule name)`);
    this.rule = rule;
  }
}

/** Saved automation state that does not have the shape snapshot() writes. */
export class AutomationStateError extends TwinbedError {
  constructor(reason: string) {
    super('E_AUTOMATION_STATE', `saved automation state is unusable (${reason}); delete it from the state store to start with full rate-limit buckets`);
  }
}
