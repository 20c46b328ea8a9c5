/**
 * COPY at the wire-protocol level, for speed: rows go from a source `COPY … TO STDOUT` into a
 * target `COPY … FROM STDIN` as the bytes that arrived, and every row is hashed on the way.
 *
 * PostgreSQL sends one CopyData message per row, and COPY FROM accepts CopyData messages framed
 * exactly the same way, so the source's messages are forwarded to the target unchanged: no
 * re-framing, no buffer per row, backpressure from the target's socket to the source's. The same
 * reader, without a target, checksums a table read back from either server.
 *
 * Both ends plug into node-postgres as "submittable" queries (like pg-copy-streams): while a COPY
 * runs, its reader takes the socket's data from the driver's parser and hands back what follows
 * the COPY (CommandComplete, ReadyForQuery, or an ErrorResponse) for the driver to finish the query.
 */
import type { Client, Connection } from "pg";
import { addRow, addRows, RowSum } from "./row-hash";

// ---------------------------------------------------------------------------------------------
// Row checksum
// ---------------------------------------------------------------------------------------------

/**
 * An order-independent checksum of a multiset of rows: the row count and the sum modulo 2^64 of a
 * 64-bit hash of each row's bytes as COPY sends them (./row-hash). Rows read in any order, or in
 * several parts, give the same result; a changed, missing or extra row changes it.
 */
export class RowChecksum implements RowSum {
  rows = 0;
  sum = 0n;

  /** Adds the row in `b[start, end)`. */
  add(b: Uint8Array, start: number, end: number): void {
    addRow(this, b, start, end);
  }

  /** Adds another checksum (of other rows of the same table). */
  merge(other: RowChecksum): void {
    this.sum = BigInt.asUintN(64, this.sum + other.sum);
    this.rows += other.rows;
  }

  /** 16 hex digits. */
  get hex(): string {
    return this.sum.toString(16).padStart(16, "0");
  }

  static fromHex(hex: string, rows: number): RowChecksum {
    if (!/^[0-9a-f]{16}$/.test(hex)) throw new Error(`not a row checksum: ${hex}`);
    const c = new RowChecksum();
    c.sum = BigInt(`0x${hex}`);
    c.rows = rows;
    return c;
  }
}

// ---------------------------------------------------------------------------------------------
// COPY FROM STDIN (the writing end)
// ---------------------------------------------------------------------------------------------

type Socket = NodeJS.WritableStream & NodeJS.ReadableStream & { destroyed?: boolean };

/** node-postgres's Connection, as far as we use it. */
interface PgConnection {
  stream: Socket;
  query(text: string): void;
}

const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]);

/**
 * `COPY … FROM STDIN` whose data the caller writes as raw CopyData messages (`write`), ended by
 * `end()` (CopyDone) or `fail()` (CopyFail: the server rolls the COPY back).
 */
export class CopyIn {
  private connection?: PgConnection;
  private resolveReady!: () => void;
  private rejectReady!: (e: unknown) => void;
  private resolveDone!: (rows: number) => void;
  private rejectDone!: (e: unknown) => void;
  private rows = 0;
  private failed = false;
  /** Resolves when the server is ready for data (CopyInResponse). */
  readonly ready = new Promise<void>((res, rej) => {
    this.resolveReady = res;
    this.rejectReady = rej;
  });
  /** Resolves with the server's row count once the COPY completed. */
  readonly done = new Promise<number>((res, rej) => {
    this.resolveDone = res;
    this.rejectDone = rej;
  });

  constructor(readonly text: string) {
    // Whoever awaits `done` sees the error; `ready` alone must not crash the process.
    this.ready.catch(() => undefined);
    this.done.catch(() => undefined);
  }

  /** Starts the COPY on `client`; await `ready` before writing. */
  static start(client: Client, text: string): CopyIn {
    const c = new CopyIn(text);
    void client.query(c as unknown as Parameters<Client["query"]>[0]);
    return c;
  }

  get socket(): Socket {
    return this.connection!.stream;
  }

  /** Writes raw CopyData messages; false means wait for the socket's 'drain'. */
  write(messages: Uint8Array): boolean {
    return this.connection!.stream.write(messages);
  }

  end(): void {
    this.connection!.stream.write(COPY_DONE);
  }

  /** Aborts the COPY: the server answers with an error, which `done` rejects with. */
  fail(reason: string): void {
    if (this.failed || !this.connection) return;
    this.failed = true;
    const msg = Buffer.from(reason.slice(0, 200) + "\0", "utf8");
    const head = Buffer.alloc(5);
    head[0] = 0x66;
    head.writeUInt32BE(msg.length + 4, 1);
    this.connection.stream.write(Buffer.concat([head, msg]));
  }

