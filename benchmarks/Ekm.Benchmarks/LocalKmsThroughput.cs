using System.Diagnostics;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Ekm.LocalKms.Hosting;

namespace Ekm.Benchmarks;

/// <summary>
/// Local KMS throughput with N concurrent AWS SDK for .NET clients (each its own client and
/// connection pool) for a fixed time per operation: Decrypt and GenerateDataKey of a symmetric
/// key with an encryption context, as the service calls them.
/// </summary>
internal static class LocalKmsThroughput
{
    public static async Task RunAsync(int clients, TimeSpan duration)
    {
        await using var server = await LocalKmsServer.StartAsync(new LocalKmsOptions { Port = 0 });
        var account = server.Accounts.First(a => a.AccountId == LocalKmsAccounts.CustomerAAccountId).AccessKeys[0];
        var kms = Enumerable.Range(0, clients).Select(_ => new AmazonKeyManagementServiceClient(
            new BasicAWSCredentials(account.AccessKeyId, account.SecretAccessKey),
            new AmazonKeyManagementServiceConfig { ServiceURL = server.Endpoint.ToString(), AuthenticationRegion = "us-east-1" })).ToArray();
        var context = new Dictionary<string, string> { ["tenant"] = "contoso" };
        var key = (await kms[0].CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.Arn;
        var blob = (await kms[0].GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key, KeySpec = DataKeySpec.AES_256, EncryptionContext = context })).CiphertextBlob.ToArray();

        Console.WriteLine($"# local KMS, {clients} concurrent .NET SDK clients, {duration.TotalSeconds:0} s per operation, {Environment.ProcessorCount} cores");

        // Both paths once, untimed, so tiered JIT has settled before either is measured.
        await MeasureAsync("(warm-up)", kms, TimeSpan.FromSeconds(3), c => c.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob), EncryptionContext = context }), print: false);
        await MeasureAsync("(warm-up)", kms, TimeSpan.FromSeconds(3), c => c.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key, KeySpec = DataKeySpec.AES_256, EncryptionContext = context }), print: false);
        await MeasureAsync("Decrypt", kms, duration, c => c.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob), EncryptionContext = context }));
        await MeasureAsync("GenerateDataKey", kms, duration, c => c.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key, KeySpec = DataKeySpec.AES_256, EncryptionContext = context }));
        foreach (var client in kms)
        {
            client.Dispose();
        }
    }

    private static async Task MeasureAsync(string name, AmazonKeyManagementServiceClient[] clients, TimeSpan duration, Func<AmazonKeyManagementServiceClient, Task> call, bool print = true)
    {
        // Warm up connections and JIT before the clock starts.
        await Task.WhenAll(clients.Select(call));
        var latencies = new List<double>[clients.Length];
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select(async (client, i) =>
        {
            var mine = latencies[i] = [];
            while (stopwatch.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                await call(client);
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }));
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        if (!print)
        {
            return;
        }

        Console.WriteLine($"{name,-16} {all.Length / elapsed,10:N0} calls/s   p50 {all[all.Length / 2],6:0.00} ms   p99 {all[(int)(all.Length * 0.99)],6:0.00} ms   ({all.Length:N0} calls)");
    }
}
