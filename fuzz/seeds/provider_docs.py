"""Seeds of `provider_docs`: provider documentation bundles, .zip and .tar.gz, in the
tfplugindocs layout; `-ok` seeds are meant to be accepted. The fuzz limits are 64 entries,
128 KiB per file and 256 KiB in total."""

import tarfile

from .archives import Entry, tar_gz, tar_info, zip_bytes

INDEX = '---\npage_title: "Provider: Acme"\ndescription: |-\n  The Acme provider.\n---\n\n# Acme\n\nManages [things](https://example.com).\n'
RESOURCE = '---\npage_title: "acme_thing Resource - acme"\nsubcategory: "Things"\n---\n\n# acme_thing\n\n| a | b |\n|---|---|\n| 1 | 2 |\n'
HOSTILE = '# x\n\n<script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a>\n'


def seeds():
    pages = [("docs/index.md", INDEX), ("docs/resources/thing.md", RESOURCE), ("docs/data-sources/info.md", "# info\n")]
    return {
        "tar-gz-layout-ok": tar_gz(pages),
        "zip-layout-ok": zip_bytes([Entry(name, text.encode()) for name, text in pages]),
        "tar-gz-guides-and-functions-ok": tar_gz(
            [("docs/guides/getting-started.md", "# Start\n"), ("docs/functions/parse.md", "no heading")]
        ),
        "tar-gz-legacy-extension-ok": tar_gz([("docs/index.html.markdown", "# Old style\n")]),
        "tar-gz-hostile-html-ok": tar_gz([("docs/index.md", HOSTILE)]),
        "tar-gz-unclosed-front-matter-ok": tar_gz([("docs/index.md", "---\npage_title: x\n# never closed\n")]),
        "tar-gz-images-skipped-ok": tar_gz([("docs/index.md", INDEX), ("docs/images/logo.png", b"\x89PNG")]),
        "tar-gz-no-pages": tar_gz([("README.md", "x"), ("docs/resources/deep/x.md", "x")]),
        "tar-gz-unknown-category": tar_gz([("docs/widgets/x.md", "x")]),
        "tar-gz-not-utf8": tar_gz([("docs/index.md", b"\xff\xfe")]),
        "tar-gz-escape": tar_gz([("../docs/index.md", "x")]),
        "tar-gz-symlink": tar_gz([tar_info("docs/index.md", kind=tarfile.SYMTYPE, link="/etc/passwd")]),
        "zip-duplicate": zip_bytes([Entry("docs/index.md", b"a"), Entry("docs/index.md", b"b")]),
        "other-not-an-archive": b"docs/index.md",
    }
