using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Ekm.Grains.Keys;
using Ekm.Keys;
using Ekm.LocalKms.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ekm.Benchmarks;

/// <summary>
/// Gives tenants stored state through the grains, in a child process (<c>scale --seed FOLDER</c>),
/// so the process that measures memory has never held the seeding's garbage: its working set
/// grows only with what it activates. Two grain stores: CKM tenants with Enterprise Key Management
/// availability set, and EKM tenants fully enabled (kept apart because the host wakes every EKM
/// tenant at start). Also reports what seeding leaves in memory.
/// </summary>
internal static class ScaleSeed
{
    private const string ResultPrefix = "@seed-result ";

    private const int InFlight = 256;

    private static readonly string[] VendorActions = ["kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"];

    public sealed record Phase(string What, int Count, TimeSpan Elapsed)
    {
        public double PerSecond => Count / Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The seeding steps, and three snapshots of the CKM seeding host: <c>Started</c> right after it
    /// started; <c>Seeded</c> after every tenant was given its state (all their KeyGrains active, plus
    /// whatever their first key event left behind); <c>Deactivated</c> after every KeyGrain was
    /// deactivated (what stays per tenant without one).
    /// </summary>
    public sealed record Result(IReadOnlyList<Phase> Phases, int Tenants, ScaleMemory.Snapshot Started, ScaleMemory.Snapshot Seeded, ScaleMemory.Snapshot Deactivated, TimeSpan Collection);

    public static string CkmDatabase(string folder) => Path.Combine(folder, "ckm.db");

    public static string EkmDatabase(string folder) => Path.Combine(folder, "ekm.db");

    /// <summary>In the parent: runs the seeding child, passes its progress through, returns its result.</summary>
    public static async Task<Result> InChildAsync(string folder, int ckmTenants, int ekmTenants)
    {
        var dotnet = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(dotnet) == "dotnet")
        {
            info.ArgumentList.Add(typeof(ScaleSeed).Assembly.Location);
        }

        foreach (var argument in new[] { "scale", "--seed", folder, "--tenants", ckmTenants.ToString(CultureInfo.InvariantCulture), "--ekm", ekmTenants.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        using var child = Process.Start(info) ?? throw new InvalidOperationException("The seeding process did not start.");
        Result? result = null;
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(ResultPrefix, StringComparison.Ordinal))
            {
                result = JsonSerializer.Deserialize<Result>(line[ResultPrefix.Length..]);
            }
            else
            {
                Console.WriteLine(line);
            }
        }

        await child.WaitForExitAsync();
        return child.ExitCode == 0 && result is not null
            ? result
            : throw new InvalidOperationException($"The seeding process failed (exit code {child.ExitCode}).");
    }

    /// <summary>In the child.</summary>
    public static async Task<int> RunAsync(string folder, int ckmTenants, int ekmTenants)
    {
        var phases = new List<Phase>();
        Console.WriteLine($"  seeding (child process {Environment.ProcessId}, grain stores in {folder}):");
        if (ekmTenants > 0)
        {
            await using var host = await ScaleMemory.StartHostAsync(ScaleMemory.HostSettings(EkmDatabase(folder)));
            var terms = host.Services.GetRequiredService<IOptions<TermsOptions>>().Value.Version;
            var keyArn = await CustomerKeyAsync(host);
            var ekm = Enumerable.Range(0, ekmTenants).Select(i => ScaleMemory.TenantOf("ekm", i)).ToArray();
            phases.Add(await ForEachAsync("EKM tenant enabled (availability, validation round trip, enable with ReEncrypt)", ekm, async t =>
            {
                var grain = host.Grains.GetGrain<IKeyGrain>(t);
                await grain.SetAvailabilityAsync(true, "bench-support");
                await grain.EnableAsync(new EnableEkm(keyArn, true, terms, "bench-admin"));
            }));
            Console.WriteLine($"    {phases[^1].Count:N0} EKM tenants enabled in {phases[^1].Elapsed.TotalSeconds:0.0} s");
        }

        {
            await using var host = await ScaleMemory.StartHostAsync(ScaleMemory.HostSettings(CkmDatabase(folder)));
            var management = host.Grains.GetGrain<IManagementGrain>(0);
            var started = await ScaleMemory.TakeAsync(management, "seeding host started");
            var ckm = Enumerable.Range(0, ckmTenants).Select(i => ScaleMemory.TenantOf("ckm", i)).ToArray();
            phases.Add(await ForEachAsync("CKM tenant given state (SetAvailabilityAsync(true): key state + audit rows, one key event)", ckm,
                t => host.Grains.GetGrain<IKeyGrain>(t).SetAvailabilityAsync(true, "bench")));
            var seeded = await ScaleMemory.TakeAsync(management, $"{ckmTenants:N0} CKM tenants given state in {phases[^1].Elapsed.TotalSeconds:0.0} s");

            var collection = Stopwatch.StartNew();
            var now = seeded;
            while (now.KeyGrains > 0 && collection.Elapsed < TimeSpan.FromSeconds(90))
            {
                await management.ForceActivationCollection(TimeSpan.Zero);
                await Task.Delay(500);
                now = await ScaleMemory.MeasureNowAsync(management);
            }

            var deactivated = await ScaleMemory.TakeAsync(management, $"every KeyGrain deactivated ({collection.Elapsed.TotalSeconds:0.0} s)");
            Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(new Result(phases, ckmTenants, started, seeded, deactivated, collection.Elapsed)));
        }

        return 0;
    }

    private static async Task<Phase> ForEachAsync(string what, string[] tenants, Func<string, Task> call)
    {
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(tenants, new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (t, _) => await call(t));
        return new Phase(what, tenants.Length, clock.Elapsed);
    }

    /// <summary>
    /// One customer key (account A) that lets the vendor use it for any tenant: enough for memory,
    /// since every tenant still runs its own validation round trip, ReEncrypt and state.
    /// </summary>
    private static async Task<string> CustomerKeyAsync(BenchHost host)
    {
        var account = host.Kms.Accounts.Single(a => a.AccountId == LocalKmsAccounts.CustomerAAccountId).AccessKeys[0];
        using var customer = new AmazonKeyManagementServiceClient(
            new BasicAWSCredentials(account.AccessKeyId, account.SecretAccessKey),
            new AmazonKeyManagementServiceConfig { ServiceURL = host.Kms.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        var key = (await customer.CreateKeyAsync(new CreateKeyRequest { Description = "EKM key of the scale benchmark's tenants" })).KeyMetadata;
        var policy = JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[]
            {
                new { Sid = "Owner", Effect = "Allow", Principal = new { AWS = $"arn:aws:iam::{LocalKmsAccounts.CustomerAAccountId}:root" }, Action = "kms:*", Resource = "*" },
                new { Sid = "Vendor", Effect = "Allow", Principal = new { AWS = $"arn:aws:iam::{LocalKmsAccounts.VendorAccountId}:root" }, Action = VendorActions, Resource = "*" },
            },
        });
        await customer.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.Arn, PolicyName = "default", Policy = policy });
        return key.Arn;
    }
}
