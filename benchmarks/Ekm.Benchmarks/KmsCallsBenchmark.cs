using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Ekm.LocalKms.Faults;
using Ekm.LocalKms.Hosting;

namespace Ekm.Benchmarks;

/// <summary>
/// Issue 8 item 2: KMS calls of a backup, Ekm.Orleans against the AWS Encryption SDK for
/// JavaScript, in one run and one local KMS, counted by that KMS for both. Ekm.Orleans admits each
/// operation once (one Decrypt of the tenant key, DESIGN §12) and encrypts the operation's items
/// with the lease's data key; the ESDK's default materials manager asks KMS for a data key
/// (GenerateDataKey) for every message.
/// </summary>
internal static class KmsCallsBenchmark
{
    private const string TenantId = "bench-kms-calls";
    private const double Target = 1_000;

    /// <summary>ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY: the default suite (0x0578) without its ECDSA P-384 signature.</summary>
    private const int UnsignedSuite = 0x0478;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(KmsCallsOptions.Usage);
            return 0;
        }

        if (!KmsCallsOptions.TryParse(args, out var options, out var problem))
        {
            Console.Error.WriteLine(problem);
            Console.Error.WriteLine(KmsCallsOptions.Usage);
            return 2;
        }

        var esdk = KmsCallsEsdk.Find(options.EsdkFolder);
        if (esdk is null)
        {
            Console.Error.WriteLine($"{KmsCallsEsdk.Folder}/{KmsCallsEsdk.Script} not found: run from the repository root or pass --esdk-dir.");
            return 2;
        }

        var nodeVersion = await KmsCallsEsdk.NodeVersionAsync();
        if (nodeVersion is null)
        {
            Console.Error.WriteLine("node is not on the PATH: the ESDK side needs Node.js 20 or later.");
            return 2;
        }

        if (!KmsCallsEsdk.Installed(esdk))
        {
            Console.Error.WriteLine($"The ESDK is not installed in {esdk}. Install the pinned packages first:");
            var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), esdk);
            Console.Error.WriteLine($"  npm ci --prefix {(relative.StartsWith("..", StringComparison.Ordinal) ? esdk : relative)}");
            return 2;
        }

        Console.WriteLine($"# kms-calls: a backup of {options.Items:N0} items of {options.Size:N0} B, Ekm.Orleans against the AWS Encryption SDK for JavaScript; KMS calls counted by the local KMS");
        Console.WriteLine($"command: dotnet run -c Release --project benchmarks/Ekm.Benchmarks -- kms-calls {options.CommandLine}");
        Console.WriteLine($"machine: {BenchKeyReport.CpuModel()}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, node {nodeVersion}");
        Console.WriteLine($"started: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC, load average {BenchKeyReport.LoadAverage()}");

        await using var host = await StartHostAsync();
        var ekm = await KmsCallsEkm.SetUpAsync(host, TenantId, options.Size);
        var vendor = host.Kms.Accounts.Single(a => a.AccountId == LocalKmsAccounts.VendorAccountId).AccessKeys[0];
        Console.WriteLine($"host: embedded (one silo, SQLite grain storage, local KMS at {host.Kms.Endpoint}), started in {host.StartupTime.TotalSeconds:0.0} s; tenant {TenantId} on {ekm.KeyArn}");
        Console.WriteLine($"both sides: that key, signed as the vendor account {LocalKmsAccounts.VendorAccountId}, encryption context ekm-tenant={TenantId}; {options.Concurrency} items in flight; every item written to its own file and flushed to the disk");
        if (options.KmsLatency > TimeSpan.Zero)
        {
            host.Kms.Faults.Add(new FaultRule { Latency = options.KmsLatency });
            Console.WriteLine($"local KMS: {options.KmsLatency.TotalMilliseconds:0} ms added to every call (Task.Delay: expect ~4 ms more)");
        }

        // Untimed and uncounted: one item written and read back, then a backup as large as a row's,
        // so tiered JIT, the grain activations and the KMS connections have settled before the first row.
        await ekm.CheckRoundTripAsync();
        await ekm.BackUpAsync("warm", options.Items, 10, 1, options.Concurrency);

        var rows = new List<KmsCallsRow>();
        foreach (var (operations, concurrentOperations) in options.Operations)
        {
            var tag = $"m{operations}x{concurrentOperations}";
            host.Kms.Counters.Reset();
            var (elapsed, bytesPerItem) = await ekm.BackUpAsync(tag, options.Items, operations, concurrentOperations, options.Concurrency);
            var shape = (operations, concurrentOperations) switch
            {
                (1, _) => "1 operation → 1 admission",
                (_, 1) => $"{operations:N0} operations in sequence → {operations:N0} admissions",
                _ => $"{operations:N0} operations, {concurrentOperations:N0} at a time → {operations:N0} admissions",
            };
            rows.Add(Report(new KmsCallsRow("Ekm.Orleans", shape, options.Items, host.Kms.Counters.Snapshot(), elapsed.TotalSeconds, bytesPerItem)));
        }

        // The SDK's defaults first (the reference of every ratio); then the same without the
        // signature its default suite adds to every message (Ekm.Orleans signs nothing), which
        // changes the CPU per message, not the KMS calls; then the caching materials manager.
        var esdkRows = new List<(string Setup, int CacheMessages, int? Suite)>
        {
            ("default CMM, default suite: a data key per message", 0, null),
            ($"default CMM, suite 0x{UnsignedSuite:X4} (no signature): a data key per message", 0, UnsignedSuite),
        };
        if (options.EsdkCacheMessages > 0)
        {
            esdkRows.Add(($"caching CMM, default suite: local cache, a data key for ≤ {options.EsdkCacheMessages:N0} messages, maxAge {KmsCallsEsdk.CacheMaxAge.TotalSeconds:0} s", options.EsdkCacheMessages, null));
        }

        string? esdkVersions = null;
        foreach (var (setup, cacheMessages, suite) in esdkRows)
        {
            var run = await KmsCallsEsdk.RunAsync(esdk, host, ekm.KeyArn, (vendor.AccessKeyId, vendor.SecretAccessKey), TenantId,
                options.Items, options.Size, options.Concurrency, cacheMessages, suite, Path.Combine(host.DataDirectory, $"esdk-{rows.Count}"));
            esdkVersions ??= $"@aws-crypto/client-node {run.EsdkVersion}, @aws-sdk/client-kms {run.ClientKmsVersion}, default algorithm suite 0x{run.SuiteId:X4}";
            rows.Add(Report(new KmsCallsRow("AWS ESDK for JavaScript", setup, options.Items, run.Calls, run.Seconds, run.BytesPerItem)));
        }

        Console.WriteLine($"ESDK: {esdkVersions}");
        Console.WriteLine($"ended: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC, load average {BenchKeyReport.LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine(Table(rows));
        Console.WriteLine(Verdict(rows));
        return 0;
    }

    /// <summary>
    /// Health probes (a Decrypt per tenant per period) are pushed out of the window: they cost per
    /// minute, not per item. The host refuses to start without an API key; nobody calls the gateway
    /// here, so a key nobody holds (a random hash) does. The host's startup banner (where it listens,
    /// the local KMS's development accounts) would only clutter the report.
    /// </summary>
    private static async Task<BenchHost> StartHostAsync()
    {
        var console = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            return await BenchHost.StartAsync(
                ("Ekm:Keys:HealthCheckPeriod", "01:00:00"),
                ("Ekm:Auth:ApiKeys:0:Name", "benchmarks"),
                ("Ekm:Auth:ApiKeys:0:Sha256", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))),
                ("Ekm:Auth:ApiKeys:0:Roles:0", "Operator"));
        }
        finally
        {
            Console.SetOut(console);
        }
    }

    private static KmsCallsRow Report(KmsCallsRow row)
    {
        var byOperation = string.Join(", ", row.Calls.GroupBy(c => c.Operation).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Sum(c => c.Count):N0}"));
        Console.WriteLine($"{row.Client}, {row.DataKeys}: {row.Items:N0} items in {row.Seconds:0.00} s = {row.ItemsPerSecond:N0} items/s; " +
            $"KMS calls {row.Total:N0} ({(byOperation.Length == 0 ? "none" : byOperation)}) = {CallsPerItem(row)} per item");
        var failed = row.Calls.Where(c => c.Outcome != "Success").ToList();
        if (failed.Count > 0)
        {
            Console.WriteLine($"  warning: failed KMS calls: {string.Join(", ", failed.Select(c => $"{c.Operation} {c.Outcome} {c.Count:N0}"))}");
        }

        return row;
    }

    private static string Table(List<KmsCallsRow> rows)
    {
        var esdk = rows.First(r => r.Client.StartsWith("AWS ESDK", StringComparison.Ordinal));
        var table = new StringBuilder();
        table.AppendLine("| client | setup | KMS calls | GenerateDataKey | Decrypt | other | calls per item | items/s | bytes stored per item | KMS calls: ESDK default ÷ this |");
        table.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            var generate = row.Count("GenerateDataKey");
            var decrypt = row.Count("Decrypt");
            table.AppendLine(CultureInfo.InvariantCulture, $"| {row.Client} | {row.DataKeys} | {row.Total:N0} | {generate:N0} | {decrypt:N0} | {row.Total - generate - decrypt:N0} | " +
                $"{CallsPerItem(row)} | {row.ItemsPerSecond:N0} | {row.BytesPerItem:N0} | {Ratio(esdk.Total, row.Total)} |");
        }

        return table.ToString();
    }

    private static string Verdict(List<KmsCallsRow> rows)
    {
        var esdk = rows.First(r => r.Client.StartsWith("AWS ESDK", StringComparison.Ordinal));
        var verdict = new StringBuilder($"target: at least {Target:N0}× fewer KMS calls than the ESDK's default materials manager ({esdk.Total:N0} calls):");
        foreach (var row in rows.Where(r => r.Client == "Ekm.Orleans"))
        {
            var met = row.Total == 0 || (double)esdk.Total / row.Total >= Target;
            verdict.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}  {row.DataKeys}: {Ratio(esdk.Total, row.Total)} — {(met ? "met" : "not met")}");
        }

        return verdict.ToString();
    }

    private static string CallsPerItem(KmsCallsRow row) => ((double)row.Total / row.Items).ToString("0.#####", CultureInfo.InvariantCulture);

    private static string Ratio(long reference, long calls) => calls == 0
        ? "∞"
        : ((double)reference / calls).ToString(reference / (double)calls >= 10 ? "N0" : "N1", CultureInfo.InvariantCulture) + "×";
}

/// <summary>One row: who encrypted, how it got its data keys, and what the local KMS counted meanwhile.</summary>
internal sealed record KmsCallsRow(string Client, string DataKeys, int Items, IReadOnlyList<CallCount> Calls, double Seconds, double BytesPerItem)
{
    public long Total => Calls.Sum(c => c.Count);

    public double ItemsPerSecond => Items / Seconds;

    public long Count(string operation) => Calls.Where(c => c.Operation == operation).Sum(c => c.Count);
}
