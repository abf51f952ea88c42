using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Ekm.Problems;

namespace Ekm.Keys;

/// <summary>
/// An AWS KMS key or alias ARN: <c>arn:&lt;partition&gt;:kms:&lt;region&gt;:&lt;account&gt;:key/&lt;key id&gt;</c>
/// (or <c>alias/&lt;name&gt;</c>). Parsing tells an admin precisely what is wrong with what they
/// pasted, including the usual mix-ups with other clouds' key identifiers.
/// </summary>
public sealed partial record KeyArn(string Partition, string Region, string Account, string ResourceType, string ResourceId)
{
    public bool IsAlias => ResourceType == "alias";

    public override string ToString() => $"arn:{Partition}:kms:{Region}:{Account}:{ResourceType}/{ResourceId}";

    public static bool TryParse(string? text, [NotNullWhen(true)] out KeyArn? arn, [NotNullWhen(false)] out EkmProblemException? problem)
    {
        arn = null;
        problem = Diagnose(text?.Trim(), out arn);
        return problem is null;
    }

    private static EkmProblemException? Diagnose(string? text, out KeyArn? arn)
    {
        arn = null;
        if (string.IsNullOrEmpty(text))
        {
            return Fail(ProblemSlugs.KeyArnRequired, "Enter the ARN of your AWS KMS key, e.g. arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab.");
        }

        if (AzureKeyVault().IsMatch(text))
        {
            return Fail(ProblemSlugs.UnsupportedKeyProvider, "This is an Azure Key Vault key URI. Enterprise Key Management works with AWS KMS keys only: create a symmetric key in AWS KMS and paste its key ARN.");
        }

        if (GoogleCloudKms().IsMatch(text))
        {
            return Fail(ProblemSlugs.UnsupportedKeyProvider, "This is a Google Cloud KMS key name. Enterprise Key Management works with AWS KMS keys only: create a symmetric key in AWS KMS and paste its key ARN.");
        }

        var parts = text.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn")
        {
            return Fail(ProblemSlugs.InvalidKeyArn, "This is not an ARN. A key ARN looks like arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab; copy it from the key's page in the AWS KMS console.");
        }

        var (partition, service, region, account, resource) = (parts[1], parts[2], parts[3], parts[4], parts[5]);
        if (service != "kms")
        {
            return Fail(ProblemSlugs.NotAKmsKeyArn, $"This is the ARN of an AWS '{Shown(service)}' resource, not of a KMS key. Paste the ARN of a key in AWS KMS (it contains ':kms:').");
        }

        if (partition is not ("aws" or "aws-cn" or "aws-us-gov"))
        {
            return Fail(ProblemSlugs.InvalidKeyArnPartition, $"'{Shown(partition)}' is not an AWS partition: the ARN should start with arn:aws:kms (or arn:aws-cn:kms, arn:aws-us-gov:kms).");
        }

        if (!RegionPattern().IsMatch(region))
        {
            return Fail(ProblemSlugs.InvalidKeyArnRegion, $"'{Shown(region)}' is not an AWS region such as us-east-1 or eu-west-2. Check the region part of the ARN.");
        }

        if (!AccountPattern().IsMatch(account))
        {
            return Fail(ProblemSlugs.InvalidKeyArnAccount, $"'{Shown(account)}' is not an AWS account id: the account part of the ARN has exactly 12 digits.");
        }

        var slash = resource.IndexOf('/', StringComparison.Ordinal);
        var (type, id) = slash < 0 ? (resource, "") : (resource[..slash], resource[(slash + 1)..]);
        if (type == "alias")
        {
            if (!AliasName().IsMatch(id))
            {
                return Fail(ProblemSlugs.InvalidKeyId, $"'{Shown(id)}' is not a valid alias name. Paste the key ARN (…:key/<key id>) instead.");
            }
        }
        else if (type != "key")
        {
            return Fail(ProblemSlugs.InvalidKeyArn, "The ARN must name a KMS key (…:key/<key id>) or an alias (…:alias/<name>).");
        }
        else if (!KeyId().IsMatch(id))
        {
            return Fail(ProblemSlugs.InvalidKeyId, $"'{Shown(id)}' is not a KMS key id: it is a UUID such as 1234abcd-12ab-34cd-56ef-1234567890ab, or mrk- and 32 hex digits for a multi-Region key.");
        }

        arn = new KeyArn(partition, region, account, type, id);
        return null;
    }

    private static EkmProblemException Fail(string slug, string detail) => new(slug, detail);

    /// <summary>
    /// A pasted part as the refusal quotes it: at most 60 characters, control characters as '?', so
    /// an answer (and any log of it) never carries a pasted page or line breaks back.
    /// </summary>
    private static string Shown(string part)
    {
        var shown = new string([.. part.Take(60).Select(c => char.IsControl(c) ? '?' : c)]);
        return part.Length > 60 ? shown + "…" : shown;
    }

    // Key vaults and managed HSMs both name keys https://<name>.<vault|managedhsm>.<cloud domain>/keys/<key>[/<version>].
    [GeneratedRegex(@"^https://[^/]+\.(vault|managedhsm)\.(azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)/keys/", RegexOptions.IgnoreCase)]
    private static partial Regex AzureKeyVault();

    [GeneratedRegex(@"^(//cloudkms\.googleapis\.com/)?projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/", RegexOptions.IgnoreCase)]
    private static partial Regex GoogleCloudKms();

    // Anchored with \z, not $: $ also matches before a final newline, and region and account sit
    // between colons, where trimming the input does not remove one.
    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-[0-9]\z")]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"^[0-9]{12}\z")]
    private static partial Regex AccountPattern();

    [GeneratedRegex(@"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})\z")]
    private static partial Regex KeyId();

    [GeneratedRegex(@"^[a-zA-Z0-9/_-]{1,250}\z")]
    private static partial Regex AliasName();
}
