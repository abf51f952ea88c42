using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Ekm.Cli.Demo;

/// <summary>
/// The embedded host as a child process for <c>ekm demo</c>: Development environment (embedded local
/// KMS), a temporary data directory, free loopback ports, and one generated API key with every role
/// configured by its SHA-256 only. Stopped like Ctrl+C in a terminal (SIGINT), killed if it lingers.
/// </summary>
internal sealed class ChildHost : IAsyncDisposable
{
    private const string ReadyLine = "Press Ctrl+C to stop.";
    private const int KeptLines = 40;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _keepData;

    private ChildHost(string hostDll, string dataDirectory, string apiKey, int[] ports, bool keepData)
    {
        _keepData = keepData;
        DataDirectory = dataDirectory;
        Url = new Uri($"http://127.0.0.1:{ports[0].ToString(CultureInfo.InvariantCulture)}/");
        KmsUrl = new Uri($"http://127.0.0.1:{ports[3].ToString(CultureInfo.InvariantCulture)}/");
        var info = new ProcessStartInfo(DotnetPath())
        {
            WorkingDirectory = Path.GetDirectoryName(hostDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            hostDll,
            $"--urls={Url.GetLeftPart(UriPartial.Authority)}",
            $"--Ekm:DataDirectory={dataDirectory}",
            $"--Orleans:SiloPort={ports[1].ToString(CultureInfo.InvariantCulture)}",
            $"--Orleans:GatewayPort={ports[2].ToString(CultureInfo.InvariantCulture)}",
            "--Ekm:LocalKms:Enabled=true",
            $"--Ekm:LocalKms:Port={ports[3].ToString(CultureInfo.InvariantCulture)}",
            "--Ekm:Auth:DevelopmentKey=false",
        })
        {
            info.ArgumentList.Add(arg);
        }

        // The embedded defaults, whatever this shell has set for another host (e.g. a cluster's Ekm__/Orleans__ variables).
        foreach (var name in info.Environment.Keys.Where(IsHostSetting).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment["Ekm__Auth__ApiKeys__0__Name"] = "ekm-demo";
        info.Environment["Ekm__Auth__ApiKeys__0__Sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));
        info.Environment["Ekm__Auth__ApiKeys__0__Roles__0"] = "TenantAdmin";
        info.Environment["Ekm__Auth__ApiKeys__0__Roles__1"] = "Support";
        info.Environment["Ekm__Auth__ApiKeys__0__Roles__2"] = "Operator";
        info.Environment["Ekm__Auth__ApiKeys__0__Tenants__0"] = "*";

        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Collect(e.Data, ready: e.Data?.StartsWith(ReadyLine, StringComparison.Ordinal) == true);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data, ready: false);
        _process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException("The host exited before it was ready."));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri Url { get; }

    public Uri KmsUrl { get; }

    public string DataDirectory { get; }

    public int ProcessId => _process.Id;

    /// <summary>The host's last lines of output, for a report when it does not start.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, _output);

    /// <summary>
    /// Starts the host on free ports and waits for its banner. The ports are free when chosen; a host
    /// that finds one taken by then (it exits with its configuration code saying "already in use") is
    /// started again on new ones, up to three times.
    /// </summary>
    public static async Task<ChildHost> StartAsync(string hostDll, string apiKey, bool keepData, TimeSpan limit, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var data = Directory.CreateTempSubdirectory("ekm-demo-").FullName;
            var host = new ChildHost(hostDll, data, apiKey, FreePorts(4), keepData);
            try
            {
                await host._ready.Task.WaitAsync(limit, cancellationToken);
                return host;
            }
            catch (InvalidOperationException) when (attempt < 3 && host.PortTaken())
            {
                await host.DisposeAsync();
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                var output = host.RecentOutput;
                await host.DisposeAsync();
                throw new CliException(ExitCodes.DemoStepFailed, "host-not-started",
                    $"Ekm.Host ({hostDll}) did not start within {limit.TotalSeconds:0} s: {ex.Message}{Environment.NewLine}{output}", null, ex);
            }
            catch
            {
                await host.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>SIGINT (what Ctrl+C sends), up to 20 s for a clean stop, then a kill; the data directory goes unless kept.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                if (OperatingSystem.IsWindows())
                {
                    _process.Kill(entireProcessTree: true);
                }
                else
                {
                    using var signal = Process.Start(new ProcessStartInfo("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
                    await signal!.WaitForExitAsync();
                }

                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        if (!_keepData)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held for a moment; the OS's temp cleaner takes it.
            }
        }
    }

    private static bool IsHostSetting(string name) =>
        name.StartsWith("Ekm__", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Orleans__", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase) || name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase) || name.Equals("URLS", StringComparison.OrdinalIgnoreCase);

    /// <summary>The dotnet that runs this CLI when it runs as <c>dotnet ekm.dll</c>; else the one the SDK names, else PATH's.</summary>
    private static string DotnetPath()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return self;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } sdk && File.Exists(sdk) ? sdk : "dotnet";
    }

    /// <summary>Distinct loopback ports free a moment ago (all held open together so none repeats).</summary>
    private static int[] FreePorts(int count)
    {
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            }

            return [.. sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port)];
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    /// <summary>The host exited with its configuration exit code (2), saying a port is in use.</summary>
    private bool PortTaken()
    {
        _process.WaitForExit(); // the last lines it printed
        return _process.ExitCode == 2 && RecentOutput.Contains("already in use", StringComparison.Ordinal);
    }

    private void Collect(string? line, bool ready)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > KeptLines && _output.TryDequeue(out _))
        {
        }

        if (ready)
        {
            _ready.TrySetResult();
        }
    }
}
