#!/usr/bin/env python3
"""Prints the highest GLIBC_x.y symbol version an ELF binary needs.

Reads the version-needs section (SHT_GNU_verneed, `.gnu.version_r`: the
entries `objdump -T` shows as `(GLIBC_2.17)`) of a 64- or 32-bit ELF file of
either byte order, so no binutils are needed. Prints e.g. `2.17`; prints
nothing and exits 0 for a static binary with no glibc needs; exits 1 on a file
that is not ELF.

Layout: the ELF specification and glibc's elf.h (Elf64_Verneed, Elf64_Vernaux).
"""

from __future__ import annotations

import re
import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE


def glibc_versions(data: bytes) -> list[tuple[int, ...]]:
    if data[:4] != b"\x7fELF":
        raise ValueError("not an ELF file")
    is64 = data[4] == 2
    end = "<" if data[5] == 1 else ">"
    if is64:
        shoff, = struct.unpack_from(end + "Q", data, 0x28)
        shentsize, shnum = struct.unpack_from(end + "HH", data, 0x3A)
    else:
        shoff, = struct.unpack_from(end + "I", data, 0x20)
        shentsize, shnum = struct.unpack_from(end + "HH", data, 0x2E)

    def section(i):
        base = shoff + i * shentsize
        if is64:
            _name, typ, _flags, _addr, off, size, link, _info = struct.unpack_from(
                end + "IIQQQQII", data, base
            )
        else:
            _name, typ, _flags, _addr, off, size, link, _info = struct.unpack_from(
                end + "IIIIIIII", data, base
            )
        return typ, off, size, link

    found = []
    for i in range(shnum):
        typ, off, _size, link = section(i)
        if typ != SHT_GNU_VERNEED:
            continue
        _, stroff, _, _ = section(link)

        def string(at):
            start = stroff + at
            return data[start : data.index(b"\0", start)].decode("ascii", "replace")

        need = off
        while True:
            _ver, cnt, _file, aux, nxt = struct.unpack_from(end + "HHIII", data, need)
            a = need + aux
            for _ in range(cnt):
                _hash, _flags, _other, name, anext = struct.unpack_from(end + "IHHII", data, a)
                m = re.fullmatch(r"GLIBC_(\d+(?:\.\d+)*)", string(name))
                if m:
                    found.append(tuple(int(p) for p in m.group(1).split(".")))
                if anext == 0:
                    break
                a += anext
            if nxt == 0:
                break
            need += nxt
    return found


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: glibc_floor.py BINARY", file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    try:
        versions = glibc_versions(data)
    except (ValueError, struct.error) as e:
        print(f"glibc_floor.py: {sys.argv[1]}: {e}", file=sys.stderr)
        return 1
    if versions:
        print(".".join(str(p) for p in max(versions)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
