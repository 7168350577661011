"""Seeds of `lambda_event`: Lambda event JSON, from the adapter's fixtures
(adapter-lambda/tests/data/) and variants of them. `-ok` events parse and convert with stage
stripping (the conversion refuses bodies over 4 KiB)."""

import base64
import copy
import json
import os

DATA = os.path.join(os.path.dirname(__file__), "../../adapter-lambda/tests/data")


def fixture(name):
    with open(os.path.join(DATA, name)) as f:
        text = f.read()
    body = b"module archive bytes"
    text = text.replace("__BODY_BASE64__", base64.b64encode(body).decode())
    return json.loads(text.replace("__CONTENT_LENGTH__", str(len(body))))


def dump(event):
    return json.dumps(event, separators=(",", ":")).encode()


def v2(event, raw_path, raw_query="", method="GET", stage=None):
    event = copy.deepcopy(event)
    event["rawPath"], event["rawQueryString"] = raw_path, raw_query
    event["requestContext"]["http"].update(method=method, path=raw_path)
    if stage is not None:
        event["requestContext"]["stage"] = stage
    return event


def rest(event, path, context_path, query=None, method="GET"):
    event = copy.deepcopy(event)
    event["path"], event["httpMethod"] = path, method
    event["requestContext"].update(path=context_path, httpMethod=method)
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = None if query is None else {k: [v] for k, v in query.items()}
    return event


def seeds():
    names = sorted(n for n in os.listdir(DATA) if n.endswith(".json"))
    out = {n[:-5] + "-ok": dump(fixture(n)) for n in names}
    http, live = fixture("apigw-http-default.json"), fixture("apigw-http-live-stage-in-path.json")
    rest_live, alb = fixture("apigw-rest-live.json"), fixture("alb.json")
    url = fixture("function-url.json")
    big = v2(http, "/v1/uploads/00", method="PUT")
    big["body"], big["isBase64Encoded"] = "x" * (5 << 10), False
    alb_query = copy.deepcopy(alb)
    alb_query["queryStringParameters"] = {"constraint": ">= 1.0, < 2.0", "a&b": "c=d+e%", "protocols": "5.0,6.0"}
    out.update({
        "http-stage-only-ok": dump(v2(live, "/live")),
        "http-stage-prefix-of-segment-ok": dump(v2(live, "/lively/v1/x")),
        "http-query-ok": dump(v2(http, "/v1/modules/acme/vpc/aws/versions", "a=1&b=%2C&c")),
        "http-encoded-path-ok": dump(v2(http, "/v1/caf\u00e9 x\"<>`{}")),
        "http-pipe-in-path-ok": dump(v2(http, "/v1/a|b^c#?")),
        "http-relative-path-ok": dump(v2(http, "v1/modules")),
        "http-double-slash-ok": dump(v2(live, "/live//v1/x")),
        "http-empty-path-ok": dump(v2(http, "")),
        "http-special-stage-ok": dump(v2(live, "/a b/v1/x", stage="a b")),
        "lambda-http-panics-on-space-in-query": dump(v2(http, "/v1/x", "a=\u00e9 b")),
        "http-too-large": dump(big),
        "rest-stripped-ok": dump(rest(rest_live, "/v1/x", "/live/v1/x", {"upload": "abc", "q": "1 2"})),
        "rest-stage-named-path-ok": dump(rest(rest_live, "/live/x", "/live/live/x")),
        "rest-unstripped-ok": dump(rest(rest_live, "/live/v1/x", "/live/v1/x")),
        "alb-query-ok": dump(alb_query),
        "url-post-ok": dump(v2(url, "/v1/tokens", method="POST")),
        "url-bad-method": dump(v2(url, "/v1/tokens", method="G ET")),
        "lambda-http-panics-on-bad-base64": dump({**http, "body": "%%%", "isBase64Encoded": True}),
        "not-an-event": b"{}",
        "array": b"[]",
        "not-json": b"GET / HTTP/1.1\r\n",
        "empty": b"",
    })
    return out
