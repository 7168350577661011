"""Seeds of `zip_directory`: whole zips, accepted (`-ok`) when the provider package's entry
reader hashes them (`h1_of_zip`), whatever their executable; plus broken end records and
central directories."""

import struct

from .archives import Entry, as_zip64, zip_bytes
from .packages import BINARY, EXE, zips


def seeds():
    out = dict(zips())
    one = zip_bytes([Entry("a", "a")])
    eocd = len(one) - 22
    name_length = eocd - 47 + 28  # in the one central directory header, 46 bytes and "a"
    out.update({
        "no-executable-ok": zip_bytes([Entry("README.md", "hi\n")]),
        "empty-ok": out.pop("empty"),
        # A central directory header whose name runs past the end of the zip.
        "long-name-length": one[:name_length] + struct.pack("<H", 0xFFFF) + one[name_length + 2:],
        # A comment that holds an end record of its own (the same one, so it does no harm).
        "end-record-in-comment-ok": one[:-2] + struct.pack("<H", 22) + one[eocd:eocd + 20] + b"\0\0",
        # The end record points at a directory past the end.
        "directory-offset-past-end": one[:eocd + 16] + struct.pack("<I", 1 << 30) + one[eocd + 20:],
        "end-record-only-in-garbage": b"PK\x05\x06" + b"\xff" * 18,
        # The longest comment puts the zip64 record before the last bytes the reader keeps.
        "zip64-long-comment-ok": as_zip64(zip_bytes([Entry(EXE, BINARY)]), comment_len=65535),
    })
    return out
