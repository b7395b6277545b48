// web/: the express server and (under client/) the Three.js front end.
export { startWebServer, type WebServer, type WebServerOptions } from './server';
export type { LiveReading, LiveAlert, LiveSnapshot, PageConfig, PageRule } from './client/live-reading';
export { MACHINE_KINDS, type MachineKind, type SiteLayout, type SiteMachine } from './client/site';
export type { DemoControls, LinkStatus } from './demo-controls';
export type { LiveStreamOptions, LiveStreamStats } from './live-stream';
export type { ReplayExtent, ReplayState } from './replay-routes';
export { packageRoot } from './assets';
