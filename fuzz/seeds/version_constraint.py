"""Seeds of `version_constraint`, from the SEEDS below.

Each file reads the same two ways:

* the ordinary test (registry-core/tests/fuzz_corpus_versions.rs) splits the bytes at the
  first NUL or newline: VERSION, then CONSTRAINT followed by padding whitespace, which the
  constraint parser trims;
* the fuzz target decodes them with `arbitrary` 1.x (`#[derive(Arbitrary)] struct
  {version: String, constraint: String}`, via `arbitrary_take_rest`): the version's length is
  read from the last one or two bytes, which are chosen among ASCII whitespace bytes and the
  padding sized so that length is exactly len(VERSION); the constraint is the rest, i.e. a
  newline, CONSTRAINT and the padding.
"""

import hashlib

SEEDS = [
    ("1.2.0", "~> 1.2"),
    ("2.0.0", "~> 1.2"),
    ("1.3.0", "~> 1.2.3"),
    ("2.0.0", "~> 1"),
    ("v1.2", ">= 1.0, < 2.0"),
    ("01.002.0003", "1.2.3"),
    ("1.0.0-beta", "~> 1.0"),
    ("1.0.0-beta", "= 1.0.0-beta"),
    ("1.0.0-rc1", ">= 1.0.0-beta"),
    ("1.0.1-rc1", ">= 1.0.0-beta"),
    ("2.1.0", "~> 2.1.0-a"),
    ("2.1.0-beta", "~> 2.1.0-a"),
    ("1.0.0-beta", "!= 1.0.0"),
    ("1.0.0+a", "= 1.0.0+b"),
    ("1.2.3-rc.1+build.5", "<= 1.2.3, > 1.2.3-alpha"),
    ("18446744073709551615.0.0", "> 18446744073709551614"),
    ("1..2", ">= 1"),
    ("1.0.0-01", "!= 1"),
    ("1.0.0", ">== 1"),
    ("1.0.0", ">= 1.0 < 2.0"),
    ("1.0.0", ">=1,<=2,!=1.5,~>1.0"),
    ("1.0.0-\u00e9", "~> 1.0-\u00e9"),
]

WHITESPACE = [0x20, 0x09, 0x0A, 0x0C, 0x0D]


def byte_size(data):
    """`Unstructured::arbitrary_byte_size` from arbitrary 1.x: (size, remaining data)."""
    n = len(data)
    if n == 0:
        return 0, data
    if n == 1:
        return 0, b""
    if n <= 256:
        width, bits = 1, 8
    elif n <= 65537:
        width, bits = 2, 16
    else:
        raise ValueError("seed too long")
    max_size = n - width
    rest, for_size = data[:max_size], data[max_size:]
    delta = max_size
    value, used = 0, 0
    while used < width and (delta >> (used * 8)) > 0:
        value = for_size[used] if width == 1 else (value << 8) | for_size[used]
        used += 1
    offset = value if delta == (1 << bits) - 1 else value % (delta + 1)
    return offset, rest


def take_str(data, size):
    """`arbitrary_str`: the longest valid UTF-8 prefix of the next `size` bytes."""
    chunk = data[:size]
    try:
        text = chunk.decode("utf-8")
        used = size
    except UnicodeDecodeError as err:
        used = err.start
        text = chunk[:used].decode("utf-8")
    return text, data[used:]


def arbitrary_decode(data):
    size, rest = byte_size(data)
    version, rest = take_str(rest, size)
    constraint, _ = take_str(rest, len(rest))
    return version, constraint


def test_decode(data):
    for i, b in enumerate(data):
        if b in (0, 0x0A):
            return (data[:i].decode("utf-8", "replace"), data[i + 1:].decode("utf-8", "replace"))
    return data.decode("utf-8", "replace"), ""


def encode(version, constraint):
    v, c = version.encode(), constraint.encode()
    base = len(v) + 1 + len(c)
    for total in range(base + 1, 65538):
        width = 1 if total <= 256 else 2
        pad = total - width - base
        if pad < 0:
            continue
        choices = [bytes([b]) for b in WHITESPACE] if width == 1 else [
            bytes([a, b]) for a in WHITESPACE for b in WHITESPACE]
        for tail in choices:
            data = v + b"\n" + c + b" " * pad + tail
            if arbitrary_decode(data) == (version, "\n" + constraint + " " * pad):
                assert test_decode(data)[0] == version
                assert test_decode(data)[1].strip(" \t\n\r\x0c") == constraint.strip(" \t\n\r\x0c")
                return data
    raise ValueError(f"no encoding for {version!r} {constraint!r}")


def seeds():
    """The encoded SEEDS, each named by its SHA-1."""
    return {hashlib.sha1(data).hexdigest(): data for data in (encode(v, c) for v, c in SEEDS)}
