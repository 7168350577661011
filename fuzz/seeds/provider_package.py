"""Seeds of `provider_package`: a selector byte (platform = byte % 3: linux_amd64,
windows_amd64, darwin_arm64; most bytes per read = 1 + byte / 3 % 64) and a provider package
zip of the `demo` provider."""

from .archives import Entry, zip_bytes
from .packages import BINARY, EXE, zips

LINUX, WINDOWS, DARWIN = 0, 1, 2


def selector(platform, read_size):
    return bytes([platform + 3 * (read_size - 1)])


def seeds():
    out = {name: selector(LINUX, 64) + zip for name, zip in zips().items()}
    out["plain-ok"] = selector(LINUX, 1) + zips()["plain-ok"]
    out["with-docs-ok"] = selector(DARWIN, 7) + zips()["with-docs-ok"]
    windows = {
        "windows-ok": zip_bytes([Entry(EXE + ".exe", BINARY)]),
        "windows-bare-ok": zip_bytes([Entry("terraform-provider-demo.exe", BINARY)]),
        "windows-without-exe": zip_bytes([Entry(EXE, BINARY)]),
    }
    out.update({name: selector(WINDOWS, 13) + zip for name, zip in windows.items()})
    others = {
        "linux-exe-suffix-ok": zip_bytes([Entry(EXE + ".exe", BINARY)]),
        "shadowed": zip_bytes([Entry("terraform-provider-demo.sh", "#!/bin/sh\n"), Entry(EXE, BINARY)]),
        "in-a-folder": zip_bytes([Entry("bin/" + EXE, BINARY)]),
        "other-type": zip_bytes([Entry("terraform-provider-other_v1.0.0", BINARY)]),
        "no-executable": zip_bytes([Entry("README.md", "hi\n")]),
        "prefix-only": zip_bytes([Entry("terraform-provider-demox", BINARY)]),
        "seventeen-entries": zip_bytes([Entry(EXE, BINARY)] + [Entry(f"f{i}", "", method=0) for i in range(16)]),
    }
    out.update({name: selector(LINUX, 2) + zip for name, zip in others.items()})
    out["no-selector"] = b""
    return out
