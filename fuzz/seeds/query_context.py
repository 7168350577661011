"""Seeds of `query_context`: the Host header, a newline, the X-Forwarded-Proto header, a
newline, and the request target. `-ok` targets make a URI."""


def seed(host, proto, target):
    def b(x):
        return x if isinstance(x, bytes) else x.encode()
    return b(host) + b"\n" + b(proto) + b"\n" + b(target)


def seeds():
    return {
        "discovery-ok": seed("registry.example.com", "", "/.well-known/terraform.json"),
        "port-ok": seed("127.0.0.1:8443", "", "/v1/modules/acme/vpc/aws/versions"),
        "forwarded-http-ok": seed("registry.example.com", "http, https", "/v1/providers/acme/demo/versions"),
        "forwarded-odd-ok": seed("r", " HTTP ", "/"),
        "http2-authority-ok": seed("", "", "https://127.0.0.1:8443/v1/x?y=1"),
        "authority-and-host-ok": seed("other:1", "", "http://registry.example.com/v1/x"),
        "query-ok": seed("h", "", "/v1/modules/a/b/c/versions?constraint=%3E%3D+1.0%2C+%3C+2.0&protocols=5.0%2C6.0&empty="),
        "signed-ok": seed("h", "", "/v1/archives/x.tar.gz?expires=2000000000&signature=abc-_"),
        "repeated-names-ok": seed("h", "", "/x?a=1&a=2&&=&b"),
        "bad-escapes-ok": seed("h", "", "/x?a=%zz&b=%ff%fe&c=%"),
        "plus-and-semicolon-ok": seed("h", "", "/x?a=b+c;d=e"),
        "non-ascii-host-ok": seed(b"caf\xc3\xa9", "", "/x"),
        "obs-text-host-ok": seed(b"h\xff", "", "/x"),
        "empty-host-ok": seed("", "https", "/x"),
        "star-ok": seed("h", "", "*"),
        "authority-form-ok": seed("h", "", "example.com:443"),
        "no-target": seed("h", "", ""),
        "space-in-target": seed("h", "", "/a b?c=d e"),
        "non-ascii-target-ok": seed("h", "", "/caf\u00e9?q=\u00e9"),
        # http::Uri drops a fragment, and lets bytes past ASCII through.
        "fragment-ok": seed("h", "", "/x#frag"),
        "bad-scheme": seed("h", "", "ht tp://x/"),
        "no-newlines": b"just some text",
    }
