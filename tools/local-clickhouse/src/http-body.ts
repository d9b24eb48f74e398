// Request bodies arrive plain or compressed (`Content-Encoding`, as @clickhouse/client sends them with
// `compression.request`); responses are compressed only when the request sets
// `enable_http_compression=1` and names a codec in `Accept-Encoding`, as a ClickHouse server does.
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Transform } from 'node:stream';
import { exception } from './engine-exception.ts';

type Codec = 'gzip' | 'deflate' | 'br' | 'zstd';

const zstdAvailable = typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === 'function';

function decompressorFor(encoding: string): Transform | undefined {
  switch (encoding) {
    case '':
    case 'identity':
    case 'none':
      return undefined;
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    case 'zstd':
      if (zstdAvailable)
        return (zlib as unknown as { createZstdDecompress(): Transform }).createZstdDecompress();
      break;
  }
  throw exception(
    'UNKNOWN_COMPRESSION_METHOD',
    `Unsupported Content-Encoding '${encoding.slice(0, 40)}': use gzip, deflate, br${zstdAvailable ? ' or zstd' : ''}`,
  );
}

/** The whole (decompressed) body. More than `maxBytes` is QUERY_IS_TOO_LARGE. */
export async function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const encoding = String(request.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  const decompressor = decompressorFor(encoding);
  const source = decompressor ? request.pipe(decompressor) : request;
  if (decompressor) request.on('error', (error) => decompressor.destroy(error));
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        throw exception(
          'QUERY_IS_TOO_LARGE',
          `The request body is larger than the server accepts (${maxBytes} bytes after decompression)`,
        );
      }
      chunks.push(chunk);
    }
  } catch (error) {
    decompressor?.destroy();
    if (decompressor && error instanceof Error && 'errno' in error) {
      throw exception(
        'CANNOT_DECOMPRESS',
        `Cannot decompress the request body (${encoding}): ${error.message}`,
      );
    }
    throw error;
  }
  return Buffer.concat(chunks, size);
}

/** First codec of `Accept-Encoding` we can produce (no q-value ranking; clients send one). */
export function responseCodec(acceptEncoding: string | undefined): Codec | undefined {
  for (const part of (acceptEncoding ?? '').split(',')) {
    const name = part.split(';')[0]?.trim().toLowerCase();
    if (name === 'gzip' || name === 'deflate' || name === 'br') return name;
    if (name === 'zstd' && zstdAvailable) return name;
  }
  return undefined;
}

const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);
const brotli = promisify(zlib.brotliCompress);

/** `level` is the request's `http_zlib_compression_level` (ClickHouse's default is 3). */
export async function compressBody(body: Buffer, codec: Codec, level: number): Promise<Buffer> {
  switch (codec) {
    case 'gzip':
      return gzip(body, { level });
    case 'deflate':
      return deflate(body, { level });
    case 'br':
      return brotli(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: Math.min(level, 11) } });
    case 'zstd': {
      const zstd = (
        zlib as unknown as { zstdCompress: (b: Buffer, cb: (e: Error | null, r: Buffer) => void) => void }
      ).zstdCompress;
      return promisify(zstd)(body);
    }
  }
}
