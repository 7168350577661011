"""Seeds of `identity`: a selector byte (the index in `tfreg_core::fuzzing::IDENTITY_INPUTS`)
and the input: exchange bodies (an OIDC token; an AWS caller's signed GetCallerIdentity request
in Vault's `iam_*` fields, base64 of the URL, body and JSON headers), answers of AWS STS (as
AWS's API reference shows them), and JWT payloads. `-ok` seeds are accepted."""

import base64
import json

EXCHANGE, STS, PAYLOAD = range(3)

BODY = "Action=GetCallerIdentity&Version=2011-06-15"
SIGNED = "content-type;host;x-amz-date;x-amz-security-token;x-tfreg-audience"


def doc(kind, value):
    text = value if isinstance(value, (str, bytes)) else json.dumps(value)
    return bytes([kind]) + (text.encode() if isinstance(text, str) else text)


def b64(text):
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def headers(audience="registry.example.com", signed=SIGNED, host="sts.amazonaws.com", **extra):
    value = {
        "Authorization": [f"AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20261203/us-east-1/sts/aws4_request, SignedHeaders={signed}, Signature=0123abcd"],
        "Content-Type": ["application/x-www-form-urlencoded; charset=utf-8"],
        "Host": [host],
        "X-Amz-Date": ["20261203T101500Z"],
        "X-Amz-Security-Token": ["FwoGZXIvYXdzEXAMPLE"],
        "X-Tfreg-Audience": [audience],
    }
    value.update(extra)
    return value


def aws(url="https://sts.amazonaws.com/", body=BODY, hdrs=None, method="POST"):
    return doc(EXCHANGE, {
        "iam_http_request_method": method, "iam_request_url": b64(url), "iam_request_body": b64(body),
        "iam_request_headers": b64(json.dumps(hdrs if hdrs is not None else headers())),
    })


def jwt(payload):
    part = lambda v: base64.urlsafe_b64encode(json.dumps(v).encode()).decode().rstrip("=")
    return f"{part({'alg': 'RS256', 'kid': 'k1'})}.{part(payload)}.c2lnbmF0dXJl"


ANSWER = """<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>{arn}</Arn>
    <UserId>{user}</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"""


