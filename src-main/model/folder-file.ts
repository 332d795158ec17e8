/**
 * Reading a file a model folder names (its model.json, the weights its manifest lists): only a
 * regular file inside the folder is opened. A model folder comes from anywhere (a download, a
 * colleague), so its manifest must not make us read other files (`../../etc/hostname`, an absolute
 * path, a symlink out of the folder) or block on a FIFO or a device.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, posix, relative, resolve, sep, win32 } from 'node:path';
import { ModelFormatError } from './spec';

/** What a non-regular file is, for the error. */
function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * The bytes of `name` (relative to the model folder `folder`), refused with a ModelFormatError
 * before it is opened unless it resolves, symlinks followed, to a regular file inside the folder;
 * with `expectedBytes`, a file of any other size is refused unread.
 */
export function readModelFolderFile(folder: string, name: string, expectedBytes?: number): Buffer {
  if (posix.isAbsolute(name) || win32.isAbsolute(name)) {
    throw new ModelFormatError(`the model names the absolute path "${name}"; a model reads only files inside its folder`);
  }
  const realFolder = realpathSync(folder);
  const path = resolve(realFolder, name);
  if (!isInside(realFolder, path)) throw new ModelFormatError(`the model names "${name}", which is outside its folder ${folder}`);
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    throw new ModelFormatError(`file missing: ${path}`);
  }
  if (!isInside(realFolder, target)) {
    throw new ModelFormatError(
      `${path} is a symbolic link out of the model folder (to ${target}); a model reads only files inside its folder`,
    );
  }
  const kind = statSync(target);
  if (!kind.isFile()) throw new ModelFormatError(`${path} is ${kindOf(kind)}, not a regular file`);
  if (expectedBytes !== undefined && kind.size !== expectedBytes) {
    throw new ModelFormatError(`${path} holds ${kind.size} bytes, the manifest needs ${expectedBytes}`);
  }
  // Non-blocking and not following a link: a file swapped for a FIFO or a link since the checks
  // above cannot block or lead elsewhere; the descriptor's own stat is checked again.
  const fd = openSync(target, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile() || opened.ino !== kind.ino || opened.dev !== kind.dev) {
      throw new ModelFormatError(`${path} changed while it was being opened`);
    }
    const bytes = readFileSync(fd);
    if (expectedBytes !== undefined && bytes.byteLength !== expectedBytes)
      throw new ModelFormatError(`${path} changed while it was being read`);
    return bytes;
  } finally {
    closeSync(fd);
  }
}
