using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Ekm.Host.Hosting;

namespace Ekm.Host.Tests;

/// <summary>
/// <c>Ekm.Host</c> as a real process (<c>dotnet Ekm.Host.dll</c>), on free loopback ports and a
/// data directory of the test's own; what it prints is collected line by line.
/// </summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HostProcess(string dataDirectory, int httpPort, int siloPort, int gatewayPort, IEnumerable<string> extraArgs)
    {
        HttpPort = httpPort;
        SiloPort = siloPort;
        LocalKmsPort = PortProbe.FindFree();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ekm.Host.dll"));
        foreach (var arg in new[]
        {
            $"--urls=http://127.0.0.1:{httpPort}",
            $"--Ekm:DataDirectory={dataDirectory}",
            $"--Orleans:SiloPort={siloPort}",
            $"--Orleans:GatewayPort={gatewayPort}",
            $"--Ekm:LocalKms:Port={LocalKmsPort}",
        }.Concat(extraArgs))
        {
            info.ArgumentList.Add(arg);
        }

        // What `dotnet run` gets from launchSettings.json: the embedded development defaults.
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            _stdout.Enqueue(e.Data);
            if (e.Data.StartsWith("Press Ctrl+C to stop.", StringComparison.Ordinal))
            {
                _ready.TrySetResult();
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _stderr.Enqueue(e.Data);
            }
        };
        _process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException("the host exited before it was ready"));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int HttpPort { get; }

    public int LocalKmsPort { get; }

    public int SiloPort { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}");

    public string Stdout => string.Join('\n', _stdout);

    public string Stderr => string.Join('\n', _stderr);

    public int ExitCode => _process.ExitCode;

    public static HostProcess Start(string dataDirectory, int? httpPort = null, int? siloPort = null, params string[] extraArgs) =>
        new(dataDirectory, httpPort ?? PortProbe.FindFree(), siloPort ?? PortProbe.FindFree(), PortProbe.FindFree(), extraArgs);

    /// <summary>Waits for the start-up banner; a host that exits first fails the wait with its output.</summary>
    public async Task WaitUntilReadyAsync()
    {
        try
        {
            await _ready.Task.WaitAsync(StartLimit);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            throw new InvalidOperationException($"{ex.Message}\nstdout:\n{Stdout}\nstderr:\n{Stderr}", ex);
        }
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(StartLimit);
        _process.WaitForExit(); // flushes the redirected streams
        return _process.ExitCode;
    }

    /// <summary>What Ctrl+C in a terminal sends.</summary>
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>What a machine failure does: SIGKILL, no shutdown, no goodbye to the cluster.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public bool HasExited => _process.HasExited;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