def seeds():
    github = {"iss": "https://token.actions.githubusercontent.com", "aud": "tfreg",
              "sub": "repo:acme/terraform-aws-network:ref:refs/tags/v1.2.0",
              "repository": "acme/terraform-aws-network", "ref": "refs/tags/v1.2.0", "exp": 1800000000}
    return {
        "exchange-token-ok": doc(EXCHANGE, {"token": jwt(github)}),
        "exchange-token-no-issuer": doc(EXCHANGE, {"token": jwt({"sub": "x"})}),
        "exchange-token-not-jwt": doc(EXCHANGE, {"token": "not-a-jwt"}),
        "exchange-token-bad-base64": doc(EXCHANGE, {"token": "a.%%%.c"}),
        "exchange-aws-ok": aws(),
        "exchange-aws-regional-ok": aws("https://sts.eu-west-1.amazonaws.com/", hdrs=headers(host="sts.eu-west-1.amazonaws.com")),
        "exchange-aws-no-host-header-ok": aws(hdrs={k: v for k, v in headers().items() if k != "Host"}),
        "exchange-aws-single-values-ok": aws(hdrs={k: v[0] for k, v in headers().items()}),
        "exchange-aws-other-host": aws("https://sts.evil.example/"),
        "exchange-aws-http": aws("http://sts.amazonaws.com/"),
        "exchange-aws-port": aws("https://sts.amazonaws.com:8443/"),
        "exchange-aws-userinfo": aws("https://user@sts.amazonaws.com/"),
        "exchange-aws-query": aws("https://sts.amazonaws.com/?Action=AssumeRole"),
        "exchange-aws-suffix-trick": aws("https://sts.amazonaws.com.evil.example/"),
        "exchange-aws-other-action": aws(body="Action=AssumeRole&Version=2011-06-15"),
        "exchange-aws-extra-param": aws(body=BODY + "&RoleArn=arn:aws:iam::1:role/x"),
        "exchange-aws-duplicate-action": aws(body="Action=GetCallerIdentity&Action=GetCallerIdentity"),
        "exchange-aws-get": aws(method="GET"),
        "exchange-aws-audience-unsigned": aws(hdrs=headers(signed="content-type;host;x-amz-date")),
        "exchange-aws-audience-empty": aws(hdrs=headers(audience="")),
        "exchange-aws-no-sigv4": aws(hdrs={"X-Tfreg-Audience": ["registry.example.com"]}),
        "exchange-aws-sigv2": aws(hdrs=headers(Authorization=["AWS AKIAEXAMPLE:c2ln"])),
        "exchange-aws-host-mismatch": aws(hdrs=headers(host="sts.evil.example")),
        "exchange-aws-two-values": aws(hdrs=headers(**{"X-Tfreg-Audience": ["a", "b"]})),
        "exchange-aws-bad-header-name": aws(hdrs=headers(**{"Bad Header": ["x"]})),
        "exchange-aws-newline-value": aws(hdrs=headers(**{"X-Extra": ["a\r\nInjected: 1"]})),
        "exchange-aws-headers-array": doc(EXCHANGE, {"iam_request_url": b64("https://sts.amazonaws.com/"), "iam_request_body": b64(BODY), "iam_request_headers": b64("[1]")}),
        "exchange-aws-not-base64": doc(EXCHANGE, {"iam_request_url": "%%%", "iam_request_body": "", "iam_request_headers": ""}),
        "exchange-aws-missing-body": doc(EXCHANGE, {"iam_request_url": b64("https://sts.amazonaws.com/")}),
        "exchange-aws-huge-body": doc(EXCHANGE, {"iam_request_url": b64("https://sts.amazonaws.com/"), "iam_request_body": b64("A" * 4096), "iam_request_headers": b64("{}")}),
        "exchange-unknown-field": doc(EXCHANGE, {"token": "x", "role": "admin"}),
        "exchange-empty": doc(EXCHANGE, ""),
        "exchange-not-json": doc(EXCHANGE, b"\xff\xfe"),
        "sts-assumed-role-ok": doc(STS, ANSWER.format(arn="arn:aws:sts::123456789012:assumed-role/ci-publisher/job-42", user="AROACLKWSDQRAOEXAMPLE:job-42")),
        "sts-user-ok": doc(STS, ANSWER.format(arn="arn:aws:iam::123456789012:user/Alice", user="AIDACKCEVSQ6C2EXAMPLE")),
        "sts-gov-ok": doc(STS, ANSWER.format(arn="arn:aws-us-gov:sts::123456789012:assumed-role/r/s", user="AROA:s")),
        "sts-role-without-session-ok": doc(STS, ANSWER.format(arn="arn:aws:sts::123456789012:assumed-role/r", user="AROA")),
        "sts-missing-arn": doc(STS, "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"),
        "sts-error-document": doc(STS, "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>no</Message></Error></ErrorResponse>"),
        "sts-not-xml": doc(STS, "{\"Arn\": \"x\"}"),
        "sts-truncated": doc(STS, ANSWER.format(arn="arn:aws:sts::1:assumed-role/r/s", user="u")[:120]),
        "sts-entity": doc(STS, "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><GetCallerIdentityResponse><GetCallerIdentityResult><Arn>&e;</Arn><UserId>u</UserId><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"),
        "payload-ok": doc(PAYLOAD, github),
        "payload-gitlab-ok": doc(PAYLOAD, {"iss": "https://gitlab.com", "project_path": "acme/x", "ref_type": "tag"}),
        "payload-issuer-number": doc(PAYLOAD, {"iss": 5}),
        "payload-no-issuer": doc(PAYLOAD, {"sub": "x"}),
        "payload-not-json": doc(PAYLOAD, b"\x00\x01"),
        "payload-array": doc(PAYLOAD, [1, 2]),
    }
