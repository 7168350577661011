"""Seeds of `shasums`: SHA256SUMS texts, parsed (`-ok`) or refused. Names of packages of
`acme/demo` 1.0.0 also pass the check of a team's own SHA256SUMS; the others only parse."""

import os

A = "0123456789abcdef" * 4
B = "fedcba9876543210" * 4
C = "00112233445566778899aabbccddeeff" * 2
PACKAGE = "terraform-provider-demo_1.0.0_{}.zip"
TESTDATA = os.path.join(os.path.dirname(__file__), "../../registry-core/src/pgp/testdata/SHA256SUMS")


def lines(*pairs, end="\n"):
    return ("\n".join(f"{h}  {n}" for h, n in pairs) + end).encode()


def seeds():
    linux, darwin, windows = (PACKAGE.format(p) for p in ("linux_amd64", "darwin_arm64", "windows_amd64"))
    with open(TESTDATA, "rb") as f:
        testdata = f.read()
    return {
        "release-ok": lines((A, darwin), (B, linux), (C, windows)),
        "unsorted-ok": lines((B, linux), (A, darwin)),
        "no-final-newline-ok": lines((A, linux), end=""),
        "other-version-ok": testdata,
        "not-a-package-ok": lines((A, "a.zip")),
        "bad-platform-ok": lines((A, PACKAGE.format("Linux_amd64"))),
        "no-platform-ok": lines((A, "terraform-provider-demo_1.0.0.zip")),
        "unicode-name-ok": lines((A, "caf\u00e9.zip")),
        "empty": b"",
        "newline-only": b"\n",
        "blank-line": lines((A, linux)) + b"\n" + lines((B, darwin)),
        "two-final-newlines": lines((A, linux)) + b"\n",
        "crlf": lines((A, linux), (B, darwin)).replace(b"\n", b"\r\n"),
        "binary-marker": f"{A} *{linux}\n".encode(),
        "star-name": f"{A}  *{linux}\n".encode(),
        "upper-case-hex": lines((A.upper(), linux)),
        "short-hex": lines((A[:63], linux)),
        "long-hex": lines((A + "0", linux)),
        "one-space": f"{A} {linux}\n".encode(),
        "three-spaces": f"{A}   {linux}\n".encode(),
        "tab": f"{A}\t{linux}\n".encode(),
        "space-in-name": lines((A, "a b.zip")),
        "slash-in-name": lines((A, "dir/" + linux)),
        "backslash-in-name": lines((A, "dir\\" + linux)),
        "control-in-name": lines((A, "a\x7fb.zip")),
        "no-name": f"{A}  \n".encode(),
        "hash-only": f"{A}\n".encode(),
        "duplicate": lines((A, linux), (B, linux)),
        "not-utf8-name": f"{A}  ".encode() + b"caf\xe9.zip\n",
        "multibyte-in-hex": (A[:63] + "\u00e9  a.zip\n").encode(),
    }
