using System.Security.Cryptography;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Ekm.Grains.Jobs;
using Ekm.Grains.Jobs.Data;
using Ekm.Grains.Keys;
using Ekm.Grains.Kms;
using Ekm.Keys;
using Ekm.LocalKms.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ekm.Benchmarks;

/// <summary>
/// Ekm.Orleans' side of the kms-calls benchmark: one tenant on Enterprise Key Management with a
/// customer key in the embedded local KMS backs up items the way <c>JobGrain</c> does — every
/// operation admitted once by the tenant's KeyGrain, then all of that operation's items written
/// through <see cref="BackupStore"/> (AES-256-GCM, one file per item, flushed to the disk) with the
/// lease's data key.
/// </summary>
internal sealed class KmsCallsEkm
{
    /// <summary>The region the host's vendor client signs for (Ekm:Kms:Region default): the customer key lives there.</summary>
    public const string Region = "us-east-1";

    private static readonly string[] VendorMetadataActions = ["kms:DescribeKey", "kms:GetKeyRotationStatus"];

    private static readonly string[] VendorCryptoActions = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"];

    private readonly BenchHost _host;
    private readonly BackupStore _store;
    private readonly string _backups;
    private readonly byte[] _content;

    private KmsCallsEkm(BenchHost host, string tenantId, string keyArn, int size)
    {
        _host = host;
        TenantId = tenantId;
        KeyArn = keyArn;
        _backups = host.Services.GetRequiredService<IOptions<JobStorageOptions>>().Value.Backups;
        _store = new BackupStore(_backups);
        _content = RandomNumberGenerator.GetBytes(size);
    }

    public string TenantId { get; }

    public string KeyArn { get; }

