variable "region" {
  description = "The AWS region to deploy to."
  type        = string
}

variable "name" {
  description = "Name of the function, API, role, secret and log groups."
  type        = string
  default     = "tfreg"
}

variable "lambda_zip" {
  description = "The zip holding the `bootstrap` executable, as `cargo lambda build --release --arm64 --output-format zip -p tfreg-server --bin tfreg-lambda` writes it (run from the workspace root)."
  type        = string
  default     = "../../../target/lambda/tfreg-lambda/bootstrap.zip"
}

variable "bucket_name" {
  description = "Name of the S3 bucket to create for the registry's data; by default one is generated from `name`."
  type        = string
  default     = null
}

variable "storage_prefix" {
  description = "Key prefix of the registry's objects in the bucket (\"\" for the bucket's root)."
  type        = string
  default     = "registry"
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the bucket with every module and provider in it."
  type        = bool
  default     = false
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which overwritten or deleted object versions (old version indexes) are removed."
  type        = number
  default     = 90
}

variable "master_token" {
  description = "The master token (at least 16 characters, no spaces). By default one is generated; read it from the Secrets Manager secret."
  type        = string
  default     = null
  sensitive   = true
}

variable "secret_recovery_window_days" {
  description = "Days a deleted master token secret can still be restored (0 deletes it at once)."
  type        = number
  default     = 7
}

variable "anonymous_read" {
  description = "Let requests without a token read modules and providers."
  type        = bool
  default     = false
}

variable "max_upload_bytes" {
  description = "The largest upload accepted. Lambda takes at most 6 MB per request, base64 included, so about 4.5 MB of archive get through whatever this says."
  type        = number
  default     = 6291456
}

variable "ephemeral_storage_mb" {
  description = "The function's /tmp, in MB (512 to 10240). Publishing through an upload session copies the file there to check it, so this bounds the largest file (64 MB are kept spare)."
  type        = number
  default     = 1024
}

variable "memory_size" {
  description = "The function's memory in MB (CPU grows with it; 512 hashes archives quickly)."
  type        = number
  default     = 512
}

variable "timeout" {
  description = "The function's timeout in seconds; API Gateway gives up after 30."
  type        = number
  default     = 29
}

variable "reserved_concurrency" {
  description = "Concurrent executions reserved for (and limiting) the function; -1 for no reservation."
  type        = number
  default     = -1
}

variable "log_level" {
  description = "TFREG_LOG: the log filter, in tracing's syntax."
  type        = string
  default     = "info"
}

variable "log_retention_days" {
  description = "Days the function's and the API's logs are kept."
  type        = number
  default     = 30
}

variable "throttling_burst_limit" {
  description = "Burst of requests the API's $default stage accepts."
  type        = number
  default     = 200
}

variable "throttling_rate_limit" {
  description = "Steady requests per second the API's $default stage accepts."
  type        = number
  default     = 100
}

variable "domain_name" {
  description = "A custom domain for the registry (registry.example.com), mapped at its root, since Terraform looks for /.well-known/terraform.json there. Null for the API's execute-api URL only."
  type        = string
  default     = null
}

variable "certificate_arn" {
  description = "ARN of an ACM certificate for `domain_name`, in the same region. Required with `domain_name`."
  type        = string
  default     = null
}

variable "route53_zone_id" {
  description = "A Route 53 hosted zone to create the alias record for `domain_name` in; null to make the DNS record yourself (see the `domain_target` output)."
  type        = string
  default     = null
}

variable "disable_execute_api_endpoint" {
  description = "With a custom domain, turn the default execute-api URL off, so the registry answers under one name only."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
