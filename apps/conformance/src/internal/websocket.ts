// Just enough WebSocket (RFC 6455) for the suite's HTTPRouteBackendProtocolWebSocket: echo-basic's
// `/ws` handler, which echoes every message back, and the client side of golang.org/x/net/websocket
// (Dial with an Origin, send a text and a binary message, read each reply).
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const TEXT = 0x1;
const BINARY = 0x2;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;

export interface Frame {
  readonly opcode: number;
  readonly payload: Buffer;
}

const acceptKey = (key: string): string =>
  createHash('sha1')
    .update(key + GUID)
    .digest('base64');

/** One final frame; clients mask theirs, servers do not. */
export const encodeFrame = (opcode: number, payload: Buffer, masked: boolean): Buffer => {
  const length = payload.length;
  const lengthBytes =
    length < 126
      ? Buffer.from([length])
      : length < 65_536
        ? Buffer.from([126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([127]), Buffer.alloc(4), uint32(length)]);
  lengthBytes[0]! |= masked ? 0x80 : 0;
  const header = Buffer.concat([Buffer.from([0x80 | opcode]), lengthBytes]);
  if (!masked) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([header, mask, body]);
};

const uint32 = (value: number): Buffer => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
};

/** Frames decoded from a byte stream, as they complete (fragmented messages are not expected). */
export class FrameReader {
  #buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      const frame = this.#next();
      if (!frame) return frames;
      frames.push(frame);
    }
  }

  #next(): Frame | undefined {
    const b = this.#buffer;
    if (b.length < 2) return undefined;
    const masked = (b[1]! & 0x80) !== 0;
    let length = b[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return undefined;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return undefined;
      length = Number(b.readBigUInt64BE(2));
      offset = 10;
    }
    const mask = masked ? b.subarray(offset, offset + 4) : undefined;
    if (masked) offset += 4;
    if (b.length < offset + length) return undefined;
    const raw = b.subarray(offset, offset + length);
    const payload = mask
      ? Buffer.from(raw.map((byte, i) => byte ^ mask[i % 4]!))
      : Buffer.from(raw);
    this.#buffer = b.subarray(offset + length);
    return { opcode: b[0]! & 0x0f, payload };
  }
}

/** echo-basic's `/ws`: completes the handshake and echoes every message until the client closes. */
export const acceptEchoWebSocket = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
  const key = req.headers['sec-websocket-key'];
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/ws' || typeof key !== 'string' || !/websocket/i.test(req.headers.upgrade ?? '')) {
    socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n');
    return;
  }
  socket.write(
    [
      'HTTP/1.1 101 Switching Protocols',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Accept: ${acceptKey(key)}`,
      '',
      '',
    ].join('\r\n'),
  );
  const reader = new FrameReader();
  const onData = (chunk: Buffer) => {
    for (const frame of reader.push(chunk)) {
      if (frame.opcode === CLOSE) {
        socket.end(encodeFrame(CLOSE, frame.payload, false));
        return;
      }
      if (frame.opcode === PING) socket.write(encodeFrame(PONG, frame.payload, false));
      else if (frame.opcode === TEXT || frame.opcode === BINARY)
        socket.write(encodeFrame(frame.opcode, frame.payload, false));
    }
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
  if (head.length > 0) onData(head);
};

/** A client connection after the handshake: send a message, wait for the next one. */
export interface WebSocketClient {
  send(message: string | Buffer): void;
  receive(): Promise<Frame>;
  close(): void;
}

/** Opens `ws://127.0.0.1:port/path` with `host` and `origin`, as x/net/websocket's Dial does. */
export const dialWebSocket = (
  port: number,
  host: string,
  path: string,
  origin: string,
  timeoutMs = 3_000,
): Promise<WebSocketClient> =>
  new Promise((resolve, reject) => {
    const key = randomBytes(16).toString('base64');
    const socket: Socket = connect(port, '127.0.0.1');
    const reader = new FrameReader();
    const frames: Frame[] = [];
    const waiting: Array<{ resolve: (f: Frame) => void; reject: (e: Error) => void }> = [];
    let handshake = Buffer.alloc(0);
    let open = false;
    const fail = (error: Error) => {
      socket.destroy();
      if (!open) reject(error);
      for (const w of waiting.splice(0)) w.reject(error);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(new Error(`no WebSocket answer within ${timeoutMs} ms`)),
    );
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('WebSocket connection closed')));
    const deliver = (chunk: Buffer) => {
      frames.push(...reader.push(chunk));
      while (frames.length > 0 && waiting.length > 0) waiting.shift()!.resolve(frames.shift()!);
    };
    socket.on('data', (chunk: Buffer) => {
      if (open) return deliver(chunk);
      handshake = Buffer.concat([handshake, chunk]);
      const end = handshake.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = handshake.subarray(0, end).toString();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
      const accept = /\r\nsec-websocket-accept:\s*(\S+)/i.exec(head)?.[1];
      if (status !== '101')
        return fail(new Error(`WebSocket handshake answered ${status ?? head}`));
      if (accept !== acceptKey(key)) return fail(new Error('wrong Sec-WebSocket-Accept'));
      open = true;
      resolve({
        send: (message) =>
          socket.write(
            typeof message === 'string'
              ? encodeFrame(TEXT, Buffer.from(message), true)
              : encodeFrame(BINARY, message, true),
          ),
        receive: () =>
          frames.length > 0
            ? Promise.resolve(frames.shift()!)
            : new Promise((res, rej) => waiting.push({ resolve: res, reject: rej })),
        close: () => {
          open = false;
          socket.end(encodeFrame(CLOSE, Buffer.from([0x03, 0xe8]), true));
        },
      });
      deliver(handshake.subarray(end + 4));
    });
    socket.write(
      [
        `GET ${path} HTTP/1.1`,
        `Host: ${host}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${key}`,
        `Origin: ${origin}`,
        'Sec-WebSocket-Version: 13',
        '',
        '',
      ].join('\r\n'),
    );
  });

export const WS_TEXT = TEXT;
export const WS_BINARY = BINARY;
