using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Ekm.Host.Hosting;
using Ekm.Testing;

namespace Ekm.Benchmarks;

/// <summary>
/// Embedded host cold start to ready: <c>dotnet Ekm.Host.dll</c> (the real binary, copied next to
/// this benchmark as a project reference) as a child process, from <see cref="Process.Start()"/>
/// until <c>GET /health/ready</c> answers 200. "Cold" is a fresh data directory (schema, local KMS
/// database, vendor key and development key all created); "warm" is the next start on the same
/// directory. Both are new processes, so both JIT the host from scratch.
/// </summary>
internal static partial class ScaleStartup
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    private const string ListeningMark = "Now listening on:";
    private const string BannerMark = "Ekm.Orleans is running";
    private const string SiloMark = "Silo starting with GC settings";

    /// <summary>
    /// Times from Process.Start: <c>Listening</c> = Kestrel's "Now listening on" (host built, silo
    /// started, web server bound); <c>Running</c> = the host's "Ekm.Orleans is running." banner
    /// (ApplicationStarted); <c>Ready</c> = the first 200 from /health/ready (silo active, grain store
    /// answering). <c>Stop</c> = SIGTERM to exit.
    /// </summary>
    public sealed record Start(string Kind, TimeSpan Listening, TimeSpan Running, TimeSpan Ready, TimeSpan Stop);

    /// <summary>
    /// <c>SiloStarting</c>: when the silo's lifecycle began (before it: runtime start, host build, local
    /// KMS start); <c>Stages</c>: silo lifecycle stages as Orleans timed them; <c>SlowObservers</c>:
    /// lifecycle participants that took 50 ms or more.
    /// </summary>
    public sealed record Phases(Start Start, TimeSpan SiloStarting, IReadOnlyList<(string Stage, TimeSpan Took)> Stages, IReadOnlyList<(string Observer, string Stage, TimeSpan Took)> SlowObservers);

    public static string HostDll => Path.Combine(AppContext.BaseDirectory, "Ekm.Host.dll");

    public static async Task<IReadOnlyList<Start>> MeasureAsync(int repeats)
    {
        var starts = new List<Start>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var i = 0; i < repeats; i++)
        {
            var data = Directory.CreateTempSubdirectory("ekm-bench-start-").FullName;
            try
            {
                foreach (var kind in new[] { "cold", "warm" })
                {
                    var (start, _) = await StartOnceAsync(kind, data, http, diagnostics: false);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {kind} start {i + 1}: listening {Ms(start.Listening)}, banner {Ms(start.Running)}, ready {Ms(start.Ready)}, stop {Ms(start.Stop)}"));
                    starts.Add(start);
                }
            }
            finally
            {
                Directory.Delete(data, recursive: true);
            }
        }

        return starts;
    }

    /// <summary>One more cold start, not counted, with Orleans' lifecycle timings logged, to see where the time goes.</summary>
    public static async Task<Phases> MeasurePhasesAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var data = Directory.CreateTempSubdirectory("ekm-bench-start-").FullName;
        try
        {
            var (start, lines) = await StartOnceAsync("cold, lifecycle logged", data, http, diagnostics: true);
            var stages = new List<(string, TimeSpan)>();
            var observers = new List<(string, string, TimeSpan)>();
            var siloStarting = TimeSpan.Zero;
            foreach (var (line, at) in lines)
            {
                if (siloStarting == TimeSpan.Zero && line.Contains(SiloMark, StringComparison.Ordinal))
                {
                    siloStarting = at;
                }

                if (StageTook().Match(line) is { Success: true } stage)
                {
                    stages.Add((stage.Groups["stage"].Value, TimeSpan.Parse(stage.Groups["took"].Value, CultureInfo.InvariantCulture)));
                }
                else if (ObserverTook().Match(line) is { Success: true } observer
                    && TimeSpan.Parse(observer.Groups["took"].Value, CultureInfo.InvariantCulture) is var took && took >= TimeSpan.FromMilliseconds(50))
                {
                    observers.Add((observer.Groups["observer"].Value, observer.Groups["stage"].Value, took));
                }
            }

            return new Phases(start, siloStarting, stages, observers);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<(Start Start, IReadOnlyList<(string Line, TimeSpan At)> Lines)> StartOnceAsync(string kind, string data, HttpClient http, bool diagnostics)
    {
        var ports = HostPorts.Free();
        var info = new ProcessStartInfo("dotnet")
        {
            // The content root is the working directory: appsettings*.json are read from here.
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            HostDll,
            $"--urls=http://127.0.0.1:{ports.Http}",
            $"--Ekm:DataDirectory={data}",
            $"--Orleans:SiloPort={ports.Silo}",
            $"--Orleans:GatewayPort={ports.OrleansGateway}",
            $"--Ekm:LocalKms:Port={ports.LocalKms}",
        })
        {
            info.ArgumentList.Add(argument);
        }

        if (diagnostics)
        {
            info.ArgumentList.Add("--Logging:LogLevel:Orleans.Runtime.SiloLifecycleSubject=Debug");
            info.ArgumentList.Add("--Logging:LogLevel:Orleans.Runtime.Silo=Information");
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment.Remove("ASPNETCORE_ENVIRONMENT");

        // The banner carries the development key and local KMS secrets: only marks and Orleans' lifecycle lines are kept.
        var marks = new Marks(diagnostics);
        var errors = new List<string>();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        process.OutputDataReceived += (_, e) => marks.Saw(e.Data, clock.Elapsed);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.Add(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var ready = await WaitReadyAsync(process, http, new Uri($"http://127.0.0.1:{ports.Http}/health/ready"), clock, errors);
            var stopping = Stopwatch.StartNew();
            await SignalAsync(process.Id, "TERM");
            using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                await process.WaitForExitAsync(patience.Token);
            }

            return (new Start(kind, marks.At(ListeningMark), marks.At(BannerMark), ready, stopping.Elapsed), marks.Lines);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<TimeSpan> WaitReadyAsync(Process process, HttpClient http, Uri ready, Stopwatch clock, List<string> errors)
    {
        while (true)
        {
            if (process.HasExited)
            {
                string tail;
                lock (errors)
                {
                    tail = string.Join(Environment.NewLine, errors.TakeLast(20));
                }

                throw new InvalidOperationException($"Ekm.Host exited with code {process.ExitCode} before it was ready:{Environment.NewLine}{tail}");
            }

            if (clock.Elapsed > Limit)
            {
                throw new TimeoutException($"Ekm.Host was not ready after {Limit.TotalSeconds:0} s.");
            }

            try
            {
                using var response = await http.GetAsync(ready);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return clock.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(Poll);
        }
    }

    private static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, pid.ToString(CultureInfo.InvariantCulture) } })
            ?? throw new InvalidOperationException("kill did not start.");
        await kill.WaitForExitAsync();
    }

    private static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture) + " ms";

    // Orleans reports how long each silo lifecycle stage and each observer in it took (Debug level).
    [GeneratedRegex(@"Starting lifecycle stage '(?<stage>[^']+)' took '(?<took>[0-9:.]+)'", RegexOptions.CultureInvariant)]
    private static partial Regex StageTook();

    [GeneratedRegex(@"'(?<observer>[^']+)' started in stage '(?<stage>[^']+)' in '(?<took>[0-9:.]+)'", RegexOptions.CultureInvariant)]
    private static partial Regex ObserverTook();

    /// <summary>When the child first wrote each mark; written from the output reader's thread.</summary>
    private sealed class Marks(bool keepLifecycleLines)
    {
        private static readonly string[] Watched = [ListeningMark, BannerMark, SiloMark];

        private readonly Lock _gate = new();
        private readonly Dictionary<string, TimeSpan> _seen = [];
        private readonly List<(string, TimeSpan)> _lines = [];

        public IReadOnlyList<(string Line, TimeSpan At)> Lines
        {
            get
            {
                lock (_gate)
                {
                    return [.. _lines];
                }
            }
        }

        public TimeSpan At(string mark)
        {
            lock (_gate)
            {
                return _seen.GetValueOrDefault(mark);
            }
        }

        public void Saw(string? line, TimeSpan at)
        {
            if (line is null)
            {
                return;
            }

            lock (_gate)
            {
                foreach (var mark in Watched)
                {
                    if (line.Contains(mark, StringComparison.Ordinal))
                    {
                        _seen.TryAdd(mark, at);
                    }
                }

                if (keepLifecycleLines && (line.Contains("lifecycle stage", StringComparison.Ordinal) || line.Contains("' started in stage '", StringComparison.Ordinal) || line.Contains(SiloMark, StringComparison.Ordinal)))
                {
                    _lines.Add((line, at));
                }
            }
        }
    }
}
