// The HTML report's page: reads the run data embedded in the file and draws it. Bundled by scripts/build.mjs into
// dist/report/report.js (with uPlot) and report.css, which scenarios/suite/html inlines into each report.
import 'uplot/dist/uPlot.min.css';
import './report.css';
import { reportError, mountReport } from './report-page';
import { readReport } from './report-view';

const DATA_ELEMENT_ID = 'twinbed-report-data';

function start(): void {
  const app = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
  let raw: unknown;
  try {
    raw = JSON.parse(document.getElementById(DATA_ELEMENT_ID)?.textContent ?? '');
  } catch {
    raw = undefined;
  }
  try {
    mountReport(app, readReport(raw));
  } catch (error) {
    reportError(app, 'the report could not be drawn', error);
  }
}

start();