  // --- node-postgres submittable interface ---
  submit(connection: Connection): void {
    this.connection = connection as unknown as PgConnection;
    this.connection.query(this.text);
  }
  handleCopyInResponse(): void {
    this.resolveReady();
  }
  handleCommandComplete(msg: { text?: string }): void {
    const m = /COPY (\d+)/.exec(msg?.text ?? "");
    if (m) this.rows = Number(m[1]);
  }
  handleReadyForQuery(): void {
    this.resolveDone(this.rows);
  }
  handleError(err: unknown): void {
    this.rejectReady(err);
    this.rejectDone(err);
  }
  handleCopyData(): void {}
  handleEmptyQuery(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
  callback(): void {}
}

// ---------------------------------------------------------------------------------------------
// COPY TO STDOUT (the reading end)
// ---------------------------------------------------------------------------------------------

export interface CopyOutOptions {
  /** The COPY is `FORMAT binary`: its first message starts with the 19-byte file header, its last is the trailer. */
  binary: boolean;
  /** Rows are added here. */
  checksum: RowChecksum;
  /** Where to forward the rows' CopyData messages, unchanged. */
  forward?: CopyIn;
  /** Called per received chunk with its bytes and rows. */
  onChunk?: (bytes: number, rows: number) => void;
}

const BINARY_HEADER = 19;
type DataHandler = (chunk: Buffer) => void;

/** `COPY … TO STDOUT`, hashing every row and optionally forwarding it; `done` resolves with the row count. */
export class CopyOut {
  private connection?: PgConnection;
  private pgHandler?: DataHandler;
  /** The start of a message split across chunks. */
  private carry: Buffer[] = [];
  private carryLength = 0;
  private blocked = false;
  private headerSkipped = false;
  private attached = false;
  private bytes = 0;
  private resolveDone!: (rows: number) => void;
  private rejectDone!: (e: unknown) => void;
  readonly done = new Promise<number>((res, rej) => {
    this.resolveDone = res;
    this.rejectDone = rej;
  });
  private readonly onData = (chunk: Buffer) => this.receive(chunk);

  constructor(
    readonly text: string,
    private readonly opts: CopyOutOptions,
  ) {
    this.done.catch(() => undefined);
  }

  static start(client: Client, text: string, opts: CopyOutOptions): CopyOut {
    const c = new CopyOut(text, opts);
    void client.query(c as unknown as Parameters<Client["query"]>[0]);
    return c;
  }

  /** Bytes of row data received (CopyData payloads). */
  get bytesReceived(): number {
    return this.bytes;
  }

