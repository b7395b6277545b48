// Helpers for the `twinbed test` CLI tests: read what the reporters wrote, as a CI server would.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const BASIC = 'test/fixtures/suites/basic';
export const SLOW = 'test/fixtures/suites/slow/real-time.yaml';
export const XSD = 'test/fixtures/junit/junit-10.xsd';

/** `xmllint --schema` on a file: its exit status and what it said. */
export function validateJunit(file: string): { status: number | null; output: string } {
  const lint = spawnSync('xmllint', ['--schema', XSD, '--noout', file], { encoding: 'utf8' });
  return { status: lint.status, output: `${lint.stdout}${lint.stderr}` };
}

export interface JunitCase {
  classname: string;
  name: string;
  /** The verdict elements in the case, in order: failure, error, skipped, flakyFailure… (none: passed). */
  verdicts: string[];
  /** The `message` of each failure. */
  failures: string[];
}

const unescape = (text: string) => text.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#10;/g, '\n').replace(/&amp;/g, '&');

/** The test cases of a JUnit file (as written by the junit reporter: one element per line). */
export async function junitCases(file: string): Promise<JunitCase[]> {
  const xml = await readFile(file, 'utf8');
  return [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)].map(([, classname, name, body]) => ({
    classname: unescape(classname!),
    name: unescape(name!),
    verdicts: [...body!.matchAll(/<(failure|error|skipped|flakyFailure|flakyError|rerunFailure|rerunError)\b/g)].map((m) => m[1]!),
    failures: [...body!.matchAll(/<failure [^>]*message="([^"]*)"/g)].map((m) => unescape(m[1]!)),
  }));
}

export interface JsonResults {
  summary: { status: string; exitCode: number; counts: Record<string, number> };
  results: { test: { id: string; file: string; title: string }; status: string; attempts: { status: string; error?: { message: string }; result?: { telemetrySha256: string; passed: boolean } }[] }[];
}

export async function jsonResults(outputDir: string): Promise<JsonResults> {
  return JSON.parse(await readFile(join(outputDir, 'results.json'), 'utf8')) as JsonResults;
}
