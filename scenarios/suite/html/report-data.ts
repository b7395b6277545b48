import type { SuiteConfig, SuiteSummary, SuiteTestResult } from '../suite-types';

/**
 * What the HTML report embeds as JSON and its page draws: the suite's own records, unchanged, so the page shows
 * exactly what the JSON and JUnit reporters saw. The page reads it defensively (web/report/report-view.ts).
 */
export interface HtmlReportData {
  /** Version of this shape; the page says so when it meets a newer one. */
  v: 1;
  title: string;
  /** When the suite began, ISO 8601 (wall clock). */
  startedAt?: string;
  config?: SuiteConfig;
  summary: SuiteSummary;
  results: readonly SuiteTestResult[];
}
