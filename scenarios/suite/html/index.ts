// scenarios/suite/html: the `html` reporter, a single offline file drawn by the page in web/report/.
export { HtmlReporter, type HtmlReporterOptions } from './html-reporter';
export { renderHtmlReport, jsonForScript, DATA_ELEMENT_ID, type ReportAssets } from './render-html';
export { loadReportAssets, ReportAssetsError } from './report-assets';
export type { HtmlReportData } from './report-data';
