"""Provider package zips for the `demo` provider, valid and refused, shared by the
`zip_directory` and `provider_package` seeds. `-ok` packages pass the package check on linux."""

from .archives import DIRECTORY, SYMLINK, Entry, as_zip64, unicode_path_extra, zip_bytes

BINARY = b"\x7fELF" + bytes(range(256)) * 4
EXE = "terraform-provider-demo_v1.0.0"


def zips():
    plain = zip_bytes([Entry(EXE, BINARY, mode=0o100755)])
    with_docs = zip_bytes([Entry("LICENSE", "MIT\n", method=0), Entry(EXE, BINARY), Entry("README.md", "# demo\n")])
    return {
        "plain-ok": plain,
        "with-docs-ok": with_docs,
        "bare-name-ok": zip_bytes([Entry("terraform-provider-demo", BINARY)]),
        "docs-folder-ok": zip_bytes([Entry(EXE, BINARY), Entry("docs/index.md", "x"), Entry("docs/a/b.md", "y")]),
        "msdos-attributes-ok": zip_bytes([Entry(EXE, BINARY, mode=None)]),
        "zip64-ok": as_zip64(with_docs),
        "comment-ok": plain[:-2] + b"\x05\x00hello",
        "directory-entry": zip_bytes([Entry("docs/", method=0, mode=DIRECTORY), Entry(EXE, BINARY)]),
        "symlink": zip_bytes([Entry(EXE, BINARY), Entry("link", EXE, method=0, mode=SYMLINK)]),
        "fifo": zip_bytes([Entry(EXE, BINARY), Entry("pipe", "", method=0, mode=0o010644)]),
        "unknown-file-type": zip_bytes([Entry(EXE, BINARY), Entry("odd", "", method=0, mode=0o170644)]),
        "encrypted": zip_bytes([Entry(EXE, BINARY, flags=0x801)]),
        "bzip2": zip_bytes([Entry(EXE, BINARY, method=12, raw=b"BZh91AY&SY")]),
        "duplicate": zip_bytes([Entry(EXE, BINARY), Entry(EXE, BINARY)]),
        "case-clash": zip_bytes([Entry(EXE, BINARY), Entry("README", "a"), Entry("readme", "b")]),
        "file-and-folder": zip_bytes([Entry(EXE, BINARY), Entry("docs", "a"), Entry("docs/x", "b")]),
        "folder-case-clash": zip_bytes([Entry(EXE, BINARY), Entry("Docs/a", "a"), Entry("docs/b", "b")]),
        "dot-component": zip_bytes([Entry(EXE, BINARY), Entry("./x", "a")]),
        "traversal": zip_bytes([Entry(EXE, BINARY), Entry("../x", "a")]),
        "absolute": zip_bytes([Entry(EXE, BINARY), Entry("/x", "a")]),
        "empty-component": zip_bytes([Entry(EXE, BINARY), Entry("a//b", "a")]),
        "backslash": zip_bytes([Entry(EXE, BINARY), Entry("a\\b", "a")]),
        "colon": zip_bytes([Entry(EXE, BINARY), Entry("a:b", "a")]),
        "newline-name": zip_bytes([Entry(EXE, BINARY), Entry("a\nb", "a")]),
        "empty-name": zip_bytes([Entry(EXE, BINARY), Entry("", "a")]),
        "not-utf8-name": zip_bytes([Entry(EXE, BINARY), Entry(b"caf\xe9", "a", flags=0)]),
        "unicode-path-field": zip_bytes([Entry(EXE, BINARY), Entry("a.txt", "a", extra=unicode_path_extra("a.txt", "b.txt"))]),
        "size-mismatch": zip_bytes([Entry(EXE, BINARY, size=len(BINARY) - 1)]),
        "bad-crc": zip_bytes([Entry(EXE, BINARY, crc=0)]),
        "corrupt-deflate": zip_bytes([Entry(EXE, BINARY, raw=b"\x00\x01\x02" * 10)]),
        "bomb": zip_bytes([Entry(EXE, b"\0" * (3 << 20))]),
        "too-many-entries": zip_bytes([Entry(EXE, BINARY)] + [Entry(f"f{i}", "", method=0) for i in range(64)]),
        "count-lies": zip_bytes([Entry(EXE, BINARY)], count=3),
        "zip64-count-lies": as_zip64(plain, count=1 << 40),
        "empty": zip_bytes([]),
        "truncated": with_docs[:-40],
        "garbage": bytes(range(256)),
        "nothing": b"",
    }
