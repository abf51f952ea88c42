using Ekm.Host.Hosting;
using Ekm.LocalKms.Hosting;
using Ekm.LocalKms.Storage;
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

/// <summary>
/// Checks <see cref="EmbeddedLocalKmsOptions"/>, including that its port is free and that an
/// existing database opens with the store key, so a wrong key is one more line in the start-up
/// problem list rather than a failure half-way through starting.
/// </summary>
internal sealed class EmbeddedLocalKmsOptionsValidator(IServiceProvider services) : IValidateOptions<EmbeddedLocalKmsOptions>
{
    public ValidateOptionsResult Validate(string? name, EmbeddedLocalKmsOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var problems = new List<string>();
        if (options.Port is < 0 or > 65535)
        {
            problems.Add($"Ekm:LocalKms:Port is {options.Port}: a TCP port is between 1 and 65535 (0 picks a free one).");
        }
        else if (options.Port != 0 && PortProbe.InUse("Ekm:LocalKms:Port", options.Port) is { } inUse)
        {
            problems.Add(inUse);
        }

        if (LocalKmsOptionsValidator.StoreKeyProblem(options.StoreKey, EmbeddedLocalKmsOptions.Section + ":StoreKey") is { } storeKey)
        {
            problems.Add(storeKey);
        }
        else if (options.Durable && DatabaseProblem(options.StoreKey) is { } database)
        {
            problems.Add(database);
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private string? DatabaseProblem(string? storeKey)
    {
        try
        {
            // Resolved here, not injected: a bad data directory setting is reported on its own, not in place of this list.
            var database = services.GetRequiredService<HostPaths>().LocalKmsDatabase;
            if (File.Exists(database))
            {
                using var opened = new SqliteKmsStore(database, string.IsNullOrWhiteSpace(storeKey) ? null : Convert.FromBase64String(storeKey.Trim()));
            }

            return null;
        }
        catch (OptionsValidationException)
        {
            return null;
        }
        catch (InvalidDataException unreadable)
        {
            return unreadable.Message;
        }
    }
}
