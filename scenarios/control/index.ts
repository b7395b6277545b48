// scenarios/control: demo controls on a running stack (faults, operating points, links, the clock), each recorded as
// the scenario step or link entry that does the same, so a demo can be saved as a scenario.
export { StackControl, StormSchema, describeImpairment, type StackControlOptions, type ControlResult, type ControlStep, type FaultControl, type SetControl, type StormControl, type LinkStatus, type ClockStatus } from './stack-control';
export { LinkTimeline } from './link-timeline';
export { ControlError, type ControlErrorCode } from './control-error';
