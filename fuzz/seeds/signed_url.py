"""Seeds of `signed_url`: a mask byte, the expiry and the time of the check (8 bytes each,
big-endian), the path, a newline and the query. `-ok` queries are signed with the fuzz key
(32 bytes of 7) for their path and unexpired at the time of the check."""

import base64
import hashlib
import hmac
import struct

KEY = bytes([7] * 32)
ARCHIVE = "/v1/archives/acme/vpc/aws/1.0.0/0123abcd.tar.gz"
UPLOAD = "/v1/uploads/00112233445566778899aabbccddeeff"
EXPIRES, NOW = 2_000_000_000, 1_900_000_000


def signature(path, expires):
    mac = hmac.new(KEY, path.encode() + b"\n" + struct.pack(">Q", expires), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def signed(path, expires=EXPIRES):
    return f"expires={expires}&signature={signature(path, expires)}"


def seed(path, query, now=NOW, expires=EXPIRES, mask=0x20):
    head = bytes([mask]) + struct.pack(">QQ", expires, now)
    return head + path.encode() + (b"" if query is None else b"\n" + query.encode())


def seeds():
    good = signed(ARCHIVE)
    sig = signature(ARCHIVE, EXPIRES)
    return {
        "archive-ok": seed(ARCHIVE, good),
        "upload-ok": seed(UPLOAD, signed(UPLOAD), mask=0x41),
        "expires-now-ok": seed(ARCHIVE, good, now=EXPIRES),
        "reordered-ok": seed(ARCHIVE, f"signature={sig}&expires={EXPIRES}&x=1"),
        "encoded-expires-ok": seed(ARCHIVE, f"expires=%32{str(EXPIRES)[1:]}&signature={sig}"),
        "unicode-path-ok": seed("/v1/archives/caf\u00e9", signed("/v1/archives/caf\u00e9")),
        "longest-expiry-ok": seed(ARCHIVE, signed(ARCHIVE, 2**64 - 1), expires=2**64 - 1),
        "expired": seed(ARCHIVE, good, now=EXPIRES + 1),
        "other-path": seed(ARCHIVE + "x", good),
        "other-expiry": seed(ARCHIVE, good.replace(str(EXPIRES), str(EXPIRES + 1))),
        "padded-signature": seed(ARCHIVE, good + "="),
        "standard-base64": seed(ARCHIVE, f"expires={EXPIRES}&signature={sig.replace('-', '+').replace('_', '/')}"),
        "first-expiry-wins": seed(ARCHIVE, f"expires=1&{good}"),
        "no-signature": seed(ARCHIVE, f"expires={EXPIRES}"),
        "no-expiry": seed(ARCHIVE, f"signature={sig}"),
        "bad-base64": seed(ARCHIVE, f"expires={EXPIRES}&signature=%%%"),
        "negative-expiry": seed(ARCHIVE, f"expires=-1&signature={sig}"),
        "no-query": seed(ARCHIVE, None),
        "empty-query": seed(ARCHIVE, ""),
        "empty-path": seed("", good),
        "short": b"\x00\x01\x02",
    }
