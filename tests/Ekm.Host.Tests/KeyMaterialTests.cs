using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Ekm.Grains.Jobs.Data;
using Ekm.Grains.Keys;
using Ekm.Grains.Kms;
using Ekm.Host.Kms;
using Ekm.Keys;
using Ekm.LocalKms.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;

namespace Ekm.Host.Tests;

/// <summary>
/// Plaintext tenant and data keys must never leave memory: not into grain state, the backup
/// store, logs, key events, problem messages or any HTTP answer. The test learns the real tenant
/// key the only way it can be learned — the vendor unwrapping the stored blob through KMS — and
/// every data key by unwrapping the backup store's wrapped keys with it, then searches everything
/// the service produced for them, raw, base64 and hex.
/// </summary>
public sealed class KeyMaterialTests(HostFixture host) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task TenantKey_WholeLifecycle_NeverInStateLogsEventsTracesMetricsOrResponses()
    {
        using var kms = new CustomerKms(host);
        using var session = await TenantSession.ActivatedAsync(host);
        var events = new List<KeyEvent>();
        var stream = host.Factory.Services.GetRequiredService<IClusterClient>()
            .GetStreamProvider(KeyStreams.Provider)
            .GetStream<KeyEvent>(StreamId.Create(KeyStreams.Namespace, session.Tenant));
        var subscription = await stream.SubscribeAsync((e, _) =>
        {
            lock (events)
            {
                events.Add(e);
            }

            return Task.CompletedTask;
        });

        // Every span this process records while the tenant's key is used, with all its tags.
        var spans = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => spans.Enqueue($"{a.Source.Name} {a.DisplayName} {string.Join(' ', a.TagObjects.Select(t => $"{t.Key}={t.Value}"))}"),
        };
        ActivitySource.AddActivityListener(listener);

        var answers = new StringBuilder();
        async Task Record(Task<HttpResponseMessage> call) => answers.AppendLine(await (await call).Content.ReadAsStringAsync());

        var first = await session.EnableWithNewKeyAsync(kms);
        answers.AppendLine((await session.RunJobAsync(new { kind = "Backup", product = "Microsoft365", variant = "manual" })).GetRawText());
        answers.AppendLine((await session.RunJobAsync(new { kind = "Download", product = "Microsoft365", variant = "restore" })).GetRawText());
        var second = await session.NewUsableKeyAsync(kms);
        await Record(session.ValidateAsync(second));
        await Record(session.ValidateAsync(CustomerKms.MissingKeyArn()));
        await Record(session.UpdateKeyAsync(second));
        await kms.DisableAsync(second);
        answers.AppendLine((await session.CheckHealthAsync()).GetRawText());
        await Record(session.UpdateKeyAsync(first));
        await kms.EnableAsync(second);
        answers.AppendLine((await session.CheckHealthAsync()).GetRawText());
        answers.AppendLine((await session.StatusAsync()).GetRawText());
        answers.AppendLine((await session.AuditAsync()).GetRawText());
        await subscription.UnsubscribeAsync();

        var tenantKey = await UnwrapStoredTenantKeyAsync(session.Tenant);
        Assert.Equal(32, tenantKey.Length);

        // Every data key the jobs used, recovered from the backup store with the tenant key.
        var dataKeys = new BackupStore(Path.Combine(host.DataDirectory, "backups")).List(session.Tenant)
            .Select(i => Convert.ToBase64String(i.WrappedDataKey)).Distinct()
            .Select(w => TenantKeyCrypto.Unwrap(tenantKey, Convert.FromBase64String(w), session.Tenant))
            .ToList();
        Assert.NotEmpty(dataKeys);
        var secrets = dataKeys.Prepend(tenantKey).ToList();

        var haystacks = new Dictionary<string, string>
        {
            ["HTTP answers"] = answers.ToString(),
            ["logs"] = string.Join('\n', host.Factory.Logs.Records),
            ["key events"] = string.Join('\n', events.Select(e => JsonSerializer.Serialize(e))),
            ["grain store"] = await DumpStoreAsync(),
            ["traces"] = string.Join('\n', spans),
            ["metrics"] = await host.Factory.ClientWith(host.Keys.Operator).GetStringAsync("/metrics"),
        };
        Assert.Contains(spans, s => s.StartsWith("Ekm KMS Decrypt", StringComparison.Ordinal));
        Assert.NotEmpty(events);
        Assert.Contains(session.Tenant, haystacks["logs"], StringComparison.Ordinal);
        foreach (var (where, text) in haystacks)
        {
            foreach (var form in secrets.SelectMany(Forms))
            {
                Assert.False(text.Contains(form, StringComparison.OrdinalIgnoreCase), $"key material appears in {where}");
            }
        }

        // Nothing at rest: the grain store and every file of the backup store, byte for byte.
        var files = Directory.EnumerateFiles(host.DataDirectory, "ekm.db*")
            .Concat(Directory.EnumerateFiles(Path.Combine(host.DataDirectory, "backups", session.Tenant), "*", SearchOption.AllDirectories))
            .ToList();
        Assert.True(files.Count > 10);
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.All(secrets, secret => Assert.Equal(-1, bytes.AsSpan().IndexOf(secret)));
        }
    }

    /// <summary>The tenant key as it could be written: base64, hex, and its raw bytes read as Latin-1 text.</summary>
    private static string[] Forms(byte[] key) =>
    [
        Convert.ToBase64String(key),
        Convert.ToBase64String(key)[..20],
        Convert.ToHexString(key),
        Convert.ToHexString(key)[..24],
        Encoding.Latin1.GetString(key),
    ];

    private async Task<byte[]> UnwrapStoredTenantKeyAsync(string tenant)
    {
        using var state = JsonDocument.Parse(await ReadKeyStateAsync(tenant));
        var wrapped = state.RootElement.GetProperty("WrappedTenantKey");
        var blob = Convert.FromBase64String((wrapped.ValueKind == JsonValueKind.Object ? wrapped.GetProperty("$value") : wrapped).GetString()!);
        var server = host.Factory.Services.GetRequiredService<EmbeddedLocalKms>().Server;
        var vendor = server.Accounts.Single(a => a.AccountId == LocalKmsAccounts.VendorAccountId).AccessKeys[0];
        using var client = new AmazonKeyManagementServiceClient(new BasicAWSCredentials(vendor.AccessKeyId, vendor.SecretAccessKey),
            new AmazonKeyManagementServiceConfig { ServiceURL = server.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        var plaintext = await client.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = new MemoryStream(blob),
            KeyId = state.RootElement.GetProperty("WrappingKeyArn").GetString(),
            EncryptionContext = TenantContext.For(tenant),
        });
        return plaintext.Plaintext.ToArray();
    }

    private async Task<string> ReadKeyStateAsync(string tenant)
    {
        await using var connection = Open();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT PayloadBinary FROM OrleansStorage WHERE GrainTypeString = 'ekm-key' AND GrainIdExtensionString = $t";
        command.Parameters.AddWithValue("$t", tenant);
        return Encoding.UTF8.GetString((byte[])(await command.ExecuteScalarAsync())!);
    }

    private async Task<string> DumpStoreAsync()
    {
        await using var connection = Open();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT GrainTypeString, PayloadBinary FROM OrleansStorage WHERE PayloadBinary IS NOT NULL";
        await using var reader = await command.ExecuteReaderAsync();
        var text = new StringBuilder();
        while (await reader.ReadAsync())
        {
            text.Append(reader.GetString(0)).Append(": ").AppendLine(Encoding.UTF8.GetString((byte[])reader[1]));
        }

        return text.ToString();
    }

    private SqliteConnection Open() =>
        new(new SqliteConnectionStringBuilder { DataSource = Path.Combine(host.DataDirectory, "ekm.db"), Pooling = false }.ToString());
}
