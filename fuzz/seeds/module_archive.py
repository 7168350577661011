"""Seeds of `module_archive`: whole uploads, .tar.gz (`tar-gz-*`), bare gzip (`gzip-*`), .zip
(`zip-*`) and neither (`other-*`), valid and refused. `-ok` seeds are meant to be accepted.
The fuzz limits are 64 entries, 128 KiB per file and 256 KiB in total."""

import tarfile

from .archives import (DIRECTORY, EXECUTABLE, SYMLINK, Entry, as_zip64, gz, raw_tar,
                       raw_tar_header, tar, tar_gz, tar_info, zip_bytes)

MAIN = 'variable "cidr" {}\noutput "cidr" { value = var.cidr }\n'
README = "# A module\n"


def tar_seeds():
    link = tar_info("link.tf", kind=tarfile.SYMTYPE, link="main.tf")
    hard = tar_info("hard.tf", kind=tarfile.LNKTYPE, link="main.tf")
    device = tar_info("dev.tf", kind=tarfile.CHRTYPE)
    fifo = tar_info("fifo.tf", kind=tarfile.FIFOTYPE)
    folder = tar_info("modules/", mode=0o755, kind=tarfile.DIRTYPE)
    plain = tar([("main.tf", MAIN), ("README.md", README)])
    sparse = raw_tar([(raw_tar_header(b"main.tf", 4, typeflag=b"S"), b"abcd")])
    return {
        "tar-gz-plain-ok": gz(plain),
        "tar-gz-wrapping-folder-ok": tar_gz([("repo-1.0.0/main.tf", MAIN), ("repo-1.0.0/README.md", README)]),
        "tar-gz-two-wrapping-levels-ok": tar_gz([("a/b/main.tf", MAIN), ("a/b/outputs.tf", MAIN)]),
        "tar-gz-submodule-only-ok": tar_gz([("modules/child/main.tf", MAIN)]),
        "tar-gz-dot-slash-ok": tar_gz([("./main.tf", MAIN), (".//modules//x/./main.tf", MAIN)]),
        "tar-gz-executable-ok": tar_gz([("main.tf", MAIN), ("scripts/run.sh", "#!/bin/sh\n", 0o755)]),
        "tar-gz-directories-ok": tar_gz([folder, ("modules/main.tf", MAIN), ("main.tf", MAIN)]),
        "tar-gz-long-path-ok": tar_gz([("main.tf", MAIN), ("d" * 120 + "/" + "f" * 120 + ".tf", MAIN)]),
        "tar-gz-pax-ok": tar_gz([("main.tf", MAIN), ("p" * 150 + ".tf", MAIN)], fmt=tarfile.PAX_FORMAT),
        "tar-gz-tf-json-ok": tar_gz([("main.tf.json", '{"variable": {"x": {}}}')]),
        "tar-gz-macos-metadata-ok": tar_gz([("main.tf", MAIN), ("._main.tf", "x"), ("__MACOSX/._main.tf", "x"),
                                            (".DS_Store", "x")]),
        "tar-gz-two-members-ok": gz(plain[:512]) + gz(plain[512:]),
        "tar-gz-empty-file-ok": tar_gz([("main.tf", MAIN), ("empty.txt", "")]),
        "tar-gz-no-terraform": tar_gz([("README.md", README)]),
        "tar-gz-only-macos-metadata": tar_gz([("._main.tf", MAIN)]),
        "tar-gz-traversal": tar_gz([("main.tf", MAIN), ("../evil.tf", MAIN)]),
        "tar-gz-absolute": tar_gz([("/etc/main.tf", MAIN)]),
        "tar-gz-backslash": tar_gz([("modules\\x.tf", MAIN)]),
        "tar-gz-drive-prefix": tar_gz([("C:/main.tf", MAIN)]),
        "tar-gz-control-character": tar_gz([("ma\x01in.tf", MAIN)]),
        "tar-gz-symlink": tar_gz([("main.tf", MAIN), link]),
        "tar-gz-hardlink": tar_gz([("main.tf", MAIN), hard]),
        "tar-gz-device": tar_gz([("main.tf", MAIN), device]),
        "tar-gz-fifo": tar_gz([("main.tf", MAIN), fifo]),
        "tar-gz-sparse": gz(sparse),
        "tar-gz-duplicate": tar_gz([("main.tf", MAIN), ("./main.tf", MAIN)]),
        "tar-gz-file-and-folder": tar_gz([("main.tf", MAIN), ("main.tf/x.tf", MAIN)]),
        "tar-gz-too-many-entries": tar_gz([(f"f{i}.tf", "") for i in range(65)]),
        "tar-gz-file-too-large": tar_gz([("main.tf", "\0" * (129 << 10))]),
        "tar-gz-total-too-large": tar_gz([(f"f{i}.tf", "\0" * (100 << 10)) for i in range(3)]),
        "tar-gz-bad-checksum": gz(plain[:148] + b"0000000\0" + plain[156:]),
        "tar-gz-truncated": gz(plain)[: len(gz(plain)) // 2],
        "tar-gz-trailing-garbage": gz(plain) + b"garbage",
        "tar-gz-short-tar": gz(plain[:700]),
        "gzip-not-a-tar": gz(b"hello, this is not a tar archive\n"),
        "gzip-empty": gz(b""),
        "other-plain-tar": plain,
        "other-empty": b"",
        "other-text": b"module \"x\" {}\n",
        "other-gzip-magic-only": b"\x1f\x8b",
    }


def zip_seeds():
    plain = zip_bytes([Entry("main.tf", MAIN), Entry("README.md", README, method=0)])
    return {
        "zip-plain-ok": plain,
        "zip-wrapping-folder-ok": zip_bytes([Entry("repo/", method=0, mode=DIRECTORY),
                                             Entry("repo/main.tf", MAIN), Entry("repo/x.tf", MAIN)]),
        "zip-msdos-attributes-ok": zip_bytes([Entry("main.tf", MAIN, mode=None), Entry("dir/", mode=None)]),
        "zip-executable-ok": zip_bytes([Entry("main.tf", MAIN), Entry("run.sh", "#!/bin/sh\n", mode=EXECUTABLE)]),
        "zip-zip64-ok": as_zip64(plain),
        "zip-comment-ok": plain[:-2] + b"\x07\x00comment",
        "zip-symlink": zip_bytes([Entry("main.tf", MAIN), Entry("link.tf", "main.tf", method=0, mode=SYMLINK)]),
        "zip-socket": zip_bytes([Entry("main.tf", MAIN), Entry("s.tf", "", method=0, mode=0o140755)]),
        "zip-encrypted": zip_bytes([Entry("main.tf", MAIN, flags=0x801)]),
        "zip-bzip2": zip_bytes([Entry("main.tf", MAIN, method=12, raw=b"BZh9")]),
        "zip-duplicate": zip_bytes([Entry("main.tf", MAIN), Entry("main.tf", MAIN)]),
        "zip-size-mismatch": zip_bytes([Entry("main.tf", MAIN, size=len(MAIN) + 10)]),
        "zip-bad-crc": zip_bytes([Entry("main.tf", MAIN, crc=1)]),
        "zip-corrupt-deflate": zip_bytes([Entry("main.tf", MAIN, raw=b"\xff" * 20)]),
        "zip-traversal": zip_bytes([Entry("main.tf", MAIN), Entry("../x.tf", MAIN)]),
        "zip-cp437-name-ok": zip_bytes([Entry("main.tf", MAIN), Entry(b"caf\xe9.tf", MAIN, flags=0)]),
        "zip-total-too-large": zip_bytes([Entry(f"f{i}.tf", "\0" * (100 << 10)) for i in range(3)]),
        "zip-too-many-entries": zip_bytes([Entry(f"f{i}.tf", "", method=0) for i in range(65)]),
        "zip-count-too-large": zip_bytes([Entry("main.tf", MAIN)], count=65),
        "zip-empty": zip_bytes([]),
        "zip-truncated": plain[: len(plain) - 30],
        "zip-local-header-only": plain[:60],
    }


def seeds():
    return {**tar_seeds(), **zip_seeds()}
