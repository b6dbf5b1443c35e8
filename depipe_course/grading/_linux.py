"""The few Linux system calls the sandbox needs that Python 3.11's ``os`` lacks.

``unshare``, ``mount``, ``capset`` and ``prctl`` through ctypes, and bringing the
loopback interface up through an ioctl. Every function raises ``OSError`` on failure
so the caller can fall back to a weaker guard and say so; nothing here is used
outside Linux.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import socket
import struct

CLONE_NEWNS = 0x00020000
CLONE_NEWPID = 0x20000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21

PR_SET_PDEATHSIG = 1
PR_SET_KEEPCAPS = 8
PR_SET_NO_NEW_PRIVS = 38
PR_SET_DUMPABLE = 4
PR_SET_SECUREBITS = 28
SECBIT_NO_SETUID_FIXUP = 1 << 2
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_RAISE = 2

CAP_DAC_READ_SEARCH = 2
_CAP_VERSION_3 = 0x20080522

# statvfs flag -> mount flag: a bind mount's locked flags must be repeated on remount.
_KEEP_FLAGS = {
    os.ST_NOSUID: MS_NOSUID,
    os.ST_NODEV: MS_NODEV,
    os.ST_NOEXEC: MS_NOEXEC,
    os.ST_NOATIME: MS_NOATIME,
    os.ST_NODIRATIME: MS_NODIRATIME,
    os.ST_RELATIME: MS_RELATIME,
}

_libc: ctypes.CDLL | None = None


def _c() -> ctypes.CDLL:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    return _libc


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def unshare(flags: int) -> None:
    _check(_c().unshare(flags), "unshare")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = [None if s is None else s.encode() for s in (source, target, fstype, data)]
    _check(_c().mount(enc[0], enc[1], enc[2], ctypes.c_ulong(flags), enc[3]), f"mount {target}")


def bind_read_only(path: str) -> None:
    """Make ``path`` (and what is mounted below it) read-only in this mount namespace."""
    keep = 0
    for st_flag, ms_flag in _KEEP_FLAGS.items():
        if os.statvfs(path).f_flag & st_flag:
            keep |= ms_flag
    mount(path, path, None, MS_BIND | MS_REC)
    mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | keep)


def make_mounts_private() -> None:
    """Stop mounts made here from propagating back to the host's namespace."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)


def prctl(option: int, arg2: int = 0) -> None:
    _check(_c().prctl(option, ctypes.c_ulong(arg2), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)),
           f"prctl({option})")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def set_capabilities(caps: tuple[int, ...]) -> None:
    """Keep exactly ``caps`` (effective, permitted and inheritable); drop all others."""
    data = (_CapData * 2)()
    for cap in caps:
        word, bit = divmod(cap, 32)
        data[word].effective |= 1 << bit
        data[word].permitted |= 1 << bit
        data[word].inheritable |= 1 << bit
    _check(_c().capset(ctypes.byref(_CapHeader(_CAP_VERSION_3, 0)), data), "capset")
    for cap in caps:  # ambient: programs the learner starts keep them too
        prctl_args = (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0)
        _check(_c().prctl(*(ctypes.c_ulong(a) for a in prctl_args)), "prctl(PR_CAP_AMBIENT)")


def write_id_maps(uid: int, gid: int) -> None:
    """Map our own uid/gid into a user namespace we just created (no privilege needed)."""
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{gid} {gid} 1")


def loopback_up() -> None:
    """Bring ``lo`` up in a fresh network namespace, so 127.0.0.1 works and nothing else."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sh14x", b"lo", 0)
        flags = struct.unpack("16sh14x", fcntl.ioctl(s, siocgifflags, request))[1]
        fcntl.ioctl(s, siocsifflags, struct.pack("16sh14x", b"lo", flags | iff_up))
