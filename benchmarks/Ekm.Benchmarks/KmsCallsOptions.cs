using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Ekm.Benchmarks;

/// <summary>The kms-calls benchmark's command line.</summary>
internal sealed record KmsCallsOptions
{
    public const string Usage = """
        usage: Ekm.Benchmarks kms-calls [--items 10000] [--size 4096] [--ops 1,10,100,100:100] [--concurrency 8]
                                        [--esdk-cache 1000] [--kms-latency-ms 0] [--esdk-dir benchmarks/esdk-js]
          --items           items backed up by each row
          --size            bytes per item
          --ops             Ekm.Orleans rows: M operations (one after another, as one session runs them),
                            or M:O (M operations, O at a time, as O sessions)
          --concurrency     item encryptions in flight at once, on both sides
          --esdk-cache      the ESDK rows are its defaults, the same without the default suite's signature,
                            and a caching materials manager that reuses a data key for this many
                            messages; 0 leaves the caching row out
          --kms-latency-ms  latency the local KMS adds to every call (fault injection), e.g. 10 for a remote KMS
          --esdk-dir        the folder of encrypt.mjs (default: benchmarks/esdk-js, found from here up)
        The ESDK side needs `npm ci --prefix benchmarks/esdk-js` once.
        """;

    public int Items { get; init; } = 10_000;

    public int Size { get; init; } = 4_096;

    public IReadOnlyList<(int Operations, int Concurrent)> Operations { get; init; } = [(1, 1), (10, 1), (100, 1), (100, 100)];

    public int Concurrency { get; init; } = 8;

    public int EsdkCacheMessages { get; init; } = 1_000;

    public TimeSpan KmsLatency { get; init; } = TimeSpan.Zero;

    public string? EsdkFolder { get; init; }

    /// <summary>Every option with its effective value, so the printed command reproduces the run.</summary>
    public string CommandLine => string.Join(' ', new[]
    {
        $"--items {Items}",
        $"--size {Size}",
        $"--ops {string.Join(',', Operations.Select(o => o.Concurrent == 1 ? $"{o.Operations}" : $"{o.Operations}:{o.Concurrent}"))}",
        $"--concurrency {Concurrency}",
        $"--esdk-cache {EsdkCacheMessages}",
        $"--kms-latency-ms {KmsLatency.TotalMilliseconds:0}",
    }.Concat(EsdkFolder is null ? [] : [$"--esdk-dir {EsdkFolder}"]));

    public static bool TryParse(string[] args, [NotNullWhen(true)] out KmsCallsOptions? options, [NotNullWhen(false)] out string? problem)
    {
        var parsed = new KmsCallsOptions();
        string? error = null;
        for (var i = 0; i < args.Length && error is null; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                error = $"{args[i]} needs a value";
                break;
            }

            var value = args[i + 1];
            switch (args[i])
            {
                case "--items":
                    parsed = parsed with { Items = Number(value, 1, ref error) };
                    break;
                case "--size":
                    parsed = parsed with { Size = Number(value, 0, ref error) };
                    break;
                case "--concurrency":
                    parsed = parsed with { Concurrency = Number(value, 1, ref error) };
                    break;
                case "--esdk-cache":
                    parsed = parsed with { EsdkCacheMessages = Number(value, 0, ref error) };
                    break;
                case "--kms-latency-ms":
                    parsed = parsed with { KmsLatency = TimeSpan.FromMilliseconds(Number(value, 0, ref error)) };
                    break;
                case "--esdk-dir":
                    parsed = parsed with { EsdkFolder = value };
                    break;
                case "--ops":
                    var rows = new List<(int, int)>();
                    foreach (var row in value.Split(','))
                    {
                        rows.Add(Operation(row, ref error));
                    }

                    parsed = parsed with { Operations = rows };
                    break;
                default:
                    error = $"unknown option '{args[i]}'";
                    break;
            }
        }

        if (error is null && parsed.Operations.Any(o => o.Operations > parsed.Items))
        {
            error = $"--ops: an operation needs at least one item; --items is {parsed.Items}";
        }

        (options, problem) = error is null ? (parsed, null) : ((KmsCallsOptions?)null, error);
        return error is null;
    }

    private static (int Operations, int Concurrent) Operation(string text, ref string? problem)
    {
        var parts = text.Split(':');
        var operations = Number(parts[0], 1, ref problem);
        var concurrent = parts.Length > 1 ? Number(parts[1], 1, ref problem) : 1;
        if (parts.Length > 2 || concurrent > operations)
        {
            problem ??= $"--ops: '{text}' is not M or M:O with O <= M";
        }

        return (operations, concurrent);
    }

    private static int Number(string text, int min, ref string? problem)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min)
        {
            return n;
        }

        problem ??= $"'{text}' is not a whole number >= {min}";
        return min;
    }
}