    /// <summary>
    /// The customer (account A) creates a key whose policy carries the statements the service asks
    /// for (GET /api/tenants/{id}/ekm/key-policy); support activates EKM; the admin enables it.
    /// </summary>
    public static async Task<KmsCallsEkm> SetUpAsync(BenchHost host, string tenantId, int size)
    {
        var account = host.Kms.Accounts.Single(a => a.AccountId == LocalKmsAccounts.CustomerAAccountId).AccessKeys[0];
        using var customer = new AmazonKeyManagementServiceClient(
            new BasicAWSCredentials(account.AccessKeyId, account.SecretAccessKey),
            new AmazonKeyManagementServiceConfig { ServiceURL = host.Kms.Endpoint.ToString(), AuthenticationRegion = Region });
        var keyArn = (await customer.CreateKeyAsync(new CreateKeyRequest { Description = $"EKM key of tenant {tenantId}" })).KeyMetadata.Arn;
        await customer.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = keyArn, PolicyName = "default", Policy = Policy(tenantId) });

        var grain = host.Grains.GetGrain<IKeyGrain>(tenantId);
        await grain.SetAvailabilityAsync(true, "support");
        var terms = host.Services.GetRequiredService<IOptions<TermsOptions>>().Value.Version;
        var status = await grain.EnableAsync(new EnableEkm(keyArn, true, terms, "admin"));
        if (status.Mode != KeyManagementMode.EnterpriseKeyManagement || status.KeyArn != keyArn)
        {
            throw new InvalidOperationException($"Tenant {tenantId} is not on Enterprise Key Management with {keyArn} after enabling it: {status.Mode}, {status.KeyArn}.");
        }

        return new KmsCallsEkm(host, tenantId, keyArn, size);
    }

    /// <summary>One item written and read back with one admission's lease: proves the path before anything is timed.</summary>
    public async Task CheckRoundTripAsync()
    {
        const string Container = "check";
        var lease = await _host.Grains.GetGrain<IKeyGrain>(TenantId).AdmitAsync(new AdmissionRequest("kms-calls-check", Container));
        try
        {
            await _store.WriteAsync(TenantId, Item(Container, 0), _content, lease.DataKey, lease.WrappedDataKey);
            var stored = _store.List(TenantId, Container).Single();
            var back = await _store.ReadAsync(TenantId, stored, lease.DataKey);
            if (!back.AsSpan().SequenceEqual(_content))
            {
                throw new InvalidOperationException("The backup store did not give back what was written.");
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(lease.DataKey);
        }
    }

    /// <summary>
    /// Backs up <paramref name="items"/> items in <paramref name="operations"/> operations, at most
    /// <paramref name="concurrentOperations"/> of them at a time (1: one session, as one JobGrain runs
    /// them; more: that many sessions at once), at most <paramref name="concurrency"/> item writes in
    /// flight overall. <paramref name="tag"/> names the row's containers, so rows never overwrite
    /// each other. Returns the wall time and the stored bytes per item.
    /// </summary>
    public async Task<(TimeSpan Elapsed, double StoredBytesPerItem)> BackUpAsync(string tag, int items, int operations, int concurrentOperations, int concurrency)
    {
        var keys = _host.Grains.GetGrain<IKeyGrain>(TenantId);
        using var writers = new SemaphoreSlim(concurrency);
        var start = TimeProvider.System.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, operations), new ParallelOptions { MaxDegreeOfParallelism = concurrentOperations }, async (operation, _) =>
        {
            var container = Container(tag, operation);
            var session = concurrentOperations == 1 ? tag : container;
            var lease = await keys.AdmitAsync(new AdmissionRequest(session, container));
            try
            {
                var first = (operation * (items / operations)) + Math.Min(operation, items % operations);
                var count = (items / operations) + (operation < items % operations ? 1 : 0);
                await Task.WhenAll(Enumerable.Range(first, count).Select(async index =>
                {
                    await writers.WaitAsync();
                    try
                    {
                        await _store.WriteAsync(TenantId, Item(container, index), _content, lease.DataKey, lease.WrappedDataKey);
                    }
                    finally
                    {
                        writers.Release();
                    }
                }));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(lease.DataKey);
            }
        });
        var elapsed = TimeProvider.System.GetElapsedTime(start);

        var files = Enumerable.Range(0, operations)
            .Select(operation => Path.Combine(_backups, TenantId, Container(tag, operation)))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.ekm", SearchOption.AllDirectories))
            .Select(file => new FileInfo(file).Length)
            .ToList();
        if (files.Count != items)
        {
            throw new InvalidOperationException($"Row {tag}: {files.Count} items stored, {items} written.");
        }

        return (elapsed, files.Average());
    }

    private static string Container(string tag, int operation) => $"{tag}-op-{operation:D4}";

    private SourceItem Item(string container, int index)
    {
        var id = $"item-{index:D6}";
        return new SourceItem(container, id, 1, id + ".eml", "message/rfc822", _content.Length);
    }

    /// <summary>The customer's own statement plus the two the service asks for: metadata, and crypto for this tenant's encryption context only.</summary>
    private static string Policy(string tenantId)
    {
        var vendor = new { AWS = $"arn:aws:iam::{LocalKmsAccounts.VendorAccountId}:root" };
        return JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[]
            {
                new { Sid = "CustomerAccountRoot", Effect = "Allow", Principal = new { AWS = $"arn:aws:iam::{LocalKmsAccounts.CustomerAAccountId}:root" }, Action = "kms:*", Resource = "*" },
                new { Sid = "EkmVendorReadKeyMetadata", Effect = "Allow", Principal = vendor, Action = VendorMetadataActions, Resource = "*" },
                new
                {
                    Sid = $"EkmVendorUseKeyForTenant-{tenantId}",
                    Effect = "Allow",
                    Principal = vendor,
                    Action = VendorCryptoActions,
                    Resource = "*",
                    Condition = new Dictionary<string, Dictionary<string, string>>
                    {
                        ["StringEquals"] = new() { ["kms:EncryptionContext:" + TenantContext.Key] = tenantId },
                    },
                },
            },
        });
    }
}
