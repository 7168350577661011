"""Deterministic .tar.gz and .zip builders, with the control over names, modes, flags and end
records that broken seeds need (Python's own writers refuse or fix most of what they build)."""

import gzip
import io
import struct
import tarfile
import zlib

# Unix file types, as zip external attributes carry them (high 16 bits).
REGULAR = 0o100644
EXECUTABLE = 0o100755
DIRECTORY = 0o040755
SYMLINK = 0o120777

DOS_TIME, DOS_DATE = 0, (1 << 5) | 1  # 1980-01-01 00:00


def gz(data):
    """Gzip with no name and a zero timestamp, so seeds are reproducible."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def tar(entries, fmt=tarfile.GNU_FORMAT):
    """A tar of `entries`: (name, content) for regular files, or a prepared tarfile.TarInfo
    with its content (None for non-files)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as archive:
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                archive.addfile(entry)
                continue
            name, content = entry[0], entry[1]
            info = tar_info(name, entry[2] if len(entry) > 2 else 0o644)
            data = content.encode() if isinstance(content, str) else content
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def tar_info(name, mode=0o644, kind=tarfile.REGTYPE, link=""):
    info = tarfile.TarInfo(name)
    info.mode, info.type, info.linkname = mode, kind, link
    info.mtime, info.uid, info.gid, info.uname, info.gname = 1_600_000_000, 1000, 1000, "dev", "dev"
    return info


def tar_gz(entries, fmt=tarfile.GNU_FORMAT):
    return gz(tar(entries, fmt))


def raw_tar_header(name, size, typeflag=b"0", mode=0o644):
    """One 512-byte ustar header with any name bytes and type flag, its checksum set."""
    header = bytearray(512)
    header[0:len(name)] = name
    header[100:108] = b"%07o\0" % mode
    header[108:116] = b"0000000\0"
    header[116:124] = b"0000000\0"
    header[124:136] = b"%011o\0" % size
    header[136:148] = b"00000000001\0"
    header[156:157] = typeflag
    header[257:265] = b"ustar  \0"
    header[148:156] = b" " * 8
    header[148:156] = b"%06o\0 " % sum(header)
    return bytes(header)


def raw_tar(members):
    """A tar of (header, content) pairs, padded, with the two closing zero blocks."""
    out = b""
    for header, content in members:
        out += header + content + b"\0" * (-len(content) % 512)
    return out + b"\0" * 1024


class Entry:
    """One zip entry. `name` is bytes (written as is); `method` 0 (stored) or 8 (deflated) picks
    the compression unless `raw` gives the stored bytes; `mode` None leaves the external
    attributes at 0 (an MS-DOS zip); `size` and `crc` override what the headers declare."""

    def __init__(self, name, data=b"", method=8, mode=REGULAR, flags=0x800, extra=b"",
                 size=None, crc=None, raw=None):
        self.name = name.encode() if isinstance(name, str) else name
        self.data = data.encode() if isinstance(data, str) else data
        self.method, self.mode, self.flags, self.extra = method, mode, flags, extra
        self.size = len(self.data) if size is None else size
        self.crc = zlib.crc32(self.data) if crc is None else crc
        if raw is not None:
            self.stored = raw
        elif method == 8:
            deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
            self.stored = deflate.compress(self.data) + deflate.flush()
        else:
            self.stored = self.data


def zip_bytes(entries, comment=b"", count=None):
    """A zip of `entries`; `count` overrides the entry count the end record declares."""
    out, directory = b"", b""
    for e in entries:
        offset = len(out)
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, e.flags, e.method, DOS_TIME, DOS_DATE,
                           e.crc, len(e.stored), e.size, len(e.name), len(e.extra))
        out += e.name + e.extra + e.stored
        attributes = 0 if e.mode is None else e.mode << 16
        made_by = 20 if e.mode is None else (3 << 8) | 20
        directory += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", made_by, 20, e.flags, e.method,
                                 DOS_TIME, DOS_DATE, e.crc, len(e.stored), e.size, len(e.name),
                                 len(e.extra), 0, 0, 0, attributes, offset)
        directory += e.name + e.extra
    n = len(entries) if count is None else count
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, n, n, len(directory), len(out), len(comment))
    return out + directory + end + comment


def as_zip64(zip, count=None, comment_len=0):
    """`zip` (without a comment) with its end record rewritten as a zip64 record declaring
    `count` entries (the real count by default), its locator, and an end record pointing to
    them, followed by a comment of `comment_len` bytes."""
    eocd = len(zip) - 22
    assert zip[eocd:eocd + 4] == b"PK\x05\x06"
    entries, size, offset = struct.unpack("<xxxxxxxxHxxII", zip[eocd:eocd + 20])
    count = entries if count is None else count
    out = zip[:eocd]
    record = len(out)
    out += b"PK\x06\x06" + struct.pack("<QHHII", 44, 45, 45, 0, 0)
    out += struct.pack("<QQQQ", count, count, size, offset)
    out += b"PK\x06\x07" + struct.pack("<IQI", 0, record, 1)
    out += b"PK\x05\x06" + b"\0" * 4 + b"\xff" * 12 + struct.pack("<H", comment_len)
    return out + b"c" * comment_len


def unicode_path_extra(header_name, name):
    """An Info-ZIP Unicode Path extra field (0x7075) renaming the entry `header_name` to `name`."""
    body = b"\x01" + struct.pack("<I", zlib.crc32(header_name.encode())) + name.encode()
    return struct.pack("<HH", 0x7075, len(body)) + body
