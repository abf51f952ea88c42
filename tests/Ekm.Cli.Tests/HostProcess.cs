using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Ekm.Cli.Tests;

/// <summary>
/// <c>Ekm.Host</c> as a real process (<c>dotnet Ekm.Host.dll</c> from this test's output folder) in the
/// Development environment (embedded local KMS), on free loopback ports and a temp data directory,
/// with the API keys of <see cref="ApiKeys"/> configured by their SHA-256.
/// </summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("ekm-cli-test-").FullName;

    private HostProcess(ApiKeys keys)
    {
        var ports = FreePorts(4);
        Url = $"http://127.0.0.1:{ports[0].ToString(CultureInfo.InvariantCulture)}";
        KmsUrl = $"http://127.0.0.1:{ports[3].ToString(CultureInfo.InvariantCulture)}";
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Ekm.Host.dll"),
            $"--urls={Url}",
            $"--Ekm:DataDirectory={_dataDirectory}",
            $"--Orleans:SiloPort={ports[1].ToString(CultureInfo.InvariantCulture)}",
            $"--Orleans:GatewayPort={ports[2].ToString(CultureInfo.InvariantCulture)}",
            $"--Ekm:LocalKms:Port={ports[3].ToString(CultureInfo.InvariantCulture)}",
            "--Ekm:Auth:DevelopmentKey=false",
        })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        foreach (var (name, value) in keys.Settings())
        {
            info.Environment[name] = value;
        }

        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _output.Enqueue(e.Data);
                if (e.Data.StartsWith("Press Ctrl+C to stop.", StringComparison.Ordinal))
                {
                    _ready.TrySetResult();
                }
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _output.Enqueue(e.Data);
            }
        };
        _process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException("the host exited before it was ready"));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The gateway, e.g. http://127.0.0.1:PORT.</summary>
    public string Url { get; }

    /// <summary>The embedded local KMS.</summary>
    public string KmsUrl { get; }

    public static async Task<HostProcess> StartAsync(ApiKeys keys)
    {
        var host = new HostProcess(keys);
        try
        {
            await host._ready.Task.WaitAsync(StartLimit);
            return host;
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            var output = string.Join('\n', host._output);
            await host.DisposeAsync();
            throw new InvalidOperationException($"{ex.Message}\n{output}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // The OS temp cleaner takes what a dying process still held.
        }
    }

    private static int[] FreePorts(int count)
    {
        var sockets = Enumerable.Range(0, count).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)).ToList();
        try
        {
            sockets.ForEach(s => s.Bind(new IPEndPoint(IPAddress.Loopback, 0)));
            return [.. sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port)];
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }
}

/// <summary>Fresh API keys for one host, and their configuration entries (hashes only, as an operator configures them).</summary>
internal sealed class ApiKeys
{
    /// <summary>TenantAdmin of every tenant ('*').</summary>
    public string Admin { get; } = NewKey();

    public string Support { get; } = NewKey();

    public string Operator { get; } = NewKey();

    public IEnumerable<(string Name, string Value)> Settings()
    {
        (string Name, string Key, string Role)[] keys = [("admin@tests", Admin, "TenantAdmin"), ("support-desk", Support, "Support"), ("noc", Operator, "Operator")];
        for (var i = 0; i < keys.Length; i++)
        {
            var (name, key, role) = keys[i];
            var prefix = $"Ekm__Auth__ApiKeys__{i.ToString(CultureInfo.InvariantCulture)}__";
            yield return (prefix + "Name", name);
            yield return (prefix + "Sha256", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))));
            yield return (prefix + "Roles__0", role);
            yield return (prefix + "Tenants__0", "*");
        }
    }

    private static string NewKey() => "test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}
