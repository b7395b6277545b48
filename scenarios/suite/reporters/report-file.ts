import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Writes a report file under the output folder, creating it; returns the path written. */
export async function writeReportFile(outputDir: string, name: string, text: string): Promise<string> {
  const file = path.join(outputDir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}
