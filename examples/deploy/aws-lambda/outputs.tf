output "registry_url" {
  description = "Where the registry answers: the custom domain when there is one, else the HTTP API's URL."
  value       = local.has_domain ? "https://${var.domain_name}" : aws_apigatewayv2_api.registry.api_endpoint
}

output "registry_host" {
  description = "The host name to use in module and provider sources and in the CLI's `credentials` block."
  value       = local.has_domain ? var.domain_name : trimprefix(aws_apigatewayv2_api.registry.api_endpoint, "https://")
}

output "api_endpoint" {
  description = "The HTTP API's own execute-api URL."
  value       = aws_apigatewayv2_api.registry.api_endpoint
}

output "domain_target" {
  description = "With a custom domain: the name and hosted zone to point its DNS record (an alias, or a CNAME to the name) at."
  value = local.has_domain ? {
    name           = aws_apigatewayv2_domain_name.registry[0].domain_name_configuration[0].target_domain_name
    hosted_zone_id = aws_apigatewayv2_domain_name.registry[0].domain_name_configuration[0].hosted_zone_id
  } : null
}

output "bucket" {
  description = "The S3 bucket holding the registry's data."
  value       = aws_s3_bucket.data.id
}

output "storage_url" {
  description = "TFREG_STORAGE, for `tfreg mirror import` and other tools run against the same store."
  value       = local.storage_url
}

output "master_token_secret_arn" {
  description = "The Secrets Manager secret holding the master token."
  value       = aws_secretsmanager_secret.master_token.arn
}

output "function_name" {
  description = "The Lambda function's name."
  value       = aws_lambda_function.registry.function_name
}
