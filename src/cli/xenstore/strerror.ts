// glibc's strerror texts for the errors a xenstore client can see.

const TEXT: Record<string, string> = {
  EINVAL: 'Invalid argument', EACCES: 'Permission denied', EEXIST: 'File exists', EISDIR: 'Is a directory',
  ENOENT: 'No such file or directory', ENOMEM: 'Cannot allocate memory', ENOSPC: 'No space left on device',
  EIO: 'Input/output error', ENOTEMPTY: 'Directory not empty', ENOSYS: 'Function not implemented',
  EROFS: 'Read-only file system', EBUSY: 'Device or resource busy', EAGAIN: 'Resource temporarily unavailable',
  EISCONN: 'Transport endpoint is already connected', E2BIG: 'Argument list too long',
  EPERM: 'Operation not permitted', ECONNREFUSED: 'Connection refused', ECONNRESET: 'Connection reset by peer',
  ENOTSOCK: 'Socket operation on non-socket', ENOTDIR: 'Not a directory', EPROTO: 'Protocol error',
  EBADF: 'Bad file descriptor',
};

export function strerror(code: string): string {
  return TEXT[code] ?? TEXT.EINVAL;
}
