namespace Ekm.LocalKms.Hosting;

/// <summary>How a local KMS listens, where it keeps its keys and who may call it.</summary>
public sealed class LocalKmsOptions
{
    /// <summary>The configuration section of the standalone program.</summary>
    public const string Section = "LocalKms";

    /// <summary>Loopback port; 0 picks a free one.</summary>
    public int Port { get; set; } = 4599;

    /// <summary>SQLite file for keys, aliases and grants; empty keeps everything in memory.</summary>
    public string? DataFile { get; set; }

    /// <summary>
    /// The 256-bit key that seals every row of <see cref="DataFile"/>, in base64 (e.g. from
    /// <c>openssl rand -base64 32</c>). Empty uses the key file <c>{DataFile}.key</c>, created on
    /// first start. Set it from a secret store to keep the key apart from the database and its backups.
    /// </summary>
    public string? StoreKey { get; set; }

    /// <summary>Accounts and their access keys; empty means <see cref="LocalKmsAccounts.Defaults"/>.</summary>
    public List<LocalKmsAccount> Accounts { get; set; } = [];
}

/// <summary>A 12-digit AWS account and the access keys that sign as it.</summary>
public sealed class LocalKmsAccount
{
    public string AccountId { get; set; } = "";

    public string Name { get; set; } = "";

    public List<LocalKmsAccessKey> AccessKeys { get; set; } = [];
}

public sealed class LocalKmsAccessKey
{
    public string AccessKeyId { get; set; } = "";

    public string SecretAccessKey { get; set; } = "";

    /// <summary>The IAM principal the key signs as; defaults to <c>arn:aws:iam::ACCOUNT:user/NAME</c>.</summary>
    public string? PrincipalArn { get; set; }
}

/// <summary>
/// Development accounts (not secrets: they exist only in the local KMS). The vendor is the
/// service's own account; two customers let tests show that one customer's key is invisible
/// to the other and usable by the vendor only where its policy says so.
/// </summary>
public static class LocalKmsAccounts
{
    public const string VendorAccountId = "111122223333";
    public const string CustomerAAccountId = "444455556666";
    public const string CustomerBAccountId = "777788889999";

    public static List<LocalKmsAccount> Defaults() =>
    [
        Account(VendorAccountId, "vendor", "AKIAEKMVENDOR0000001", "ekm-local-vendor-secret-key-do-not-use-in-aws"),
        Account(CustomerAAccountId, "customer-a", "AKIAEKMCUSTOMERA0001", "ekm-local-customer-a-secret-do-not-use-in-aws"),
        Account(CustomerBAccountId, "customer-b", "AKIAEKMCUSTOMERB0001", "ekm-local-customer-b-secret-do-not-use-in-aws"),
    ];

    private static LocalKmsAccount Account(string id, string name, string accessKeyId, string secret) => new()
    {
        AccountId = id,
        Name = name,
        AccessKeys = [new LocalKmsAccessKey { AccessKeyId = accessKeyId, SecretAccessKey = secret }],
    };
}
