/**
 * NumPy's .npy format (version 1.0), written: the magic string, a header dict padded so the data
 * starts on a 64-byte boundary, then the array little-endian in C order. What `numpy.load` reads
 * and PyTorch takes with `torch.from_numpy`.
 */
import { endianness } from 'node:os';

const DTYPES = { float32: '<f4', int64: '<i8' } as const;

/** The bytes of a .npy file holding `data` with `shape` (its product must be `data.length`). */
export function npyBytes(data: Float32Array | BigInt64Array, shape: readonly number[]): Buffer {
  if (shape.reduce((a, b) => a * b, 1) !== data.length)
    throw new RangeError(`shape [${shape.join(', ')}] does not hold ${data.length} values`);
  // Typed arrays are in the machine's byte order; .npy says its own: little-endian here.
  if (endianness() !== 'LE') throw new Error('writing .npy needs a little-endian machine');
  const descr = data instanceof Float32Array ? DTYPES.float32 : DTYPES.int64;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const prelude = 10; // magic (6), version (2), header length (2)
  const padded = Math.ceil((prelude + dict.length + 1) / 64) * 64 - prelude;
  const header = Buffer.alloc(prelude + padded, ' ');
  header.write('\x93NUMPY', 0, 'latin1');
  header.writeUInt8(1, 6);
  header.writeUInt8(0, 7);
  header.writeUInt16LE(padded, 8);
  header.write(dict, prelude, 'latin1');
  header.write('\n', prelude + padded - 1, 'latin1');
  return Buffer.concat([header, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}
