/**
 * Uplink priorities, lower first: edge events (anomalies) are small and urgent, features are the steady product,
 * raw blocks are bulky and the first thing to give up when the uplink cannot keep up.
 */
export const PRIORITY = { events: 0, features: 1, raw: 2 } as const;

export type Priority = (typeof PRIORITY)[keyof typeof PRIORITY];
export type PriorityName = keyof typeof PRIORITY;

/** Priorities in sending order (index = priority). */
export const PRIORITIES: readonly Priority[] = [PRIORITY.events, PRIORITY.features, PRIORITY.raw];
/** Label of each priority (index = priority), as used in metrics and logs. */
export const PRIORITY_NAMES: readonly PriorityName[] = ['events', 'features', 'raw'];

/** One number per priority, indexed by priority. */
export type PerPriority<T> = [events: T, features: T, raw: T];

export const perPriority = <T>(make: (priority: Priority) => T): PerPriority<T> => [make(0), make(1), make(2)];
