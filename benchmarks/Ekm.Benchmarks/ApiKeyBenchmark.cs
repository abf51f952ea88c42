using System.Diagnostics;
using System.Globalization;
using Ekm.Host.Auth;
using Ekm.Host.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace Ekm.Benchmarks;

/// <summary>
/// <c>api-keys [rounds=21] [calls=200000]</c>: the time <see cref="ApiKeyStore.Find"/> takes per
/// presented key, for keys that match, nearly match or do not match one of 100 configured keys
/// (issue 9, item 3). Constant time means the ratios stay at 1.00 within noise: the time says
/// nothing about which key matched or how much of it. The cases run interleaved, round by round,
/// so the machine's drift falls on all of them alike; each row is the median round.
/// </summary>
internal static class ApiKeyBenchmark
{
    public static int Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 21;
        var calls = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
        var clock = Stopwatch.StartNew();
        BenchKeyReport.PrintHeader("API key lookup time by presented key (issue 9, item 3)");

        var configured = Enumerable.Range(0, 100).Select(_ => ApiKeyHash.NewKey("ekm_")).ToArray();
        var store = Store(configured);
        var last = configured[^1];
        (string Name, string Key)[] cases =
        [
            ("a random key (baseline)", ApiKeyHash.NewKey("ekm_")),
            ("the first configured key", configured[0]),
            ("the last configured key", last),
            ("the last key, last character changed", last[..^1] + (last[^1] == 'A' ? 'B' : 'A')),
            ("the last key, first character after the prefix changed", "ekm_" + (last[4] == 'A' ? 'B' : 'A') + last[5..]),
            ("the last key's SHA-256 hex (what configuration holds)", Convert.ToHexStringLower(ApiKeyHash.Of(last))),
        ];

        var perCall = cases.Select(_ => new double[rounds]).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var c = 0; c < cases.Length; c++)
            {
                var key = cases[c].Key;
                var started = Stopwatch.GetTimestamp();
                for (var i = 0; i < calls; i++)
                {
                    _ = store.Find(key);
                }

                perCall[c][round] = Stopwatch.GetElapsedTime(started).TotalNanoseconds / calls;
            }
        }

        var baseline = Median(perCall[0]);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"100 configured keys; {rounds} rounds × {calls:N0} calls per case; median round."));
        Console.WriteLine();
        Console.WriteLine("| presented key | found | ns per call | ÷ random key |");
        Console.WriteLine("|---|---|---:|---:|");
        for (var c = 0; c < cases.Length; c++)
        {
            var median = Median(perCall[c]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {cases[c].Name} | {(store.Find(cases[c].Key) is null ? "no" : "yes")} | {median:0} | {median / baseline:0.00} |"));
        }

        BenchKeyReport.PrintFooter(clock.Elapsed);
        return 0;
    }

    /// <summary>The store exactly as the host builds it, from configuration holding only the keys' digests.</summary>
    private static ApiKeyStore Store(string[] keys)
    {
        var auth = Options.Create(new AuthOptions
        {
            ApiKeys = [.. keys.Select((k, i) => new ApiKeyOptions
            {
                Name = $"holder-{i}",
                Sha256 = Convert.ToHexStringLower(ApiKeyHash.Of(k)),
                Roles = [EkmRoles.Operator],
            })],
        });
        var root = Path.GetTempPath();
        var paths = new HostPaths(Options.Create(new EkmHostOptions()), new HostingEnvironment { ContentRootPath = root });
        return new ApiKeyStore(auth, new DevelopmentKey(auth, paths, TimeProvider.System));
    }

    private static double Median(double[] values) => values.Order().ElementAt(values.Length / 2);
}
