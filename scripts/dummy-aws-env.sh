# Sourced by the scripts that start a local KMS endpoint (with-moto.sh, with-kms-serve.sh):
# dummy credentials and a fixed region, so that the AWS SDKs and CLIs they run stay away from
# real credentials, from the instance metadata service and from the user's profile. Both
# endpoints accept any signature.
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_SESSION_TOKEN=testing
export AWS_REGION=us-east-1
export AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_KMS
