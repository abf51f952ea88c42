using System.Net;
using Ekm.Host.Hosting;
using Microsoft.Extensions.Options;

namespace Ekm.Host.Kms;

/// <summary>Checks <see cref="KmsOptions"/>; reports every problem at once.</summary>
internal sealed class KmsOptionsValidator : IValidateOptions<KmsOptions>
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
