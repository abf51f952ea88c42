using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Ekm.Testing;

/// <summary>
/// <c>Ekm.Host</c> as a real child process (<c>dotnet Ekm.Host.dll</c> from the test's output folder)
/// in the Development environment <c>dotnet run</c> uses (embedded local KMS, development defaults),
/// on loopback <see cref="HostPorts"/>. What it prints is kept line by line; it is ready once it
/// prints the banner's last line. Each test project adds only its own settings (API keys, cluster).
/// </summary>
internal sealed class ChildHostProcess : IAsyncDisposable
{
    /// <summary>The banner's last line: the silo, the gateway and the local KMS are up.</summary>
    private const string ReadyLine = "Press Ctrl+C to stop.";

    /// <summary>How many times a host whose own ports were taken before it bound them is started again on new ones.</summary>
    private const int PortAttempts = 3;

    /// <summary>How long a start, or an exit the test waits for, may take on a loaded machine.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    private readonly ConcurrentQueue<(bool Error, string Text)> _lines = new();
    private readonly string[] _settings;
    private readonly string _dataDirectory;
    private readonly string? _ownDataDirectory;
    private readonly bool _portsAreOurs;
    private Process _process = null!;
    private TaskCompletionSource _ready = null!;

    private ChildHostProcess(IEnumerable<string> settings, string? dataDirectory, HostPorts? ports)
    {
        _settings = [.. settings];
        if (dataDirectory is null)
        {
            _ownDataDirectory = dataDirectory = Directory.CreateTempSubdirectory("ekm-host-").FullName;
        }

        _dataDirectory = dataDirectory;
        _portsAreOurs = ports is null;
        Launch(ports ?? HostPorts.Free());
    }

    public HostPorts Ports { get; private set; } = null!;

    /// <summary>The HTTP gateway: the API, the console, the dashboard.</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{Ports.Http}/");

    /// <summary>The embedded local KMS (where the Development environment runs it).</summary>
    public Uri LocalKmsAddress => new($"http://127.0.0.1:{Ports.LocalKms}/");

    public string Stdout => Lines(error: false);

    public string Stderr => Lines(error: true);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts the host with <paramref name="settings"/> (<c>--key=value</c>) after the common ones; its
    /// data in <paramref name="dataDirectory"/>, else in a temp folder of its own that goes with it.
    /// </summary>
    public static ChildHostProcess Start(IEnumerable<string> settings, string? dataDirectory = null, HostPorts? ports = null) =>
        new(settings, dataDirectory, ports);

    /// <summary><see cref="Start"/>, then <see cref="WaitUntilReadyAsync"/>; a host that does not get ready is disposed.</summary>
    public static async Task<ChildHostProcess> StartAsync(IEnumerable<string> settings, string? dataDirectory = null)
    {
        var host = Start(settings, dataDirectory);
        try
        {
            await host.WaitUntilReadyAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits for the start-up banner; a host that exits first, or is too slow, fails the wait with its
    /// output. A host on ports of this helper's choosing that another program took before it bound them
    /// (it exits saying "already in use") is started again on new ones, up to <see cref="PortAttempts"/> times.
    /// </summary>
    public async Task WaitUntilReadyAsync()
    {
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await _ready.Task.WaitAsync(Limit);
                    return;
                }
                catch (InvalidOperationException) when (_portsAreOurs && attempt < PortAttempts && PortTaken())
                {
                    _process.Dispose();
                    _lines.Clear(); // what the test reads is the output of the host that runs
                    _lines.Enqueue((true, $"[test] {Ports} were taken before Ekm.Host bound them; started it again on new ports"));
                    Launch(HostPorts.Free());
                }
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // the last lines it printed
            }

            throw new InvalidOperationException($"{ex.Message}\nstdout:\n{Stdout}\nstderr:\n{Stderr}", ex);
        }
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Limit);
        _process.WaitForExit(); // flushes the redirected streams
        return _process.ExitCode;
    }

    /// <summary>The last <paramref name="count"/> lines printed to stdout and stderr, in order, for a failing test's output.</summary>
    public string OutputTail(int count) => string.Join('\n', _lines.TakeLast(count).Select(l => l.Text));

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

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (_ownDataDirectory is not null)
        {
            try
            {
                Directory.Delete(_ownDataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held for a moment; the OS temp cleaner takes it.
            }
        }
    }

    private void Launch(HostPorts ports)
    {
        Ports = ports;
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ekm.Host.dll"));
        string[] common =
        [
            $"--urls=http://127.0.0.1:{ports.Http}",
            $"--Ekm:DataDirectory={_dataDirectory}",
            $"--Orleans:SiloPort={ports.Silo}",
            $"--Orleans:GatewayPort={ports.OrleansGateway}",
            $"--Ekm:LocalKms:Port={ports.LocalKms}",
        ];
        foreach (var setting in common.Concat(_settings))
        {
            info.ArgumentList.Add(setting);
        }

        // What `dotnet run` gets from launchSettings.json: the embedded local KMS and development defaults.
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Keep(e.Data, error: false, ready);
        process.ErrorDataReceived += (_, e) => Keep(e.Data, error: true, ready);
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("Ekm.Host exited before it was ready"));
        _ready = ready;
        _process = process;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private string Lines(bool error) => string.Join('\n', _lines.Where(l => l.Error == error).Select(l => l.Text));

    /// <summary>The host exited with its configuration exit code (2), saying a port is in use.</summary>
    private bool PortTaken()
    {
        _process.WaitForExit(); // the last lines it printed
        return _process.ExitCode == 2 && Stderr.Contains("already in use", StringComparison.Ordinal);
    }

    private void Keep(string? line, bool error, TaskCompletionSource ready)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue((error, line));
        if (!error && line.StartsWith(ReadyLine, StringComparison.Ordinal))
        {
            ready.TrySetResult();
        }
    }
}
