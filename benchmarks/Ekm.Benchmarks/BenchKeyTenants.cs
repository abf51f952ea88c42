using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Ekm.Grains.Keys;
using Ekm.Grains.Kms;
using Ekm.Grains.Telemetry;
using Ekm.Keys;
using Ekm.LocalKms.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ekm.Benchmarks;

/// <summary>
/// Tenants on Enterprise Key Management in a <see cref="BenchHost"/>, made the way a customer and
/// a tenant admin make them: the customer (account A of the local KMS) creates a symmetric key whose
/// policy lets the vendor use it for this tenant's encryption context only; support activates EKM;
/// the admin accepts the terms and enables it with that key.
/// </summary>
internal static class BenchKeyTenants
{
    /// <summary>The region the host's vendor client signs for (Ekm:Kms:Region default): keys live there.</summary>
    public const string Region = "us-east-1";

    /// <summary>Host settings of the key benchmarks: health probes are KeyGrain KMS calls too, pushed out of every measured window.</summary>
    public static readonly (string Key, string Value)[] HostSettings = [("Ekm:Keys:HealthCheckPeriod", "01:00:00")];

    private static readonly string[] VendorMetadataActions = ["kms:DescribeKey", "kms:GetKeyRotationStatus"];

    private static readonly string[] VendorCryptoActions = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"];

    /// <summary>
    /// <see cref="BenchHost.StartAsync"/> with <see cref="HostSettings"/> and every <c>--setting key=value</c>
    /// of <paramref name="args"/> (e.g. another grain store), without the host's startup banner (where
    /// everything listens, the local KMS secrets): benchmark output goes to the docs.
    /// </summary>
    public static async Task<BenchHost> StartHostAsync(string[] args)
    {
        var extra = args.Select((a, i) => (a, i)).Where(p => p.a == "--setting" && p.i + 1 < args.Length)
            .Select(p => args[p.i + 1].Split('=', 2)).Select(kv => (kv[0], kv.Length > 1 ? kv[1] : ""));
        var console = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            return await BenchHost.StartAsync([.. HostSettings, .. extra]);
        }
        finally
        {
            Console.SetOut(console);
        }
    }

    public static AmazonKeyManagementServiceClient Customer(BenchHost host)
    {
        var key = host.Kms.Accounts.Single(a => a.AccountId == LocalKmsAccounts.CustomerAAccountId).AccessKeys[0];
        return new AmazonKeyManagementServiceClient(
            new BasicAWSCredentials(key.AccessKeyId, key.SecretAccessKey),
            new AmazonKeyManagementServiceConfig { ServiceURL = host.Kms.Endpoint.ToString(), AuthenticationRegion = Region });
    }

    /// <summary>A key in customer A's account that the vendor may use for <paramref name="tenantId"/> only.</summary>
    public static async Task<string> CreateCustomerKeyAsync(IAmazonKeyManagementService customer, string tenantId)
    {
        var key = (await customer.CreateKeyAsync(new CreateKeyRequest { Description = $"EKM key of tenant {tenantId}" })).KeyMetadata;
        await customer.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.Arn, PolicyName = "default", Policy = PolicyWithVendor(tenantId) });
        return key.Arn;
    }

    /// <summary>Support activates EKM for the tenant; its admin accepts the current terms and enables it with <paramref name="keyArn"/>.</summary>
    public static async Task<TenantKeyStatus> EnableAsync(BenchHost host, string tenantId, string keyArn)
    {
        var grain = host.Grains.GetGrain<IKeyGrain>(tenantId);
        await grain.SetAvailabilityAsync(true, "support");
        var terms = host.Services.GetRequiredService<IOptions<TermsOptions>>().Value.Version;
        return await grain.EnableAsync(new EnableEkm(keyArn, true, terms, "admin"));
    }

    /// <summary>
    /// The KMS flight as the service makes it: <paramref name="count"/> sequential Decrypts of a blob
    /// under <paramref name="keyArn"/> with the tenant's encryption context, through the service's own
    /// <see cref="IKms"/> (AWS SDK, loopback HTTP, the local KMS, its injected latency). Milliseconds, sorted.
    /// </summary>
    public static async Task<double[]> MeasureDecryptFlightAsync(BenchHost host, string keyArn, string tenantId, int count)
    {
        var kms = host.Services.GetRequiredService<IKms>();
        var (plaintext, wrapped) = await kms.GenerateDataKeyAsync(keyArn, tenantId);
        CryptographicOperations.ZeroMemory(plaintext);
        CryptographicOperations.ZeroMemory(await kms.DecryptAsync(keyArn, wrapped, tenantId));
        var flights = new double[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var key = await kms.DecryptAsync(keyArn, wrapped, tenantId);
            flights[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            CryptographicOperations.ZeroMemory(key);
        }

        Array.Sort(flights);
        return flights;
    }

    private static string PolicyWithVendor(string tenantId)
    {
        var vendor = $"arn:aws:iam::{LocalKmsAccounts.VendorAccountId}:root";
        return JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[]
            {
                new { Sid = "Owner", Effect = "Allow", Principal = new { AWS = $"arn:aws:iam::{LocalKmsAccounts.CustomerAAccountId}:root" }, Action = "kms:*", Resource = "*" },
                new { Sid = "VendorDescribe", Effect = "Allow", Principal = new { AWS = vendor }, Action = VendorMetadataActions, Resource = "*" },
                new
                {
                    Sid = "VendorUseForTenant",
                    Effect = "Allow",
                    Principal = new { AWS = vendor },
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

/// <summary>
/// Latencies a histogram of the service records (the KMS calls AwsKms times around every SDK call;
/// Orleans' grain-storage writes), collected while <see cref="Recording"/>: what the grains really
/// waited for under load, next to what was measured idle. Milliseconds.
/// </summary>
internal sealed class BenchLatencyRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly List<(string Tag, double Milliseconds)> _values = [];
    private readonly string? _tagKey;

    private BenchLatencyRecorder(string meterName, string instrumentName, string? tagKey)
    {
        _tagKey = tagKey;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName && instrument.Name == instrumentName)
            {
                Unit = instrument.Unit;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(v, tags));
        _listener.SetMeasurementEventCallback<float>((i, v, tags, _) => Record(v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(v, tags));
        _listener.Start();
    }

    /// <summary>The unit the instrument declares; seconds are converted to milliseconds.</summary>
    public string? Unit { get; private set; }

    public bool Recording { get; set; }

    /// <summary>KMS calls by operation (<c>ekm.kms.call.duration</c>, tag <c>operation</c>).</summary>
    public static BenchLatencyRecorder KmsCalls() => new(EkmMetrics.MeterName, "ekm.kms.call.duration", "operation");

    /// <summary>Grain-state writes (<c>orleans-storage-write-latency</c>), SQLite here.</summary>
    public static BenchLatencyRecorder StorageWrites() => new("Microsoft.Orleans", "orleans-storage-write-latency", null);

    /// <summary>The values (with one tag value, or all) recorded since the last take, sorted; clears them.</summary>
    public double[] Take(string? tag = null)
    {
        lock (_gate)
        {
            var taken = _values.Where(c => tag is null || c.Tag == tag).Select(c => c.Milliseconds).Order().ToArray();
            _values.Clear();
            return taken;
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!Recording)
        {
            return;
        }

        var tag = "";
        foreach (var t in tags)
        {
            if (t.Key == _tagKey)
            {
                tag = t.Value as string ?? "";
            }
        }

        var milliseconds = Unit is "s" or "seconds" ? value * 1000 : value;
        lock (_gate)
        {
            _values.Add((tag, milliseconds));
        }
    }
}
