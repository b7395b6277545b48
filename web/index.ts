// web/: the express server and (under client/) the Three.js front end.
export { startWebServer, type WebServer, type WebServerOptions } from './server';
export type { LiveReading, LiveAlert, LiveSnapshot, PageConfig } from './client/live-reading';
export { packageRoot } from './assets';
