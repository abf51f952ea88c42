using System.Net;
using Ekm.Host.Hosting;
using Microsoft.Extensions.Options;

namespace Ekm.Host.Kms;

/// <summary>Checks <see cref="KmsOptions"/>; reports every problem at once.</summary>
internal sealed class KmsOptionsValidator(IOptions<EmbeddedLocalKmsOptions> local) : IValidateOptions<KmsOptions>
{
    public ValidateOptionsResult Validate(string? name, KmsOptions options)
    {
        var problems = new List<string>();
        if (Amazon.RegionEndpoint.EnumerableAllRegions.All(r => r.SystemName != options.Region))
        {
            problems.Add($"Ekm:Kms:Region '{options.Region}' is not an AWS region name such as us-east-1.");
        }

        if (!string.IsNullOrWhiteSpace(options.ServiceUrl) && !Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out _))
        {
            problems.Add($"Ekm:Kms:ServiceUrl '{options.ServiceUrl}' is not an absolute URL.");
        }

        if (string.IsNullOrWhiteSpace(options.AccessKeyId) != string.IsNullOrWhiteSpace(options.SecretAccessKey))
        {
            problems.Add("Ekm:Kms:AccessKeyId and Ekm:Kms:SecretAccessKey go together: set both or neither (neither uses the AWS credential chain).");
        }

        if (!System.Text.RegularExpressions.Regex.IsMatch(options.VendorAccountId, "^[0-9]{12}$"))
        {
            problems.Add($"Ekm:Kms:VendorAccountId '{options.VendorAccountId}' must be the vendor's 12-digit AWS account id (customers grant it access to their keys).");
        }

        if (!string.IsNullOrWhiteSpace(options.VendorKeyArn) && !Ekm.Keys.KeyArn.TryParse(options.VendorKeyArn, out _, out var arnProblem))
        {
            problems.Add($"Ekm:Kms:VendorKeyArn: {arnProblem.Message}");
        }

        if (string.IsNullOrWhiteSpace(options.VendorKeyArn) && !local.Value.Enabled)
        {
            problems.Add("Ekm:Kms:VendorKeyArn is empty and the local KMS is off: set the ARN of the vendor's own KMS key (it wraps tenant keys under Cloud Key Management).");
        }

        if (options.Timeout <= TimeSpan.Zero || options.MaxRetries is < 0 or > 10)
        {
            problems.Add("Ekm:Kms:Timeout must be positive and Ekm:Kms:MaxRetries between 0 and 10.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

/// <summary>Checks <see cref="EmbeddedLocalKmsOptions"/>, including that its port is free.</summary>
internal sealed class EmbeddedLocalKmsOptionsValidator : IValidateOptions<EmbeddedLocalKmsOptions>
{
    public ValidateOptionsResult Validate(string? name, EmbeddedLocalKmsOptions options)
    {
        if (!options.Enabled || options.Port == 0)
        {
            return ValidateOptionsResult.Success;
        }

        if (options.Port is < 1 or > 65535)
        {
            return ValidateOptionsResult.Fail($"Ekm:LocalKms:Port is {options.Port}: a TCP port is between 1 and 65535 (0 picks a free one).");
        }

        return PortProbe.IsFree(IPAddress.Loopback, options.Port)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Ekm:LocalKms:Port: port {options.Port} is already in use: stop the program using it or choose another port with --Ekm:LocalKms:Port=N (environment: Ekm__LocalKms__Port).");
    }
}
