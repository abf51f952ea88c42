using System.CommandLine;

namespace Ekm.Cli.Aws;

/// <summary>
/// Where and as whom <c>ekm aws</c> calls KMS. The variables are EKM_-prefixed on purpose: real AWS
/// credentials in AWS_ACCESS_KEY_ID must never be sent, signed, to a local endpoint by surprise.
/// </summary>
internal sealed class AwsOptions
{
    public const string UrlVariable = "EKM_KMS_URL";
    public const string AccessKeyIdVariable = "EKM_KMS_ACCESS_KEY_ID";
    public const string SecretAccessKeyVariable = "EKM_KMS_SECRET_ACCESS_KEY";
    public const string RegionVariable = "EKM_KMS_REGION";

    public Option<string> KmsUrl { get; } = new("--kms-url")
    {
        Description = $"KMS endpoint [env {UrlVariable}; default the local KMS, {LocalKmsDefaults.Endpoint}]",
        HelpName = "URL",
        Recursive = true,
        DefaultValueFactory = _ => GlobalOptions.Env(UrlVariable) ?? LocalKmsDefaults.Endpoint,
    };

    public Option<string> AccessKeyId { get; } = new("--access-key-id")
    {
        Description = $"Access key id to sign as [env {AccessKeyIdVariable}; default the local KMS's customer A, {LocalKmsDefaults.CustomerAccessKeyId}]",
        HelpName = "ID",
        Recursive = true,
        DefaultValueFactory = _ => GlobalOptions.Env(AccessKeyIdVariable) ?? LocalKmsDefaults.CustomerAccessKeyId,
    };

    public Option<string> SecretAccessKey { get; } = new("--secret-access-key")
    {
        Description = $"Secret access key [env {SecretAccessKeyVariable}; default customer A's development secret]",
        HelpName = "SECRET",
        Recursive = true,
        DefaultValueFactory = _ => GlobalOptions.Env(SecretAccessKeyVariable) ?? LocalKmsDefaults.CustomerSecretAccessKey,
    };

    public Option<string> Region { get; } = new("--region")
    {
        Description = $"Region to sign for [env {RegionVariable}; default {LocalKmsDefaults.Region}]",
        HelpName = "REGION",
        Recursive = true,
        DefaultValueFactory = _ => GlobalOptions.Env(RegionVariable) ?? LocalKmsDefaults.Region,
    };

    public IEnumerable<Option> All => [KmsUrl, AccessKeyId, SecretAccessKey, Region];

    public CustomerKms Connect(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var url = context.Get(KmsUrl);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw CliException.Usage($"--kms-url must be an http:// or https:// URL, not '{url}'.");
        }

        return new CustomerKms(endpoint, context.Get(Region), context.Get(AccessKeyId), context.Get(SecretAccessKey));
    }
}
