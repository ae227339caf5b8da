// PostgreSQL arrays in the binary wire format, as Buffers: pg sends a Buffer parameter as binary,
// and the server's array_recv reads it against the parameter's declared type ($2::text[]). No
// escaping rules (a text[] literal has its own), and a burst's columns are written into memory
// outside the JavaScript heap rather than as large strings on it.
//   header: ndim (1), has-null flag, element type OID, length, lower bound (1); then per element
//   its byte length (-1 for NULL) and its bytes (UTF-8 text; 8- or 4-byte big-endian integers).

const TEXT_OID = 25;
const INT8_OID = 20;
const INT4_OID = 23;
const HEADER = 20;

function header(buf: Buffer, oid: number, n: number, hasNull: boolean): void {
  buf.writeInt32BE(1, 0);
  buf.writeInt32BE(hasNull ? 1 : 0, 4);
  buf.writeInt32BE(oid, 8);
  buf.writeInt32BE(n, 12);
  buf.writeInt32BE(1, 16);
}

/**
 * text[]: each string as UTF-8 (a lone surrogate becomes U+FFFD, as pg's text encoding does); bytes
 * as they are (the caller's word that they are UTF-8: the records' data as it came, classify.ts).
 */
export function textArray(values: ReadonlyArray<string | Uint8Array | null>): Buffer {
  // At most 3 bytes per UTF-16 unit; the unused tail is cut off.
  const n = values.length;
  let room = HEADER + 4 * n;
  let hasNull = false;
  for (let i = 0; i < n; i++) {
    const v = values[i] as string | Uint8Array | null;
    if (v === null) hasNull = true;
    else room += typeof v === 'string' ? 3 * v.length : v.length;
  }
  const buf = Buffer.allocUnsafe(room);
  header(buf, TEXT_OID, n, hasNull);
  let at = HEADER;
  for (let i = 0; i < n; i++) {
    const v = values[i] as string | Uint8Array | null;
    if (v === null) {
      buf.writeInt32BE(-1, at);
      at += 4;
    } else if (typeof v === 'string') {
      const len = v.length === 0 ? 0 : buf.write(v, at + 4, 'utf8');
      buf.writeInt32BE(len, at);
      at += 4 + len;
    } else {
      buf.set(v, at + 4);
      buf.writeInt32BE(v.length, at);
      at += 4 + v.length;
    }
  }
  return buf.subarray(0, at);
}

// Indexed loops, not for…of: an iterator over a typed or double array boxes each number it yields.

/** bigint[] of safe integers. */
export function int8Array(values: ArrayLike<number>): Buffer {
  const n = values.length;
  const buf = Buffer.allocUnsafe(HEADER + 12 * n);
  header(buf, INT8_OID, n, false);
  let at = HEADER;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    const high = Math.floor(v / 0x1_0000_0000);
    buf.writeInt32BE(8, at);
    buf.writeInt32BE(high, at + 4);
    buf.writeUInt32BE(v - high * 0x1_0000_0000, at + 8);
    at += 12;
  }
  return buf;
}

/** integer[]. */
export function int4Array(values: ArrayLike<number>): Buffer {
  const n = values.length;
  const buf = Buffer.allocUnsafe(HEADER + 8 * n);
  header(buf, INT4_OID, n, false);
  let at = HEADER;
  for (let i = 0; i < n; i++) {
    buf.writeInt32BE(4, at);
    buf.writeInt32BE(values[i] as number, at + 4);
    at += 8;
  }
  return buf;
}
