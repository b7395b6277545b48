// The recording's own thread: turns payloads into MCAP JSON and writes the file, off the run's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { recordedEntry } from './recorded-entry';
import { RecordingWriter } from './recording-writer';
import type { FromWorker, RecordWorkerData, ToWorker } from './record-protocol';

const port = parentPort!;
const { file, mode } = workerData as RecordWorkerData;
const post = (message: FromWorker) => port.postMessage(message);

let writer: RecordingWriter;
try {
  writer = await RecordingWriter.create(file);
} catch (error) {
  post({ op: 'failed', message: (error as Error).message, code: (error as { code?: string }).code ?? 'E_RECORDING_WRITE' });
  throw error;
}
let converted = 0;
let convertedBytes = 0;
port.on('message', (message: ToWorker) => {
  switch (message.op) {
    case 'add':
      for (const a of message.batch) {
        const entry = recordedEntry(a.topic, a.payload, a.role, a, a.receivedMs, mode, a.names);
        writer.add(entry.topic, entry.info, entry.data, entry.logTime, entry.publishTime);
        convertedBytes += a.payload.byteLength;
      }
      converted += message.batch.length;
      post({ op: 'converted', count: converted, bytes: convertedBytes });
      return;
    case 'metadata':
      writer.metadata(message.name, message.entries).then(
        () => post({ op: 'done', id: message.id }),
        (error: unknown) => post({ op: 'done', id: message.id, error: (error as Error).message }),
      );
      return;
    case 'close':
      writer.close().then(
        (summary) => post({ op: 'done', id: message.id, summary }),
        (error: unknown) => post({ op: 'done', id: message.id, error: (error as Error).message }),
      );
      return;
  }
});
post({ op: 'ready' });
