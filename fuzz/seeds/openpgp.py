"""Seeds of `openpgp`: the test keys and gpg signatures of registry-core/src/pgp/testdata/ as
they are (`-ok`: keys that load, signatures that verify over that folder's SHA256SUMS), keys
Terraform cannot use, and broken armor and packets."""

import os

TESTDATA = os.path.join(os.path.dirname(__file__), "../../registry-core/src/pgp/testdata")


def read(name):
    with open(os.path.join(TESTDATA, name), "rb") as f:
        return f.read()


def seeds():
    public = read("gpg-rsa-public.asc")
    secret = read("signing-key.asc")
    signature = read("gpg-SHA256SUMS.sig")
    armored_signature = read("gpg-SHA256SUMS.sig.asc")
    body = public.split(b"\n\n", 1)
    crc = public.rstrip().split(b"\n")[-2]
    flipped = bytearray(signature)
    flipped[-5] ^= 0x10
    return {
        "public-key-ok": public,
        "secret-key-ok": secret,
        "secret-key-with-subkeys-ok": read("gpg-rsa-secret.asc"),
        "other-secret-key-ok": read("other-signing-key.asc"),
        "signature-ok": signature,
        "armored-signature-ok": armored_signature,
        "armored-signature-crlf-ok": armored_signature.replace(b"\n", b"\r\n"),
        "public-key-with-header-ok": body[0] + b"\nComment: hi\n\n" + body[1],
        "revoked-key": read("gpg-rsa-revoked-public.asc"),
        "ed25519-key": read("gpg-ed25519-public.asc"),
        # rPGP does not check the armor's CRC-24; the registry armors keys again before serving them.
        "public-key-bad-crc-ok": public.replace(crc, b"=AAAA"),
        "public-key-truncated": public[: len(public) // 2] + b"\n-----END PGP PUBLIC KEY BLOCK-----\n",
        "public-key-wrong-label": public.replace(b"PUBLIC KEY BLOCK", b"SIGNATURE"),
        "secret-key-as-public": secret.replace(b"PRIVATE KEY BLOCK", b"PUBLIC KEY BLOCK"),
        "public-key-as-secret": public.replace(b"PUBLIC KEY BLOCK", b"PRIVATE KEY BLOCK"),
        "signature-flipped-byte": bytes(flipped),
        "signature-truncated": signature[:-20],
        "signature-twice-ok": signature + signature,
        "armor-header-only": b"-----BEGIN PGP SIGNATURE-----\n\n-----END PGP SIGNATURE-----\n",
        "empty": b"",
        "garbage": bytes(range(256)),
        "old-packet-tag-only": b"\x88",
    }
