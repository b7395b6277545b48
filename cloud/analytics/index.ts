// cloud/analytics/: stream analytics on event time — windows, rule types, automation and alert lifecycles. Pure
// logic without I/O: the cloud core feeds it and persists through the ports in ../records.
export {
  CloudRuleSchema,
  CloudRulesSchema,
  RULE_TYPES,
  ruleName,
  type CloudRule,
  type CloudRuleInput,
  type CloudRuleOf,
  type RuleType,
} from './rule-schema';
export { WindowSpecSchema, AggregateSchema, AGGREGATES, type WindowSpec, type Aggregate } from './window-schema';
export { RuleActionSchema, RuleCommandSchema, RateLimitSchema, DEFAULT_RATE_LIMIT, type RuleAction, type RuleCommand, type RateLimit } from './action-schema';
export { WindowAggregator, type KeyedWindowResult, type WindowEmission } from './windows';
export type { WindowResult } from './key-windows';
export { RuleEngine, type WindowInput, type PresenceInput, type RuleOutput } from './rule-engine';
export type { RuleChange, AlertKind } from './rule-change';
export { Automation, type CommandRequest, type AutomatedRule, type AutomationSnapshot } from './automation';
export { AlertBook, type AlertUpdate } from './alert-book';
export { alertId } from './alert-id';
export { AlertTransitionError, UnknownAlertError, ShelveTimeError, ALLOWED_ACTIONS, type AlertAction } from './alert-errors';
export { DuplicateRuleError, AutomationStateError } from './analytics-errors';
