/**
 * @module watch/webhook — posts events and alerts as JSON to `--webhook URL`, never in the way of ingestion: a
 * bounded queue (the oldest message is dropped, and counted, when it is full), one request at a time, retries with
 * exponential backoff (capped), and a message given up after a few attempts. `close()` waits for the queue to
 * drain, up to a deadline.
 */

export interface WebhookOptions {
  /** @default 1000 */
  readonly maxQueue?: number;
  /** @default 5 */
  readonly maxAttempts?: number;
  /** First retry delay in ms, doubled each time up to `maxDelayMs`. @default 500 */
  readonly baseDelayMs?: number;
  /** @default 30 000 */
  readonly maxDelayMs?: number;
  /** Per request. @default 5 000 */
  readonly timeoutMs?: number;
  /** Told when a message is dropped or given up. */
  readonly warn?: (message: string) => void;
}

export class Webhook {
  private readonly url: string;
  private readonly o: Required<Omit<WebhookOptions, 'warn'>> & Pick<WebhookOptions, 'warn'>;
  private readonly queue: string[] = [];
  private sending: Promise<void> | undefined;
  private closed = false;
  /** Messages dropped because the queue was full, and given up after every attempt failed. */
  dropped = 0;
  failed = 0;
  delivered = 0;

  constructor(url: string, options: WebhookOptions = {}) {
    this.url = url;
    this.o = { maxQueue: options.maxQueue ?? 1000, maxAttempts: options.maxAttempts ?? 5, baseDelayMs: options.baseDelayMs ?? 500, maxDelayMs: options.maxDelayMs ?? 30_000, timeoutMs: options.timeoutMs ?? 5_000, ...(options.warn ? { warn: options.warn } : {}) };
  }

  /** Queues a message; returns at once. */
  post(message: unknown): void {
    if (this.queue.length >= this.o.maxQueue) {
      this.queue.shift();
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 100 === 0) this.o.warn?.(`webhook: queue full (${this.o.maxQueue}); ${this.dropped} message(s) dropped so far`);
    }
    this.queue.push(JSON.stringify(message));
    this.sending ??= this.drain().finally(() => {
      this.sending = undefined;
    });
  }

  /** Messages waiting. */
  get pending(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const body = this.queue[0]!;
      let ok = false;
      for (let attempt = 1; attempt <= this.o.maxAttempts && !ok; attempt++) {
        try {
          const res = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(this.o.timeoutMs) });
          ok = res.ok;
          await res.arrayBuffer().catch(() => undefined);
        } catch {
          ok = false;
        }
        if (!ok && attempt < this.o.maxAttempts && !this.closed) await new Promise((r) => setTimeout(r, Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** (attempt - 1))));
        if (this.closed && !ok) break;
      }
      // The message may have been pushed out of a full queue meanwhile: drop the head only if it is still ours.
      if (this.queue[0] === body) this.queue.shift();
      if (ok) this.delivered++;
      else {
        this.failed++;
        this.o.warn?.(`webhook: ${this.url.replace(/\/\/[^@/]*@/, '//…@')} did not accept a message after ${this.o.maxAttempts} attempts; given up`);
      }
    }
  }

  /** Stops retrying and waits (up to `deadlineMs`) for what is in flight. */
  async close(deadlineMs = 2_000): Promise<void> {
    const sending = this.sending;
    if (sending === undefined) return;
    await Promise.race([sending, new Promise((r) => setTimeout(r, deadlineMs).unref())]);
    this.closed = true;
  }
}
