"""Seeds of `module_docs`: files separated by NUL bytes, each its path, a newline and its
contents. Those read whole end in `-ok`; the others name a problem (HCL or JSON that does not
parse, text that is not UTF-8, nesting too deep)."""

VARIABLES = """variable "name" {
  description = "Name"
  type        = string
}
variable "subnets" {
  description = <<-EOT
    Subnets.
  EOT
  type = list(object({
    cidr = string
    zone = optional(string, "a")
  }))
  default = []
}
variable "password" {
  type      = string
  sensitive = true
  nullable  = false
  validation {
    condition     = length(var.password) > 8
    error_message = "Too short."
  }
}
"""

MAIN = """terraform {
  required_version = ">= 1.3"
  required_providers {
    aws    = { source = "hashicorp/aws", version = "~> 5.0" }
    random = "~> 3.0"
  }
}
module "subnets" {
  for_each = var.zones
  source   = "./modules/subnet"
}
resource "aws_vpc" "this" {
  cidr_block = var.cidr
}
data "aws_region" "current" {}
output "id" {
  description = "The id"
  value       = aws_vpc.this.id
  sensitive   = true
}
"""

JSON = """{"variable": {"region": {"type": "string", "default": "eu-west-1"}, "sizes": {"default": {"a": [1, 2]}}},
 "output": {"arn": {"value": "${aws_s3_bucket.b.arn}"}},
 "module": {"net": {"source": "acme/net/aws", "version": "~> 1.0"}},
 "resource": {"aws_s3_bucket": {"b": {}}},
 "data": [{"aws_caller_identity": {"me": {}}}],
 "terraform": [{"required_providers": {"aws": {"source": "hashicorp/aws"}}}]}"""

README = """# Net

A *network* module. | a | b |
|---|---|
| 1 | 2 |

<script>alert(1)</script> <a href="javascript:alert(1)" onclick="x()">bad</a> [ok](https://example.com)
"""


def files(*pairs):
    return b"\0".join(f"{path}\n{text}".encode() for path, text in pairs)


def seeds():
    return {
        "variables-ok": files(("variables.tf", VARIABLES)),
        "main-ok": files(("main.tf", MAIN)),
        "json-ok": files(("main.tf.json", JSON)),
        "readme-ok": files(("README.md", README), ("main.tf", "")),
        "parts-ok": files(
            ("main.tf", MAIN),
            ("modules/subnet/main.tf", 'variable "zone" {}\n'),
            ("modules/subnet/README.md", "Subnet"),
            ("examples/basic/main.tf", 'module "net" {\n  source = "../.."\n}\n'),
            ("modules/deep/er/ignored.tf", 'variable "x" {}\n'),
        ),
        "bare-contents-ok": VARIABLES.encode(),
        # Found by the fuzzer: a control character inside the scheme (no scheme, a relative link).
        "readme-control-in-scheme-ok": files(
            ("README.md", '<a href="javascrip\x06\x06t:alert(1)">x</a>\n'), ("main.tf", "")
        ),
        # Found by the fuzzer: a relative link whose path says javascript:.
        "readme-relative-link-ok": files(
            ("README.md", '<a href=bbbb"javascript:a<:variable/script> x</a>\n'), ("main.tf", "")
        ),
        # Found by the fuzzer: a malformed tag stays text, escaped, with `javascript:` in it.
        "readme-malformed-tag-ok": files(
            ("README.md", 'x</script> <a href="javascript:al"1ret() onclick="x()">bad</a>\n'), ("main.tf", "")
        ),
        "no-variables-ok": files(("main.tf", "locals {\n  a = 1\n}\n")),
        "broken-hcl": files(("main.tf", 'variable "a" {\n  type = \n')),
        "broken-json": files(("main.tf.json", '{"variable": ')),
        "not-utf8": files(("main.tf", "x")) + b"\xff\xfe",
        "deep-brackets": files(("main.tf", "locals {\n  x = " + "[" * 5000 + "]" * 5000 + "\n}\n")),
        "deep-json": files(("main.tf.json", '{"variable": {"v": {"default": ' + "[" * 500 + "]" * 500 + "}}}")),
    }
