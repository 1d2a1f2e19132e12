/**
 * @module store/follow-source — a growing Hubble exporter file as a {@link FlowSource}: read from its start (or
 * from its end), then followed across rotation and truncation until aborted. For `watch --follow FILE`, which
 * reads flows live and keeps no position; `observe --follow` commits positions into the store instead.
 */
import { LineSplitter, decodeHubbleLine, type DecodeIssue, type DecodeStats, type FlowSource } from '../flows/index.js';
import { tailFile } from './follow.js';

const ERRORS_KEPT = 5;

/** Follows `path` until the signal given to `run` aborts; resolves then with what was read. */
export function followFlowSource(path: string, options: { readonly pollMs?: number } = {}): FlowSource {
  return {
    name: path,
    async run(sink, signal) {
      let line = 0;
      let linesRead = 0;
      let flows = 0;
      let skipped = 0;
      let ignored = 0;
      let lostEventRecords = 0;
      let lostEvents = 0;
      let bytesRead = 0;
      const errors: DecodeIssue[] = [];
      const onLine = (text: string): void => {
        line++;
        linesRead++;
        const d = decodeHubbleLine(text);
        if (d === undefined) return;
        if (d.kind === 'flow') {
          flows++;
          sink.flow(d.flow, { file: path, line });
        } else if (d.kind === 'lost') {
          lostEventRecords++;
          lostEvents += d.lost.numEventsLost;
          sink.lost?.(d.lost, { file: path, line });
        } else if (d.kind === 'ignored') ignored++;
        else {
          skipped++;
          if (errors.length < ERRORS_KEPT) errors.push({ file: path, line, message: d.message });
        }
      };
      let splitter = new LineSplitter(onLine);
      await tailFile(
        path,
        {
          data(chunk) {
            bytesRead += chunk.length;
            splitter.push(chunk);
          },
          event(e) {
            if (e.kind === 'waiting' || e.kind === 'opened') return;
            splitter.end();
            splitter = new LineSplitter(onLine);
            line = 0;
          },
        },
        { ...(signal ? { signal } : {}), pollMs: options.pollMs ?? 200 },
      );
      splitter.end();
      const stats: DecodeStats = { files: [path], linesRead, flows, skipped, ignored, lostEventRecords, lostEvents, bytesRead, bytesDecoded: bytesRead, errors, warnings: [] };
      return stats;
    },
  };
}
