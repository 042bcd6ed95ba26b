// One HTTP/3 GET over QUIC, made by the PyPI package aioquic (Node has no HTTP/3 client) in the
// project-local venv scripts/setup-quic.sh installs: the suite's QuicRoundTripper, in short.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The venv's python, from this file up to the repository's `.tools`; undefined when missing. */
export const findQuicPython = (): string | undefined => {
  if (process.env.EGTS_QUIC_PYTHON) return process.env.EGTS_QUIC_PYTHON;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const python = join(dir, '.tools', 'quic-venv', 'bin', 'python');
    if (existsSync(python)) return python;
    const parent = resolve(dir, '..');
    if (parent === dir) return undefined;
    dir = parent;
  }
};

// The client: one request on one connection, the answer as JSON on stdout. The server's
// certificate is not verified (the suite's certificates are self-signed for their hostnames).
const CLIENT = `
import asyncio, json, ssl, sys
from aioquic.asyncio.client import connect
from aioquic.asyncio.protocol import QuicConnectionProtocol
from aioquic.h3.connection import H3_ALPN, H3Connection
from aioquic.h3.events import DataReceived, HeadersReceived
from aioquic.quic.configuration import QuicConfiguration

class Client(QuicConnectionProtocol):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.h3 = H3Connection(self._quic)
        self.headers, self.body, self.done = [], b"", None

    def quic_event_received(self, event):
        for e in self.h3.handle_event(event):
            if isinstance(e, HeadersReceived):
                self.headers += e.headers
            elif isinstance(e, DataReceived):
                self.body += e.data
            if getattr(e, "stream_ended", False) and self.done and not self.done.done():
                self.done.set_result(None)

async def main(port, authority, path):
    config = QuicConfiguration(is_client=True, alpn_protocols=H3_ALPN,
                               server_name=authority, verify_mode=ssl.CERT_NONE)
    async with connect("127.0.0.1", port, configuration=config, create_protocol=Client) as c:
        stream = c._quic.get_next_available_stream_id()
        c.done = asyncio.get_running_loop().create_future()
        c.h3.send_headers(stream, [(b":method", b"GET"), (b":scheme", b"https"),
                                   (b":authority", authority.encode()), (b":path", path.encode())],
                          end_stream=True)
        c.transmit()
        await asyncio.wait_for(c.done, 10)
        headers = {k.decode(): v.decode() for k, v in c.headers}
        print(json.dumps({"status": int(headers.pop(":status", "0")), "headers": headers,
                          "body": c.body.decode("utf-8", "replace")}))

asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
`;

export interface Http3Result {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** GET `https://<authority><path>` over HTTP/3 to 127.0.0.1:`port` (UDP). */
export const http3Get = (
  python: string,
  port: number,
  authority: string,
  path: string,
): Promise<Http3Result> =>
  new Promise((done, fail) => {
    execFile(
      python,
      ['-c', CLIENT, String(port), authority, path],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) {
          fail(new Error(`HTTP/3 request failed: ${stderr.trim().split('\n').pop() ?? error}`));
          return;
        }
        done(JSON.parse(stdout) as Http3Result);
      },
    );
  });
