locals {
  prefix       = trim(var.storage_prefix, "/")
  object_scope = local.prefix == "" ? "*" : "${local.prefix}/*"
  has_domain   = var.domain_name != null
  public_url   = local.has_domain ? "https://${var.domain_name}" : null
  storage_url  = local.prefix == "" ? "s3://${aws_s3_bucket.data.id}" : "s3://${aws_s3_bucket.data.id}/${local.prefix}"

  # The function's configuration, but the master token (see examples/src/lambda_main.rs for every
  # variable).
  environment = {
    TFREG_STORAGE          = local.storage_url
    TFREG_PUBLIC_URL       = local.public_url
    TFREG_HOSTNAMES        = var.domain_name
    TFREG_ANONYMOUS_READ   = var.anonymous_read ? "true" : "false"
    TFREG_MAX_UPLOAD_BYTES = tostring(var.max_upload_bytes)
    TFREG_LOG              = var.log_level

    # Upload sessions: at most what /tmp can hold beside the function's own files.
    TFREG_MAX_SESSION_UPLOAD_BYTES = tostring((var.ephemeral_storage_mb - 64) * 1048576)
  }
}

# ---------------------------------------------------------------------------------------------
# The store: every module, provider, token record and audit entry lives here. Versioning keeps
# overwritten version indexes recoverable; nothing in the bucket is public (downloads go through
# presigned URLs the function makes).

resource "aws_s3_bucket" "data" {
  bucket        = var.bucket_name
  bucket_prefix = var.bucket_name == null ? "${var.name}-data-" : null
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    id     = "expire-old-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  # Upload sessions (large files PUT straight to the bucket by presigned URL) are removed by the
  # registry once used or expired; this is the backstop for any it could not remove.
  rule {
    id     = "expire-abandoned-uploads"
    status = "Enabled"

    filter {
      prefix = local.prefix == "" ? "uploads/" : "${local.prefix}/uploads/"
    }

    expiration {
      days = 2
    }

    noncurrent_version_expiration {
      noncurrent_days = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.data]
}

data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = data.aws_iam_policy_document.bucket.json

  depends_on = [aws_s3_bucket_public_access_block.data]
}

# ---------------------------------------------------------------------------------------------
# The master token, kept in Secrets Manager (read it with `aws secretsmanager get-secret-value`).
# The function gets it through its environment: see "The master token" in README.md for why, and
# for the alternative.

resource "random_password" "master_token" {
  count   = var.master_token == null ? 1 : 0
  length  = 48
  special = false
}

resource "aws_secretsmanager_secret" "master_token" {
  name_prefix             = "${var.name}-master-token-"
  description             = "The master token of the tfreg registry ${var.name}."
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "aws_secretsmanager_secret_version" "master_token" {
  secret_id     = aws_secretsmanager_secret.master_token.id
  secret_string = var.master_token != null ? var.master_token : random_password.master_token[0].result
}

# ---------------------------------------------------------------------------------------------
# The function's role: write its own logs, and read and write objects under the registry's
# prefix (listing limited to it). Nothing else.

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "function" {
  name_prefix        = "${var.name}-"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "function" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function.arn}:*"]
  }

  statement {
    sid       = "Objects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.data.arn}/${local.object_scope}"]
  }

  statement {
    sid       = "ListUnderThePrefix"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.data.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [local.object_scope]
    }
  }
}

resource "aws_iam_role_policy" "function" {
  name   = "registry"
  role   = aws_iam_role.function.id
  policy = data.aws_iam_policy_document.function.json
}

# ---------------------------------------------------------------------------------------------
# The function.

resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "registry" {
  function_name    = var.name
  description      = "tfreg, a private Terraform registry"
  role             = aws_iam_role.function.arn
  filename         = var.lambda_zip
  source_code_hash = filebase64sha256(var.lambda_zip)
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = ["arm64"]
  memory_size      = var.memory_size
  timeout          = var.timeout

  # Publishing a file from an upload session copies it to /tmp to check it.
  ephemeral_storage {
    size = var.ephemeral_storage_mb
  }

  reserved_concurrent_executions = var.reserved_concurrency

  environment {
    # Unset variables are left out rather than given as empty strings; the token is added apart
    # from them, as a sensitive value.
    variables = merge(
      { for name, value in local.environment : name => value if value != null },
      { TFREG_MASTER_TOKEN = aws_secretsmanager_secret_version.master_token.secret_string },
    )
  }

  depends_on = [
    aws_cloudwatch_log_group.function,
    aws_iam_role_policy.function,
  ]
}

# ---------------------------------------------------------------------------------------------
# The HTTP API: one $default route on the $default stage, so paths reach the function as
# clients write them (no stage prefix) and /.well-known/terraform.json is at the root.

resource "aws_apigatewayv2_api" "registry" {
  name                         = var.name
  protocol_type                = "HTTP"
  description                  = "tfreg, a private Terraform registry"
  disable_execute_api_endpoint = local.has_domain && var.disable_execute_api_endpoint
}

resource "aws_apigatewayv2_integration" "function" {
  api_id                 = aws_apigatewayv2_api.registry.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.registry.invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 30000
}

resource "aws_apigatewayv2_route" "default" {
  api_id    = aws_apigatewayv2_api.registry.id
  route_key = "$default"
  target    = "integrations/${aws_apigatewayv2_integration.function.id}"
}

resource "aws_cloudwatch_log_group" "api" {
  name              = "/aws/apigateway/${var.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.registry.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_burst_limit = var.throttling_burst_limit
    throttling_rate_limit  = var.throttling_rate_limit
  }

  # No query strings in the access log: download links carry their signatures there.
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api.arn
    format = jsonencode({
      requestId          = "$context.requestId"
      ip                 = "$context.identity.sourceIp"
      requestTime        = "$context.requestTime"
      httpMethod         = "$context.httpMethod"
      path               = "$context.path"
      status             = "$context.status"
      responseLength     = "$context.responseLength"
      integrationLatency = "$context.integrationLatency"
      integrationError   = "$context.integrationErrorMessage"
      userAgent          = "$context.identity.userAgent"
    })
  }
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowInvokeFromHttpApi"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.registry.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.registry.execution_arn}/*/*"
}

# ---------------------------------------------------------------------------------------------
# The optional custom domain, mapped at its root.

resource "aws_apigatewayv2_domain_name" "registry" {
  count       = local.has_domain ? 1 : 0
  domain_name = var.domain_name

  domain_name_configuration {
    certificate_arn = var.certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }
}

resource "aws_apigatewayv2_api_mapping" "registry" {
  count       = local.has_domain ? 1 : 0
  api_id      = aws_apigatewayv2_api.registry.id
  domain_name = aws_apigatewayv2_domain_name.registry[0].id
  stage       = aws_apigatewayv2_stage.default.id
}

resource "aws_route53_record" "registry" {
  count   = local.has_domain && var.route53_zone_id != null ? 1 : 0
  zone_id = var.route53_zone_id
  name    = var.domain_name
  type    = "A"

  alias {
    name                   = aws_apigatewayv2_domain_name.registry[0].domain_name_configuration[0].target_domain_name
    zone_id                = aws_apigatewayv2_domain_name.registry[0].domain_name_configuration[0].hosted_zone_id
    evaluate_target_health = false
  }
}
