"""Seed inputs for the gofer_client target (see target.c for the layout);
tests/fuzz/mkcorpus.py writes them to tests/fuzz/corpus/gofer_client/."""
import struct

S_IFDIR, S_IFREG, S_IFLNK = 0o40000, 0o100000, 0o120000
FD_NONE, FD_DIR, FD_FILE, FD_NULL, FD_PIPE, FD_SYMLINK = range(6)
NAMES = ["f", "d", "l", "x", "y"]


def reply(fd, err=0, mode=S_IFDIR | 0o755, ino=1, size=4096, nlink=2, st2=S_IFDIR | 0o755, how=0):
    return struct.pack("<BiIBBqII", fd | how, err, mode, 1, ino, size, nlink, st2)


root = reply(FD_DIR)


def lookup(slot, name):
    return bytes([0, slot, NAMES.index(name)])


def seeds():
    f = reply(FD_FILE, mode=S_IFREG | 0o644, ino=2, size=19, nlink=1)
    d = reply(FD_DIR, ino=3)
    lnk = reply(FD_SYMLINK, mode=S_IFLNK | 0o777, ino=4, size=11, nlink=1)
    yield "mount", bytes([1]) + root
    yield "mount-readonly", bytes([0]) + root
    yield "mount-enoent", bytes([1]) + reply(FD_NONE, err=-2)
    # lookup f, open it read-only and read, a page of it, fill
    yield "lookup-read", (bytes([0]) + root + lookup(0, "f") + f + bytes([2, 1, 0, 1, 10, 0]) +
                          bytes([4, 1, 0, 0]) + bytes([3, 1, 0]))
    # lookup d, list it; readlink of l
    yield "lookup-dir-list", (bytes([1]) + root + lookup(0, "d") + d + bytes([2, 1, 0, 4, 0, 0]) +
                              lookup(0, "l") + lnk + bytes([1, 2, 100]))
    # writable: mknod x (a file), write it, truncate, fsync; unlink it
    ok_dir = reply(FD_NONE, st2=S_IFDIR | 0o755)
    yield "mknod-write", (bytes([1]) + root + bytes([5, 0, 0, 3]) + f + bytes([2, 1, 2, 2, 5, 0]) +
                          bytes([10, 1, 1, 12]) + ok_dir + bytes([2, 1, 1, 8, 0, 0]) + ok_dir +
                          bytes([6, 1]) + ok_dir)
    # writable: rename f to y, link it as x, setattr, statfs, xattrs
    yield "rename-link", (bytes([1]) + root + lookup(0, "f") + f + bytes([7, 1, 0, 0, 4]) + ok_dir +
                          bytes([8, 1, 0, 3]) + f + bytes([9, 1, 31, 1, 1]) + f + bytes([12, 1]) + ok_dir +
                          bytes([11, 1, 1]) + ok_dir + bytes([13, 1]))
    # a shared writable mapping's write-back, then let it go
    yield "map-shared", (bytes([1]) + root + lookup(0, "f") + f + bytes([4, 1, 0, 0, 14, 1, 15, 1]))
    # a reply with two fds and a short one
    yield "odd-replies", (bytes([1]) + root + lookup(0, "f") + reply(FD_FILE, mode=S_IFREG, how=8 | 32) +
                          lookup(0, "d") + reply(FD_DIR, how=64))