  // --- node-postgres submittable interface ---
  submit(connection: Connection): void {
    this.connection = connection as unknown as PgConnection;
    const stream = this.connection.stream;
    const listeners = stream.listeners("data") as DataHandler[];
    if (listeners.length !== 1) throw new Error(`unexpected socket listeners (${listeners.length})`);
    this.pgHandler = listeners[0];
    stream.removeListener("data", this.pgHandler);
    stream.on("data", this.onData);
    this.attached = true;
    this.connection.query(this.text);
  }
  handleCommandComplete(): void {}
  handleReadyForQuery(): void {
    this.resolveDone(this.opts.checksum.rows);
  }
  handleError(err: unknown): void {
    this.detach(undefined);
    this.rejectDone(err);
  }
  handleCopyData(): void {}
  handleCopyInResponse(): void {}
  handleEmptyQuery(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
  callback(): void {}

  private receive(chunk: Buffer): void {
    const rowsBefore = this.opts.checksum.rows;
    const bytesBefore = this.bytes;
    this.blocked = false;
    let rest = chunk;
    if (this.carry.length) {
      // Complete the message split across chunks, copying only its own bytes.
      const have = this.carryLength;
      if (have < 5) {
        const k = Math.min(5 - have, rest.length);
        this.pushCarry(rest.subarray(0, k));
        rest = rest.subarray(k);
        if (this.carryLength < 5) return;
      }
      if (this.carry[0].length < 5) this.carry = [Buffer.concat(this.carry)];
      const total = 1 + this.carry[0].readUInt32BE(1);
      const k = Math.min(total - this.carryLength, rest.length);
      this.pushCarry(rest.subarray(0, k));
      rest = rest.subarray(k);
      if (this.carryLength < total) return;
      const message = Buffer.concat(this.carry, total);
      this.carry = [];
      this.carryLength = 0;
      if (!this.process(message, rowsBefore, bytesBefore)) return;
    }
    if (!this.process(rest, rowsBefore, bytesBefore)) return;
    this.report(rowsBefore, bytesBefore);
    if (this.blocked && this.opts.forward) {
      const src = this.connection!.stream;
      src.pause();
      this.opts.forward.socket.once("drain", () => {
        if (this.attached) src.resume();
      });
    }
  }

  private pushCarry(b: Buffer): void {
    if (!b.length) return;
    // A copy: the socket's chunk is not ours to keep.
    this.carry.push(Buffer.from(b));
    this.carryLength += b.length;
  }

  /** Handles the complete messages in `buf` and carries an incomplete last one; false once detached. */
  private process(buf: Buffer, rowsBefore: number, bytesBefore: number): boolean {
    const { checksum, forward, binary } = this.opts;
    let pos = 0;
    let from = -1;
    const flush = (to: number) => {
      if (from >= 0 && to > from && forward && !forward.write(buf.subarray(from, to))) this.blocked = true;
      from = -1;
    };
    while (pos + 5 <= buf.length) {
      const code = buf[pos];
      const end = pos + 1 + buf.readUInt32BE(pos + 1);
      if (end > buf.length) break;
      if (code === 0x64 /* CopyData */) {
        if (from < 0) from = pos;
        if (binary && !this.headerSkipped) {
          // The first message starts with the file header; a lone trailer follows it when empty.
          this.headerSkipped = true;
          const start = pos + 5 + BINARY_HEADER;
          if (!(end - start === 2 && buf[start] === 0xff && buf[start + 1] === 0xff)) {
            checksum.add(buf, start, end);
            this.bytes += end - start;
          }
          pos = end;
          continue;
        }
        // The run of CopyData messages from here, hashed in one call.
        const rows = checksum.rows;
        const next = addRows(checksum, buf, pos, buf.length, binary);
        this.bytes += next - pos - 5 * (checksum.rows - rows);
        pos = next;
        continue;
      }
      flush(pos);
      if (
        code === 0x48 /* CopyOutResponse */ ||
        code === 0x4e /* Notice */ ||
        code === 0x53 /* ParameterStatus */
      ) {
        pos = end;
        continue;
      }
      if (code === 0x63 /* CopyDone */) pos = end;
      // CopyDone, an ErrorResponse or anything else: the driver takes it from here.
      this.report(rowsBefore, bytesBefore);
      this.detach(buf.subarray(pos));
      return false;
    }
    flush(pos);
    this.pushCarry(buf.subarray(pos));
    return true;
  }

  private report(rowsBefore: number, bytesBefore: number): void {
    this.opts.onChunk?.(this.bytes - bytesBefore, this.opts.checksum.rows - rowsBefore);
  }

  /** Gives the socket back to the driver, with the bytes that follow the COPY data. */
  private detach(rest: Buffer | undefined): void {
    if (!this.attached || !this.connection) return;
    this.attached = false;
    const stream = this.connection.stream;
    stream.removeListener("data", this.onData);
    stream.on("data", this.pgHandler!);
    if (stream.isPaused()) stream.resume();
    if (rest && rest.length) this.pgHandler!(rest);
  }
}

/** A failure of one end of `copyBetween`: which end, and its error. */
export class CopyEndError extends Error {
  constructor(
    readonly side: "source" | "target",
    readonly cause: unknown,
  ) {
    super(`${side}: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/**
 * Streams `read` on `source` into `write` on `target` (a COPY FROM whose CopyInResponse is
 * awaited first), hashing every row. Resolves when both ends completed. On a failure the target's
 * COPY is aborted when its connection still works, and a CopyEndError names the end that failed
 * first; the caller drops both connections (either may be mid-COPY).
 */
export async function copyBetween(
  source: Client,
  target: Client,
  read: string,
  write: string,
  opts: Omit<CopyOutOptions, "forward">,
): Promise<{ rows: number; targetRows: number; bytes: number }> {
  const cin = CopyIn.start(target, write);
  await cin.ready.catch((e: unknown) => {
    throw new CopyEndError("target", e);
  });
  const cout = CopyOut.start(source, read, { ...opts, forward: cin });
  // The target may fail first (a bad value, its connection lost) while the source still sends.
  const targetFailed = cin.done.then(
    () => {
      throw new CopyEndError("target", new Error("the target ended the COPY before the source"));
    },
    (e: unknown) => {
      throw new CopyEndError("target", e);
    },
  );
  targetFailed.catch(() => undefined);
  let rows: number;
  try {
    rows = await Promise.race([
      cout.done.catch((e: unknown) => {
        throw new CopyEndError("source", e);
      }),
      targetFailed,
    ]);
  } catch (err) {
    if (err instanceof CopyEndError && err.side === "source") cin.fail("the source COPY failed");
    throw err;
  }
  cin.end();
  const targetRows = await cin.done.catch((e: unknown) => {
    throw new CopyEndError("target", e);
  });
  return { rows, targetRows, bytes: cout.bytesReceived };
}

/** Reads `read` (a COPY TO STDOUT) on `client` into a checksum. */
export async function checksumCopy(client: Client, read: string, binary: boolean): Promise<RowChecksum> {
  const checksum = new RowChecksum();
  await CopyOut.start(client, read, { binary, checksum }).done;
  return checksum;
}
